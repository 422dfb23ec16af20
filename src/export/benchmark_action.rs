//! The current run as the JSON that benchmark-tracking CI actions read
//! (`customSmallerIsBetter`): `ctxbench check --output-json FILE`.

use crate::export::Exporter;
use crate::regress::samples_summary;
use crate::results::ResultsFile;

/// The `customSmallerIsBetter` JSON of a results file, pretty-printed.
pub struct BenchmarkAction;

impl Exporter for BenchmarkAction {
    type Input = ResultsFile;
    fn render(&self, current: &ResultsFile) -> String {
        serde_json::to_string_pretty(&custom_smaller_is_better(current))
            .expect("a JSON value always serialises")
    }
}

/// The current run in the `customSmallerIsBetter` JSON that benchmark-tracking CI actions
/// read: `[{"name", "unit", "value", "range", "extra"}]`, one entry per valid id.
pub fn custom_smaller_is_better(current: &ResultsFile) -> serde_json::Value {
    let entries: Vec<serde_json::Value> = current
        .results
        .iter()
        .filter_map(|o| {
            let sum = samples_summary(o)?;
            Some(serde_json::json!({
                "name": o.id,
                "unit": "ns/iter",
                "value": sum.median,
                "range": format!("± {:.1}", (sum.p75 - sum.p25) / 2.0),
                "extra": format!(
                    "median of {} samples, p25-p75 {:.1}-{:.1} ns; {}; machine {}",
                    sum.n, sum.p25, sum.p75,
                    if o.valid { "valid" } else { "INVALID" },
                    current.machine.slug()
                ),
            }))
        })
        .collect();
    serde_json::Value::Array(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmark_action_json_shape() {
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/results/machine-a.json"
        );
        let mut f = ResultsFile::load(std::path::Path::new(fixture)).unwrap();
        f.results.truncate(1);
        f.results[0].id = "pingpong/process-eventfd/same-cpu".parse().unwrap();
        f.results[0].samples_ns_per_iteration = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let v = custom_smaller_is_better(&f);
        let e = &v[0];
        assert_eq!(e["name"], "pingpong/process-eventfd/same-cpu");
        assert_eq!(e["unit"], "ns/iter");
        assert_eq!(e["value"], 3.0);
        assert_eq!(e["range"], "± 1.0");
        assert!(e["extra"].as_str().unwrap().contains("5 samples"));
        assert_eq!(
            BenchmarkAction.render(&f),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}
