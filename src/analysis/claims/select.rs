//! Picking the outcomes a claim rests on: only valid ones count.

use crate::measure::Outcome;
use crate::spec::{Experiment, Mechanism, Participants, PlacementKind};

/// The valid outcomes of `experiment`.
pub fn valid(outcomes: &[Outcome], experiment: Experiment) -> impl Iterator<Item = &Outcome> {
    outcomes.iter().filter(move |o| o.is(experiment) && o.valid)
}

/// The valid same-cpu ping-pong of `p` over `m` that has a time per switch.
pub fn same_cpu_pingpong(outcomes: &[Outcome], p: Participants, m: Mechanism) -> Option<&Outcome> {
    valid(outcomes, Experiment::PingPong).find(|o| {
        o.participants == Some(p)
            && o.mechanism == Some(m)
            && o.placement == Some(PlacementKind::SameCpu)
            && o.ns_per_switch.is_some()
    })
}

/// The thread twin of `process-futex` among `outcomes`: `thread-futex-shared` (the same
/// system calls, so the two differ by the address space alone), or in results from
/// before it existed `thread-futex` (private operations, which also skip the shared key),
/// with how to describe the pairing.
pub fn futex_twin(outcomes: &[Outcome]) -> Option<(&Outcome, &'static str)> {
    same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::FutexShared)
        .map(|t| (t, "the same shared futex calls on both sides"))
        .or_else(|| {
            same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::Futex).map(|t| {
                (
                    t,
                    "private futex calls on the thread side, so the shared futex key counts \
                     as address space too",
                )
            })
        })
}

/// The valid same-cpu process ping-pong over `m` and its thread twin, (process, thread):
/// over the futex the twin [`futex_twin`] picks, elsewhere the thread ping-pong over `m`.
pub fn twins(outcomes: &[Outcome], m: Mechanism) -> Option<(&Outcome, &Outcome)> {
    let thread = match m {
        Mechanism::Futex => futex_twin(outcomes).map(|(t, _)| t),
        _ => same_cpu_pingpong(outcomes, Participants::Thread, m),
    }?;
    let process = same_cpu_pingpong(outcomes, Participants::Process, m)?;
    Some((process, thread))
}
