//! The timing table of `ctxbench run`: one row per outcome, then the skipped ids and
//! why each invalid, disturbed or measured-again outcome is so.

use crate::measure::Outcome;
use crate::results::Skipped;
use crate::units::ns_column as ns;

/// Renders outcomes as a fixed-width table, then the skipped ones and any invalid reasons.
///
/// `switches/rt` is the count of the separate counted run (perf or procfs); `timed` is
/// the procfs count over the timed samples themselves; `others` is other tasks' share of
/// the measured CPU during the timed samples (one CPU only). "rt" is one iteration: a
/// round trip, a ring lap, a floor operation, a creation. `valid` reads `disturbed` where
/// other tasks disturbed every attempt; the lines after the table say how, and which ids
/// were measured again.
pub fn render(outcomes: &[Outcome], skipped: &[Skipped]) -> String {
    let id_w = outcomes
        .iter()
        .map(|o| o.id.to_string().len())
        .chain(skipped.iter().map(|s| s.id.len()))
        .chain([2])
        .max()
        .unwrap_or(2);
    let mut out = format!(
        "{:<id_w$}  {:>10}  {:>19}  {:>9}  {:>9}  {:>11}  {:>8}  {:>7}  {}\n",
        "id",
        "ns/rt",
        "p25-p75",
        "ns/switch",
        "direct/sw",
        "switches/rt",
        "timed",
        "others",
        "valid"
    );
    for o in outcomes {
        let s = &o.ns_per_iteration;
        out += &format!(
            "{:<id_w$}  {:>10}  {:>19}  {:>9}  {:>9}  {:>11.2}  {:>8}  {:>7}  {}\n",
            o.id,
            ns(s.median),
            format!("{}-{}", ns(s.p25), ns(s.p75)),
            o.ns_per_switch.map_or("-".into(), ns),
            o.direct_ns_per_switch.map_or("-".into(), ns),
            o.switches_per_iteration,
            o.timed_switches_per_iteration
                .map_or("-".into(), |t| format!("{t:.2}")),
            o.disturbance
                .as_ref()
                .map_or("-".into(), |d| format!("{:.1}%", d.others_share * 100.0)),
            if !o.valid {
                "INVALID"
            } else if o.disturbance.as_ref().is_some_and(|d| d.too_much()) {
                "disturbed"
            } else if o.validity.starts_with("ok") {
                "yes"
            } else {
                "unchecked"
            }
        );
    }
    for o in outcomes.iter().filter(|o| !o.valid) {
        out += &format!("{}: {}\n", o.id, o.validity);
    }
    for o in outcomes {
        if let Some(d) = o.disturbance.as_ref().filter(|d| d.too_much() && o.valid) {
            out += &format!("disturbed {}: {}\n", o.id, d.describe());
        }
        for r in &o.retries {
            out += &format!("measured again {}: {r}\n", o.id);
        }
    }
    for s in skipped {
        out += &format!("skipped {}: {}\n", s.id, s.reason);
    }
    out
}
