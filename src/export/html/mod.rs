//! The comparison as one self-contained HTML page: inline CSS and SVG, no script, no
//! font or image from anywhere else. Every string that came from an input file is escaped.

mod heatmap;
pub mod svg;
mod tables;
mod topology;

use super::escape::html as escape;
use super::footprint;
use super::grouping::{bar_groups, curve_series, experiments, is_curve};
use super::inputs::{Problem, Run, SourceKind, CRITERION_NOTE};
use super::Exporter;
use crate::fingerprint::sanitise;
use svg::Point;

/// The page's style sheet.
const CSS: &str = include_str!("style.css");

fn point(run: &Run, id: &str) -> Option<Point> {
    let e = run.entry(id)?;
    Some(Point {
        median: e.summary.median,
        p25: e.summary.p25,
        p75: e.summary.p75,
        valid: e.valid,
    })
}

fn legend(runs: &[Run]) -> String {
    let mut s = String::from(r#"<p class="legend">Runs:"#);
    for (i, r) in runs.iter().enumerate() {
        s += &format!(
            r#"<span class="sw" style="background:{}"></span>{}"#,
            svg::colour(i),
            escape(&r.label)
        );
    }
    s + "</p>"
}

fn experiment_section(runs: &[Run], exp: &str, ids: &[String]) -> String {
    let labels: Vec<String> = runs.iter().map(|r| r.label.clone()).collect();
    let mut s = format!(
        r#"<section id="exp-{}"><h2>{}</h2>"#,
        sanitise(exp),
        escape(exp)
    );
    if is_curve(ids) {
        // One chart per series, all on the experiment's scale so they compare by eye.
        let all: Vec<Option<Point>> = ids
            .iter()
            .flat_map(|id| runs.iter().map(move |r| point(r, id)))
            .collect();
        let y_max = svg::max_of(all.iter());
        for (series, pts) in curve_series(ids) {
            let xs: Vec<String> = pts.iter().map(|(x, _)| x.clone()).collect();
            let lines: Vec<Vec<Option<Point>>> = runs
                .iter()
                .map(|r| pts.iter().map(|(_, id)| point(r, id)).collect())
                .collect();
            s += &format!(
                r#"<div class="chart">{}</div>"#,
                svg::line_chart(&series, &xs, &labels, &lines, Some(y_max))
            );
        }
    } else {
        for (group, gids) in bar_groups(ids) {
            let title = if group.is_empty() {
                exp.to_string()
            } else {
                format!("{exp} · {group}")
            };
            let rows: Vec<(String, Vec<Option<Point>>)> = gids
                .iter()
                .map(|id| {
                    let short = id
                        .strip_prefix(&format!("{exp}/"))
                        .unwrap_or(id)
                        .strip_suffix(&format!("/{group}"))
                        .unwrap_or(id.strip_prefix(&format!("{exp}/")).unwrap_or(id));
                    (
                        short.to_string(),
                        runs.iter().map(|r| point(r, id)).collect(),
                    )
                })
                .collect();
            s += &format!(
                r#"<div class="chart">{}</div>"#,
                svg::bar_chart(&title, &labels, &rows)
            );
        }
    }
    s += "<h3>Numbers</h3><p class=\"note\">Median ns per iteration (round trip, lap or \
          call) and its ratio to the first run; below, the p25-p75 range, the sample count, \
          ns per switch and switches per iteration where known.</p>";
    s += &tables::numbers_table(runs, ids);
    s += &tables::ratio_table(runs, ids);
    s += &tables::latency_table(runs, ids);
    s += &tables::counter_table(runs, ids);
    s + "</section>"
}

/// Each run's memory per idle task, process against thread (the footprint experiment);
/// empty when no run has it.
fn memory_section(runs: &[Run]) -> String {
    let mut tables = String::new();
    for r in runs {
        let rows = footprint::rows(&footprint::of_run(r));
        if rows.is_empty() {
            continue;
        }
        tables += &format!("<h3>{}</h3><table><tr>", escape(&r.label));
        for h in footprint::HEAD {
            tables += &format!("<th>{}</th>", escape(h));
        }
        tables += "</tr>";
        for [label, cells @ ..] in rows {
            tables += &format!("<tr><td>{}</td>", escape(&label));
            for c in cells {
                tables += &format!(r#"<td class="num">{}</td>"#, escape(&c));
            }
            tables += "</tr>";
        }
        tables += "</table>";
    }
    if tables.is_empty() {
        return tables;
    }
    format!(
        r#"<section id="memory"><h2>Memory per task</h2><p class="note">{}</p>{tables}</section>"#,
        escape(footprint::NOTE)
    )
}

fn verdicts_section(runs: &[Run]) -> String {
    if runs.iter().all(|r| r.verdicts.is_empty()) {
        return String::new();
    }
    let mut s = String::from(r#"<section id="verdicts"><h2>Claims and verdicts</h2>"#);
    for r in runs.iter().filter(|r| !r.verdicts.is_empty()) {
        s += &format!(
            "<h3>{}</h3><table><tr><th>claim</th><th>verdict</th><th>evidence</th></tr>",
            escape(&r.label)
        );
        for [claim, verdict, evidence] in r.verdict_rows().map(|row| row.map(escape)) {
            s += &format!("<tr><td>{claim}</td><td><b>{verdict}</b></td><td>{evidence}</td></tr>");
        }
        s += "</table>";
    }
    s + "</section>"
}

fn notes_section(runs: &[Run]) -> String {
    let mut items = String::new();
    for r in runs {
        let run = escape(&r.label);
        for p in r.problems() {
            items += &match p {
                Problem::Invalid { id, why } => format!(
                    r#"<li><span class="invalid">{} in {run}</span>: {}</li>"#,
                    escape(id),
                    escape(why)
                ),
                Problem::Skipped { id, why } => {
                    format!("<li>{} skipped in {run}: {}</li>", escape(id), escape(why))
                }
            };
        }
    }
    if items.is_empty() {
        String::new()
    } else {
        format!(r#"<section id="notes"><h2>Invalid and skipped</h2><ul>{items}</ul></section>"#)
    }
}

/// The whole page: machines, then per experiment its charts and tables, then the claims
/// and what was invalid or skipped.
pub struct Html;

impl Exporter for Html {
    type Input = [Run];
    fn render(&self, runs: &[Run]) -> String {
        let exps = experiments(runs);
        let mut nav = String::from(r##"<nav><a href="#machines">machines</a>"##);
        for (e, _) in &exps {
            nav += &format!(r##"<a href="#exp-{}">{}</a>"##, sanitise(e), escape(e));
        }
        let memory = memory_section(runs);
        if !memory.is_empty() {
            nav += r##"<a href="#memory">memory</a>"##;
        }
        if runs.iter().any(|r| !r.verdicts.is_empty()) {
            nav += r##"<a href="#verdicts">verdicts</a>"##;
        }
        nav += "</nav>";
        let mut body = format!(
            "<h1>ctxbench: {} run{} compared</h1><p class=\"lead\">What a context switch costs on \
             each machine: ping-pong round trips between two processes or two threads, and the \
             other experiments, in nanoseconds per iteration (lower is better). Bars show the \
             median of the kept samples with a whisker from the 25th to the 75th percentile; \
             highlighted machine rows differ between runs.</p>{nav}{}",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" },
            legend(runs)
        );
        if runs.iter().any(|r| r.kind == SourceKind::Criterion) {
            body += &format!(r#"<p class="note">{}</p>"#, escape(CRITERION_NOTE));
        }
        body += r#"<section id="machines"><h2>Machines</h2>"#;
        body += &tables::machine_table(runs);
        body += "</section>";
        for (e, ids) in &exps {
            body += &experiment_section(runs, e, ids);
        }
        body += &memory;
        body += &topology::topology_section(runs);
        body += &verdicts_section(runs);
        body += &notes_section(runs);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>ctxbench comparison</title><style>\n{CSS}</style></head><body>{body}\
             <footer>Written by ctxbench {} (<code>ctxbench compare</code>). Self-contained: \
             no scripts, fonts or images from elsewhere.</footer></body></html>\n",
            env!("CARGO_PKG_VERSION")
        )
    }
}
