//! The counter table of an experiment: a row per id, a column per counter that reads
//! something (or that a claim reads), one value per run stacked in each cell. Counters
//! that read zero everywhere and counters no run could open are folded into a
//! `<details>` below, with the reasons.

use crate::export::escape::html as escape;
use crate::export::grouping::refused_by_reason;
use crate::export::inputs::Run;
use crate::export::sections;
use crate::measure::CounterValue;
use crate::spec::BenchId;

/// A counter value at two decimals, fewer for large ones: `0`, `0.63`, `45.2`, `8906`.
fn short(v: f64) -> String {
    if v.abs() < crate::export::grouping::ZERO {
        return "0".into();
    }
    let places = match v.abs() {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        _ => 2,
    };
    format!("{v:.places$}")
}

/// Whether every measured value of the shown counters has a per-switch figure.
fn all_per_switch(c: &sections::Counters<'_>) -> bool {
    c.rows
        .iter()
        .flat_map(|row| row.values.iter().flatten().flatten())
        .all(|v| {
            !matches!(
                v,
                CounterValue::Measured {
                    per_switch: None,
                    ..
                }
            )
        })
}

/// One run's value: per switch or per iteration, `x` where refused, `-` where missing.
fn value(v: Option<&CounterValue>, per_switch: bool) -> String {
    let Some(v) = v else {
        return "-".into();
    };
    let CounterValue::Measured {
        per_iteration: it,
        per_switch: ps,
        multiplexed,
        ..
    } = v
    else {
        return "x".into();
    };
    let shown = if per_switch { ps.unwrap_or(*it) } else { *it };
    format!("{}{}", short(shown), if *multiplexed { "*" } else { "" })
}

/// A counter name that may wrap after its colons.
fn wrapping(name: &str) -> String {
    escape(name).replace(':', ":<wbr>")
}

/// The counter section of one experiment; empty when no id has counters.
///
/// With `keep`, only those counters are columns; the others that read something are named
/// below the table, their values left to the results files.
pub fn counter_table(runs: &[Run], ids: &[BenchId], keep: Option<&[&str]>) -> String {
    let c = sections::counters(runs, ids, keep);
    let split = &c.split;
    if split.shown.is_empty() && split.zero.is_empty() && split.refused.is_empty() {
        return String::new();
    }
    let mut s = String::from("<h3>Counters</h3>");
    if !split.shown.is_empty() {
        let per_switch = all_per_switch(&c);
        s += &format!(
            "<p class=\"note\">Events per {}, counted in a run of their own; each cell holds \
             one value per run, top to bottom in the order of the legend (x: refused in that \
             run, -: not recorded, *: multiplexed).</p><div class=\"scroll\"><table \
             class=\"counters\"><tr><th>id</th>",
            if per_switch {
                "context switch"
            } else {
                "iteration"
            }
        );
        for n in &split.shown {
            s += &format!("<th>{}</th>", wrapping(n));
        }
        s += "</tr>";
        for row in &c.rows {
            s += &format!("<tr><td>{}</td>", escape(&row.id.to_string()));
            for per_run in &row.values {
                let vals: Vec<String> = per_run.iter().map(|v| value(*v, per_switch)).collect();
                // One line per run: the cells keep their line breaks (`white-space: pre`).
                s += &format!("<td>{}</td>", vals.join("\n"));
            }
            s += "</tr>";
        }
        s += "</table></div>";
    }
    if !c.left.is_empty() {
        let names: Vec<String> = c.left.iter().map(|n| escape(n)).collect();
        s += &format!(
            "<p class=\"note\">Also counted, in the results files: {}.</p>",
            names.join(", ")
        );
    }
    s + &folded(&split.zero, &split.refused)
}

/// Counters that read zero everywhere and counters never opened, folded.
fn folded(zero: &[String], refused: &[(String, Vec<String>)]) -> String {
    if zero.is_empty() && refused.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<details><summary>{} more counter{}: {} read 0 in every run, {} not counted</summary>",
        zero.len() + refused.len(),
        if zero.len() + refused.len() == 1 {
            ""
        } else {
            "s"
        },
        zero.len(),
        refused.len()
    );
    if !zero.is_empty() {
        let names: Vec<String> = zero.iter().map(|n| escape(n)).collect();
        s += &format!(
            "<p class=\"note\">Read 0 for every id in every run: {}.</p>",
            names.join(", ")
        );
    }
    if !refused.is_empty() {
        s += "<ul>";
        for (why, names) in refused_by_reason(refused) {
            s += &format!(
                r#"<li><span class="unsupported">{}: unsupported</span> <small>{}</small></li>"#,
                escape(&names.join(", ")),
                escape(&why)
            );
        }
        s += "</ul>";
    }
    s + "</details>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_short() {
        assert_eq!(short(0.001), "0");
        assert_eq!(short(0.634), "0.63");
        assert_eq!(short(45.23), "45.2");
        assert_eq!(short(8906.2), "8906");
        assert_eq!(
            wrapping("tlb:tlb_flush:full"),
            "tlb:<wbr>tlb_flush:<wbr>full"
        );
        assert_eq!(value(None, true), "-");
    }
}
