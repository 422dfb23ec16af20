//! The anatomy of a switch: where the time of one switch on one CPU goes, part by part,
//! each part with its 95% interval, and a check that the parts account for the whole.
//!
//! The whole is a switch between two processes (and, beside it, between two threads) on
//! one CPU over a shared futex, each side touching a working set that fits the CPU's L2
//! between switches: the futex ping-pong per switch (`pingpong/process-futex/same-cpu`,
//! its thread twin `pingpong/thread-futex-shared/same-cpu`, which makes the same system
//! calls) plus the refill at that working set. Its parts, per switch:
//!
//! - **kernel entry and exit**: the null system call (`floor/getppid`) times the system
//!   calls one hand-over makes, counted (`raw_syscalls:sys_enter`), not assumed;
//! - **the mechanism beyond them**: the futex floor (`floor/futex-shared`, a wake and a
//!   wait that returns at once) less the kernel entries in it (counted the same way);
//! - **the scheduler's switch between threads**: the thread twin's direct cost, its round
//!   trip per switch less the floor;
//! - **the address space**: the process ping-pong against its thread twin over the same
//!   system calls (claim 2's figure); none for threads, which share it;
//! - **refilling caches and TLB** at a working set per side whose two buffers fit L2
//!   (claim 4's indirect cost, from the working-set comparison);
//! - **the remainder**: the whole less the parts, never forced to zero. Here it holds what
//!   the floor does that a hand-over does not (a hand-over whose partner is already awake
//!   skips its wait: fewer system calls than the floor's two), and any part that is
//!   missing.
//!
//! Beside the whole, what a switch adds where a condition holds, not in the sum: the
//! refill at a working set larger than L2 (instead of the one that fits), the register
//! state (the extra of the largest state the CPU offers: AVX-512, AMX where there is
//! one; claim 7's figure) and the TLB past the address-space ids (the per-switch step of
//! the rings where full flushes begin, and the ring size where they begin; claim 3's
//! figure).
//!
//! Parts from the `switch` comparison are computed round by round, so their intervals,
//! the whole switch's and the remainder's see the same rounds. The refill comes from the
//! working-set comparison, measured at another time: the whole's interval adds the two
//! intervals end to end (the widest they allow). The remainder is the whole's estimate
//! less the parts' (so they add up to the whole exactly); its interval comes from
//! resamples of the `switch` comparison that draw the same set-ups and rounds for the
//! switch and every part (the refill is in the whole and the parts alike, and cancels):
//! see [`crate::stats::bootstrap::joint`].
//!
//! Files from before paired rounds give the same parts from the medians they recorded
//! (the figures each outcome carries), without intervals, and say so. A part the machine
//! does not offer or the run did not measure is listed with why.
//!
//! ```
//! use ctxbench::analysis::anatomy::{Anatomy, PartName};
//! use ctxbench::analysis::claims::RunFacts;
//! use ctxbench::spec::Participants;
//! let a = Anatomy::of(&[], &RunFacts::default(), None);
//! let whole = a.get(PartName::Whole, Participants::Process).unwrap();
//! assert!(whole.value.is_none() && whole.why_missing.is_some());
//! ```

mod beyond;
mod switch;

pub use beyond::{WorkingSets, ASSUMED_L2};

use serde::{Deserialize, Serialize};

use super::claims::{Figure, RunFacts, Unit};
use crate::measure::Outcome;
use crate::spec::Participants;
use crate::stats::bootstrap::Interval;

/// Who takes part, in the order shown.
pub const WHO: [Participants; 2] = [Participants::Process, Participants::Thread];

/// A part of a switch, as results files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartName {
    /// Kernel entry and exit: the null system call times the system calls of a hand-over.
    KernelEntry,
    /// The mechanism beyond the kernel entries: its floor less the entries in it.
    Mechanism,
    /// The scheduler's switch between threads: the thread twin's direct cost.
    Scheduler,
    /// The address space: process against thread over the same system calls.
    AddressSpace,
    /// Refilling caches and TLB at a working set whose two buffers fit L2.
    RefillInL2,
    /// The whole less the parts.
    Remainder,
    /// The switch the parts add up to.
    Whole,
    /// Refilling caches and TLB at a working set larger than L2 (instead of the one
    /// that fits): beside the whole.
    RefillPastL2,
    /// The extra of the largest register state the CPU offers, live at every switch:
    /// beside the whole.
    RegisterState,
    /// The TLB past the address-space ids: what a switch costs more where full flushes
    /// begin: beside the whole.
    TlbFlush,
    /// A part this build does not know (from a newer file).
    #[serde(other)]
    Other,
}

/// The parts the whole is made of, in the order they stack.
pub const IN_WHOLE: [PartName; 6] = [
    PartName::KernelEntry,
    PartName::Mechanism,
    PartName::Scheduler,
    PartName::AddressSpace,
    PartName::RefillInL2,
    PartName::Remainder,
];

/// What a switch adds where a condition holds, shown beside the whole.
pub const BESIDE: [PartName; 3] = [
    PartName::RefillPastL2,
    PartName::RegisterState,
    PartName::TlbFlush,
];

impl PartName {
    /// Its name in words.
    pub fn label(self) -> &'static str {
        match self {
            PartName::KernelEntry => "kernel entry and exit",
            PartName::Mechanism => "the futex beyond them",
            PartName::Scheduler => "the scheduler's switch",
            PartName::AddressSpace => "the address space",
            PartName::RefillInL2 => "refill, fits L2",
            PartName::Remainder => "remainder",
            PartName::Whole => "the whole",
            PartName::RefillPastL2 => "refill, past L2",
            PartName::RegisterState => "register state",
            PartName::TlbFlush => "TLB past the ASIDs",
            PartName::Other => "other",
        }
    }
}

/// One part of a switch, per switch, with its 95% interval where it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Which part.
    pub name: PartName,
    /// Of a process switch or a thread switch.
    pub participants: Participants,
    /// The point estimate; `None` where the part is missing (`why_missing` says why).
    #[serde(default)]
    pub value: Option<f64>,
    /// The 95% interval's lower end; `None` without an interval (a file from before
    /// paired rounds).
    #[serde(default)]
    pub low: Option<f64>,
    /// The 95% interval's upper end.
    #[serde(default)]
    pub high: Option<f64>,
    /// Its unit (ns per switch).
    pub unit: Unit,
    /// The size it was read at: bytes per side for a refill, bytes of live state for the
    /// register state, the ring size where full flushes begin for the TLB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<u64>,
    /// What it is and where it comes from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub what: String,
    /// Why it is missing, where it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_missing: Option<String>,
}

impl Part {
    /// A part worth `value`, from `what`.
    fn of(name: PartName, who: Participants, value: Value, what: impl Into<String>) -> Self {
        Self {
            name,
            participants: who,
            value: Some(value.value),
            low: value.ends.map(|e| e.0),
            high: value.ends.map(|e| e.1),
            unit: Unit::NsPerSwitch,
            parameter: None,
            what: what.into(),
            why_missing: None,
        }
    }

    /// A part that is missing, and why.
    fn missing(name: PartName, who: Participants, why: impl Into<String>) -> Self {
        Self {
            name,
            participants: who,
            value: None,
            low: None,
            high: None,
            unit: Unit::NsPerSwitch,
            parameter: None,
            what: String::new(),
            why_missing: Some(why.into()),
        }
    }

    /// The part `value` has, or the missing one `why` names.
    fn or_missing(
        name: PartName,
        who: Participants,
        value: Result<(Value, String), String>,
    ) -> Self {
        match value {
            Ok((v, what)) => Self::of(name, who, v, what),
            Err(why) => Self::missing(name, who, why),
        }
    }

    /// The same part, read at `parameter`.
    fn at(mut self, parameter: Option<u64>) -> Self {
        self.parameter = parameter;
        self
    }

    /// Its value with its interval, where it has a value.
    pub fn reading(&self) -> Option<Value> {
        Some(Value {
            value: self.value?,
            ends: self.low.zip(self.high),
        })
    }

    /// Its interval, where it has one.
    pub fn interval(&self) -> Option<Interval> {
        let v = self.reading()?;
        let (low, high) = v.ends?;
        Some(Interval {
            value: v.value,
            low,
            high,
        })
    }

    /// As a claim's figure (for the same rendering), where it has a value.
    pub fn figure(&self) -> Option<Figure> {
        let v = self.reading()?;
        let name = format!("{}/{}", self.participants, kebab(self.name));
        Some(match v.ends {
            Some(_) => Figure::of(&name, self.interval()?, self.unit, self.what.clone()),
            None => Figure::exact(&name, v.value, self.unit, self.what.clone()),
        })
    }

    /// `+272 ns/switch [+260, +290]`, or why it is missing.
    pub fn shown(&self) -> String {
        match (self.figure(), &self.why_missing) {
            (Some(f), _) => f.to_string(),
            (None, Some(why)) => format!("missing: {why}"),
            (None, None) => "missing".into(),
        }
    }
}

/// The name of `p` as results files spell it.
fn kebab(p: PartName) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A value with its 95% interval, where it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    /// The point estimate.
    pub value: f64,
    /// The interval's ends.
    pub ends: Option<(f64, f64)>,
}

impl Value {
    /// A value with no interval.
    pub fn point(value: f64) -> Self {
        Self { value, ends: None }
    }

    /// The sum of values measured apart (in different comparisons): the ends added end
    /// to end, the widest interval the two allow; none where either has none.
    pub fn plus(self, other: Value) -> Self {
        Self {
            value: self.value + other.value,
            ends: self
                .ends
                .zip(other.ends)
                .map(|(a, b)| (a.0 + b.0, a.1 + b.1)),
        }
    }
}

impl From<Interval> for Value {
    fn from(i: Interval) -> Self {
        Self {
            value: i.value,
            ends: Some((i.low, i.high)),
        }
    }
}

impl From<&Figure> for Value {
    fn from(f: &Figure) -> Self {
        Self {
            value: f.value,
            ends: f.low.zip(f.high),
        }
    }
}

/// Every part of a process switch and a thread switch, as results files keep them (the
/// `anatomy` list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Anatomy {
    /// The parts, process first, each in the order of [`IN_WHOLE`], then the whole,
    /// then [`BESIDE`].
    pub parts: Vec<Part>,
}

impl Anatomy {
    /// The anatomy of the switches among `outcomes` and the comparisons in `facts`, the
    /// working sets chosen by the L2 size `l2` (bytes per core; see
    /// [`WorkingSets`], and [`ASSUMED_L2`] where it is unknown).
    pub fn of(outcomes: &[Outcome], facts: &RunFacts<'_>, l2: Option<u64>) -> Self {
        let sets = beyond::WorkingSets::choose(outcomes, l2);
        let mut parts = Vec::new();
        for who in WHO {
            let sw = switch::parts(outcomes, facts, who);
            let refill = beyond::refill(outcomes, facts, who, &sets, false);
            let whole = whole(who, &sw.whole, &refill, &sets);
            let mut own: Vec<Part> = sw.parts;
            own.push(refill);
            own.push(remainder(who, &own, &whole, sw.per_round_rest));
            parts.extend(own);
            parts.push(whole);
            parts.push(beyond::refill(outcomes, facts, who, &sets, true));
            parts.push(beyond::register_state(outcomes, facts, who));
            parts.push(beyond::tlb_flush(outcomes, facts, who));
        }
        Self { parts }
    }

    /// The part `name` of `who`'s switch.
    pub fn get(&self, name: PartName, who: Participants) -> Option<&Part> {
        self.parts
            .iter()
            .find(|p| p.name == name && p.participants == who)
    }

    /// Whether there is nothing in it.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Whether any part of it has a value (an anatomy of an unrelated run has none).
    pub fn has_any(&self) -> bool {
        self.parts.iter().any(|p| p.value.is_some())
    }

    /// The parts of `who`'s whole that have a value, remainder included, in stacking
    /// order: they add up to the whole.
    pub fn stacked(&self, who: Participants) -> Vec<&Part> {
        IN_WHOLE
            .iter()
            .filter_map(|&n| self.get(n, who))
            .filter(|p| p.value.is_some())
            .collect()
    }
}

/// The whole of `who`'s switch: the switch per switch, plus the refill where measured.
fn whole(who: Participants, switch: &switch::Found, refill: &Part, sets: &WorkingSets) -> Part {
    let (v, what) = match switch {
        Ok(s) => s.clone(),
        Err(why) => {
            return Part::missing(PartName::Whole, who, format!("no switch measured: {why}"))
        }
    };
    let how = |paired: bool| {
        if paired {
            "the switch round by round in its comparison, the refill in the working-set one: \
             their intervals added end to end"
        } else {
            "from the medians this file recorded (measured apart, before paired rounds): no \
             intervals"
        }
    };
    match (refill.reading(), sets.in_l2) {
        (Some(r), Some(bytes)) => {
            let sum = v.plus(r);
            Part::of(
                PartName::Whole,
                who,
                sum,
                format!(
                    "{what}, plus its refill at {} per side, both buffers ({}) fitting {}; {}",
                    crate::units::format_size(bytes),
                    crate::units::format_size(2 * bytes),
                    sets.l2_words(),
                    how(sum.ends.is_some())
                ),
            )
            .at(Some(bytes))
        }
        _ => Part::of(
            PartName::Whole,
            who,
            v,
            format!(
                "{what}, with no working set (the refill is missing); {}",
                how(v.ends.is_some())
            ),
        ),
    }
}

/// The whole less the parts that have a value; `per_round` is the same from the `switch`
/// comparison (the refill is in the whole and the parts alike), whose interval it takes.
fn remainder(who: Participants, parts: &[Part], whole: &Part, per_round: Option<Interval>) -> Part {
    let Some(w) = whole.value else {
        return Part::missing(PartName::Remainder, who, "no whole to take the parts from");
    };
    let sum: f64 = parts.iter().filter_map(|p| p.value).sum();
    let value = w - sum;
    let missing: Vec<&str> = parts
        .iter()
        .filter(|p| {
            p.value.is_none() && !(p.name == PartName::AddressSpace && who == Participants::Thread)
        })
        .map(|p| p.name.label())
        .collect();
    let mut what = String::from("the whole less the parts");
    if !missing.is_empty() {
        what += &format!(" (it holds the missing: {})", missing.join(", "));
    }
    let ends = per_round.map(|r| (r.low.min(value), r.high.max(value)));
    if ends.is_some() {
        what += "; its interval from resamples of the switch comparison's rounds that draw \
                 the same rounds for the whole and every part";
    }
    Part::of(PartName::Remainder, who, Value { value, ends }, what)
}

#[cfg(test)]
mod tests {
    // The anatomy on made-up outcomes and rounds: the parts and the remainder add up to the
    // whole, a missing part says why (and the remainder holds it), an older file gives what
    // it can.

    use super::*;
    use crate::analysis::claims::fixtures::{
        getppid, o, pp, regs, ring, rounds, with_syscalls, ws,
    };
    use crate::measure::paired::Paired;
    use crate::spec::{Mechanism, RegState};
    use Participants::{Process, Thread};

    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;

    /// The outcomes of a run: the futex twins (1.6 system calls per hand-over), the shared
    /// futex floor (2 calls), the null call, working sets of 256KiB and 4MiB, the register
    /// states up to AVX-512, and rings of 2 to 8 that flush from 7 on.
    fn outcomes() -> Vec<Outcome> {
        let mut v = vec![
            with_syscalls(pp(Process, Mechanism::Futex, 4800.0), 3.2),
            with_syscalls(pp(Thread, Mechanism::FutexShared, 4400.0), 3.2),
            with_syscalls(
                o(
                    "floor/futex-shared",
                    "floor",
                    None,
                    None,
                    None,
                    600.0,
                    Some(0.0),
                ),
                2.0,
            ),
            with_syscalls(getppid(150.0), 1.0),
        ];
        for who in WHO {
            for bytes in [0, 256 * KIB, 4 * MIB] {
                v.push(ws(who, bytes, 1.0));
            }
            v.push(regs(who, RegState::None, 0));
            v.push(regs(who, RegState::Avx512, 2112));
            for (n, f) in [(2, 0.0), (4, 0.0), (6, 0.0), (7, 1.0), (8, 1.0)] {
                let flushes = if who == Process { f } else { 0.0 };
                v.push(ring(who, n, Some(flushes)));
            }
        }
        v
    }

    /// The comparisons, side by side in paired rounds: a switch of 2400 ns per switch
    /// (process) and 2200 (thread); refills of 300 and 250 ns at 256KiB, 5000 at 4MiB;
    /// AVX-512 adding 10 ns; each switch past the ASIDs 400 ns dearer.
    fn comparisons() -> Vec<Paired> {
        let switch = rounds(
            "switch",
            &[
                ("pingpong/process-futex/same-cpu", 4800.0),
                ("pingpong/thread-futex-shared/same-cpu", 4400.0),
                ("floor/futex-shared", 600.0),
                ("floor/getppid", 150.0),
            ],
        );
        let mut ws_arms: Vec<(String, f64)> = Vec::new();
        for (who, small) in [("process", 300.0), ("thread", 250.0)] {
            for (size, extra) in [("256KiB", small), ("4MiB", 5000.0)] {
                let id = format!("workset/{who}-pipe/{size}");
                ws_arms.push((id.clone(), 4000.0 + 2.0 * 600.0 + 2.0 * extra));
                ws_arms.push((format!("{id}#idle"), 4000.0));
                ws_arms.push((format!("{id}#touch-alone"), 600.0));
            }
        }
        let mut regs_arms: Vec<(String, f64)> = Vec::new();
        for who in ["process", "thread"] {
            let id = format!("regs/{who}-futex/avx512");
            regs_arms.push((id.clone(), 4000.0 + 2.0 * 10.0 + 40.0));
            regs_arms.push((format!("{id}#writes-off"), 4000.0));
            regs_arms.push((format!("{id}#alone"), 320.0));
            regs_arms.push((format!("{id}#alone-off"), 300.0));
        }
        let ring = rounds(
            "ring/pipe",
            &[
                ("ring/process-pipe/6", 6.0 * 2000.0),
                ("ring/process-pipe/7", 7.0 * 2400.0),
                ("ring/thread-pipe/6", 6.0 * 2000.0),
                ("ring/thread-pipe/7", 7.0 * 2000.0),
            ],
        );
        vec![
            switch,
            rounds("workset/read", &as_refs(&ws_arms)),
            rounds("regs", &as_refs(&regs_arms)),
            ring,
        ]
    }

    /// `(arm, value)` pairs as [`rounds`] takes them.
    fn as_refs(v: &[(String, f64)]) -> Vec<(&str, f64)> {
        v.iter().map(|(a, x)| (a.as_str(), *x)).collect()
    }

    fn anatomy(outcomes: &[Outcome], paired: &[Paired], skipped: &[(&str, &str)]) -> Anatomy {
        let facts = RunFacts {
            skipped,
            paired,
            ..Default::default()
        };
        Anatomy::of(outcomes, &facts, Some(MIB))
    }

    fn value(a: &Anatomy, name: PartName, who: Participants) -> f64 {
        a.get(name, who)
            .and_then(|p| p.value)
            .unwrap_or_else(|| panic!("{name:?} of {who} has a value: {:?}", a.get(name, who)))
    }

    /// Checks that the stacked parts of `who` add up to the whole, exactly.
    fn adds_up(a: &Anatomy, who: Participants) {
        let sum: f64 = a.stacked(who).iter().filter_map(|p| p.value).sum();
        let whole = value(a, PartName::Whole, who);
        assert!((sum - whole).abs() < 1e-6, "{who}: {sum} vs {whole}");
    }

    fn near(v: f64, want: f64, within: f64) -> bool {
        (v - want).abs() <= within
    }

    #[test]
    fn the_parts_and_the_remainder_add_up_to_the_whole() {
        let a = anatomy(&outcomes(), &comparisons(), &[]);
        for who in WHO {
            adds_up(&a, who);
        }
        // Process, per switch: 150 ns x 1.6 calls; the floor's 600 less its 2 calls; the
        // thread twin's 2200 less the floor; process against thread; the refill at 256KiB.
        for (name, want) in [
            (PartName::KernelEntry, 240.0),
            (PartName::Mechanism, 300.0),
            (PartName::Scheduler, 1600.0),
            (PartName::AddressSpace, 200.0),
            (PartName::RefillInL2, 300.0),
            // What the floor does that a hand-over does not: 0.4 calls of 150 ns.
            (PartName::Remainder, 60.0),
            (PartName::Whole, 2700.0),
            (PartName::RefillPastL2, 5000.0),
            (PartName::RegisterState, 10.0),
            (PartName::TlbFlush, 400.0),
        ] {
            let v = value(&a, name, Process);
            // The rounds run in two machine levels, with noise (see `rounds`): within 10%
            // and a few ns.
            assert!(near(v, want, 0.1 * want + 5.0), "{name:?}: {v} vs {want}");
            let p = a.get(name, Process).unwrap();
            let i = p
                .interval()
                .unwrap_or_else(|| panic!("{name:?} has an interval"));
            assert!(i.low <= i.value && i.value <= i.high, "{name:?}: {i:?}");
        }
        assert_eq!(
            a.get(PartName::RefillInL2, Process).unwrap().parameter,
            Some(256 * KIB)
        );
        assert_eq!(
            a.get(PartName::RefillPastL2, Thread).unwrap().parameter,
            Some(4 * MIB)
        );
        assert_eq!(
            a.get(PartName::TlbFlush, Process).unwrap().parameter,
            Some(7)
        );
        assert_eq!(
            a.get(PartName::RegisterState, Thread).unwrap().parameter,
            Some(2112)
        );
        // The thread switch: no address space, its own refill, the same remainder.
        assert!(near(value(&a, PartName::Whole, Thread), 2450.0, 245.0));
        assert!(near(value(&a, PartName::Remainder, Thread), 60.0, 6.0));
        let rest = a
            .get(PartName::Remainder, Thread)
            .unwrap()
            .interval()
            .unwrap();
        assert!(rest.high - rest.low < 40.0, "{rest:?}");
        for (name, why) in [
            (PartName::AddressSpace, "threads share the address space"),
            (PartName::TlbFlush, "no switch between them flushes the TLB"),
        ] {
            let p = a.get(name, Thread).unwrap();
            assert!(p.value.is_none() && p.why_missing.as_deref().unwrap().contains(why));
        }
        // The whole, named: the switch, the working set, the L2 it fits.
        let what = &a.get(PartName::Whole, Process).unwrap().what;
        for part in [
            "pingpong/process-futex/same-cpu",
            "256KiB per side",
            "the 1MiB L2",
        ] {
            assert!(what.contains(part), "{part:?} not in {what}");
        }
        // The address space is claim 2's figure.
        let claim2 = crate::analysis::claims::address_space::gap(
            &comparisons()[0],
            Mechanism::Futex,
            Mechanism::FutexShared,
            "address-space",
        )
        .unwrap();
        assert_eq!(value(&a, PartName::AddressSpace, Process), claim2.value);
        // Typed to the file and back.
        let json = serde_json::to_value(&a).unwrap();
        let first = &json[0];
        for key in ["name", "participants", "value", "low", "high", "unit"] {
            assert!(first.get(key).is_some(), "{key} in {first}");
        }
        assert_eq!(first["name"], "kernel-entry");
        assert_eq!(first["unit"], "ns-per-switch");
        assert_eq!(serde_json::from_value::<Anatomy>(json).unwrap(), a);
    }

    #[test]
    fn a_missing_part_says_why_and_the_remainder_holds_it() {
        // The hand-overs' system calls were not counted; AMX is not offered; no working set.
        let mut v = outcomes();
        v[0].counters.clear();
        v.retain(|o| !o.is(crate::spec::Experiment::Workset));
        let paired: Vec<Paired> = comparisons()
            .into_iter()
            .filter(|p| p.name != "workset/read")
            .collect();
        let no_amx = "the CPU has no AMX";
        let skipped = [("regs/process-futex/amx", no_amx)];
        let a = anatomy(&v, &paired, &skipped);
        let kernel = a.get(PartName::KernelEntry, Process).unwrap();
        assert_eq!(kernel.value, None);
        let why = kernel.why_missing.as_deref().unwrap();
        assert!(why.contains("raw_syscalls:sys_enter"), "{why}");
        // Counted on the thread side: its part is there.
        assert!(near(value(&a, PartName::KernelEntry, Thread), 240.0, 24.0));
        let rest = a.get(PartName::Remainder, Process).unwrap();
        assert!(
            rest.what
                .contains("it holds the missing: kernel entry and exit"),
            "{}",
            rest.what
        );
        assert!(near(rest.value.unwrap(), 300.0, 30.0), "{rest:?}");
        assert!(rest.interval().is_some());
        for who in WHO {
            adds_up(&a, who);
            let refill = a.get(PartName::RefillInL2, who).unwrap();
            assert!(refill
                .why_missing
                .as_deref()
                .unwrap()
                .contains("no read working set"));
            let whole = a.get(PartName::Whole, who).unwrap();
            assert!(whole.what.contains("with no working set"), "{}", whole.what);
        }
        assert!(near(value(&a, PartName::Whole, Process), 2400.0, 240.0));
        let regs = a.get(PartName::RegisterState, Process).unwrap();
        assert!(
            regs.what.contains("avx512")
                && regs.what.contains(&format!("amx: not measured: {no_amx}")),
            "{}",
            regs.what
        );
        // Without the switch comparison's rounds the parts come from the medians.
        let medians = anatomy(&outcomes(), &[], &[]);
        assert!(medians
            .get(PartName::Scheduler, Process)
            .unwrap()
            .interval()
            .is_none());
        adds_up(&medians, Process);
        // Nothing measured at all: every part missing, and why.
        let none = anatomy(&[], &[], &[]);
        assert!(!none.has_any());
        assert!(
            none.parts.iter().all(|p| p.why_missing.is_some()),
            "{none:?}"
        );
    }

    #[test]
    fn an_older_file_gives_the_parts_it_can() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/legacy/amd-epyc-vm-full-2026-12-01.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("\"anatomy\""));
        let file = crate::results::ResultsFile::load(&path).unwrap();
        assert!(file.anatomy.is_empty() && file.paired.is_empty());
        let a = file.anatomy();
        for who in WHO {
            adds_up(&a, who);
            // From the medians the file recorded: no interval anywhere.
            assert!(a.parts.iter().all(|p| p.low.is_none() && p.high.is_none()));
            for name in [
                PartName::KernelEntry,
                PartName::Mechanism,
                PartName::Scheduler,
                PartName::RefillInL2,
                PartName::RefillPastL2,
            ] {
                assert!(
                    a.get(name, who).unwrap().value.is_some(),
                    "{name:?} of {who}"
                );
            }
            let regs = a.get(PartName::RegisterState, who).unwrap();
            assert!(regs
                .why_missing
                .as_deref()
                .unwrap()
                .contains("register-state ping-pongs"));
        }
        // The refill is the one the file recorded for its 256KiB working set.
        let recorded = file
            .results
            .iter()
            .find(|o| o.id == "workset/process-pipe/256KiB")
            .and_then(|o| o.indirect_ns_per_switch);
        assert_eq!(
            a.get(PartName::RefillInL2, Process).unwrap().value,
            recorded
        );
        // Its L2 is not recorded: the assumed one is named.
        let whole = &a.get(PartName::Whole, Process).unwrap().what;
        assert!(
            whole.contains("assumed") && whole.contains("no intervals"),
            "{whole}"
        );
        assert_eq!(
            a.get(PartName::TlbFlush, Process).unwrap().parameter,
            Some(7)
        );
    }
}
