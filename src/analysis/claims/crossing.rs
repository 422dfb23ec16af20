//! Claim 10: crossing isolation needs the OS: shared memory, or a privileged read. Judged
//! on what each way of reading another process's memory costs (`cross/<way>/<size>`:
//! a shared mapping the kernel set up, or a system call that checks who asks) and on the
//! permission probe's facts: a reader without privilege refused, one with CAP_SYS_PTRACE let in.

use std::collections::BTreeMap;

use super::evidence::{listed, Evidence};
use super::figure::{Figure, Unit};
use super::isolation::answers;
use super::rounds::of_batches;
use super::select::valid;
use super::{Claim, Finding, RunFacts, VerdictKind};
use crate::measure::permissions::TargetKind;
use crate::measure::Outcome;
use crate::spec::{CrossWay, Variant, CROSS_WAYS};
use crate::units::{duration, format_size};

/// Claim 10 (see the module).
pub struct Crossing;

/// Median ns per read by size, one column per way (in [`CROSS_WAYS`] order).
fn reads(outcomes: &[Outcome]) -> BTreeMap<u64, [Option<f64>; 4]> {
    let mut by: BTreeMap<u64, [Option<f64>; 4]> = BTreeMap::new();
    for o in valid(outcomes, crate::spec::Experiment::Cross) {
        let way = CROSS_WAYS
            .iter()
            .position(|&w| o.variant == Some(Variant::Way(w)));
        if let (Some(i), Some(bytes)) = (way, o.parameter) {
            by.entry(bytes).or_default()[i] = Some(o.ns_per_iteration.median);
        }
    }
    by
}

/// The cheapest and the dearest way of one size's reads.
fn extremes(ns: &[f64; 4]) -> (CrossWay, CrossWay) {
    let by = |pick: fn(f64, f64) -> bool| {
        let mut best = 0;
        for i in 1..4 {
            if pick(ns[i], ns[best]) {
                best = i;
            }
        }
        CROSS_WAYS[best]
    };
    (by(|a, b| a < b), by(|a, b| a > b))
}

/// The clauses of the reads: each size's four figures, then which way was cheapest and
/// dearest.
fn read_clauses(full: &[(u64, [f64; 4])]) -> Vec<String> {
    let mut out: Vec<String> = full
        .iter()
        .map(|(bytes, ns)| {
            listed(
                &format!("{} per read", format_size(*bytes)),
                CROSS_WAYS
                    .iter()
                    .zip(ns)
                    .map(|(w, v)| format!("{} {}", w.label(), duration(*v))),
            )
        })
        .collect();
    let ends: Vec<(CrossWay, CrossWay)> = full.iter().map(|(_, ns)| extremes(ns)).collect();
    let (cheap, dear) = ends[0];
    if ends.iter().all(|&e| e == (cheap, dear)) {
        let (bytes, ns) = full[full.len() - 1];
        out.push(format!(
            "cheapest {}, dearest {}, at every size ({:.0}x apart at {})",
            cheap.label(),
            dear.label(),
            ns[CROSS_WAYS.iter().position(|w| *w == dear).unwrap_or(3)]
                / ns[CROSS_WAYS.iter().position(|w| *w == cheap).unwrap_or(0)],
            format_size(bytes)
        ));
    } else {
        out.push(listed(
            "cheapest and dearest by size",
            full.iter().zip(&ends).map(|((b, _), (c, d))| {
                format!("{} {} and {}", format_size(*b), c.label(), d.label())
            }),
        ));
    }
    out
}

/// Every read's time with its interval (blocks of batches of one set-up), named
/// `<way>/<size>`.
fn figures(outcomes: &[Outcome]) -> Vec<Figure> {
    valid(outcomes, crate::spec::Experiment::Cross)
        .filter_map(|o| {
            let i = of_batches(o)?;
            let name = format!("{}/{}", o.variant?, format_size(o.parameter?));
            Some(Figure::of(
                &name,
                i,
                Unit::Ns,
                "one read (batches of one set-up)",
            ))
        })
        .collect()
}

impl Claim for Crossing {
    fn statement(&self) -> &'static str {
        "Crossing isolation needs the OS: shared memory, or a privileged read."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let permissions = facts.permissions;
        let full: Vec<(u64, [f64; 4])> = reads(outcomes)
            .into_iter()
            .filter_map(|(b, ns)| Some((b, [ns[0]?, ns[1]?, ns[2]?, ns[3]?])))
            .collect();
        if full.is_empty() {
            return Finding::not_measured(
                "needs valid cross/<way>/<size> reads, every way at one size at least",
            );
        }
        let mut evidence = Evidence::of(read_clauses(&full));
        let Some(g) = permissions else {
            return Finding::new(
                VerdictKind::HoldsPartly,
                evidence.remark(
                    "every way but the shared mapping is a system call; who the kernel lets \
                     through was not probed (the permission probe runs with the cross experiment)",
                ),
            )
            .with(figures(outcomes), None);
        };
        let said = |privileged, target| answers(g, privileged, target);
        let unprivileged = said(false, TargetKind::OtherUser);
        for (who, privileged, target) in [
            (
                "without privilege, another user's process",
                false,
                TargetKind::OtherUser,
            ),
            (
                "without privilege, its own non-dumpable one",
                false,
                TargetKind::SameUserNotDumpable,
            ),
            (
                "with CAP_SYS_PTRACE, another user's process",
                true,
                TargetKind::OtherUser,
            ),
        ] {
            evidence.push_some(said(privileged, target).map(|(each, _)| format!("{who}: {each}")));
        }
        if let Some(scope) = g.yama_ptrace_scope {
            evidence.push(format!("Yama ptrace_scope {scope}"));
        }
        let kind = match unprivileged {
            None => {
                evidence = evidence.remark(format!(
                    "no reader without privilege was probed: {}",
                    g.not_tried.join("; ")
                ));
                VerdictKind::HoldsPartly
            }
            Some((_, true)) => VerdictKind::Holds,
            Some((_, false)) => VerdictKind::TheOpposite,
        };
        Finding::new(kind, evidence).with(figures(outcomes), None)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{cross, judged, permissions};
    use super::*;
    use crate::measure::permissions::Access;
    use VerdictKind::*;

    fn reads_at(bytes: u64, ns: [f64; 4]) -> Vec<Outcome> {
        CROSS_WAYS
            .iter()
            .zip(ns)
            .map(|(&w, v)| cross(w, bytes, v))
            .collect()
    }

    #[test]
    fn crossing_every_outcome() {
        let mut all = reads_at(4096, [27.0, 398.0, 364.0, 166_000.0]);
        all.extend(reads_at(1 << 20, [33_000.0, 54_000.0, 72_000.0, 44e6]));
        let e = judged(
            &Crossing,
            &all,
            HoldsPartly,
            &[
                "4KiB per read: shared mapping 27 ns, process_vm_readv 398 ns, /proc/PID/mem \
                 364 ns, PTRACE_PEEKDATA 166 us",
                "cheapest shared mapping, dearest PTRACE_PEEKDATA, at every size (1333x \
                 apart at 1MiB)",
                "was not probed",
            ],
        );
        assert!(!e.contains("privilege"), "{e}");
        let refused = permissions(Access::Refused {
            errno: "EPERM".into(),
        });
        let v = Crossing.verdict_in(
            &all,
            &RunFacts {
                permissions: Some(&refused),
                ..Default::default()
            },
        );
        assert_eq!(v.verdict, Holds, "{}", v.evidence);
        for part in [
            "without privilege, another user's process: process_vm_readv refused (EPERM)",
            "its own non-dumpable one: process_vm_readv refused (EPERM)",
            "with CAP_SYS_PTRACE, another user's process: process_vm_readv allowed",
        ] {
            assert!(v.evidence.contains(part), "{part}: {}", v.evidence);
        }
        let open = permissions(Access::Allowed);
        assert_eq!(
            Crossing
                .verdict_in(
                    &all,
                    &RunFacts {
                        permissions: Some(&open),
                        ..Default::default()
                    },
                )
                .verdict,
            TheOpposite
        );
        let mut lonely = refused.clone();
        lonely.facts.retain(|f| f.reader_privileged);
        lonely.not_tried.push("needs root".into());
        let v = Crossing.verdict_in(
            &all,
            &RunFacts {
                permissions: Some(&lonely),
                ..Default::default()
            },
        );
        assert_eq!(v.verdict, HoldsPartly);
        assert!(v
            .evidence
            .contains("no reader without privilege was probed: needs root"));
        // Another order is said as it is.
        let mut odd = reads_at(4096, [500.0, 398.0, 364.0, 166_000.0]);
        odd.extend(reads_at(1 << 20, [33_000.0, 54_000.0, 72_000.0, 44e6]));
        judged(
            &Crossing,
            &odd,
            HoldsPartly,
            &[
                "cheapest and dearest by size: 4KiB /proc/PID/mem and PTRACE_PEEKDATA, 1MiB \
               shared mapping and PTRACE_PEEKDATA",
            ],
        );
        judged(&Crossing, &all[..3], NotMeasured, &[]);
    }
}
