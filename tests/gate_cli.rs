//! `ctxbench check`, the regression gate, driven through the real binary on fixture runs
//! (tests/data/gate: six quick runs and a seventh of the same code, made on a 2-vCPU VM,
//! trimmed to four ids): calibrating from runs, judging a run, its exports, an injected
//! slowdown, and bad input. Behaviour only; nothing is measured here.

use std::path::{Path, PathBuf};

mod common;
use common::{bin, run};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gate")
        .join(name)
}

/// A baseline folder in `dir` with the first `n` fixture runs, calibrated.
fn baseline(dir: &Path, n: usize) -> PathBuf {
    let base = dir.join("base");
    std::fs::create_dir_all(base.join("runs")).unwrap();
    let mut runs: Vec<PathBuf> = std::fs::read_dir(data("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    runs.sort();
    for r in runs.iter().take(n) {
        std::fs::copy(r, base.join("runs").join(r.file_name().unwrap())).unwrap();
    }
    let (code, out, err) = run(bin()
        .args(["check", "--calibrate", "--runs", "0", "--baseline"])
        .arg(&base));
    assert_eq!(code, 0, "{out}{err}");
    base
}

/// A copy of `src` with `id`'s rounds (and samples) scaled by `factor`.
fn doctored(src: &Path, dst: &Path, id: &str, factor: f64) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src).unwrap()).unwrap();
    let mut hit = false;
    for p in v["paired"].as_array_mut().unwrap() {
        let Some(i) = p["arms"]
            .as_array()
            .unwrap()
            .iter()
            .position(|a| a["id"] == id && a["mode"] == "main")
        else {
            continue;
        };
        hit = true;
        for s in p["setups"].as_array_mut().unwrap() {
            for r in s["rounds"].as_array_mut().unwrap() {
                r[i] = (r[i].as_f64().unwrap() * factor).into();
            }
        }
    }
    for o in v["results"].as_array_mut().unwrap() {
        if o["id"] == id {
            for s in o["samples_ns_per_round_trip"].as_array_mut().unwrap() {
                *s = (s.as_f64().unwrap() * factor).into();
            }
        }
    }
    assert!(hit, "{id} in {}", src.display());
    std::fs::write(dst, serde_json::to_string(&v).unwrap()).unwrap();
}

/// The row of `id` in a check's table.
fn row<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{id} ")))
        .unwrap_or_else(|| panic!("no row for {id}: {out}"))
}

/// The detectable change of a row, percent.
fn detectable(row: &str) -> f64 {
    let cells: Vec<&str> = row.split_whitespace().collect();
    let d = cells
        .iter()
        .rev()
        .find(|c| c.ends_with('%') && !c.starts_with('+') && !c.starts_with('-'))
        .unwrap();
    d.trim_end_matches('%').parse().unwrap()
}

const ID: &str = "pingpong/thread-futex/same-cpu";

#[test]
fn calibrate_from_runs_then_check_a_run_and_its_exports() {
    let dir = tempfile::tempdir().unwrap();
    let base = baseline(dir.path(), 6);
    let cal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(base.join("calibration.json")).unwrap())
            .unwrap();
    assert_eq!(cal["runs"].as_array().unwrap().len(), 6);
    assert_eq!(cal["mode"], "quick");
    let noise = cal["noise"].as_array().unwrap();
    assert_eq!(noise.len(), 4, "{cal}");
    for n in noise {
        assert_eq!(n["absolute"]["runs"], 6);
        assert!(n["absolute"]["run_sd"].as_f64().unwrap() > 0.0, "{n}");
    }
    // The ping-pongs ran beside the null call: judged relative to it.
    let ping = noise.iter().find(|n| n["id"] == ID).unwrap();
    assert_eq!(ping["reference"], "floor/getppid");
    assert_eq!(ping["relative"]["runs"], 6);
    let null = noise.iter().find(|n| n["id"] == "floor/getppid").unwrap();
    assert!(null["relative"].is_null(), "{null}");

    let bmf = dir.path().join("out/bmf.json");
    let action = dir.path().join("out/action.json");
    let (code, out, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(data("current.json"))
        .arg("--bmf")
        .arg(&bmf)
        .arg("--output-json")
        .arg(&action));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("WARNING"), "same machine: {err}");
    let r = row(&out, ID);
    assert!(r.ends_with("cannot tell"), "{r}");
    assert!(detectable(r) >= 5.0, "{r}");
    assert!(
        out.contains("rule: this run against a baseline of 6 runs"),
        "{out}"
    );
    assert!(
        out.contains("detectable: ") && out.contains("; same-CPU ping-pongs "),
        "{out}"
    );

    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bmf).unwrap()).unwrap();
    let benches = v.as_object().unwrap();
    assert_eq!(benches.len(), 4, "{v}");
    for (id, b) in benches {
        let m = &b["latency"];
        let (value, low, high) = (
            m["value"].as_f64().unwrap(),
            m["lower_value"].as_f64().unwrap(),
            m["upper_value"].as_f64().unwrap(),
        );
        assert!(low < value && value < high, "{id}: {m}");
    }
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&action).unwrap()).unwrap();
    for e in a.as_array().unwrap() {
        for k in ["name", "unit", "value", "range", "extra"] {
            assert!(!e[k].is_null(), "{k} in {e}");
        }
    }
}

#[test]
fn a_slowdown_of_one_and_a_half_detectable_changes_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let base = baseline(dir.path(), 6);
    let (_, out, _) = run(bin()
        .args(["check", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(data("current.json")));
    let d = detectable(row(&out, ID));
    let slower = dir.path().join("slower.json");
    doctored(&data("current.json"), &slower, ID, 1.0 + 1.5 * d / 100.0);
    let (code, out, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&slower));
    assert_eq!(code, 1, "{out}{err}");
    assert!(row(&out, ID).ends_with(" regressed"), "{out}");
    assert_eq!(out.matches(" regressed\n").count(), 1, "{out}");
    assert!(err.contains("regression:"), "{err}");
    // A change as large the other way is an improvement: exit 0 (twice the shift, as this
    // run lies above the baseline's centre).
    let faster = dir.path().join("faster.json");
    doctored(
        &data("current.json"),
        &faster,
        ID,
        1.0 / (1.0 + 3.0 * d / 100.0),
    );
    let (code, out, _) = run(bin()
        .args(["check", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&faster));
    assert_eq!(code, 0, "{out}");
    assert!(row(&out, ID).ends_with(" improved"), "{out}");
    // A threshold above the change lets it pass.
    let (code, out, _) = run(bin()
        .args(["check", "--threshold", "95%", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&slower));
    assert_eq!(code, 0, "{out}");
}

/// Runs `check` with `args`, expecting exit 2 and one line of error containing `says`.
fn refused(args: &[&std::ffi::OsStr], says: &[&str]) {
    let (code, out, err) = run(bin().arg("check").args(args));
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    for s in says {
        assert!(err.contains(s), "{args:?}: {s:?} not in {err}");
    }
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

#[test]
fn bad_input_exits_2_naming_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let few = baseline(dir.path(), 2);
    let cur = data("current.json");
    let os = |s: &str| std::ffi::OsString::from(s);
    // Too few runs: how many more, and the command that makes them.
    refused(
        &[
            &os("--baseline"),
            few.as_os_str(),
            &os("--current"),
            cur.as_os_str(),
        ],
        &[
            "the baseline has 2 runs; make at least 5",
            "ctxbench check --calibrate --runs 8 --baseline",
        ],
    );
    // One results file is one run.
    refused(
        &[&os("--baseline"), cur.as_os_str()],
        &["a results file is one run", "--calibrate"],
    );
    // A folder that was never calibrated.
    let bare = dir.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    refused(
        &[
            &os("--baseline"),
            bare.as_os_str(),
            &os("--current"),
            cur.as_os_str(),
        ],
        &[
            "not a calibrated baseline",
            "ctxbench check --calibrate --baseline",
        ],
    );
    refused(
        &[&os("--baseline"), dir.path().join("absent").as_os_str()],
        &["absent", "no such baseline folder"],
    );
    // A run made another way than the baseline's.
    let base = baseline(&dir.path().join("six"), 6);
    let full = dir.path().join("full.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cur).unwrap()).unwrap();
    v["mode"] = "full".into();
    std::fs::write(&full, v.to_string()).unwrap();
    refused(
        &[
            &os("--baseline"),
            base.as_os_str(),
            &os("--current"),
            full.as_os_str(),
        ],
        &["a full run, but the baseline's runs are quick runs"],
    );
    // Outputs are checked before anything is read or run.
    refused(
        &[
            &os("--baseline"),
            base.as_os_str(),
            &os("--current"),
            cur.as_os_str(),
            &os("--bmf"),
            dir.path().as_os_str(),
        ],
        &["--bmf"],
    );
    let (code, _, err) = run(bin()
        .args(["check", "--false-alarm", "0%", "--baseline"])
        .arg(&base));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a false-alarm rate"), "{err}");
    // A run of another machine among the baseline's runs names the file.
    let mixed = dir.path().join("mixed");
    std::fs::create_dir_all(mixed.join("runs")).unwrap();
    for (i, r) in std::fs::read_dir(base.join("runs")).unwrap().enumerate() {
        let r = r.unwrap().path();
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&r).unwrap()).unwrap();
        if i == 3 {
            v["machine"]["hostname"] = "elsewhere".into();
        }
        std::fs::write(
            mixed.join("runs").join(r.file_name().unwrap()),
            v.to_string(),
        )
        .unwrap();
    }
    refused(
        &[
            &os("--calibrate"),
            &os("--runs"),
            &os("0"),
            &os("--baseline"),
            mixed.as_os_str(),
        ],
        &["not from the machine of", "move it out of the folder"],
    );
    // Runs of another machine: adding runs made here is refused before anything runs.
    let moved = dir.path().join("moved");
    std::fs::create_dir_all(moved.join("runs")).unwrap();
    for r in std::fs::read_dir(base.join("runs")).unwrap() {
        let r = r.unwrap().path();
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&r).unwrap()).unwrap();
        v["machine"]["hostname"] = "elsewhere".into();
        std::fs::write(
            moved.join("runs").join(r.file_name().unwrap()),
            v.to_string(),
        )
        .unwrap();
    }
    refused(
        &[
            &os("--calibrate"),
            &os("--quick"),
            &os("--runs"),
            &os("1"),
            &os("--baseline"),
            moved.as_os_str(),
        ],
        &[
            "its runs come from another machine",
            "calibrate a new folder here",
        ],
    );
}

#[test]
fn a_run_from_another_machine_is_a_loud_warning_not_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let base = baseline(dir.path(), 6);
    let other = dir.path().join("other.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("current.json")).unwrap()).unwrap();
    v["machine"]["cpu_model"] = "Another CPU".into();
    std::fs::write(&other, v.to_string()).unwrap();
    let (code, out, err) = run(bin()
        .args(["check", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&other));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("WARNING") && err.contains("different machines"),
        "{err}"
    );
}
