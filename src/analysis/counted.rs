//! Why a count is missing from outcomes: the reason the counter gave, or that it was not
//! counted at all. Both the ring table and the TLB claim say it.

use crate::counters::events::FULL_FLUSH;
use crate::measure::{CounterValue, Outcome};

/// Why no outcome among `outcomes` has a full-flush count: the counter's own reason when
/// it was refused, or that it was not counted at all.
pub fn why_not_counted(outcomes: &[&Outcome]) -> String {
    let reason = outcomes
        .iter()
        .find_map(|o| match o.counters.get(FULL_FLUSH) {
            Some(CounterValue::Unsupported { unsupported }) => Some(unsupported),
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
