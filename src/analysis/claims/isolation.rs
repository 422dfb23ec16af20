//! Claim 9: a process cannot touch another's memory. Judged on `isolation/process-write`
//! (after a fork, the child's first write to a page the parent holds stays the child's:
//! the parent reads its own value), set against `isolation/thread-write` (the same write
//! between threads, seen at once), and on the permission probe's facts where probed (a reader without
//! privilege refused another user's process).

use super::evidence::Evidence;
use super::figure::{Figure, Unit};
use super::rounds::{of_batches, ratio};
use super::select::valid;
use super::{Claim, Finding, RunFacts, VerdictKind};
use crate::measure::permissions::{Permissions, TargetKind};
use crate::measure::Outcome;
use crate::spec::{BenchId, Participants};
use crate::units::duration;

/// Claim 9 (see the module).
pub struct Isolation;

/// One isolation outcome's figures.
struct Write {
    ns: f64,
    /// The time per write with its interval (from blocks of batches).
    interval: Option<crate::stats::bootstrap::Interval>,
    faults: Option<f64>,
    checked: f64,
    seen: f64,
}

impl Write {
    fn find(outcomes: &[Outcome], id: BenchId) -> Option<Self> {
        let o = valid(outcomes, crate::spec::Experiment::Isolation).find(|o| o.id == id)?;
        Some(Write {
            ns: o.ns_per_iteration.median,
            interval: of_batches(o),
            faults: o.get(crate::measure::extra::MINOR_FAULTS_PER_WRITE),
            checked: o.get(crate::measure::extra::PAGES_CHECKED)?,
            seen: o.get(crate::measure::extra::WRITE_SEEN_BY_OTHER_SIDE)?,
        })
    }

    fn faults(&self) -> String {
        self.faults
            .map_or_else(String::new, |f| format!(", {f:.2} minor faults per write"))
    }
}

/// What the permission probe says of readers with (`privileged`) or without CAP_SYS_PTRACE trying
/// `target`: each way's answer (`process_vm_readv refused (EPERM), ...`), and whether
/// every way was refused; `None` where no such reader tried it.
pub(super) fn answers(
    g: &Permissions,
    privileged: bool,
    target: TargetKind,
) -> Option<(String, bool)> {
    let facts: Vec<_> = g.facts_of(privileged, target).collect();
    if facts.is_empty() {
        return None;
    }
    let all_refused = facts.iter().all(|f| f.access.is_refused());
    let each: Vec<String> = facts
        .iter()
        .map(|f| format!("{} {}", f.way.label(), f.access))
        .collect();
    Some((each.join(", "), all_refused))
}

impl Claim for Isolation {
    fn statement(&self) -> &'static str {
        "A process cannot touch another's memory."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let permissions = facts.permissions;
        let Some(child) = Write::find(outcomes, BenchId::Isolation(Participants::Process)) else {
            return Finding::not_measured("needs a valid isolation/process-write");
        };
        if child.seen > 0.0 {
            return Finding::new(
                VerdictKind::TheOpposite,
                Evidence::new(format!(
                    "the parent read the child's value on {:.0}% of {:.0} pages after the \
                     child wrote",
                    child.seen * 100.0,
                    child.checked
                )),
            );
        }
        let mut evidence = Evidence::new(format!(
            "after a fork the child's write stayed its own: the parent still read its own \
             value on all {:.0} pages; each first write cost {} (a copy-on-write fault{})",
            child.checked,
            duration(child.ns),
            child.faults()
        ));
        evidence.push_some(
            Write::find(outcomes, BenchId::Isolation(Participants::Thread)).map(|t| {
                format!(
                    "the same write between threads {}, seen at once{} ({:.0}x cheaper)",
                    duration(t.ns),
                    t.faults(),
                    child.ns / t.ns
                )
            }),
        );
        let mut figures = vec![Figure::exact(
            "pages-kept",
            child.checked,
            Unit::Count,
            "pages on which the parent still read its own value after the child wrote",
        )];
        let thread = Write::find(outcomes, BenchId::Isolation(Participants::Thread));
        figures.extend(child.interval.map(|i| {
            Figure::of(
                "process-write",
                i,
                Unit::Ns,
                "a child's first write (batches of one set-up)",
            )
        }));
        if let (Some(p), Some(t)) = (child.interval, thread.as_ref().and_then(|t| t.interval)) {
            figures.push(Figure::of(
                "process-over-thread",
                ratio(p, t),
                Unit::Ratio,
                "a child's first write over a thread's (measured apart, batches of one set-up each)",
            ));
        }
        let mut kind = VerdictKind::Holds;
        if let Some((each, all_refused)) =
            permissions.and_then(|g| answers(g, false, TargetKind::OtherUser))
        {
            evidence.push(format!(
                "another user's process, to a reader without privilege: {each}"
            ));
            if !all_refused {
                kind = VerdictKind::HoldsPartly;
            }
        }
        Finding::new(kind, evidence).with(figures, None)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{isolation, judged, permissions};
    use super::*;
    use crate::measure::permissions::Access;
    use VerdictKind::*;

    #[test]
    fn isolation_every_outcome() {
        let both = [isolation("process", 1800.0), isolation("thread", 30.0)];
        let e = judged(
            &Isolation,
            &both,
            Holds,
            &[
                "parent still read its own value on all 4096 pages",
                "1800 ns (a copy-on-write fault, 1.00 minor faults per write)",
                "between threads 30 ns, seen at once, 0.00 minor faults per write (60x",
            ],
        );
        assert!(!e.contains("another user"), "{e}");
        let g = permissions(Access::Refused {
            errno: "EPERM".into(),
        });
        let v = Isolation.verdict_in(
            &both,
            &RunFacts {
                permissions: Some(&g),
                ..Default::default()
            },
        );
        assert_eq!(v.verdict, Holds);
        assert!(
            v.evidence
                .contains("without privilege: process_vm_readv refused (EPERM)"),
            "{}",
            v.evidence
        );
        let open = permissions(Access::Allowed);
        assert_eq!(
            Isolation
                .verdict_in(
                    &both,
                    &RunFacts {
                        permissions: Some(&open),
                        ..Default::default()
                    },
                )
                .verdict,
            HoldsPartly
        );
        let mut leaked = isolation("process", 1800.0);
        leaked.set(crate::measure::extra::WRITE_SEEN_BY_OTHER_SIDE, 1.0);
        judged(&Isolation, &[leaked], TheOpposite, &["100% of 4096 pages"]);
        judged(&Isolation, &[isolation("thread", 30.0)], NotMeasured, &[]);
    }
}
