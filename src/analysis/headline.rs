//! The figures a comparison opens with, one set per run, computed from the run's valid
//! outcomes with the same selections the claims use (so a headline figure and the
//! evidence of its claim agree): a switch on one CPU, process and thread; what the
//! address-space switch adds; where full TLB flushes start in a ring and what one costs;
//! the cross-CPU round trip; what creating a process and a thread costs; what refilling
//! the caches after a switch costs.
//!
//! Each figure says which result it comes from and whether that result is stable
//! ([`spread`](super::spread)): an unstable median is shown flagged, never as if it
//! meant much.
//!
//! ```
//! use ctxbench::analysis::headline::Headline;
//! let h = Headline::of(&[]);
//! assert!(h.switch.is_none() && h.cliff.is_none() && h.wakeup.is_none());
//! ```

use super::claims::address_space::FutexPair;
use super::claims::caches::{direct_cost, peak, read_sets, Peak};
use super::claims::select::{twins, valid};
use super::claims::tlb::Rings;
use super::spread::{stability, Stability};
use crate::measure::Outcome;
use crate::spec::{BenchId, Experiment, Mechanism, Participants, PlacementKind, SpawnKind};

/// The working-set size the refill figure is read at (1 MiB per side: past the first-level
/// caches everywhere, and within the last level on the machines measured here).
pub const REFILL_BYTES: u64 = 1 << 20;

/// One figure: its value in ns, the result it comes from, and how that result spreads.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The value, ns.
    pub ns: f64,
    /// The id of the result.
    pub id: BenchId,
    /// How the result's samples spread.
    pub stability: Stability,
}

impl Figure {
    fn of(o: &Outcome, ns: f64) -> Self {
        Self {
            ns,
            id: o.id,
            stability: stability(&o.samples_ns_per_iteration),
        }
    }
}

/// A switch on one CPU, process and thread over the same mechanism, ns per switch.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchPair {
    /// The mechanism of the thread side (`futex-shared` where that is the twin).
    pub mechanism: String,
    /// The process ping-pong, ns per switch (mechanism included).
    pub process: Figure,
    /// Its thread twin.
    pub thread: Figure,
    /// The direct costs (floors subtracted), process and thread, where floors were measured.
    pub direct: Option<(f64, f64)>,
}

/// What the address-space switch adds to a switch: the futex pair of claim 2.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressSpaceCost {
    /// Process minus thread, ns per switch.
    pub ns: f64,
    /// The same as a fraction of the thread switch.
    pub of_thread: f64,
    /// The thread twin's name.
    pub twin: String,
    /// Whether floors were subtracted, in words.
    pub how: &'static str,
    /// Whether either side is unstable.
    pub unstable: bool,
}

/// Where full TLB flushes start in rings of processes on one CPU.
#[derive(Debug, Clone, PartialEq)]
pub enum Cliff {
    /// No full flush up to `last_clean` processes, one at every switch from `first_full`.
    Step {
        /// The largest ring with (almost) no full flush.
        last_clean: u64,
        /// The smallest ring with a full flush at (almost) every switch.
        first_full: u64,
        /// What a full flush adds to a switch: the step in process ns per switch across
        /// the two rings, less the thread rings' step between the same sizes where
        /// measured, per extra flush.
        ns_per_flush: Option<f64>,
        /// Whether the thread step was subtracted.
        thread_corrected: bool,
    },
    /// Every ring measured flushes at every switch, from the smallest (`from`) on.
    Always {
        /// The smallest ring measured.
        from: u64,
    },
    /// No ring measured flushes, up to the largest (`up_to`).
    Never {
        /// The largest ring measured.
        up_to: u64,
    },
    /// Flushes were counted but without a clear step.
    Unclear,
}

/// The cross-CPU round trip of a thread ping-pong: two wake-ups on another CPU.
#[derive(Debug, Clone, PartialEq)]
pub struct Wakeup {
    /// The median round trip.
    pub p50: Figure,
    /// The upper figure at hand, ns, and its name (`p99`, or `p75` of batch means in
    /// results from before the tails pass).
    pub upper: (f64, &'static str),
}

/// Creation costs, ns per creation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Creation {
    /// fork + exit + wait.
    pub fork: Option<Figure>,
    /// Thread spawn + join.
    pub thread: Option<Figure>,
    /// posix_spawn of /bin/true + wait.
    pub posix_spawn: Option<Figure>,
}

/// What refilling the caches costs after a switch: the indirect cost per switch of the
/// working sets that read one byte per cache line.
#[derive(Debug, Clone, PartialEq)]
pub struct Refill {
    /// The size read at ([`REFILL_BYTES`] where measured, else the largest measured).
    pub bytes: u64,
    /// Processes, ns per switch at that size.
    pub process: Option<f64>,
    /// Threads, ns per switch at that size.
    pub thread: Option<f64>,
    /// The largest indirect cost measured, ns per switch, at bytes per side.
    pub peak: Option<(f64, u64)>,
    /// A switch itself, mechanism included (the cheapest 0-byte working set).
    pub switch_ns: Option<f64>,
}

/// The opening figures of one run; `None` where the outcomes needed are missing or
/// invalid.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// A switch on one CPU, process and thread.
    pub switch: Option<SwitchPair>,
    /// What the address-space switch adds.
    pub address_space: Option<AddressSpaceCost>,
    /// Where full TLB flushes start (`None` when no ring counted them).
    pub cliff: Option<Cliff>,
    /// The cross-CPU round trip.
    pub wakeup: Option<Wakeup>,
    /// Creation costs.
    pub creation: Creation,
    /// The cache refill after a switch.
    pub refill: Option<Refill>,
}

impl Headline {
    /// The headline of `outcomes` (valid ones only count).
    pub fn of(outcomes: &[Outcome]) -> Self {
        let find = |kind: SpawnKind| {
            let id = BenchId::Spawn(kind);
            valid(outcomes, Experiment::Spawn)
                .find(|o| o.id == id)
                .map(|o| Figure::of(o, o.ns_per_iteration.median))
        };
        Self {
            switch: switch_pair(outcomes),
            address_space: address_space(outcomes),
            cliff: cliff(outcomes),
            wakeup: wakeup(outcomes),
            creation: Creation {
                fork: find(SpawnKind::Fork),
                thread: find(SpawnKind::Thread),
                posix_spawn: find(SpawnKind::PosixSpawn),
            },
            refill: refill(outcomes),
        }
    }
}

/// The first mechanism of futex, pipe, eventfd with a valid process/thread pair.
fn switch_pair(outcomes: &[Outcome]) -> Option<SwitchPair> {
    [Mechanism::Futex, Mechanism::Pipe, Mechanism::Eventfd]
        .into_iter()
        .find_map(|m| {
            let (p, t) = twins(outcomes, m)?;
            Some(SwitchPair {
                mechanism: t.mechanism.unwrap_or(m).to_string(),
                process: Figure::of(p, p.ns_per_switch?),
                thread: Figure::of(t, t.ns_per_switch?),
                direct: p.direct_ns_per_switch.zip(t.direct_ns_per_switch),
            })
        })
}

fn address_space(outcomes: &[Outcome]) -> Option<AddressSpaceCost> {
    let pair = FutexPair::find(outcomes)?;
    let unstable = twins(outcomes, Mechanism::Futex).is_some_and(|(p, t)| {
        [p, t]
            .iter()
            .any(|o| stability(&o.samples_ns_per_iteration).is_unstable())
    });
    Some(AddressSpaceCost {
        ns: pair.gap(),
        of_thread: pair.gap() / pair.thread_ns,
        twin: pair.twin.clone(),
        how: pair.how,
        unstable,
    })
}

fn cliff(outcomes: &[Outcome]) -> Option<Cliff> {
    let procs = Rings::of(outcomes, Participants::Process);
    let counted: Vec<(u64, f64)> = procs
        .0
        .iter()
        .filter_map(|r| Some((r.n, r.flushes?)))
        .collect();
    let (first, last) = (counted.first()?, counted.last()?);
    if counted.iter().all(|&(_, f)| f >= 0.8) {
        return Some(Cliff::Always { from: first.0 });
    }
    if counted.iter().all(|&(_, f)| f <= 0.1) {
        return Some(Cliff::Never { up_to: last.0 });
    }
    let (Some(lo), Some(hi)) = procs.step() else {
        return Some(Cliff::Unclear);
    };
    if lo >= hi {
        return Some(Cliff::Unclear);
    }
    let at = |rings: &Rings, n: u64| rings.0.iter().find(|r| r.n == n).map(|r| r.ns);
    let flush_at = |n: u64| counted.iter().find(|c| c.0 == n).map(|c| c.1);
    let threads = Rings::of(outcomes, Participants::Thread);
    let thread_step = at(&threads, hi).zip(at(&threads, lo)).map(|(h, l)| h - l);
    let ns_per_flush = (|| {
        let step = at(&procs, hi)? - at(&procs, lo)? - thread_step.unwrap_or(0.0);
        let flushes = flush_at(hi)? - flush_at(lo)?;
        (flushes > 0.5).then(|| step / flushes)
    })();
    Some(Cliff::Step {
        last_clean: lo,
        first_full: hi,
        ns_per_flush,
        thread_corrected: thread_step.is_some(),
    })
}

/// The valid cross-CPU thread ping-pong, futex first (then futex-shared, eventfd, pipe,
/// condvar), with its wake-up figures.
fn wakeup(outcomes: &[Outcome]) -> Option<Wakeup> {
    use Mechanism::*;
    let cross = |m: Mechanism| {
        valid(outcomes, Experiment::PingPong).find(|o| {
            o.participants == Some(Participants::Thread)
                && o.mechanism == Some(m)
                && o.placement == Some(PlacementKind::CrossCpu)
        })
    };
    [Futex, FutexShared, Eventfd, Pipe, Condvar]
        .into_iter()
        .find_map(cross)
        .map(wake_figures)
}

/// The wake-up figures of one cross-CPU outcome: the p50 and p99 of single round trips
/// where the tails pass timed them; in older results, the batch median and the upper
/// figure at hand (the p75 of batch means).
fn wake_figures(o: &Outcome) -> Wakeup {
    match &o.latency {
        Some(l) => Wakeup {
            p50: Figure::of(o, l.p50_ns as f64),
            upper: (l.p99_ns as f64, "p99"),
        },
        None => Wakeup {
            p50: Figure::of(o, o.ns_per_iteration.median),
            upper: (o.ns_per_iteration.p75, "p75"),
        },
    }
}

fn refill(outcomes: &[Outcome]) -> Option<Refill> {
    let ws = read_sets(outcomes);
    let bytes = if ws.iter().any(|o| o.parameter == Some(REFILL_BYTES)) {
        REFILL_BYTES
    } else {
        ws.iter().filter_map(|o| o.parameter).max()?
    };
    let at = |p: Participants| {
        ws.iter()
            .find(|o| o.participants == Some(p) && o.parameter == Some(bytes))
            .and_then(|o| o.indirect_ns_per_switch)
    };
    let peaks = [Participants::Process, Participants::Thread].map(|p| peak(&ws, p));
    let top = peaks
        .into_iter()
        .flatten()
        .max_by(|a, b| a.ns.total_cmp(&b.ns));
    Some(Refill {
        bytes,
        process: at(Participants::Process),
        thread: at(Participants::Thread),
        peak: top.map(|Peak { ns, bytes }| (ns, bytes)),
        switch_ns: direct_cost(outcomes, &ws),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::claims::fixtures::{pingpongs, ring, spawn, ws};
    use Participants::*;

    #[test]
    fn switch_and_address_space_come_from_the_futex_pair() {
        let mut v = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        v[2].direct_ns_per_switch = Some(2300.0);
        v[3].direct_ns_per_switch = Some(1900.0);
        let h = Headline::of(&v);
        let s = h.switch.unwrap();
        assert_eq!(s.mechanism, "futex-shared");
        assert_eq!((s.process.ns, s.thread.ns), (2500.0, 2000.0));
        assert_eq!(s.direct, Some((2300.0, 1900.0)));
        assert_eq!(s.process.stability, Stability::Stable);
        let a = h.address_space.unwrap();
        assert_eq!(a.ns, 400.0);
        assert!((a.of_thread - 400.0 / 1900.0).abs() < 1e-12);
        assert!(a.how.contains("floors subtracted") && !a.unstable);
        // Without the futex pair the pipe pair is the switch; no address-space figure.
        let h = Headline::of(&v[..2]);
        assert_eq!(h.switch.unwrap().mechanism, "pipe");
        assert!(h.address_space.is_none());
        // Invalid outcomes do not count.
        v.iter_mut().for_each(|o| o.valid = false);
        assert!(Headline::of(&v).switch.is_none());
    }

    #[test]
    fn the_cliff_is_read_off_the_rings_with_the_thread_step_taken_out() {
        let mut v: Vec<Outcome> = [2, 6, 7, 8]
            .into_iter()
            .map(|n| ring(Process, n, Some(if n >= 7 { 1.0 } else { 0.0 })))
            .collect();
        // Process rings cost 3000 ns per switch; make n=7 cost 3500.
        v[2].ns_per_switch = Some(3500.0);
        let Some(Cliff::Step {
            last_clean,
            first_full,
            ns_per_flush,
            thread_corrected,
        }) = cliff(&v)
        else {
            panic!("{:?}", cliff(&v))
        };
        assert_eq!((last_clean, first_full), (6, 7));
        assert_eq!(ns_per_flush, Some(500.0));
        assert!(!thread_corrected);
        let mut t6 = ring(Thread, 6, Some(0.0));
        let mut t7 = ring(Thread, 7, Some(0.0));
        t6.ns_per_switch = Some(1000.0);
        t7.ns_per_switch = Some(1100.0);
        v.extend([t6, t7]);
        assert!(matches!(
            cliff(&v),
            Some(Cliff::Step {
                ns_per_flush: Some(f),
                thread_corrected: true,
                ..
            }) if f == 400.0
        ));
        let always = [ring(Process, 2, Some(1.0)), ring(Process, 8, Some(1.0))];
        assert_eq!(cliff(&always), Some(Cliff::Always { from: 2 }));
        let never = [ring(Process, 2, Some(0.0)), ring(Process, 8, Some(0.02))];
        assert_eq!(cliff(&never), Some(Cliff::Never { up_to: 8 }));
        let half = [ring(Process, 2, Some(0.5)), ring(Process, 8, Some(0.5))];
        assert_eq!(cliff(&half), Some(Cliff::Unclear));
        assert_eq!(cliff(&[ring(Process, 2, None)]), None, "not counted");
    }

    #[test]
    fn creation_refill_and_wakeup() {
        let mut v = vec![
            spawn("spawn/fork", 120_000.0),
            spawn("spawn/thread", 25_000.0),
            ws(Process, 0, 0.0),
            ws(Process, REFILL_BYTES, 1500.0),
            ws(Thread, REFILL_BYTES, 1400.0),
            ws(Thread, 16 << 20, 90_000.0),
        ];
        let mut cross = crate::analysis::claims::fixtures::pp(Thread, Mechanism::Pipe, 50_000.0);
        cross.placement = Some(PlacementKind::CrossCpu);
        cross.samples_ns_per_iteration = vec![40_000.0, 50_000.0, 60_000.0];
        cross.ns_per_iteration =
            crate::stats::Summary::of(&cross.samples_ns_per_iteration).unwrap();
        v.push(cross);
        let h = Headline::of(&v);
        assert_eq!(h.creation.fork.unwrap().ns, 120_000.0);
        assert_eq!(h.creation.thread.unwrap().id, "spawn/thread");
        assert!(h.creation.posix_spawn.is_none());
        let r = h.refill.unwrap();
        assert_eq!(
            (r.bytes, r.process, r.thread),
            (REFILL_BYTES, Some(1500.0), Some(1400.0))
        );
        assert_eq!(r.peak, Some((90_000.0, 16 << 20)));
        assert_eq!(r.switch_ns, Some(2000.0));
        let w = h.wakeup.unwrap();
        assert_eq!(w.p50.ns, 50_000.0);
        assert_eq!(w.upper, (55_000.0, "p75"));
        // Where the tails pass timed single round trips, their p50 and p99.
        let tails = crate::measure::tails::EXAMPLE;
        v.last_mut().unwrap().latency = Some(tails);
        let w = Headline::of(&v).wakeup.unwrap();
        assert_eq!(w.p50.ns, tails.p50_ns as f64);
        assert_eq!(w.upper, (tails.p99_ns as f64, "p99"));
    }
}
