//! The comparison as GitHub-flavoured Markdown: for a terminal or a pull request.

use super::escape::markdown_cell as cell;
use super::footprint;
use super::grouping::{experiments, latency_cell, latency_head, refused_by_reason};
use super::inputs::{Entry, Problem, Run, SourceKind, CRITERION_NOTE};
use super::machine::machine_rows;
use super::sections::{self, Cell};
use super::summary::{claim_matrix, headline_rows};
use super::Exporter;
use crate::measure::CounterValue;
use crate::spec::BenchId;
use crate::units::{count, ns};

/// Runs side by side as Markdown tables: the headline figures and the claims matrix,
/// the machines, then per experiment the medians, the process/thread ratios and the
/// counters, then what was invalid or skipped.
pub struct Markdown;

impl Exporter for Markdown {
    type Input = [Run];
    fn render(&self, runs: &[Run]) -> String {
        let mut s = intro(runs);
        s += &summary(runs);
        s += &verdicts(runs);
        s += "\n## Machines\n\n";
        s += &machines(runs);
        for (exp, ids) in experiments(runs) {
            s += &format!("\n## {}\n\n", cell(exp.name()));
            s += &numbers(runs, &ids);
            s += &process_thread(runs, &ids);
            s += &latency(runs, &ids);
            s += &counters(runs, &ids);
        }
        s += &memory(runs);
        s += &permissions(runs);
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

/// A table head whose columns are all left-aligned text.
fn text_header(first: &str, runs: &[Run]) -> String {
    header(&[first], runs).replace("---:|", "---|")
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
    s
}

/// ` (unstable)` for an unstable entry.
fn unstable(e: &Entry) -> &'static str {
    if e.stability.is_unstable() {
        " (unstable)"
    } else {
        ""
    }
}

/// The headline figures, a column per run.
fn summary(runs: &[Run]) -> String {
    let rows = headline_rows(runs);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = format!("## Summary\n\n{}", text_header("figure", runs));
    for row in rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| {
                let flag = if c.unstable { " (unstable)" } else { "" };
                format!("**{}**{flag}<br>{}", cell(&c.main), cell(&c.detail))
            })
            .collect();
        s += &format!(
            "| {}<br>{} | {} |\n",
            cell(row.what),
            cell(row.how),
            cells.join(" | ")
        );
    }
    s
}

/// The machine table, rows that differ between runs in bold.
fn machines(runs: &[Run]) -> String {
    let mut s = text_header("", runs);
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

/// A cell of the shared sections (see [`sections`]), as Markdown shows it.
fn section_cell(c: &Cell) -> String {
    match *c {
        Cell::NotRun => "not run".into(),
        Cell::Entry { entry: e, first } => {
            let rel = match first {
                Some(f) if f > 0.0 => format!(" ({:.2}x)", e.summary.median / f),
                _ => String::new(),
            };
            format!(
                "{}{rel} [{}-{}]{}{}",
                ns(e.summary.median),
                ns(e.summary.p25),
                ns(e.summary.p75),
                unstable(e),
                if e.valid { "" } else { " **invalid**" }
            )
        }
        Cell::Ratio { value, unstable: u } => {
            value.map_or("-".into(), |v| format!("{v:.2}x{}", u.map_or("", unstable)))
        }
        Cell::Latency(l) => latency_cell(l),
    }
}

/// The rows of a shared section as a table body.
fn section_rows(rows: &[sections::Row]) -> String {
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r.cells.iter().map(section_cell).collect();
            format!("| {} | {} |\n", cell(&r.id.to_string()), cells.join(" | "))
        })
        .collect()
}

/// Medians with the ratio to the first run and the p25-p75 range, one row per id.
fn numbers(runs: &[Run], ids: &[BenchId]) -> String {
    header(&["id"], runs) + &section_rows(&sections::numbers(runs, ids))
}

/// Process over thread medians, where an id has a thread twin.
fn process_thread(runs: &[Run], ids: &[BenchId]) -> String {
    let rows = sections::process_thread(runs, ids);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from("\nProcess / thread (median over median of the thread twin):\n\n");
    s += &header(&["process id"], runs);
    s + &section_rows(&rows)
}

/// Percentiles of single round trips (the tails pass), one row per id that has them.
fn latency(runs: &[Run], ids: &[BenchId]) -> String {
    let rows = sections::latency(runs, ids);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "\nWake-up latency, single round trips timed one by one ({}, ns):\n\n",
        latency_head()
    );
    s += &header(&["id"], runs);
    s + &section_rows(&rows)
}

fn counter_cell(v: Option<&CounterValue>) -> String {
    match v {
        None => "-".into(),
        Some(CounterValue::Measured {
            per_iteration,
            per_switch,
            ..
        }) => format!(
            "{} / {}",
            count(*per_iteration),
            per_switch.map_or("-".into(), count)
        ),
        Some(CounterValue::Unsupported { unsupported }) => {
            format!("unsupported: {}", cell(unsupported))
        }
    }
}

/// Counter values per iteration and per switch, one row per id and counter that reads
/// something (or that a claim reads); the others named once below.
fn counters(runs: &[Run], ids: &[BenchId]) -> String {
    let c = sections::counters(runs, ids, None);
    let split = &c.split;
    let mut s = String::new();
    if !split.shown.is_empty() {
        s += "\nCounters (per iteration / per switch):\n\n";
        s += &header(&["id", "counter"], runs);
    }
    for row in &c.rows {
        for (n, vals) in split.shown.iter().zip(&row.values) {
            if vals.iter().all(Option::is_none) {
                continue;
            }
            let cells: Vec<String> = vals.iter().map(|v| counter_cell(*v)).collect();
            s += &format!(
                "| {} | {} | {} |\n",
                cell(&row.id.to_string()),
                cell(n),
                cells.join(" | ")
            );
        }
    }
    if !split.zero.is_empty() {
        s += &format!(
            "\nRead 0 for every id in every run: {}.\n",
            cell(&split.zero.join(", "))
        );
    }
    for (why, names) in refused_by_reason(&split.refused) {
        s += &format!(
            "\nNot counted: {} (unsupported: {}).\n",
            cell(&names.join(", ")),
            cell(&why)
        );
    }
    s
}

/// Each run's memory per idle task, process against thread (the footprint experiment).
fn memory(runs: &[Run]) -> String {
    let mut s = String::new();
    for r in runs {
        let rows = footprint::rows(&footprint::of_run(r));
        if rows.is_empty() {
            continue;
        }
        let head = footprint::HEAD.map(cell);
        s += &format!(
            "\n### {}\n\n| {} |\n|---|---:|---:|---:|\n",
            cell(&r.label),
            head.join(" | ")
        );
        for row in rows {
            s += &format!("| {} |\n", row.map(|c| cell(&c)).join(" | "));
        }
    }
    if s.is_empty() {
        return s;
    }
    format!("\n## Memory per task\n\n{}\n{s}", footprint::NOTE)
}

/// The claims x runs matrix: each claim's verdict and key figure per run, then the
/// evidence in full, claim by claim.
fn verdicts(runs: &[Run]) -> String {
    let rows = claim_matrix(runs);
    if rows.is_empty() {
        return String::new();
    }
    let head = text_header("claim", runs);
    let mut s = format!("\n## Claims and verdicts\n\n{head}");
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| match c {
                Some(c) => format!("**{}**: {}", cell(&c.kind.to_string()), cell(&c.key)),
                None => "not judged".into(),
            })
            .collect();
        s += &format!(
            "| {}. {} | {} |\n",
            i + 1,
            cell(&row.claim),
            cells.join(" | ")
        );
    }
    s += "\nThe evidence in full:\n";
    for (i, row) in rows.iter().enumerate() {
        s += &format!("\n{}. {}\n", i + 1, cell(&row.claim));
        for (r, c) in runs.iter().zip(&row.cells) {
            if let Some(c) = c {
                s += &format!(
                    "   - {}: **{}**: {}\n",
                    cell(&r.label),
                    cell(&c.kind.to_string()),
                    cell(&c.evidence)
                );
            }
        }
    }
    s
}

/// Each run's permission facts: who the kernel let read whose memory.
fn permissions(runs: &[Run]) -> String {
    let mut s = String::new();
    for r in runs {
        let Some(g) = &r.permissions else { continue };
        if s.is_empty() {
            s += "\n## Who may read whose memory\n";
        }
        s += &format!(
            "\n### {}\n\n{}\n\n| reader | target |",
            cell(&r.label),
            cell(&g.yama_note())
        );
        for w in crate::spec::READ_WAYS {
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
                    format!("- {} in {run}: invalid: {}\n", cell(&id), cell(why))
                }
                Problem::Skipped { id, why } => {
                    format!("- {} skipped in {run}: {}\n", cell(&id), cell(why))
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
    fn cross_cpu_ids_get_a_latency_table() {
        use crate::export::grouping::tails_run;
        use crate::measure::tails::EXAMPLE;
        let runs = [tails_run("a", Some(EXAMPLE)), tails_run("b", None)];
        let md = Markdown.render(&runs);
        let table = md.split("Wake-up latency").nth(1).expect("a latency table");
        assert!(
            table.contains("| pingpong/thread-pipe/cross-cpu | 51200 / 60100"),
            "{md}"
        );
        assert!(!table.contains("same-cpu |"), "{md}");
        assert!(!Markdown.render(&runs[1..]).contains("Wake-up latency"));
    }

    #[test]
    fn long_facts_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(300);
        assert_eq!(shorten(&long).chars().count(), 142);
    }
}
