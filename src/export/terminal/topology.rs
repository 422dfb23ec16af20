//! The topology sweep's table: per class of CPU pair, the futex wake-up round trip beside
//! the cache-line round trip between the same CPUs, and how many times the line the
//! wake-up costs (see [`crate::analysis::topology`]). The pairs themselves are rows of the
//! timing and latency tables above it.

use crate::analysis::topology::{class_rows, pairs_of_outcomes, time, times};
use crate::measure::Outcome;

/// Renders the class table; empty when no class has a pair measured both ways.
pub fn render(outcomes: &[Outcome]) -> String {
    let pairs = pairs_of_outcomes(outcomes);
    let rows = class_rows(&pairs);
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "across the cores: round trips between two pinned threads, by what their CPUs share \
         (medians of single round trips, the cache line's over groups of 16; a class: the \
         median over its pairs)\n",
    );
    out += &format!(
        "{:<14}  {:>5}  {:>11}  {:>11}  {:>13}  {:>13}  {:>12}\n",
        "class",
        "pairs",
        "wake-up p50",
        "wake-up p99",
        "cacheline p50",
        "cacheline p99",
        "wake / line"
    );
    let p99 = |v: Option<f64>| v.map_or("-".to_string(), time);
    for r in &rows {
        out += &format!(
            "{:<14}  {:>5}  {:>11}  {:>11}  {:>13}  {:>13}  {:>12}\n",
            r.class.name(),
            r.pairs,
            time(r.wake_p50_ns),
            p99(r.wake_p99_ns),
            time(r.line_p50_ns),
            p99(r.line_p99_ns),
            times(r.ratio())
        );
    }
    let left: Vec<String> = pairs
        .iter()
        .filter(|p| !matches!((p.futex, p.line), (Some(f), Some(l)) if f.valid && l.valid))
        .map(|p| format!("{}-{}", p.a, p.b))
        .collect();
    if !left.is_empty() {
        out += &format!(
            "not in the table (not measured both ways, or invalid): {}\n",
            left.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::topology::fixtures::{both, pair};
    use crate::spec::Handover;
    use crate::topology::PairClass;

    #[test]
    fn a_row_per_class_with_both_hand_overs() {
        let mut o = [
            both(0, 1, PairClass::SameL3, 48_900, 110),
            both(0, 8, PairClass::CrossPackage, 9_000, 400),
        ]
        .concat();
        o.push(pair(Handover::Futex, 2, 3, PairClass::SameL3, 40_000));
        let t = render(&o);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 5, "{t}");
        assert!(
            lines[1].starts_with("class") && lines[1].ends_with("wake / line"),
            "{t}"
        );
        assert!(lines[2].starts_with("same-l3"), "{t}");
        for v in ["48.9 us", "97.8 us", "110 ns", "220 ns", "445x"] {
            assert!(lines[2].contains(v), "{v} missing: {t}");
        }
        assert!(
            lines[3].starts_with("cross-package") && lines[3].ends_with("22x"),
            "{t}"
        );
        assert_eq!(
            lines[4],
            "not in the table (not measured both ways, or invalid): 2-3"
        );
        assert_eq!(render(&o[4..]), "", "one way only: no row");
    }
}
