//! One column of a comparison: a results file's or a criterion directory's benchmarks,
//! with the machine they ran on.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::analysis::claims::{ClaimVerdict, VerdictKind};
use crate::analysis::spread::{stability, Stability};
use crate::fingerprint::Fingerprint;
use crate::measure::{CounterValue, Latency, Outcome};
use crate::results::Skipped;
use crate::spec::BenchId;
use crate::stats::Summary;

/// What a report says about criterion output.
pub const CRITERION_NOTE: &str = "Criterion output carries no machine fingerprint and no \
    validity check; its values are in the unit of its measurement (ns for timing groups, \
    events for counter groups).";

/// Where a run came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A ctxbench results file.
    ResultsFile,
    /// A criterion output directory (`target/criterion`): no machine fingerprint.
    Criterion,
}

/// One benchmark's numbers in a run, whatever produced them.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The id, e.g. `pingpong/process-pipe/same-cpu`.
    pub id: BenchId,
    /// Summary of the samples in ns per iteration (round trip, lap, spawn, call).
    pub summary: Summary,
    /// False when the run judged the result invalid.
    pub valid: bool,
    /// The run's reason for its validity verdict.
    pub validity: String,
    /// ns per switch where the run gave one.
    pub ns_per_switch: Option<f64>,
    /// Context switches per iteration, where counted.
    pub switches_per_iter: Option<f64>,
    /// Counter readings by event name.
    pub counters: BTreeMap<String, CounterValue>,
    /// How the samples spread: an unstable result is drawn as its range.
    pub stability: Stability,
    /// Working sets: what the switch costs beyond the direct cost, ns per switch.
    pub indirect_ns_per_switch: Option<f64>,
    /// The outcome's secondary figures by name (empty for criterion output).
    pub extra: BTreeMap<String, f64>,
    /// Percentiles of single round trips, where the run timed them (cross-CPU and
    /// unpinned ping-pongs).
    pub latency: Option<Latency>,
}

impl Entry {
    /// The entry of a results-file outcome (its summary recomputed from the kept samples
    /// when there are any, so a report always shows what the samples say).
    pub fn from_outcome(o: &Outcome) -> Self {
        let summary = Summary::of(&o.samples_ns_per_iteration).unwrap_or(o.ns_per_iteration);
        Entry {
            id: o.id,
            summary,
            valid: o.valid,
            validity: o.validity.clone(),
            ns_per_switch: o.ns_per_switch,
            switches_per_iter: Some(o.switches_per_iteration),
            counters: o.counters.clone(),
            stability: stability(&o.samples_ns_per_iteration),
            indirect_ns_per_switch: o.indirect_ns_per_switch,
            extra: o.extra.clone(),
            latency: o.latency,
        }
    }
}

/// One column of a comparison: a results file, or one criterion directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// A short unique name for legends and column heads.
    pub label: String,
    /// The file or directory it was read from.
    pub source: PathBuf,
    /// What kind of input it was.
    pub kind: SourceKind,
    /// The machine (all "unknown" for criterion output).
    pub machine: Fingerprint,
    /// `quick`, `full`, or `criterion`.
    pub mode: String,
    /// When the run ended, if known.
    pub created_unix: Option<u64>,
    /// The benchmarks, in the run's order.
    pub entries: Vec<Entry>,
    /// The outcomes of a results file, as written (empty for criterion output): what the
    /// headline figures are computed from.
    pub outcomes: Vec<Outcome>,
    /// Benchmarks the run skipped, with the reason.
    pub skipped: Vec<Skipped>,
    /// The run's verdicts on textbook claims, as found in the file (objects with
    /// `claim`, `verdict` and `evidence` strings, where present).
    pub verdicts: Vec<serde_json::Value>,
    /// Who the kernel let read whose memory, where the run probed it.
    pub permissions: Option<crate::measure::permissions::Permissions>,
    /// Where the time of one switch went, part by part: the file's, or what an older
    /// file's outcomes give (empty for criterion output).
    pub anatomy: crate::analysis::anatomy::Anatomy,
}

impl Run {
    /// The entry with this id.
    pub fn entry(&self, id: BenchId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// What the run judged invalid, then what it skipped, in the run's order.
    pub fn problems(&self) -> impl Iterator<Item = Problem<'_>> {
        let invalid = self
            .entries
            .iter()
            .filter(|e| !e.valid)
            .map(|e| Problem::Invalid {
                id: e.id.to_string(),
                why: &e.validity,
            });
        let skipped = self.skipped.iter().map(|s| Problem::Skipped {
            id: s.id.clone(),
            why: &s.reason,
        });
        invalid.chain(skipped)
    }

    /// The run's verdicts, typed (a field a verdict lacks reads as empty).
    pub fn claim_verdicts(&self) -> Vec<ClaimVerdict> {
        self.verdicts
            .iter()
            .map(|v| {
                serde_json::from_value(v.clone()).unwrap_or_else(|_| ClaimVerdict {
                    claim: verdict_field(v, "claim").unwrap_or_default().to_string(),
                    verdict: VerdictKind::default(),
                    evidence: verdict_field(v, "evidence").unwrap_or_default().to_string(),
                    margin: None,
                    figures: Vec::new(),
                })
            })
            .collect()
    }

    /// The run's verdicts on the claims as `[claim, verdict, evidence]`, `-` for a field
    /// a verdict lacks.
    pub fn verdict_rows(&self) -> impl Iterator<Item = [&str; 3]> {
        self.verdicts
            .iter()
            .map(|v| ["claim", "verdict", "evidence"].map(|k| verdict_field(v, k).unwrap_or("-")))
    }
}

/// A verdict object's string field, if present.
fn verdict_field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|x| x.as_str())
}

/// Something a run does not show a number for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem<'a> {
    /// The run judged this id invalid, for this reason.
    Invalid {
        /// The benchmark id.
        id: String,
        /// The run's reason.
        why: &'a str,
    },
    /// The run skipped this id, for this reason.
    Skipped {
        /// The benchmark id (or what was asked for, e.g. `topology/*`).
        id: String,
        /// Why the run skipped it.
        why: &'a str,
    },
}
