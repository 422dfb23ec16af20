//! Levels: whether the rounds of one arm fall into distinct groups (a VM that runs a
//! ping-pong at about 4.8 µs for a while, then at 6.1 µs), and what share each holds.
//! A median over such rounds stands for neither level; reports name both.
//!
//! The split is the one that leaves the least spread within the two groups (Otsu's rule
//! in one dimension). It counts as two levels when the groups' centres lie further apart
//! than [`SEPARATION`] times the spread within them and than [`MIN_STEP`] of the median,
//! and each group holds at least [`MIN_SHARE`] of the rounds. Half of a single normal
//! spread, split this way, lies about 2.7 spreads from the other half, so it stays one
//! level.
//!
//! ```
//! use ctxbench::stats::levels::levels;
//! let one = [100.0, 101.0, 99.5, 100.4, 100.2, 99.8, 100.9, 99.1, 100.0, 100.3];
//! assert_eq!(levels(&one).len(), 1);
//! let two = [4800.0, 4810.0, 4795.0, 6100.0, 6090.0, 6110.0, 4805.0, 6105.0, 4790.0, 6095.0];
//! let l = levels(&two);
//! assert_eq!(l.len(), 2);
//! assert!((l[0].center - 4800.0).abs() < 10.0 && (l[0].share - 0.5).abs() < 1e-9);
//! ```

use serde::{Deserialize, Serialize};

/// Two groups count as levels when their centres are this many within-group standard
/// deviations apart.
pub const SEPARATION: f64 = 4.0;
/// ... and at least this share of the median apart (2%).
pub const MIN_STEP: f64 = 0.02;
/// ... and each holds at least this share of the values.
pub const MIN_SHARE: f64 = 0.1;
/// Fewer values than this are one level.
pub const MIN_VALUES: usize = 10;

/// One level: its centre (the median of its values) and the share of values in it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// The median of the values at this level.
    pub center: f64,
    /// The share of all values at this level (0 to 1).
    pub share: f64,
}

/// The levels of `values`, lowest first: one, or two where they form two distinct groups
/// (see the module). Empty for no finite value.
pub fn levels(values: &[f64]) -> Vec<Level> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return Vec::new();
    }
    let whole = vec![Level {
        center: super::quantile(&v, 0.5),
        share: 1.0,
    }];
    if n < MIN_VALUES {
        return whole;
    }
    let min_side = ((n as f64 * MIN_SHARE).ceil() as usize).max(2);
    // Prefix sums give each split's within-group sum of squares in O(1).
    let (mut s, mut s2) = (vec![0.0; n + 1], vec![0.0; n + 1]);
    for (i, x) in v.iter().enumerate() {
        s[i + 1] = s[i] + x;
        s2[i + 1] = s2[i] + x * x;
    }
    let ss = |a: usize, b: usize| {
        let m = (b - a) as f64;
        (s2[b] - s2[a]) - (s[b] - s[a]).powi(2) / m
    };
    let Some(k) = (min_side..=n - min_side)
        .min_by(|&a, &b| (ss(0, a) + ss(a, n)).total_cmp(&(ss(0, b) + ss(b, n))))
    else {
        return whole;
    };
    let within_sd = ((ss(0, k) + ss(k, n)) / (n - 2) as f64).max(0.0).sqrt();
    let (lo, hi) = (&v[..k], &v[k..]);
    let mean = |g: &[f64]| g.iter().sum::<f64>() / g.len() as f64;
    let step = mean(hi) - mean(lo);
    let median = super::quantile(&v, 0.5);
    if step > SEPARATION * within_sd && step > MIN_STEP * median.abs() {
        [lo, hi]
            .iter()
            .map(|g| Level {
                center: super::quantile(g, 0.5),
                share: g.len() as f64 / n as f64,
            })
            .collect()
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::Rng;

    #[test]
    fn a_single_normal_spread_is_one_level_and_two_apart_are_two() {
        let mut r = Rng::new(11);
        for _ in 0..50 {
            let one: Vec<f64> = (0..40).map(|_| 5000.0 + 60.0 * r.normal()).collect();
            assert_eq!(levels(&one).len(), 1, "{one:?}");
        }
        let two: Vec<f64> = (0..40)
            .map(|i| if i % 3 == 0 { 6100.0 } else { 4800.0 } + 40.0 * r.normal())
            .collect();
        let l = levels(&two);
        assert_eq!(l.len(), 2, "{l:?}");
        assert!((l[0].share - 26.0 / 40.0).abs() < 1e-9, "{l:?}");
        assert!((l[1].center - 6100.0).abs() < 60.0, "{l:?}");
        // A lone outlier is not a level; nor are a few identical values.
        let mut outlier = vec![5000.0; 30];
        outlier[3] = 9000.0;
        assert_eq!(levels(&outlier).len(), 1);
        assert_eq!(levels(&[1.0, 2.0, 3.0]).len(), 1);
        assert!(levels(&[]).is_empty());
        // Two groups closer than 2% of the median are one level, however tight.
        let close: Vec<f64> = (0..20)
            .map(|i| if i < 10 { 1000.0 } else { 1010.0 })
            .collect();
        assert_eq!(levels(&close).len(), 1);
    }
}
