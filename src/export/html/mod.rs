//! The comparison as one self-contained HTML page: inline CSS and SVG, no script, no
//! font or image from anywhere else. Every string that came from an input file is escaped.

mod anatomy;
mod axis;
mod counters;
mod heatmap;
mod permissions;
pub mod plot;
mod ring;
mod summary;
pub mod svg;
mod tables;
mod topology;
mod workset;

use super::escape::html as escape;
use super::footprint;
use super::grouping::{bar_groups, experiments};
use super::inputs::{Problem, Run, SourceKind, CRITERION_NOTE};
use super::Exporter;
use crate::fingerprint::sanitise;
use crate::spec::{BenchId, Experiment, Shown};
use svg::Point;

/// The page's style sheet, as written.
const CSS: &str = include_str!("style.css");

/// The style sheet as the page carries it: one line, without the spaces around its
/// punctuation, and with the runs' bar colours ([`svg::palette_css`]).
fn style_sheet() -> String {
    let mut css = CSS.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in ["{", "}", ":", ";", ","] {
        css = css
            .replace(&format!(" {p}"), p)
            .replace(&format!("{p} "), p);
    }
    css.replace(";}", "}") + &svg::palette_css()
}

fn point(run: &Run, id: BenchId) -> Option<Point> {
    let e = run.entry(id)?;
    Some(Point {
        median: e.summary.median,
        p25: e.summary.p25,
        p75: e.summary.p75,
        valid: e.valid,
        unstable: e.stability.is_unstable(),
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

/// An experiment's bars: one chart per group (a ping-pong's placement).
fn bars(runs: &[Run], exp: Experiment, ids: &[BenchId], labels: &[String]) -> String {
    let mut s = String::new();
    for (group, gids) in bar_groups(ids) {
        let title = if group.is_empty() {
            exp.to_string()
        } else {
            format!("{exp} · {group}")
        };
        let rows: Vec<(String, Vec<Option<Point>>)> = gids
            .iter()
            .map(|&id| {
                // A ping-pong's bar is named by its harness within its placement's
                // chart; any other by its id within the experiment.
                let short = match id {
                    BenchId::PingPong {
                        participants,
                        mechanism,
                        ..
                    } => format!("{participants}-{mechanism}"),
                    _ => id.within_experiment(),
                };
                (short, runs.iter().map(|r| point(r, id)).collect())
            })
            .collect();
        s += &format!(
            r#"<div class="chart">{}</div>"#,
            svg::bar_chart(&title, labels, &rows)
        );
    }
    s
}

fn experiment_section(runs: &[Run], exp: Experiment, ids: &[BenchId]) -> String {
    let labels: Vec<String> = runs.iter().map(|r| r.label.clone()).collect();
    let mut s = format!(
        r#"<section id="exp-{}"><h2>{}</h2>"#,
        sanitise(exp.name()),
        escape(exp.name())
    );
    match exp.shown() {
        Shown::Findings => {
            s += r##"<p class="note">Its curves are under <a href="#findings">findings</a>.</p>"##
        }
        Shown::Table => s += r#"<p class="note">Its figures are in the table below.</p>"#,
        Shown::Bars => s += &bars(runs, exp, ids, &labels),
    }
    s += "<h3>Numbers</h3><p class=\"note\">Median ns per iteration (round trip, lap or \
          call) and its ratio to the first run; below, the p25-p75 range, ns per switch and \
          the indirect cost per switch where known.</p>";
    let finding = exp.shown() == Shown::Findings;
    s += &tables::numbers_table(runs, ids, finding);
    if !finding {
        // The findings' charts set process against thread.
        s += &tables::ratio_table(runs, ids);
    }
    s += &tables::latency_table(runs, ids);
    // The findings' counters: what their claims and their validity read.
    let keep: &[&str] = &[
        crate::counters::events::CONTEXT_SWITCHES,
        crate::counters::events::FULL_FLUSH,
    ];
    s += &counters::counter_table(runs, ids, finding.then_some(keep));
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

/// The curves that show the findings: ns per switch by ring size with the full flushes,
/// and the indirect cost by working-set size on log axes.
fn findings_section(runs: &[Run]) -> String {
    let ring = ring::ring_charts(runs);
    let ws = workset::workset_charts(runs);
    if ring.is_empty() && ws.is_empty() {
        return String::new();
    }
    let mut s = String::from(r#"<section id="findings"><h2>Findings</h2>"#);
    if !ring.is_empty() {
        s += "<h3>Rings: where the TLB is flushed</h3><p class=\"note\">n processes (red) or \
              threads (blue) pass a token round a ring on one CPU; solid: pipe, dashed: futex. \
              The bars (right axis) are the full TLB flushes counted per switch, the mark where a \
              run's rings of processes begin to flush; what a switch costs past it, with its \
              interval, is claim 3's figure in the summary.</p>";
        s += &ring;
    }
    if !ws.is_empty() {
        s += "<h3>Working sets: what refilling the caches costs</h3><p class=\"note\">Each \
              side touches its own buffer between switches; the indirect cost is what those \
              touches cost more than the same touches made without switching, per switch. Both \
              axes are logarithmic; the dashed line is what one switch costs by itself.</p>";
        s += &ws;
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
                    escape(&id),
                    escape(why)
                ),
                Problem::Skipped { id, why } => {
                    format!("<li>{} skipped in {run}: {}</li>", escape(&id), escape(why))
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

/// The whole page: the summary (headline figures, claims matrix), the anatomy of a
/// switch, the findings' curves,
/// the machines, then per experiment its charts and tables, then what was invalid or
/// skipped.
pub struct Html;

impl Exporter for Html {
    type Input = [Run];
    fn render(&self, runs: &[Run]) -> String {
        let exps = experiments(runs);
        let summary = summary::summary_section(runs);
        let anatomy = anatomy::section(runs);
        let findings = findings_section(runs);
        let mut nav = String::from("<nav>");
        if !summary.is_empty() {
            nav += r##"<a href="#summary">summary</a>"##;
        }
        if !anatomy.is_empty() {
            nav += r##"<a href="#anatomy">anatomy</a>"##;
        }
        if !findings.is_empty() {
            nav += r##"<a href="#findings">findings</a>"##;
        }
        nav += r##"<a href="#machines">machines</a>"##;
        for (e, _) in &exps {
            nav += &format!(
                r##"<a href="#exp-{}">{}</a>"##,
                sanitise(e.name()),
                escape(e.name())
            );
        }
        let memory = memory_section(runs);
        if !memory.is_empty() {
            nav += r##"<a href="#memory">memory</a>"##;
        }
        if runs.iter().any(|r| r.permissions.is_some()) {
            nav += r##"<a href="#permissions">permissions</a>"##;
        }
        nav += "</nav>";
        let mut body = format!(
            "<h1>ctxbench: {} run{} compared</h1><p class=\"lead\">What a context switch costs on \
             each machine: first the figures each run comes down to and the verdict on each \
             textbook claim, then the curves that show the findings, then every experiment's \
             numbers (ns per iteration: round trip, lap or call; lower is better). Figures are \
             medians of the kept samples, whiskers span the 25th to the 75th percentile; a \
             result whose samples spread wide or fall in two groups is flagged unstable and \
             drawn as its range. Highlighted machine rows differ between runs.</p>{nav}{}",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" },
            legend(runs)
        );
        if runs.iter().any(|r| r.kind == SourceKind::Criterion) {
            body += &format!(r#"<p class="note">{}</p>"#, escape(CRITERION_NOTE));
        }
        body += &summary;
        body += &anatomy;
        body += &findings;
        body += r#"<section id="machines"><h2>Machines</h2>"#;
        body += &tables::machine_table(runs);
        body += "</section>";
        for (e, ids) in &exps {
            body += &experiment_section(runs, *e, ids);
        }
        body += &memory;
        body += &topology::topology_section(runs);
        body += &permissions::section(runs);
        body += &notes_section(runs);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>ctxbench comparison</title><style>\n{}</style></head><body>{body}\
             <footer>Written by ctxbench {} (<code>ctxbench compare</code>). Self-contained: \
             no scripts, fonts or images from elsewhere.</footer></body></html>\n",
            style_sheet(),
            env!("CARGO_PKG_VERSION")
        )
    }
}
