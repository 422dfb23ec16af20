//! The opening of a comparison, the same in every format: the headline figures, one
//! column per run ([`headline_rows`], from each run's outcomes through
//! [`Headline`]), and the claims x runs matrix ([`claim_matrix`], from the verdicts each
//! results file keeps, matched by the claim's statement, so a claim added later shows
//! without a change here).

use super::inputs::Run;
use crate::analysis::claims::{current_statement, ClaimVerdict, VerdictKind};
use crate::analysis::counted::why_not_counted;
use crate::analysis::headline::{Cliff, Figure, Headline};
use crate::spec::Experiment;
use crate::units::{format_size, time};

/// One run's cell of a headline row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The figure (`-` where not measured).
    pub main: String,
    /// What it rests on, or why it is missing.
    pub detail: String,
    /// Whether a result behind it is unstable (its median means little).
    pub unstable: bool,
}

impl Cell {
    fn missing(why: impl Into<String>) -> Self {
        Self {
            main: "-".into(),
            detail: why.into(),
            unstable: false,
        }
    }

    fn of(main: String, detail: String, figures: &[&Figure]) -> Self {
        let unstable = figures.iter().any(|f| f.stability.is_unstable());
        Self {
            main,
            detail,
            unstable,
        }
    }
}

/// One headline row: what it shows, how it was measured, one cell per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What the figure is.
    pub what: &'static str,
    /// How it was measured, in a few words.
    pub how: &'static str,
    /// One cell per run, in the runs' order.
    pub cells: Vec<Cell>,
}

/// `+131 ns (+18%)`.
fn signed(ns: f64, of: f64) -> String {
    let sign = if ns >= 0.0 { "+" } else { "" };
    format!("{sign}{} ({sign}{:.0}%)", time(ns), of * 100.0)
}

type CellOf = fn(&Run, &Headline) -> Cell;

/// The headline rows (empty when no run has outcomes, as with criterion output alone).
pub fn headline_rows(runs: &[Run]) -> Vec<Row> {
    if runs.iter().all(|r| r.outcomes.is_empty()) {
        return Vec::new();
    }
    let heads: Vec<Option<Headline>> = runs
        .iter()
        .map(|r| (!r.outcomes.is_empty()).then(|| Headline::of(&r.outcomes)))
        .collect();
    let rows: [(&str, &str, CellOf); 7] = [
        (
            "Switch on one CPU",
            "process · thread, ns per switch over one mechanism (mechanism included)",
            switch_cell,
        ),
        (
            "Address-space switch",
            "what a process switch adds: process minus thread, futex pair",
            address_cell,
        ),
        (
            "Full TLB flushes start at",
            "rings of n processes passing a token on one CPU",
            cliff_cell,
        ),
        (
            "One full flush costs",
            "the step in ns per switch across the cliff, per extra flush",
            flush_cost_cell,
        ),
        (
            "Cross-CPU round trip",
            "thread ping-pong on two CPUs: two wake-ups; median",
            wakeup_cell,
        ),
        (
            "Creation",
            "fork + exit + wait · thread spawn + join",
            creation_cell,
        ),
        (
            "Cache refill after a switch",
            "indirect cost per switch, reading a byte per cache line · process · thread",
            refill_cell,
        ),
    ];
    rows.into_iter()
        .map(|(what, how, f)| Row {
            what,
            how,
            cells: runs
                .iter()
                .zip(&heads)
                .map(|(r, h)| match h {
                    Some(h) => f(r, h),
                    None => Cell::missing("no outcomes (criterion output)"),
                })
                .collect(),
        })
        .collect()
}

fn switch_cell(_: &Run, h: &Headline) -> Cell {
    let Some(s) = &h.switch else {
        return Cell::missing("no valid same-cpu process/thread pair");
    };
    let mut detail = s.mechanism.clone();
    if let Some((p, t)) = s.direct {
        detail += &format!("; floors subtracted {} · {}", time(p), time(t));
    }
    let main = format!("{} · {}", time(s.process.ns), time(s.thread.ns));
    Cell::of(main, detail, &[&s.process, &s.thread])
}

/// The typed figure `name` among a run's verdicts, where a verdict has one.
fn verdict_figure(r: &Run, name: &str) -> Option<crate::analysis::claims::Figure> {
    r.claim_verdicts()
        .into_iter()
        .flat_map(|v| v.figures)
        .find(|f| f.name == name && f.low.is_some())
}

fn address_cell(r: &Run, h: &Headline) -> Cell {
    if let Some(f) = verdict_figure(r, "address-space") {
        return Cell {
            main: f.to_string(),
            detail: "process-futex minus thread-futex-shared, side by side in paired rounds \
                     (95% interval)"
                .into(),
            unstable: false,
        };
    }
    let Some(a) = &h.address_space else {
        return Cell::missing("needs process-futex and its thread twin on one CPU");
    };
    Cell {
        main: signed(a.ns, a.of_thread),
        detail: format!("vs {}, {}", a.twin, a.how),
        unstable: a.unstable,
    }
}

fn not_counted(r: &Run) -> Cell {
    let rings: Vec<_> = r
        .outcomes
        .iter()
        .filter(|o| o.is(Experiment::Ring) && o.valid)
        .collect();
    if rings.is_empty() {
        return Cell::missing("no valid ring measured");
    }
    Cell::missing(format!("not counted: {}", why_not_counted(&rings)))
}

fn cliff_cell(r: &Run, h: &Headline) -> Cell {
    let (main, detail) = match &h.cliff {
        None => return not_counted(r),
        Some(Cliff::Step {
            last_clean,
            first_full,
            ..
        }) => (
            format!("n = {first_full}"),
            format!("none up to n = {last_clean}, one at every switch from n = {first_full}"),
        ),
        Some(Cliff::Always { from }) => (
            "every switch".into(),
            format!("from the smallest ring measured, n = {from}"),
        ),
        Some(Cliff::Never { up_to }) => ("none".into(), format!("up to n = {up_to}")),
        Some(Cliff::Unclear) => ("no clear step".into(), "some switches flush".into()),
    };
    Cell::of(main, detail, &[])
}

fn flush_cost_cell(r: &Run, h: &Headline) -> Cell {
    match &h.cliff {
        None if r.outcomes.iter().any(|o| o.is(Experiment::Ring) && o.valid) => {
            Cell::missing("full flushes not counted")
        }
        None => not_counted(r),
        Some(Cliff::Step {
            last_clean,
            first_full,
            ns_per_flush: Some(ns),
            thread_corrected,
        }) => Cell::of(
            format!("{}{}", if *ns >= 0.0 { "+" } else { "" }, time(*ns)),
            format!(
                "n = {last_clean} to {first_full}{}",
                if *thread_corrected {
                    ", less the thread rings' step"
                } else {
                    ""
                }
            ),
            &[],
        ),
        Some(_) => Cell::missing("needs a step from no flush to one per switch"),
    }
}

fn wakeup_cell(_: &Run, h: &Headline) -> Cell {
    let Some(w) = &h.wakeup else {
        return Cell::missing("no valid cross-cpu thread ping-pong");
    };
    let (upper, name) = w.upper;
    let id = w.p50.id.within_experiment();
    Cell::of(
        time(w.p50.ns),
        format!("{name} {}; {id}", time(upper)),
        &[&w.p50],
    )
}

fn creation_cell(_: &Run, h: &Headline) -> Cell {
    let c = &h.creation;
    let (Some(fork), Some(thread)) = (&c.fork, &c.thread) else {
        return Cell::missing("needs valid spawn/fork and spawn/thread");
    };
    let mut detail = format!("fork {:.1}x thread", fork.ns / thread.ns);
    if let Some(ps) = &c.posix_spawn {
        detail += &format!("; posix_spawn {}", time(ps.ns));
    }
    let main = format!("{} · {}", time(fork.ns), time(thread.ns));
    Cell::of(main, detail, &[fork, thread])
}

fn refill_cell(_: &Run, h: &Headline) -> Cell {
    let Some(r) = &h.refill else {
        return Cell::missing("no valid working set");
    };
    let t = |v: Option<f64>| v.map_or_else(|| "-".to_string(), time);
    let mut detail = format!("at {} per side", format_size(r.bytes));
    if let Some((ns, bytes)) = r.peak {
        detail += &format!("; peak {} at {}", time(ns), format_size(bytes));
    }
    if let Some(s) = r.switch_ns {
        detail += &format!("; a switch {}", time(s));
    }
    Cell::of(format!("{} · {}", t(r.process), t(r.thread)), detail, &[])
}

/// One run's verdict on a claim, with the figure shown in the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCell {
    /// How the claim fared.
    pub kind: VerdictKind,
    /// The evidence's first figure, short ([`key_figure`]).
    pub key: String,
    /// The evidence in full.
    pub evidence: String,
}

/// One claim across runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRow {
    /// The claim's statement.
    pub claim: String,
    /// One cell per run; `None` where the run did not judge this claim.
    pub cells: Vec<Option<ClaimCell>>,
}

/// The claims x runs matrix: one row per claim statement, in first-seen order across runs.
pub fn claim_matrix(runs: &[Run]) -> Vec<ClaimRow> {
    let verdicts: Vec<Vec<ClaimVerdict>> = runs.iter().map(Run::claim_verdicts).collect();
    let mut claims: Vec<String> = Vec::new();
    let statement = |v: &ClaimVerdict| current_statement(&v.claim).to_string();
    for v in verdicts.iter().flatten() {
        if !claims.contains(&statement(v)) {
            claims.push(statement(v));
        }
    }
    claims
        .into_iter()
        .map(|claim| ClaimRow {
            cells: verdicts
                .iter()
                .map(|vs| {
                    vs.iter()
                        .find(|v| statement(v) == claim)
                        .map(|v| ClaimCell {
                            kind: v.verdict.clone(),
                            key: v.figures.first().map_or_else(
                                || key_figure(&v.evidence),
                                |f| format!("{} {f}", f.name),
                            ),
                            evidence: match &v.margin {
                                Some(m) => format!("{}; margin {m}", v.evidence),
                                None => v.evidence.clone(),
                            },
                        })
                })
                .collect(),
            claim,
        })
        .collect()
}

/// The longest key figure, in characters.
const KEY_MAX: usize = 110;

/// The first figure of an evidence string, short enough for a table cell: its first
/// clause (up to a `; ` outside parentheses), without parenthesised asides longer than a
/// short figure (`(+23%)` stays), without leading descriptions when it is still long, and
/// cut at a word with `…` past 110 characters.
pub fn key_figure(evidence: &str) -> String {
    let mut clause = String::new();
    let (mut depth, mut aside) = (0usize, String::new());
    let mut chars = evidence.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                depth += 1;
                aside.push(c);
            }
            ')' if depth > 0 => {
                depth -= 1;
                aside.push(c);
                if depth == 0 {
                    if aside.chars().count() <= 12 {
                        clause += &aside;
                    }
                    aside.clear();
                }
            }
            ';' if depth == 0 && chars.peek() == Some(&' ') => break,
            _ if depth > 0 => aside.push(c),
            _ => clause.push(c),
        }
    }
    let mut key = clause.split_whitespace().collect::<Vec<_>>().join(" ");
    key = key.replace(" :", ":").replace(" ,", ",");
    // A description before a label before the figures goes first when it is long.
    while key.chars().count() > KEY_MAX {
        let first_digit = key.find(|c: char| c.is_ascii_digit()).unwrap_or(key.len());
        match key[..first_digit].find(": ") {
            Some(i) if key[i + 2..first_digit].contains(": ") => key = key[i + 2..].to_string(),
            _ => break,
        }
    }
    if key.chars().count() > KEY_MAX {
        let cut: String = key.chars().take(KEY_MAX).collect();
        let at = cut.rfind(' ').unwrap_or(cut.len());
        key = format!("{} …", cut[..at].trim_end_matches([',', ':', ' ']));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_figures_are_short_first_clauses() {
        assert_eq!(
            key_figure("pipe: process 3300 ns vs thread 2678 ns per switch (+23%); futex: x"),
            "pipe: process 3300 ns vs thread 2678 ns per switch (+23%)"
        );
        let a = "process-futex 1700 ns vs thread-futex-shared 1714 ns per switch (direct cost, \
                 futex floors subtracted; the same shared futex calls on both sides): the \
                 address-space switch costs -14 ns (-1% of a thread switch); over other";
        assert_eq!(
            key_figure(a),
            "process-futex 1700 ns vs thread-futex-shared 1714 ns per switch: the address-space \
             switch costs -14 ns"
        );
        let c = "indirect cost, reading one byte per cache line of a private buffer between \
                 switches: processes: up to 408835 ns extra per switch (at 32MiB per side); \
                 threads: up to 1 ns";
        assert_eq!(key_figure(c), "processes: up to 408835 ns extra per switch");
        let t = "full TLB flushes per switch, rings of processes: n=2: 0.00, n=3: 0.00, n=4: \
                 0.00, n=6: 0.00, n=7: 1.00, n=8: 1.00, n=12: 1.00; rings of threads";
        let k = key_figure(t);
        assert!(k.starts_with("full TLB flushes per switch, rings of processes: n=2: 0.00"));
        assert!(k.ends_with(" …") && k.chars().count() <= KEY_MAX + 2, "{k}");
        assert_eq!(key_figure(""), "");
        assert_eq!(key_figure("unbalanced (paren"), "unbalanced");
    }

    fn run(label: &str, verdicts: serde_json::Value) -> Run {
        Run {
            label: label.into(),
            source: "x.json".into(),
            kind: crate::export::inputs::SourceKind::ResultsFile,
            machine: Default::default(),
            mode: "full".into(),
            created_unix: None,
            entries: Vec::new(),
            outcomes: Vec::new(),
            permissions: None,
            anatomy: Default::default(),
            skipped: Vec::new(),
            verdicts: verdicts.as_array().unwrap().clone(),
        }
    }

    #[test]
    fn the_matrix_matches_claims_by_statement_across_runs() {
        let a = run(
            "a",
            serde_json::json!([
                {"claim": "One.", "verdict": "holds", "evidence": "1 ns; 2 ns"},
                {"claim": "Two.", "verdict": "does-not-hold", "evidence": "3 ns"}
            ]),
        );
        // Another order, a claim of its own, a verdict this version does not know.
        let b = run(
            "b",
            serde_json::json!([
                {"claim": "Three.", "verdict": "confirmed", "evidence": "x"},
                {"claim": "One.", "verdict": "holds-partly", "evidence": "4 ns"}
            ]),
        );
        let m = claim_matrix(&[a, b]);
        let claims: Vec<&str> = m.iter().map(|r| r.claim.as_str()).collect();
        assert_eq!(claims, ["One.", "Two.", "Three."]);
        let one = &m[0].cells;
        assert_eq!(one[0].as_ref().unwrap().kind, VerdictKind::Holds);
        assert_eq!(one[0].as_ref().unwrap().key, "1 ns");
        assert_eq!(one[0].as_ref().unwrap().evidence, "1 ns; 2 ns");
        assert_eq!(one[1].as_ref().unwrap().kind, VerdictKind::HoldsPartly);
        assert!(m[1].cells[1].is_none(), "b did not judge Two.");
        assert_eq!(
            m[2].cells[1].as_ref().unwrap().kind,
            VerdictKind::Other("confirmed".into())
        );
        assert!(claim_matrix(&[]).is_empty());
        // No outcomes, no headline.
        assert!(headline_rows(&[run("c", serde_json::json!([]))]).is_empty());
    }

    #[test]
    fn signed_figures() {
        assert_eq!(signed(131.0, 0.18), "+131 ns (+18%)");
        assert_eq!(signed(-14.0, -0.01), "-14.0 ns (-1%)");
    }
}
