//! The parts of a switch measured in the `switch` comparison: kernel entry and exit, the
//! futex beyond them, the scheduler's switch, the address space, and the switch itself,
//! each a weighted sum of the main loops of four arms (the ping-pong, its thread twin, the
//! futex floor and the null system call), computed round by round where the comparison
//! was measured in paired rounds, else from the medians a file recorded.

use super::{Part, PartName, Value};
use crate::analysis::claims::address_space::gap;
use crate::analysis::claims::rounds::{estimate, find};
use crate::analysis::claims::select::{same_cpu_pingpong, valid};
use crate::analysis::claims::RunFacts;
use crate::analysis::counted::why_event_not_counted;
use crate::counters::events::SYSCALLS;
use crate::measure::paired::{ArmMode, Paired};
use crate::measure::{CounterValue, Outcome};
use crate::spec::{BenchId, Comparison, Experiment, FloorKind, Mechanism, Participants};
use crate::stats::bootstrap::{joint, Bootstrap, Interval};
use crate::stats::rng::Rng;

/// A part or why it is missing: its value and what it is.
pub(super) type Found = Result<(Value, String), String>;

/// What the `switch` comparison gives of one kind of switch.
pub(super) struct SwitchParts {
    /// Kernel entry and exit, the futex beyond them, the scheduler's switch, the address
    /// space.
    pub(super) parts: Vec<Part>,
    /// The switch itself, per switch.
    pub(super) whole: Found,
    /// The switch less the parts that have a value, estimated round by round with the
    /// interval of exactly that (paired rounds only).
    pub(super) per_round_rest: Option<Interval>,
}

/// The mechanism of `who`'s ping-pong: the shared futex calls on both sides.
fn mechanism(who: Participants) -> Mechanism {
    match who {
        Participants::Process => Mechanism::Futex,
        Participants::Thread => Mechanism::FutexShared,
    }
}

/// The same-CPU ping-pong id of `who` over `m`.
fn pingpong(who: Participants, m: Mechanism) -> BenchId {
    BenchId::PingPong {
        participants: who,
        mechanism: m,
        placement: crate::spec::PlacementKind::SameCpu,
    }
}

/// A weighted sum of arms' main loops, per iteration: `(id, weight)`, each id once.
#[derive(Debug, Clone, Default, PartialEq)]
struct Terms(Vec<(BenchId, f64)>);

impl Terms {
    fn of(pairs: &[(BenchId, f64)]) -> Self {
        let mut t = Terms::default();
        for &(id, w) in pairs {
            t.add(id, w);
        }
        t
    }

    fn add(&mut self, id: BenchId, w: f64) {
        match self.0.iter_mut().find(|(i, _)| *i == id) {
            Some((_, x)) => *x += w,
            None => self.0.push((id, w)),
        }
    }

    /// The terms whose weight is not zero.
    fn used(&self) -> Vec<(BenchId, f64)> {
        self.0
            .iter()
            .filter(|(_, w)| w.abs() > 1e-12)
            .map(|&(id, w)| (id, w))
            .collect()
    }
}

/// Where the arms are read.
enum Source<'a> {
    /// The `switch` comparison, round by round.
    Rounds(&'a Paired),
    /// The medians of a file from before paired rounds.
    Medians(&'a [Outcome]),
}

impl Source<'_> {
    /// The weighted sum `t` round by round, with its interval (paired rounds only).
    fn interval(&self, t: &Terms) -> Option<Interval> {
        let Source::Rounds(p) = self else {
            return None;
        };
        let used = t.used();
        let arms: Vec<(BenchId, ArmMode)> =
            used.iter().map(|&(id, _)| (id, ArmMode::Main)).collect();
        estimate(p, &arms, |v| {
            used.iter().zip(v).map(|((_, w), x)| w * x).sum()
        })
    }

    /// `whole` less `parts`, each estimated round by round, with the interval of exactly
    /// that: resamples that draw the same set-ups and rounds for all (paired rounds only;
    /// see [`joint`]).
    fn rest(&self, whole: &Terms, parts: &[Terms], salt: u64) -> Option<Interval> {
        let Source::Rounds(p) = self else {
            return None;
        };
        let per_round = |t: &Terms| -> Option<Vec<Vec<f64>>> {
            let idx: Vec<(usize, f64)> = t
                .used()
                .iter()
                .map(|&(id, w)| Some((p.main(id)?, w)))
                .collect::<Option<_>>()?;
            Some(p.per_round(|row| idx.iter().map(|&(i, w)| w * row[i]).sum()))
        };
        let series: Vec<Vec<Vec<f64>>> = std::iter::once(whole)
            .chain(parts)
            .map(per_round)
            .collect::<Option<_>>()?;
        let seed = Rng::derived(p.seed, &[salt, 0xb007]).next_u64();
        joint(
            &series,
            |v| v[0] - v[1..].iter().sum::<f64>(),
            &Bootstrap::default(),
            seed,
        )
    }

    /// The weighted sum `t`: round by round with its interval, or from the medians.
    fn value(&self, t: &Terms) -> Option<Value> {
        match self {
            Source::Rounds(_) => self.interval(t).map(Value::from),
            Source::Medians(outcomes) => t
                .used()
                .iter()
                .map(|&(id, w)| {
                    let o = outcomes.iter().find(|o| o.id == id)?;
                    Some(w * o.ns_per_iteration.median)
                })
                .sum::<Option<f64>>()
                .map(Value::point),
        }
    }

    /// What a value from this source says of how it was computed.
    fn how(&self) -> &'static str {
        match self {
            Source::Rounds(_) => "round by round",
            Source::Medians(_) => {
                "from the medians this file recorded (measured apart, before paired rounds: \
                 no interval)"
            }
        }
    }
}

/// System calls per iteration of `o`, where counted.
fn syscalls(o: &Outcome) -> Option<f64> {
    match o.counters.get(SYSCALLS)? {
        CounterValue::Measured { per_iteration, .. } => Some(*per_iteration),
        CounterValue::Unsupported { .. } => None,
    }
}

/// The valid floor `k`.
fn floor(outcomes: &[Outcome], k: FloorKind) -> Option<&Outcome> {
    let id = BenchId::Floor(k);
    valid(outcomes, Experiment::Floor).find(|o| o.id == id)
}

/// Why a part made of `counted`'s system calls and the null call `null` is missing: one
/// of them was not measured, or the calls were not counted.
fn uncounted(
    counted: Option<&Outcome>,
    id: BenchId,
    null: Option<&Outcome>,
    null_id: BenchId,
) -> String {
    match (counted, null) {
        (None, _) => format!("needs a valid {id}"),
        (_, None) => format!("needs a valid {null_id}"),
        (Some(o), _) => format!(
            "system calls not counted: {}",
            why_event_not_counted(&[o], SYSCALLS)
        ),
    }
}

/// The parts of `who`'s switch from the `switch` comparison (or the medians).
pub(super) fn parts(outcomes: &[Outcome], facts: &RunFacts<'_>, who: Participants) -> SwitchParts {
    let paired = find(facts, Comparison::Switch);
    let source = match paired {
        Some(p) => Source::Rounds(p),
        None => Source::Medians(outcomes),
    };
    let own = same_cpu_pingpong(outcomes, who, mechanism(who));
    let twin = same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::FutexShared);
    let fl = floor(outcomes, FloorKind::FutexShared);
    let null = floor(outcomes, FloorKind::Getppid);
    let own_id = pingpong(who, mechanism(who));
    let twin_id = pingpong(Participants::Thread, Mechanism::FutexShared);
    let floor_id = BenchId::Floor(FloorKind::FutexShared);
    let null_id = BenchId::Floor(FloorKind::Getppid);
    let lacks = |what: &str| format!("needs a valid {what}");
    let no_rounds = |t: &Terms| {
        let ids: Vec<String> = t.used().iter().map(|(id, _)| id.to_string()).collect();
        match paired {
            Some(p) if p.quiet_rounds() == 0 => format!(
                "every one of the {} rounds of the switch comparison was disturbed",
                p.taken_rounds()
            ),
            _ => format!("{} not in the switch comparison", ids.join(", ")),
        }
    };
    let how = source.how();
    // Each part: its value, what it is, and its terms (for the remainder round by round).
    let eval =
        |t: Option<Terms>, what: String, why: String| -> Result<(Value, String, Terms), String> {
            let t = t.ok_or(why)?;
            let v = source.value(&t).ok_or_else(|| no_rounds(&t))?;
            Ok((v, format!("{what}, {how}"), t))
        };

    let per_hand_over = own.and_then(syscalls).map(|n| n / 2.0);
    let kernel = eval(
        null.zip(per_hand_over)
            .map(|(_, n)| Terms::of(&[(null_id, n)])),
        format!(
            "{null_id} (a null system call) x {} system calls per hand-over ({SYSCALLS} \
             counted over {own_id})",
            per_hand_over.map_or("-".into(), |n| format!("{n:.2}"))
        ),
        uncounted(own, own_id, null, null_id),
    );
    let in_floor = fl.and_then(syscalls);
    let futex = eval(
        fl.zip(null)
            .zip(in_floor)
            .map(|(_, n)| Terms::of(&[(floor_id, 1.0), (null_id, -n)])),
        format!(
            "{floor_id} (a wake and a wait that returns at once) less its {} kernel entries \
             (counted) at {null_id} each",
            in_floor.map_or("-".into(), |n| format!("{n:.2}"))
        ),
        uncounted(fl, floor_id, null, null_id),
    );
    let scheduler = eval(
        twin.zip(fl)
            .map(|_| Terms::of(&[(twin_id, 0.5), (floor_id, -1.0)])),
        format!("{twin_id} per switch less {floor_id}: the thread twin's direct cost"),
        lacks(&format!("{twin_id} and {floor_id}")),
    );
    let address = match who {
        Participants::Thread => {
            Err("not part of a thread switch: threads share the address space".to_string())
        }
        Participants::Process => {
            let t = Terms::of(&[(own_id, 0.5), (twin_id, -0.5)]);
            // Claim 2's figure where the rounds give it: the same estimate.
            let claim2 = paired
                .and_then(|p| gap(p, Mechanism::Futex, Mechanism::FutexShared, "address-space"));
            match (own.zip(twin), claim2) {
                (None, _) => Err(lacks(&format!("{own_id} and {twin_id}"))),
                (Some(_), Some(f)) => Ok((
                    Value::from(&f),
                    format!("{}: the same system calls on both sides", f.what),
                    t,
                )),
                (Some(_), None) => eval(
                    Some(t),
                    format!(
                        "{own_id} minus {twin_id}, per switch: the same system calls on both \
                         sides"
                    ),
                    String::new(),
                ),
            }
        }
    };
    let whole_terms = Terms::of(&[(own_id, 0.5)]);
    let found = [kernel, futex, scheduler, address];
    let in_rest: Vec<Terms> = found.iter().flatten().map(|(_, _, t)| t.clone()).collect();
    let names = [
        PartName::KernelEntry,
        PartName::Mechanism,
        PartName::Scheduler,
        PartName::AddressSpace,
    ];
    let parts: Vec<Part> = names
        .into_iter()
        .zip(found)
        .map(|(n, f)| Part::or_missing(n, who, f.map(|(v, what, _)| (v, what))))
        .collect();
    let whole = match own {
        None => Err(lacks(&own_id.to_string())),
        Some(_) => source
            .value(&whole_terms)
            .map(|v| (v, format!("{own_id} per switch")))
            .ok_or_else(|| no_rounds(&whole_terms)),
    };
    let salt = match who {
        Participants::Process => 0xa7a1,
        Participants::Thread => 0xa7a2,
    };
    let per_round_rest = whole
        .as_ref()
        .ok()
        .and_then(|_| source.rest(&whole_terms, &in_rest, salt));
    SwitchParts {
        parts,
        whole,
        per_round_rest,
    }
}
