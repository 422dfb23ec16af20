//! The comparison as GitHub-flavoured Markdown: for a terminal or a pull request.

use super::{
    counter_names, experiments, fmt_count, fmt_ns, machine_rows, ratios, verdict_field, Run,
};
use crate::measure::CounterValue;

/// Escapes text for a Markdown table cell: no raw HTML, no column breaks, one line.
pub fn cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Cuts a long machine fact (a kernel command line) for a table cell; the HTML report
/// keeps it whole.
fn shorten(s: &str) -> String {
    const MAX: usize = 140;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{} …", s.chars().take(MAX).collect::<String>())
    }
}

fn header(first: &[&str], runs: &[Run]) -> String {
    let mut cols: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    cols.extend(runs.iter().map(|r| cell(&r.label)));
    let mut s = format!("| {} |\n|", cols.join(" | "));
    for (i, _) in cols.iter().enumerate() {
        s += if i < first.len() { "---|" } else { "---:|" };
    }
    s + "\n"
}

/// The whole report.
pub fn render(runs: &[Run]) -> String {
    let mut s = format!(
        "# ctxbench: {} run{} compared\n\nMedian ns per iteration over the kept samples \
         (lower is better), the ratio to the first run, and the p25-p75 range.\n\n## Machines\n\n",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" }
    );
    if runs.iter().any(|r| r.kind == super::SourceKind::Criterion) {
        s = s.replace(
            "## Machines\n\n",
            &format!("{}\n\n## Machines\n\n", super::CRITERION_NOTE),
        );
    }
    s += &header(&[""], runs).replace("---:|", "---|");
    for (name, vals) in machine_rows(runs) {
        let differs = vals.windows(2).any(|w| w[0] != w[1]) && name != "source" && name != "taken";
        let name = if differs {
            format!("**{}**", cell(&name))
        } else {
            cell(&name)
        };
        s += &format!(
            "| {name} | {} |\n",
            vals.iter()
                .map(|v| cell(&shorten(v)))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    for (exp, ids) in experiments(runs) {
        s += &format!("\n## {}\n\n", cell(&exp));
        s += &header(&["id"], runs);
        for id in &ids {
            let first = runs
                .first()
                .and_then(|r| r.entry(id))
                .map(|e| e.summary.median);
            let cells: Vec<String> = runs
                .iter()
                .enumerate()
                .map(|(i, r)| match r.entry(id) {
                    None => "not run".into(),
                    Some(e) => {
                        let rel = match first {
                            Some(f) if i > 0 && f > 0.0 => {
                                format!(" ({:.2}x)", e.summary.median / f)
                            }
                            _ => String::new(),
                        };
                        format!(
                            "{}{rel} [{}-{}]{}",
                            fmt_ns(e.summary.median),
                            fmt_ns(e.summary.p25),
                            fmt_ns(e.summary.p75),
                            if e.valid { "" } else { " **invalid**" }
                        )
                    }
                })
                .collect();
            s += &format!("| {} | {} |\n", cell(id), cells.join(" | "));
        }
        let rs = ratios(runs, &ids);
        if !rs.is_empty() {
            s += "\nProcess / thread (median over median of the thread twin):\n\n";
            s += &header(&["process id"], runs);
            for (p, _, vals) in rs {
                let cells: Vec<String> = vals
                    .iter()
                    .map(|v| v.map_or("-".into(), |v| format!("{v:.2}x")))
                    .collect();
                s += &format!("| {} | {} |\n", cell(&p), cells.join(" | "));
            }
        }
        let names = counter_names(runs, &ids);
        if !names.is_empty() {
            s += "\nCounters (per iteration / per switch):\n\n";
            s += &header(&["id", "counter"], runs);
            for id in &ids {
                for n in &names {
                    let vals: Vec<Option<&CounterValue>> = runs
                        .iter()
                        .map(|r| r.entry(id).and_then(|e| e.counters.get(n)))
                        .collect();
                    if vals.iter().all(Option::is_none) {
                        continue;
                    }
                    let cells: Vec<String> = vals
                        .iter()
                        .map(|v| match v {
                            None => "-".into(),
                            Some(CounterValue::Measured {
                                per_round_trip,
                                per_switch,
                                ..
                            }) => format!(
                                "{} / {}",
                                fmt_count(*per_round_trip),
                                per_switch.map_or("-".into(), fmt_count)
                            ),
                            Some(CounterValue::Unsupported { unsupported }) => {
                                format!("unsupported: {}", cell(unsupported))
                            }
                        })
                        .collect();
                    s += &format!("| {} | {} | {} |\n", cell(id), cell(n), cells.join(" | "));
                }
            }
        }
    }
    let with_verdicts: Vec<&Run> = runs.iter().filter(|r| !r.verdicts.is_empty()).collect();
    if !with_verdicts.is_empty() {
        s += "\n## Claims and verdicts\n";
        for r in with_verdicts {
            s += &format!(
                "\n### {}\n\n| claim | verdict | evidence |\n|---|---|---|\n",
                cell(&r.label)
            );
            for v in &r.verdicts {
                let f = |k| cell(verdict_field(v, k).unwrap_or("-"));
                s += &format!(
                    "| {} | **{}** | {} |\n",
                    f("claim"),
                    f("verdict"),
                    f("evidence")
                );
            }
        }
    }
    let mut notes = String::new();
    for r in runs {
        for e in r.entries.iter().filter(|e| !e.valid) {
            notes += &format!(
                "- {} in {}: invalid: {}\n",
                cell(&e.id),
                cell(&r.label),
                cell(&e.validity)
            );
        }
        for sk in &r.skipped {
            notes += &format!(
                "- {} skipped in {}: {}\n",
                cell(&sk.id),
                cell(&r.label),
                cell(&sk.reason)
            );
        }
    }
    if !notes.is_empty() {
        s += &format!("\n## Invalid and skipped\n\n{notes}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_one_cell() {
        assert_eq!(cell("a|b\nc <x>"), "a\\|b c &lt;x&gt;");
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(300);
        assert_eq!(shorten(&long).chars().count(), 142);
    }
}
