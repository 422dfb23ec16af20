//! Summary statistics over samples, a straight line fitted by least squares, and the
//! statistics of paired rounds: a seeded generator ([`rng`]), intervals by a hierarchical
//! bootstrap ([`bootstrap`]) and levels ([`levels`]).

pub mod bootstrap;
pub mod levels;
pub mod rng;

use serde::{Deserialize, Serialize};

/// Order statistics and moments of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many samples.
    pub n: usize,
    /// The middle value.
    pub median: f64,
    /// The arithmetic mean.
    pub mean: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// The 25th percentile.
    pub p25: f64,
    /// The 75th percentile.
    pub p75: f64,
    /// The sample standard deviation (0 for one sample).
    pub stddev: f64,
}

/// The `q` quantile (0..=1) of sorted data, linearly interpolated.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The mean of `xs` and their sample standard deviation (`n - 1` in the divisor; 0 for
/// fewer than two); NaN mean for none.
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = if n > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// The median of `v` (its order is changed); NaN for none.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    quantile(v, 0.5)
}

impl Summary {
    /// Summarises `samples`; `None` when there are none or any is not finite.
    pub fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let (mean, stddev) = mean_sd(&s);
        Some(Summary {
            n,
            median: quantile(&s, 0.5),
            mean,
            min: s[0],
            max: s[n - 1],
            p25: quantile(&s, 0.25),
            p75: quantile(&s, 0.75),
            stddev,
        })
    }
}

/// A straight line `y = intercept + slope × x` fitted by ordinary least squares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LineFit {
    /// The change in y per unit of x.
    pub slope: f64,
    /// y at x = 0.
    pub intercept: f64,
    /// The standard error of the slope (`None` with two points: a line through two points
    /// leaves nothing to judge it by).
    pub slope_stderr: Option<f64>,
    /// How many points it was fitted to.
    pub points: usize,
}

/// The least-squares line through `points` (x, y); `None` with fewer than two points, a
/// value that is not finite, or every x the same.
pub fn least_squares(points: &[(f64, f64)]) -> Option<LineFit> {
    let n = points.len();
    if n < 2 || points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
        return None;
    }
    let mean = |f: fn(&(f64, f64)) -> f64| points.iter().map(f).sum::<f64>() / n as f64;
    let (mx, my) = (mean(|p| p.0), mean(|p| p.1));
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let residuals: f64 = points
        .iter()
        .map(|(x, y)| (y - intercept - slope * x).powi(2))
        .sum();
    let slope_stderr = (n > 2).then(|| (residuals / (n - 2) as f64 / sxx).sqrt());
    Some(LineFit {
        slope,
        intercept,
        slope_stderr,
        points: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0, 5.0]).unwrap();
        assert_eq!(s.median, 3.0);
        assert_eq!(s.min, 1.0);
        assert_eq!(s.max, 5.0);
        assert_eq!(s.p25, 2.0);
        assert_eq!(s.p75, 4.0);
        assert!((s.stddev - 2.5f64.sqrt()).abs() < 1e-12);
        let even = Summary::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(even.median, 2.5);
    }

    #[test]
    fn empty_or_nan_has_no_summary() {
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn a_line_is_recovered_and_its_noise_measured() {
        // y = 4096 + 16384 x exactly: the slope and intercept come back, with no error.
        let exact: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
            .iter()
            .map(|&x| (x, 4096.0 + 16384.0 * x))
            .collect();
        let f = least_squares(&exact).unwrap();
        assert!((f.slope - 16384.0).abs() < 1e-9 && (f.intercept - 4096.0).abs() < 1e-6);
        assert_eq!(f.slope_stderr, Some(0.0));
        assert_eq!(f.points, 7);
        // Noise of +-1000 around the line moves the slope a little and shows in its error.
        let noisy: Vec<(f64, f64)> = exact
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| (x, y + if i % 2 == 0 { 1000.0 } else { -1000.0 }))
            .collect();
        let g = least_squares(&noisy).unwrap();
        assert!((g.slope - 16384.0).abs() < 100.0, "{g:?}");
        let se = g.slope_stderr.unwrap();
        assert!(se > 1.0 && se < 100.0, "{g:?}");
        // Two points: a line, but no error to give.
        let two = least_squares(&[(1.0, 10.0), (3.0, 30.0)]).unwrap();
        assert_eq!((two.slope, two.slope_stderr), (10.0, None));
    }

    #[test]
    fn no_line_without_two_distinct_xs() {
        assert!(least_squares(&[]).is_none());
        assert!(least_squares(&[(1.0, 2.0)]).is_none());
        assert!(least_squares(&[(2.0, 1.0), (2.0, 5.0)]).is_none());
        assert!(least_squares(&[(1.0, 1.0), (2.0, f64::NAN)]).is_none());
    }
}
