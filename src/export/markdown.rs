//! The comparison as GitHub-flavoured Markdown: for a terminal or a pull request.

use super::escape::markdown_cell as cell;
use super::grouping::{counter_names, experiments, ratios};
use super::inputs::{Problem, Run, SourceKind, CRITERION_NOTE};
use super::machine::machine_rows;
use super::Exporter;
use crate::measure::CounterValue;
use crate::units::{count, ns};

/// Runs side by side as Markdown tables: machines, then per experiment the medians, the
/// process/thread ratios and the counters, then the claims and what was invalid or
/// skipped.
pub struct Markdown;

impl Exporter for Markdown {
    type Input = [Run];
    fn render(&self, runs: &[Run]) -> String {
        let mut s = intro(runs);
        s += &machines(runs);
        for (exp, ids) in experiments(runs) {
            s += &format!("\n## {}\n\n", cell(&exp));
            s += &numbers(runs, &ids);
            s += &process_thread(runs, &ids);
            s += &counters(runs, &ids);
        }
        s += &verdicts(runs);
        s += &guard(runs);
        s + &notes(runs)
    }
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

/// A table head: the `first` columns left-aligned, then one right-aligned column a run.
fn header(first: &[&str], runs: &[Run]) -> String {
    let mut cols: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    cols.extend(runs.iter().map(|r| cell(&r.label)));
    let mut s = format!("| {} |\n|", cols.join(" | "));
    for (i, _) in cols.iter().enumerate() {
        s += if i < first.len() { "---|" } else { "---:|" };
    }
    s + "\n"
}

fn intro(runs: &[Run]) -> String {
    let mut s = format!(
        "# ctxbench: {} run{} compared\n\nMedian ns per iteration over the kept samples \
         (lower is better), the ratio to the first run, and the p25-p75 range.\n\n",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" }
    );
    if runs.iter().any(|r| r.kind == SourceKind::Criterion) {
        s += &format!("{CRITERION_NOTE}\n\n");
    }
    s + "## Machines\n\n"
}

/// The machine table, rows that differ between runs in bold.
fn machines(runs: &[Run]) -> String {
    let mut s = header(&[""], runs).replace("---:|", "---|");
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
    s
}

/// Medians with the ratio to the first run and the p25-p75 range, one row per id.
fn numbers(runs: &[Run], ids: &[String]) -> String {
    let mut s = header(&["id"], runs);
    for id in ids {
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
                        ns(e.summary.median),
                        ns(e.summary.p25),
                        ns(e.summary.p75),
                        if e.valid { "" } else { " **invalid**" }
                    )
                }
            })
            .collect();
        s += &format!("| {} | {} |\n", cell(id), cells.join(" | "));
    }
    s
}

/// Process over thread medians, where an id has a thread twin.
fn process_thread(runs: &[Run], ids: &[String]) -> String {
    let rs = ratios(runs, ids);
    if rs.is_empty() {
        return String::new();
    }
    let mut s = String::from("\nProcess / thread (median over median of the thread twin):\n\n");
    s += &header(&["process id"], runs);
    for (p, _, vals) in rs {
        let cells: Vec<String> = vals
            .iter()
            .map(|v| v.map_or("-".into(), |v| format!("{v:.2}x")))
            .collect();
        s += &format!("| {} | {} |\n", cell(&p), cells.join(" | "));
    }
    s
}

fn counter_cell(v: Option<&CounterValue>) -> String {
    match v {
        None => "-".into(),
        Some(CounterValue::Measured {
            per_round_trip,
            per_switch,
            ..
        }) => format!(
            "{} / {}",
            count(*per_round_trip),
            per_switch.map_or("-".into(), count)
        ),
        Some(CounterValue::Unsupported { unsupported }) => {
            format!("unsupported: {}", cell(unsupported))
        }
    }
}

/// Counter values per iteration and per switch, one row per id and counter.
fn counters(runs: &[Run], ids: &[String]) -> String {
    let names = counter_names(runs, ids);
    if names.is_empty() {
        return String::new();
    }
    let mut s = String::from("\nCounters (per iteration / per switch):\n\n");
    s += &header(&["id", "counter"], runs);
    for id in ids {
        for n in &names {
            let vals: Vec<Option<&CounterValue>> = runs
                .iter()
                .map(|r| r.entry(id).and_then(|e| e.counters.get(n)))
                .collect();
            if vals.iter().all(Option::is_none) {
                continue;
            }
            let cells: Vec<String> = vals.into_iter().map(counter_cell).collect();
            s += &format!("| {} | {} | {} |\n", cell(id), cell(n), cells.join(" | "));
        }
    }
    s
}

/// Each run's verdicts on the textbook claims.
fn verdicts(runs: &[Run]) -> String {
    let with_verdicts: Vec<&Run> = runs.iter().filter(|r| !r.verdicts.is_empty()).collect();
    if with_verdicts.is_empty() {
        return String::new();
    }
    let mut s = String::from("\n## Claims and verdicts\n");
    for r in with_verdicts {
        s += &format!(
            "\n### {}\n\n| claim | verdict | evidence |\n|---|---|---|\n",
            cell(&r.label)
        );
        for [claim, verdict, evidence] in r.verdict_rows().map(|row| row.map(cell)) {
            s += &format!("| {claim} | **{verdict}** | {evidence} |\n");
        }
    }
    s
}

/// Each run's guard facts: who the kernel let read whose memory.
fn guard(runs: &[Run]) -> String {
    let mut s = String::new();
    for r in runs {
        let Some(g) = &r.guard else { continue };
        if s.is_empty() {
            s += "\n## Who may read whose memory\n";
        }
        s += &format!(
            "\n### {}\n\n{}\n\n| reader | target |",
            cell(&r.label),
            cell(&g.yama_note())
        );
        for w in crate::spec::GUARD_WAYS {
            s += &format!(" {} |", cell(w.label()));
        }
        s += "\n|---|---|---|---|---|\n";
        for row in g.rows() {
            s += &format!("| {} | {} |", cell(&row.reader), cell(&row.target));
            for a in &row.answers {
                s += &format!(" {} |", cell(a));
            }
            s += "\n";
        }
        for n in &g.not_tried {
            s += &format!("\nnot tried: {}\n", cell(n));
        }
    }
    s
}

/// What was invalid or skipped, and why.
fn notes(runs: &[Run]) -> String {
    let mut notes = String::new();
    for r in runs {
        let run = cell(&r.label);
        for p in r.problems() {
            notes += &match p {
                Problem::Invalid { id, why } => {
                    format!("- {} in {run}: invalid: {}\n", cell(id), cell(why))
                }
                Problem::Skipped { id, why } => {
                    format!("- {} skipped in {run}: {}\n", cell(id), cell(why))
                }
            };
        }
    }
    if notes.is_empty() {
        notes
    } else {
        format!("\n## Invalid and skipped\n\n{notes}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_facts_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(300);
        assert_eq!(shorten(&long).chars().count(), 142);
    }
}
