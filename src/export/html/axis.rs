//! The axes of the findings' charts: linear or logarithmic, with their ticks.

/// An axis: its range, whether logarithmic, its ticks (value, label) and its title.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The lowest value shown (positive on a log axis).
    pub min: f64,
    /// The highest value shown.
    pub max: f64,
    /// Logarithmic.
    pub log: bool,
    /// Ticks: value and label.
    pub ticks: Vec<(f64, String)>,
    /// What the axis measures.
    pub title: String,
}

impl Axis {
    /// Where `v` falls, 0 (min) to 1 (max), clamped.
    pub(super) fn frac(&self, v: f64) -> f64 {
        let f = if self.log {
            (v.max(self.min).ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
        } else {
            (v - self.min) / (self.max - self.min)
        };
        if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// A log axis over powers of ten covering `lo..=hi` (ns), ticks labelled as times.
    pub fn log_time(lo: f64, hi: f64, title: &str) -> Self {
        let lo = 10f64.powf(lo.max(1e-3).log10().floor());
        let hi = 10f64.powf(hi.max(lo * 10.0).log10().ceil());
        let mut ticks = Vec::new();
        let mut t = lo;
        while t <= hi * 1.000_001 {
            ticks.push((t, time_tick(t)));
            t *= 10.0;
        }
        Self {
            min: lo,
            max: hi,
            log: true,
            ticks,
            title: title.into(),
        }
    }

    /// A linear axis from 0 covering `hi` (ns), about five ticks labelled as times.
    pub fn linear_time(hi: f64, title: &str) -> Self {
        let ticks = super::svg::nice_ticks(hi);
        let max = *ticks.last().unwrap_or(&1.0);
        Self {
            min: 0.0,
            max,
            log: false,
            ticks: ticks.into_iter().map(|t| (t, time_tick(t))).collect(),
            title: title.into(),
        }
    }
}

/// A tick label: `0`, `500 ns`, `1 us`, `1.5 us`, `100 us`, `1 ms`.
fn time_tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let (x, unit) = match v.abs() {
        a if a >= 1e6 => (v / 1e6, "ms"),
        a if a >= 1e3 => (v / 1e3, "us"),
        _ => (v, "ns"),
    };
    let s = format!("{x:.2}");
    format!("{} {unit}", s.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_map_and_label() {
        let a = Axis::log_time(3.0, 40_000.0, "ns");
        assert_eq!((a.min, a.max), (1.0, 100_000.0));
        let labels: Vec<&str> = a.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            labels,
            ["1 ns", "10 ns", "100 ns", "1 us", "10 us", "100 us"]
        );
        assert!((a.frac(1000.0) - 0.6).abs() < 1e-9);
        assert_eq!(a.frac(-5.0), 0.0, "below a log axis sits on it");
        let l = Axis::linear_time(1800.0, "ns");
        assert_eq!(l.max, 2000.0);
        assert_eq!(l.ticks[1].1, "500 ns");
        assert_eq!(time_tick(1500.0), "1.5 us");
    }
}
