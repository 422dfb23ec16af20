//! The parts of a switch measured in other comparisons than `switch`: refilling caches
//! and TLB at a working set (claim 4's indirect cost), the register state (claim 7's
//! extra) and the TLB past the address-space ids (claim 3's flush step). Each is read
//! round by round from its comparison where the run measured it in paired rounds, else
//! from the figure an older file's outcome recorded.

use super::{Part, PartName, Value};
use crate::analysis::claims::caches::{indirect, read_id, read_sets};
use crate::analysis::claims::registers::{extra, missing, regs_id};
use crate::analysis::claims::rounds::find;
use crate::analysis::claims::select::valid;
use crate::analysis::claims::tlb::{flush_step, Rings};
use crate::analysis::claims::{RunFacts, FLUSHES, KEPT};
use crate::analysis::counted::why_not_counted;
use crate::measure::extra::EXTRA_NS_PER_SWITCH;
use crate::measure::Outcome;
use crate::spec::{Access, BenchId, Comparison, Experiment, Participants, REG_STATES};
use crate::units::format_size;

/// The L2 size the working sets are chosen for where a file does not record the CPU's:
/// 1 MiB per core, the L2 of the AMD EPYC cores this project measured (an Intel Xeon's
/// is 1.25 or 2 MiB: the same sizes come out of the rule for both).
pub const ASSUMED_L2: u64 = 1 << 20;

/// How an older file's figure is described.
const RECORDED: &str =
    "as this file recorded it (from medians, measured before paired rounds: no interval)";

/// The working sets the refill is read at: the largest measured whose two buffers (one
/// per side, both on one CPU) fit its L2 together, and the smallest measured whose one
/// buffer alone is larger than L2.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingSets {
    /// Bytes per side that fit L2, two sides together.
    pub in_l2: Option<u64>,
    /// Bytes per side larger than L2.
    pub past_l2: Option<u64>,
    /// The L2 size they were chosen for, bytes.
    pub l2: u64,
    /// Whether that size is the CPU's (else [`ASSUMED_L2`]).
    pub l2_known: bool,
}

impl WorkingSets {
    /// The sizes among the valid read working sets of `outcomes`, for an L2 of `l2`.
    pub fn choose(outcomes: &[Outcome], l2: Option<u64>) -> Self {
        let size = l2.unwrap_or(ASSUMED_L2);
        let sizes: Vec<u64> = read_sets(outcomes)
            .iter()
            .filter_map(|o| o.parameter)
            .collect();
        Self {
            in_l2: sizes
                .iter()
                .copied()
                .filter(|&b| b > 0 && 2 * b <= size)
                .max(),
            past_l2: sizes.iter().copied().filter(|&b| b > size).min(),
            l2: size,
            l2_known: l2.is_some(),
        }
    }

    /// `the 1MiB L2` or `an L2 of 1MiB (assumed: ...)`.
    pub(super) fn l2_words(&self) -> String {
        if self.l2_known {
            format!("the {} L2", format_size(self.l2))
        } else {
            format!(
                "an L2 of {} (assumed: the file does not record the CPU's)",
                format_size(self.l2)
            )
        }
    }
}

/// The reason `id` was not run, where the run skipped it.
fn skipped<'a>(facts: &RunFacts<'a>, id: BenchId) -> Option<&'a str> {
    let id = id.to_string();
    facts
        .skipped
        .iter()
        .find(|(s, _)| *s == id)
        .map(|(_, r)| *r)
}

/// The refill of `who`'s switch at the working set `sets` picks (`past` for the one
/// larger than L2), per switch: named [`PartName::RefillInL2`] or
/// [`PartName::RefillPastL2`].
pub(super) fn refill(
    outcomes: &[Outcome],
    facts: &RunFacts<'_>,
    who: Participants,
    sets: &WorkingSets,
    past: bool,
) -> Part {
    let (name, bytes) = if past {
        (PartName::RefillPastL2, sets.past_l2)
    } else {
        (PartName::RefillInL2, sets.in_l2)
    };
    let Some(bytes) = bytes else {
        let why = if read_sets(outcomes).is_empty() {
            "no read working set measured (workset/...)".to_string()
        } else if past {
            format!(
                "no read working set measured larger than {}",
                sets.l2_words()
            )
        } else {
            format!(
                "no read working set measured whose two buffers fit {}",
                sets.l2_words()
            )
        };
        return Part::missing(name, who, why);
    };
    let id = read_id(who, bytes);
    let size = format_size(bytes);
    let fits = if past {
        format!(
            "{size} per side: each buffer alone is larger than {}; in place of the refill \
             that fits",
            sets.l2_words()
        )
    } else {
        format!(
            "{size} per side: both buffers ({}) fit {}",
            format_size(2 * bytes),
            sets.l2_words()
        )
    };
    let Some(o) = read_sets(outcomes)
        .into_iter()
        .find(|o| o.participants == Some(who) && o.parameter == Some(bytes))
    else {
        let why = skipped(facts, id).map_or_else(
            || format!("needs a valid {id}"),
            |r| format!("{id} not run: {r}"),
        );
        return Part::missing(name, who, why);
    };
    let found = match find(facts, Comparison::Workset(Access::Read)) {
        Some(p) => indirect(p, id, bytes, "refill")
            .map(|f| {
                (
                    Value::from(&f),
                    format!("{}, round by round; {fits}", f.what),
                )
            })
            .ok_or_else(|| format!("{id}: no quiet round in the working-set comparison")),
        None => o
            .indirect_ns_per_switch
            .map(|v| {
                (
                    Value::point(v),
                    format!("{id}: indirect cost per switch {RECORDED}; {fits}"),
                )
            })
            .ok_or_else(|| format!("{id} records no indirect cost")),
    };
    Part::or_missing(name, who, found).at(Some(bytes))
}

/// What the largest register state the CPU offers adds to `who`'s switch, live at every
/// switch (claim 7's figure).
pub(super) fn register_state(
    outcomes: &[Outcome],
    facts: &RunFacts<'_>,
    who: Participants,
) -> Part {
    let name = PartName::RegisterState;
    let measured = |s| {
        let id = regs_id(who, s);
        valid(outcomes, Experiment::Regs).find(move |o| o.id == id)
    };
    let above = &REG_STATES[1..];
    let Some((k, &state)) = above
        .iter()
        .enumerate()
        .rev()
        .find(|(_, &s)| measured(s).is_some())
    else {
        let why = if valid(outcomes, Experiment::Regs).next().is_none() {
            "needs the register-state ping-pongs (regs/<participants>-futex/<state>), not in \
             these results"
                .to_string()
        } else {
            let each: Vec<String> = above
                .iter()
                .rev()
                .map(|&s| missing(outcomes, s, facts.skipped))
                .collect();
            each.join("; ")
        };
        return Part::missing(name, who, why);
    };
    let o = measured(state).expect("found above");
    // The larger states the CPU does not offer (or the run did not measure), and why.
    let larger: Vec<String> = above[k + 1..]
        .iter()
        .map(|&s| missing(outcomes, s, facts.skipped))
        .collect();
    let bytes = o
        .parameter
        .map_or_else(String::new, |b| format!(" ({b} B)"));
    let mut about = format!(
        "{}{bytes}, the largest state measured, live at every switch: add it where it is",
        state.name()
    );
    if !larger.is_empty() {
        about += &format!(" ({})", larger.join("; "));
    }
    let found = match find(facts, Comparison::Regs) {
        Some(p) => extra(p, who, state)
            .map(|f| {
                (
                    Value::from(&f),
                    format!("{}, round by round; {about}", f.what),
                )
            })
            .ok_or_else(|| format!("{}: no quiet round in the regs comparison", o.id)),
        None => o
            .get(EXTRA_NS_PER_SWITCH)
            .map(|v| {
                (
                    Value::point(v),
                    format!("{}: the extra per switch {RECORDED}; {about}", o.id),
                )
            })
            .ok_or_else(|| format!("{} records no extra per switch", o.id)),
    };
    Part::or_missing(name, who, found).at(o.parameter)
}

/// What a switch between processes costs more where full TLB flushes begin, per switch
/// (claim 3's flush step), at the ring size where they begin.
pub(super) fn tlb_flush(outcomes: &[Outcome], facts: &RunFacts<'_>, who: Participants) -> Part {
    let name = PartName::TlbFlush;
    if who == Participants::Thread {
        let most = Rings::of(outcomes, who)
            .0
            .iter()
            .filter_map(|r| r.flushes)
            .fold(None, |m: Option<f64>, f| Some(m.map_or(f, |m| m.max(f))));
        let counted = most.map_or_else(String::new, |m| {
            format!(" (counted: at most {m:.2} full flushes per switch in the rings of threads)")
        });
        return Part::missing(
            name,
            who,
            format!(
                "not part of a thread switch: threads share one address space, no switch \
                 between them flushes the TLB{counted}"
            ),
        );
    }
    let procs = Rings::of(outcomes, who);
    let counted: Vec<(u64, f64)> = procs
        .0
        .iter()
        .filter_map(|r| Some((r.n, r.flushes?)))
        .collect();
    if counted.is_empty() {
        let rings: Vec<&Outcome> = valid(outcomes, Experiment::Ring).collect();
        let why = if rings.is_empty() {
            "needs the rings of processes (ring/...)".to_string()
        } else {
            format!("full TLB flushes not counted: {}", why_not_counted(&rings))
        };
        return Part::missing(name, who, why);
    }
    let Some((lo, hi)) = procs.clear_step() else {
        let why = if counted.iter().all(|&(_, f)| f >= FLUSHES) {
            format!(
                "every ring of processes flushes the TLB at every switch, from n={}: no step \
                 to read",
                counted[0].0
            )
        } else if counted.iter().all(|&(_, f)| f <= KEPT) {
            format!(
                "no ring of processes flushes the TLB fully, up to n={}: every switch keeps \
                 it, tagged by address-space id",
                counted[counted.len() - 1].0
            )
        } else {
            "no clear step between rings that keep the TLB and rings that flush it".into()
        };
        return Part::missing(name, who, why);
    };
    let m = procs.mechanism().unwrap_or(crate::spec::Mechanism::Pipe);
    let about = format!(
        "full flushes at every switch from n={hi} processes on one CPU, none up to n={lo}: \
         add it past {lo}"
    );
    let found = match find(facts, Comparison::Ring(m)) {
        Some(p) => flush_step(p, m, lo, hi)
            .map(|f| (Value::from(&f), format!("{}; {about}", f.what)))
            .ok_or_else(|| format!("ring/{m}: no quiet round")),
        None => {
            let at = |r: &Rings, n: u64| r.0.iter().find(|x| x.n == n).map(|x| x.ns);
            let threads = Rings::of(outcomes, Participants::Thread);
            let thread_step = at(&threads, hi)
                .zip(at(&threads, lo))
                .map_or(0.0, |(h, l)| h - l);
            at(&procs, hi)
                .zip(at(&procs, lo))
                .map(|(h, l)| {
                    (
                        Value::point(h - l - thread_step),
                        format!(
                            "process ring ns per switch at n={hi} minus n={lo}, less the \
                             thread rings' step, {RECORDED}; {about}"
                        ),
                    )
                })
                .ok_or_else(|| format!("needs the rings of n={lo} and n={hi}"))
        }
    };
    Part::or_missing(name, who, found).at(Some(hi))
}
