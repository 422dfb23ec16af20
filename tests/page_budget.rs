//! The comparison page over two full runs stays small enough to open, mail and attach:
//! under 150 KB, with every id of both runs still on it, and the summary, the claims
//! matrix, the anatomy of a switch and the findings' charts in it. Measured on the full runs committed under
//! `results/` (the two newest; one compared with itself where there is only one).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The page budget, bytes.
const BUDGET: usize = 150_000;

/// The full-mode results files under `results/`, oldest first.
fn full_runs() -> Vec<(u64, PathBuf, serde_json::Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut out = Vec::new();
    for machine in std::fs::read_dir(&root).unwrap().flatten() {
        let Ok(files) = std::fs::read_dir(machine.path()) else {
            continue;
        };
        for f in files.flatten().map(|f| f.path()) {
            if f.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            if v["mode"] == "full" {
                out.push((v["created_unix"].as_u64().unwrap_or(0), f, v));
            }
        }
    }
    out.sort_by_key(|(t, _, _)| *t);
    out
}

#[test]
fn two_full_runs_fit_the_budget_with_every_id() {
    let mut runs = full_runs();
    assert!(!runs.is_empty(), "no full run committed under results/");
    if runs.len() == 1 {
        runs.push(runs[0].clone());
    }
    let pair = &runs[runs.len() - 2..];
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let status = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .arg("compare")
        .args(pair.iter().map(|(_, p, _)| p))
        .arg("-o")
        .arg(&page)
        .status()
        .unwrap();
    assert!(status.success());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.len() < BUDGET,
        "the page over {:?} is {} bytes, over the {BUDGET}-byte budget",
        pair.iter().map(|(_, p, _)| p).collect::<Vec<_>>(),
        html.len()
    );
    for (_, path, v) in pair {
        for o in v["results"].as_array().unwrap() {
            let id = o["id"].as_str().unwrap();
            assert!(
                html.contains(id),
                "{id} of {} is on the page",
                path.display()
            );
        }
        for verdict in v["verdicts"].as_array().into_iter().flatten() {
            // The matrix names a claim by its current statement (an older file may hold
            // an earlier wording), as the page escapes it.
            let claim =
                ctxbench::analysis::claims::current_statement(verdict["claim"].as_str().unwrap());
            let escaped = claim
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;");
            assert!(
                html.contains(&escaped),
                "the claim {claim:?} is in the matrix"
            );
        }
    }
    for part in [
        r#"<table class="summary">"#,
        r#"<table class="claims">"#,
        r#"id="ring-charts""#,
        "full flushes from n = ",
        "Working sets: what refilling the caches costs",
        // The anatomy of a switch: a stacked bar per machine, its parts in colour.
        r#"<section id="anatomy">"#,
        r#"class="a2""#,
    ] {
        assert!(html.contains(part), "{part} is on the page");
    }
}
