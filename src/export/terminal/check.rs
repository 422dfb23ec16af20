//! The table of `ctxbench check`: a run against its calibrated baseline, id by id, with
//! what each check can detect, the rule that decided and the detectable change per class
//! of id.

use crate::analysis::regress::{Change, Report, Row, POWER};
use crate::export::Exporter;
use crate::units::ns_column as ns;

/// The table `ctxbench check` prints: one row per id, the notes, the rule, the
/// detectable change per class and the tally.
pub struct CheckTable;

/// `+1.9% [-6.1, +10.5]`.
fn change(r: &Row) -> String {
    r.change_pct.map_or("-".into(), |c| {
        format!("{:+.1}% [{:+.1}, {:+.1}]", c.value, c.low, c.high)
    })
}

impl Exporter for CheckTable {
    type Input = Report;
    fn render(&self, report: &Report) -> String {
        let id_w = report
            .rows
            .iter()
            .map(|r| r.id.len())
            .chain([2])
            .max()
            .unwrap_or(2);
        let ch_w = report
            .rows
            .iter()
            .map(|r| change(r).len())
            .chain([22])
            .max()
            .unwrap_or(22);
        let mut out = format!(
            "{:<id_w$}  {:>11}  {:>11}  {:<ch_w$}  {:>10}  {}\n",
            "id", "baseline ns", "current ns", "change [95% interval]", "detectable", "verdict"
        );
        for r in &report.rows {
            out += &format!(
                "{:<id_w$}  {:>11}  {:>11}  {:<ch_w$}  {:>10}  {}\n",
                r.id,
                r.baseline_ns.map_or("-".into(), ns),
                r.current.map_or("-".into(), |c| ns(c.value)),
                change(r),
                r.detectable_pct.map_or("-".into(), |d| format!("{d:.1}%")),
                r.verdict.label()
            );
        }
        for r in report.rows.iter().filter(|r| !r.note.is_empty()) {
            out += &format!("{}: {}\n", r.id, r.note);
        }
        let rule = &report.rule;
        out += &format!(
            "rule: this run against a baseline of {} runs; per id, Student's t on the run figures \
             ({} degrees of freedom), one-sided, the false-alarm rate {:.0}% per check shared over \
             the ids (p < {:.1e} each); detectable: the slowdown caught {:.0}% of the time, never \
             below the {}% threshold\n",
            report.runs,
            report.runs.saturating_sub(1),
            rule.false_alarm * 100.0,
            report.per_id_rate,
            POWER * 100.0,
            rule.threshold_pct
        );
        let classes = report.detectable_by_class();
        if !classes.is_empty() {
            let parts: Vec<String> = classes
                .iter()
                .map(|c| {
                    if c.ids == 1 {
                        format!("{} {:.1}%", c.class, c.median)
                    } else {
                        format!(
                            "{} {:.1}% (median of {}; {:.1}-{:.1}%)",
                            c.class, c.median, c.ids, c.min, c.max
                        )
                    }
                })
                .collect();
            out += &format!("detectable: {}\n", parts.join("; "));
        }
        let counted: Vec<String> = [
            Change::Regressed,
            Change::Improved,
            Change::BelowThreshold,
            Change::CannotTell,
            Change::Invalid,
            Change::TooFewRuns,
        ]
        .iter()
        .filter(|&&v| report.count(v) > 0 || matches!(v, Change::Regressed | Change::CannotTell))
        .map(|&v| format!("{} {}", report.count(v), v.label()))
        .collect();
        out += &format!("{}\n", counted.join(", "));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::regress::Rule;
    use crate::stats::bootstrap::Interval;

    fn row(id: &str, verdict: Change, note: &str) -> Row {
        Row {
            id: id.into(),
            baseline_ns: Some(4000.0),
            current: (verdict != Change::OnlyInBaseline).then_some(Interval {
                value: 4800.0,
                low: 4500.0,
                high: 5100.0,
            }),
            change_pct: Some(Interval {
                value: 20.0,
                low: 12.25,
                high: 28.0,
            }),
            detectable_pct: Some(11.5),
            verdict,
            note: note.into(),
        }
    }

    #[test]
    fn rows_notes_rule_classes_and_tally() {
        let report = Report {
            rows: vec![
                row("pingpong/thread-pipe/same-cpu", Change::Regressed, ""),
                row("floor/getppid", Change::CannotTell, ""),
                row("b", Change::OnlyInBaseline, "skipped in current: why"),
                row("c", Change::Invalid, "current invalid: 1.00 switches"),
            ],
            machine_warning: None,
            rule: Rule::default(),
            runs: 10,
            per_id_rate: 0.05 / 3.0,
        };
        let t = CheckTable.render(&report);
        let lines: Vec<&str> = t.lines().collect();
        let cells: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(
            cells,
            [
                "pingpong/thread-pipe/same-cpu",
                "4000",
                "4800",
                "+20.0%",
                "[+12.2,",
                "+28.0]",
                "11.5%",
                "regressed"
            ]
        );
        assert!(lines[3].contains("only in baseline"), "{t}");
        assert!(t.contains("b: skipped in current: why"), "{t}");
        assert!(t.contains("c: current invalid: 1.00 switches"), "{t}");
        assert!(
            t.contains("baseline of 10 runs") && t.contains("9 degrees of freedom"),
            "{t}"
        );
        assert!(t.contains("p < 1.7e-2 each"), "{t}");
        assert!(
            t.contains("detectable: same-CPU ping-pongs 11.5%; floors 11.5%; others 11.5% (median of 2; 11.5-11.5%)"),
            "{t}"
        );
        assert!(
            t.ends_with("1 regressed, 1 cannot tell, 1 invalid\n"),
            "{t}"
        );
    }
}
