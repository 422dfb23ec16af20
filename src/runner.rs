//! Choosing benchmarks by id and running them: what the CLI's `run` does.

use crate::cpus::CpuChoice;
use crate::error::{Error, Result};
use crate::harness;
use crate::measure::{measure_pingpong_with, Counting, Outcome, SampleConfig};
use crate::results::Skipped;
use crate::spec::{PingPongSpec, Placement, PINGPONG_HARNESSES, PLACEMENTS};

/// A benchmark ready to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    /// A ping-pong.
    PingPong(PingPongSpec),
}

impl Planned {
    /// Its id.
    pub fn id(&self) -> String {
        match self {
            Planned::PingPong(s) => s.id(),
        }
    }
}

/// Every benchmark id, in report order.
pub fn all_ids() -> Vec<String> {
    crate::spec::all_pingpong_ids()
}

/// True when `id` matches any of `filters` (substrings); no filter matches everything.
pub fn matches(id: &str, filters: &[String]) -> bool {
    filters.is_empty() || filters.iter().any(|f| id.contains(f.as_str()))
}

/// The benchmarks matching `filters`, with the ones that cannot run on `cpus` set aside
/// with their reason. An empty selection is an error naming the fix.
pub fn plan(filters: &[String], cpus: &CpuChoice) -> Result<(Vec<Planned>, Vec<Skipped>)> {
    let mut planned = Vec::new();
    let mut skipped = Vec::new();
    for &(p, m) in &PINGPONG_HARNESSES {
        for &k in &PLACEMENTS {
            let id = crate::spec::pingpong_id(p, m, k);
            if !matches(&id, filters) {
                continue;
            }
            match Placement::from_kind(k, cpus) {
                Ok(placement) => planned.push(Planned::PingPong(PingPongSpec {
                    participants: p,
                    mechanism: m,
                    placement,
                })),
                Err(e) => skipped.push(Skipped {
                    id,
                    reason: e.to_string(),
                }),
            }
        }
    }
    if planned.is_empty() && skipped.is_empty() {
        return Err(Error::InvalidInput(format!(
            "no benchmark id matches {}; `ctxbench list` prints the ids",
            filters
                .iter()
                .map(|f| format!("{f:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )));
    }
    Ok((planned, skipped))
}

/// Runs one planned benchmark: set up, time, count every known event, tear down.
pub fn run_one(p: &Planned, cfg: &SampleConfig) -> Result<Outcome> {
    run_one_with(p, cfg, &Counting::all())
}

/// Runs one planned benchmark, counting the events of `counting`.
pub fn run_one_with(p: &Planned, cfg: &SampleConfig, counting: &Counting) -> Result<Outcome> {
    match p {
        Planned::PingPong(spec) => {
            let mut h = harness::build(spec)?;
            measure_pingpong_with(spec, h.as_mut(), cfg, counting)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_select_by_substring() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let (p, s) = plan(&["pingpong/thread".into()], &cpus).unwrap();
        assert_eq!(p.len(), 9);
        assert!(s.is_empty());
        assert!(p.iter().all(|x| x.id().starts_with("pingpong/thread-")));
        let (p, _) = plan(&[], &cpus).unwrap();
        assert_eq!(p.len(), 15);
    }

    #[test]
    fn empty_match_is_a_usage_error() {
        let cpus = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        let e = plan(&["nothing-like-this".into()], &cpus).unwrap_err();
        assert!(
            e.is_usage() && e.to_string().contains("ctxbench list"),
            "{e}"
        );
    }

    #[test]
    fn cross_cpu_is_skipped_with_one_cpu() {
        let cpus = CpuChoice::resolve_with(Some(&[0]), &[0, 1]).unwrap();
        let (p, s) = plan(&["cross-cpu".into()], &cpus).unwrap();
        assert!(p.is_empty());
        assert_eq!(s.len(), 5);
        assert!(s[0].reason.contains("needs 2 distinct CPUs"));
    }
}
