//! The `compare` verb driven through the real binary: exit codes, escaping,
//! self-containment, and bad input. (`check` has its own, tests/gate_cli.rs.)

use std::path::{Path, PathBuf};

mod common;
use common::{bin, run};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/results")
        .join(name)
}

fn ids_of(path: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn html_report_has_both_machines_every_id_escaped_and_no_http() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let (code, _, err) = run(bin()
        .arg("compare")
        .arg(fixture("machine-a.json"))
        .arg(fixture("machine-b.json"))
        .arg("-o")
        .arg(&out));
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("AMD EPYC"));
    assert!(html
        .contains("Intel(R) Xeon(R) &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Gold 6354"));
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "no script element at all"
    );
    assert!(
        !html.to_ascii_lowercase().contains("http"),
        "no http reference anywhere"
    );
    assert!(!html.contains("xmlns"));
    for f in ["machine-a.json", "machine-b.json"] {
        for id in ids_of(&fixture(f)) {
            assert!(html.contains(&id), "{id} is in the report");
        }
    }
    // Charts: bars for ping-pong, lines for ring and workset.
    assert!(html.matches("<svg").count() >= 3);
    assert!(html.contains("<polyline"));
    // Counters: measured and unsupported; verdicts escaped; ratio table; invalid marked.
    assert!(html.contains("context-switches"));
    assert!(html.contains("cycles: unsupported"));
    assert!(html.contains("confirmed &lt;b&gt;8%&lt;/b&gt;"));
    assert!(html.contains("Process / thread"));
    assert!(html.contains("invalid"));
}

#[test]
fn markdown_report_and_directories() {
    let (code, md, err) = run(bin()
        .arg("compare")
        .arg(fixture(""))
        .args(["--format", "markdown"]));
    assert_eq!(code, 0, "{err}");
    assert!(md.starts_with("# ctxbench: 2 runs compared"));
    assert!(md.contains("| pingpong/process-pipe/same-cpu |"));
    assert!(md.contains("&lt;script&gt;"));
    assert!(md.contains("unsupported: no hardware PMU"));
    assert!(md.contains("| ring/process-pipe/8 |"));
    assert!(md.contains("## Claims and verdicts"));
    assert!(md.contains("## Summary"));
    assert!(md.contains("| Switch on one CPU<br>"));
    assert!(md.contains("| 1. A process switch costs more than a thread switch | **"));
}

#[test]
fn compare_bad_input_exits_2_and_overwrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    std::fs::write(&out, "previous report").unwrap();
    let malformed = dir.path().join("malformed.json");
    std::fs::write(&malformed, "{\"schema_version\": 1, \"results\": [").unwrap();
    let future = dir.path().join("future.json");
    std::fs::write(&future, r#"{"schema_version": 7, "results": []}"#).unwrap();
    let other = dir.path().join("package.json");
    std::fs::write(&other, r#"{"name": "not results"}"#).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (input, says) in [
        (&malformed, "not valid JSON"),
        (&future, "schema version 7"),
        (&other, "not a ctxbench results file"),
        (&empty, "no ctxbench results files"),
        (&dir.path().join("absent.json"), "cannot read it"),
    ] {
        let (code, _, err) = run(bin()
            .arg("compare")
            .arg(fixture("machine-a.json"))
            .arg(input)
            .arg("-o")
            .arg(&out));
        assert_eq!(code, 2, "{}: {err}", input.display());
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        assert!(err.contains(&name) && err.contains(says), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous report");
    }
}
