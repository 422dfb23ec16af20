//! Register state per switch (`regs/<participants>-futex/<state>`): what a switch costs
//! more when each side has `state` live, for the kernel to save and restore.
//!
//! The outcome's samples are round trips with both sides writing the state before every
//! hand-over (see [`crate::harness::regs`]). Then, from the same harness, interleaved
//! rounds time four batches each, in alternating order:
//! - `on`: round trips with the writes (`extra.on_ns_per_round_trip`);
//! - `off`: the same round trips with the writes off, after both sides let go of every
//!   vector register and tile (`extra.off_ns_per_round_trip`);
//! - `floor`: the driver alone, the writes and one side's futex calls of `floor/futex`,
//!   no switch (`extra.floor_ns`);
//! - `floor off`: the same without the writes (`extra.floor_off_ns`).
//!
//! `extra.extra_ns_per_switch` is the median over rounds of
//! `((on − off) − 2 × (floor − floor off)) / 2`: a round trip is two switches and two
//! hand-overs, one per side, so what is left once each side's writes (and any cost the
//! live state adds to its system calls) are taken out is what the live state costs the
//! switches. For `none` the writes are a call that returns at once: its extra is the
//! noise of the method. Only rounds that other tasks left alone count (procfs around
//! every batch, as for the timed samples): `extra.rounds` were taken, and
//! `extra.quiet_rounds` of them count; where none was quiet the other medians come from
//! all of them and there is no `extra_ns_per_switch`. The bytes of state are the outcome's `parameter`;
//! `extra.xinuse_at_switch` is the peer's XINUSE after a switch back to it, where the
//! CPU reports it.

use std::time::Duration;

use crate::error::Result;
use crate::harness::regs::{offered, RegsPingPong};
use crate::harness::Harness;
use crate::measure::extra::EXTRA_NS_PER_SWITCH;
use crate::measure::paired::{ArmMode, Facts, Paired};
use crate::measure::{loaded, Outcome, OutcomeMeta, SampleConfig};
use crate::spec::{
    BenchId, Comparison, Mechanism, Participants, PlacementKind, RegState, Variant, REG_STATES,
};

/// Who takes part, in report order.
pub const REGS_PARTICIPANTS: [Participants; 2] = [Participants::Process, Participants::Thread];

/// One register-state benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegsSpec {
    /// Processes or threads.
    pub participants: Participants,
    /// The register state both sides write before every hand-over.
    pub state: RegState,
    /// The CPU both sides share.
    pub cpu: usize,
}

/// The id of a register-state benchmark, e.g. `regs/process-futex/amx`.
pub fn regs_id(p: Participants, state: RegState) -> crate::spec::BenchId {
    crate::spec::BenchId::Regs {
        participants: p,
        state,
    }
}

/// Every register-state id, in report order (offered here or not).
pub fn all_ids() -> Vec<crate::spec::BenchId> {
    REGS_PARTICIPANTS
        .iter()
        .flat_map(|&p| REG_STATES.iter().map(move |&s| regs_id(p, s)))
        .collect()
}

/// The register-state benchmarks of `cpu` whose ids `keep` accepts: those this machine
/// offers, and the others with the reason (the CPU lacks the state, or the kernel did
/// not enable or refused it).
pub fn plan(cpu: usize, keep: impl Fn(BenchId) -> bool) -> (Vec<RegsSpec>, Vec<(BenchId, String)>) {
    let (mut planned, mut refused) = (Vec::new(), Vec::new());
    for p in REGS_PARTICIPANTS {
        for state in REG_STATES {
            let spec = RegsSpec {
                participants: p,
                state,
                cpu,
            };
            if !keep(spec.id()) {
                continue;
            }
            match offered(state) {
                Ok(_) => planned.push(spec),
                Err(why) => refused.push((spec.id(), why)),
            }
        }
    }
    (planned, refused)
}

impl RegsSpec {
    /// Its id.
    pub fn id(&self) -> crate::spec::BenchId {
        regs_id(self.participants, self.state)
    }

    /// What its outcome is about (the bytes, in `parameter`, come with the harness).
    pub fn meta(&self) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Regs,
            participants: Some(self.participants),
            mechanism: Some(Mechanism::Futex),
            placement: Some(PlacementKind::SameCpu),
            cpus: vec![self.cpu],
            parameter: None,
            variant: Some(Variant::State(self.state)),
        }
    }
}

/// The four timings of one interleaved round, in ns per round trip (floors: per
/// operation of one side).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Round {
    /// Round trip, writing.
    pub on: f64,
    /// Round trip, not writing.
    pub off: f64,
    /// The writes and one side's futex calls, alone.
    pub floor: f64,
    /// The futex calls alone.
    pub floor_off: f64,
}

impl Round {
    /// `((on − off) − 2 × (floor − floor off)) / 2`: ns per switch the live state adds.
    pub fn extra_ns_per_switch(&self) -> f64 {
        ((self.on - self.off) - 2.0 * (self.floor - self.floor_off)) / 2.0
    }
}

/// Rounds of the four batches, `iters` iterations each, writes on first in even rounds
/// and off first in odd ones (load that drifts cancels within a round), until `want`
/// rounds were quiet (no batch in which other tasks took more than 1% of the CPU, read
/// from procfs around each batch) or `2 × want` were taken. Returns the quiet rounds
/// (every round where none was quiet), how many were quiet and how many were taken;
/// leaves the writes on.
fn interleaved(
    h: &mut RegsPingPong,
    want: usize,
    iters: u64,
) -> Result<(Vec<Round>, usize, usize)> {
    let per = |d: std::time::Duration| d.as_nanos() as f64 / iters as f64;
    let (mut quiet, mut all) = (Vec::new(), Vec::new());
    while quiet.len() < want && all.len() < 2 * want {
        let mut r = Round {
            on: 0.0,
            off: 0.0,
            floor: 0.0,
            floor_off: 0.0,
        };
        let mut disturbed = false;
        for on in [all.len() % 2 == 0, all.len() % 2 == 1] {
            h.set_writing(on)?;
            let tasks = h.tasks().to_vec();
            let (rt, pp) = loaded(&tasks, || h.run(iters))?;
            let (floor, alone) = loaded(&tasks[..1], || h.alone(iters))?;
            disturbed |= [pp, alone].iter().flatten().any(|l| l.disturbed());
            if on {
                (r.on, r.floor) = (per(rt), per(floor));
            } else {
                (r.off, r.floor_off) = (per(rt), per(floor));
            }
        }
        all.push(r);
        if !disturbed {
            quiet.push(r);
        }
    }
    h.set_writing(true)?;
    let (n, taken) = (quiet.len(), all.len());
    Ok((if quiet.is_empty() { all } else { quiet }, n, taken))
}

/// A register-state benchmark: timed and counted as every benchmark, then interleaved
/// rounds for the extra per switch (`extra` keeps their medians).
impl crate::bench::Bench for RegsSpec {
    type Harness = RegsPingPong;

    fn id(&self) -> crate::spec::BenchId {
        RegsSpec::id(self)
    }

    fn meta(&self) -> OutcomeMeta {
        RegsSpec::meta(self)
    }

    fn build(&self) -> Result<RegsPingPong> {
        RegsPingPong::new(self.participants, self.state, self.cpu)
    }

    fn finish(&self, h: &mut RegsPingPong, o: &mut Outcome, cfg: &SampleConfig) -> Result<()> {
        o.parameter = Some(u64::from(h.bytes()));
        let iters = (o.iterations_per_sample / 2).max(10);
        let (rounds, quiet, taken) = interleaved(h, (cfg.samples / 2).max(5), iters)?;
        o.set(crate::measure::extra::ROUNDS, taken as f64);
        o.set(crate::measure::extra::QUIET_ROUNDS, quiet as f64);
        let col = |f: fn(&Round) -> f64| {
            crate::stats::median(&mut rounds.iter().map(f).collect::<Vec<f64>>())
        };
        o.set(crate::measure::extra::ON_NS_PER_ROUND_TRIP, col(|r| r.on));
        o.set(crate::measure::extra::OFF_NS_PER_ROUND_TRIP, col(|r| r.off));
        o.set(crate::measure::extra::FLOOR_NS, col(|r| r.floor));
        o.set(crate::measure::extra::FLOOR_OFF_NS, col(|r| r.floor_off));
        // Rounds that other tasks disturbed give no figure worth keeping.
        if quiet > 0 {
            o.set(EXTRA_NS_PER_SWITCH, col(Round::extra_ns_per_switch));
        }
        h.run(10)?;
        if let Some(x) = h.probe()?.peer {
            o.set(crate::measure::extra::XINUSE_AT_SWITCH, x as f64);
        }
        Ok(())
    }

    /// Every state offered, processes and threads, side by side.
    fn comparison(&self) -> Option<Comparison> {
        Some(Comparison::Regs)
    }

    /// Writing (the main loop), the writes off, and the floor with and without them.
    fn modes(&self) -> Vec<ArmMode> {
        vec![
            ArmMode::Main,
            ArmMode::WritesOff,
            ArmMode::Alone,
            ArmMode::AloneOff,
        ]
    }

    /// One block of `mode`; the driver lets go of its registers after it, so the next
    /// block (of any harness) starts with none of this state live.
    fn run_mode(&self, h: &mut RegsPingPong, mode: ArmMode, iters: u64) -> Result<Duration> {
        let writing = matches!(mode, ArmMode::Main | ArmMode::Alone);
        h.set_writing(writing)?;
        let t = match mode {
            ArmMode::Alone | ArmMode::AloneOff => h.alone(iters),
            _ => h.run(iters),
        };
        h.release_driver();
        t
    }

    /// The bytes of state, and the peer's XINUSE after a switch back to it.
    fn facts(&self, h: &mut RegsPingPong) -> Result<Facts> {
        h.set_writing(true)?;
        h.run(10)?;
        let seen = h.probe()?.peer;
        h.release_driver();
        Ok(Facts {
            parameter: Some(u64::from(h.bytes())),
            extra: seen
                .map(|x| {
                    (
                        crate::measure::extra::XINUSE_AT_SWITCH.key().to_string(),
                        x as f64,
                    )
                })
                .into_iter()
                .collect(),
        })
    }

    /// The four timings' medians, and the extra per switch round by round.
    fn take_paired(&self, o: &mut Outcome, p: &Paired) {
        let id = self.id();
        let arm = |m| p.index(id, m);
        let (Some(on), Some(off), Some(fl), Some(fl_off)) = (
            arm(ArmMode::Main),
            arm(ArmMode::WritesOff),
            arm(ArmMode::Alone),
            arm(ArmMode::AloneOff),
        ) else {
            return;
        };
        let column = |i: usize| {
            crate::stats::median(
                &mut p
                    .per_round(|r| r[i])
                    .into_iter()
                    .flatten()
                    .collect::<Vec<f64>>(),
            )
        };
        o.set(crate::measure::extra::ROUNDS, p.taken_rounds() as f64);
        o.set(crate::measure::extra::QUIET_ROUNDS, p.quiet_rounds() as f64);
        o.set(crate::measure::extra::ON_NS_PER_ROUND_TRIP, column(on));
        o.set(crate::measure::extra::OFF_NS_PER_ROUND_TRIP, column(off));
        o.set(crate::measure::extra::FLOOR_NS, column(fl));
        o.set(crate::measure::extra::FLOOR_OFF_NS, column(fl_off));
        let round = |r: &[f64]| {
            Round {
                on: r[on],
                off: r[off],
                floor: r[fl],
                floor_off: r[fl_off],
            }
            .extra_ns_per_switch()
        };
        if let Some(i) = p.estimate(on as u64, round) {
            o.set(EXTRA_NS_PER_SWITCH, i.value);
        }
    }
}

/// The register states' descriptor: every state, processes first; the states this machine
/// does not offer are refused with the reason.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Regs,
    ids: |_| all_ids(),
    serves: super::serves_none,
    plan: |ids, cpus, _| {
        let (planned, refused) = plan(cpus.first(), |id| ids.contains(&id));
        super::Planning::of(planned, refused)
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_the_extra_per_switch() {
        assert_eq!(
            regs_id(Participants::Thread, RegState::Avx512),
            "regs/thread-futex/avx512"
        );
        assert_eq!(all_ids().len(), 10);
        // 900 ns more per round trip, of which the writes alone are 2 x 25 ns: 425 ns
        // per switch.
        let r = Round {
            on: 5000.0,
            off: 4100.0,
            floor: 625.0,
            floor_off: 600.0,
        };
        assert_eq!(r.extra_ns_per_switch(), 425.0);
    }

    #[test]
    fn the_plan_skips_what_is_not_offered_with_the_reason() {
        let (planned, refused) = plan(0, |id| id.experiment() == crate::spec::Experiment::Regs);
        assert_eq!(planned.len() + refused.len(), 10);
        for (id, why) in &refused {
            let BenchId::Regs { state, .. } = id else {
                panic!("{id}")
            };
            let s = REG_STATES.iter().find(|s| *s == state).unwrap();
            assert_eq!(offered(*s).unwrap_err(), *why);
        }
        if cfg!(target_arch = "x86_64") {
            assert!(planned.iter().any(|s| s.state == RegState::None));
        }
        let (planned, refused) = plan(0, |id| {
            matches!(
                id,
                BenchId::Regs {
                    state: RegState::None,
                    ..
                }
            )
        });
        assert_eq!((planned.len(), refused.len()), (2, 0));
    }
}
