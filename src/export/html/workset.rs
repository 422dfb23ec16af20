//! The working-set charts, one per run and access pattern: the indirect cost per switch
//! (what refilling caches and TLB adds, the same touches without switching taken out)
//! against the bytes each side touches, on log axes, process and thread, with what one
//! switch costs by itself as a reference. On linear axes everything below 1 MiB lies flat
//! on zero; on log axes the small sizes show, and where the refill passes the switch.

use super::plot::{tip, why_drawn_apart, Axis, Chart, Line, Mark};
use super::ring::lines_of;
use crate::analysis::headline::Headline;
use crate::export::inputs::{Entry, Run};
use crate::spec::{Access, BenchId, Retired};
use crate::units::{format_size, time};

/// The access patterns, in order, with what each touches between switches.
pub const VARIANTS: [(&str, &str); 3] = [
    ("read", "reads a byte per cache line"),
    ("write", "writes a byte per cache line"),
    (
        "page-stride",
        "reads a byte per page: TLB reach, few cache lines",
    ),
];

/// A working set's series (`process-pipe`) and its size, when its access is `variant`
/// and the size is above 0 (the futex working sets of earlier versions read).
fn series_in(variant: &str, id: BenchId) -> Option<(String, f64)> {
    let (series, v, bytes) = match id {
        BenchId::Workset {
            participants,
            access,
            bytes,
        } => (format!("{participants}-pipe"), access.name(), bytes),
        BenchId::Retired(Retired::FutexWorkset { participants, kib }) => (
            format!("{participants}-futex"),
            Access::Read.name(),
            kib * 1024,
        ),
        _ => return None,
    };
    (v == variant && bytes > 0).then_some((series, bytes as f64))
}

/// An entry's indirect cost at `bytes`; its range is the round trip's p25-p75 spread per
/// switch, around the indirect cost.
fn indirect(e: &Entry, series: &str, bytes: f64) -> Option<Mark> {
    let y = e.indirect_ns_per_switch?;
    let s = &e.summary;
    let (lo, hi) = (y - (s.median - s.p25) / 2.0, y + (s.p75 - s.median) / 2.0);
    let why = why_drawn_apart(e);
    Some(Mark {
        x: bytes,
        y,
        lo,
        hi,
        unstable: e.stability.is_unstable(),
        valid: e.valid,
        tip: tip(series, &format_size(bytes as u64), (y, lo, hi), why),
    })
}

/// The working-set charts of every run, a row per access pattern, on one y scale; empty
/// when no run has an indirect cost.
pub fn workset_charts(runs: &[Run]) -> String {
    let charts: Vec<(&str, &Run, Vec<Line>)> = VARIANTS
        .iter()
        .flat_map(|(v, _)| {
            runs.iter().map(move |r| {
                let keep = move |id: BenchId| series_in(v, id);
                (*v, r, lines_of(r, &keep, &indirect))
            })
        })
        .filter(|(_, _, lines)| !lines.is_empty())
        .collect();
    let marks: Vec<&Mark> = charts
        .iter()
        .flat_map(|(_, _, ls)| ls.iter().flat_map(|l| &l.marks))
        .collect();
    if marks.is_empty() {
        return String::new();
    }
    let hi = marks.iter().map(|m| m.y.max(m.hi)).fold(1.0, f64::max);
    let y = Axis::log_time(
        1.0,
        hi,
        "indirect ns per switch (log; triangle = at most 1 ns)",
    );
    let (lo_x, hi_x) = marks.iter().fold((f64::INFINITY, 0.0f64), |(a, b), m| {
        (a.min(m.x), b.max(m.x))
    });
    let mut sizes: Vec<f64> = marks.iter().map(|m| m.x).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    let x = Axis {
        min: lo_x / 1.5,
        max: hi_x * 1.5,
        log: true,
        ticks: sizes.iter().map(|b| (*b, format_size(*b as u64))).collect(),
        title: "bytes each side touches between switches (log)".into(),
    };
    let mut s = String::new();
    for (variant, what) in VARIANTS {
        let row: Vec<&(&str, &Run, Vec<Line>)> =
            charts.iter().filter(|(v, _, _)| *v == variant).collect();
        if row.is_empty() {
            continue;
        }
        s += &format!(r#"<h3>{variant}: {what}</h3><div class="grid">"#);
        for (_, run, lines) in row {
            let switch = (!run.outcomes.is_empty())
                .then(|| Headline::of(&run.outcomes).refill?.switch_ns)
                .flatten();
            let c = Chart {
                title: format!("{} · {variant}", run.label),
                x: x.clone(),
                y: y.clone(),
                lines: lines.clone(),
                bars: None,
                reference: switch.map(|ns| (ns, format!("one switch itself: {}", time(ns)))),
                mark_x: None,
            };
            s += &format!(r#"<div class="chart">{}</div>"#, c.render());
        }
        s += "</div>";
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_variants_and_sizes() {
        let f = |v, id: &str| series_in(v, id.parse().unwrap());
        assert_eq!(
            f("read", "workset/process-pipe/16KiB"),
            Some(("process-pipe".into(), 16384.0))
        );
        assert_eq!(
            f("read", "workset/process-pipe/0B"),
            None,
            "0 B is the baseline"
        );
        assert_eq!(f("read", "workset/thread-pipe/write/4KiB"), None);
        assert_eq!(
            f("write", "workset/thread-pipe/write/4KiB"),
            Some(("thread-pipe".into(), 4096.0))
        );
        assert_eq!(f("read", "ring/process-pipe/8"), None);
    }
}
