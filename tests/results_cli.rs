//! The `compare` and `check` verbs driven through the real binary: exit codes, escaping,
//! self-containment, and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctxbench"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/results")
        .join(name)
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the ctxbench binary runs");
    (
        status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
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

/// A copy of `src` with every sample (and the summary) of `id` scaled by `factor`.
fn doctored(src: &Path, dst: &Path, id: &str, factor: f64) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src).unwrap()).unwrap();
    let mut hit = false;
    for o in v["results"].as_array_mut().unwrap() {
        if o["id"] == id {
            hit = true;
            for s in o["samples_ns_per_round_trip"].as_array_mut().unwrap() {
                *s = (s.as_f64().unwrap() * factor).into();
            }
            for k in ["median", "mean", "min", "max", "p25", "p75"] {
                let x = o["ns_per_round_trip"][k].as_f64().unwrap();
                o["ns_per_round_trip"][k] = (x * factor).into();
            }
        }
    }
    assert!(hit, "{id} is in {}", src.display());
    std::fs::write(dst, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
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

#[test]
fn check_passes_the_same_file_and_fails_a_doctored_one() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixture("machine-a.json");
    let copy = dir.path().join("copy.json");
    std::fs::copy(&base, &copy).unwrap();
    let (code, out, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&copy));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("unchanged") && !out.contains("regressed  "),
        "{out}"
    );
    assert!(!err.contains("WARNING"), "same machine: {err}");

    let slower = dir.path().join("slower.json");
    doctored(&base, &slower, "pingpong/thread-pipe/same-cpu", 1.2);
    let json_out = dir.path().join("bench.json");
    let (code, out, err) = run(bin()
        .args(["check", "--threshold", "5%", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&slower)
        .arg("--output-json")
        .arg(&json_out));
    assert_eq!(code, 1, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("pingpong/thread-pipe/same-cpu "))
        .unwrap();
    assert!(
        line.contains("+20.0%") && line.ends_with("regressed"),
        "{line}"
    );
    assert_eq!(out.matches(" regressed\n").count(), 1, "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), ids_of(&slower).len());
    for e in entries {
        for k in ["name", "unit", "value", "range", "extra"] {
            assert!(!e[k].is_null(), "{k} in {e}");
        }
    }

    // The same change is an improvement the other way round: exit 0.
    let (code, out, _) = run(bin()
        .args(["check", "--baseline"])
        .arg(&slower)
        .arg("--current")
        .arg(&base));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("improved"));

    // A threshold above the change lets it pass.
    let (code, _, _) = run(bin()
        .args(["check", "--threshold", "25", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&slower));
    assert_eq!(code, 0);
}

#[test]
fn check_warns_across_machines_and_lists_lone_and_invalid_ids() {
    let (code, out, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(fixture("machine-a.json"))
        .arg("--current")
        .arg(fixture("machine-b.json")));
    // Machine b is faster everywhere: improvements, not a failure.
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("WARNING") && err.contains("different machines"),
        "{err}"
    );
    assert!(out.contains("only in baseline"), "{out}");
    assert!(out.contains("invalid"), "{out}");
    assert!(err.contains("invalid and not compared"), "{err}");
}

#[test]
fn check_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[1, 2").unwrap();
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(&bad)
        .arg("--current")
        .arg(fixture("machine-a.json")));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.json") && err.contains("not valid JSON"),
        "{err}"
    );
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(fixture("machine-a.json"))
        .arg("--current")
        .arg(&bad));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(bin()
        .args(["check", "--threshold", "lots", "--baseline"])
        .arg(fixture("machine-a.json")));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(dir.path().join("absent.json"))
        .arg("--current")
        .arg(fixture("machine-a.json")));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("absent.json") && err.contains("no such"),
        "{err}"
    );
    // A results directory with no folder for this machine names the fix.
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(dir.path())
        .arg("--current")
        .arg(fixture("machine-a.json")));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no baseline for this machine") && err.contains("amd-epyc-f26m2-vm"),
        "{err}"
    );
}

#[test]
fn check_picks_the_newest_file_for_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("amd-epyc-f26m2-vm");
    std::fs::create_dir_all(&folder).unwrap();
    // The older file is 20% faster: against it the current run would regress.
    doctored(
        &fixture("machine-a.json"),
        &folder.join("2026-01-01T00-00-00Z.json"),
        "pingpong/thread-pipe/same-cpu",
        1.0 / 1.2,
    );
    std::fs::copy(
        fixture("machine-a.json"),
        folder.join("2026-06-01T00-00-00Z.json"),
    )
    .unwrap();
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(dir.path())
        .arg("--current")
        .arg(fixture("machine-a.json")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2026-06-01T00-00-00Z.json"), "{err}");
}

#[test]
fn check_finds_a_baseline_in_the_folder_an_older_version_named() {
    // machine-b's model is an Intel one with (R) marks: its folder used to carry them.
    let current = fixture("machine-b.json");
    let machine = ctxbench::results::ResultsFile::load(&current)
        .unwrap()
        .machine;
    assert_ne!(machine.slug(), machine.legacy_slug());
    assert!(machine.legacy_slug().starts_with("intel-r-xeon-r-"));
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join(machine.legacy_slug());
    std::fs::create_dir_all(&old).unwrap();
    std::fs::copy(&current, old.join("2026-06-01T00-00-00Z.json")).unwrap();
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(dir.path())
        .arg("--current")
        .arg(&current));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("older name") && err.contains(&machine.slug()),
        "{err}"
    );
}

#[test]
fn check_passes_over_another_generation_in_the_older_folder() {
    // machine-a is an `AMD EPYC` of family 26 model 2; the older folder `amd-epyc-vm`
    // holds a run of the family 25 model 17 one, filed there under the same model name.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("amd-epyc-vm");
    std::fs::create_dir_all(&old).unwrap();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("machine-a.json")).unwrap()).unwrap();
    v["machine"]["cpu_family"] = "25".into();
    v["machine"]["cpu_model_number"] = "17".into();
    let other = old.join("2026-06-01T00-00-00Z.json");
    std::fs::write(&other, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(dir.path())
        .arg("--current")
        .arg(fixture("machine-a.json")));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "another CPU (AMD EPYC, family 25 model 17; this one is AMD EPYC, family 26 model 2)"
        ) && err.contains("no baseline for this machine"),
        "{err}"
    );
    // The same file named directly is compared, the warning naming the CPU difference.
    let (code, _, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(&other)
        .arg("--current")
        .arg(fixture("machine-a.json")));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("WARNING")
            && err.contains("family 25 model 17 stepping 1\" vs \"family 26 model 2 stepping 1"),
        "{err}"
    );
}
