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
use crate::results::ResultsFile;
use crate::stats::Summary;

/// The significance level of the rank test.
pub const ALPHA: f64 = 0.01;

/// The default minimum median change, in percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 5.0;

/// The result of a one-sided Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample: pairs (x, y) with x > y, ties counting one half.
    pub u: f64,
    /// The standardised statistic (continuity- and tie-corrected).
    pub z: f64,
    /// P-value of "the first sample tends to be larger than the second".
    pub p_greater: f64,
    /// P-value of "the first sample tends to be smaller than the second".
    pub p_less: f64,
}

/// The standard normal distribution function.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The complementary error function, to about 1e-7 relative accuracy (a Chebyshev-fitted
/// exponential, accurate in the tails where p-values live).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Mann-Whitney U test of `x` against `y` with the normal approximation, a continuity
/// correction and the tie correction of the variance. `None` when either side is empty.
/// With every value tied the test has no information: both p-values are 1.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    // Rank the pooled samples, ties sharing their mean rank.
    let mut all: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_x += mean_rank * all[i..=j].iter().filter(|e| e.1).count() as f64;
        tie_term += t * t * t - t;
        i = j + 1;
    }
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u = rank_sum_x - n1f * (n1f + 1.0) / 2.0;
    let mean = n1f * n2f / 2.0;
    let var = n1f * n2f / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)).max(1.0));
    if var <= 0.0 {
        return Some(MannWhitney {
            u,
            z: 0.0,
            p_greater: 1.0,
            p_less: 1.0,
        });
    }
    let sd = var.sqrt();
    let z = (u - mean) / sd;
    let z_greater = (u - mean - 0.5) / sd;
    let z_less = (u - mean + 0.5) / sd;
    Some(MannWhitney {
        u,
        z,
        p_greater: 1.0 - normal_cdf(z_greater),
        p_less: normal_cdf(z_less),
    })
}

/// What the rule concluded for one id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
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

impl Verdict {
    /// How the table prints it.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::Invalid => "invalid",
            Verdict::TooFewSamples => "too few samples",
            Verdict::OnlyInBaseline => "only in baseline",
            Verdict::OnlyInCurrent => "only in current",
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
    pub verdict: Verdict,
    /// Anything the reader should know (why invalid, a summary that disagrees with the
    /// samples, ...).
    pub note: String,
}

/// The smallest sample count per side the rule tests; below it a verdict is
/// [`Verdict::TooFewSamples`] (five against five cannot reach p < 0.01).
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
        verdict: Verdict::Unchanged,
        note: String::new(),
    };
    if !base.valid || !cur.valid {
        out.verdict = Verdict::Invalid;
    } else if bs.len() < MIN_SAMPLES || cs.len() < MIN_SAMPLES {
        out.verdict = Verdict::TooFewSamples;
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
            Verdict::Regressed
        } else if p < ALPHA && ch < -threshold_pct {
            Verdict::Improved
        } else {
            Verdict::Unchanged
        };
    }
    // A file whose summary disagrees with its samples was edited: the samples decide, but
    // a change the stored medians show beyond the threshold is not waved through.
    if matches!(out.verdict, Verdict::Unchanged) && (bnote.is_some() || cnote.is_some()) {
        let (b, c) = (base.ns_per_round_trip.median, cur.ns_per_round_trip.median);
        if b.is_finite() && c.is_finite() && b > 0.0 {
            let stored_change = (c - b) / b * 100.0;
            if stored_change > threshold_pct {
                out.verdict = Verdict::Regressed;
                notes.push(format!("stored medians changed {stored_change:+.1}%"));
            } else if stored_change < -threshold_pct {
                out.verdict = Verdict::Improved;
                notes.push(format!("stored medians changed {stored_change:+.1}%"));
            }
        }
    }
    out.note = notes.join("; ");
    out
}

/// The comparison of two whole results files.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// One row per id, baseline order first, then ids only in the current run.
    pub rows: Vec<Comparison>,
    /// Set when the two files come from different machines: a loud warning, not a
    /// regression.
    pub machine_warning: Option<String>,
}

impl Report {
    /// True when any id regressed.
    pub fn regressed(&self) -> bool {
        self.rows.iter().any(|r| r.verdict == Verdict::Regressed)
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
pub fn compare_files(baseline: &ResultsFile, current: &ResultsFile, threshold_pct: f64) -> Report {
    let cur_by_id: BTreeMap<&str, &Outcome> =
        current.results.iter().map(|o| (o.id.as_str(), o)).collect();
    let base_ids: std::collections::BTreeSet<&str> =
        baseline.results.iter().map(|o| o.id.as_str()).collect();
    let mut rows = Vec::new();
    let lone = |o: &Outcome, verdict| {
        let (s, _) = samples_of(o);
        let m = Summary::of(&s).map(|s| s.median);
        Comparison {
            id: o.id.clone(),
            baseline_median: if verdict == Verdict::OnlyInBaseline {
                m
            } else {
                None
            },
            current_median: if verdict == Verdict::OnlyInCurrent {
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
    for b in &baseline.results {
        match cur_by_id.get(b.id.as_str()) {
            Some(c) => rows.push(compare_outcomes(b, c, threshold_pct)),
            None => {
                let mut row = lone(b, Verdict::OnlyInBaseline);
                if let Some(s) = current.skipped.iter().find(|s| s.id == b.id) {
                    row.note = format!("skipped in current: {}", s.reason);
                }
                rows.push(row);
            }
        }
    }
    for c in &current.results {
        if !base_ids.contains(c.id.as_str()) {
            rows.push(lone(c, Verdict::OnlyInCurrent));
        }
    }
    Report {
        rows,
        machine_warning: machine_difference(&baseline.machine, &current.machine),
    }
}

fn fmt_ns(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "-".into(),
    }
}

/// The table `ctxbench check` prints.
pub fn render_table(report: &Report, threshold_pct: f64) -> String {
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
            fmt_ns(r.baseline_median),
            fmt_ns(r.current_median),
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
        count(Verdict::Regressed),
        count(Verdict::Improved),
        count(Verdict::Unchanged),
        count(Verdict::Invalid)
    );
    out
}

/// The current run in the `customSmallerIsBetter` JSON that benchmark-tracking CI actions
/// read: `[{"name", "unit", "value", "range", "extra"}]`, one entry per valid id.
pub fn custom_smaller_is_better(current: &ResultsFile) -> serde_json::Value {
    let entries: Vec<serde_json::Value> = current
        .results
        .iter()
        .filter_map(|o| {
            let (s, _) = samples_of(o);
            let sum = Summary::of(&s)?;
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
    fn normal_cdf_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_963_985) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-2.326_347_874) - 0.01).abs() < 1e-7);
        assert!((normal_cdf(3.090_232_306) - 0.999).abs() < 1e-7);
        assert!(normal_cdf(-8.0) < 1e-14 && normal_cdf(-8.0) > 0.0);
    }

    #[test]
    fn mann_whitney_known_values() {
        // Complete separation, 5 against 5: U = 25, mean 12.5, var 25*11/12.
        let x = [6.0, 7.0, 8.0, 9.0, 10.0];
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        let t = mann_whitney(&x, &y).unwrap();
        assert_eq!(t.u, 25.0);
        let z = (25.0 - 12.5 - 0.5) / (25.0f64 * 11.0 / 12.0).sqrt();
        assert!((z - 2.506_718_246).abs() < 1e-6);
        assert!((t.p_greater - 0.006_092_89).abs() < 1e-6, "{}", t.p_greater);
        assert!(t.p_less > 0.99);
        // Reversed roles: U = 0.
        let r = mann_whitney(&y, &x).unwrap();
        assert_eq!(r.u, 0.0);
        assert!((r.p_less - t.p_greater).abs() < 1e-12);

        // Ties: x = [1,2,2,3], y = [2,3,3,4]. Pooled ranks: 1 | 2,2,2 -> 3 | 3,3,3 -> 6 | 4 -> 8.
        // R_x = 1 + 3 + 3 + 6 = 13, U_x = 13 - 10 = 3. Ties: two groups of 3: sum t^3-t = 48.
        // var = 16/12 * (9 - 48/56) = 10.857..., z_less = (3 - 8 + 0.5)/sqrt(var).
        let t = mann_whitney(&[1.0, 2.0, 2.0, 3.0], &[2.0, 3.0, 3.0, 4.0]).unwrap();
        assert_eq!(t.u, 3.0);
        let var = 16.0 / 12.0 * (9.0 - 48.0 / 56.0);
        let p = normal_cdf((3.0 - 8.0 + 0.5) / f64::sqrt(var));
        assert!((t.p_less - p).abs() < 1e-12);
        assert!((p - 0.086_0).abs() < 1e-3, "{p}");

        // All tied: no information.
        let t = mann_whitney(&[5.0; 4], &[5.0; 4]).unwrap();
        assert_eq!((t.p_greater, t.p_less), (1.0, 1.0));
        assert!(mann_whitney(&[], &[1.0]).is_none());
    }

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
        assert_eq!(r.rows[0].verdict, Verdict::Unchanged);
        assert_eq!(r.rows[1].verdict, Verdict::Regressed);
        assert!((r.rows[1].change_pct.unwrap() - 20.0).abs() < 1e-6);
        assert!(r.machine_warning.is_none());
        // The other way round it is an improvement, not a regression.
        let back = compare_files(&cur, &base, DEFAULT_THRESHOLD_PCT);
        assert!(!back.regressed());
        assert_eq!(back.rows[1].verdict, Verdict::Improved);
    }

    #[test]
    fn identical_and_noise_within_spread_pass() {
        let base = file(vec![outcome("x", noisy(4000.0, 1))]);
        let same = compare_files(&base, &base, DEFAULT_THRESHOLD_PCT);
        assert_eq!(same.rows[0].verdict, Verdict::Unchanged);
        assert_eq!(same.rows[0].change_pct, Some(0.0));
        // Fresh noise from the same distribution, for many seeds.
        for seed in 2..40 {
            let cur = file(vec![outcome("x", noisy(4000.0, seed))]);
            let r = compare_files(&base, &cur, DEFAULT_THRESHOLD_PCT);
            assert_eq!(r.rows[0].verdict, Verdict::Unchanged, "seed {seed}");
        }
        // A significant but small shift (+2%) is below the threshold.
        let cur = file(vec![outcome(
            "x",
            noisy(4000.0, 1).iter().map(|v| v * 1.02).collect(),
        )]);
        let r = compare_files(&base, &cur, DEFAULT_THRESHOLD_PCT);
        assert_eq!(r.rows[0].verdict, Verdict::Unchanged);
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
        assert_eq!(r.rows[0].verdict, Verdict::Unchanged);
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
                ("a", Verdict::Invalid),
                ("b", Verdict::OnlyInBaseline),
                ("c", Verdict::OnlyInCurrent)
            ]
        );
        assert!(r.rows[0].note.contains("1.00 switches"));
        assert!(!r.regressed());
        let w = r.machine_warning.clone().unwrap();
        assert!(
            w.contains("CPU One") && w.contains("not a regression"),
            "{w}"
        );
        let table = render_table(&r, 5.0);
        assert!(table.contains("only in baseline") && table.contains("invalid"));
    }

    #[test]
    fn edited_summary_is_not_waved_through() {
        let base = file(vec![outcome("x", noisy(1000.0, 1))]);
        let mut cur = base.clone();
        cur.results[0].ns_per_round_trip.median *= 1.2;
        let r = compare_files(&base, &cur, 5.0);
        assert_eq!(r.rows[0].verdict, Verdict::Regressed);
        assert!(r.rows[0].note.contains("disagrees"), "{}", r.rows[0].note);
    }

    #[test]
    fn too_few_samples_says_so() {
        let base = file(vec![outcome("x", vec![1.0, 2.0, 3.0])]);
        let cur = file(vec![outcome("x", vec![10.0, 20.0, 30.0])]);
        let r = compare_files(&base, &cur, 5.0);
        assert_eq!(r.rows[0].verdict, Verdict::TooFewSamples);
    }

    #[test]
    fn benchmark_action_json_shape() {
        let f = file(vec![outcome(
            "pingpong/a/same-cpu",
            vec![1.0, 2.0, 3.0, 4.0, 5.0],
        )]);
        let v = custom_smaller_is_better(&f);
        let e = &v[0];
        assert_eq!(e["name"], "pingpong/a/same-cpu");
        assert_eq!(e["unit"], "ns/iter");
        assert_eq!(e["value"], 3.0);
        assert_eq!(e["range"], "± 1.0");
        assert!(e["extra"].as_str().unwrap().contains("5 samples"));
    }
}
