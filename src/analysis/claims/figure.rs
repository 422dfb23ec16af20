//! Evidence as typed figures: a value with its 95% interval, its unit and what it is; a
//! claim's margin; and the rule that turns an interval and a margin into a verdict.
//! Terminal text, JSON and the page are all rendered from these; no figure is parsed
//! back out of a sentence.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::VerdictKind;
use crate::stats::bootstrap::Interval;

/// What a figure counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Nanoseconds per context switch.
    NsPerSwitch,
    /// Nanoseconds (per operation, per creation, per read).
    Ns,
    /// Percent.
    Percent,
    /// A ratio of two times (`N x`).
    Ratio,
    /// Events per switch (a count, e.g. full TLB flushes).
    PerSwitch,
    /// KiB per task.
    KibPerTask,
    /// A count of things (participants, pages).
    Count,
}

impl Unit {
    /// How a value in this unit reads, e.g. `+83 ns/switch`, `12.4x`.
    pub fn show(self, v: f64) -> String {
        match self {
            Unit::NsPerSwitch => format!("{} ns/switch", signed_ns(v)),
            Unit::Ns => crate::units::time(v),
            Unit::Percent => format!("{v:+.1}%"),
            Unit::Ratio => format!("{}x", sig(v)),
            Unit::PerSwitch => format!("{v:.2} per switch"),
            Unit::KibPerTask => format!("{v:+.1} KiB/task"),
            Unit::Count => format!("{v:.0}"),
        }
    }

    /// A value alone, without the unit (for the ends of an interval).
    fn bare(self, v: f64) -> String {
        match self {
            Unit::NsPerSwitch => signed_ns(v),
            Unit::Ns => crate::units::time(v),
            Unit::Percent => format!("{v:+.1}"),
            Unit::Ratio => sig(v),
            Unit::PerSwitch => format!("{v:.2}"),
            Unit::KibPerTask => format!("{v:+.1}"),
            Unit::Count => format!("{v:.0}"),
        }
    }
}

/// Nanoseconds with a sign, whole below 10 000, e.g. `+83`, `-1204`.
fn signed_ns(v: f64) -> String {
    if v.abs() < 10.0 {
        format!("{v:+.1}")
    } else {
        format!("{v:+.0}")
    }
}

/// Three significant figures, e.g. `1.25`, `12.4`, `1902`.
fn sig(v: f64) -> String {
    match v.abs() {
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

/// One figure a verdict rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Its name, e.g. `address-space`, `control`, `pipe`.
    pub name: String,
    /// The point estimate.
    pub value: f64,
    /// The 95% interval's lower end; `None` for a count or a fact (no sampling spread).
    pub low: Option<f64>,
    /// The 95% interval's upper end.
    pub high: Option<f64>,
    /// Its unit.
    pub unit: Unit,
    /// What it is, in plain words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub what: String,
}

impl Figure {
    /// A figure with its interval.
    pub fn of(name: &str, i: Interval, unit: Unit, what: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: i.value,
            low: Some(i.low),
            high: Some(i.high),
            unit,
            what: what.into(),
        }
    }

    /// A figure with no interval: a count over a counted run, a fact.
    pub fn exact(name: &str, value: f64, unit: Unit, what: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value,
            low: None,
            high: None,
            unit,
            what: what.into(),
        }
    }

    /// Its interval, where it has one.
    pub fn interval(&self) -> Option<Interval> {
        Some(Interval {
            value: self.value,
            low: self.low?,
            high: self.high?,
        })
    }
}

impl fmt::Display for Figure {
    /// `+83 ns/switch [+75, +100]`, `2.24 us [1.98, 2.58]`, or the value alone where there
    /// is no interval.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.unit.show(self.value))?;
        if let (Some(lo), Some(hi)) = (self.low, self.high) {
            if self.unit == Unit::Ns {
                // The ends in the value's own unit (ns, us or ms), once.
                let scale = match self.value.abs() {
                    a if a >= 1e6 => 1e6,
                    a if a >= 1e3 => 1e3,
                    _ => 1.0,
                };
                let end = |v: f64| {
                    let t = crate::units::time(v / scale);
                    t.trim_end_matches(" ns").to_string()
                };
                return write!(f, " [{}, {}]", end(lo), end(hi));
            }
            write!(f, " [{}, {}]", self.unit.bare(lo), self.unit.bare(hi))?;
        }
        Ok(())
    }
}

/// A claim's margin: differences inside plus or minus it count as none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Margin {
    /// Its size, in `unit`.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// What it was taken as, e.g. `2% of a thread switch (thread-futex-shared)`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub what: String,
}

impl fmt::Display for Margin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.unit.show(self.value);
        let v = v.trim_start_matches('+');
        if self.what.is_empty() {
            write!(f, "±{v}")
        } else {
            write!(f, "±{v}: {}", self.what)
        }
    }
}

/// The verdict an interval gives against the band `[low, high]` of no difference: HOLDS
/// when the interval lies above it, THE OPPOSITE below it, NO DIFFERENCE inside it, and
/// INCONCLUSIVE when it overlaps an edge.
///
/// ```
/// use ctxbench::analysis::claims::figure::decide;
/// use ctxbench::analysis::claims::VerdictKind;
/// use ctxbench::stats::bootstrap::Interval;
/// let i = |value, low, high| Interval { value, low, high };
/// assert_eq!(decide(&i(83.0, 75.0, 100.0), -40.0, 40.0), VerdictKind::Holds);
/// assert_eq!(decide(&i(-3.0, -20.0, 18.0), -40.0, 40.0), VerdictKind::NoDifference);
/// assert_eq!(decide(&i(-90.0, -120.0, -60.0), -40.0, 40.0), VerdictKind::TheOpposite);
/// assert_eq!(decide(&i(30.0, 10.0, 50.0), -40.0, 40.0), VerdictKind::Inconclusive);
/// ```
pub fn decide(i: &Interval, low: f64, high: f64) -> VerdictKind {
    if i.low > high {
        VerdictKind::Holds
    } else if i.high < low {
        VerdictKind::TheOpposite
    } else if i.low >= low && i.high <= high {
        VerdictKind::NoDifference
    } else {
        VerdictKind::Inconclusive
    }
}

/// [`decide`] for a difference, against plus or minus `margin`.
pub fn decide_difference(i: &Interval, margin: f64) -> VerdictKind {
    decide(i, -margin, margin)
}

/// How far from zero a control (two arms that differ in nothing) reaches: the larger end
/// of its interval, where that is beyond `margin`; `None` where it stays inside.
pub fn control_reach(control: Option<&Interval>, margin: f64) -> Option<f64> {
    let c = control?;
    let reach = c.low.abs().max(c.high.abs());
    (reach > margin).then_some(reach)
}

/// [`decide_difference`] where a control measured in the same rounds may reach beyond the
/// margin: then the run cannot resolve the margin, so a difference counts only where it
/// clears the control's reach, and none is shown equal (INCONCLUSIVE in place of NO
/// DIFFERENCE).
pub fn decide_beside_control(i: &Interval, margin: f64, control: Option<&Interval>) -> VerdictKind {
    match control_reach(control, margin) {
        None => decide_difference(i, margin),
        Some(reach) => match decide_difference(i, reach) {
            VerdictKind::NoDifference => VerdictKind::Inconclusive,
            k => k,
        },
    }
}

/// [`decide`] for a ratio, against the band `[1 / (1 + margin), 1 + margin]`.
pub fn decide_ratio(i: &Interval, margin: f64) -> VerdictKind {
    decide(i, 1.0 / (1.0 + margin), 1.0 + margin)
}

/// How several comparisons' verdicts make a claim's: the one they share; else HOLDS
/// PARTLY where some hold and others do not (the evidence names which); else
/// INCONCLUSIVE. `None` for no comparison.
pub fn combine(kinds: &[VerdictKind]) -> Option<VerdictKind> {
    let first = kinds.first()?;
    if kinds.iter().all(|k| k == first) {
        return Some(first.clone());
    }
    let holds = kinds.contains(&VerdictKind::Holds);
    let decided_other = kinds
        .iter()
        .any(|k| matches!(k, VerdictKind::TheOpposite | VerdictKind::NoDifference));
    Some(if holds && decided_other {
        VerdictKind::HoldsPartly
    } else {
        VerdictKind::Inconclusive
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(value: f64, low: f64, high: f64) -> Interval {
        Interval { value, low, high }
    }

    #[test]
    fn the_verdict_rule_on_constructed_intervals() {
        use VerdictKind::*;
        // Edges: an interval touching the margin from inside is no difference, one
        // reaching past it is inconclusive.
        assert_eq!(decide_difference(&i(0.0, -40.0, 40.0), 40.0), NoDifference);
        assert_eq!(decide_difference(&i(0.0, -40.1, 40.0), 40.0), Inconclusive);
        assert_eq!(decide_difference(&i(60.0, 40.5, 80.0), 40.0), Holds);
        assert_eq!(
            decide_difference(&i(-60.0, -80.0, -40.5), 40.0),
            TheOpposite
        );
        // Wider than the whole band: inconclusive, whatever the point.
        assert_eq!(
            decide_difference(&i(0.0, -100.0, 100.0), 40.0),
            Inconclusive
        );
        // Ratios: a band of 10% each way.
        assert_eq!(decide_ratio(&i(1900.0, 1500.0, 2300.0), 0.1), Holds);
        assert_eq!(decide_ratio(&i(1.0, 0.95, 1.05), 0.1), NoDifference);
        assert_eq!(decide_ratio(&i(0.5, 0.4, 0.6), 0.1), TheOpposite);
    }

    #[test]
    fn a_control_beyond_the_margin_widens_it_and_shows_nothing_equal() {
        use VerdictKind::*;
        let calm = i(2.0, -10.0, 15.0);
        let wide = i(10.0, -20.0, 70.0);
        assert_eq!(control_reach(Some(&calm), 40.0), None);
        assert_eq!(control_reach(Some(&wide), 40.0), Some(70.0));
        assert_eq!(control_reach(None, 40.0), None);
        // A control inside the margin changes nothing.
        let small = i(5.0, -20.0, 30.0);
        assert_eq!(
            decide_beside_control(&small, 40.0, Some(&calm)),
            NoDifference
        );
        let clear = i(60.0, 45.0, 80.0);
        assert_eq!(decide_beside_control(&clear, 40.0, Some(&calm)), Holds);
        // One reaching past it: equal cannot be shown, and a difference must clear it.
        assert_eq!(
            decide_beside_control(&small, 40.0, Some(&wide)),
            Inconclusive
        );
        assert_eq!(
            decide_beside_control(&clear, 40.0, Some(&wide)),
            Inconclusive
        );
        let far = i(500.0, 300.0, 700.0);
        assert_eq!(decide_beside_control(&far, 40.0, Some(&wide)), Holds);
        assert_eq!(
            decide_beside_control(&i(-500.0, -700.0, -300.0), 40.0, Some(&wide)),
            TheOpposite
        );
    }

    #[test]
    fn comparisons_combine() {
        use VerdictKind::*;
        assert_eq!(combine(&[Holds, Holds]), Some(Holds));
        assert_eq!(combine(&[NoDifference]), Some(NoDifference));
        assert_eq!(combine(&[Holds, TheOpposite]), Some(HoldsPartly));
        assert_eq!(combine(&[Holds, NoDifference, Holds]), Some(HoldsPartly));
        assert_eq!(combine(&[Holds, Inconclusive]), Some(Inconclusive));
        assert_eq!(combine(&[NoDifference, TheOpposite]), Some(Inconclusive));
        assert_eq!(combine(&[]), None);
    }

    #[test]
    fn figures_read_with_their_interval_and_keep_their_shape_in_json() {
        let f = Figure::of(
            "address-space",
            i(83.2, 75.0, 100.4),
            Unit::NsPerSwitch,
            "process minus thread",
        );
        assert_eq!(f.to_string(), "+83 ns/switch [+75, +100]");
        let json = serde_json::to_value(&f).unwrap();
        for key in ["name", "value", "low", "high", "unit"] {
            assert!(json.get(key).is_some(), "{key} in {json}");
        }
        assert_eq!(json["unit"], "ns-per-switch");
        let back: Figure = serde_json::from_value(json).unwrap();
        assert_eq!(back, f);
        let n = Figure::exact("full-flushes", 1.0, Unit::PerSwitch, "counted");
        assert_eq!(n.to_string(), "1.00 per switch");
        assert_eq!(
            serde_json::to_value(&n).unwrap()["low"],
            serde_json::Value::Null
        );
        assert_eq!(
            Figure::of("n", i(1364.0, 1200.0, 1500.0), Unit::Ratio, "").to_string(),
            "1364x [1200, 1500]"
        );
        let t = Figure::of("t", i(2240.0, 1980.0, 2580.0), Unit::Ns, "");
        assert_eq!(t.to_string(), "2.24 us [1.98, 2.58]");
        let m = Margin {
            value: 42.0,
            unit: Unit::NsPerSwitch,
            what: "2% of a thread switch".into(),
        };
        assert_eq!(m.to_string(), "±42 ns/switch: 2% of a thread switch");
    }
}
