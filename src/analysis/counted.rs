//! Why a count is missing from outcomes: the reason the counter gave, or that it was not
//! counted at all. The ring table and the TLB claim say it of full flushes, the anatomy
//! of a switch of system calls.

use crate::counters::events::{FULL_FLUSH, SYSCALLS};
use crate::measure::{CounterValue, Outcome};

/// Why no outcome among `outcomes` has a full-flush count: the counter's own reason when
/// it was refused, or that it was not counted at all.
pub fn why_not_counted(outcomes: &[&Outcome]) -> String {
    why_event_not_counted(outcomes, FULL_FLUSH)
}

/// Why no outcome among `outcomes` has a count of `event`: the counter's own reason when
/// it was refused, or that the results have no such counter (and what it needs).
pub fn why_event_not_counted(outcomes: &[&Outcome], event: &str) -> String {
    let reason = outcomes.iter().find_map(|o| match o.counters.get(event) {
        Some(CounterValue::Unsupported { unsupported }) => Some(unsupported),
        _ => None,
    });
    let needs = match event {
        FULL_FLUSH => "the tlb:tlb_flush tracepoint",
        SYSCALLS => "the raw_syscalls:sys_enter tracepoint",
        _ => "its perf event",
    };
    match reason {
        Some(r) => format!("{event} unsupported here: {r}"),
        None => format!(
            "these results have no {event} counter (it needs the perf counters: {needs}, as \
             root or with perf_event_paranoid <= 1)"
        ),
    }
}
