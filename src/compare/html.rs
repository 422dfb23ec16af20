//! The comparison as one self-contained HTML page: inline CSS and SVG, no script, no
//! font or image from anywhere else. Every string that came from an input file is escaped.

use std::collections::BTreeMap;

use super::svg::{self, Point};
use super::{
    bar_groups, counter_names, curve_series, experiments, fmt_count, fmt_ns, is_curve,
    machine_rows, ratios, verdict_field, Run,
};
use crate::fingerprint::sanitise;
use crate::measure::CounterValue;

/// Escapes text for HTML content and attribute values. The letters `http` are written
/// with an entity for the `h`: the page renders the same, and no text from an input file
/// can read as a link or a reference to fetch.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&#39;",
            'h' | 'H'
                if s.as_bytes()
                    .get(i..i + 4)
                    .is_some_and(|b| b.eq_ignore_ascii_case(b"http")) =>
            {
                out += &format!("&#{};", c as u32)
            }
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --fg:#1d2127; --muted:#5b6470; --line:#d8dde3; --band:#f4f6f8; --bad:#b3261e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--fg); margin: 0 auto; padding: 24px 28px 60px; max-width: 1180px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 6px; }
p.lead, p.note { color: var(--muted); margin: 4px 0 10px; max-width: 900px; }
nav { margin: 10px 0 0; color: var(--muted); }
nav a { color: inherit; margin-right: 12px; }
.legend span.sw { display: inline-block; width: 12px; height: 12px; margin: 0 5px -1px 12px; border-radius: 2px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td:first-child { white-space: nowrap; }
table.machines td:first-child { white-space: normal; }
td.nowrap { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td small, li small { color: var(--muted); }
tr.diff td.k { font-weight: 600; }
tr.diff td { background: #fff8e6; }
table.machines td { max-width: 360px; overflow-wrap: anywhere; }
table.machines td.long { font-size: 11.5px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.invalid { color: var(--bad); }
.unsupported { color: var(--muted); font-style: italic; }
.chart { overflow-x: auto; margin: 10px 0 4px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--fg); }
svg text.title { font-size: 14px; font-weight: 600; }
svg text.tick, svg text.na { fill: var(--muted); font-size: 11px; }
svg text.val { font-size: 11px; font-variant-numeric: tabular-nums; }
svg text.lg { font-size: 12px; }
svg .grid { stroke: #e6e9ed; stroke-width: 1; }
svg .axis { stroke: #8a939e; stroke-width: 1; }
svg .band { fill: #f7f8fa; }
svg .whisker { stroke: #1d2127; stroke-width: 1.3; fill: none; }
.verdict-box { border-left: 4px solid var(--line); padding: 2px 12px; margin: 8px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"#;

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

fn machine_table(runs: &[Run]) -> String {
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

fn numbers_table(runs: &[Run], ids: &[String]) -> String {
    let mut s = String::from("<table><tr><th>id</th>");
    for r in runs {
        s += &format!("<th>{}</th>", escape(&r.label));
    }
    s += "</tr>";
    for id in ids {
        s += &format!("<tr><td>{}</td>", escape(id));
        let first = runs
            .first()
            .and_then(|r| r.entry(id))
            .map(|e| e.summary.median);
        for (i, r) in runs.iter().enumerate() {
            match r.entry(id) {
                None => s += r#"<td class="num"><small>not run</small></td>"#,
                Some(e) => {
                    let rel = match first {
                        Some(f) if i > 0 && f > 0.0 => {
                            format!(" <small>{:.2}&times;</small>", e.summary.median / f)
                        }
                        _ => String::new(),
                    };
                    let mut details = vec![
                        format!("{}-{}", fmt_ns(e.summary.p25), fmt_ns(e.summary.p75)),
                        format!("n={}", e.summary.n),
                    ];
                    if let Some(ps) = e.ns_per_switch {
                        details.push(format!("{} ns/switch", fmt_ns(ps)));
                    }
                    if let Some(sw) = e.switches_per_iter {
                        details.push(format!("{sw:.2} sw/iter"));
                    }
                    let mut extra = format!("<br><small>{}</small>", details.join(" · "));
                    if !e.valid {
                        extra += &format!(
                            r#"<br><span class="invalid" title="{}">invalid</span>"#,
                            escape(&e.validity)
                        );
                    }
                    s += &format!(
                        r#"<td class="num{}">{}{rel}{extra}</td>"#,
                        if e.valid { "" } else { " invalid" },
                        fmt_ns(e.summary.median)
                    );
                }
            }
        }
        s += "</tr>";
    }
    s + "</table>"
}

fn ratio_table(runs: &[Run], ids: &[String]) -> String {
    let rows = ratios(runs, ids);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<h3>Process / thread</h3><p class=\"note\">Median of the process benchmark over \
         the median of its thread twin (same mechanism, same placement): above 1 is what \
         the separate address space costs. The twin is the same id with <code>thread-</code> \
         for <code>process-</code>.</p><table><tr><th>process id</th>",
    );
    for r in runs {
        s += &format!("<th>{}</th>", escape(&r.label));
    }
    s += "</tr>";
    for (p, _, vals) in rows {
        s += &format!("<tr><td>{}</td>", escape(&p));
        for v in vals {
            s += &match v {
                Some(v) => format!(r#"<td class="num">{v:.2}&times;</td>"#),
                None => r#"<td class="num"><small>-</small></td>"#.to_string(),
            };
        }
        s += "</tr>";
    }
    s + "</table>"
}

/// Counter tables: counters that some run measured get rows (id x counter, one column per
/// run); counters no run could open are listed once with their reasons.
fn counter_table(runs: &[Run], ids: &[String]) -> String {
    let names = counter_names(runs, ids);
    if names.is_empty() {
        return String::new();
    }
    let mut never: Vec<(String, Vec<String>)> = Vec::new();
    let mut measured = Vec::new();
    for n in &names {
        // Each distinct reason with the runs that gave it.
        let mut reasons: Vec<(String, Vec<String>)> = Vec::new();
        let mut any = false;
        for r in runs {
            for id in ids {
                match r.entry(id).and_then(|e| e.counters.get(n)) {
                    Some(CounterValue::Measured { .. }) => any = true,
                    Some(CounterValue::Unsupported { unsupported }) => {
                        match reasons.iter_mut().find(|(why, _)| why == unsupported) {
                            Some((_, who)) if who.contains(&r.label) => {}
                            Some((_, who)) => who.push(r.label.clone()),
                            None => reasons.push((unsupported.clone(), vec![r.label.clone()])),
                        }
                    }
                    None => {}
                }
            }
        }
        let reasons: Vec<String> = if reasons.len() == 1 {
            vec![reasons[0].0.clone()]
        } else {
            reasons
                .into_iter()
                .map(|(why, who)| format!("{why} ({})", who.join(", ")))
                .collect()
        };
        if any {
            measured.push(n.clone());
        } else {
            never.push((n.clone(), reasons));
        }
    }
    let mut s = String::from("<h3>Counters</h3>");
    if !measured.is_empty() {
        s += "<p class=\"note\">Events per iteration, and per context switch where the \
              iteration has a known switch count; counted in a run of their own.</p>\
              <table><tr><th>id</th><th>counter</th>";
        for r in runs {
            s += &format!("<th>{}</th>", escape(&r.label));
        }
        s += "</tr>";
        let mut notes: BTreeMap<String, usize> = BTreeMap::new();
        for id in ids {
            let present: Vec<&String> = measured
                .iter()
                .filter(|n| {
                    runs.iter()
                        .any(|r| r.entry(id).is_some_and(|e| e.counters.contains_key(*n)))
                })
                .collect();
            for (k, n) in present.iter().enumerate() {
                s += "<tr>";
                if k == 0 {
                    s += &format!(r#"<td rowspan="{}">{}</td>"#, present.len(), escape(id));
                }
                s += &format!(r#"<td class="nowrap">{}</td>"#, escape(n));
                for r in runs {
                    s += &match r.entry(id).and_then(|e| e.counters.get(*n)) {
                        None => r#"<td class="num"><small>-</small></td>"#.to_string(),
                        Some(CounterValue::Measured {
                            per_round_trip,
                            per_switch,
                            multiplexed,
                            ..
                        }) => format!(
                            r#"<td class="num">{}<small>/iter</small>{}{}</td>"#,
                            fmt_count(*per_round_trip),
                            per_switch.map_or(String::new(), |p| format!(
                                "<br>{}<small>/switch</small>",
                                fmt_count(p)
                            )),
                            if *multiplexed {
                                "<br><small>multiplexed</small>"
                            } else {
                                ""
                            }
                        ),
                        Some(CounterValue::Unsupported { unsupported }) => {
                            let next = notes.len() + 1;
                            let k = *notes.entry(unsupported.clone()).or_insert(next);
                            format!(r#"<td class="unsupported">unsupported [{k}]</td>"#)
                        }
                    };
                }
                s += "</tr>";
            }
        }
        s += "</table>";
        if !notes.is_empty() {
            let mut by_num: Vec<(usize, String)> = notes.into_iter().map(|(r, k)| (k, r)).collect();
            by_num.sort();
            s += "<ol class=\"note\">";
            for (_, reason) in by_num {
                s += &format!("<li><small>{}</small></li>", escape(&reason));
            }
            s += "</ol>";
        }
    }
    if !never.is_empty() {
        s += "<p class=\"note\">Not counted in any run:</p><ul>";
        for (n, reasons) in never {
            s += &format!(
                r#"<li><span class="unsupported">{}: unsupported</span> <small>{}</small></li>"#,
                escape(&n),
                escape(&reasons.join("; "))
            );
        }
        s += "</ul>";
    }
    s
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
    s += &numbers_table(runs, ids);
    s += &ratio_table(runs, ids);
    s += &counter_table(runs, ids);
    s + "</section>"
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
        for v in &r.verdicts {
            let f = |k| escape(verdict_field(v, k).unwrap_or("-"));
            s += &format!(
                "<tr><td>{}</td><td><b>{}</b></td><td>{}</td></tr>",
                f("claim"),
                f("verdict"),
                f("evidence")
            );
        }
        s += "</table>";
    }
    s + "</section>"
}

fn notes_section(runs: &[Run]) -> String {
    let mut items = String::new();
    for r in runs {
        for e in r.entries.iter().filter(|e| !e.valid) {
            items += &format!(
                r#"<li><span class="invalid">{} in {}</span>: {}</li>"#,
                escape(&e.id),
                escape(&r.label),
                escape(&e.validity)
            );
        }
        for sk in &r.skipped {
            items += &format!(
                "<li>{} skipped in {}: {}</li>",
                escape(&sk.id),
                escape(&r.label),
                escape(&sk.reason)
            );
        }
    }
    if items.is_empty() {
        String::new()
    } else {
        format!(r#"<section id="notes"><h2>Invalid and skipped</h2><ul>{items}</ul></section>"#)
    }
}

/// The whole page.
pub fn render(runs: &[Run]) -> String {
    let exps = experiments(runs);
    let mut nav = String::from(r##"<nav><a href="#machines">machines</a>"##);
    for (e, _) in &exps {
        nav += &format!(r##"<a href="#exp-{}">{}</a>"##, sanitise(e), escape(e));
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
    if runs.iter().any(|r| r.kind == super::SourceKind::Criterion) {
        body += &format!(r#"<p class="note">{}</p>"#, escape(super::CRITERION_NOTE));
    }
    body += r#"<section id="machines"><h2>Machines</h2>"#;
    body += &machine_table(runs);
    body += "</section>";
    for (e, ids) in &exps {
        body += &experiment_section(runs, e, ids);
    }
    body += &verdicts_section(runs);
    body += &notes_section(runs);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>ctxbench comparison</title><style>{CSS}</style></head><body>{body}\
         <footer>Written by ctxbench {} (<code>ctxbench compare</code>). Self-contained: \
         no scripts, fonts or images from elsewhere.</footer></body></html>\n",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_defangs_links() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        let e = escape("see HTTPS://x and http://y, shh");
        assert!(!e.to_ascii_lowercase().contains("http"), "{e}");
        assert!(e.contains("&#72;TTPS://x") && e.contains("&#104;ttp://y") && e.contains("shh"));
        assert_eq!(escape("héllo"), "héllo");
        assert_eq!(escape("hé"), "hé");
    }
}
