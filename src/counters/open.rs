//! Opening events, enabling them around a counted run, and reading what they counted.
//!
//! One counter per event, opened on the calling thread with `inherit`, kernel included,
//! on any CPU, disabled, *before* the harness is built: the forked child or spawned
//! thread inherits it, enabling and disabling the counter reaches the inherited copies,
//! and a read sums them. So one counter covers every participant.
//!
//! Why not one counter per task of an already built harness (`pid` = its tid, no
//! inherit)? Measured here (kernel 6.18): that counts context switches right (2.0 per
//! same-CPU round trip) but `tlb:tlb_flush` reads 0 between processes. The address-space
//! switch fires that tracepoint between the kernel scheduling the old task's counters out
//! and the new task's in, so neither per-task counter sees it; inherited counters share
//! one cloned context, which the kernel swaps without scheduling counters out, so the
//! flush is counted (about 1 per switch, like `perf stat`).
//!
//! Counters are not grouped: a group is scheduled all or nothing, so one hardware event
//! too many would silence the rest; alone, each hardware counter is multiplexed and
//! scaled instead.

use std::ffi::CString;
use std::io;

use perf_event::{Builder, Counter};

use super::events::{EventDef, Family, Kind};
use super::reading::{combine, EventReading, Snapshot};
use super::{reasons, tracefs};

enum State {
    /// Counting (one inherited counter, or one counter per CPU for CPU-wide events).
    Open(Vec<Counter>),
    /// A CPU-wide event waiting for [`CounterSet::attach`] to name tasks and CPUs.
    Pending,
    Refused(String),
}

/// Why a CPU-wide event was never attached to a harness's tasks.
const NOT_ATTACHED: &str = "counted per CPU for a harness's tasks, but no harness was attached";

struct Slot {
    def: &'static EventDef,
    state: State,
}

/// Counters for a set of events over the calling thread and every task it starts after
/// opening them; opened once per harness set-up: [`open`](Self::open) before the harness
/// is built, [`attach`](Self::attach) after (for the CPU-wide events, see
/// [`EventDef::cpu_wide`]).
///
/// Opening never fails as a whole: an event the kernel refuses is kept with its reason.
/// The counters stay attached to the tasks (disabled) until the set drops, and inherited
/// counters slow every switch a little: never time a harness built under a `CounterSet`.
pub struct CounterSet {
    slots: Vec<Slot>,
}

/// Baselines taken by [`CounterSet::start`], consumed by [`CounterSet::stop`].
pub struct Started {
    before: Vec<Option<Vec<Snapshot>>>,
}

impl CounterSet {
    /// Opens every event in `events` (disabled) on the calling thread, inherited by the
    /// processes and threads it starts from now on.
    pub fn open(events: &[&'static EventDef]) -> Self {
        let paranoid = reasons::paranoid();
        let slots = events
            .iter()
            .map(|&def| Slot {
                def,
                state: match open_event(def, paranoid, None) {
                    Ok(_) if def.cpu_wide() => State::Pending,
                    Ok(c) => State::Open(c),
                    Err(reason) => State::Refused(reason),
                },
            })
            .collect();
        CounterSet { slots }
    }

    /// Opens the CPU-wide events for a built harness: one counter per CPU in `cpus`, on
    /// any task, filtered to the thread ids of `tasks`. Call it once, after building the
    /// harness whose tasks these are.
    pub fn attach(&mut self, tasks: &[crate::harness::Task], cpus: &[usize]) {
        let paranoid = reasons::paranoid();
        let tids: Vec<i32> = tasks.iter().map(|t| t.tid).collect();
        for slot in &mut self.slots {
            if matches!(slot.state, State::Pending) {
                slot.state = match open_event(slot.def, paranoid, Some((&tids, cpus))) {
                    Ok(c) => State::Open(c),
                    Err(reason) => State::Refused(reason),
                };
            }
        }
    }

    /// [`attach`](Self::attach) for a built harness: its tasks, on the CPUs they were
    /// pinned to (every CPU this process may use where a task is unpinned).
    pub fn attach_harness(&mut self, h: &dyn crate::harness::Harness) {
        let mut cpus: Vec<usize> = h.cpus_seen().iter().flatten().copied().collect();
        if cpus.len() < h.cpus_seen().len() || cpus.is_empty() {
            cpus = crate::cpus::allowed_cpus().unwrap_or_default();
        }
        cpus.sort_unstable();
        cpus.dedup();
        self.attach(h.tasks(), &cpus);
    }

    /// Each event, with `None` if it opened or the reason it was refused.
    pub fn status(&self) -> Vec<(&'static EventDef, Option<&str>)> {
        self.slots
            .iter()
            .map(|s| match &s.state {
                State::Open(_) => (s.def, None),
                State::Pending => (s.def, Some(NOT_ATTACHED)),
                State::Refused(r) => (s.def, Some(r.as_str())),
            })
            .collect()
    }

    /// Whether an event waits for a harness to be attached (the per-CPU events).
    pub fn pending(&self) -> bool {
        self.slots.iter().any(|s| matches!(s.state, State::Pending))
    }

    /// How many events opened.
    pub fn open_count(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s.state, State::Open(_)))
            .count()
    }

    /// Takes baselines and enables every open counter. A counter that cannot be read or
    /// enabled turns its event into a refusal.
    pub fn start(&mut self) -> Started {
        let mut before = Vec::with_capacity(self.slots.len());
        for slot in &mut self.slots {
            let base = match &mut slot.state {
                State::Open(counters) => match snapshots(counters) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        slot.state = State::Refused(format!("reading the counter failed: {e}"));
                        None
                    }
                },
                State::Pending => {
                    slot.state = State::Refused(NOT_ATTACHED.into());
                    None
                }
                State::Refused(_) => None,
            };
            before.push(base);
        }
        for slot in &mut self.slots {
            if let State::Open(counters) = &mut slot.state {
                if let Err(e) = counters.iter_mut().try_for_each(|c| c.enable()) {
                    slot.state = State::Refused(format!("enabling the counter failed: {e}"));
                }
            }
        }
        Started { before }
    }

    /// Disables every counter and returns what each event counted since `start`, in
    /// the order the events were given to [`open`](Self::open).
    pub fn stop(&mut self, started: Started) -> Vec<(&'static EventDef, EventReading)> {
        for slot in &mut self.slots {
            if let State::Open(counters) = &mut slot.state {
                for c in counters.iter_mut() {
                    let _ = c.disable();
                }
            }
        }
        self.slots
            .iter_mut()
            .zip(started.before)
            .map(|(slot, before)| {
                let reading = match (&mut slot.state, before) {
                    (State::Open(counters), Some(before)) => match snapshots(counters) {
                        Ok(after) => {
                            let deltas: Vec<Snapshot> = after
                                .iter()
                                .zip(&before)
                                .map(|(a, b)| Snapshot {
                                    count: a.count.saturating_sub(b.count),
                                    enabled: a.enabled.saturating_sub(b.enabled),
                                    running: a.running.saturating_sub(b.running),
                                })
                                .collect();
                            combine(&deltas)
                        }
                        Err(e) => EventReading::Refused(format!("reading the counter failed: {e}")),
                    },
                    (State::Open(_), None) => {
                        EventReading::Refused("the counter was opened after the run started".into())
                    }
                    (State::Refused(r), _) => EventReading::Refused(r.clone()),
                    (State::Pending, _) => EventReading::Refused(NOT_ATTACHED.into()),
                };
                (slot.def, reading)
            })
            .collect()
    }
}

fn snapshots(counters: &mut [Counter]) -> io::Result<Vec<Snapshot>> {
    counters
        .iter_mut()
        .map(|c| {
            let ct = c.read_count_and_time()?;
            Ok(Snapshot {
                count: ct.count,
                enabled: ct.time_enabled,
                running: ct.time_running,
            })
        })
        .collect()
}

fn configure(def: &EventDef, tracepoint_id: u64) -> Builder<'static> {
    match &def.kind {
        Kind::Hardware(e) => Builder::new(*e),
        Kind::Cache(e) => Builder::new(e.clone()),
        Kind::Software(e) => Builder::new(*e),
        Kind::Tracepoint { .. } => {
            Builder::new(perf_event::events::Tracepoint::with_id(tracepoint_id))
        }
    }
}

/// The tracepoint filter limiting an event to the tasks `tids` (the task running when
/// the tracepoint fires is `common_pid`), or with `others` to every task but those and
/// idle (pid 0), combined with the event's own filter.
pub fn task_filter(own: Option<&str>, tids: &[i32], others: bool) -> String {
    let pids = if others {
        std::iter::once(0)
            .chain(tids.iter().copied())
            .map(|t| format!("common_pid != {t}"))
            .collect::<Vec<_>>()
            .join(" && ")
    } else {
        tids.iter()
            .map(|t| format!("common_pid == {t}"))
            .collect::<Vec<_>>()
            .join(" || ")
    };
    match own {
        Some(f) => format!("({f}) && ({pids})"),
        None => pids,
    }
}

/// Opens `def`: on the calling thread with inherit, or, given `(tids, cpus)`, per CPU on
/// any task and filtered to `tids`; or says why it cannot be. Without `(tids, cpus)` a
/// CPU-wide event is only checked (its tracepoint id read) and nothing stays open.
fn open_event(
    def: &EventDef,
    paranoid: Option<i32>,
    wide: Option<(&[i32], &[usize])>,
) -> Result<Vec<Counter>, String> {
    let (tp_id, filter) = match &def.kind {
        Kind::Tracepoint {
            system,
            name,
            filter,
            ..
        } => {
            // Mounts tracefs first where none is and this process may (see `tracefs`).
            let mount = tracefs::ensure_mounted();
            let id = tracefs::tracepoint_id(&tracefs::roots(), system, name).map_err(
                |(e, mounted)| {
                    reasons::tracepoint_unreadable(system, name, &e, mounted, mount, paranoid)
                },
            )?;
            (
                id,
                filter.map(|f| (f, CString::new(f).expect("filters have no NUL"))),
            )
        }
        _ => (0, None),
    };
    debug_assert!(def.family != Family::Tracepoint || tp_id != 0);
    if def.cpu_wide() {
        let Some((tids, cpus)) = wide else {
            return Ok(Vec::new());
        };
        if tids.is_empty() || cpus.is_empty() {
            return Err("no task or CPU to count on".into());
        }
        let others = matches!(
            def.kind,
            Kind::Tracepoint {
                tasks: super::events::Tasks::OthersPerCpu,
                ..
            }
        );
        let text = task_filter(filter.as_ref().map(|(f, _)| *f), tids, others);
        let cstr = CString::new(text.clone()).expect("filters have no NUL");
        let mut counters = Vec::with_capacity(cpus.len());
        for &cpu in cpus {
            let mut b = configure(def, tp_id);
            b.any_pid()
                .one_cpu(cpu)
                .include_kernel()
                .inherit(false)
                .enabled(false);
            let c = b
                .build()
                .map_err(|e| reasons::cpu_wide_refused(cpu, &e, paranoid))?;
            crate::sys::perf_set_filter(&c, &cstr)
                .map_err(|e| reasons::filter_refused(&text, &e))?;
            counters.push(c);
        }
        return Ok(counters);
    }
    let mut b = configure(def, tp_id);
    b.observe_self()
        .any_cpu()
        .include_kernel()
        .inherit(true)
        .enabled(false);
    let c = b
        .build()
        .map_err(|e| reasons::open_refused(def.family, &e, paranoid))?;
    if let Some((text, cstr)) = &filter {
        crate::sys::perf_set_filter(&c, cstr).map_err(|e| reasons::filter_refused(text, &e))?;
    }
    Ok(vec![c])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_filters() {
        assert_eq!(task_filter(None, &[7], false), "common_pid == 7");
        assert_eq!(
            task_filter(Some("pages != 0"), &[7, 9], false),
            "(pages != 0) && (common_pid == 7 || common_pid == 9)"
        );
        assert_eq!(
            task_filter(None, &[7, 9], true),
            "common_pid != 0 && common_pid != 7 && common_pid != 9"
        );
    }
}
