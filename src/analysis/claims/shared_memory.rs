//! Claim 6: threads share memory; each process keeps its own. Judged on the memory per
//! idle task (the footprint experiment's least-squares slopes): what a forked process
//! adds in pages (PSS), page tables and kernel stack, against a thread.
//!
//! A forked child does not copy its parent's memory: the pages stay shared,
//! copy-on-write, until one side writes them. So the claim holds in full only where a
//! process's own pages (its PSS) are most of what it maps (its RSS); where they are a
//! small part, a process keeps its own page tables and the pages it writes, and shares
//! the rest: the claim holds partly.

use super::evidence::Evidence;
use super::figure::{decide_difference, Figure, Margin, Unit};
use super::{Claim, Finding, VerdictKind};
use crate::analysis::footprint::{PerTask, OWN};
use crate::measure::memory::Quantity;
use crate::measure::Outcome;
use crate::spec::Participants::{self, Process, Thread};
use crate::stats::bootstrap::{t975, Interval};
use crate::units::kib;

/// Claim 6 (see the module).
pub struct SharedMemory;

/// Below this share of its resident pages being its own, a process is said to share
/// most of its memory with its parent.
pub const OWN_SHARE: f64 = 0.5;

/// The margin: a process within a page (4 KiB) per task of a thread costs the same.
pub const MARGIN_BYTES: f64 = 4096.0;

/// What a process costs beyond a thread, bytes per task, with the 95% interval of the
/// difference of the least-squares slopes (their standard errors added in quadrature,
/// Student's t on the fewest points less two); exact where a line had two points only.
fn beyond_interval(per: &PerTask, process: f64, thread: f64) -> Interval {
    let lines = OWN
        .iter()
        .flat_map(|&q| [per.line(Process, q), per.line(Thread, q)])
        .flatten();
    let (mut var, mut df) = (0.0, usize::MAX);
    for l in lines {
        var += l.slope_stderr.unwrap_or(0.0).powi(2);
        df = df.min(l.points.saturating_sub(2));
    }
    let half = if df == 0 || df == usize::MAX {
        0.0
    } else {
        t975(df) * var.sqrt()
    };
    let value = process - thread;
    Interval {
        value,
        low: value - half,
        high: value + half,
    }
}

/// `PSS 48.4 KiB, page tables 60.0 KiB, kernel stacks 16.0 KiB (124.4 KiB in all)`.
fn costs(per: &PerTask, p: Participants, total: f64) -> String {
    let parts: Vec<String> = OWN
        .iter()
        .filter_map(|&q| Some(format!("{} {} KiB", q.label(), kib(per.slope(p, q)?))))
        .collect();
    format!("{} ({} KiB in all)", parts.join(", "), kib(total))
}

impl Claim for SharedMemory {
    fn statement(&self) -> &'static str {
        "Threads share memory; each process keeps its own."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let per = PerTask::of(outcomes);
        let (Some(process), Some(thread)) = (per.total(Process), per.total(Thread)) else {
            return Finding::not_measured(
                "needs valid footprint/process/<n> and footprint/thread/<n> at two task \
                 counts or more each",
            );
        };
        let beyond = process - thread;
        let cost = Figure::of(
            "process-beyond-thread",
            beyond_interval(&per, process, thread).map(|b| b / 1024.0),
            Unit::KibPerTask,
            "what an idle process costs beyond an idle thread (PSS, page tables, kernel \
             stacks), least-squares slopes",
        );
        let mut evidence = Evidence::new(format!(
            "per idle process: {}; per idle thread: {}",
            costs(&per, Process, process),
            costs(&per, Thread, thread)
        ));
        let parts: Vec<String> = OWN
            .iter()
            .filter_map(|&q| Some(format!("{} {:+.1}", q.label(), per.beyond(q)? / 1024.0)))
            .collect();
        evidence.push(format!(
            "a process costs {} KiB more than a thread ({} KiB): {cost} per task",
            kib(beyond),
            parts.join(", ")
        ));
        let pss = per.slope(Process, Quantity::Pss).unwrap_or(f64::NAN);
        let own_share = per.slope(Process, Quantity::Rss).map(|rss| pss / rss);
        evidence.push_some(own_share.map(|share| {
            format!(
                "of the {} KiB each child maps (RSS), {:.0}% is its own (PSS): the rest \
                 it shares with its parent, copy-on-write",
                kib(pss / share),
                share * 100.0
            )
        }));
        let counts = |p| {
            let t = per.tasks(p);
            format!("{}-{}", t.first().unwrap_or(&0), t.last().unwrap_or(&0))
        };
        let evidence = evidence.remark(format!(
            "least-squares slopes over {} idle processes and {} idle threads",
            counts(Process),
            counts(Thread)
        ));
        let mut kind = decide_difference(
            &cost.interval().expect("an interval"),
            MARGIN_BYTES / 1024.0,
        );
        if kind == VerdictKind::Holds && own_share.is_some_and(|s| s < OWN_SHARE) {
            // Each process keeps its own page tables and stack, but most of the pages it
            // maps it shares with its parent: two comparisons, the second the other way.
            kind = VerdictKind::HoldsPartly;
        }
        let mut figures = vec![cost];
        figures.extend(own_share.map(|s| {
            Figure::exact(
                "own-share",
                s * 100.0,
                Unit::Percent,
                "the share of what a forked child maps (RSS) that is its own (PSS)",
            )
        }));
        let margin = Margin {
            value: MARGIN_BYTES / 1024.0,
            unit: Unit::KibPerTask,
            what: "a page per task".into(),
        };
        Finding::new(kind, evidence).with(figures, Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{footprints, judged};
    use super::*;
    use VerdictKind::*;

    const KIB: f64 = 1024.0;

    #[test]
    fn shared_memory_every_outcome() {
        // Processes: PSS 48 KiB, page tables 60 KiB, kernel stack 16 KiB, RSS 640 KiB;
        // threads: 8, 4, 16, 8 KiB.
        let mut all = footprints(Process, [48.0 * KIB, 60.0 * KIB, 16.0 * KIB, 640.0 * KIB]);
        all.extend(footprints(
            Thread,
            [8.0 * KIB, 4.0 * KIB, 16.0 * KIB, 8.0 * KIB],
        ));
        let e = judged(
            &SharedMemory,
            &all,
            HoldsPartly,
            &[
                "per idle process: PSS 48.0 KiB, page tables 60.0 KiB, kernel stacks 16.0 KiB \
                 (124.0 KiB in all)",
                "per idle thread: PSS 8.0 KiB, page tables 4.0 KiB",
                "a process costs 96.0 KiB more than a thread (PSS +40.0, page tables +56.0, \
                 kernel stacks +0.0 KiB)",
                "of the 640.0 KiB each child maps (RSS), 8% is its own",
            ],
        );
        assert!(
            e.ends_with("(least-squares slopes over 1-64 idle processes and 1-64 idle threads)"),
            "{e}"
        );
        // A child whose pages are mostly its own: the claim holds in full.
        let mut own = footprints(Process, [600.0 * KIB, 60.0 * KIB, 16.0 * KIB, 640.0 * KIB]);
        own.extend(footprints(
            Thread,
            [8.0 * KIB, 4.0 * KIB, 16.0 * KIB, 8.0 * KIB],
        ));
        judged(&SharedMemory, &own, Holds, &["94% is its own"]);
        // A process no dearer than a thread.
        let mut same = footprints(Process, [8.0 * KIB, 4.0 * KIB, 16.0 * KIB, 8.0 * KIB]);
        same.extend(footprints(
            Thread,
            [8.0 * KIB, 4.0 * KIB, 16.0 * KIB, 8.0 * KIB],
        ));
        judged(&SharedMemory, &same, NoDifference, &["costs 0.0 KiB more"]);
        // One side missing, or every outcome invalid.
        let processes = footprints(Process, [48.0 * KIB, 60.0 * KIB, 16.0 * KIB, 640.0 * KIB]);
        judged(
            &SharedMemory,
            &processes,
            NotMeasured,
            &["footprint/thread/<n>"],
        );
        let mut invalid = all.clone();
        invalid.iter_mut().for_each(|o| o.valid = false);
        judged(&SharedMemory, &invalid, NotMeasured, &[]);
    }
}
