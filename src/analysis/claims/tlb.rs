//! Claim 3: a process switch invalidates the TLB. Judged on full TLB flushes per switch,
//! counted in rings of 2 to 16 processes taking turns on one CPU (and threads, which never
//! change address space). Where small rings keep the TLB and large ones flush it at every
//! switch, the claim holds partly, and the rings measured side by side in paired rounds
//! give what a flush adds to a switch: the process rings' step across the two sizes, less
//! the thread rings' step (margin 2% of a thread ring's switch).

use super::evidence::{listed, Evidence};
use super::figure::{decide_difference, Figure, Margin, Unit};
use super::rounds::{estimate, find};
use super::select::valid;
use super::{Claim, Finding, RunFacts, VerdictKind};
use crate::analysis::counted::why_not_counted;
use crate::counters::events::FULL_FLUSH;
use crate::measure::paired::{ArmMode, Paired};
use crate::measure::Outcome;
use crate::spec::{BenchId, Comparison, Experiment};
use crate::spec::{Mechanism, Participants};

/// A ring whose process switches show at most this many full flushes each keeps the TLB...
pub const KEPT: f64 = 0.1;
/// ...and one with at least this many flushes it at (almost) every switch. Sizes in
/// between are the transition (the kernel's reuse of address-space ids makes them vary
/// between runs): shown, not judged.
pub const FLUSHES: f64 = 0.8;

/// The margin of the flush step, as a share of a thread ring's switch (2%).
pub const MARGIN_SHARE: f64 = 0.02;

/// Claim 3 (see the module).
pub struct Tlb;

/// One ring: its size, full flushes per switch where counted, ns per switch.
pub(crate) struct Ring {
    /// Participants.
    pub(crate) n: u64,
    /// Full TLB flushes per switch, where counted.
    pub(crate) flushes: Option<f64>,
    /// Median ns per switch.
    pub(crate) ns: f64,
}

/// The rings of one kind of participant, smallest first: pipe rings where there are any
/// (the classic ring), else the futex rings.
pub(crate) struct Rings(pub(crate) Vec<Ring>, pub(crate) Option<Mechanism>);

impl Rings {
    /// The valid rings of `p` among `outcomes`.
    pub(crate) fn of(outcomes: &[Outcome], p: Participants) -> Self {
        let has_pipe =
            valid(outcomes, Experiment::Ring).any(|o| o.mechanism == Some(Mechanism::Pipe));
        let mut v: Vec<Ring> = valid(outcomes, Experiment::Ring)
            .filter(|o| o.participants == Some(p))
            .filter(|o| !has_pipe || o.mechanism == Some(Mechanism::Pipe))
            .filter_map(|o| {
                Some(Ring {
                    n: o.parameter?,
                    flushes: o.counter_per_switch(FULL_FLUSH),
                    ns: o.ns_per_switch?,
                })
            })
            .collect();
        v.sort_by_key(|r| r.n);
        let any = valid(outcomes, Experiment::Ring).next().is_some();
        let m = if has_pipe {
            Mechanism::Pipe
        } else {
            Mechanism::Futex
        };
        Self(v, any.then_some(m))
    }

    /// The mechanism of these rings.
    pub(crate) fn mechanism(&self) -> Option<Mechanism> {
        self.1
    }

    /// `n=2: 0.00`, ... (`-` where not counted).
    fn flush_figures(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().map(|r| match r.flushes {
            Some(f) => format!("n={}: {f:.2}", r.n),
            None => format!("n={}: -", r.n),
        })
    }

    /// A clear step, where the counts show one: every ring up to `lo` keeps the TLB,
    /// every ring from `hi` flushes it (rings in between are the transition), `(lo, hi)`.
    pub(crate) fn clear_step(&self) -> Option<(u64, u64)> {
        let (Some(lo), Some(hi)) = self.step() else {
            return None;
        };
        let clear = self.0.iter().all(|r| match r.flushes {
            Some(f) => (r.n > lo || f <= KEPT) && (r.n < hi || f >= FLUSHES),
            None => true,
        });
        (lo < hi && clear).then_some((lo, hi))
    }

    /// The largest ring that hardly flushes and the smallest that flushes at every switch.
    pub(crate) fn step(&self) -> (Option<u64>, Option<u64>) {
        let sizes = |keep: fn(f64) -> bool| {
            let v = self.0.iter().filter(move |r| r.flushes.is_some_and(keep));
            v.map(|r| r.n)
        };
        (sizes(|f| f <= KEPT).max(), sizes(|f| f >= FLUSHES).min())
    }
}

/// Nothing counted: why, and the times that were measured.
fn not_counted(outcomes: &[Outcome], procs: &Rings) -> Finding {
    let rings: Vec<&Outcome> = valid(outcomes, Experiment::Ring).collect();
    let mut evidence = Evidence::new(format!(
        "full TLB flushes were not counted: {}",
        why_not_counted(&rings)
    ));
    if !procs.0.is_empty() {
        let times = procs.0.iter().map(|r| format!("n={}: {:.0} ns", r.n, r.ns));
        evidence.push(listed("process ring ns per switch", times));
    }
    Finding::new(VerdictKind::NotMeasured, evidence)
}

/// The id of the ring of `p` with `n` members over `m`.
pub(crate) fn ring_id(p: Participants, m: Mechanism, n: u64) -> BenchId {
    BenchId::Ring {
        participants: p,
        mechanism: m,
        n: n as usize,
    }
}

/// What a full flush adds to a switch, from the rings measured side by side: per round,
/// the process rings' step in ns per switch from `lo` to `hi` members, less the thread
/// rings' step between the same sizes (what a larger ring costs without any flush).
pub(crate) fn flush_step(p: &Paired, m: Mechanism, lo: u64, hi: u64) -> Option<Figure> {
    let ids = [
        ring_id(Participants::Process, m, hi),
        ring_id(Participants::Process, m, lo),
        ring_id(Participants::Thread, m, hi),
        ring_id(Participants::Thread, m, lo),
    ];
    let arms: Vec<(BenchId, ArmMode)> = ids.iter().map(|&i| (i, ArmMode::Main)).collect();
    let (h, l) = (hi as f64, lo as f64);
    let i = estimate(p, &arms, |v| (v[0] / h - v[1] / l) - (v[2] / h - v[3] / l))?;
    Some(Figure::of(
        "flush-step",
        i,
        Unit::NsPerSwitch,
        format!(
            "process ring ns per switch at n={hi} minus n={lo}, less the thread rings' \
             step, round by round"
        ),
    ))
}

/// A thread ring's switch at `n` members, ns per switch, from the paired rounds.
fn thread_switch(p: &Paired, m: Mechanism, n: u64) -> Option<f64> {
    let id = ring_id(Participants::Thread, m, n);
    estimate(p, &[(id, ArmMode::Main)], |v| v[0] / n as f64).map(|i| i.value)
}

/// The sentence the kernel's source gives about where flushes should begin, quoted
/// beside the measured step, never in its place.
pub const ASID_SOURCE: &str = "the x86 kernel keeps 6 dynamic address-space ids per CPU \
     (TLB_NR_DYN_ASIDS in its source; not measured here)";

impl Claim for Tlb {
    fn statement(&self) -> &'static str {
        "A process switch invalidates the TLB."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let procs = Rings::of(outcomes, Participants::Process);
        let threads = Rings::of(outcomes, Participants::Thread);
        let counted: Vec<(u64, f64)> = procs
            .0
            .iter()
            .filter_map(|r| Some((r.n, r.flushes?)))
            .collect();
        if counted.is_empty() {
            return not_counted(outcomes, &procs);
        }
        let mut evidence = Evidence::new(listed(
            "full TLB flushes per switch (counted), rings of processes",
            procs.flush_figures(),
        ));
        if !threads.0.is_empty() {
            evidence.push(listed("rings of threads", threads.flush_figures()));
        }
        let mut figures: Vec<Figure> = counted
            .iter()
            .map(|&(n, f)| {
                Figure::exact(
                    &format!("full-flushes/{n}"),
                    f,
                    Unit::PerSwitch,
                    format!("full TLB flushes per switch in a ring of {n} processes, counted"),
                )
            })
            .collect();
        let all = counted.iter().all(|&(_, f)| f >= FLUSHES);
        let none = counted.iter().all(|&(_, f)| f <= KEPT);
        let mechanism = procs.mechanism().unwrap_or(Mechanism::Pipe);
        let paired = find(facts, Comparison::Ring(mechanism));
        let mut margin = None;
        let kind = if all {
            evidence.push(format!(
                "every process switch flushes the TLB, from n={} on",
                counted[0].0
            ));
            VerdictKind::Holds
        } else if none {
            evidence.push(format!(
                "no process switch flushes the TLB fully, up to n={}: the TLB is kept, \
                 tagged by address-space id",
                counted[counted.len() - 1].0
            ));
            VerdictKind::TheOpposite
        } else if let Some((lo, hi)) = procs.clear_step() {
            let mut clause = format!(
                "it holds from n={hi} on (a full flush at every switch) and not up to n={lo} \
                 (no full flush: the TLB is kept, tagged by address-space id)"
            );
            if let Some(step) = paired.and_then(|p| flush_step(p, mechanism, lo, hi)) {
                let t = paired.and_then(|p| thread_switch(p, mechanism, lo));
                let m = t.map(|t| MARGIN_SHARE * t).unwrap_or(f64::NAN);
                let i = step.interval().expect("an estimate has an interval");
                clause += &format!(
                    "; each switch at n={hi} costs {step} more than at n={lo}, beyond the \
                     threads' step ({})",
                    decide_difference(&i, m)
                );
                margin = t.map(|t| Margin {
                    value: MARGIN_SHARE * t,
                    unit: Unit::NsPerSwitch,
                    what: format!("2% of a thread ring's switch at n={lo} ({t:.0} ns)"),
                });
                // The step first: the figure the claim comes down to.
                figures.insert(0, step);
            }
            evidence.push(clause);
            VerdictKind::HoldsPartly
        } else {
            evidence.push(
                "some switches flush, without a clear step between rings that keep the TLB \
                 and rings that flush it",
            );
            VerdictKind::Inconclusive
        };
        evidence.push(ASID_SOURCE);
        Finding::new(kind, evidence).with(figures, margin)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged, judged_in, ring, rounds};
    use super::*;
    use crate::measure::CounterValue;
    use VerdictKind::*;

    fn rings(small: f64, large: f64) -> Vec<Outcome> {
        let mut v = Vec::new();
        for n in [2, 4] {
            v.push(ring(Participants::Process, n, Some(small)));
        }
        // The transition zone is shown, not judged.
        let between = if small <= KEPT && large >= FLUSHES {
            0.5
        } else {
            large
        };
        v.push(ring(Participants::Process, 7, Some(between)));
        for n in [8, 16] {
            v.push(ring(Participants::Process, n, Some(large)));
        }
        v.push(ring(Participants::Thread, 8, Some(0.0)));
        v
    }

    #[test]
    fn tlb_every_outcome() {
        // The step is read off the data: flat up to 4, flushing from 8 here; the
        // transition is shown.
        let step = [
            "n=8: 1.00",
            "n=2: 0.00",
            "n=7: 0.50",
            "TLB_NR_DYN_ASIDS",
            "not measured here",
        ];
        let e = judged(&Tlb, &rings(0.0, 1.0), HoldsPartly, &step);
        assert!(
            e.contains("from n=8 on") && e.contains("not up to n=4"),
            "{e}"
        );
        judged(&Tlb, &rings(1.0, 1.0), Holds, &[]);
        judged(&Tlb, &rings(0.0, 0.02), TheOpposite, &["the TLB is kept"]);
        judged(
            &Tlb,
            &rings(0.3, 0.5),
            Inconclusive,
            &["without a clear step"],
        );
        // Small rings that half-flush are not described as keeping the TLB.
        let e = judged(&Tlb, &rings(0.5, 1.0), Inconclusive, &[]);
        assert!(!e.contains("kept"), "{e}");
        // What a flush costs, from the rings side by side: 400 ns more per switch at 8
        // than at 4 for processes, 0 for threads.
        let p = rounds(
            "ring/pipe",
            &[
                ("ring/process-pipe/4", 4.0 * 2000.0),
                ("ring/process-pipe/8", 8.0 * 2400.0),
                ("ring/thread-pipe/4", 4.0 * 2000.0),
                ("ring/thread-pipe/8", 8.0 * 2000.0),
            ],
        );
        let mut v = rings(0.0, 1.0);
        v.push(ring(Participants::Thread, 4, Some(0.0)));
        let e = judged_in(
            &Tlb,
            &v,
            &p,
            HoldsPartly,
            &["costs +4", "beyond the threads' step (holds)"],
        );
        assert!(e.contains("ns/switch ["), "{e}");
    }

    #[test]
    fn rings_without_the_counter_are_not_measured_never_zero() {
        // Missing or unsupported.
        let mut v = vec![ring(Participants::Process, 2, None)];
        let mut u = ring(Participants::Process, 8, None);
        u.counters.insert(
            FULL_FLUSH.into(),
            CounterValue::Unsupported {
                unsupported: "EACCES".into(),
            },
        );
        v.push(u);
        judged(
            &Tlb,
            &v,
            NotMeasured,
            &["n=2: 3000 ns", "unsupported here: EACCES"],
        );
        let missing = [ring(Participants::Process, 2, None)];
        judged(
            &Tlb,
            &missing,
            NotMeasured,
            &["no tlb:tlb_flush:full counter"],
        );
    }
}
