//! The one-sided Mann-Whitney U test the regression rule rests on: ranks, not values, so
//! no assumption about the shape of the noise.

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
}
