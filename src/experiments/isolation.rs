//! Isolation shown, not assumed (`isolation/<participants>-write`): a forked child writes
//! to a page the parent also holds, and the parent still reads its own value; a thread
//! writes to a page the other thread holds, and the other thread sees it at once.
//!
//! One iteration is one first write to one page (harness in
//! [`crate::harness::isolation`]): for `process-write` the copy-on-write fault that gives
//! the child a copy of its own, for `thread-write` a plain store to a page already mapped
//! writable. Extras:
//! - `minor_faults_per_write`: the writer's minor faults per write, from a run of its own
//!   (about 1 for a child, 0 for a thread);
//! - `pages_checked`: pages read back by the other side after their writer was gone;
//! - `write_seen_by_other_side`: the share of those on which the other side read the
//!   writer's value (0 for processes: the parent kept its own; 1 for threads). A child's
//!   value seen by the parent, or a thread's not seen, is an error, not an outcome.

use crate::error::Result;
use crate::harness::isolation::{IsolationHarness, CHUNK_PAGES};
use crate::harness::Harness;
use crate::measure::{Outcome, OutcomeMeta, SampleConfig};
use crate::spec::{BenchId, Participants};

/// Processes, then threads.
pub const ISOLATION_PARTICIPANTS: [Participants; 2] = [Participants::Process, Participants::Thread];

/// One isolation benchmark: who writes, on which CPU (writer and reader share it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsolationBench {
    /// A forked child or a thread.
    pub participants: Participants,
    /// The CPU everything runs on.
    pub cpu: usize,
}

/// Its id, e.g. `isolation/process-write`.
pub fn isolation_id(p: Participants) -> BenchId {
    BenchId::Isolation(p)
}

impl crate::bench::Bench for IsolationBench {
    type Harness = IsolationHarness;

    fn id(&self) -> crate::spec::BenchId {
        isolation_id(self.participants)
    }

    fn meta(&self) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Isolation,
            participants: Some(self.participants),
            mechanism: None,
            // The writer is a new task every chunk, so other tasks' share of the CPU cannot
            // be told from the participants' own time: no same-CPU placement is claimed.
            placement: None,
            cpus: vec![self.cpu],
            parameter: None,
            variant: None,
        }
    }

    fn build(&self) -> Result<IsolationHarness> {
        let mut h = IsolationHarness::new(self.participants, self.cpu)?;
        h.run(64)?;
        Ok(h)
    }

    fn finish(&self, h: &mut IsolationHarness, o: &mut Outcome, _cfg: &SampleConfig) -> Result<()> {
        let faults = h.minor_faults(2 * CHUNK_PAGES as u64)?;
        let (checked, seen) = (h.pages_checked(), h.pages_seen());
        let share = seen as f64 / checked.max(1) as f64;
        o.set(crate::measure::extra::MINOR_FAULTS_PER_WRITE, faults);
        o.set(crate::measure::extra::PAGES_CHECKED, checked as f64);
        o.set(crate::measure::extra::WRITE_SEEN_BY_OTHER_SIDE, share);
        let what = match self.participants {
            Participants::Process => format!(
                "after each child wrote, the parent still read its own value on all {checked} \
                 pages: isolation held"
            ),
            Participants::Thread => {
                format!("the other thread read each new value at once on all {checked} pages")
            }
        };
        o.validity = format!(
            "not checked: a write makes no switch of its own ({:.3} counted per write, the \
             writers' start and end); {what}; {faults:.2} minor faults per write",
            o.switches_per_iteration
        );
        Ok(())
    }
}

/// The isolation's descriptor: a child's write and a thread's.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Isolation,
    ids: |_| {
        ISOLATION_PARTICIPANTS
            .iter()
            .map(|&p| isolation_id(p))
            .collect()
    },
    serves: super::serves_none,
    plan: |ids, cpus, _| {
        super::each_on(ids, cpus.first(), |id, cpu| match id {
            BenchId::Isolation(participants) => Some(crate::bench::Planned::new(IsolationBench {
                participants,
                cpu,
            })),
            _ => None,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::measure_bench;
    use crate::measure::Counting;

    #[test]
    fn a_child_faults_and_keeps_its_write_and_a_thread_shares_it() {
        let _x = crate::harness::exclusive();
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let kids = crate::harness::children_of_me();
        let cfg = SampleConfig::brief(5, 3);
        let mut by = std::collections::BTreeMap::new();
        for p in ISOLATION_PARTICIPANTS {
            let o = measure_bench(
                &IsolationBench {
                    participants: p,
                    cpu,
                },
                &cfg,
                &Counting::Off,
            )
            .unwrap();
            assert!(o.valid, "{}", o.validity);
            assert!(o.extra["pages_checked"] >= 2048.0, "{:?}", o.extra);
            by.insert(format!("{p}"), o);
        }
        let (pr, th) = (&by["process"], &by["thread"]);
        assert_eq!(pr.extra["write_seen_by_other_side"], 0.0);
        assert_eq!(th.extra["write_seen_by_other_side"], 1.0);
        // Each first write in a child is a copy-on-write fault; a thread's is none.
        let (pf, tf) = (
            pr.extra["minor_faults_per_write"],
            th.extra["minor_faults_per_write"],
        );
        assert!((0.9..1.5).contains(&pf), "{pf} faults per write in a child");
        assert!(tf < 0.1, "{tf} faults per write in a thread");
        assert!(pr.validity.contains("isolation held"), "{}", pr.validity);
        crate::harness::assert_children(kids, "a writer");
    }

    #[test]
    fn the_isolation_check_fails_when_the_childs_write_is_visible() {
        let _x = crate::harness::exclusive();
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let mut h = IsolationHarness::over_shared_pages(cpu).unwrap();
        let e = h.run(10).unwrap_err().to_string();
        assert!(e.contains("isolation broken"), "{e}");
        assert_eq!(h.pages_checked(), 0);
    }
}
