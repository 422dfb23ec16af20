//! The isolation experiments through the real binary: Ctrl-C in the middle of a run leaves
//! no child behind (a target stopped under ptrace included), and a run without privilege
//! records the kernel's refusals with their errno. One test, so the runs never overlap
//! and no other test's children are counted as ours.

use std::process::Command;
use std::time::Duration;

mod common;

/// The pids of every child of process `pid` (over all its threads).
fn children_of(pid: u32) -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return vec![];
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect()
}

/// `TracerPid` of process `pid`, 0 when untraced.
fn tracer_of(pid: i32) -> Option<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))?
        .trim()
        .parse()
        .ok()
}

/// Starts a full run of `id`, waits until it says `id` is under way and `seen` says its
/// children are where they should be, sends SIGINT, and checks that the signal ended the
/// run in the middle of `id` and that every process it had is gone.
fn interrupt(id: &str, seen: impl Fn(u32, &[i32]) -> bool) {
    let mut run =
        common::Running::start(&common::tag(id), &["run", "--no-counters", "--filter", id]);
    run.wait_started(id);
    let me = run.pid();
    let kids = common::wait_for(Duration::from_secs(10), || {
        let kids = children_of(me);
        seen(me, &kids).then_some(kids)
    });
    assert!(
        kids.is_some(),
        "{id}: under way, but never seen with the children looked for"
    );
    run.interrupt_in(id);
}

fn interrupted_runs_leave_no_child() {
    // A target stopped under PTRACE_SEIZE (the run's reader is its tracer).
    interrupt("cross/ptrace-peek/1MiB", |me, kids| {
        kids.iter().any(|&k| tracer_of(k) == Some(me as i32))
    });
    // A child in the middle of its copy-on-write writes.
    interrupt("isolation/process-write", |_, kids| !kids.is_empty());
}

fn guard_of(json: &serde_json::Value, way: &str, target: &str) -> String {
    let facts = json["guard"]["facts"].as_array().expect("guard facts");
    let f = facts
        .iter()
        .find(|f| f["way"] == way && f["target"] == target && f["reader_privileged"] == false)
        .unwrap_or_else(|| panic!("no fact for {way} on {target}: {facts:?}"));
    match f["result"].as_str() {
        Some("refused") => format!("refused {}", f["errno"].as_str().unwrap_or("?")),
        other => other.unwrap_or("?").to_string(),
    }
}

/// As `nobody` when this test runs as root (a copy of the binary where nobody can reach
/// it, or skipped saying why), else as whoever runs it.
fn a_run_without_privilege_records_the_refusals() {
    use std::os::unix::process::CommandExt;
    let args = [
        "run",
        "--quick",
        "--no-counters",
        "--filter",
        "cross/proc-mem/4KiB",
        "--json",
        "r.json",
    ];
    let (mut cmd, work) = if common::is_root() {
        let reach = match common::binary_for_nobody() {
            Ok(r) => r,
            Err(why) => {
                common::note(&format!(
                    "the run as nobody in isolation_runs_clean_up_and_record_refusals \
                     skipped: {why}"
                ));
                return;
            }
        };
        let mut cmd = Command::new(&reach.bin);
        cmd.uid(common::NOBODY)
            .gid(common::NOBODY)
            .current_dir(reach.work.path());
        (cmd, Work::Nobody(reach))
    } else {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ctxbench"));
        cmd.current_dir(dir.path());
        (cmd, Work::Mine(dir))
    };
    let out = cmd.args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code() == Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("who may read whose memory"), "{stdout}");
    let json = work.path().join("r.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(v["results"][0]["valid"].as_bool().unwrap(), "{stdout}");
    // One's own process that made itself non-dumpable: refused every way.
    let closed = "same-user-not-dumpable";
    assert_eq!(guard_of(&v, "process-vm-readv", closed), "refused EPERM");
    assert_eq!(guard_of(&v, "proc-mem", closed), "refused EACCES");
    assert_eq!(guard_of(&v, "ptrace-attach", closed), "refused EPERM");
    // Another user's (pid 1, root's): refused too.
    assert_eq!(
        guard_of(&v, "process-vm-readv", "other-user"),
        "refused EPERM"
    );
    assert_eq!(guard_of(&v, "ptrace-attach", "other-user"), "refused EPERM");
    assert!(stdout.contains("refused (EPERM)"), "{stdout}");
}

/// Where the unprivileged run works: a folder nobody can write in, next to a copy of the
/// binary it can run; or, for a user already without privilege, a folder of its own.
enum Work {
    Nobody(common::Reachable),
    Mine(tempfile::TempDir),
}

impl Work {
    fn path(&self) -> &std::path::Path {
        match self {
            Work::Nobody(r) => r.work.path(),
            Work::Mine(d) => d.path(),
        }
    }
}

#[test]
fn isolation_runs_clean_up_and_record_refusals() {
    interrupted_runs_leave_no_child();
    a_run_without_privilege_records_the_refusals();
}
