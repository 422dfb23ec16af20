//! The wake-up latency table: for the cross-CPU and unpinned ping-pongs, percentiles of
//! single round trips from their tails pass (see [`crate::measure::tails`]), next to the
//! median of batch means the timing table gives.

use crate::measure::tails::COLUMNS;
use crate::measure::Outcome;

/// Renders the outcomes that carry latency percentiles; empty when none does.
pub fn render(outcomes: &[Outcome]) -> String {
    let rows: Vec<_> = outcomes
        .iter()
        .filter_map(|o| o.latency.map(|l| (o, l)))
        .collect();
    let Some(id_w) = rows.iter().map(|(o, _)| o.id.to_string().len()).max() else {
        return String::new();
    };
    let mut out = String::from(
        "wake-up latency off one CPU: single round trips timed one by one, ns \
         (batch: the median of the timed batches)\n",
    );
    out += &format!("{:<id_w$}  {:>11}", "id", "round trips");
    for name in COLUMNS {
        out += &format!("  {name:>8}");
    }
    out += &format!("  {:>8}\n", "batch");
    for (o, l) in rows {
        out += &format!("{:<id_w$}  {:>11}", o.id, l.round_trips);
        for v in l.values() {
            out += &format!("  {v:>8}");
        }
        out += &format!(
            "  {:>8}\n",
            crate::units::ns_column(o.ns_per_iteration.median)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::terminal::pipe_outcome;
    use crate::measure::tails::EXAMPLE;
    use crate::spec::Participants;

    #[test]
    fn a_row_per_outcome_with_percentiles() {
        let mut cross = pipe_outcome("pingpong", Participants::Process, 1, None, 2, 52_000.0);
        cross.id = "pingpong/process-pipe/cross-cpu".parse().unwrap();
        cross.latency = Some(EXAMPLE);
        let same = pipe_outcome("pingpong", Participants::Thread, 1, None, 2, 5_000.0);
        let t = render(&[same.clone(), cross]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert!(
            lines[1].contains("p99.9") && lines[1].contains("batch"),
            "{t}"
        );
        assert!(
            lines[2].starts_with("pingpong/process-pipe/cross-cpu"),
            "{t}"
        );
        for v in [
            "20000", "51200", "60100", "81000", "140000", "2310000", "52000",
        ] {
            assert!(lines[2].contains(v), "{v} missing: {t}");
        }
        assert_eq!(render(&[same]), "", "same-cpu outcomes have no tails");
    }
}
