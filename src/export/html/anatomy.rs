//! The anatomy of a switch on the page, right after the summary: per machine one
//! horizontal stacked bar for a process switch and one for a thread switch, the parts in
//! the same colours on every machine and on one scale, a whisker for each part's
//! interval at its end and one for the whole, and what a switch adds where a condition
//! holds (the register state, the TLB past the address-space ids) drawn dashed beyond the
//! whole (see [`crate::analysis::anatomy`]).

use crate::analysis::anatomy::{Anatomy, Part, PartName, BESIDE, IN_WHOLE, WHO};
use crate::export::escape::html as escape;
use crate::export::inputs::Run;
use crate::units::time;

/// The parts drawn, in order: those of the whole, then what a switch adds beyond it
/// (the refill past L2 is a figure after the time, not a segment).
fn drawn() -> impl Iterator<Item = PartName> {
    IN_WHOLE.into_iter().chain(BESIDE[1..].iter().copied())
}

/// The colour class of `name` (`a0`...: the style sheet colours them, the same on every
/// machine).
fn class(name: PartName) -> String {
    drawn()
        .position(|n| n == name)
        .map_or_else(|| "a5".into(), |k| format!("a{k}"))
}

const WIDTH: f64 = 780.0;
const X0: f64 = 64.0;
const X1: f64 = 600.0;
const BAR: f64 = 14.0;

/// A bar segment of width `w` from `x` at height `y`, as a path (shorter than a rect).
fn rect(x: f64, y: f64, w: f64) -> String {
    format!("M{x:.0} {y:.0}h{:.0}v{BAR}H{x:.0}z", w.max(1.0))
}

/// A part's tooltip, short (its colour names it): `+210 [+204, +217]`.
fn tip(p: &Part) -> String {
    p.shown().replace(" ns/switch", "")
}

/// One bar: `a`'s parts of `who` stacked from 0 at height `y`, the beside parts after the
/// whole; `sx` maps ns to x.
fn bar(a: &Anatomy, who: crate::spec::Participants, y: f64, sx: &dyn Fn(f64) -> f64) -> String {
    let stacked = a.stacked(who);
    let Some(whole) = a.get(PartName::Whole, who).filter(|w| w.value.is_some()) else {
        return format!(
            r#"<text x="{X0}" y="{:.0}" class="na">not measured: {}</text>"#,
            y + BAR - 3.0,
            escape(
                a.get(PartName::Whole, who)
                    .and_then(|w| w.why_missing.as_deref())
                    .unwrap_or("no switch in this run")
            )
        );
    };
    let mut out = String::new();
    let mut whiskers = String::new();
    let mid = y + BAR / 2.0;
    // The positive parts stacked from 0, in order; then the negative ones laid back from
    // the end, hatched: where the bar ends is the whole.
    let (pos, neg): (Vec<&Part>, Vec<&Part>) = stacked
        .into_iter()
        .partition(|p| p.value.unwrap_or(0.0) >= 0.0);
    let mut at = 0.0;
    for p in pos.into_iter().chain(neg) {
        let v = p.value.unwrap_or(0.0);
        let (from, to) = (at, at + v);
        let (l, r) = (sx(from.min(to)), sx(from.max(to)));
        out += &format!(
            r#"<path d="{}" class="{}{}"><title>{}</title></path>"#,
            rect(l, y, r - l),
            class(p.name),
            if v < 0.0 { " neg" } else { "" },
            escape(&tip(p))
        );
        if let (Some(lo), Some(hi)) = (p.low, p.high) {
            whiskers += &format!("M{:.0} {mid:.0}H{:.0}", sx(from + lo), sx(from + hi));
        }
        at = to;
    }
    // The whole: its whisker below the bar, and its value.
    let w = whole.value.unwrap_or(at);
    let wy = y + BAR + 3.0;
    let mut end = sx(w);
    if let (Some(lo), Some(hi)) = (whole.low, whole.high) {
        let (a, b) = (sx(lo), sx(hi));
        whiskers += &format!(
            "M{a:.0} {wy:.0}H{b:.0}M{a:.0} {:.0}v5M{b:.0} {:.0}v5",
            wy - 2.5,
            wy - 2.5
        );
        end = end.max(b);
    }
    // Beyond the whole, dashed: what a switch adds where its condition holds.
    let mut x = sx(w) + 4.0;
    for name in [PartName::RegisterState, PartName::TlbFlush] {
        let Some(p) = a
            .get(name, who)
            .filter(|p| p.value.is_some_and(|v| v > 0.0))
        else {
            continue;
        };
        let width = (sx(w + p.value.unwrap_or(0.0)) - sx(w)).max(2.0);
        out += &format!(
            r#"<path d="{}" class="{} bes"><title>{}</title></path>"#,
            rect(x, y, width),
            class(name),
            escape(&tip(p))
        );
        x += width + 3.0;
        end = end.max(x);
    }
    let past = a
        .get(PartName::RefillPastL2, who)
        .and_then(|p| Some((p.value?, p.parameter?)))
        .map_or_else(String::new, |(v, b)| {
            format!(" · {}: +{}", crate::units::format_size(b), time(v))
        });
    if !whiskers.is_empty() {
        out += &format!(r#"<path d="{whiskers}" class="whisker"/>"#);
    }
    let title = match whole.interval() {
        Some(_) => format!("<title>{}</title>", escape(&tip(whole))),
        None => String::new(),
    };
    out += &format!(
        r#"<text x="{:.0}" y="{:.0}" class="val">{title}{}{past}</text>"#,
        end + 5.0,
        y + BAR - 3.0,
        time(w)
    );
    out
}

/// The largest extent a bar of `a` reaches, ns: the stack, the whole's interval, and the
/// beside parts after it.
fn extent(a: &Anatomy) -> (f64, f64) {
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for who in WHO {
        let (up, down): (f64, f64) =
            a.stacked(who)
                .iter()
                .filter_map(|p| p.value)
                .fold(
                    (0.0, 0.0),
                    |(u, d), v| if v >= 0.0 { (u + v, d) } else { (u, d + v) },
                );
        hi = hi.max(up);
        lo = lo.min(up + down);
        if let Some(w) = a.get(PartName::Whole, who) {
            hi = hi.max(w.high.or(w.value).unwrap_or(0.0));
            let beside: f64 = [PartName::RegisterState, PartName::TlbFlush]
                .iter()
                .filter_map(|&n| a.get(n, who)?.value)
                .filter(|v| *v > 0.0)
                .sum();
            hi = hi.max(w.value.unwrap_or(0.0) + beside);
        }
    }
    (lo, hi)
}

/// The section; empty where no run has an anatomy with a value.
pub fn section(runs: &[Run]) -> String {
    let shown: Vec<&Run> = runs.iter().filter(|r| r.anatomy.has_any()).collect();
    if shown.is_empty() {
        return String::new();
    }
    let (lo, hi) = shown
        .iter()
        .map(|r| extent(&r.anatomy))
        .fold((0.0f64, 0.0f64), |(a, b), (c, d)| (a.min(c), b.max(d)));
    let ticks = super::svg::nice_ticks(hi - lo);
    let span = ticks.last().copied().unwrap_or(1.0).max(1.0);
    let sx = |v: f64| X0 + ((v - lo) / span).clamp(0.0, 1.0) * (X1 - X0);
    let block = 2.0 * (BAR + 10.0) + 22.0;
    let top = 26.0;
    let plot_h = block * shown.len() as f64;
    let mut body = String::from(r#"<g class="tick m">"#);
    let mut grid = String::new();
    for t in &ticks {
        let x = sx(lo + t);
        grid += &format!("M{x:.0} {top:.0}V{:.0}", top + plot_h);
        body += &format!(
            r#"<text x="{x:.0}" y="{:.0}">{}</text>"#,
            top + plot_h + 13.0,
            if lo + t == 0.0 {
                "0".into()
            } else {
                time(lo + t)
            }
        );
    }
    body += "</g>";
    body = format!(r#"<path d="{grid}" class="grid"/>{body}"#);
    let mut notes = String::new();
    for (k, r) in shown.iter().enumerate() {
        let y = top + k as f64 * block;
        body += &format!(
            r#"<text x="10" y="{:.0}" class="title">{}</text>"#,
            y + 12.0,
            escape(&r.label)
        );
        for (i, who) in WHO.into_iter().enumerate() {
            let by = y + 18.0 + i as f64 * (BAR + 10.0);
            body += &format!(
                r#"<text x="{:.0}" y="{:.0}" class="rl">{who}</text>"#,
                X0 - 6.0,
                by + BAR - 3.0
            );
            body += &bar(&r.anatomy, who, by, &sx);
        }
        notes += &run_note(r);
    }
    // The legend: every part drawn, in stacking order, then the beside ones.
    let legend: String = drawn()
        .map(|n| {
            let dashed = if BESIDE.contains(&n) { " bes" } else { "" };
            format!(
                r#"<span class="sw {}{dashed}"></span>{}"#,
                class(n),
                escape(n.label())
            )
        })
        .collect();
    let height = top + plot_h + 22.0;
    let svg = format!(
        r#"<svg viewBox="0 0 {WIDTH} {height:.0}" width="{WIDTH}" height="{height:.0}" role="img" aria-label="anatomy of a switch">{body}</svg>"#
    );
    format!(
        r#"<section id="anatomy"><h2>Anatomy of a switch</h2><p class="note">Where one switch on one CPU spends its time, one scale for all: a futex ping-pong between processes (or threads, the same system calls) plus the refill of a working set per side that fits L2 (after the time: one past L2). Negative parts are hatched, laid back from the end; whiskers are 95% intervals, the whole's below its bar; dashed beyond it, what live AVX-512 (or AMX) state, or more processes than address-space ids, add. Every figure: <code>ctxbench run</code>.</p><p class="legend">{legend}</p><div class="chart">{svg}</div>{notes}</section>"#
    )
}

/// What a run's bars lack: no intervals (a file from before paired rounds) and the
/// missing parts, with why; empty when nothing is.
fn run_note(r: &Run) -> String {
    let a = &r.anatomy;
    let mut said: Vec<String> = Vec::new();
    let measured = a.parts.iter().filter(|p| p.value.is_some());
    if measured.clone().count() > 0 && measured.clone().all(|p| p.low.is_none()) {
        said.push("no intervals: medians of a file from before paired rounds".into());
    }
    for p in &a.parts {
        let applies = !(matches!(p.name, PartName::AddressSpace | PartName::TlbFlush)
            && p.participants == crate::spec::Participants::Thread);
        if let (None, Some(why), true) = (p.value, &p.why_missing, applies) {
            said.push(format!("{} {}: {why}", p.participants, p.name.label()));
        }
    }
    if said.is_empty() {
        return String::new();
    }
    format!(
        r#"<p class="note">{}: {}</p>"#,
        escape(&r.label),
        escape(&said.join("; "))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::claims::Unit;
    use crate::results::ResultsFile;
    use crate::spec::Participants::{self, Process, Thread};

    fn part(name: PartName, who: Participants, v: f64, ends: bool) -> Part {
        Part {
            name,
            participants: who,
            value: Some(v),
            low: ends.then_some(v - 20.0),
            high: ends.then_some(v + 20.0),
            unit: Unit::NsPerSwitch,
            parameter: None,
            what: String::new(),
            why_missing: None,
        }
    }

    /// A run whose process switch has every part (the address space negative) and whose
    /// thread switch is missing, with intervals or not.
    fn run(ends: bool) -> Run {
        use PartName::*;
        let mut parts: Vec<Part> = [
            (KernelEntry, 200.0),
            (Mechanism, 300.0),
            (Scheduler, 1500.0),
            (AddressSpace, -100.0),
            (RefillInL2, 400.0),
            (Remainder, 50.0),
            (Whole, 2350.0),
            (RegisterState, 20.0),
            (TlbFlush, 300.0),
        ]
        .into_iter()
        .map(|(n, v)| part(n, Process, v, ends))
        .collect();
        parts.push(Part {
            value: None,
            low: None,
            high: None,
            why_missing: Some("no switch measured: needs a valid pingpong".into()),
            ..part(Whole, Thread, 0.0, false)
        });
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        let mut f = ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]);
        f.anatomy = Anatomy { parts };
        f.save(&p).unwrap();
        crate::export::inputs::load_inputs(&[p])
            .unwrap()
            .runs
            .remove(0)
    }

    #[test]
    fn stacked_bars_in_the_same_colours_on_every_machine() {
        let (new, old) = (run(true), run(false));
        let s = section(&[new, old]);
        // Every part of the whole in its colour, in both runs; the negative one hatched.
        for (k, _) in IN_WHOLE.iter().enumerate() {
            assert_eq!(
                s.matches(&format!(r#"class="a{k}"#)).count(),
                2,
                "a{k} in {s}"
            );
        }
        assert_eq!(s.matches(r#"class="a3 neg""#).count(), 2);
        // Beyond the whole, dashed; in the legend, every part once.
        assert_eq!(s.matches(r#"class="a6 bes""#).count(), 2);
        assert_eq!(s.matches(r#"class="a7 bes""#).count(), 2);
        for name in IN_WHOLE.iter().chain(&BESIDE[1..]) {
            assert!(s.contains(&escape(name.label())), "{name:?}");
        }
        // Whiskers where there are intervals, the interval in the tooltip.
        assert_eq!(s.matches(r#"class="whisker""#).count(), 1);
        assert!(s.contains("<title>+200 [+180, +220]</title>"), "{s}");
        // What is missing says why; a file without intervals says so.
        assert!(s.contains("not measured: no switch measured: needs a valid pingpong"));
        assert!(s.contains("no intervals: medians of a file from before paired rounds"));
        assert!(section(&[]).is_empty());
    }

    #[test]
    fn the_bars_share_one_scale_and_end_at_the_whole() {
        let r = run(true);
        let (lo, hi) = extent(&r.anatomy);
        // The positive parts reach 2450; the whole's interval 2370; the extras after it.
        assert_eq!(lo, 0.0);
        assert_eq!(hi, 2350.0 + 20.0 + 300.0);
    }
}
