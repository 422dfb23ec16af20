//! The working-set table: per access variant and size, the time per switch and the
//! indirect cost per switch, process against thread.

use super::side_by_side;
use crate::counters::events::{CACHE_MISSES, DTLB_LOAD_MISSES, FULL_FLUSH};
use crate::measure::Outcome;
use crate::spec::Experiment;
use crate::units::{fixed, format_size};

fn cell(v: Option<f64>) -> String {
    fixed(v, 0)
}

/// Counters shown per switch when any working-set outcome measured them (TLB and cache
/// misses: what the indirect cost is made of).
const COUNTERS: [&str; 3] = [DTLB_LOAD_MISSES, CACHE_MISSES, FULL_FLUSH];

fn counter_cell(o: Option<&Outcome>, name: &str) -> String {
    fixed(o.and_then(|o| o.counter_per_switch(name)), 2)
}

/// Renders the working-set outcomes among `outcomes`; empty when there are none.
pub fn render(outcomes: &[Outcome]) -> String {
    // variant -> size -> [process, thread]
    let table = side_by_side(outcomes, Experiment::Workset, |o| {
        o.variant.map(|v| v.name().to_string())
    });
    let shown: Vec<&str> = COUNTERS
        .into_iter()
        .filter(|c| {
            outcomes
                .iter()
                .filter(|o| o.is(Experiment::Workset))
                .any(|o| o.counter_per_switch(c).is_some())
        })
        .collect();
    let mut out = String::new();
    for (variant, rows) in &table {
        out += &format!("working set ({variant}), per side      process               thread\n");
        out += &format!(
            "{:>8}  {:>10}  {:>10}  {:>10}  {:>10}",
            "size", "ns/switch", "indirect", "ns/switch", "indirect"
        );
        for side in ["process", "thread"] {
            for c in &shown {
                out += &format!("  {:>22}", format!("{side} {c}/sw"));
            }
        }
        out += "\n";
        for (b, [p, t]) in rows {
            out += &format!(
                "{:>8}  {:>10}  {:>10}  {:>10}  {:>10}",
                format_size(*b),
                cell(p.and_then(|o| o.ns_per_switch)),
                cell(p.and_then(|o| o.indirect_ns_per_switch)),
                cell(t.and_then(|o| o.ns_per_switch)),
                cell(t.and_then(|o| o.indirect_ns_per_switch)),
            );
            for side in [p, t] {
                for c in &shown {
                    out += &format!("  {:>22}", counter_cell(*side, c));
                }
            }
            out += "\n";
        }
        out += "\n";
    }
    if !out.is_empty() {
        out += "indirect = ((round trip - the same round trip without touching) - the touches \
                alone) / 2, in ns per switch\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::terminal::pipe_outcome;
    use crate::measure::CounterValue;
    use crate::spec::Participants;

    fn ws(p: Participants, bytes: u64, misses: Option<f64>) -> Outcome {
        let mut o = pipe_outcome("workset", p, bytes, Some("read"), 2, 5000.0);
        o.indirect_ns_per_switch = Some(300.0);
        if let Some(m) = misses {
            o.counters.insert(
                CACHE_MISSES.into(),
                CounterValue::Measured {
                    per_iteration: 2.0 * m,
                    per_switch: Some(m),
                    total: m,
                    multiplexed: false,
                },
            );
        }
        o
    }

    #[test]
    fn table_shows_sizes_and_measured_counters_only() {
        let v = [
            ws(Participants::Process, 1 << 20, Some(1234.5)),
            ws(Participants::Thread, 1 << 20, None),
        ];
        let t = render(&v);
        assert!(
            t.contains("1MiB") && t.contains("2500") && t.contains("300"),
            "{t}"
        );
        assert!(
            t.contains("process cache-misses/sw") && t.contains("1234.50"),
            "{t}"
        );
        assert!(!t.contains("dTLB"), "{t}");
        let t = render(&[ws(Participants::Thread, 0, None)]);
        assert!(!t.contains("cache-misses"), "{t}");
        assert_eq!(render(&[]), "");
    }
}
