//! Claim 7: a switch saves and restores the registers: the more live register state, the
//! dearer the switch. Judged on `regs/<participants>-futex/<state>`, every state offered
//! measured side by side in paired rounds, each with its writes off and its floors (the
//! driver alone, with and without the writes): per round, what the live state adds to a
//! switch is `((on − off) − 2 × (floor − floor off)) / 2` (see `experiments::regs`). The
//! claim is judged on the largest state the CPU offers (AMX where it has it, else
//! AVX-512), process and thread; the margin is 2% of a switch with nothing live, and
//! `none` (writes of nothing) is the control.

use super::evidence::Evidence;
use super::figure::{combine, control_reach, decide_beside_control, Figure, Margin, Unit};
use super::rounds::{all_disturbed, estimate, find};
use super::select::valid;
use super::{Claim, Finding, RunFacts, VerdictKind};
use crate::measure::paired::{ArmMode, Paired};
use crate::measure::Outcome;
use crate::spec::{BenchId, Comparison, Participants, RegState, REG_STATES};

/// Claim 7 (see the module).
pub struct Registers;

/// The margin, as a share of a switch with nothing live (2%).
pub const MARGIN_SHARE: f64 = 0.02;

/// Who takes part, in report order.
const WHO: [Participants; 2] = [Participants::Process, Participants::Thread];

pub(crate) fn regs_id(p: Participants, state: RegState) -> BenchId {
    BenchId::Regs {
        participants: p,
        state,
    }
}

/// The valid outcomes of `state`, process first.
pub(crate) fn of(outcomes: &[Outcome], state: RegState) -> Vec<&Outcome> {
    WHO.iter()
        .filter_map(|&p| {
            valid(outcomes, crate::spec::Experiment::Regs).find(|o| o.id == regs_id(p, state))
        })
        .collect()
}

/// What `state` adds to a switch of `p`, round by round, with its interval.
pub(crate) fn extra(p: &Paired, who: Participants, state: RegState) -> Option<Figure> {
    let id = regs_id(who, state);
    let arms = [
        (id, ArmMode::Main),
        (id, ArmMode::WritesOff),
        (id, ArmMode::Alone),
        (id, ArmMode::AloneOff),
    ];
    let i = estimate(p, &arms, |v| ((v[0] - v[1]) - 2.0 * (v[2] - v[3])) / 2.0)?;
    Some(Figure::of(
        &format!("{who}/{}", state.name()),
        i,
        Unit::NsPerSwitch,
        format!("{id}: writing minus not writing, floors taken out, per switch"),
    ))
}

/// Why `state` has no figure: the reason its ids were skipped, where one was given.
pub(crate) fn missing(outcomes: &[Outcome], state: RegState, skipped: &[(&str, &str)]) -> String {
    let ids: Vec<String> = WHO.iter().map(|&p| regs_id(p, state).to_string()).collect();
    let why = skipped
        .iter()
        .find(|(id, _)| ids.iter().any(|i| i == id))
        .map(|(_, why)| why.to_string())
        .or_else(|| {
            (!of(outcomes, state).is_empty())
                .then(|| "no quiet round (other tasks disturbed every one)".to_string())
        });
    match why {
        Some(why) => format!("{}: not measured: {why}", state.name()),
        None => format!("{}: not measured", state.name()),
    }
}

impl Claim for Registers {
    fn statement(&self) -> &'static str {
        "A switch saves and restores the registers: the more live register state, the dearer \
         the switch."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let paired = find(facts, Comparison::Regs);
        if let Some(f) = paired.and_then(all_disturbed) {
            return f;
        }
        let none_id = regs_id(Participants::Thread, RegState::None);
        let base = paired
            .filter(|_| !of(outcomes, RegState::None).is_empty())
            .and_then(|p| estimate(p, &[(none_id, ArmMode::Main)], |v| v[0] / 2.0));
        let measured = |s: RegState| {
            let p = paired?;
            let figs: Vec<Figure> = of(outcomes, s)
                .iter()
                .filter_map(|o| {
                    let who = o.participants?;
                    extra(p, who, s)
                })
                .collect();
            (!figs.is_empty()).then_some(figs)
        };
        let above = &REG_STATES[1..];
        let costs: Vec<(RegState, Vec<Figure>)> = above
            .iter()
            .filter_map(|&s| Some((s, measured(s)?)))
            .collect();
        let gaps: Vec<String> = above
            .iter()
            .filter(|&&s| !costs.iter().any(|c| c.0 == s))
            .map(|&s| missing(outcomes, s, facts.skipped))
            .collect();
        let (Some(base), Some((largest, top))) = (base, costs.last()) else {
            let mut needs = Evidence::new(
                "needs valid regs/<participants>-futex/none and a state above it, measured \
                 side by side in paired rounds (ctxbench run --filter regs/)",
            );
            gaps.into_iter().for_each(|g| needs.push(g));
            return Finding::new(VerdictKind::NotMeasured, needs);
        };
        let switch = base.value;
        let margin = MARGIN_SHARE * switch;
        let bytes = |s: RegState| {
            of(outcomes, s)
                .first()
                .and_then(|o| o.parameter)
                .map_or_else(String::new, |b| format!(" ({b} B)"))
        };
        let mut evidence = Evidence::new(format!(
            "extra per switch over the same ping-pong with the writes off, floors taken out, \
             in the same rounds: {}",
            costs
                .iter()
                .map(|(s, figs)| {
                    let each: Vec<String> =
                        figs.iter().map(|f| format!("{} {f}", f.name)).collect();
                    format!("{}{}: {}", s.name(), bytes(*s), each.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ")
        ));
        gaps.into_iter().for_each(|g| evidence.push(g));
        evidence.push(format!("a switch with nothing live costs {switch:.0} ns"));
        let control = paired
            .filter(|_| !of(outcomes, RegState::None).is_empty())
            .and_then(|p| extra(p, Participants::Thread, RegState::None));
        let control_i = control.as_ref().and_then(Figure::interval);
        let reach = control_reach(control_i.as_ref(), margin);
        let kinds: Vec<VerdictKind> = top
            .iter()
            .map(|f| {
                decide_beside_control(
                    &f.interval().expect("an interval"),
                    margin,
                    control_i.as_ref(),
                )
            })
            .collect();
        let kind = combine(&kinds).unwrap_or(VerdictKind::NotMeasured);
        evidence.push(format!(
            "judged on the largest state offered, {}{}: {}",
            largest.name(),
            bytes(*largest),
            kind
        ));
        // The largest state's figures first: the ones the claim is judged on.
        let mut figures: Vec<Figure> = top
            .iter()
            .chain(costs[..costs.len() - 1].iter().flat_map(|(_, f)| f.iter()))
            .cloned()
            .collect();
        if let Some(c) = control {
            evidence.push(format!("control (none: writes of nothing) {c}"));
            figures.push(Figure {
                name: "control".into(),
                ..c
            });
        }
        if let Some(r) = reach {
            evidence.push(format!(
                "the control reaches {r:.0} ns/switch from zero, beyond the margin: this run \
                 resolves no finer, so each state is judged against {r:.0} and none is shown \
                 equal"
            ));
        }
        let margin = Margin {
            value: reach.unwrap_or(margin),
            unit: Unit::NsPerSwitch,
            what: match reach {
                None => format!("2% of a switch with nothing live ({switch:.0} ns)"),
                Some(r) => format!(
                    "2% of a switch with nothing live ({switch:.0} ns), widened to the \
                     control's reach ({r:.0} ns)"
                ),
            },
        };
        Finding::new(kind, evidence).with(figures, Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged_in, regs, rounds};
    use super::*;
    use VerdictKind::*;

    /// Both twins of `states`.
    fn set(states: &[(RegState, u64)]) -> Vec<Outcome> {
        let mut v = Vec::new();
        for p in WHO {
            v.push(regs(p, RegState::None, 0));
            for &(s, b) in states {
                v.push(regs(p, s, b));
            }
        }
        v
    }

    /// The paired rounds: every state's four loops, the writes adding `extra` ns per
    /// switch (twice per round trip) and 20 ns to each floor.
    fn side_by_side(extras: &[(RegState, f64)]) -> Paired {
        let mut arms: Vec<(String, f64)> = Vec::new();
        for p in WHO {
            for &(s, e) in [(RegState::None, 0.0)].iter().chain(extras) {
                let id = regs_id(p, s);
                arms.push((id.to_string(), 4000.0 + 2.0 * e + 40.0));
                arms.push((format!("{id}#writes-off"), 4000.0));
                arms.push((format!("{id}#alone"), 320.0));
                arms.push((format!("{id}#alone-off"), 300.0));
            }
        }
        let arms: Vec<(&str, f64)> = arms.iter().map(|(a, v)| (a.as_str(), *v)).collect();
        rounds("regs", &arms)
    }

    const NO_AMX: &str = "the CPU has no AMX (CPUID.(EAX=7,ECX=0):EDX bit 24, AMX-TILE, is 0)";

    #[test]
    fn registers_every_outcome() {
        use RegState::*;
        // An AMD EPYC: no AMX, and AVX-512 within the margin.
        let skipped = [
            ("regs/process-futex/amx", NO_AMX),
            ("regs/thread-futex/amx", NO_AMX),
        ];
        let states = [(Sse, 256), (Avx, 512), (Avx512, 2112)];
        let p = side_by_side(&[(Sse, 2.0), (Avx, 9.0), (Avx512, 10.0)]);
        let paired = std::slice::from_ref(&p);
        let facts = RunFacts {
            skipped: &skipped,
            paired,
            ..Default::default()
        };
        let v = Registers.judge_in(&set(&states), &facts);
        assert_eq!(v.kind, NoDifference, "{}", v.evidence);
        let e = v.evidence.to_string();
        for part in [
            "avx512 (2112 B): process/avx512 +9",
            &format!("amx: not measured: {NO_AMX}"),
            "judged on the largest state offered, avx512 (2112 B): no difference",
            "control (none: writes of nothing)",
        ] {
            assert!(e.contains(part), "{part:?} not in {e}");
        }
        // An Intel Xeon with AMX: the tiles cost measurably.
        let mut xeon = set(&[(Sse, 256), (Avx, 512), (Avx512, 2112)]);
        for who in WHO {
            xeon.push(regs(who, Amx, 8256));
        }
        let p = side_by_side(&[(Sse, 1.0), (Avx, 3.0), (Avx512, 5.0), (Amx, 475.0)]);
        judged_in(
            &Registers,
            &xeon,
            &p,
            Holds,
            &["amx (8256 B): process/amx +5"],
        );
        // Writes that make the switch cheaper.
        let p = side_by_side(&[(Sse, 1.0), (Avx, 3.0), (Avx512, -300.0)]);
        judged_in(&Registers, &set(&states), &p, TheOpposite, &[]);
    }

    #[test]
    fn a_control_that_cannot_resolve_the_margin_shows_nothing_equal() {
        use RegState::*;
        let mut p = side_by_side(&[(Avx512, 10.0)]);
        // The control (the thread twin's `none`, writes of nothing) swings 200 ns a round
        // trip from one set-up to the next; every state's own extra stays at 10 ns.
        let control = regs_id(Participants::Thread, None);
        let k = p
            .arms
            .iter()
            .position(|a| a.id == control && a.mode == ArmMode::Main)
            .expect("the control's arm");
        for (s, setup) in p.setups.iter_mut().enumerate() {
            for round in &mut setup.rounds {
                round[k] += if s % 2 == 0 { 200.0 } else { -200.0 };
            }
        }
        judged_in(
            &Registers,
            &set(&[(Avx512, 2112)]),
            &p,
            Inconclusive,
            &["the control reaches", "none is shown equal"],
        );
    }

    #[test]
    fn registers_not_measured_says_what_is_missing() {
        let p = side_by_side(&[(RegState::Avx, 3.0)]);
        judged_in(
            &Registers,
            &[],
            &p,
            NotMeasured,
            &["regs/<participants>-futex/none"],
        );
        // The outcome is there, its rounds are not.
        let v = set(&[(RegState::Avx, 512), (RegState::Sse, 256)]);
        let e = judged_in(
            &Registers,
            &v,
            &p,
            NoDifference,
            &["sse: not measured: no quiet round"],
        );
        assert!(!e.contains("AMX-TILE"), "{e}");
    }
}
