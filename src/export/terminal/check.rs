//! The tables of `ctxbench check`: a run against its calibrated baseline, id by id, with
//! what each check can detect, the rule that decided and the detectable change per class
//! of id ([`CheckTable`]); and what `check --calibrate` measured of every id's noise
//! ([`CalibrationTable`]).

use crate::export::Exporter;
use crate::regress::{reference_id, Calibration, Change, Report, Row, Rule, MIN_RUNS, POWER};
use crate::units::ns_column as ns;

/// The table `ctxbench check` prints: one row per id, the notes, the rule, the
/// detectable change per class and the tally.
pub struct CheckTable;

/// A detectable change: `12.4%`, `153%` (whole from 100% up).
fn detectable(d: f64) -> String {
    if d < 100.0 {
        format!("{d:.1}%")
    } else {
        format!("{d:.0}%")
    }
}

/// The width of a column of ids: the longest, at least 2.
fn id_width<'a>(ids: impl Iterator<Item = &'a String>) -> usize {
    ids.map(String::len).max().unwrap_or(0).max(2)
}

/// `+1.9% [-6.1, +10.5]`, and `*` where it is the change of a ratio to a reference.
fn change(r: &Row) -> String {
    r.change_pct.map_or("-".into(), |c| {
        let over = if r.over.is_some() { " *" } else { "" };
        format!("{:+.1}% [{:+.1}, {:+.1}]{over}", c.value, c.low, c.high)
    })
}

impl Exporter for CheckTable {
    type Input = Report;
    fn render(&self, report: &Report) -> String {
        let id_w = id_width(report.rows.iter().map(|r| &r.id));
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
             below the {}% threshold; *: the change of its time over its reference's in the \
             same rounds ({} beside the switch comparison, else the comparison's first id), \
             the figure it is judged on\n",
            report.runs,
            report.runs.saturating_sub(1),
            rule.false_alarm * 100.0,
            report.per_id_rate,
            POWER * 100.0,
            rule.threshold_pct,
            reference_id()
        );
        let classes = report.detectable_by_class();
        if !classes.is_empty() {
            let parts: Vec<String> = classes
                .iter()
                .map(|c| {
                    if c.ids == 1 {
                        format!("{} {}", c.class, detectable(c.median))
                    } else {
                        format!(
                            "{} {} (median of {}; {} to {})",
                            c.class,
                            detectable(c.median),
                            c.ids,
                            detectable(c.min),
                            detectable(c.max)
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

/// What `ctxbench check --calibrate` prints: per id, the runs, the baseline, its spread
/// between runs and between set-ups, the spread of its ratio to the reference where it
/// has one, and what a check (a run like the baseline's, every id checked at the rule's
/// rate) can detect.
pub struct CalibrationTable(pub Rule);

impl Exporter for CalibrationTable {
    type Input = Calibration;
    fn render(&self, cal: &Calibration) -> String {
        let w = id_width(cal.noise.iter().map(|n| &n.id));
        let ids = cal.noise.len();
        let mut out = format!(
            "{:<w$}  {:>4}  {:>11}  {:>12}  {:>15}  {:>13}  {:>10}\n",
            "id",
            "runs",
            "baseline ns",
            "between runs",
            "between set-ups",
            "ratio to ref.",
            "detectable"
        );
        for n in &cal.noise {
            out += &format!(
                "{:<w$}  {:>4}  {:>11}  {:>11.1}%  {:>14.1}%  {:>13}  {:>10}\n",
                n.id,
                n.absolute.runs,
                ns(n.ns()),
                n.absolute.run_sd * 100.0,
                n.absolute.setup_sd * 100.0,
                n.relative
                    .as_ref()
                    .map_or("-".into(), |r| format!("{:.1}%", r.run_sd * 100.0)),
                if n.judged().runs >= MIN_RUNS {
                    detectable(n.detectable_pct(ids, &self.0))
                } else {
                    "-".into()
                }
            );
        }
        out += &format!(
            "between runs, between set-ups: standard deviations of ln(ns), about the share of \
             the time a run, a set-up moves by; ratio to ref.: between runs, of the time over \
             its reference's in the same rounds ({} beside the switch comparison, else the \
             comparison's first id), given and judged where it spreads less than the time; \
             detectable: the slowdown a check catches {:.0}% of the time (with {MIN_RUNS} \
             runs or more)\n",
            reference_id(),
            POWER * 100.0
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::Rule;
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
            over: None,
            detectable_pct: Some(11.5),
            verdict,
            note: note.into(),
        }
    }

    #[test]
    fn rows_notes_rule_classes_and_tally() {
        let mut report = Report {
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
        // The null call's row judged over a reference (as another id would be): starred.
        report.rows[1].over = Some("x".into());
        let t = CheckTable.render(&report);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[2].contains("+28.0] *"), "{t}");
        assert!(
            t.contains("*: the change of its time over its reference's"),
            "{t}"
        );
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
            t.contains("detectable: same-CPU ping-pongs 11.5%; floors 11.5%; others 11.5% (median of 2; 11.5% to 11.5%)"),
            "{t}"
        );
        assert!(
            t.ends_with("1 regressed, 1 cannot tell, 1 invalid\n"),
            "{t}"
        );
    }

    #[test]
    fn the_calibration_table_shows_each_spread_and_what_a_check_detects() {
        use crate::regress::{Noise, RunNoise};
        let spread = |runs, run_sd| RunNoise {
            runs,
            centre: 4800f64.ln(),
            run_sd,
            setup_sd: 0.02,
            setups: 8.0,
        };
        let cal = Calibration {
            schema_version: 1,
            created_unix: 0,
            machine: Default::default(),
            mode: crate::spec::Mode::Quick,
            filters: vec![],
            runs: (0..10).map(|i| format!("runs/{i}.json")).collect(),
            span_s: 3000,
            noise: vec![
                Noise {
                    id: "pingpong/thread-futex/same-cpu".into(),
                    absolute: spread(10, 0.08),
                    reference: Some(reference_id().to_string()),
                    relative: Some(spread(10, 0.03)),
                },
                Noise {
                    id: "floor/getppid".into(),
                    absolute: spread(3, 0.05),
                    reference: None,
                    relative: None,
                },
            ],
        };
        let t = CalibrationTable(Rule::default()).render(&cal);
        let rows: Vec<Vec<&str>> = t.lines().map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(
            rows[1][..6],
            [
                "pingpong/thread-futex/same-cpu",
                "10",
                "4800",
                "8.0%",
                "2.0%",
                "3.0%"
            ]
        );
        // Judged on the ratio: what it detects follows the ratio's spread.
        let d: f64 = rows[1][6].trim_end_matches('%').parse().unwrap();
        assert!(d > 5.0 && d < 30.0, "{t}");
        // Too few runs to judge: no detectable change.
        assert_eq!(rows[2][1..], ["3", "4800", "5.0%", "2.0%", "-", "-"]);
        assert!(
            t.contains("(floor/getppid beside the switch comparison"),
            "{t}"
        );
    }
}
