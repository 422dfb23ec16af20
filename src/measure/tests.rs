//! Unit tests of the measuring path: outcomes assembled from fixed measurements.

use super::*;
use crate::spec::{Mechanism, Participants, Placement};

#[test]
fn timed_switches_invalidate_a_loop_that_did_not_sleep() {
    let spec = PingPongSpec {
        participants: Participants::Thread,
        mechanism: Mechanism::Futex,
        placement: Placement::SameCpu(0),
    };
    let samples = Samples {
        iters_per_sample: 100,
        ns_per_iter: vec![1000.0, 1100.0],
    };
    let count = SwitchCount {
        iters: 1000,
        voluntary: 2000,
        involuntary: 0,
        per_iter: 2.0,
    };
    let timed = |per_iter: f64| SwitchCount {
        iters: 200,
        voluntary: (per_iter * 200.0) as u64,
        involuntary: 0,
        per_iter,
    };
    let mut o = pingpong_outcome(&spec, Some(2.0), samples.clone(), count);
    apply_timed_switches(&mut o, Some(2.0), Some(timed(2.0)));
    assert!(o.valid, "{}", o.validity);
    assert_eq!(o.timed_switches_per_iteration, Some(2.0));

    let mut o = pingpong_outcome(&spec, Some(2.0), samples.clone(), count);
    apply_timed_switches(&mut o, Some(2.0), Some(timed(0.3)));
    assert!(!o.valid);
    assert!(
        o.validity.starts_with("during the timed samples"),
        "{}",
        o.validity
    );

    // Off one CPU nothing is promised: recorded, not judged.
    let mut o = pingpong_outcome(&spec, None, samples, count);
    apply_timed_switches(&mut o, None, Some(timed(0.3)));
    assert!(o.valid);
    assert_eq!(o.timed_switches_per_iteration, Some(0.3));
}

#[test]
fn judge_band() {
    assert!(matches!(judge(Some(2.0), 2.0), Validity::Valid(_)));
    assert!(judge(Some(2.0), 1.8).is_valid());
    assert!(judge(Some(2.0), 2.2).is_valid());
    let v = judge(Some(2.0), 1.0);
    assert!(
        matches!(&v, Validity::Invalid(why) if why.contains("did not sleep")),
        "{v:?}"
    );
    let v = judge(Some(2.0), 5.1);
    assert!(
        matches!(&v, Validity::Invalid(why) if why.contains("extra switches")),
        "{v:?}"
    );
    assert!(matches!(judge(None, 0.3), Validity::Unchecked(_)));
    assert!(!judge(Some(0.0), 0.5).is_valid());
    assert!(judge(Some(0.0), 0.001).is_valid());
}

#[test]
fn outcome_per_switch_only_on_one_cpu() {
    let count = SwitchCount {
        iters: 1000,
        voluntary: 2000,
        involuntary: 1,
        per_iter: 2.001,
    };
    let samples = Samples {
        iters_per_sample: 100,
        ns_per_iter: vec![1000.0, 1200.0, 1100.0],
    };
    let spec = PingPongSpec {
        participants: Participants::Process,
        mechanism: Mechanism::Pipe,
        placement: Placement::SameCpu(0),
    };
    let o = pingpong_outcome(&spec, Some(2.0), samples.clone(), count);
    assert_eq!(o.ns_per_switch, Some(550.0));
    assert!(o.valid);
    let cross = PingPongSpec {
        placement: Placement::CrossCpu(0, 1),
        ..spec
    };
    let o = pingpong_outcome(&cross, None, samples, count);
    assert_eq!(o.ns_per_switch, None);
    assert_eq!(o.id, "pingpong/process-pipe/cross-cpu");
}

/// A harness whose every iteration sleeps `ms`, slow or not as it says.
struct Sleeper {
    ms: u64,
    slow: bool,
    driver: crate::harness::Driver,
}

impl Harness for Sleeper {
    fn run(&mut self, iters: u64) -> crate::Result<std::time::Duration> {
        let start = std::time::Instant::now();
        for _ in 0..iters {
            std::thread::sleep(std::time::Duration::from_millis(self.ms));
        }
        Ok(start.elapsed())
    }

    fn driver(&self) -> &crate::harness::Driver {
        &self.driver
    }

    fn slow_iterations(&self) -> bool {
        self.slow
    }
}

#[test]
fn a_slow_harness_gets_single_iteration_samples_within_the_time_of_all_samples() {
    let cfg = SampleConfig {
        warmup: std::time::Duration::from_millis(1),
        samples: 15,
        sample_time: std::time::Duration::from_millis(2),
        tail_round_trips: 0,
    };
    let driver = || crate::harness::Driver::pin(crate::spec::Placement::Unpinned).unwrap();
    let mut slow = Sleeper {
        ms: 5,
        slow: true,
        driver: driver(),
    };
    let s = time_samples(&mut slow, &cfg).unwrap();
    assert_eq!(s.iters_per_sample, 1);
    // 15 samples of 2 ms are 30 ms: about six 5-ms samples, never fewer than 5.
    assert!((5..=7).contains(&s.ns_per_iter.len()), "{s:?}");
    assert!(
        count_iters_for(&s, true) < 100,
        "{}",
        count_iters_for(&s, true)
    );
    let mut usual = Sleeper {
        ms: 5,
        slow: false,
        driver: driver(),
    };
    let s = time_samples(&mut usual, &cfg).unwrap();
    assert_eq!((s.iters_per_sample, s.ns_per_iter.len()), (10, 15));
    assert_eq!(count_iters(&s), count_iters_for(&s, false));
}

#[test]
fn a_lone_task_preempted_now_and_then_stays_valid_but_one_that_blocks_does_not() {
    let meta = OutcomeMeta {
        id: "cross/ptrace-peek/1MiB".parse().unwrap(),
        experiment: "cross".parse().unwrap(),
        participants: None,
        mechanism: None,
        placement: Some(crate::spec::PlacementKind::SameCpu),
        cpus: vec![0],
        parameter: None,
        variant: None,
    };
    let samples = Samples {
        iters_per_sample: 1,
        ns_per_iter: vec![4e7; 5],
    };
    let count = |voluntary: u64, involuntary: u64| SwitchCount {
        iters: 2,
        voluntary,
        involuntary,
        per_iter: (voluntary + involuntary) as f64 / 2.0,
    };
    // 26 preemptions over two 40-ms reads, none of them the reader's own doing.
    let mut o = outcome(meta.clone(), Some(0.0), samples.clone(), count(0, 26));
    assert!(!o.valid, "{}", o.validity);
    excuse_preemptions(&mut o, Some(0.0), Some(count(0, 3)));
    assert!(o.valid, "{}", o.validity);
    assert!(o.validity.contains("13.000 involuntary"), "{}", o.validity);
    // A reader that blocked is the harness's own mistake, whatever preempted it.
    let mut o = outcome(meta.clone(), Some(0.0), samples.clone(), count(2, 26));
    excuse_preemptions(&mut o, Some(0.0), None);
    assert!(!o.valid);
    let mut o = outcome(meta, Some(0.0), samples, count(0, 26));
    excuse_preemptions(&mut o, Some(0.0), Some(count(1, 0)));
    assert!(!o.valid, "the timed batches blocked");
}
