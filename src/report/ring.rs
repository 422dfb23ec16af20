//! The ring table: ns per switch and full TLB flushes per switch against ring size, for
//! processes and threads side by side, so the address-space-id cliff shows at a glance.

use std::collections::BTreeMap;

use crate::measure::Outcome;
use crate::spec::Participants;

/// The counter that counts full TLB flushes (`tlb:tlb_flush` with `pages != 0`).
pub const FULL_FLUSH: &str = "tlb:tlb_flush:full";

fn cell(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.digits$}"))
}

/// Renders the ring outcomes among `outcomes` as a table; empty when there are none.
/// A flush column shows `-` where the counter was not measured (missing or unsupported).
pub fn render(outcomes: &[Outcome]) -> String {
    let mut rows: BTreeMap<u64, [Option<&Outcome>; 2]> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.experiment == "ring") {
        let (Some(n), Some(p)) = (o.parameter, o.participants) else {
            continue;
        };
        let col = usize::from(p == Participants::Thread);
        rows.entry(n).or_default()[col] = Some(o);
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut out =
        String::from("ring of n on one CPU     process                          thread\n");
    out += &format!(
        "{:>4}  {:>10}  {:>13}  {:>10}  {:>10}  {:>13}  {:>10}\n",
        "n", "ns/switch", "full-flush/sw", "switch/lap", "ns/switch", "full-flush/sw", "switch/lap"
    );
    for (n, [p, t]) in &rows {
        let f = |o: &Option<&Outcome>| {
            (
                cell(o.and_then(|o| o.ns_per_switch), 0),
                cell(o.and_then(|o| o.counter_per_switch(FULL_FLUSH)), 2),
                cell(o.map(|o| o.switches_per_round_trip), 1),
            )
        };
        let (a, b, c) = f(p);
        let (d, e, g) = f(t);
        out += &format!("{n:>4}  {a:>10}  {b:>13}  {c:>10}  {d:>10}  {e:>13}  {g:>10}\n");
    }
    let ring: Vec<&Outcome> = rows.values().flatten().flatten().copied().collect();
    if ring
        .iter()
        .all(|o| o.counter_per_switch(FULL_FLUSH).is_none())
    {
        out += &format!("full flushes not measured: {}\n", why_not_counted(&ring));
    }
    out
}

/// Why no outcome among `outcomes` has a full-flush count: the counter's own reason when
/// it was refused, or that it was not counted at all.
pub fn why_not_counted(outcomes: &[&Outcome]) -> String {
    let reason = outcomes
        .iter()
        .find_map(|o| match o.counters.get(FULL_FLUSH) {
            Some(crate::measure::CounterValue::Unsupported { unsupported }) => Some(unsupported),
            _ => None,
        });
    match reason {
        Some(r) => format!("{FULL_FLUSH} unsupported here: {r}"),
        None => format!(
            "these results have no {FULL_FLUSH} counter (it needs the perf counters: the \
             tlb:tlb_flush tracepoint, as root or with perf_event_paranoid <= 1)"
        ),
    }
}
