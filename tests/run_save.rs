//! `ctxbench run --save` and `ctxbench check` running now, through the real binary. One
//! test, so the two runs never overlap (ping-pongs sharing a CPU disturb each other).
//! Exit codes 0 and 1 are both accepted where a busy machine can make a run invalid or
//! slower; what is checked is what was written and printed.

use std::path::Path;
use std::process::Command;

use ctxbench::results::ResultsFile;

#[test]
fn run_save_writes_a_stamped_file_and_check_runs_now() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args([
            "run",
            "--quick",
            "--filter",
            "pingpong/thread-pipe/same-cpu",
            "--save",
        ])
        .arg("--results-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    // stdout is the table alone; the machine summary goes to stderr.
    assert!(stdout.starts_with("id "), "{stdout}");
    assert!(stderr.starts_with("machine: "), "{stderr}");
    let saved_line = stderr
        .lines()
        .find(|l| l.starts_with("saved "))
        .expect("a saved line");
    let path = Path::new(saved_line.trim_start_matches("saved "));
    assert!(path.starts_with(dir.path()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.len() == "2026-11-27T06-30-00Z.json".len() && name.ends_with("Z.json"),
        "{name}"
    );

    let f = ResultsFile::load(path).unwrap();
    // The ping-pong, and the floor it is measured against.
    let ids: Vec<String> = f.results.iter().map(|r| r.id.to_string()).collect();
    assert!(
        ids.iter().any(|i| i == "pingpong/thread-pipe/same-cpu"),
        "{ids:?}"
    );
    assert!(
        ids.iter()
            .all(|id| *id == "pingpong/thread-pipe/same-cpu" || id.starts_with("floor/")),
        "{ids:?}"
    );
    for r in &f.results {
        assert_eq!(r.samples_ns_per_iteration.len(), r.ns_per_iteration.n);
    }
    assert!(!f.machine.cpus_used.is_empty());
    assert!(
        f.permissions.is_none(),
        "no read of another process, so no permission probe"
    );
    assert_eq!(
        path.parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy(),
        f.machine.slug()
    );
    if let Ok(rel) = std::fs::read_to_string("/proc/sys/kernel/osrelease") {
        assert_eq!(f.machine.kernel_release, rel.trim());
    }
    assert_eq!(f.machine.ctxbench_version, env!("CARGO_PKG_VERSION"));

    // A baseline of five copies of that run (the gate refuses fewer), then a check
    // that runs the same ids now, as the baseline's runs were made.
    let base = dir.path().join("gate");
    std::fs::create_dir_all(base.join("runs")).unwrap();
    for i in 0..5 {
        std::fs::copy(path, base.join(format!("runs/{i}.json"))).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args(["check", "--calibrate", "--runs", "0", "--baseline"])
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = dir.path().join("now.json");
    let out = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args(["check", "--baseline"])
        .arg(&base)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stdout}{stderr}");
    assert!(stdout.contains("pingpong/thread-pipe/same-cpu"), "{stdout}");
    assert!(
        !stderr.contains("WARNING"),
        "same machine, no warning: {stderr}"
    );
    // check runs the baseline's ids now, quick as they were: the same ping-pong and floors.
    let now = ResultsFile::load(&json).unwrap();
    assert_eq!(now.mode, ctxbench::spec::Mode::Quick);
    let now_ids: Vec<String> = now.results.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(now_ids, ids);
}
