//! The table of `ctxbench check`: a run against its baseline, id by id, with the rule
//! that decided.

use crate::analysis::regress::{Change, Report, ALPHA};
use crate::export::Exporter;
use crate::units::ns_column as ns;

/// The table `ctxbench check` prints: one row per id, the notes, and the rule with its
/// tally.
pub struct CheckTable;

impl Exporter for CheckTable {
    type Input = Report;
    fn render(&self, report: &Report) -> String {
        let threshold_pct = report.threshold_pct;
        let id_w = report
            .rows
            .iter()
            .map(|r| r.id.len())
            .chain([2])
            .max()
            .unwrap_or(2);
        let mut out = format!(
            "{:<id_w$}  {:>12}  {:>12}  {:>8}  {:>8}  {}\n",
            "id", "baseline ns", "current ns", "change", "p", "verdict"
        );
        for r in &report.rows {
            out += &format!(
                "{:<id_w$}  {:>12}  {:>12}  {:>8}  {:>8}  {}\n",
                r.id,
                r.baseline_median.map_or("-".into(), ns),
                r.current_median.map_or("-".into(), ns),
                r.change_pct.map_or("-".into(), |c| format!("{c:+.1}%")),
                r.p_value.map_or("-".into(), |p| {
                    if p < 1e-4 {
                        "<1e-4".into()
                    } else {
                        format!("{p:.4}")
                    }
                }),
                r.verdict.label()
            );
        }
        for r in report.rows.iter().filter(|r| !r.note.is_empty()) {
            out += &format!("{}: {}\n", r.id, r.note);
        }
        let count = |v| report.rows.iter().filter(|r| r.verdict == v).count();
        out += &format!(
        "rule: one-sided Mann-Whitney U at p < {ALPHA} and median change beyond {threshold_pct}%; \
         {} regressed, {} improved, {} unchanged, {} invalid\n",
        count(Change::Regressed),
        count(Change::Improved),
        count(Change::Unchanged),
        count(Change::Invalid)
    );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::regress::Comparison;

    fn row(id: &str, verdict: Change, note: &str) -> Comparison {
        Comparison {
            id: id.into(),
            baseline_median: Some(4000.0),
            current_median: (verdict != Change::OnlyInBaseline).then_some(4800.0),
            change_pct: Some(20.0),
            p_value: Some(0.00001),
            verdict,
            note: note.into(),
        }
    }

    #[test]
    fn rows_notes_and_tally() {
        let report = Report {
            rows: vec![
                row("pingpong/a/same-cpu", Change::Regressed, ""),
                row("b", Change::OnlyInBaseline, "skipped in current: why"),
                row("c", Change::Invalid, "current invalid: 1.00 switches"),
            ],
            machine_warning: None,
            threshold_pct: 5.0,
        };
        let t = CheckTable.render(&report);
        let lines: Vec<&str> = t.lines().collect();
        let cells: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(
            cells,
            [
                "pingpong/a/same-cpu",
                "4000",
                "4800",
                "+20.0%",
                "<1e-4",
                "regressed"
            ]
        );
        assert!(
            lines[2].contains("only in baseline") && lines[2].contains("  -  "),
            "{t}"
        );
        assert!(t.contains("b: skipped in current: why"), "{t}");
        assert!(t.contains("c: current invalid: 1.00 switches"), "{t}");
        assert!(
            t.ends_with("beyond 5%; 1 regressed, 0 improved, 0 unchanged, 1 invalid\n"),
            "{t}"
        );
    }
}
