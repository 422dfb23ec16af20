//! The `ctxbench` binary as a user drives it: ids, JSON, exit codes, and no process left
//! behind after a normal end or Ctrl-C (sent once the run says the id is under way, and
//! checked to have landed there).

use std::process::{Command, Output};
use std::time::Duration;

use ctxbench::harness::exclusive;

mod common;

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

/// Runs `--quick` over `filters` with counters, and checks the JSON it wrote: every id
/// in `want` there, each a valid same-CPU ping-pong of about two switches per round trip,
/// its samples and its time per switch consistent.
fn same_cpu_json(filters: &[&str], want: &[String]) {
    let _x = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let mut args = vec!["run", "--quick", "--json", json.to_str().unwrap()];
    for f in filters {
        args.extend(["--filter", f]);
    }
    let o = ctxbench(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let f = ctxbench::results::ResultsFile::load(&json).unwrap();
    let pingpongs: Vec<_> = f
        .results
        .iter()
        .filter(|r| r.is(ctxbench::spec::Experiment::PingPong))
        .collect();
    let mut got: Vec<String> = pingpongs.iter().map(|r| r.id.to_string()).collect();
    got.sort();
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(got, want);
    for r in pingpongs {
        assert!(r.id.to_string().ends_with("/same-cpu"));
        assert!(r.valid, "{}: {}", r.id, r.validity);
        assert!((1.8..=2.2).contains(&r.switches_per_iteration));
        assert_eq!(r.samples_ns_per_iteration.len(), r.ns_per_iteration.n);
        let per_switch = r.ns_per_switch.unwrap();
        assert!((per_switch * 2.0 - r.ns_per_iteration.median).abs() < 1e-6);
    }
}

/// One process and one thread ping-pong: the JSON a run writes, with its results valid.
#[test]
fn run_writes_json_with_valid_same_cpu_results() {
    let ids = [
        "pingpong/process-pipe/same-cpu",
        "pingpong/thread-futex/same-cpu",
    ];
    same_cpu_json(&ids, &ids.map(String::from));
}

/// Every ping-pong harness on one CPU, through the binary (long: 8 harnesses and their
/// floors, counted). Ignored by a plain `cargo test`; `.ci/run` includes it.
#[test]
#[ignore = "long: a counted run of every same-CPU ping-pong through the binary; \
            cargo test -- --include-ignored runs it (.ci/run does)"]
fn every_same_cpu_pingpong_is_valid_through_the_binary() {
    let want: Vec<String> = ctxbench::spec::PINGPONG_HARNESSES
        .iter()
        .map(|&(p, m)| format!("pingpong/{p}-{m}/same-cpu"))
        .collect();
    same_cpu_json(&["same-cpu"], &want);
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

/// Runs `ctxbench <args>` to its end with a tag of its own in its environment, checks
/// that it succeeded and that no process of it is left, and returns its output.
fn run_to_the_end_tagged(args: &[&str]) -> String {
    let tag = common::tag(&args.join(" "));
    let o = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args(args)
        .env("CTXBENCH_TEST_TAG", &tag)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(common::wait_until_none(&tag), Vec::<i32>::new());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn no_process_outlives_a_run_or_ctrl_c() {
    let _x = exclusive();
    run_to_the_end_tagged(&["run", "--quick", "--filter", "process-pipe/same-cpu"]);

    // Ctrl-C while a child process ping-pongs: a full run (seconds per id; unpinned, so
    // no floor runs before it and any number of CPUs will do), interrupted once it says
    // the ping-pong's harness is up.
    let id = "pingpong/process-pipe/unpinned";
    let mut run = common::Running::start(&common::tag(id), &["run", "--filter", id]);
    run.wait_started(id);
    let forked = common::tagged_processes(&run.tag);
    assert!(forked.len() >= 2, "the run and its peer: {forked:?}");
    run.interrupt_in(id);
}

#[test]
fn no_idle_child_outlives_a_footprint_run_or_ctrl_c() {
    let _x = exclusive();
    let out = run_to_the_end_tagged(&["run", "--quick", "--filter", "footprint/process/"]);
    assert!(out.contains("KiB per idle task"), "{out}");

    // Ctrl-C while the 64 idle children are there: a full run measures them 8 times,
    // each time starting them anew; it is interrupted once it says they are up and they
    // are seen.
    let id = "footprint/process/64";
    let mut run = common::Running::start(&common::tag(id), &["run", "--filter", id]);
    run.wait_started(id);
    let seen = common::wait_for(Duration::from_secs(10), || {
        let n = common::tagged_processes(&run.tag).len();
        (n > 64).then_some(n)
    });
    assert!(
        seen.is_some(),
        "the run was never seen with its 64 idle children"
    );
    run.interrupt_in(id);
}
