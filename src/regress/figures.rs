//! An id's figure in one run, kept at the level below the run: one value per set-up.
//!
//! A set-up is an independent fork or spawn of the benchmark within a run (see
//! [`crate::measure::paired`]); its figure is the median of its quiet rounds, in natural
//! logs so that a change reads as a ratio whatever the id's size. The run's figure is the
//! mean of its set-ups' (the geometric mean of their medians), and the spread between its
//! set-ups is what one run alone can say of its own noise. An id measured outside paired
//! rounds (an older file) has one set-up: the median of its samples.
//!
//! An id measured in paired rounds also has a relative figure: round by round, its time
//! over its comparison's reference, so that a machine that is slower for a whole run (the
//! host's load, the clock) cancels out. The reference is the null system call
//! ([`reference_id`], `floor/getppid`) where it is an arm of the comparison (the
//! `switch` one), else the comparison's first arm (the smallest working set or ring, the
//! fork). A ratio cannot see what slows the reference as much as the id (a kernel change
//! that slows every system call alike): the reference itself is judged on its absolute
//! figure, and the calibration keeps a ratio only where it spreads less between runs than
//! the time (see [`super::calibration::Noise::of`]).

use std::collections::BTreeMap;

use crate::measure::paired::{ArmMode, Paired};
use crate::measure::Outcome;
use crate::results::ResultsFile;
use crate::spec::{BenchId, FloorKind};
use crate::stats::mean_sd;

/// The id the relative figures divide by: the null system call (`floor/getppid`).
pub fn reference_id() -> BenchId {
    BenchId::Floor(FloorKind::Getppid)
}

/// A set-up counts when it kept at least this many quiet rounds.
pub const MIN_ROUNDS: usize = 3;

/// An id's figure in one run: the natural log of its figure in each set-up.
#[derive(Debug, Clone, PartialEq)]
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
        (self.setups.len() > 1).then(|| mean_sd(&self.setups).1.powi(2))
    }
}

/// The median of the finite values of `v`, `None` when there are none.
fn median(v: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
    (!v.is_empty()).then(|| crate::stats::median(&mut v))
}

/// The figure of arm `i` of `p` (over arm `reference`'s, round by round, where given),
/// set-up by set-up: `ln` of the median of its quiet rounds, for every set-up that kept
/// [`MIN_ROUNDS`] of them.
fn from_rounds(p: &Paired, i: usize, reference: Option<usize>) -> Vec<f64> {
    p.setups
        .iter()
        .filter(|s| s.rounds.len() >= MIN_ROUNDS)
        .filter_map(|s| {
            median(
                s.rounds
                    .iter()
                    .map(|r| r[i] / reference.map_or(1.0, |k| r[k])),
            )
        })
        .filter(|m| *m > 0.0)
        .map(f64::ln)
        .collect()
}

/// An id's figures in one run: absolute, and relative to its reference where it ran in
/// the same rounds as one.
#[derive(Debug, Clone, PartialEq)]
pub struct IdFigures {
    /// `ln` ns per iteration, per set-up.
    pub absolute: RunFigure,
    /// `ln` of its time over the reference's, per set-up.
    pub relative: Option<RunFigure>,
    /// The id `relative` divides by.
    pub reference: Option<BenchId>,
}

/// The arm of `p` the others are divided by: the null system call where it is one, else
/// the first main arm.
fn reference_arm(p: &Paired) -> Option<usize> {
    p.main(reference_id())
        .or_else(|| p.arms.iter().position(|a| a.mode == ArmMode::Main))
}

/// The figures of outcome `o` in a run whose comparisons are `paired`: from its main
/// loop's rounds where it was measured in paired rounds, else one set-up of its samples.
/// `None` for an invalid outcome or one with no usable value.
pub fn id_figures(o: &Outcome, paired: &[Paired]) -> Option<IdFigures> {
    if !o.valid {
        return None;
    }
    let in_rounds = paired.iter().find_map(|p| {
        let i = p.index(o.id, ArmMode::Main)?;
        let k = reference_arm(p).filter(|&k| k != i);
        Some((
            from_rounds(p, i, None),
            k.map(|k| (p.arms[k].id, from_rounds(p, i, Some(k)))),
        ))
    });
    let (absolute, relative) = match in_rounds {
        Some(f) => f,
        None => (
            median(o.samples_ns_per_iteration.iter().copied())
                .filter(|m| *m > 0.0)
                .map(|m| vec![m.ln()])
                .unwrap_or_default(),
            None,
        ),
    };
    let relative = relative.filter(|(_, r)| !r.is_empty());
    (!absolute.is_empty()).then(|| IdFigures {
        absolute: RunFigure { setups: absolute },
        reference: relative.as_ref().map(|(id, _)| *id),
        relative: relative.map(|(_, setups)| RunFigure { setups }),
    })
}

/// Every valid id's figures in `file`, by id.
pub fn run_figures(file: &ResultsFile) -> BTreeMap<String, IdFigures> {
    file.results
        .iter()
        .filter_map(|o| Some((o.id.to_string(), id_figures(o, &file.paired)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::paired::{Arm, SetupRounds};

    /// A real id for a test's short name.
    fn id(name: &str) -> BenchId {
        match name {
            "a" => "pingpong/thread-pipe/same-cpu",
            "b" => "pingpong/process-futex/same-cpu",
            other => other,
        }
        .parse()
        .unwrap()
    }

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
            arms: vec![Arm::main(id("a")), Arm::main(id("b"))],
            iters: vec![10, 10],
            setups,
            steal_ms: 0.0,
        }
    }

    #[test]
    fn set_ups_give_log_medians_and_short_set_ups_are_left_out() {
        let mut p = paired();
        let f = from_rounds(&p, 1, None);
        let want = [403.0f64.ln(), 443.0f64.ln(), 403.0f64.ln()];
        assert_eq!(f.len(), 3);
        for (y, w) in f.iter().zip(want) {
            assert!((y - w).abs() < 1e-12, "{f:?}");
        }
        p.setups[0].rounds.truncate(MIN_ROUNDS - 1);
        assert_eq!(from_rounds(&p, 1, None).len(), 2);
        // Over arm 0 (100 ns), round by round.
        let rel = from_rounds(&paired(), 1, Some(0));
        assert!((rel[1] - 4.43f64.ln()).abs() < 1e-12, "{rel:?}");
        let r = RunFigure {
            setups: vec![1.0, 2.0, 3.0],
        };
        assert_eq!(r.value(), 2.0);
        assert_eq!(r.setup_variance(), Some(1.0));
        assert_eq!(RunFigure { setups: vec![1.0] }.setup_variance(), None);
    }

    #[test]
    fn an_id_beside_the_null_call_has_a_relative_figure() {
        let mut p = paired();
        p.arms[0] = Arm::main(reference_id());
        let mut o = crate::measure::pingpong_outcome(
            &crate::spec::PingPongSpec {
                participants: crate::spec::Participants::Thread,
                mechanism: crate::spec::Mechanism::Futex,
                placement: crate::spec::Placement::SameCpu(0),
            },
            Some(2.0),
            crate::measure::Samples {
                iters_per_sample: 10,
                ns_per_iter: vec![500.0, 700.0, 600.0],
            },
            crate::measure::SwitchCount {
                iters: 1,
                voluntary: 2,
                involuntary: 0,
                per_iter: 2.0,
            },
        );
        o.valid = true;
        // Not in the rounds: one set-up, its samples' median; no reference.
        let alone = id_figures(&o, std::slice::from_ref(&p)).unwrap();
        assert_eq!(alone.absolute.setups, [600f64.ln()]);
        assert!(alone.relative.is_none());
        // In the rounds beside the null call: both figures, set-up by set-up.
        o.id = id("b");
        let f = id_figures(&o, std::slice::from_ref(&p)).unwrap();
        assert_eq!(f.absolute.setups.len(), 3);
        let rel = f.relative.unwrap();
        assert!((rel.setups[0] - 4.03f64.ln()).abs() < 1e-12, "{rel:?}");
        assert_eq!(f.reference, Some(reference_id()));
        // Without the null call, over the comparison's first arm; that arm has none.
        let q = paired();
        let f = id_figures(&o, std::slice::from_ref(&q)).unwrap();
        assert_eq!(f.reference, Some(id("a")));
        assert!((f.relative.unwrap().setups[0] - 4.03f64.ln()).abs() < 1e-12);
        let mut first = o.clone();
        first.id = id("a");
        let f = id_figures(&first, std::slice::from_ref(&q)).unwrap();
        assert_eq!((f.reference, f.relative), (None, None));
        // The null call itself has no relative figure; an invalid outcome none at all.
        o.id = reference_id();
        assert!(id_figures(&o, std::slice::from_ref(&p))
            .unwrap()
            .relative
            .is_none());
        o.valid = false;
        assert!(id_figures(&o, std::slice::from_ref(&p)).is_none());
    }
}
