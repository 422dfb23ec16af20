//! The catalogue of events ctxbench counts: their perf names, families, and what each
//! means for a context switch.

use perf_event::events::{Cache, CacheId, CacheOp, CacheResult, Hardware, Software};

/// Where an event comes from, which decides what a machine must offer to count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Counted by the CPU's performance monitoring unit (PMU); absent in most VMs.
    Hardware,
    /// Counted by the kernel's scheduler and fault handlers; available everywhere.
    Software,
    /// A kernel tracepoint (needs tracefs to find its id).
    Tracepoint,
}

impl Family {
    /// The family's name as printed: `hardware`, `software`, `tracepoint`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Hardware => "hardware",
            Family::Software => "software",
            Family::Tracepoint => "tracepoint",
        }
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How an event is configured for `perf_event_open`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A generic hardware event (`PERF_TYPE_HARDWARE`).
    Hardware(Hardware),
    /// A generic cache event (`PERF_TYPE_HW_CACHE`).
    Cache(Cache),
    /// A software event (`PERF_TYPE_SOFTWARE`).
    Software(Software),
    /// A tracepoint (`PERF_TYPE_TRACEPOINT`), found in tracefs as `events/<system>/<name>`,
    /// optionally with a filter set through `PERF_EVENT_IOC_SET_FILTER`.
    Tracepoint {
        /// The subsystem, e.g. `tlb`.
        system: &'static str,
        /// The tracepoint, e.g. `tlb_flush`.
        name: &'static str,
        /// A tracefs filter expression over the tracepoint's fields, e.g. `pages != 0`.
        filter: Option<&'static str>,
        /// Whose events count.
        tasks: Tasks,
    },
}

/// Whose tracepoint hits a tracepoint event counts (see [`EventDef::cpu_wide`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tasks {
    /// The participants', through counters they inherit: for tracepoints that fire in a
    /// participant's own context while its counters are in, which covers its system
    /// calls, the timers it arms, and its own switch out (`sched_switch` fires before the
    /// scheduler takes the old task's counters out). Measured here (kernel 6.18): the same
    /// counts as per-CPU counters filtered to the participants' thread ids, for every
    /// ping-pong, forked or threaded, on one CPU or two.
    Inherited,
    /// The participants', through per-CPU counters filtered to their thread ids.
    PerCpu,
    /// Every other task's but idle, through per-CPU counters on the participants' CPUs.
    OthersPerCpu,
}

/// One event ctxbench knows how to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDef {
    /// The name as perf spells it (`context-switches`, `dTLB-load-misses`,
    /// `tlb:tlb_flush`), with a third part for a filtered or narrowed tracepoint
    /// (`tlb:tlb_flush:full`, `sched:sched_switch:preempted`). This is the key in JSON
    /// results and the name `--events` takes.
    pub name: &'static str,
    /// A short name for criterion ids (`tlb-full-flushes`, `context-switches`).
    pub short: &'static str,
    /// Its family.
    pub family: Family,
    /// What the count means for a ping-pong round trip.
    pub meaning: &'static str,
    /// How it is opened.
    pub kind: Kind,
    /// Which of its two values the `ctxbench run` counters table shows.
    pub shown: Shown,
}

/// Which value of an event the counters table shows: the one that reads naturally (4
/// system calls per round trip; 0.44 of switches preempted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Per round trip, headed `<short>/rt`.
    PerRoundTrip,
    /// Per switch (for a count of switches, a share of them), headed `<short>`.
    PerSwitch,
}

impl EventDef {
    /// True for events counted per CPU (the CPUs the participants run on) and filtered to
    /// the participants' thread ids, instead of on the participants themselves.
    ///
    /// The `tlb:*` tracepoints: x86 fires `tlb:tlb_flush` for a switch while changing
    /// address space, after the old task's counters are scheduled out and before the new
    /// task's are scheduled in. A counter on the tasks sees it only when the two
    /// participants switch straight to each other (the kernel then swaps their cloned
    /// counter contexts without scheduling them out); with another task between them on
    /// the CPU (measured here: a second ping-pong on the same CPU) it missed half to three
    /// quarters of the flushes. A per-CPU counter filtered on `common_pid` (the task being switched
    /// out) counts the flush of every switch out of a participant, including a switch to
    /// another task: on a shared CPU, threads then show the flushes of switching to other
    /// processes. Either way a same-CPU number is only the ping-pong's own on an
    /// otherwise idle CPU.
    pub fn cpu_wide(&self) -> bool {
        matches!(
            self.kind,
            Kind::Tracepoint {
                tasks: Tasks::PerCpu | Tasks::OthersPerCpu,
                ..
            }
        )
    }
}

const fn cache(which: CacheId) -> Kind {
    Kind::Cache(Cache {
        which,
        operation: CacheOp::READ,
        result: CacheResult::MISS,
    })
}

/// The tracefs filter of `sched:sched_switch:preempted`: the switch out of a task that
/// was still runnable.
///
/// `prev_state` is 0 (perf prints `R`) for a runnable task switched out by a
/// `schedule()` call. That is where a wake-up preemption lands when the kernel does not
/// preempt itself (`preempt=none` or `voluntary`; this project's VMs boot with `none`):
/// the woken task's flag is acted on as the waker returns to user space. It is
/// `TASK_REPORT_MAX` (`R+`; 0x100 since Linux 4.14, as the tracepoint's print format
/// shows) when the kernel preempted the task inside the kernel (`preempt=full`, `lazy`).
/// Any other value is a sleep (`S`, `D`, ...). Both runnable cases are what procfs
/// counts as `nonvoluntary_ctxt_switches`.
pub const PREEMPTED_FILTER: &str = "prev_state == 0 || prev_state == 256";

/// The software event that counts context switches. This name and the four below are
/// the events other modules look up (the tables, the claims): spelled once, here.
pub const CONTEXT_SWITCHES: &str = "context-switches";
/// `tlb:tlb_flush` filtered to `pages != 0`: flushes that emptied the TLB.
pub const FULL_FLUSH: &str = "tlb:tlb_flush:full";
/// Last-level cache misses.
pub const CACHE_MISSES: &str = "cache-misses";
/// Data loads that missed the TLB.
pub const DTLB_LOAD_MISSES: &str = "dTLB-load-misses";
/// System calls entered by the participants.
pub const SYSCALLS: &str = "raw_syscalls:sys_enter";

/// Every event, in report order: software first (they open everywhere), then
/// tracepoints, then hardware.
pub static EVENTS: [EventDef; 18] = [
    EventDef {
        name: CONTEXT_SWITCHES,
        short: "context-switches",
        family: Family::Software,
        meaning: "times a participant was switched out (voluntary or preempted); a same-CPU \
                  round trip is exactly 2",
        kind: Kind::Software(Software::CONTEXT_SWITCHES),
        shown: Shown::PerRoundTrip,
    },
    EventDef {
        name: "cpu-migrations",
        short: "cpu-migrations",
        family: Family::Software,
        meaning: "times a participant moved to another CPU; 0 when pinned",
        kind: Kind::Software(Software::CPU_MIGRATIONS),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "page-faults",
        short: "page-faults",
        family: Family::Software,
        meaning: "page faults taken by the participants; about 0 in a warmed-up ping-pong",
        kind: Kind::Software(Software::PAGE_FAULTS),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "task-clock",
        short: "task-clock",
        family: Family::Software,
        meaning: "nanoseconds the participants spent on a CPU (user and kernel), summed \
                  over participants",
        kind: Kind::Software(Software::TASK_CLOCK),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "sched:sched_switch",
        short: "sched-switches",
        family: Family::Tracepoint,
        meaning: "the scheduler's switch tracepoint, fired as a participant is switched \
                  out; agrees with context-switches",
        kind: Kind::Tracepoint {
            system: "sched",
            name: "sched_switch",
            filter: None,
            tasks: Tasks::Inherited,
        },
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "sched:sched_switch:preempted",
        short: "preempted",
        family: Family::Tracepoint,
        meaning: "switches out of a participant that was still runnable (preempted, \
                  mostly by the peer it had just woken), shown as a share of its switches; \
                  the rest blocked in the mechanism. Agrees with procfs's involuntary \
                  switches",
        kind: Kind::Tracepoint {
            system: "sched",
            name: "sched_switch",
            filter: Some(PREEMPTED_FILTER),
            tasks: Tasks::Inherited,
        },
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: SYSCALLS,
        short: "syscalls",
        family: Family::Tracepoint,
        meaning: "system calls made by the participants: 4 per round trip for a bare \
                  mechanism (a write or wake and a read or wait on each side); more means \
                  the timed loop does more than its mechanism",
        kind: Kind::Tracepoint {
            system: "raw_syscalls",
            name: "sys_enter",
            filter: None,
            tasks: Tasks::Inherited,
        },
        shown: Shown::PerRoundTrip,
    },
    EventDef {
        name: "timer:hrtimer_start",
        short: "timer-starts",
        family: Family::Tracepoint,
        meaning: "high-resolution timers armed by the participants (a wait with a \
                  timeout arms one each time it sleeps); about 0 per round trip for an \
                  untimed wait, the rest being the kernel's own (the tick, the deadline \
                  server)",
        kind: Kind::Tracepoint {
            system: "timer",
            name: "hrtimer_start",
            filter: None,
            tasks: Tasks::Inherited,
        },
        shown: Shown::PerRoundTrip,
    },
    EventDef {
        name: "tlb:tlb_flush",
        short: "tlb-flushes",
        family: Family::Tracepoint,
        meaning: "x86 TLB flush events, including the address-space switch on a context \
                  switch (with PCID that switch keeps the TLB); about 1 per switch between \
                  processes, about 0 between threads of one process",
        kind: Kind::Tracepoint {
            system: "tlb",
            name: "tlb_flush",
            filter: None,
            tasks: Tasks::PerCpu,
        },
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: FULL_FLUSH,
        short: "tlb-full-flushes",
        family: Family::Tracepoint,
        meaning: "tlb:tlb_flush events with `pages != 0`: flushes that really emptied the \
                  TLB (on a switch: no PCID, or the CPU ran out of address-space ids)",
        kind: Kind::Tracepoint {
            system: "tlb",
            name: "tlb_flush",
            filter: Some("pages != 0"),
            tasks: Tasks::PerCpu,
        },
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "sched:sched_switch:others",
        short: "other-switches",
        family: Family::Tracepoint,
        meaning: "switches out of tasks other than the participants (idle excluded) on the \
                  participants' CPUs during the counted run: ~0 on a quiet CPU; above that, \
                  other work shared the CPU and the other counts include its effects",
        kind: Kind::Tracepoint {
            system: "sched",
            name: "sched_switch",
            filter: None,
            tasks: Tasks::OthersPerCpu,
        },
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "cycles",
        short: "cycles",
        family: Family::Hardware,
        meaning: "CPU cycles spent by the participants, kernel included",
        kind: Kind::Hardware(Hardware::CPU_CYCLES),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "instructions",
        short: "instructions",
        family: Family::Hardware,
        meaning: "instructions retired by the participants, kernel included",
        kind: Kind::Hardware(Hardware::INSTRUCTIONS),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "cache-references",
        short: "cache-references",
        family: Family::Hardware,
        meaning: "last-level cache accesses (CPU-defined)",
        kind: Kind::Hardware(Hardware::CACHE_REFERENCES),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: CACHE_MISSES,
        short: "cache-misses",
        family: Family::Hardware,
        meaning: "last-level cache misses (CPU-defined): the indirect cost of a switch",
        kind: Kind::Hardware(Hardware::CACHE_MISSES),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: DTLB_LOAD_MISSES,
        short: "dtlb-load-misses",
        family: Family::Hardware,
        meaning: "data loads that missed the TLB: rises when a switch flushed it",
        kind: cache(CacheId::DTLB),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "iTLB-load-misses",
        short: "itlb-load-misses",
        family: Family::Hardware,
        meaning: "instruction fetches that missed the TLB",
        kind: cache(CacheId::ITLB),
        shown: Shown::PerSwitch,
    },
    EventDef {
        name: "LLC-load-misses",
        short: "llc-load-misses",
        family: Family::Hardware,
        meaning: "loads that missed the last-level cache",
        kind: cache(CacheId::LL),
        shown: Shown::PerSwitch,
    },
];

/// Every event.
pub fn all() -> Vec<&'static EventDef> {
    EVENTS.iter().collect()
}

/// The event named `name` (perf spelling or short name), if known.
pub fn find(name: &str) -> Option<&'static EventDef> {
    EVENTS.iter().find(|e| e.name == name || e.short == name)
}

/// The perf names of every event, comma-separated: for error messages.
pub fn known_names() -> String {
    EVENTS.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
}

/// Parses an `--events` list (`a,b,c`, perf or short names). An unknown name is an
/// error naming the known ones.
pub fn parse_list(list: &str) -> Result<Vec<&'static EventDef>, String> {
    let mut out: Vec<&'static EventDef> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match find(name) {
            Some(e) if !out.contains(&e) => out.push(e),
            Some(_) => {}
            None => {
                return Err(format!(
                    "unknown event {name:?}; known events: {}",
                    known_names()
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(format!("no event named; known events: {}", known_names()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, a) in EVENTS.iter().enumerate() {
            for b in &EVENTS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.short, b.short);
            }
        }
    }

    #[test]
    fn the_new_tracepoints_count_over_the_participants_and_read_naturally() {
        for (name, short, shown) in [
            ("raw_syscalls:sys_enter", "syscalls", Shown::PerRoundTrip),
            ("timer:hrtimer_start", "timer-starts", Shown::PerRoundTrip),
            (
                "sched:sched_switch:preempted",
                "preempted",
                Shown::PerSwitch,
            ),
        ] {
            let e = find(short).unwrap();
            assert_eq!(
                (e.name, e.family, e.shown),
                (name, Family::Tracepoint, shown)
            );
            assert!(!e.cpu_wide(), "{name}");
        }
        let Kind::Tracepoint { filter, .. } = &find("preempted").unwrap().kind else {
            panic!("not a tracepoint")
        };
        assert_eq!(*filter, Some("prev_state == 0 || prev_state == 256"));
    }

    #[test]
    fn parse_list_accepts_perf_and_short_names() {
        let l = parse_list("context-switches,tlb-full-flushes, dTLB-load-misses").unwrap();
        let names: Vec<_> = l.iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            ["context-switches", "tlb:tlb_flush:full", "dTLB-load-misses"]
        );
        assert_eq!(parse_list("tlb:tlb_flush,tlb:tlb_flush").unwrap().len(), 1);
    }

    #[test]
    fn parse_list_refuses_unknown_names_listing_the_known() {
        let e = parse_list("context-switches,bogus").unwrap_err();
        assert!(
            e.contains("\"bogus\"") && e.contains("tlb:tlb_flush:full"),
            "{e}"
        );
        assert!(parse_list(",").is_err());
    }
}
