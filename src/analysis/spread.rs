//! Whether a result's median means much: a result is *unstable* when its samples spread
//! wide (the middle half spans more than [`WIDE`]x) or fall into two groups (a jump of
//! [`GAP`]x between neighbouring sorted samples, with at least [`MIN_SHARE`] of them on
//! each side). Off one CPU a round trip is wake-up latency, and a VM's idle vCPU either
//! polls or sleeps: batches of 1.8 us and of 47 us in one result, whose median says
//! little about either. Reports draw such a result as its range, not as a point.
//!
//! ```
//! use ctxbench::analysis::spread::{stability, Stability};
//! assert_eq!(stability(&[100.0, 101.0, 99.0, 100.5]), Stability::Stable);
//! let two = [1.8, 1.9, 1.8, 1.85, 47.0, 46.0, 48.0, 47.5];
//! assert!(matches!(stability(&two), Stability::Bimodal { .. }));
//! ```

use std::fmt;

use crate::stats::quantile;

/// A middle half (p25 to p75) wider than this ratio is a wide spread.
pub const WIDE: f64 = 1.5;
/// A jump of at least this ratio between neighbouring sorted samples splits them in two.
pub const GAP: f64 = 1.5;
/// Each side of such a jump must hold at least this share of the samples (a lone outlier
/// is not a second mode).
pub const MIN_SHARE: f64 = 0.1;
/// Fewer samples than this are not tested for two groups.
const MIN_SAMPLES_FOR_MODES: usize = 8;

/// How the samples of one result spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stability {
    /// Tight enough for the median to stand for the result.
    Stable,
    /// The middle half spans more than [`WIDE`]x: `ratio` is p75 / p25.
    Wide {
        /// p75 / p25.
        ratio: f64,
    },
    /// Two groups of samples: the median of each and the share of samples in the upper.
    Bimodal {
        /// The median of the lower group.
        low: f64,
        /// The median of the upper group.
        high: f64,
        /// The share of samples in the upper group (0..1).
        high_share: f64,
    },
}

impl Stability {
    /// False for [`Stability::Stable`].
    pub fn is_unstable(&self) -> bool {
        !matches!(self, Stability::Stable)
    }
}

impl fmt::Display for Stability {
    /// `stable`, `unstable: p75/p25 = 3.2x`, `unstable: two groups, 1.8 and 47.0 (40% high)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stability::Stable => f.write_str("stable"),
            Stability::Wide { ratio } => write!(f, "unstable: p75/p25 = {ratio:.1}x"),
            Stability::Bimodal {
                low,
                high,
                high_share,
            } => write!(
                f,
                "unstable: two groups of samples, near {} and {} ns ({:.0}% in the upper)",
                crate::units::ns(*low),
                crate::units::ns(*high),
                high_share * 100.0
            ),
        }
    }
}

/// The stability of `samples` (any order). Empty, single or non-finite samples are
/// [`Stability::Stable`]: there is no spread to judge.
pub fn stability(samples: &[f64]) -> Stability {
    if samples.len() < 2 || samples.iter().any(|x| !x.is_finite()) {
        return Stability::Stable;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    if let Some(b) = two_groups(&s) {
        return b;
    }
    let (p25, p75) = (quantile(&s, 0.25), quantile(&s, 0.75));
    if p25 > 0.0 && p75 / p25 > WIDE {
        return Stability::Wide { ratio: p75 / p25 };
    }
    Stability::Stable
}

/// The widest jump between neighbouring sorted samples, when it splits them into two
/// groups of at least [`MIN_SHARE`] each.
fn two_groups(sorted: &[f64]) -> Option<Stability> {
    let n = sorted.len();
    if n < MIN_SAMPLES_FOR_MODES {
        return None;
    }
    let k = ((n as f64 * MIN_SHARE).ceil() as usize).max(1);
    let (at, ratio) = (k..=n - k)
        .filter(|&i| sorted[i - 1] > 0.0)
        .map(|i| (i, sorted[i] / sorted[i - 1]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (ratio >= GAP).then(|| Stability::Bimodal {
        low: quantile(&sorted[..at], 0.5),
        high: quantile(&sorted[at..], 0.5),
        high_share: (n - at) as f64 / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tight_samples_and_a_lone_outlier_are_stable() {
        let mut v: Vec<f64> = (0..40).map(|i| 1000.0 + i as f64).collect();
        assert_eq!(stability(&v), Stability::Stable);
        v[3] = 60_000.0;
        assert_eq!(
            stability(&v),
            Stability::Stable,
            "one outlier is not a mode"
        );
        assert_eq!(stability(&[]), Stability::Stable);
        assert_eq!(stability(&[5.0]), Stability::Stable);
        assert_eq!(stability(&[1.0, f64::NAN]), Stability::Stable);
    }

    #[test]
    fn two_groups_are_bimodal_with_their_medians() {
        let mut v = vec![1800.0; 24];
        v.extend(vec![47_000.0; 16]);
        match stability(&v) {
            Stability::Bimodal {
                low,
                high,
                high_share,
            } => {
                assert_eq!((low, high), (1800.0, 47_000.0));
                assert!((high_share - 0.4).abs() < 1e-9);
            }
            s => panic!("{s:?}"),
        }
        assert!(stability(&v).is_unstable());
        assert!(stability(&v).to_string().contains("two groups"));
    }

    #[test]
    fn a_continuous_wide_spread_is_wide() {
        // Evenly spread from 1 to 4: no jump of 1.5x, but p75/p25 = 3.25 / 1.75.
        let v: Vec<f64> = (0..40).map(|i| 1.0 + 3.0 * i as f64 / 39.0).collect();
        match stability(&v) {
            Stability::Wide { ratio } => assert!((ratio - 3.25 / 1.75).abs() < 1e-9),
            s => panic!("{s:?}"),
        }
        assert!(stability(&v)
            .to_string()
            .starts_with("unstable: p75/p25 = 1.9x"));
        // Few samples: only the spread is judged.
        assert!(matches!(
            stability(&[1.0, 1.0, 5.0, 5.0]),
            Stability::Wide { .. }
        ));
    }
}
