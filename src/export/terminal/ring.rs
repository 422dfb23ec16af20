//! The ring table: ns per switch and full TLB flushes per switch against ring size, for
//! processes and threads side by side, so the address-space-id cliff shows at a glance.

use super::side_by_side;
use crate::analysis::counted::why_not_counted;
use crate::counters::events::FULL_FLUSH;
use crate::measure::Outcome;
use crate::spec::Experiment;
use crate::units::fixed as cell;

/// Renders the ring outcomes among `outcomes` as tables (one per mechanism); empty when
/// there are none. A flush column shows `-` where the counter was not measured (missing
/// or unsupported).
pub fn render(outcomes: &[Outcome]) -> String {
    // mechanism -> n -> [process, thread]
    let tables = side_by_side(outcomes, Experiment::Ring, |o| {
        Some(
            o.mechanism
                .map_or_else(|| "?".to_string(), |m| m.to_string()),
        )
    });
    // Pipe rings first: the classic lat_ctx ring.
    let mut order: Vec<&String> = tables.keys().collect();
    order.sort_by_key(|m| (m.as_str() != "pipe", m.as_str()));
    let mut out = String::new();
    for m in order {
        let rows = &tables[m];
        out += &format!("ring of n on one CPU ({m})   process                          thread\n");
        out += &format!(
            "{:>4}  {:>10}  {:>13}  {:>10}  {:>10}  {:>13}  {:>10}\n",
            "n",
            "ns/switch",
            "full-flush/sw",
            "switch/lap",
            "ns/switch",
            "full-flush/sw",
            "switch/lap"
        );
        for (n, [p, t]) in rows {
            let f = |o: &Option<&Outcome>| {
                (
                    cell(o.and_then(|o| o.ns_per_switch), 0),
                    cell(o.and_then(|o| o.counter_per_switch(FULL_FLUSH)), 2),
                    cell(o.map(|o| o.switches_per_iteration), 1),
                )
            };
            let (a, b, c) = f(p);
            let (d, e, g) = f(t);
            out += &format!("{n:>4}  {a:>10}  {b:>13}  {c:>10}  {d:>10}  {e:>13}  {g:>10}\n");
        }
    }
    let ring: Vec<&Outcome> = tables
        .values()
        .flat_map(|rows| rows.values())
        .flatten()
        .flatten()
        .copied()
        .collect();
    if !ring.is_empty()
        && ring
            .iter()
            .all(|o| o.counter_per_switch(FULL_FLUSH).is_none())
    {
        out += &format!("full flushes not measured: {}\n", why_not_counted(&ring));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::terminal::pipe_outcome;
    use crate::measure::CounterValue;
    use crate::spec::Participants;

    fn ring(p: Participants, n: u64, flush: Option<CounterValue>) -> Outcome {
        let mut o = pipe_outcome("ring", p, n, None, n, 3000.0 * n as f64);
        if let Some(f) = flush {
            o.counters.insert(FULL_FLUSH.into(), f);
        }
        o
    }

    fn measured(per_switch: f64) -> CounterValue {
        CounterValue::Measured {
            per_iteration: per_switch,
            per_switch: Some(per_switch),
            total: per_switch,
            multiplexed: false,
        }
    }

    #[test]
    fn table_has_a_row_per_n_and_both_columns() {
        let t = render(&[
            ring(Participants::Process, 8, Some(measured(1.0))),
            ring(Participants::Thread, 8, Some(measured(0.0))),
            ring(Participants::Process, 2, Some(measured(0.0))),
        ]);
        let rows: Vec<&str> = t.lines().skip(2).collect();
        assert!(
            rows[0].trim_start().starts_with("2 ") && rows[1].trim_start().starts_with("8 "),
            "{t}"
        );
        assert!(rows[1].contains("1.00") && rows[1].contains("0.00"), "{t}");
        assert!(rows[0].contains("3000"), "{t}");
        assert!(!t.contains("not measured"), "{t}");
        assert_eq!(render(&[]), "");
    }

    #[test]
    fn missing_or_refused_counter_is_a_dash_with_the_reason() {
        let refused = CounterValue::Unsupported {
            unsupported: "perf_event_paranoid is 2".into(),
        };
        let t = render(&[ring(Participants::Process, 8, Some(refused))]);
        assert!(
            t.contains("unsupported here: perf_event_paranoid is 2"),
            "{t}"
        );
        assert!(!t.contains("0.00"), "{t}");
        let t = render(&[ring(Participants::Thread, 3, None)]);
        assert!(t.contains("no tlb:tlb_flush:full counter"), "{t}");
    }
}
