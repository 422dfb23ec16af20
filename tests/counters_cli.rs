//! The counter side of the CLI: `--events`, `--no-counters`, `ctxbench counters`.

use std::process::Command;

use ctxbench::counters::events;

mod common;

fn ctxbench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctxbench"))
}

#[test]
fn an_unknown_event_is_a_usage_error_listing_the_known_ones() {
    let out = ctxbench()
        .args(["run", "--quick", "--events", "context-switches,bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"bogus\""), "{err}");
    for e in &events::EVENTS {
        assert!(err.contains(e.name), "{} missing from: {err}", e.name);
    }
}

#[test]
fn counters_verb_lists_every_event_with_its_family() {
    let out = ctxbench().arg("counters").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for e in &events::EVENTS {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(e.name))
            .unwrap_or_else(|| panic!("{} missing from:\n{text}", e.name));
        assert!(line.contains(e.family.name()), "{line}");
        assert!(line.contains(" yes") || line.contains(" no "), "{line}");
    }
    assert!(text.contains("perf_event_paranoid"), "{text}");
}

fn run_json(extra: &[&str]) -> serde_json::Value {
    let _x = ctxbench::harness::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = ctxbench()
        .args(["run", "--quick", "-f", "thread-futex/same-cpu", "--json"])
        .arg(&json)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

/// The ping-pong outcome of a `run_json` file (a same-cpu run also measures its floor).
fn pingpong(v: &serde_json::Value) -> &serde_json::Value {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "pingpong/thread-futex/same-cpu")
        .expect("the ping-pong outcome")
}

#[test]
fn events_pick_the_counters_and_no_counters_skips_them() {
    let v = run_json(&["--events", "context-switches,tlb:tlb_flush"]);
    let r = pingpong(&v);
    let counters = r["counters"].as_object().unwrap();
    let mut keys: Vec<&str> = counters.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["context-switches", "tlb:tlb_flush"]);
    match counters["context-switches"].get("per_round_trip") {
        Some(rt) => {
            let rt = rt.as_f64().unwrap();
            assert!((1.8..=2.2).contains(&rt), "{rt}");
            assert!(r["switch_count_source"]
                .as_str()
                .unwrap()
                .contains("context-switches"));
        }
        None => eprintln!(
            "note: context-switches refused here: {}",
            counters["context-switches"]["unsupported"]
        ),
    }

    let v = run_json(&["--no-counters"]);
    let r = pingpong(&v);
    assert!(r["counters"].as_object().unwrap().is_empty());
    assert!(r["switch_count_source"]
        .as_str()
        .unwrap()
        .starts_with("procfs"));
}

/// Without privileges (an unprivileged user, `perf_event_paranoid` 2 as on this project's
/// machines) the harnesses still run and time, and every kernel-side counter says it is
/// not permitted and how to permit it. Runs only as root (to drop to `nobody`, running a
/// copy of the binary where nobody can reach it) with `setpriv` present; otherwise it says
/// why it skipped.
#[test]
fn unprivileged_runs_time_and_say_counters_are_not_permitted() {
    let paranoid: i32 = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(2);
    let setpriv = std::path::Path::new("/usr/bin/setpriv");
    let skipped = |why: &str| {
        common::note(&format!(
            "unprivileged_runs_time_and_say_counters_are_not_permitted skipped: {why}"
        ))
    };
    if !common::is_root() || !setpriv.exists() || paranoid < 2 {
        skipped("needs root, /usr/bin/setpriv and perf_event_paranoid >= 2");
        return;
    }
    let reach = match common::binary_for_nobody() {
        Ok(r) => r,
        Err(why) => return skipped(&why),
    };
    let _x = ctxbench::harness::exclusive();
    let json = reach.work.path().join("r.json");
    let out = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&reach.bin)
        .args([
            "run",
            "--quick",
            "-f",
            "pingpong/thread-futex/same-cpu",
            "--json",
        ])
        .arg(&json)
        .current_dir(reach.work.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let r = pingpong(&v);
    assert!(r["valid"].as_bool().unwrap(), "{}", r["validity"]);
    assert!(
        r["switch_count_source"]
            .as_str()
            .unwrap()
            .starts_with("procfs"),
        "{}",
        r["switch_count_source"]
    );
    let counters = r["counters"].as_object().unwrap();
    for name in ["context-switches", "sched:sched_switch", "tlb:tlb_flush"] {
        let why = counters[name]["unsupported"].as_str().unwrap_or_else(|| {
            panic!(
                "{name} counted for an unprivileged user: {}",
                counters[name]
            )
        });
        assert!(
            why.contains("not permitted") && why.contains("perf_event_paranoid"),
            "{name}: {why}"
        );
    }
}

/// With no tracefs mounted, ctxbench as root mounts it and counts tracepoints; without
/// CAP_SYS_ADMIN it says tracefs is missing and how to mount it. Both run in a private
/// mount namespace (`unshare --mount`) with tracefs unmounted there only, so the
/// machine's own mounts are never touched. Runs only as root with /usr/bin/unshare and
/// /usr/bin/setpriv; otherwise it says why it skipped.
#[test]
fn a_missing_tracefs_is_mounted_as_root_and_named_without_the_right() {
    let unshare = std::path::Path::new("/usr/bin/unshare");
    let setpriv = std::path::Path::new("/usr/bin/setpriv");
    if !common::is_root() || !unshare.exists() || !setpriv.exists() {
        common::note(
            "a_missing_tracefs_is_mounted_as_root_and_named_without_the_right skipped: \
             needs root, /usr/bin/unshare and /usr/bin/setpriv",
        );
        return;
    }
    let tracefs_mounts = || {
        std::fs::read_to_string("/proc/self/mounts")
            .unwrap()
            .lines()
            .filter(|l| l.contains(" tracefs "))
            .count()
    };
    let before = tracefs_mounts();
    // Unmounts every tracefs (and debugfs, whose tracing directory is one) in the new
    // namespace, then runs the rest of the arguments.
    let script = "umount /sys/kernel/debug/tracing 2>/dev/null; \
                  umount /sys/kernel/debug 2>/dev/null; \
                  while umount /sys/kernel/tracing 2>/dev/null; do :; done; \
                  if grep -q ' tracefs ' /proc/self/mounts; then echo 'still mounted'; exit 3; fi; \
                  exec \"$@\"";
    let in_namespace = |prefix: &[&str]| {
        let out = Command::new(unshare)
            .args([
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .args(prefix)
            .arg(env!("CARGO_BIN_EXE_ctxbench"))
            .arg("counters")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    let line = |text: &str, name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} missing from:\n{text}"))
            .to_string()
    };

    let text = in_namespace(&[]);
    assert!(
        text.contains("tracefs was not mounted: mounted it at /sys/kernel/tracing"),
        "{text}"
    );
    for name in ["sched:sched_switch", "raw_syscalls:sys_enter"] {
        let l = line(&text, name);
        assert!(l.contains(" yes"), "{l}");
    }

    let text = in_namespace(&[
        setpriv.to_str().unwrap(),
        "--bounding-set=-sys_admin",
        "--inh-caps=-sys_admin",
        "--",
    ]);
    assert!(!text.contains("tracefs was not mounted"), "{text}");
    for name in ["sched:sched_switch", "raw_syscalls:sys_enter"] {
        let l = line(&text, name);
        assert!(
            l.contains("no tracefs: mount it at /sys/kernel/tracing") && l.contains("as root"),
            "{l}"
        );
    }
    assert_eq!(tracefs_mounts(), before, "the machine's own mounts changed");
}
