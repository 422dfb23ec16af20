//! The ring chart, one per run: ns per switch against the ring size n, process and
//! thread rings on one chart, with the full TLB flushes per switch of the process rings
//! as bars on a second axis and the cliff (where full flushes start) marked. ns per lap
//! grows with n and hides the step; per switch it shows.

use super::plot::{tip, why_drawn_apart, Axis, Bars, Chart, Line, Mark};
use crate::analysis::headline::{Cliff, Headline};
use crate::counters::events::FULL_FLUSH;
use crate::export::inputs::{Entry, Run};
use crate::measure::CounterValue;
use crate::spec::BenchId;

/// The colour of process lines.
pub const PROCESS: &str = "#d55e00";
/// The colour of thread lines.
pub const THREAD: &str = "#0072b2";

/// The colour and dash of a series like `process-pipe`: colour by participants, dash by
/// mechanism (pipe solid, futex dashed, others dotted).
pub fn style(series: &str) -> (&'static str, &'static str) {
    let colour = if series.starts_with("thread") {
        THREAD
    } else {
        PROCESS
    };
    let dash = if series.ends_with("-pipe") {
        ""
    } else if series.contains("-futex") {
        "6 4"
    } else {
        "2 3"
    };
    (colour, dash)
}

/// Picks the ids a chart draws: from an id, the series and the x value.
pub type Keep<'a> = &'a dyn Fn(BenchId) -> Option<(String, f64)>;

/// Lines of a run's entries of `experiment` grouped by series (the id's second segment),
/// sorted pipe first, process before thread; `point` gives a mark for an entry at x.
pub fn lines_of(
    run: &Run,
    keep: Keep<'_>,
    point: &dyn Fn(&Entry, &str, f64) -> Option<Mark>,
) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for e in &run.entries {
        let Some((series, x)) = keep(e.id) else {
            continue;
        };
        let Some(m) = point(e, &series, x) else {
            continue;
        };
        match lines.iter_mut().find(|l| l.name == series) {
            Some(l) => l.marks.push(m),
            None => {
                let (colour, dash) = style(&series);
                lines.push(Line {
                    name: series,
                    colour,
                    dash,
                    marks: vec![m],
                });
            }
        }
    }
    for l in &mut lines {
        l.marks.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    let rank = |n: &str| {
        (
            !n.ends_with("-pipe"),
            n.starts_with("thread"),
            n.to_string(),
        )
    };
    lines.sort_by_key(|l| rank(&l.name));
    lines
}

/// A ring's series (`process-pipe`) and its size n.
fn ring_series(id: BenchId) -> Option<(String, f64)> {
    match id {
        BenchId::Ring {
            participants,
            mechanism,
            n,
        } => Some((format!("{participants}-{mechanism}"), n as f64)),
        _ => None,
    }
}

/// An entry's per-switch mark at ring size `n`.
fn per_switch(e: &Entry, series: &str, n: f64) -> Option<Mark> {
    let s = &e.summary;
    let y = e.ns_per_switch.unwrap_or(s.median / n);
    let why = why_drawn_apart(e);
    Some(Mark {
        x: n,
        y,
        lo: s.p25 / n,
        hi: s.p75 / n,
        unstable: e.stability.is_unstable(),
        valid: e.valid,
        tip: tip(series, &format!("n={n}"), (y, s.p25 / n, s.p75 / n), why),
    })
}

/// Full flushes per switch of the process rings, pipe rings where there are any.
fn flushes(run: &Run, lines: &[Line]) -> Vec<(f64, f64)> {
    let Some(series) = lines
        .iter()
        .map(|l| l.name.as_str())
        .find(|n| n.starts_with("process"))
    else {
        return Vec::new();
    };
    run.entries
        .iter()
        .filter_map(|e| {
            let (s, n) = ring_series(e.id)?;
            match (s == series, e.counters.get(FULL_FLUSH)) {
                (true, Some(CounterValue::Measured { per_switch, .. })) => {
                    Some((n, (*per_switch)?))
                }
                _ => None,
            }
        })
        .collect()
}

/// One run's chart on the shared y axis.
fn chart(run: &Run, lines: Vec<Line>, y: &Axis, x: &Axis) -> Chart {
    let values = flushes(run, &lines);
    let bars = (!values.is_empty()).then(|| Bars {
        axis: Axis {
            min: 0.0,
            max: 1.0,
            log: false,
            ticks: vec![(0.0, "0".into()), (0.5, "0.5".into()), (1.0, "1".into())],
            title: "full flushes / switch".into(),
        },
        name: "full TLB flushes per process switch (right axis)".into(),
        colour: PROCESS,
        values,
    });
    let cliff = (!run.outcomes.is_empty())
        .then(|| Headline::of(&run.outcomes).cliff)
        .flatten();
    let mark_x = match cliff {
        Some(Cliff::Step {
            last_clean,
            first_full,
            ..
        }) => Some((
            (last_clean + first_full) as f64 / 2.0,
            format!("full flushes from n = {first_full}"),
        )),
        _ => None,
    };
    let counted = if bars.is_some() {
        ""
    } else {
        " (full flushes not counted)"
    };
    Chart {
        title: format!("{}{counted}", run.label),
        x: x.clone(),
        y: y.clone(),
        lines,
        bars,
        reference: None,
        mark_x,
    }
}

/// The ring charts of every run side by side, on one y scale; empty when no run has rings.
pub fn ring_charts(runs: &[Run]) -> String {
    let per_run: Vec<Vec<Line>> = runs
        .iter()
        .map(|r| lines_of(r, &ring_series, &per_switch))
        .collect();
    let marks: Vec<&Mark> = per_run.iter().flatten().flat_map(|l| &l.marks).collect();
    if marks.is_empty() {
        return String::new();
    }
    let top = marks.iter().map(|m| m.y.max(m.hi)).fold(0.0, f64::max);
    let y = Axis::linear_time(top * 1.05, "ns per switch (median; box = unstable p25-p75)");
    let mut ns: Vec<f64> = marks.iter().map(|m| m.x).collect();
    ns.sort_by(f64::total_cmp);
    ns.dedup();
    let x = Axis {
        min: ns.first().copied().unwrap_or(0.0) - 1.0,
        max: ns.last().copied().unwrap_or(1.0) + 1.0,
        log: false,
        ticks: ns.iter().map(|n| (*n, format!("{n}"))).collect(),
        title: "n: tasks taking turns on one CPU".into(),
    };
    let mut s = String::from(r#"<div class="grid" id="ring-charts">"#);
    for (r, lines) in runs.iter().zip(per_run) {
        if !lines.is_empty() {
            s += &format!(
                r#"<div class="chart">{}</div>"#,
                chart(r, lines, &y, &x).render()
            );
        }
    }
    s + "</div>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_tell_participants_and_mechanisms_apart() {
        assert_eq!(style("process-pipe"), (PROCESS, ""));
        assert_eq!(style("thread-futex"), (THREAD, "6 4"));
        assert_eq!(style("thread-eventfd"), (THREAD, "2 3"));
        let id = |s: &str| s.parse::<BenchId>().unwrap();
        assert_eq!(
            ring_series(id("ring/process-pipe/8")),
            Some(("process-pipe".into(), 8.0))
        );
        assert_eq!(ring_series(id("pingpong/process-pipe/same-cpu")), None);
    }
}
