//! The "counters per switch" table of `ctxbench run`, printed below the timing table.
//!
//! One row per outcome: context switches per round trip, then every other event that
//! counted somewhere, headed by its short name (a legend maps short names to perf names,
//! which the JSON uses): per switch, or per round trip with `/rt` after the name for the
//! events that read so ([`Shown`]: `syscalls/rt` is 4 for a bare mechanism, `preempted`
//! the share of switches that were preemptions). An event refused for every outcome gets
//! no column: it is listed once below the table with its reason, as `unsupported`.

use std::collections::BTreeMap;

use crate::counters::events::{self, Shown, CONTEXT_SWITCHES};
use crate::measure::{CounterValue, Outcome};
use crate::units::count_column as num;

/// Event names in catalogue order (unknown names last, sorted).
fn ordered(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = names.collect();
    names.sort_by_key(|n| {
        (
            events::EVENTS
                .iter()
                .position(|e| e.name == n)
                .unwrap_or(usize::MAX),
            n.clone(),
        )
    });
    names.dedup();
    names
}

fn cell(v: Option<&CounterValue>, per_switch: bool) -> (String, bool) {
    match v {
        None => ("-".into(), false),
        Some(CounterValue::Unsupported { .. }) => ("unsupported".into(), false),
        Some(CounterValue::Measured {
            per_iteration,
            per_switch: ps,
            multiplexed,
            ..
        }) => {
            let v = if per_switch {
                *ps
            } else {
                Some(*per_iteration)
            };
            let mut s = v.map_or("-".into(), num);
            if *multiplexed {
                s.push('*');
            }
            (s, *multiplexed)
        }
    }
}

/// How the table shows event `n`: per switch or per round trip.
fn shown(n: &str) -> Shown {
    events::find(n).map_or(Shown::PerSwitch, |e| e.shown)
}

/// The column head of event `n`: its short name, with `/rt` when shown per round trip.
fn header(n: &str) -> String {
    let short = events::find(n).map_or(n, |e| e.short);
    match shown(n) {
        Shown::PerRoundTrip => format!("{short}/rt"),
        Shown::PerSwitch => short.to_string(),
    }
}

/// The events that get a column (measured for some outcome), and those refused for every
/// outcome, grouped by the reason of the first refusal.
fn columns(with: &[&Outcome]) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let names = ordered(with.iter().flat_map(|o| o.counters.keys().cloned()));
    let measured_somewhere = |n: &String| {
        with.iter()
            .any(|o| matches!(o.counters.get(n), Some(CounterValue::Measured { .. })))
    };
    let (measured, never): (Vec<String>, Vec<String>) =
        names.into_iter().partition(measured_somewhere);
    // context-switches has its own per-round-trip column; per switch it is 1 by definition
    // on one CPU.
    let counted = measured
        .into_iter()
        .filter(|n| n != CONTEXT_SWITCHES)
        .collect();
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in never {
        let reason = with
            .iter()
            .find_map(|o| match o.counters.get(&n) {
                Some(CounterValue::Unsupported { unsupported }) => Some(unsupported.clone()),
                _ => None,
            })
            .unwrap_or_default();
        refused.entry(reason).or_default().push(n);
    }
    (counted, refused)
}

/// Renders the counters table; empty when no outcome carries counters.
pub fn render(outcomes: &[Outcome]) -> String {
    let with: Vec<&Outcome> = outcomes.iter().filter(|o| !o.counters.is_empty()).collect();
    if with.is_empty() {
        return String::new();
    }
    let (counted, refused) = columns(&with);
    let id_w = with
        .iter()
        .map(|o| o.id.to_string().len())
        .max()
        .unwrap_or(2)
        .max(2);
    let cs = header(CONTEXT_SWITCHES);
    let mut out = String::from(
        "\ncounters per switch (/rt: per round trip; task-clock in ns; where a round trip \
         has no fixed switch count, per measured switch)\n",
    );
    out += &format!("{:<id_w$}  {:>w$}", "id", cs, w = cs.len());
    let headers: Vec<String> = counted.iter().map(|n| header(n)).collect();
    let widths: Vec<usize> = headers.iter().map(|h| h.len().max(9)).collect();
    for (h, w) in headers.iter().zip(&widths) {
        out += &format!("  {:>w$}", h, w = *w);
    }
    out += "\n";
    let mut any_mux = false;
    for o in &with {
        let (c, m) = cell(o.counters.get(CONTEXT_SWITCHES), false);
        any_mux |= m;
        out += &format!("{:<id_w$}  {:>w$}", o.id, c, w = cs.len());
        for (n, w) in counted.iter().zip(&widths) {
            let (c, m) = cell(o.counters.get(n), shown(n) == Shown::PerSwitch);
            any_mux |= m;
            out += &format!("  {:>w$}", c, w = *w);
        }
        out += "\n";
    }
    let legend: Vec<String> = counted
        .iter()
        .zip(&headers)
        .filter(|(n, h)| n != h)
        .map(|(n, h)| format!("{h} = {n}"))
        .collect();
    if !legend.is_empty() {
        out += &format!("({})\n", legend.join(", "));
    }
    if any_mux {
        out += "* multiplexed: scaled by time_enabled / time_running\n";
    }
    for (reason, names) in &refused {
        out += &format!("unsupported: {}: {reason}\n", names.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::terminal::pipe_outcome;
    use crate::spec::Participants;

    fn outcome(counters: &[(&str, CounterValue)]) -> Outcome {
        let mut o = pipe_outcome("pingpong", Participants::Process, 0, None, 2, 4000.0);
        o.id = "pingpong/process-pipe/same-cpu".parse().unwrap();
        o.counters = counters
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        o
    }

    fn measured(rt: f64, mux: bool) -> CounterValue {
        CounterValue::Measured {
            per_iteration: rt,
            per_switch: Some(rt / 2.0),
            total: rt * 1000.0,
            multiplexed: mux,
        }
    }

    #[test]
    fn counted_events_get_columns_and_refused_ones_a_line() {
        let no_pmu = CounterValue::Unsupported {
            unsupported: "no hardware PMU".into(),
        };
        let o = outcome(&[
            ("context-switches", measured(2.0, false)),
            ("tlb:tlb_flush", measured(2.0, false)),
            ("tlb:tlb_flush:full", measured(0.0, false)),
            ("cycles", no_pmu.clone()),
            ("instructions", no_pmu),
        ]);
        let t = render(&[o]);
        let lines: Vec<&str> = t.lines().collect();
        let header = lines.iter().find(|l| l.starts_with("id")).unwrap();
        assert!(header.contains("context-switches/rt"));
        assert!(header.contains("tlb-full-flushes"));
        assert!(!header.contains("cycles"));
        assert!(t.contains("tlb-full-flushes = tlb:tlb_flush:full"), "{t}");
        let row = lines
            .iter()
            .find(|l| l.starts_with("pingpong/process-pipe/same-cpu"))
            .unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        // id, context-switches per round trip, tlb_flush per switch, full per switch
        assert_eq!(
            cells,
            ["pingpong/process-pipe/same-cpu", "2.000", "1.000", "0"]
        );
        assert!(
            t.contains("unsupported: cycles, instructions: no hardware PMU"),
            "{t}"
        );
    }

    #[test]
    fn round_trip_events_are_shown_per_round_trip_and_preemptions_as_a_share() {
        let o = outcome(&[
            ("context-switches", measured(2.0, false)),
            ("sched:sched_switch:preempted", measured(0.88, false)),
            ("raw_syscalls:sys_enter", measured(4.0, false)),
            ("timer:hrtimer_start", measured(0.0, false)),
        ]);
        let t = render(&[o]);
        let lines: Vec<&str> = t.lines().collect();
        let header = lines.iter().find(|l| l.starts_with("id")).unwrap();
        let heads: Vec<&str> = header.split_whitespace().collect();
        assert_eq!(
            heads,
            [
                "id",
                "context-switches/rt",
                "preempted",
                "syscalls/rt",
                "timer-starts/rt"
            ]
        );
        assert!(t.contains("syscalls/rt = raw_syscalls:sys_enter"), "{t}");
        let row = lines.iter().find(|l| l.starts_with("pingpong/")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[1..], ["2.000", "0.4400", "4.000", "0"]);
    }

    #[test]
    fn refused_for_one_outcome_only_shows_in_its_cell_and_multiplexing_is_marked() {
        let a = outcome(&[("cycles", measured(8000.0, true))]);
        let b = outcome(&[(
            "cycles",
            CounterValue::Unsupported {
                unsupported: "not permitted".into(),
            },
        )]);
        let t = render(&[a, b]);
        assert!(t.contains("4000*"), "{t}");
        assert!(t.contains("unsupported"), "{t}");
        assert!(t.contains("* multiplexed"), "{t}");
    }

    #[test]
    fn nothing_without_counters() {
        assert_eq!(render(&[outcome(&[])]), "");
    }
}
