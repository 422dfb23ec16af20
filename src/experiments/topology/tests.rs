//! The sweep's plan on fake machines: the pairs chosen per class and the time it predicts;
//! and one real pair measured both ways on this machine.

use std::time::Duration;

use super::plan::{plan, predicted};
use super::*;
use crate::topology::fake::{shape, tree};
use crate::topology::{Topology, CLASSES};

fn machine(packages: usize, l3s: usize, cores: usize, threads: usize) -> Topology {
    let dir = tree(&shape(packages, l3s, cores, threads));
    Topology::read(dir.path(), None)
}

fn per_class(pairs: &[(usize, usize, PairClass)]) -> Vec<(PairClass, usize)> {
    CLASSES
        .iter()
        .map(|&c| (c, pairs.iter().filter(|p| p.2 == c).count()))
        .filter(|&(_, n)| n > 0)
        .collect()
}

/// Asserts that the sweep on `t` is predicted to take less than `quick` and `full`
/// seconds in a quick and a full run.
fn within(t: &Topology, quick: u64, full: u64) {
    let (q, f) = budgets(t);
    assert!(q < Duration::from_secs(quick), "quick: {q:?}");
    assert!(f < Duration::from_secs(full), "full: {f:?}");
}

/// The sweep's predicted time in a quick and a full run.
fn budgets(t: &Topology) -> (Duration, Duration) {
    let q = plan(t, QUICK_PAIRS_PER_CLASS);
    let f = plan(t, FULL_PAIRS_PER_CLASS);
    (
        predicted(&q, &sweep_config(&SampleConfig::quick())),
        predicted(&f, &sweep_config(&SampleConfig::full())),
    )
}

#[test]
fn two_cpus_measure_their_one_pair_both_ways() {
    let t = machine(1, 1, 2, 1);
    for k in [QUICK_PAIRS_PER_CLASS, FULL_PAIRS_PER_CLASS] {
        assert_eq!(choose_pairs(&t, k), [(0, 1, PairClass::SameL3)]);
    }
    let ids: Vec<String> = plan(&t, QUICK_PAIRS_PER_CLASS)
        .iter()
        .map(Bench::id)
        .map(|i| i.to_string())
        .collect();
    assert_eq!(ids, ["topology/futex/0-1", "topology/cacheline/0-1"]);
    within(&t, 6, 10);
}

#[test]
fn eight_cpus_with_smt_every_pair_in_full_two_per_class_in_quick() {
    let t = machine(1, 1, 4, 2);
    let full = choose_pairs(&t, FULL_PAIRS_PER_CLASS);
    assert_eq!(full.len(), 28, "every pair of 8 CPUs");
    assert_eq!(
        per_class(&full),
        [(PairClass::Smt, 4), (PairClass::SameL3, 24)]
    );
    let quick = choose_pairs(&t, QUICK_PAIRS_PER_CLASS);
    assert_eq!(
        quick,
        [
            (0, 4, PairClass::Smt),
            (1, 5, PairClass::Smt),
            (0, 1, PairClass::SameL3),
            (4, 5, PairClass::SameL3),
        ]
    );
    within(&t, 10, 120);
}

#[test]
fn two_sockets_of_two_l3s_sample_each_class_spread_out() {
    let t = machine(2, 2, 4, 1);
    let full = choose_pairs(&t, FULL_PAIRS_PER_CLASS);
    assert_eq!(
        per_class(&full),
        [
            (PairClass::SameL3, 8),
            (PairClass::SamePackage, 8),
            (PairClass::CrossPackage, 8)
        ]
    );
    for &(a, b, c) in &full {
        assert!(a < b && t.class_of(a, b) == Some(c), "{a}-{b} {c}");
    }
    // Spread: every L3 has a CPU in some chosen pair of each class it takes part in.
    for class in [PairClass::SameL3, PairClass::CrossPackage] {
        let cpus: Vec<usize> = full
            .iter()
            .filter(|p| p.2 == class)
            .flat_map(|p| [p.0, p.1])
            .collect();
        for l3 in &t.l3 {
            assert!(cpus.iter().any(|&c| l3.contains(c)), "{class} misses {l3}");
        }
    }
    let quick = choose_pairs(&t, QUICK_PAIRS_PER_CLASS);
    assert_eq!(quick.len(), 6);
    assert_eq!(
        choose_pairs(&t, FULL_PAIRS_PER_CLASS),
        full,
        "deterministic"
    );
    within(&t, 15, 120);
}

#[test]
fn sixty_four_cpus_stay_within_the_budget_and_grow_with_the_classes() {
    // 2 sockets x 2 L3s x 8 cores x 2 threads: every class.
    let t = machine(2, 2, 8, 2);
    assert_eq!(t.cpus.len(), 64);
    let full = plan(&t, FULL_PAIRS_PER_CLASS);
    assert_eq!(full.len(), 2 * 4 * FULL_PAIRS_PER_CLASS);
    within(&t, 15, 120);
    // Twice the CPUs, the same classes: the same cost.
    let bigger = machine(2, 2, 16, 2);
    assert_eq!(budgets(&bigger), budgets(&t));
}

#[test]
fn outcomes_say_their_class_and_cpus() {
    let b = PairBench {
        handover: Handover::CacheLine,
        a: 2,
        b: 9,
        class: PairClass::CrossPackage,
    };
    let m = b.meta();
    assert_eq!(m.id, "topology/cacheline/2-9");
    assert_eq!(m.experiment, "topology");
    assert_eq!(
        (m.cpus, m.variant),
        (vec![2, 9], Some(Variant::Pair(PairClass::CrossPackage)))
    );
    assert_eq!(m.mechanism, None, "no kernel mechanism");
    let f = PairBench {
        handover: Handover::Futex,
        ..b
    };
    assert_eq!(f.meta().mechanism, Some(Mechanism::Futex));
    assert_eq!(f.futex_spec().placement, Placement::CrossCpu(2, 9));
    let full = sweep_config(&SampleConfig::full());
    assert_eq!(full.tail_round_trips, SampleConfig::full().tail_round_trips);
    assert_eq!(full.samples, SampleConfig::quick().samples);
}

#[test]
fn a_real_pair_is_measured_both_ways_with_tails() {
    let _x = crate::harness::exclusive();
    let t = Topology::this_machine();
    let Some(&(a, b, class)) = choose_pairs(&t, QUICK_PAIRS_PER_CLASS).first() else {
        return;
    };
    let cfg = SampleConfig {
        warmup: Duration::from_millis(5),
        samples: 3,
        sample_time: Duration::from_millis(5),
        tail_round_trips: 500,
    };
    for handover in crate::spec::HANDOVERS {
        let bench = PairBench {
            handover,
            a,
            b,
            class,
        };
        let o = measure_bench(&bench, &cfg, &Counting::Off).unwrap();
        assert_eq!(o.cpus, [a, b]);
        assert_eq!(o.variant, Some(Variant::Pair(class)));
        let l = o.latency.unwrap_or_else(|| panic!("{}: no tails", o.id));
        assert!(
            l.p50_ns > 0 && l.p50_ns <= l.p99_ns && l.p99_ns <= l.max_ns,
            "{l:?}"
        );
        match handover {
            Handover::Futex => {
                assert_eq!(l.round_trips, 500);
                assert!(o.validity.starts_with("not checked"), "{}", o.validity);
            }
            Handover::CacheLine => {
                assert_eq!(l.round_trips, 500 * TAIL_GROUP);
                assert_eq!(o.extra["tail_group_round_trips"], TAIL_GROUP as f64);
                // No kernel: judged against no switch at all (other tests' threads may
                // preempt a spinner here, which the verdict then says).
                assert!(
                    o.validity.contains("expected about 0") || o.validity.contains("alone"),
                    "{}",
                    o.validity
                );
            }
        }
    }
}

#[test]
fn the_prediction_adds_up_the_phases_of_each_id() {
    let q = sweep_config(&SampleConfig::quick());
    // 2 x (30 ms + 200 x 60 us) + (50 + 15 x 20) ms + 1000 x 60 us + 3200 x 60 us + 200 ms.
    assert_eq!(
        plan::id_cost(Handover::Futex, &q),
        Duration::from_millis(886)
    );
    let t = machine(1, 1, 2, 1);
    let p = predicted(&plan(&t, QUICK_PAIRS_PER_CLASS), &q);
    assert!(
        p > Duration::from_millis(1500) && p < Duration::from_millis(1700),
        "{p:?}"
    );
}
