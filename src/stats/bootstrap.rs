//! Intervals that see where the variance lives: a hierarchical bootstrap over set-ups,
//! then blocks of consecutive rounds (Kalibera and Jones, "Rigorous benchmarking in
//! reasonable time", 2013, resample at every level that varies).
//!
//! The data is a figure's value in every round of every set-up (a per-round difference or
//! ratio of arms measured side by side). A set-up's figure is the median of its rounds;
//! the point estimate is the mean of the set-ups' figures. Each resample draws set-ups
//! with replacement, and within each drawn set-up draws circular blocks of consecutive
//! rounds (rounds next to each other are alike: the machine stays in one level for many
//! of them), then computes the same statistic. The interval holds the middle 95% of the
//! resamples.
//!
//! With few set-ups a plain bootstrap understates the spread between them: it resamples
//! from only what it saw (a factor `sqrt((S - 1) / S)` for `S` set-ups), and the spread
//! of a mean of few is wider than normal (Student's t with `S - 1` degrees of freedom).
//! Each resample's set-up part is widened by both: `sqrt(S / (S - 1)) × t(S - 1) / z`,
//! with `t` and `z` the 97.5% points. The part from the rounds within set-ups is not.
//! Tests on synthetic series with levels and set-up offsets check that at least 90% of
//! the intervals hold the truth.
//!
//! ```
//! use ctxbench::stats::bootstrap::{hierarchical, Bootstrap};
//! let setups = vec![
//!     vec![10.0, 11.0, 9.0, 10.5, 10.2],
//!     vec![10.1, 9.8, 10.4, 10.0, 9.9],
//!     vec![10.3, 9.7, 10.6, 10.1, 9.6],
//!     vec![9.9, 10.2, 10.0, 10.4, 10.1],
//! ];
//! let i = hierarchical(&setups, &Bootstrap::default(), 1).unwrap();
//! assert!(i.low <= i.value && i.value <= i.high);
//! assert!(i.low > 9.5 && i.high < 10.5);
//! // Two set-ups alone leave the spread between set-ups barely known: a wider interval.
//! let two = hierarchical(&setups[..2], &Bootstrap::default(), 1).unwrap();
//! assert!(two.high - two.low > i.high - i.low);
//! ```

use serde::{Deserialize, Serialize};

use super::rng::Rng;
use super::{median, quantile};

/// A point estimate and its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The point estimate.
    pub value: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

impl Interval {
    /// Half the interval's width.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }

    /// Whether `x` lies within the interval (ends included).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// The same interval with every figure mapped through `f` (an increasing function:
    /// a change of unit, a scale).
    pub fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Interval {
            value: f(self.value),
            low: f(self.low),
            high: f(self.high),
        }
    }
}

/// How to resample. Intervals are 95% intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    /// How many resamples.
    pub resamples: usize,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Self { resamples: 2000 }
    }
}

/// The 97.5% point of the standard normal.
const Z975: f64 = 1.959_964;

/// The 97.5% point of Student's t with `df` degrees of freedom (a table to 30, then the
/// first terms of its expansion around the normal).
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[df - 1],
        _ => {
            let (z, v) = (Z975, df as f64);
            z + (z.powi(3) + z) / (4.0 * v)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        }
    }
}

/// The length of the blocks of consecutive rounds resampled together: the square root
/// of the rounds, at least 1.
pub fn block_length(rounds: usize) -> usize {
    ((rounds as f64).sqrt().round() as usize).max(1)
}

/// One resample of a set-up's `n` rounds, as their indexes: circular blocks of
/// [`block_length`] consecutive rounds, drawn with replacement until there are `n`.
fn resample_rounds(n: usize, rng: &mut Rng, out: &mut Vec<usize>) {
    out.clear();
    let len = block_length(n);
    while out.len() < n {
        let start = rng.below(n);
        for k in 0..len.min(n - out.len()) {
            out.push((start + k) % n);
        }
    }
}

/// The point estimate (mean over set-ups of each set-up's median round) and its interval
/// (see the module), from `setups`, each a set-up's per-round values in the order taken.
/// Set-ups with no finite value are left out; `None` when none is left. `seed` makes the
/// resamples reproducible.
pub fn hierarchical(setups: &[Vec<f64>], cfg: &Bootstrap, seed: u64) -> Option<Interval> {
    let setups: Vec<Vec<f64>> = setups
        .iter()
        .map(|s| {
            s.iter()
                .copied()
                .filter(|x| x.is_finite())
                .collect::<Vec<f64>>()
        })
        .collect();
    joint(&[setups], |v| v[0], cfg, seed)
}

/// Several figures computed from the same rounds (`series[j]` is figure `j`'s per-round
/// values, set-up by set-up, all alike in shape), and `combine` of their estimates (each
/// as [`hierarchical`] makes it): its value, and its interval from resamples that draw
/// the same set-ups and the same blocks of rounds for every figure. So a figure made of
/// others' estimates (a remainder: a whole less its parts) gets the interval of exactly
/// that, the estimators' own wobble included. Rounds where any figure is not finite are
/// left out of all; `None` when no round is left.
pub fn joint(
    series: &[Vec<Vec<f64>>],
    combine: impl Fn(&[f64]) -> f64,
    cfg: &Bootstrap,
    seed: u64,
) -> Option<Interval> {
    let first = series.first()?;
    // Per set-up, the rounds every figure has a finite value for.
    let setups: Vec<Vec<Vec<f64>>> = (0..first.len())
        .map(|k| {
            let rounds = series.iter().map(|f| f.get(k).map_or(0, Vec::len)).min();
            (0..rounds.unwrap_or(0))
                .filter(|&r| series.iter().all(|f| f[k][r].is_finite()))
                .map(|r| series.iter().map(|f| f[k][r]).collect())
                .collect::<Vec<Vec<f64>>>()
        })
        .filter(|rows: &Vec<Vec<f64>>| !rows.is_empty())
        .collect();
    let s = setups.len();
    if s == 0 {
        return None;
    }
    let n = series.len();
    let column = |rows: &[Vec<f64>], idx: &mut dyn Iterator<Item = usize>, j: usize| {
        let mut v: Vec<f64> = idx.map(|r| rows[r][j]).collect();
        median(&mut v)
    };
    // medians[k][j]: set-up k's median of figure j.
    let medians: Vec<Vec<f64>> = setups
        .iter()
        .map(|rows| {
            (0..n)
                .map(|j| column(rows, &mut (0..rows.len()), j))
                .collect()
        })
        .collect();
    let values: Vec<f64> = (0..n)
        .map(|j| medians.iter().map(|m| m[j]).sum::<f64>() / s as f64)
        .collect();
    let value = combine(&values);
    let widen = if s > 1 {
        (s as f64 / (s - 1) as f64).sqrt() * t975(s - 1) / Z975
    } else {
        1.0
    };
    let mut rng = Rng::new(seed);
    let mut stats = Vec::with_capacity(cfg.resamples);
    let mut idx = Vec::new();
    let mut drawn = vec![0.0; n];
    let mut within = vec![0.0; n];
    let mut each = vec![0.0; n];
    for _ in 0..cfg.resamples {
        drawn.fill(0.0);
        within.fill(0.0);
        for _ in 0..s {
            let k = rng.below(s);
            resample_rounds(setups[k].len(), &mut rng, &mut idx);
            for j in 0..n {
                drawn[j] += medians[k][j];
                within[j] += column(&setups[k], &mut idx.iter().copied(), j) - medians[k][j];
            }
        }
        for j in 0..n {
            let (d, w) = (drawn[j] / s as f64, within[j] / s as f64);
            each[j] = values[j] + widen * (d - values[j]) + w;
        }
        stats.push(combine(&each));
    }
    stats.sort_by(f64::total_cmp);
    Some(Interval {
        value,
        low: quantile(&stats, 0.025).min(value),
        high: quantile(&stats, 0.975).max(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic pair of arms as the VMs show them: a machine level that switches
    /// between two values (x1.00 and x1.27) and stays for many rounds, a fixed offset per
    /// set-up for each arm (memory placement), and noise per round. Returns the per-round
    /// differences (a - b) per set-up; the true difference is `delta`.
    fn two_level_differences(
        rng: &mut Rng,
        setups: usize,
        rounds: usize,
        delta: f64,
        setup_sd: f64,
    ) -> Vec<Vec<f64>> {
        let mut level = 1.0;
        (0..setups)
            .map(|_| {
                let (oa, ob) = (setup_sd * rng.normal(), setup_sd * rng.normal());
                (0..rounds)
                    .map(|_| {
                        if rng.unit() < 0.05 {
                            level = if level == 1.0 { 1.27 } else { 1.0 };
                        }
                        // The level scales both arms alike; the difference is additive.
                        let base = 4800.0 * level;
                        let a = base + delta + oa + 30.0 * rng.normal();
                        let b = base + ob + 30.0 * rng.normal();
                        a - b
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn intervals_cover_the_truth_under_levels_and_set_up_offsets() {
        let cfg = Bootstrap { resamples: 400 };
        for (setups, rounds, setup_sd) in
            [(4, 16, 0.0), (4, 16, 15.0), (6, 12, 20.0), (8, 24, 10.0)]
        {
            let mut rng = Rng::new(42 + setups as u64);
            let trials = 300;
            let mut covered = 0;
            for t in 0..trials {
                let d = two_level_differences(&mut rng, setups, rounds, 166.0, setup_sd);
                let i = hierarchical(&d, &cfg, t as u64).unwrap();
                covered += usize::from(i.contains(166.0));
            }
            let share = covered as f64 / trials as f64;
            assert!(
                share >= 0.90,
                "{setups} set-ups x {rounds} rounds, set-up sd {setup_sd}: {share}"
            );
        }
    }

    #[test]
    fn the_unpaired_difference_of_medians_misses_what_pairing_catches() {
        // The same machine: a two-level series where arm a ran mostly in the low level
        // and arm b mostly in the high one, measured one after the other. The difference
        // of the arms' medians is far off; the paired rounds recover the truth.
        let mut rng = Rng::new(5);
        let a: Vec<f64> = (0..32)
            .map(|i| 4800.0 * if i < 23 { 1.0 } else { 1.27 } + 100.0 + 20.0 * rng.normal())
            .collect();
        let b: Vec<f64> = (0..32)
            .map(|i| 4800.0 * if i < 13 { 1.0 } else { 1.27 } + 20.0 * rng.normal())
            .collect();
        let med = |v: &[f64]| median(&mut v.to_vec());
        assert!((med(&a) - med(&b) - 100.0).abs() > 500.0);
        let d = two_level_differences(&mut rng, 4, 16, 100.0, 0.0);
        let i = hierarchical(&d, &Bootstrap::default(), 9).unwrap();
        assert!(i.contains(100.0) && i.half_width() < 40.0, "{i:?}");
    }

    #[test]
    fn a_figure_made_of_estimates_gets_the_interval_of_exactly_that() {
        // A whole and two parts measured in the same rounds: the whole's estimate less
        // the parts' is the remainder, to the last digit, and its interval holds it.
        let mut rng = Rng::new(11);
        let d = two_level_differences(&mut rng, 6, 16, 300.0, 10.0);
        let mut part = |f: f64| -> Vec<Vec<f64>> {
            d.iter()
                .map(|s| s.iter().map(|x| x * f + 5.0 * rng.normal()).collect())
                .collect()
        };
        let (a, b) = (part(0.6), part(0.3));
        let cfg = Bootstrap::default();
        let est = |v: &[Vec<f64>]| hierarchical(v, &cfg, 1).unwrap().value;
        let rest = joint(
            &[d.clone(), a.clone(), b.clone()],
            |v| v[0] - v[1] - v[2],
            &cfg,
            2,
        )
        .unwrap();
        assert_eq!(rest.value, est(&d) - est(&a) - est(&b));
        assert!(
            rest.low <= rest.value && rest.value <= rest.high,
            "{rest:?}"
        );
        assert!(rest.half_width() < 40.0, "{rest:?}");
        // One figure alone: the same as `hierarchical`, resample for resample.
        assert_eq!(
            joint(std::slice::from_ref(&d), |v| v[0], &cfg, 3),
            hierarchical(&d, &cfg, 3)
        );
        // A round one figure lacks is left out of all.
        let mut gap = a.clone();
        gap[0][0] = f64::NAN;
        let j = joint(&[d.clone(), gap], |v| v[0] - v[1], &cfg, 4).unwrap();
        assert!(j.value.is_finite());
        assert!(joint(&[], |v| v[0], &cfg, 1).is_none());
    }

    #[test]
    fn the_same_seed_gives_the_same_interval_and_empty_input_none() {
        let d = vec![vec![1.0, 2.0, 3.0, 4.0], vec![2.0, 3.0, 2.5]];
        let cfg = Bootstrap::default();
        assert_eq!(hierarchical(&d, &cfg, 3), hierarchical(&d, &cfg, 3));
        assert!(hierarchical(&[], &cfg, 1).is_none());
        assert!(hierarchical(&[vec![f64::NAN]], &cfg, 1).is_none());
        // One set-up: the blocks of rounds alone.
        let one = hierarchical(&[vec![5.0; 9]], &cfg, 1).unwrap();
        assert_eq!((one.value, one.low, one.high), (5.0, 5.0, 5.0));
        assert_eq!(block_length(16), 4);
        assert_eq!(block_length(1), 1);
        assert!((t975(3) - 3.182).abs() < 1e-9 && (t975(200) - 1.972).abs() < 0.002);
    }
}
