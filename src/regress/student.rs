//! Student's t distribution: its upper tail and its quantiles at any level, for the
//! gate's critical values (a false-alarm rate shared over dozens of ids puts them far in
//! the tail, where the 97.5% table of [`crate::stats::bootstrap::t975`] does not reach).
//!
//! The tail is the regularised incomplete beta function, `P(T > t) = I_x(df/2, 1/2) / 2`
//! with `x = df / (df + t²)`, by its continued fraction (Lentz's method, as in
//! Numerical Recipes §6.4); a quantile is found by bisection on the tail.

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, nine terms: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = G[1..]
        .iter()
        .enumerate()
        .fold(G[0], |s, (i, g)| s + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function `I_x(a, b)`, `0 <= x <= 1`.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// `P(T > t)` for Student's t with `df` degrees of freedom (`df` > 0).
pub fn upper_tail(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// The `t` with `P(T > t) = p` (`0 < p < 1`), for `df` degrees of freedom: the one-sided
/// critical value at level `p`. Infinite for `df` = 0 (nothing to judge by).
pub fn critical(p: f64, df: f64) -> f64 {
    if df <= 0.0 || p <= 0.0 {
        return f64::INFINITY;
    }
    if p >= 1.0 {
        return f64::NEG_INFINITY;
    }
    if p > 0.5 {
        return -critical(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while upper_tail(hi, df) > p {
        hi *= 2.0;
        if hi > 1e12 {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if upper_tail(mid, df) > p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::t975;

    #[test]
    fn critical_values_match_the_tables() {
        // The 97.5% table the bootstrap uses.
        for df in 1..=40 {
            let t = critical(0.025, df as f64);
            assert!((t - t975(df)).abs() < 2e-3, "df {df}: {t} vs {}", t975(df));
        }
        // Far in the tail (R: qt(1 - p, df)).
        let known = [
            (0.001, 4.0, 7.173_182),
            (0.0001, 9.0, 6.010_250),
            (0.005, 9.0, 3.249_836),
            (0.2, 9.0, 0.883_403_9),
            (0.05, 1e6, 1.644_855),
        ];
        for (p, df, t) in known {
            let got = critical(p, df);
            assert!(
                (got - t).abs() < 1e-4 * t.max(1.0),
                "p {p} df {df}: {got} vs {t}"
            );
        }
        assert!((upper_tail(0.0, 5.0) - 0.5).abs() < 1e-12);
        assert!((upper_tail(-2.0, 5.0) + upper_tail(2.0, 5.0) - 1.0).abs() < 1e-12);
        assert!((critical(0.9, 7.0) + critical(0.1, 7.0)).abs() < 1e-9);
        assert_eq!(critical(0.05, 0.0), f64::INFINITY);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }
}
