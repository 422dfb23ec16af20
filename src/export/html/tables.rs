//! The tables of the comparison page: machines, medians and process/thread ratios (the
//! counters are in [`super::counters`]).

use super::svg;
use crate::export::escape::html as escape;
use crate::export::grouping::{latency_cell, latency_head};
use crate::export::inputs::{Entry, Run};
use crate::export::machine::machine_rows;
use crate::export::sections::{self, Cell};
use crate::spec::BenchId;
use crate::units::ns;

/// The machine table: a column per run, rows that differ between runs highlighted.
pub fn machine_table(runs: &[Run]) -> String {
    let mut s = String::from(r#"<table class="machines"><tr><th></th>"#);
    for (i, r) in runs.iter().enumerate() {
        s += &format!(
            r#"<th><span style="color:{}">&#9632;</span> {}</th>"#,
            svg::colour(i),
            escape(&r.label)
        );
    }
    s += "</tr>";
    for (name, vals) in machine_rows(runs) {
        let differs = vals.windows(2).any(|w| w[0] != w[1]) && name != "source" && name != "taken";
        let long = name == "kernel command line" || name == "source";
        s += &format!(
            r#"<tr{}><td class="k">{}</td>"#,
            if differs { r#" class="diff""# } else { "" },
            escape(&name)
        );
        for v in vals {
            s += &format!(
                "<td{}>{}</td>",
                if long { r#" class="long""# } else { "" },
                escape(&v)
            );
        }
        s += "</tr>";
    }
    s + "</table>"
}

/// The flag of an unstable result, its reason on hover.
pub fn unstable_tag(e: &Entry) -> String {
    if e.stability.is_unstable() {
        format!(
            r#" <span class="unst-tag" title="{}">unstable</span>"#,
            escape(&e.stability.to_string())
        )
    } else {
        String::new()
    }
}

/// The sample count most entries of `run` among `ids` share (the larger on a tie); the
/// head of the run's column gives it and only cells with another count give their own.
fn common_n(run: &Run, ids: &[BenchId]) -> Option<usize> {
    let mut counts = std::collections::BTreeMap::<usize, usize>::new();
    for e in ids.iter().filter_map(|&id| run.entry(id)) {
        *counts.entry(e.summary.n).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(n, k)| (k, n))
        .map(|(n, _)| n)
}

/// One run's cell of the numbers table; `first` is the first run's median, for the ratio;
/// `head_n`: the sample count the column's head gives (a cell with another gives its own).
fn number_cell(e: &Entry, first: Option<f64>, head_n: Option<usize>, compact: bool) -> String {
    let rel = match first {
        Some(f) if f > 0.0 && !compact => format!(" <i>{:.2}×</i>", e.summary.median / f),
        _ => String::new(),
    };
    let mut details = Vec::new();
    if !compact {
        details.push(format!("{}-{}", ns(e.summary.p25), ns(e.summary.p75)));
    }
    if head_n != Some(e.summary.n) {
        details.push(format!("n={}", e.summary.n));
    }
    if let Some(ps) = e
        .ns_per_switch
        .filter(|_| !compact || e.indirect_ns_per_switch.is_none())
    {
        details.push(format!("{} /switch", ns(ps)));
    }
    if let Some(ind) = e.indirect_ns_per_switch {
        details.push(format!("indirect {}", ns(ind)));
    }
    let mut class = String::from("num");
    if e.stability.is_unstable() {
        class += " unst";
    }
    let mut extra = unstable_tag(e);
    if !e.valid {
        class += " invalid";
        extra += &format!(
            r#" <span class="invalid" title="{}">invalid</span>"#,
            escape(&e.validity)
        );
    }
    // Numbers cells are right-aligned by the table's class; only flags need one here.
    let class = class.trim_start_matches("num").trim();
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(r#" class="{class}""#)
    };
    let details = if details.is_empty() {
        String::new()
    } else {
        format!("<small>{}</small>", details.join(" · "))
    };
    format!(
        "<td{class}>{}{rel}{extra}{details}</td>",
        ns(e.summary.median)
    )
}

/// A cell of the shared sections (see [`sections`]), as the page shows it; `head_n`: the
/// sample count the column's head gives, if any; `compact`: see [`numbers_table`].
fn section_cell(c: &Cell, head_n: Option<usize>, compact: bool) -> String {
    match *c {
        Cell::NotRun => "<td><small>not run</small></td>".to_string(),
        Cell::Entry { entry, first } => number_cell(entry, first, head_n, compact),
        Cell::Ratio {
            value: Some(v),
            unstable: Some(e),
        } => format!(r#"<td class="unst">{v:.2}×{}</td>"#, unstable_tag(e)),
        Cell::Ratio {
            value: Some(v),
            unstable: None,
        } => format!("<td>{v:.2}×</td>"),
        Cell::Ratio { value: None, .. } => "<td><small>-</small></td>".to_string(),
        Cell::Latency(l) => format!("<td>{}</td>", latency_cell(l)),
    }
}

/// The rows of a shared section, the runs' sample counts as `shared` says (see
/// [`numbers_table`]).
fn section_rows(rows: &[sections::Row], shared: &[Option<usize>], compact: bool) -> String {
    let mut s = String::new();
    for r in rows {
        s += &format!("<tr><td>{}</td>", escape(&r.id.to_string()));
        for (c, n) in r.cells.iter().zip(shared) {
            s += &section_cell(c, *n, compact);
        }
        s += "</tr>";
    }
    s
}

/// The head of a table with a column per run, after `first`.
fn run_head(first: &str, runs: &[Run]) -> String {
    let mut s = format!(r#"<table class="n"><tr><th>{first}</th>"#);
    for r in runs {
        s += &format!("<th>{}</th>", escape(&r.label));
    }
    s + "</tr>"
}

/// Medians with the ratio to the first run; below each, the p25-p75 range, the sample
/// count (the one most of a run's cells share in the head, any other in its cell), ns per switch and the indirect
/// cost per switch where known.
/// Unstable and invalid results are flagged. `compact` (the findings, whose charts carry
/// the rest) keeps the median and the cost per switch alone.
pub fn numbers_table(runs: &[Run], ids: &[BenchId], compact: bool) -> String {
    let mut s = String::from(r#"<table class="numbers"><tr><th>id</th>"#);
    let shared: Vec<Option<usize>> = runs.iter().map(|r| common_n(r, ids)).collect();
    for (r, n) in runs.iter().zip(&shared) {
        let n = n.map_or_else(String::new, |n| format!(" <small>n={n}</small>"));
        s += &format!("<th>{}{n}</th>", escape(&r.label));
    }
    s += "</tr>";
    s += &section_rows(&sections::numbers(runs, ids), &shared, compact);
    s + "</table>"
}

/// Process over thread medians, where an id has a thread twin; empty when none has. A
/// ratio with an unstable side is greyed and flagged: its medians mean little.
pub fn ratio_table(runs: &[Run], ids: &[BenchId]) -> String {
    let rows = sections::process_thread(runs, ids);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<h3>Process / thread</h3><p class=\"note\">Median of the process benchmark over \
         the median of its thread twin (same mechanism, same placement): above 1 is what \
         the separate address space costs. The twin is the same id with <code>thread-</code> \
         for <code>process-</code>.</p>",
    );
    s += &run_head("process id", runs);
    s += &section_rows(&rows, &vec![None; runs.len()], false);
    s + "</table>"
}

/// Percentiles of single round trips (the tails pass of cross-CPU and unpinned
/// ping-pongs), one row per id that has them; empty when none has.
pub fn latency_table(runs: &[Run], ids: &[BenchId]) -> String {
    let rows = sections::latency(runs, ids);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<h3>Wake-up latency</h3><p class=\"note\">Off one CPU a round trip is two wake-ups \
         of another CPU, and single round trips vary far more than batch medians show: a \
         pass of its own times each round trip alone. {} in ns.</p>",
        latency_head()
    );
    s += &run_head("id", runs);
    s += &section_rows(&rows, &vec![None; runs.len()], false);
    s + "</table>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::grouping::tails_run;
    use crate::measure::tails::EXAMPLE;

    #[test]
    fn the_latency_table_has_the_ids_timed_one_by_one() {
        let runs = [tails_run("a <1>", Some(EXAMPLE))];
        let ids: Vec<BenchId> = runs[0].entries.iter().map(|e| e.id).collect();
        let t = latency_table(&runs, &ids);
        assert!(t.contains("<th>a &lt;1&gt;</th>"), "{t}");
        assert!(t.contains("<td>pingpong/thread-pipe/cross-cpu</td>"), "{t}");
        assert!(t.contains("2310000</td>") && !t.contains("same-cpu"), "{t}");
        assert_eq!(latency_table(&[tails_run("b", None)], &ids), "");
        let page = crate::export::Exporter::render(&crate::export::html::Html, &runs[..]);
        assert!(page.contains("<h3>Wake-up latency</h3>"));
    }
}
