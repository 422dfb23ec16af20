//! An id's figure in one run, kept at the level below the run: one value per set-up.
//!
//! A set-up is an independent fork or spawn of the benchmark within a run (see
//! [`crate::measure::paired`]); its figure is the median of its quiet rounds, in natural
//! logs so that a change reads as a ratio whatever the id's size. The run's figure is the
//! mean of its set-ups' (the geometric mean of their medians), and the spread between its
//! set-ups is what one run alone can say of its own noise. An id measured outside paired
//! rounds (an older file) has one set-up: the median of its samples.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::measure::paired::{ArmMode, Paired};
use crate::measure::Outcome;
use crate::results::ResultsFile;
use crate::stats::quantile;

/// A set-up counts when it kept at least this many quiet rounds.
pub const MIN_ROUNDS: usize = 3;

/// An id's figure in one run: the natural log of its figure in each set-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFigure {
    /// `ln` of each set-up's median round (ns per iteration), in the order taken.
    pub setups: Vec<f64>,
}

impl RunFigure {
    /// The run's figure: the mean over set-ups (`ln` of their geometric mean).
    pub fn value(&self) -> f64 {
        self.setups.iter().sum::<f64>() / self.setups.len().max(1) as f64
    }

    /// The sample variance between set-ups; `None` with fewer than two.
    pub fn setup_variance(&self) -> Option<f64> {
        let n = self.setups.len();
        (n > 1).then(|| {
            let m = self.value();
            self.setups.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (n - 1) as f64
        })
    }

    /// The same figure with every value scaled by `factor` (a change injected into real
    /// data, to check what the gate detects).
    pub fn scaled(&self, factor: f64) -> Self {
        let shift = factor.ln();
        Self {
            setups: self.setups.iter().map(|y| y + shift).collect(),
        }
    }
}

/// The median of the finite values of `v`, `None` when there are none.
fn median(v: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(quantile(&v, 0.5))
}

/// The figure of arm `i` of `p`, set-up by set-up: `ln` of the median of its quiet
/// rounds, for every set-up that kept [`MIN_ROUNDS`] of them.
fn from_rounds(p: &Paired, i: usize) -> Vec<f64> {
    p.setups
        .iter()
        .filter(|s| s.rounds.len() >= MIN_ROUNDS)
        .filter_map(|s| median(s.rounds.iter().map(|r| r[i])))
        .filter(|m| *m > 0.0)
        .map(f64::ln)
        .collect()
}

/// The figure of outcome `o` in a run whose comparisons are `paired`: from its main
/// loop's rounds where it was measured in paired rounds, else one set-up of its samples.
/// `None` for an invalid outcome or one with no usable value.
pub fn run_figure(o: &Outcome, paired: &[Paired]) -> Option<RunFigure> {
    if !o.valid {
        return None;
    }
    let rounds = paired
        .iter()
        .find_map(|p| p.index(&o.id, ArmMode::Main).map(|i| from_rounds(p, i)));
    let setups = match rounds {
        Some(s) => s,
        None => median(o.samples_ns_per_round_trip.iter().copied())
            .filter(|m| *m > 0.0)
            .map(|m| vec![m.ln()])
            .unwrap_or_default(),
    };
    (!setups.is_empty()).then_some(RunFigure { setups })
}

/// Every valid id's figure in `file`, by id.
pub fn run_figures(file: &ResultsFile) -> BTreeMap<String, RunFigure> {
    file.results
        .iter()
        .filter_map(|o| Some((o.id.clone(), run_figure(o, &file.paired)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::paired::{Arm, SetupRounds};

    /// Two arms over three set-ups of five rounds; arm `b` runs at 400 ns, x1.1 in the
    /// second set-up, plus one to four ns from round to round, and one wild round in each.
    fn paired() -> Paired {
        let setups = (0..3)
            .map(|s| SetupRounds {
                rounds: (0..5)
                    .map(|r| {
                        let b = 400.0 * if s == 1 { 1.1 } else { 1.0 };
                        vec![100.0, if r == 2 { b * 3.0 } else { b + r as f64 }]
                    })
                    .collect(),
                taken: 5,
            })
            .collect();
        Paired {
            name: "switch".into(),
            seed: 1,
            cpu: 0,
            arms: vec![Arm::main("a"), Arm::main("b")],
            iters: vec![10, 10],
            setups,
            steal_ms: 0.0,
        }
    }

    #[test]
    fn set_ups_give_log_medians_and_short_set_ups_are_left_out() {
        let mut p = paired();
        let f = from_rounds(&p, 1);
        let want = [403.0f64.ln(), 443.0f64.ln(), 403.0f64.ln()];
        assert_eq!(f.len(), 3);
        for (y, w) in f.iter().zip(want) {
            assert!((y - w).abs() < 1e-12, "{f:?}");
        }
        p.setups[0].rounds.truncate(MIN_ROUNDS - 1);
        assert_eq!(from_rounds(&p, 1).len(), 2);
        let r = RunFigure {
            setups: vec![1.0, 2.0, 3.0],
        };
        assert_eq!(r.value(), 2.0);
        assert_eq!(r.setup_variance(), Some(1.0));
        assert!((r.scaled(2.0).value() - 2.0 - 2f64.ln()).abs() < 1e-12);
        assert_eq!(RunFigure { setups: vec![1.0] }.setup_variance(), None);
    }
}
