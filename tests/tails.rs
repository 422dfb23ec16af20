//! The latency-tails pass on a real harness: a cross-CPU (or unpinned) outcome carries the
//! percentiles, a same-CPU one does not, and results files written before the field
//! existed still load. (That every ping-pong's stamped pass makes its round trips is
//! checked with the other harness tests.) Behaviour only, never speed.

use std::path::Path;
use std::time::Duration;

use ctxbench::bench::measure_bench;
use ctxbench::cpus::allowed_cpus;
use ctxbench::harness::exclusive;
use ctxbench::measure::{Counting, SampleConfig};
use ctxbench::results::ResultsFile;
use ctxbench::spec::{Mechanism, Participants, PingPongSpec, Placement};

fn short(tail_round_trips: u64) -> SampleConfig {
    SampleConfig {
        warmup: Duration::from_millis(10),
        samples: 3,
        sample_time: Duration::from_millis(5),
        tail_round_trips,
    }
}

#[test]
fn off_one_cpu_the_outcome_carries_the_percentiles() {
    let _x = exclusive();
    let cpus = allowed_cpus().unwrap();
    let placement = match cpus[..] {
        [a, b, ..] => Placement::CrossCpu(a, b),
        _ => Placement::Unpinned,
    };
    let spec = PingPongSpec {
        participants: Participants::Process,
        mechanism: Mechanism::Eventfd,
        placement,
    };
    let o = measure_bench(&spec, &short(2_000), &Counting::Off).unwrap();
    let l = o.latency.expect("a cross-cpu outcome has its tails");
    assert_eq!(l.round_trips, 2_000);
    assert!(l.p50_ns > 0, "{l:?}");
    assert!(
        l.p50_ns <= l.p90_ns && l.p90_ns <= l.p99_ns && l.p99_ns <= l.p999_ns,
        "{l:?}"
    );
    assert!(l.p999_ns <= l.max_ns, "{l:?}");
    // In the file, and back.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.json");
    ResultsFile::new(ctxbench::spec::Mode::Quick, vec![o.clone()], vec![])
        .save(&p)
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(json["results"][0]["latency"]["round_trips"], 2_000);
    assert_eq!(ResultsFile::load(&p).unwrap().results[0].latency, Some(l));

    let same = PingPongSpec {
        placement: Placement::SameCpu(cpus[0]),
        ..spec
    };
    let o = measure_bench(&same, &short(2_000), &Counting::Off).unwrap();
    assert_eq!(o.latency, None, "same-cpu ids keep batch timing alone");
}

#[test]
fn files_without_the_field_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in [
        "tests/data/legacy/amd-epyc-vm-full-2026-12-01.json",
        "tests/data/results/machine-a.json",
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(!text.contains("\"latency\""), "{f} already has the field");
        let old = ResultsFile::load(&dir.join(f)).unwrap();
        assert!(!old.results.is_empty(), "{f}");
        assert!(old.results.iter().all(|o| o.latency.is_none()), "{f}");
    }
}
