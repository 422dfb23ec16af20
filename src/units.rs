//! How every output writes numbers and sizes: nanoseconds, counter values, byte sizes.
//!
//! One module so that a table, a Markdown report and a chart write the same value the
//! same way, and a change of style is made once. A value that is not a number (`NaN`,
//! infinite) is written `-`, as a missing one is.
//!
//! ```
//! use ctxbench::units;
//! assert_eq!(units::ns(4123.4), "4123");
//! assert_eq!(units::ns(45.23), "45.2");
//! assert_eq!(units::format_size(256 << 10), "256KiB");
//! ```

use crate::error::{Error, Result};

/// `v` with the decimal places of the first `(bound, places)` step whose bound `size`
/// reaches (steps run from the largest bound down), or `rest` places below them all.
fn places(v: f64, size: f64, steps: &[(f64, usize)], rest: usize) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let places = steps
        .iter()
        .find(|(bound, _)| size >= *bound)
        .map_or(rest, |s| s.1);
    format!("{v:.places$}")
}

/// Nanoseconds in a report or a chart: `4123`, `45.2`, `0.810`.
pub fn ns(v: f64) -> String {
    places(v, v.abs(), &[(100.0, 0), (1.0, 1)], 3)
}

/// A duration for people, in three significant figures of ns, us or ms: `905 ns`,
/// `1.56 us`, `54.1 us`, `2.95 ms`, `-14.0 ns`.
pub fn time(ns: f64) -> String {
    if !ns.is_finite() {
        return "-".into();
    }
    let (v, unit) = match ns.abs() {
        a if a >= 1e6 => (ns / 1e6, "ms"),
        a if a >= 1e3 => (ns / 1e3, "us"),
        _ => (ns, "ns"),
    };
    format!("{} {unit}", places(v, v.abs(), &[(100.0, 0), (10.0, 1)], 2))
}

/// A duration for people with at most one decimal, in ns, us or ms: `110 ns`, `48.9 us`,
/// `1.2 ms` (where [`time`] keeps three significant figures: the topology's tables and
/// heatmaps, whose cells are narrow).
pub fn time_short(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{} ms", self::ns(ns / 1e6))
    } else if ns >= 1e3 {
        format!("{} us", self::ns(ns / 1e3))
    } else {
        format!("{} ns", self::ns(ns))
    }
}

/// Nanoseconds in a terminal table column: whole from 100 up, else one decimal (`4123`,
/// `45.2`, `0.8`). The bound is on the value itself, so a negative direct cost keeps its
/// decimal.
pub fn ns_column(v: f64) -> String {
    places(v, v, &[(100.0, 0)], 1)
}

/// A counter value in a report: `8123`, `45.2`, `0.810`.
pub fn count(v: f64) -> String {
    places(v, v.abs(), &[(1000.0, 0), (10.0, 1)], 3)
}

/// A counter value in a narrow terminal column: `0`, `8123`, `2.000`, `0.4400`.
pub fn count_column(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    places(v, v.abs(), &[(100.0, 0), (1.0, 3)], 4)
}

/// Bytes as KiB with one decimal: `48.4`, `-0.5` (memory per task, in tables and
/// verdicts; the unit goes in the heading or after the number).
pub fn kib(bytes: f64) -> String {
    places(bytes / 1024.0, 0.0, &[], 1)
}

/// A value with a fixed number of decimals, `-` when there is none.
pub fn fixed(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.decimals$}"))
}

/// A time given in ns, in the unit that suits it: `27 ns`, `398 ns`, `54.2 us`,
/// `44.1 ms`, `1.20 s`.
pub fn duration(ns_value: f64) -> String {
    if !ns_value.is_finite() {
        return "-".into();
    }
    let (v, unit) = match ns_value.abs() {
        a if a >= 1e9 => (ns_value / 1e9, "s"),
        a if a >= 1e6 => (ns_value / 1e6, "ms"),
        a if a >= 1e4 => (ns_value / 1e3, "us"),
        _ => (ns_value, "ns"),
    };
    let places = if unit == "ns" || v.abs() >= 100.0 {
        0
    } else {
        1
    };
    let places = if unit == "s" { 2 } else { places };
    format!("{v:.places$} {unit}")
}

/// Bytes per second: `812 MiB/s`, `14.2 GiB/s`.
pub fn rate(bytes_per_second: f64) -> String {
    if !bytes_per_second.is_finite() {
        return "-".into();
    }
    let gib = bytes_per_second / (1u64 << 30) as f64;
    if gib >= 1.0 {
        format!("{gib:.1} GiB/s")
    } else {
        format!("{:.0} MiB/s", bytes_per_second / (1u64 << 20) as f64)
    }
}

/// A byte size as ids write it: `0B`, `4KiB`, `32MiB`, or plain bytes (`100B`).
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes % unit == 0 {
            return format!("{}{name}", bytes / unit);
        }
    }
    format!("{bytes}B")
}

/// Parses one size: a whole number with an optional binary unit (`B`, `K`/`KiB`,
/// `M`/`MiB`, `G`/`GiB`; case does not matter).
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad = |why: &str| {
        Error::InvalidInput(format!(
            "working-set size {s:?} {why} (write sizes like 0, 4096, 64KiB or 1MiB)"
        ))
    };
    let n: u64 = num
        .parse()
        .map_err(|_| bad("does not start with a whole number"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        _ => return Err(bad("has an unknown unit")),
    };
    n.checked_mul(mult).ok_or_else(|| bad("is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_rates() {
        assert_eq!(duration(27.4), "27 ns");
        assert_eq!(duration(9999.0), "9999 ns");
        assert_eq!(duration(54_210.0), "54.2 us");
        assert_eq!(duration(166_000.0), "166 us");
        assert_eq!(duration(44_100_000.0), "44.1 ms");
        assert_eq!(duration(1.2e9), "1.20 s");
        assert_eq!(duration(f64::NAN), "-");
        assert_eq!(rate(812.0 * 1048576.0), "812 MiB/s");
        assert_eq!(rate(14.2 * 1073741824.0), "14.2 GiB/s");
        assert_eq!(rate(f64::INFINITY), "-");
    }

    #[test]
    fn nanoseconds() {
        assert_eq!(ns(4123.4), "4123");
        assert_eq!(ns(-150.0), "-150");
        assert_eq!(ns(45.23), "45.2");
        assert_eq!(ns(0.81), "0.810");
        assert_eq!(ns(f64::NAN), "-");
        assert_eq!(ns_column(4123.4), "4123");
        assert_eq!(ns_column(0.81), "0.8");
        assert_eq!(ns_column(-150.31), "-150.3");
        assert_eq!(ns_column(f64::INFINITY), "-");
        assert_eq!(time(905.4), "905 ns");
        assert_eq!(time(-14.0), "-14.0 ns");
        assert_eq!(time(1558.9), "1.56 us");
        assert_eq!(time(54_096.0), "54.1 us");
        assert_eq!(time(214_904.0), "215 us");
        assert_eq!(time(2_945_520.0), "2.95 ms");
        assert_eq!(time(f64::NAN), "-");
    }

    #[test]
    fn counts() {
        assert_eq!(count(8123.4), "8123");
        assert_eq!(count(45.23), "45.2");
        assert_eq!(count(2.0), "2.000");
        assert_eq!(count_column(0.0), "0");
        assert_eq!(count_column(8123.4), "8123");
        assert_eq!(count_column(2.0), "2.000");
        assert_eq!(count_column(0.44), "0.4400");
        assert_eq!(count_column(f64::NAN), "-");
        assert_eq!(fixed(Some(1.0), 2), "1.00");
        assert_eq!(fixed(None, 2), "-");
        assert_eq!(kib(49_561.6), "48.4");
        assert_eq!(kib(-512.0), "-0.5");
        assert_eq!(kib(f64::NAN), "-");
    }

    #[test]
    fn sizes() {
        assert_eq!(format_size(0), "0B");
        assert_eq!(format_size(100), "100B");
        assert_eq!(format_size(4096), "4KiB");
        assert_eq!(format_size(32 << 20), "32MiB");
        assert_eq!(format_size(3 << 30), "3GiB");
        assert_eq!(format_size(1025), "1025B");
    }
}
