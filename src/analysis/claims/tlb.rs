//! Claim 3: a process switch invalidates the TLB. Judged on full TLB flushes per switch in
//! rings of processes, within and past the per-CPU address-space ids, against rings of
//! threads.

use super::evidence::{listed, Evidence};
use super::select::valid;
use super::{Claim, Finding, VerdictKind};
use crate::analysis::counted::why_not_counted;
use crate::counters::events::FULL_FLUSH;
use crate::measure::Outcome;
use crate::spec::Experiment;
use crate::spec::{Mechanism, Participants};

/// The per-CPU address-space ids x86 Linux keeps (`TLB_NR_DYN_ASIDS`): quoted in the
/// evidence as context only; where the step is comes from the measured rings.
pub const ASID_SLOTS: u64 = 6;

/// Rings this small are judged as well within the address-space ids...
pub const SMALL_RING: u64 = 4;
/// ...and rings this large as well past them. Sizes in between are the transition: shown
/// in the evidence, not judged (the kernel's slot reuse makes them vary between runs).
pub const LARGE_RING: u64 = 8;

/// Claim 3 (see the module).
pub struct Tlb;

/// The ring sizes that are judged: well within the address-space ids, or well past them.
#[derive(Clone, Copy)]
enum Band {
    Small,
    Large,
}

impl Band {
    fn contains(self, n: u64) -> bool {
        match self {
            Band::Small => n <= SMALL_RING,
            Band::Large => n >= LARGE_RING,
        }
    }
}

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
pub(crate) struct Rings(pub(crate) Vec<Ring>);

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
        Self(v)
    }

    fn in_band(&self, band: Band) -> impl Iterator<Item = &Ring> {
        self.0.iter().filter(move |r| band.contains(r.n))
    }

    /// The flush counts of the rings in `band` that have one.
    fn counted(&self, band: Band) -> Vec<f64> {
        self.in_band(band).filter_map(|r| r.flushes).collect()
    }

    /// The mean ns per switch of the rings in `band`.
    fn mean_ns(&self, band: Band) -> Option<f64> {
        let v: Vec<f64> = self.in_band(band).map(|r| r.ns).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    }

    /// `n=2: 0.00`, ... (`-` where not counted).
    fn flush_figures(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().map(|r| match r.flushes {
            Some(f) => format!("n={}: {f:.2}", r.n),
            None => format!("n={}: -", r.n),
        })
    }

    /// The largest ring that hardly flushes and the smallest that flushes at every switch.
    pub(crate) fn step(&self) -> (Option<u64>, Option<u64>) {
        let sizes = |keep: fn(f64) -> bool| {
            let v = self.0.iter().filter(move |r| r.flushes.is_some_and(keep));
            v.map(|r| r.n)
        };
        (sizes(|f| f <= 0.1).max(), sizes(|f| f >= 0.8).min())
    }
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NAN, f64::max)
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NAN, f64::min)
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

/// The verdict on the counted rings of processes, and the clause that says why.
fn conclusion(procs: &Rings, small: &[f64], large: &[f64]) -> (VerdictKind, String) {
    if small.is_empty() || large.is_empty() {
        let why = format!(
            "judging needs counted rings of n <= {SMALL_RING} and n >= {LARGE_RING} processes"
        );
        return (VerdictKind::NotMeasured, why);
    }
    if max(small) >= 0.8 {
        let why = "every process switch flushes (no address-space ids in use)";
        (VerdictKind::Holds, why.into())
    } else if max(small) <= 0.1 && min(large) >= 0.8 {
        // Where the step is, read off the measured rings, not assumed.
        let why = match procs.step() {
            (Some(lo), Some(hi)) if lo < hi => format!(
                "a process switch keeps the TLB (tagged by address-space id) while up to {lo} \
                 processes take turns on a CPU, and flushes it at every switch from {hi} on \
                 (x86 Linux keeps {ASID_SLOTS} address-space ids per CPU)"
            ),
            _ => "a process switch keeps the TLB in small rings and flushes it at every \
                  switch in large ones"
                .to_string(),
        };
        (VerdictKind::HoldsPartly, why)
    } else if max(small).max(max(large)) <= 0.1 {
        let why = "process switches do not flush the TLB at any ring size measured";
        (VerdictKind::DoesNotHold, why.into())
    } else {
        let why = "some switches flush, without a clear step at the address-space-id limit";
        (VerdictKind::HoldsPartly, why.into())
    }
}

impl Claim for Tlb {
    fn statement(&self) -> &'static str {
        "A process switch invalidates the TLB."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let procs = Rings::of(outcomes, Participants::Process);
        let threads = Rings::of(outcomes, Participants::Thread);
        let (small, large) = (procs.counted(Band::Small), procs.counted(Band::Large));
        if small.is_empty() && large.is_empty() {
            return not_counted(outcomes, &procs);
        }
        let mut evidence = Evidence::new(listed(
            "full TLB flushes per switch, rings of processes",
            procs.flush_figures(),
        ));
        if !threads.0.is_empty() {
            evidence.push(listed("rings of threads", threads.flush_figures()));
        }
        if let (Some(a), Some(b)) = (procs.mean_ns(Band::Small), procs.mean_ns(Band::Large)) {
            evidence.push(format!(
                "process ring ns per switch {a:.0} (n <= {SMALL_RING}) vs {b:.0} (n >= {LARGE_RING})"
            ));
        }
        let (kind, why) = conclusion(&procs, &small, &large);
        evidence.push(why);
        Finding::new(kind, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged, ring};
    use super::*;
    use crate::measure::CounterValue;
    use VerdictKind::*;

    fn rings(small: f64, large: f64) -> Vec<Outcome> {
        let mut v = Vec::new();
        for n in [2, 4] {
            v.push(ring(Participants::Process, n, Some(small)));
        }
        // The transition zone is shown, not judged.
        v.push(ring(Participants::Process, 7, Some(0.5)));
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
        let step = ["n=8: 1.00", "n=2: 0.00", "n=7: 0.50"];
        let e = judged(&Tlb, &rings(0.0, 1.0), HoldsPartly, &step);
        assert!(
            e.contains("while up to 4 processes") && e.contains("from 8 on"),
            "{e}"
        );
        judged(&Tlb, &rings(1.0, 1.0), Holds, &[]);
        judged(&Tlb, &rings(0.0, 0.02), DoesNotHold, &[]);
        judged(&Tlb, &rings(0.3, 0.5), HoldsPartly, &[]);
        // Small rings that half-flush are not described as keeping the TLB.
        let e = judged(&Tlb, &rings(0.5, 1.0), HoldsPartly, &[]);
        assert!(!e.contains("keeps the TLB"), "{e}");
        // Only small rings counted: cannot judge the step.
        let small = [ring(Participants::Process, 2, Some(0.0))];
        judged(&Tlb, &small, NotMeasured, &["judging needs counted rings"]);
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
