//! The direct cost of a switch: a same-CPU round trip is two switches plus, on each side,
//! one use of the mechanism (wake the other, wait for it). Subtracting the floor of both
//! sides (`floor/<name>`, the mechanism measured by one task without a switch) leaves the
//! switches themselves:
//! `direct_ns_per_switch = (round trip − 2 × floor) / 2`.

use std::collections::HashMap;

use crate::measure::Outcome;
use crate::spec::FloorKind;
use crate::spec::PlacementKind;
use crate::spec::{BenchId, Experiment};

/// Fills `direct_ns_per_switch` and `floor_used` of every same-cpu ping-pong among
/// `outcomes` whose floor was measured (and valid) among them. Pure.
pub fn apply(outcomes: &mut [Outcome]) {
    let floors: HashMap<BenchId, f64> = outcomes
        .iter()
        .filter(|o| o.is(Experiment::Floor) && o.valid)
        .map(|o| (o.id, o.ns_per_iteration.median))
        .collect();
    for o in outcomes.iter_mut().filter(|o| o.is(Experiment::PingPong)) {
        let (Some(p), Some(m), Some(PlacementKind::SameCpu)) =
            (o.participants, o.mechanism, o.placement)
        else {
            continue;
        };
        let floor = BenchId::Floor(FloorKind::for_pingpong(p, m));
        if o.direct_ns_per_switch.is_some() {
            // Measured in paired rounds beside its floor already.
            continue;
        }
        if let Some(&f) = floors.get(&floor) {
            o.direct_ns_per_switch = Some(direct_ns_per_switch(o.ns_per_iteration.median, f));
            o.floor_used = Some(format!("{floor} ({f:.0} ns, subtracted for each side)"));
        }
    }
}

/// `(round trip − 2 × floor) / 2`: the per-switch cost once each side's use of the
/// mechanism is taken out.
pub fn direct_ns_per_switch(round_trip_ns: f64, floor_ns: f64) -> f64 {
    (round_trip_ns - 2.0 * floor_ns) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{outcome, pingpong_outcome, Samples, SwitchCount};
    use crate::spec::{Mechanism, Participants, PingPongSpec, Placement};

    fn samples(ns: f64) -> Samples {
        Samples {
            iters_per_sample: 100,
            ns_per_iter: vec![ns; 3],
        }
    }

    fn count(per_iter: f64) -> SwitchCount {
        SwitchCount {
            iters: 1000,
            voluntary: (per_iter * 1000.0) as u64,
            involuntary: 0,
            per_iter,
        }
    }

    /// A floor on CPU 0 taking `ns`, with `switches` counted per iteration (0 is valid).
    fn floor(kind: FloorKind, ns: f64, switches: f64) -> Outcome {
        outcome(kind.meta(0), Some(0.0), samples(ns), count(switches))
    }

    #[test]
    fn direct_cost_subtracts_both_sides() {
        assert_eq!(direct_ns_per_switch(4000.0, 500.0), 1500.0);
        let spec = PingPongSpec {
            participants: Participants::Process,
            mechanism: Mechanism::Futex,
            placement: Placement::SameCpu(0),
        };
        let cross = PingPongSpec {
            placement: Placement::CrossCpu(0, 1),
            ..spec
        };
        let mut v = vec![
            floor(FloorKind::FutexShared, 300.0, 0.0),
            floor(FloorKind::Futex, 100.0, 0.0),
            pingpong_outcome(&spec, Some(2.0), samples(3000.0), count(2.0)),
            pingpong_outcome(&cross, None, samples(9000.0), count(2.0)),
        ];
        apply(&mut v);
        assert_eq!(v[2].direct_ns_per_switch, Some(1200.0));
        assert_eq!(
            v[2].floor_used.as_deref(),
            Some("floor/futex-shared (300 ns, subtracted for each side)")
        );
        assert_eq!(v[3].direct_ns_per_switch, None);
        // An invalid floor (the task was preempted) is not used.
        let mut v = vec![
            floor(FloorKind::FutexShared, 300.0, 0.5),
            pingpong_outcome(&spec, Some(2.0), samples(3000.0), count(2.0)),
        ];
        apply(&mut v);
        assert!(!v[0].valid);
        assert_eq!(v[1].direct_ns_per_switch, None);
    }
}
