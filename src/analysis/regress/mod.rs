//! The regression rule: is the current run slower than the baseline, beyond noise?
//!
//! Id by id, over the kept samples (nanoseconds per iteration), a change counts only when
//! both hold:
//! - a one-sided Mann-Whitney U test says the current samples are larger (or smaller)
//!   than the baseline's at significance [`ALPHA`]: the shift is not noise, and
//! - the medians differ by more than the threshold (5% by default): the shift matters.
//!
//! The rank test makes no assumption about the shape of the noise (switch timings have
//! long right tails from interrupts and preemption), and the effect-size floor keeps a
//! real but tiny shift on a quiet machine from failing CI.

use std::collections::BTreeMap;

use crate::fingerprint::Fingerprint;
use crate::measure::Outcome;
use crate::stats::Summary;

mod mann_whitney;
pub mod student;

pub use mann_whitney::{mann_whitney, normal_cdf, MannWhitney};

/// The significance level of the rank test.
pub const ALPHA: f64 = 0.01;

/// The default minimum median change, in percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 5.0;

/// What the rule concluded for one id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Slower beyond noise and beyond the threshold.
    Regressed,
    /// Faster beyond noise and beyond the threshold.
    Improved,
    /// Within noise or within the threshold.
    Unchanged,
    /// One side (or both) was marked invalid by its run: reported, not compared.
    Invalid,
    /// Too few samples on a side for the test to say anything.
    TooFewSamples,
    /// In the baseline only.
    OnlyInBaseline,
    /// In the current run only.
    OnlyInCurrent,
}

impl Change {
    /// How the table prints it.
    pub fn label(self) -> &'static str {
        match self {
            Change::Regressed => "regressed",
            Change::Improved => "improved",
            Change::Unchanged => "unchanged",
            Change::Invalid => "invalid",
            Change::TooFewSamples => "too few samples",
            Change::OnlyInBaseline => "only in baseline",
            Change::OnlyInCurrent => "only in current",
        }
    }
}

/// The comparison of one id.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The benchmark id.
    pub id: String,
    /// Median of the baseline samples (ns per iteration).
    pub baseline_median: Option<f64>,
    /// Median of the current samples.
    pub current_median: Option<f64>,
    /// Median change in percent (positive: slower).
    pub change_pct: Option<f64>,
    /// The p-value of the direction the medians moved in.
    pub p_value: Option<f64>,
    /// The conclusion.
    pub verdict: Change,
    /// Anything the reader should know (why invalid, a summary that disagrees with the
    /// samples, ...).
    pub note: String,
}

/// The smallest sample count per side the rule tests; below it a verdict is
/// [`Change::TooFewSamples`] (five against five cannot reach p < 0.01).
pub const MIN_SAMPLES: usize = 6;

/// The samples of an outcome, and a note when the stored summary disagrees with them (the
/// file was edited by hand or by another tool).
fn samples_of(o: &Outcome) -> (Vec<f64>, Option<String>) {
    let s: Vec<f64> = o
        .samples_ns_per_round_trip
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let note = Summary::of(&s).and_then(|sum| {
        let stored = o.ns_per_round_trip.median;
        let off = (stored - sum.median).abs() / sum.median.abs().max(1e-9);
        (stored.is_finite() && off > 0.005).then(|| {
            format!(
                "stored median {stored:.1} disagrees with its samples' median {:.1}",
                sum.median
            )
        })
    });
    (s, note)
}

/// The summary of an outcome's kept samples (those that are numbers), which the rule
/// and the exports go by rather than the stored summary.
pub fn samples_summary(o: &Outcome) -> Option<Summary> {
    Summary::of(&samples_of(o).0)
}

/// Compares one id's baseline and current outcomes with `threshold_pct`.
pub fn compare_outcomes(base: &Outcome, cur: &Outcome, threshold_pct: f64) -> Comparison {
    let (bs, bnote) = samples_of(base);
    let (cs, cnote) = samples_of(cur);
    let bm = Summary::of(&bs).map(|s| s.median);
    let cm = Summary::of(&cs).map(|s| s.median);
    let change = match (bm, cm) {
        (Some(b), Some(c)) if b > 0.0 => Some((c - b) / b * 100.0),
        _ => None,
    };
    let mut notes = Vec::new();
    for (side, o) in [("baseline", base), ("current", cur)] {
        if !o.valid {
            notes.push(format!("{side} invalid: {}", o.validity));
        }
    }
    if let Some(n) = &bnote {
        notes.push(format!("baseline {n}"));
    }
    if let Some(n) = &cnote {
        notes.push(format!("current {n}"));
    }
    let mut out = Comparison {
        id: cur.id.clone(),
        baseline_median: bm,
        current_median: cm,
        change_pct: change,
        p_value: None,
        verdict: Change::Unchanged,
        note: String::new(),
    };
    if !base.valid || !cur.valid {
        out.verdict = Change::Invalid;
    } else if bs.len() < MIN_SAMPLES || cs.len() < MIN_SAMPLES {
        out.verdict = Change::TooFewSamples;
        notes.push(format!(
            "{} baseline and {} current samples; the test needs {MIN_SAMPLES} a side",
            bs.len(),
            cs.len()
        ));
    } else if let (Some(t), Some(ch)) = (mann_whitney(&cs, &bs), change) {
        let slower = ch > 0.0;
        let p = if slower { t.p_greater } else { t.p_less };
        out.p_value = Some(p);
        out.verdict = if p < ALPHA && ch > threshold_pct {
            Change::Regressed
        } else if p < ALPHA && ch < -threshold_pct {
            Change::Improved
        } else {
            Change::Unchanged
        };
    }
    // A file whose summary disagrees with its samples was edited: the samples decide, but
    // a change the stored medians show beyond the threshold is not waved through.
    if matches!(out.verdict, Change::Unchanged) && (bnote.is_some() || cnote.is_some()) {
        let (b, c) = (base.ns_per_round_trip.median, cur.ns_per_round_trip.median);
        if b.is_finite() && c.is_finite() && b > 0.0 {
            let stored_change = (c - b) / b * 100.0;
            if stored_change > threshold_pct {
                out.verdict = Change::Regressed;
                notes.push(format!("stored medians changed {stored_change:+.1}%"));
            } else if stored_change < -threshold_pct {
                out.verdict = Change::Improved;
                notes.push(format!("stored medians changed {stored_change:+.1}%"));
            }
        }
    }
    out.note = notes.join("; ");
    out
}

/// One side of a comparison: what the rule reads of a results file.
#[derive(Debug, Clone, PartialEq)]
pub struct Side<'a> {
    /// The outcomes, in the run's order.
    pub outcomes: &'a [Outcome],
    /// The machine the run was taken on.
    pub machine: &'a Fingerprint,
    /// The ids the run skipped, each with why.
    pub skipped: Vec<(&'a str, &'a str)>,
}

impl<'a> Side<'a> {
    /// A side of `outcomes` taken on `machine`, with the (id, reason) of what it skipped.
    pub fn new(
        outcomes: &'a [Outcome],
        machine: &'a Fingerprint,
        skipped: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        Side {
            outcomes,
            machine,
            skipped: skipped.into_iter().collect(),
        }
    }
}

/// The comparison of two whole runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// One row per id, baseline order first, then ids only in the current run.
    pub rows: Vec<Comparison>,
    /// Set when the two files come from different machines: a loud warning, not a
    /// regression.
    pub machine_warning: Option<String>,
    /// The smallest median change, in percent, that counted.
    pub threshold_pct: f64,
}

impl Report {
    /// True when any id regressed.
    pub fn regressed(&self) -> bool {
        self.rows.iter().any(|r| r.verdict == Change::Regressed)
    }
}

/// Says how two fingerprints differ in what matters for timings, if they do.
pub fn machine_difference(base: &Fingerprint, cur: &Fingerprint) -> Option<String> {
    let mut diffs = Vec::new();
    let mut field = |name: &str, a: &str, b: &str| {
        if a != b {
            diffs.push(format!("{name} {a:?} vs {b:?}"));
        }
    };
    field("CPU", &base.cpu_model, &cur.cpu_model);
    field("host", &base.hostname, &cur.hostname);
    field("microcode", &base.microcode, &cur.microcode);
    field("kernel", &base.kernel_release, &cur.kernel_release);
    if diffs.is_empty() {
        None
    } else {
        Some(format!(
            "baseline and current come from different machines or setups ({}): timings differ \
             between machines, so a change here is not a regression of the code",
            diffs.join(", ")
        ))
    }
}

/// Compares `current` against `baseline` id by id.
pub fn compare_runs(baseline: &Side, current: &Side, threshold_pct: f64) -> Report {
    let cur_by_id: BTreeMap<&str, &Outcome> = current
        .outcomes
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let base_ids: std::collections::BTreeSet<&str> =
        baseline.outcomes.iter().map(|o| o.id.as_str()).collect();
    let mut rows = Vec::new();
    let lone = |o: &Outcome, verdict| {
        let m = samples_summary(o).map(|s| s.median);
        Comparison {
            id: o.id.clone(),
            baseline_median: if verdict == Change::OnlyInBaseline {
                m
            } else {
                None
            },
            current_median: if verdict == Change::OnlyInCurrent {
                m
            } else {
                None
            },
            change_pct: None,
            p_value: None,
            verdict,
            note: String::new(),
        }
    };
    for b in baseline.outcomes {
        match cur_by_id.get(b.id.as_str()) {
            Some(c) => rows.push(compare_outcomes(b, c, threshold_pct)),
            None => {
                let mut row = lone(b, Change::OnlyInBaseline);
                if let Some((_, why)) = current.skipped.iter().find(|(id, _)| *id == b.id) {
                    row.note = format!("skipped in current: {why}");
                }
                rows.push(row);
            }
        }
    }
    for c in current.outcomes {
        if !base_ids.contains(c.id.as_str()) {
            rows.push(lone(c, Change::OnlyInCurrent));
        }
    }
    Report {
        rows,
        machine_warning: machine_difference(baseline.machine, current.machine),
        threshold_pct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ResultsFile;

    fn outcome(id: &str, samples: Vec<f64>) -> Outcome {
        let spec = crate::spec::PingPongSpec {
            participants: crate::spec::Participants::Process,
            mechanism: crate::spec::Mechanism::Pipe,
            placement: crate::spec::Placement::SameCpu(0),
        };
        let mut o = crate::measure::pingpong_outcome(
            &spec,
            Some(2.0),
            crate::measure::Samples {
                iters_per_sample: 100,
                ns_per_iter: samples,
            },
            crate::measure::SwitchCount {
                iters: 1,
                voluntary: 2,
                involuntary: 0,
                per_iter: 2.0,
            },
        );
        o.id = id.into();
        o
    }

    /// Fifteen samples around `centre` with a deterministic ±4% spread.
    fn noisy(centre: f64, seed: u64) -> Vec<f64> {
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (0..15)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let u = (state >> 11) as f64 / (1u64 << 53) as f64; // 0..1
                centre * (0.96 + 0.08 * u)
            })
            .collect()
    }

    fn file(outcomes: Vec<Outcome>) -> ResultsFile {
        ResultsFile::new("quick", outcomes, vec![])
    }

    fn side(f: &ResultsFile) -> Side<'_> {
        let skipped = f.skipped.iter().map(|s| (s.id.as_str(), s.reason.as_str()));
        Side::new(&f.results, &f.machine, skipped)
    }

    fn compare_files(base: &ResultsFile, cur: &ResultsFile, threshold_pct: f64) -> Report {
        compare_runs(&side(base), &side(cur), threshold_pct)
    }

    #[test]
    fn injected_twenty_percent_is_flagged_and_only_that() {
        let base = file(vec![
            outcome("pingpong/a/same-cpu", noisy(4000.0, 1)),
            outcome("pingpong/b/same-cpu", noisy(9000.0, 2)),
        ]);
        let mut cur = base.clone();
        for v in &mut cur.results[1].samples_ns_per_round_trip {
            *v *= 1.2;
        }
        cur.results[1].ns_per_round_trip =
            Summary::of(&cur.results[1].samples_ns_per_round_trip).unwrap();
        let r = compare_files(&base, &cur, DEFAULT_THRESHOLD_PCT);
        assert!(r.regressed());
        assert_eq!(r.rows[0].verdict, Change::Unchanged);
        assert_eq!(r.rows[1].verdict, Change::Regressed);
        assert!((r.rows[1].change_pct.unwrap() - 20.0).abs() < 1e-6);
        assert!(r.machine_warning.is_none());
        // The other way round it is an improvement, not a regression.
        let back = compare_files(&cur, &base, DEFAULT_THRESHOLD_PCT);
        assert!(!back.regressed());
        assert_eq!(back.rows[1].verdict, Change::Improved);
    }

    #[test]
    fn identical_and_noise_within_spread_pass() {
        let base = file(vec![outcome("x", noisy(4000.0, 1))]);
        let same = compare_files(&base, &base, DEFAULT_THRESHOLD_PCT);
        assert_eq!(same.rows[0].verdict, Change::Unchanged);
        assert_eq!(same.rows[0].change_pct, Some(0.0));
        // Fresh noise from the same distribution, for many seeds.
        for seed in 2..40 {
            let cur = file(vec![outcome("x", noisy(4000.0, seed))]);
            let r = compare_files(&base, &cur, DEFAULT_THRESHOLD_PCT);
            assert_eq!(r.rows[0].verdict, Change::Unchanged, "seed {seed}");
        }
        // A significant but small shift (+2%) is below the threshold.
        let cur = file(vec![outcome(
            "x",
            noisy(4000.0, 1).iter().map(|v| v * 1.02).collect(),
        )]);
        let r = compare_files(&base, &cur, DEFAULT_THRESHOLD_PCT);
        assert_eq!(r.rows[0].verdict, Change::Unchanged);
    }

    #[test]
    fn big_median_shift_inside_wide_noise_is_not_flagged() {
        // Two samples of a bimodal benchmark: medians 25% apart by the luck of the draw,
        // but the distributions overlap completely.
        let base = file(vec![outcome(
            "x",
            vec![
                100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 200.0, 200.0, 200.0, 200.0, 200.0,
                200.0,
            ],
        )]);
        let cur = file(vec![outcome(
            "x",
            vec![
                100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 200.0, 200.0, 200.0, 200.0, 200.0, 200.0,
                200.0,
            ],
        )]);
        let r = compare_files(&base, &cur, DEFAULT_THRESHOLD_PCT);
        assert!(r.rows[0].change_pct.unwrap() > 20.0);
        assert_eq!(r.rows[0].verdict, Change::Unchanged);
    }

    #[test]
    fn lone_ids_invalid_and_different_machines() {
        let mut base = file(vec![
            outcome("a", noisy(10.0, 1)),
            outcome("b", noisy(10.0, 1)),
        ]);
        let mut cur = file(vec![
            outcome("a", noisy(10.0, 1)),
            outcome("c", noisy(10.0, 1)),
        ]);
        cur.results[0].valid = false;
        cur.results[0].validity = "invalid: 1.00 switches per round trip".into();
        base.machine.cpu_model = "CPU One".into();
        cur.machine.cpu_model = "CPU Two".into();
        let r = compare_files(&base, &cur, 5.0);
        let verdicts: Vec<_> = r.rows.iter().map(|r| (r.id.as_str(), r.verdict)).collect();
        assert_eq!(
            verdicts,
            [
                ("a", Change::Invalid),
                ("b", Change::OnlyInBaseline),
                ("c", Change::OnlyInCurrent)
            ]
        );
        assert!(r.rows[0].note.contains("1.00 switches"));
        assert!(!r.regressed());
        let w = r.machine_warning.clone().unwrap();
        assert!(
            w.contains("CPU One") && w.contains("not a regression"),
            "{w}"
        );
    }

    #[test]
    fn an_id_skipped_in_current_says_why() {
        let base = file(vec![outcome("a", noisy(10.0, 1))]);
        let mut cur = file(vec![]);
        cur.skipped.push(crate::results::Skipped {
            id: "a".into(),
            reason: "needs a process-shared condvar".into(),
        });
        let r = compare_files(&base, &cur, 5.0);
        assert_eq!(r.rows[0].verdict, Change::OnlyInBaseline);
        assert_eq!(
            r.rows[0].note,
            "skipped in current: needs a process-shared condvar"
        );
    }

    #[test]
    fn edited_summary_is_not_waved_through() {
        let base = file(vec![outcome("x", noisy(1000.0, 1))]);
        let mut cur = base.clone();
        cur.results[0].ns_per_round_trip.median *= 1.2;
        let r = compare_files(&base, &cur, 5.0);
        assert_eq!(r.rows[0].verdict, Change::Regressed);
        assert!(r.rows[0].note.contains("disagrees"), "{}", r.rows[0].note);
    }

    #[test]
    fn too_few_samples_says_so() {
        let base = file(vec![outcome("x", vec![1.0, 2.0, 3.0])]);
        let cur = file(vec![outcome("x", vec![10.0, 20.0, 30.0])]);
        let r = compare_files(&base, &cur, 5.0);
        assert_eq!(r.rows[0].verdict, Change::TooFewSamples);
    }
}
