//! A check's current run in the Bencher Metric Format (BMF), `ctxbench check --bmf FILE`:
//! per id, a `latency` measure (ns per iteration) whose `lower_value` and `upper_value`
//! are the 95% interval a run of unchanged code falls in on this machine, from the
//! calibrated baseline's noise between runs (see [`crate::regress`]).
//!
//! ```json
//! { "pingpong/thread-futex/same-cpu": { "latency": { "value": 4810.0, "lower_value": 4490.0, "upper_value": 5150.0 } } }
//! ```
//!
//! The format: <https://bencher.dev/docs/reference/bencher-metric-format>.

use serde_json::{json, Map, Value};

use crate::export::Exporter;
use crate::regress::Report;

/// The Bencher measure every id reports: Bencher's built-in latency, in nanoseconds.
pub const MEASURE: &str = "latency";

/// The BMF JSON of a check, pretty-printed.
pub struct Bmf;

impl Exporter for Bmf {
    type Input = Report;
    fn render(&self, report: &Report) -> String {
        serde_json::to_string_pretty(&bmf(report)).expect("a JSON value always serialises")
    }
}

/// The BMF object of a check: one benchmark per id the current run measured validly.
pub fn bmf(report: &Report) -> Value {
    let mut out = Map::new();
    for r in &report.rows {
        let Some(c) = r.current else { continue };
        let mut measure = Map::new();
        measure.insert("value".into(), json!(c.value));
        if c.low < c.high {
            measure.insert("lower_value".into(), json!(c.low));
            measure.insert("upper_value".into(), json!(c.high));
        }
        out.insert(r.id.clone(), json!({ MEASURE: measure }));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::{Change, Row, Rule};
    use crate::stats::bootstrap::Interval;

    fn row(id: &str, current: Option<Interval>, verdict: Change) -> Row {
        Row {
            id: id.into(),
            baseline_ns: Some(100.0),
            current,
            change_pct: None,
            over: None,
            detectable_pct: None,
            verdict,
            note: String::new(),
        }
    }

    #[test]
    fn bmf_shape() {
        let report = Report {
            rows: vec![
                row(
                    "pingpong/thread-futex/same-cpu",
                    Some(Interval {
                        value: 4810.0,
                        low: 4490.0,
                        high: 5150.0,
                    }),
                    Change::CannotTell,
                ),
                row("floor/getppid", None, Change::OnlyInBaseline),
                row(
                    "spawn/thread",
                    Some(Interval {
                        value: 9.0,
                        low: 9.0,
                        high: 9.0,
                    }),
                    Change::OnlyInCurrent,
                ),
            ],
            machine_warning: None,
            rule: Rule::default(),
            runs: 10,
            per_id_rate: 0.01,
        };
        let v: Value = serde_json::from_str(&Bmf.render(&report)).unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(o.len(), 2, "{v}");
        let m = &v["pingpong/thread-futex/same-cpu"]["latency"];
        assert_eq!(m["value"], 4810.0);
        assert_eq!(m["lower_value"], 4490.0);
        assert_eq!(m["upper_value"], 5150.0);
        // No interval, no bounds: `value` alone is valid BMF.
        let lone = v["spawn/thread"]["latency"].as_object().unwrap();
        assert_eq!(lone.keys().collect::<Vec<_>>(), ["value"]);
        for (_, bench) in o {
            for (_, measure) in bench.as_object().unwrap() {
                assert!(measure["value"].is_number());
            }
        }
    }
}
