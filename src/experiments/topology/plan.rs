//! Which pairs the sweep measures, and what it costs.
//!
//! Every pair when the machine has at most [`CLASS_COUNT`] x `per_class` of them (on the
//! 2-CPU VMs the one pair, in a full run every pair of up to 8 CPUs); otherwise up to
//! `per_class` pairs of each class, spread over the machine: [`QUICK_PAIRS_PER_CLASS`] in
//! a quick run, [`FULL_PAIRS_PER_CLASS`] in a full one. The sweep measures at most
//! 4 x `per_class` pairs, two ids each, whatever the number of CPUs.
//!
//! [`predicted`] says how long that takes, from the sample configuration and the costs
//! measured here (a cross-CPU futex round trip of [`WAKE_ROUND_TRIP`] between idle
//! vCPUs, the slowest measured so far; a cache-line round trip of [`LINE_ROUND_TRIP`]):
//! under 2 minutes on 64 CPUs in a full run, a few seconds on 2 CPUs in a quick one.

use std::time::Duration;

use super::PairBench;
use crate::harness::cacheline::TAIL_GROUP;
use crate::harness::WARMUP_ROUND_TRIPS;
use crate::measure::SampleConfig;
use crate::spec::{Handover, HANDOVERS};
use crate::topology::{PairClass, Topology, CLASSES};

/// Pairs per class in a quick run.
pub const QUICK_PAIRS_PER_CLASS: usize = 2;
/// Pairs per class in a full run.
pub const FULL_PAIRS_PER_CLASS: usize = 8;
/// How many classes a machine can have.
pub const CLASS_COUNT: usize = CLASSES.len();

/// A cross-CPU futex round trip as the plan budgets it: about 50-60 us measured on the
/// 2-vCPU VMs, where each wake-up must wake an idle vCPU (a few us on bare metal).
pub const WAKE_ROUND_TRIP: Duration = Duration::from_micros(60);
/// A cache-line round trip as the plan budgets it (about 100 ns measured here; up to a
/// few hundred across sockets).
pub const LINE_ROUND_TRIP: Duration = Duration::from_nanos(300);
/// Setting up one harness: a peer thread, a forked watchdog, pinning (a few ms here).
pub const SET_UP: Duration = Duration::from_millis(30);
/// What every id costs besides its harnesses and its round trips: the census of `/proc`
/// before and after its batches, the procfs reads around each batch, opening and closing
/// the counters (an id took 150-250 ms more than its round trips in smoke runs here).
pub const PER_ID: Duration = Duration::from_millis(200);

/// The pairs to measure on `t`, each `(a, b, class)` with `a < b`, class by class (nearest
/// first), deterministic.
pub fn choose_pairs(t: &Topology, per_class: usize) -> Vec<(usize, usize, PairClass)> {
    let all = t.all_pairs();
    if all.len() <= CLASS_COUNT * per_class {
        let mut all = all;
        all.sort_by_key(|&(a, b, c)| (c, a, b));
        return all;
    }
    CLASSES
        .iter()
        .flat_map(|&class| {
            let of: Vec<(usize, usize)> = all
                .iter()
                .filter(|p| p.2 == class)
                .map(|&(a, b, _)| (a, b))
                .collect();
            spread(&of, per_class)
                .into_iter()
                .map(move |(a, b)| (a, b, class))
        })
        .collect()
}

/// Up to `k` of `pairs` (one class's, ascending), spread out: the `i`-th takes a first
/// CPU `i/k` of the way through the class's CPUs and, of that CPU's partners, one `i/k`
/// of the way through them; repeats are filled from the pairs in order.
fn spread(pairs: &[(usize, usize)], k: usize) -> Vec<(usize, usize)> {
    if pairs.len() <= k {
        return pairs.to_vec();
    }
    let mut cpus: Vec<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    cpus.sort_unstable();
    cpus.dedup();
    let mut chosen: Vec<(usize, usize)> = Vec::with_capacity(k);
    for i in 0..k {
        let a = cpus[i * cpus.len() / k];
        let partners: Vec<usize> = pairs
            .iter()
            .filter_map(|&(x, y)| match (x == a, y == a) {
                (true, _) => Some(y),
                (_, true) => Some(x),
                _ => None,
            })
            .collect();
        let b = partners[i * partners.len() / k];
        let p = (a.min(b), a.max(b));
        if !chosen.contains(&p) {
            chosen.push(p);
        }
    }
    for &p in pairs {
        if chosen.len() >= k {
            break;
        }
        if !chosen.contains(&p) {
            chosen.push(p);
        }
    }
    chosen.sort_unstable();
    chosen
}

/// The sweep on `t`: both hand-overs of every chosen pair, the futex first.
pub fn plan(t: &Topology, per_class: usize) -> Vec<PairBench> {
    choose_pairs(t, per_class)
        .into_iter()
        .flat_map(|(a, b, class)| {
            HANDOVERS.into_iter().map(move |handover| PairBench {
                handover,
                a,
                b,
                class,
            })
        })
        .collect()
}

/// How long one id of the sweep takes with `cfg` (the sweep's, see
/// [`super::sweep_config`]): two set-ups with their warm-ups (the timed harness and the
/// counted one), the warm-up and timed batches, the counted run (at least a batch and
/// 1000 round trips, at most a quarter of a second of them), the tails pass, and
/// [`PER_ID`].
pub fn id_cost(handover: Handover, cfg: &SampleConfig) -> Duration {
    let (rt, per_mark) = match handover {
        Handover::Futex => (WAKE_ROUND_TRIP, 1),
        Handover::CacheLine => (LINE_ROUND_TRIP, TAIL_GROUP),
    };
    let trips = |n: u64| rt * n.min(u32::MAX as u64) as u32;
    let set_up = 2 * (SET_UP + trips(WARMUP_ROUND_TRIPS));
    let batches = cfg.warmup.max(Duration::from_millis(4)) + cfg.sample_time * cfg.samples as u32;
    let counted = cfg
        .sample_time
        .max(trips(1000).min(Duration::from_millis(250)));
    let tails = trips(WARMUP_ROUND_TRIPS + cfg.tail_round_trips * per_mark);
    set_up + batches + counted + tails + PER_ID
}

/// How long the sweep `benches` takes with the sweep configuration `cfg`.
pub fn predicted(benches: &[PairBench], cfg: &SampleConfig) -> Duration {
    benches.iter().map(|b| id_cost(b.handover, cfg)).sum()
}

/// Why `t`, read over `cpus`, gives the sweep no pair: the line of its skipped entry.
pub fn why_no_pair(t: &Topology, cpus: &crate::cpus::CpuChoice) -> String {
    if let Err(e) = cpus.take(2, "the topology sweep") {
        return e.to_string();
    }
    format!(
        "the topology sweep needs 2 CPUs whose topology is readable, and {} has {} \
         (CPUs {}: no cpu*/topology/physical_package_id)",
        crate::topology::SYS_CPU,
        t.cpus.len(),
        if t.unread.is_empty() {
            crate::cpus::format_cpu_list(&cpus.cpus)
        } else {
            t.unread.to_string()
        }
    )
}
