//! The top of the page: the headline figures per run, then the claims x runs matrix with
//! each verdict and its key figure, the evidence in full folded below it.

use super::svg;
use crate::analysis::claims::VerdictKind;
use crate::export::escape::html as escape;
use crate::export::inputs::Run;
use crate::export::summary::{claim_matrix, headline_rows, ClaimRow};

/// The class that colours a verdict.
fn verdict_class(k: &VerdictKind) -> &'static str {
    match k {
        VerdictKind::Holds => "v-ok",
        VerdictKind::HoldsPartly | VerdictKind::NoDifference => "v-part",
        VerdictKind::DoesNotHold | VerdictKind::TheOpposite => "v-no",
        VerdictKind::Inconclusive | VerdictKind::NotMeasured | VerdictKind::Other(_) => "v-na",
    }
}

/// A verdict as a coloured badge.
fn badge(k: &VerdictKind) -> String {
    let text = match k {
        VerdictKind::Other(s) if s.is_empty() => "no verdict".to_string(),
        k => k.to_string(),
    };
    format!(
        r#"<span class="v {}">{}</span>"#,
        verdict_class(k),
        escape(&text)
    )
}

/// The head row of a table with a column per run.
fn head(first: &str, runs: &[Run]) -> String {
    let mut s = format!("<tr><th>{first}</th>");
    for (i, r) in runs.iter().enumerate() {
        s += &format!(
            r#"<th><span style="color:{}">&#9632;</span> {}</th>"#,
            svg::colour(i),
            escape(&r.label)
        );
    }
    s + "</tr>"
}

/// The headline table: a row per figure, a column per run.
fn headline(runs: &[Run]) -> String {
    let rows = headline_rows(runs);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from(r#"<table class="summary">"#);
    s += &head("", runs);
    for row in rows {
        s += &format!(
            "<tr><th>{}<small>{}</small></th>",
            escape(row.what),
            escape(row.how)
        );
        for c in row.cells {
            let flag = if c.unstable {
                r#" <span class="unst-tag" title="its samples spread wide or fall in two groups: the median means little">unstable</span>"#
            } else {
                ""
            };
            s += &format!(
                "<td{}><b>{}</b>{flag}<small>{}</small></td>",
                if c.unstable { r#" class="unst""# } else { "" },
                escape(&c.main),
                escape(&c.detail)
            );
        }
        s += "</tr>";
    }
    s + "</table>"
}

/// The matrix: a row per claim, in each run's column its verdict and key figure.
fn matrix(runs: &[Run], rows: &[ClaimRow]) -> String {
    let mut s = String::from(r#"<h3>Claims</h3><table class="claims">"#);
    s += &head("claim", runs);
    for (i, row) in rows.iter().enumerate() {
        s += &format!("<tr><td>{}. {}</td>", i + 1, escape(&row.claim));
        for c in &row.cells {
            s += &match c {
                Some(c) => format!(
                    "<td>{}<small>{}</small></td>",
                    badge(&c.kind),
                    escape(&c.key)
                ),
                None => r#"<td><span class="v v-na">not judged</span></td>"#.to_string(),
            };
        }
        s += "</tr>";
    }
    s + "</table>"
}

/// Every claim's evidence in full, claim by claim, folded.
fn evidence(runs: &[Run], rows: &[ClaimRow]) -> String {
    let mut s =
        String::from("<details><summary>The evidence in full, claim by claim</summary><ol>");
    for row in rows {
        s += &format!("<li><b>{}</b><ul>", escape(&row.claim));
        for (r, c) in runs.iter().zip(&row.cells) {
            if let Some(c) = c {
                s += &format!(
                    "<li>{}: {} {}</li>",
                    escape(&r.label),
                    badge(&c.kind),
                    escape(&c.evidence)
                );
            }
        }
        s += "</ul></li>";
    }
    s + "</ol></details>"
}

/// The summary section; empty when there is neither a headline figure nor a verdict.
pub fn summary_section(runs: &[Run]) -> String {
    let head = headline(runs);
    let claims = claim_matrix(runs);
    if head.is_empty() && claims.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        r#"<section id="summary"><h2>Summary</h2><p class="note">The figures each run comes down to, from its valid results (medians; a figure marked <span class="unst-tag">unstable</span> rests on samples that spread wide or fall in two groups). Then each textbook claim, the verdict on it per machine and the figure it rests on.</p>"#,
    );
    s += &head;
    if !claims.is_empty() {
        s += &matrix(runs, &claims);
        s += &evidence(runs, &claims);
    }
    s + "</section>"
}
