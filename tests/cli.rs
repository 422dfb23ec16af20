//! The `ctxbench` binary as a user drives it: ids, JSON, exit codes, and no process left
//! behind after a normal end or Ctrl-C.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ctxbench::harness::exclusive;

fn ctxbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args(args)
        .output()
        .expect("the ctxbench binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn list_prints_every_pingpong_id() {
    let o = ctxbench(&["list"]);
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    for id in ctxbench::spec::all_pingpong_ids() {
        assert!(out.lines().any(|l| id == l), "{id} missing from:\n{out}");
    }
    let o = ctxbench(&["list", "--filter", "pingpong/thread"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.lines().all(|l| l.starts_with("pingpong/thread-")),
        "{out}"
    );
}

#[test]
fn run_writes_json_with_valid_same_cpu_results() {
    let _x = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = ctxbench(&[
        "run",
        "--quick",
        "--filter",
        "same-cpu",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let f = ctxbench::results::ResultsFile::load(&json).unwrap();
    let pingpongs: Vec<_> = f
        .results
        .iter()
        .filter(|r| r.is(ctxbench::spec::Experiment::PingPong))
        .collect();
    assert_eq!(pingpongs.len(), ctxbench::spec::PINGPONG_HARNESSES.len());
    for r in pingpongs {
        assert!(r.id.to_string().ends_with("/same-cpu"));
        assert!(r.valid, "{}: {}", r.id, r.validity);
        assert!((1.8..=2.2).contains(&r.switches_per_round_trip));
        assert_eq!(r.samples_ns_per_round_trip.len(), r.ns_per_round_trip.n);
        let per_switch = r.ns_per_switch.unwrap();
        assert!((per_switch * 2.0 - r.ns_per_round_trip.median).abs() < 1e-6);
    }
}

#[test]
fn bad_input_exits_2_with_the_fix() {
    let allowed = ctxbench::cpus::allowed_cpus().unwrap();
    let o = ctxbench(&["run", "--quick", "--cpus", "99"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let want = format!("allowed: {}", ctxbench::cpus::format_cpu_list(&allowed));
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));

    let o = ctxbench(&["run", "--quick", "--cpus", "abc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a CPU number"), "{}", stderr(&o));

    let o = ctxbench(&["run", "--quick", "--filter", "no-such-benchmark"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ctxbench list"), "{}", stderr(&o));
}

/// Pids of live processes whose environment holds `tag`.
fn tagged_processes(tag: &str) -> Vec<i32> {
    let needle = format!("CTXBENCH_TEST_TAG={tag}");
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|&b| b == 0).any(|kv| kv == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

fn wait_until_none(tag: &str) -> Vec<i32> {
    let start = Instant::now();
    loop {
        let left = tagged_processes(tag);
        if left.is_empty() || start.elapsed() > Duration::from_secs(2) {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `ctxbench <args>` to its end with a tag of its own in its environment, checks
/// that it succeeded and that no process of it is left, and returns its output.
fn run_to_the_end_tagged(args: &[&str]) -> String {
    let tag = format!("{}-{}", std::process::id(), args.join(" "));
    let o = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args(args)
        .env("CTXBENCH_TEST_TAG", &tag)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(wait_until_none(&tag), Vec::<i32>::new());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Starts `ctxbench <args>` with `tag` in its environment, its output discarded.
fn start_tagged(tag: &str, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args(args)
        .env("CTXBENCH_TEST_TAG", tag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn no_process_outlives_a_run_or_ctrl_c() {
    let _x = exclusive();
    run_to_the_end_tagged(&["run", "--quick", "--filter", "process-pipe/same-cpu"]);

    // Interrupt a full run while a child process is ping-ponging.
    let tag = format!("{}-{}", std::process::id(), line!());
    let mut child = start_tagged(&tag, &["run", "--filter", "process-"]);
    let start = Instant::now();
    // Floors come first, and on a loaded machine each may be measured three times.
    while tagged_processes(&tag).len() < 2 && start.elapsed() < Duration::from_secs(90) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let forked = tagged_processes(&tag).len() >= 2;
    // Interrupted whether or not it forked in time: a failed check must not leave a full
    // run going on the machine.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let _ = child.wait();
    assert!(forked, "the run never forked a peer");
    assert_eq!(wait_until_none(&tag), Vec::<i32>::new());
}

#[test]
fn no_idle_child_outlives_a_footprint_run_or_ctrl_c() {
    let _x = exclusive();
    let out = run_to_the_end_tagged(&["run", "--quick", "--filter", "footprint/process/"]);
    assert!(out.contains("KiB per idle task"), "{out}");

    // Interrupt a run while its 64 idle children are there. A footprint takes well under
    // a second, so try a few runs until one is caught with its children.
    let mut caught = false;
    for attempt in 0..5 {
        let tag = format!("{}-{}-{attempt}", std::process::id(), line!());
        let mut child = start_tagged(&tag, &["run", "--filter", "footprint/process/64"]);
        let start = Instant::now();
        let mut ended = false;
        while !caught && !ended && start.elapsed() < Duration::from_secs(20) {
            caught = tagged_processes(&tag).len() >= 10;
            ended = child.try_wait().unwrap().is_some();
        }
        if !ended {
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGINT,
            )
            .unwrap();
        }
        // Reaped already when it ended by itself; waited for here otherwise.
        let _ = child.wait();
        assert_eq!(wait_until_none(&tag), Vec::<i32>::new());
        if caught {
            break;
        }
    }
    assert!(caught, "no run was caught with its idle children");
}
