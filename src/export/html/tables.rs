//! The tables of the comparison page: machines, medians, process/thread ratios and
//! counters.

use std::collections::BTreeMap;

use super::svg;
use crate::export::escape::html as escape;
use crate::export::grouping::{counter_names, latency_cell, latency_head, latency_rows, ratios};
use crate::export::inputs::Run;
use crate::export::machine::machine_rows;
use crate::measure::CounterValue;
use crate::units::{count, ns};

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

/// Medians with the ratio to the first run; below each, the p25-p75 range, the sample
/// count, ns per switch and switches per iteration where known.
pub fn numbers_table(runs: &[Run], ids: &[String]) -> String {
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
                        format!("{}-{}", ns(e.summary.p25), ns(e.summary.p75)),
                        format!("n={}", e.summary.n),
                    ];
                    if let Some(ps) = e.ns_per_switch {
                        details.push(format!("{} ns/switch", ns(ps)));
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
                        ns(e.summary.median)
                    );
                }
            }
        }
        s += "</tr>";
    }
    s + "</table>"
}

/// Process over thread medians, where an id has a thread twin; empty when none has.
pub fn ratio_table(runs: &[Run], ids: &[String]) -> String {
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

/// Percentiles of single round trips (the tails pass of cross-CPU and unpinned
/// ping-pongs), one row per id that has them; empty when none has.
pub fn latency_table(runs: &[Run], ids: &[String]) -> String {
    let rows = latency_rows(runs, ids);
    if rows.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<h3>Wake-up latency</h3><p class=\"note\">Off one CPU a round trip is two wake-ups \
         of another CPU, and single round trips vary far more than batch medians show: a \
         pass of its own times each round trip alone. {} in ns.</p><table><tr><th>id</th>",
        latency_head()
    );
    for r in runs {
        s += &format!("<th>{}</th>", escape(&r.label));
    }
    s += "</tr>";
    for (id, per_run) in rows {
        s += &format!("<tr><td>{}</td>", escape(&id));
        for l in per_run {
            s += &format!(r#"<td class="num">{}</td>"#, latency_cell(l));
        }
        s += "</tr>";
    }
    s + "</table>"
}

/// Whether some run measured counter `n` for one of `ids`, and each distinct reason it was
/// refused (with the runs that gave it, where the runs disagree).
fn refusals(runs: &[Run], ids: &[String], n: &str) -> (bool, Vec<String>) {
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
    let reasons = if reasons.len() == 1 {
        vec![reasons[0].0.clone()]
    } else {
        reasons
            .into_iter()
            .map(|(why, who)| format!("{why} ({})", who.join(", ")))
            .collect()
    };
    (any, reasons)
}

/// Counter tables: counters that some run measured get rows (id x counter, one column per
/// run); counters no run could open are listed once with their reasons.
pub fn counter_table(runs: &[Run], ids: &[String]) -> String {
    let names = counter_names(runs, ids);
    if names.is_empty() {
        return String::new();
    }
    let mut never: Vec<(String, Vec<String>)> = Vec::new();
    let mut measured = Vec::new();
    for n in &names {
        match refusals(runs, ids, n) {
            (true, _) => measured.push(n.clone()),
            (false, reasons) => never.push((n.clone(), reasons)),
        }
    }
    let mut s = String::from("<h3>Counters</h3>");
    if !measured.is_empty() {
        s += &measured_table(runs, ids, &measured);
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

/// The rows of the counters some run measured, then the refusal reasons the cells
/// point to by number.
fn measured_table(runs: &[Run], ids: &[String], measured: &[String]) -> String {
    let mut s = String::from(
        "<p class=\"note\">Events per iteration, and per context switch where the \
         iteration has a known switch count; counted in a run of their own.</p>\
         <table><tr><th>id</th><th>counter</th>",
    );
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
                s += &counter_cell(r.entry(id).and_then(|e| e.counters.get(*n)), &mut notes);
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
    s
}

/// One run's cell of a counter: per iteration and per switch, or a numbered pointer to
/// the reason it was refused (numbered in `notes` in order of first use).
fn counter_cell(v: Option<&CounterValue>, notes: &mut BTreeMap<String, usize>) -> String {
    match v {
        None => r#"<td class="num"><small>-</small></td>"#.to_string(),
        Some(CounterValue::Measured {
            per_round_trip,
            per_switch,
            multiplexed,
            ..
        }) => format!(
            r#"<td class="num">{}<small>/iter</small>{}{}</td>"#,
            count(*per_round_trip),
            per_switch.map_or(String::new(), |p| format!(
                "<br>{}<small>/switch</small>",
                count(p)
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::grouping::tails_run;
    use crate::measure::tails::EXAMPLE;

    #[test]
    fn the_latency_table_has_the_ids_timed_one_by_one() {
        let runs = [tails_run("a <1>", Some(EXAMPLE))];
        let ids: Vec<String> = runs[0].entries.iter().map(|e| e.id.clone()).collect();
        let t = latency_table(&runs, &ids);
        assert!(t.contains("<th>a &lt;1&gt;</th>"), "{t}");
        assert!(t.contains("<td>pingpong/thread-pipe/cross-cpu</td>"), "{t}");
        assert!(t.contains("2310000</td>") && !t.contains("same-cpu"), "{t}");
        assert_eq!(latency_table(&[tails_run("b", None)], &ids), "");
        let page = crate::export::Exporter::render(&crate::export::html::Html, &runs[..]);
        assert!(page.contains("<h3>Wake-up latency</h3>"));
    }
}
