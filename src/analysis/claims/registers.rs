//! Claim 6: a switch saves and restores the registers: the more live register state, the
//! dearer the switch. Judged on `regs/<participants>-futex/<state>`: what each state adds
//! per switch over the same ping-pong with nothing live (floors subtracted, interleaved
//! rounds: see `experiments::regs`), against its bytes.

use super::evidence::{listed, Evidence};
use super::select::valid;
use super::{Claim, Finding, RunFacts, VerdictKind, NOISE};
use crate::experiments::regs::{regs_id, EXTRA_NS_PER_SWITCH, REGS_PARTICIPANTS};
use crate::measure::Outcome;
use crate::spec::{RegState, REG_STATES};

/// Claim 6 (see the module).
pub struct Registers;

/// One state as measured.
struct Cost {
    state: RegState,
    /// Bytes of live state.
    bytes: u64,
    /// Extra ns per switch, one figure per participants measured (process first).
    extra: Vec<(&'static str, f64)>,
}

impl Cost {
    fn mean(&self) -> f64 {
        self.extra.iter().map(|e| e.1).sum::<f64>() / self.extra.len() as f64
    }

    /// `avx512 (2112 B): process +35 / thread +41 ns`.
    fn clause(&self) -> String {
        let each: Vec<String> = self
            .extra
            .iter()
            .map(|(who, ns)| format!("{who} {ns:+.0}"))
            .collect();
        let each = each.join(" / ");
        format!("{} ({} B): {each} ns", self.state.name(), self.bytes)
    }
}

/// The valid outcomes of `state`, process first.
fn of(outcomes: &[Outcome], state: RegState) -> Vec<&Outcome> {
    REGS_PARTICIPANTS
        .iter()
        .filter_map(|&p| {
            valid(outcomes, crate::spec::Experiment::Regs).find(|o| o.id == regs_id(p, state))
        })
        .collect()
}

/// What `state` costs, where measured.
fn cost(outcomes: &[Outcome], state: RegState) -> Option<Cost> {
    let found = of(outcomes, state);
    let extra: Vec<(&'static str, f64)> = found
        .iter()
        .filter_map(|o| {
            let who = if o.id.contains("/process-") {
                "process"
            } else {
                "thread"
            };
            Some((who, *o.extra.get(EXTRA_NS_PER_SWITCH)?))
        })
        .collect();
    Some(Cost {
        state,
        bytes: found.first()?.parameter?,
        extra: (!extra.is_empty()).then_some(extra)?,
    })
}

/// Why `state` has no figure: the reason its ids were skipped, where one was given.
fn missing(outcomes: &[Outcome], state: RegState, skipped: &[(&str, &str)]) -> String {
    let ids: Vec<String> = REGS_PARTICIPANTS
        .iter()
        .map(|&p| regs_id(p, state))
        .collect();
    let why = skipped
        .iter()
        .find(|(id, _)| ids.iter().any(|i| i == id))
        .map(|(_, why)| why.to_string())
        .or_else(|| {
            (!of(outcomes, state).is_empty())
                .then(|| "every interleaved round was disturbed by other tasks".to_string())
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
        let skipped = facts.skipped;
        let base: Vec<f64> = of(outcomes, RegState::None)
            .iter()
            .filter_map(|o| o.ns_per_switch)
            .collect();
        let above = &REG_STATES[1..];
        let costs: Vec<Cost> = above.iter().filter_map(|&s| cost(outcomes, s)).collect();
        let gaps: Vec<String> = above
            .iter()
            .filter(|&&s| !costs.iter().any(|c| c.state == s))
            .map(|&s| missing(outcomes, s, skipped))
            .collect();
        if base.is_empty() || costs.is_empty() {
            let mut needs = Evidence::new(
                "needs valid regs/<participants>-futex/none and a state above it (ctxbench run \
                 --filter regs/)",
            );
            gaps.into_iter().for_each(|g| needs.push(g));
            return Finding::new(VerdictKind::NotMeasured, needs);
        }
        let switch = base.iter().sum::<f64>() / base.len() as f64;
        let noise = NOISE * switch;
        let mut evidence = Evidence::new(listed(
            "extra per switch over none, floors subtracted",
            costs.iter().map(Cost::clause),
        ));
        gaps.into_iter().for_each(|g| evidence.push(g));
        evidence.push(format!("a switch with nothing live costs {switch:.0} ns"));
        let small: Vec<&str> = costs
            .iter()
            .filter(|c| c.mean() <= noise)
            .map(|c| c.state.name())
            .collect();
        let largest = costs.iter().max_by_key(|c| c.bytes).expect("not empty");
        let rising = costs.windows(2).all(|w| w[1].mean() >= w[0].mean() - noise);
        let kind = if small.len() == costs.len() {
            evidence.push(format!(
                "every state measured is within 5% of a switch ({noise:.0} ns)"
            ));
            VerdictKind::DoesNotHold
        } else if largest.mean() > noise && rising {
            evidence.push(format!(
                "the largest, {} ({} B), adds {:.0}% to a switch",
                largest.state.name(),
                largest.bytes,
                100.0 * largest.mean() / switch
            ));
            VerdictKind::Holds
        } else {
            evidence.push("the cost does not rise with the bytes of state");
            VerdictKind::HoldsPartly
        };
        if !small.is_empty() && kind != VerdictKind::DoesNotHold {
            evidence.push(format!("within 5% of a switch: {}", small.join(", ")));
        }
        Finding::new(kind, evidence.remark("median of interleaved rounds"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged, o};
    use super::*;
    use crate::spec::{Mechanism, Participants};
    use VerdictKind::*;

    /// `regs/<p>-futex/<state>` with a 4000 ns round trip (2000 ns per switch) and
    /// `extra` ns per switch, where measured.
    fn regs(p: Participants, state: RegState, bytes: u64, extra: Option<f64>) -> Outcome {
        let id = regs_id(p, state);
        let m = Some(Mechanism::Futex);
        let mut r = o(&id, "regs", Some(p), m, Some(bytes), 4000.0, Some(2.0));
        if let Some(e) = extra {
            r.extra.insert(EXTRA_NS_PER_SWITCH.into(), e);
        }
        r
    }

    /// Both twins of every state but AMX, with these extras per switch.
    fn set(sse: f64, avx: f64, avx512: f64) -> Vec<Outcome> {
        let mut v = Vec::new();
        for p in [Participants::Process, Participants::Thread] {
            v.push(regs(p, RegState::None, 0, Some(1.0)));
            v.push(regs(p, RegState::Sse, 256, Some(sse)));
            v.push(regs(p, RegState::Avx, 512, Some(avx)));
            v.push(regs(p, RegState::Avx512, 2112, Some(avx512)));
        }
        v
    }

    const NO_AMX: &str = "the CPU has no AMX (CPUID.(EAX=7,ECX=0):EDX bit 24, AMX-TILE, is 0)";

    #[test]
    fn registers_every_outcome() {
        // An AMD EPYC: no AMX, and AVX-512 within noise.
        let skipped = [
            ("regs/process-futex/amx", NO_AMX),
            ("regs/thread-futex/amx", NO_AMX),
        ];
        let facts = RunFacts {
            skipped: &skipped,
            ..Default::default()
        };
        let v = Registers.judge_in(&set(2.0, 9.0, 35.0), &facts);
        assert_eq!(v.kind, DoesNotHold, "{}", v.evidence);
        let e = v.evidence.to_string();
        for part in [
            "avx512 (2112 B): process +35 / thread +35 ns",
            &format!("amx: not measured: {NO_AMX}"),
            "a switch with nothing live costs 2000 ns",
            "every state measured is within 5% of a switch (100 ns)",
        ] {
            assert!(e.contains(part), "{part:?} not in {e}");
        }
        // An Intel Xeon with AMX: only the tiles cost measurably.
        let mut xeon = set(1.0, 3.0, 5.0);
        for p in [Participants::Process, Participants::Thread] {
            xeon.push(regs(p, RegState::Amx, 8256, Some(475.0)));
        }
        let e = judged(
            &Registers,
            &xeon,
            Holds,
            &["amx (8256 B): process +475 / thread +475 ns"],
        );
        assert!(
            e.contains("adds 24% to a switch")
                && e.contains("within 5% of a switch: sse, avx, avx512"),
            "{e}"
        );
        // A state that costs more than a larger one.
        judged(
            &Registers,
            &set(300.0, 9.0, 120.0),
            HoldsPartly,
            &["does not rise"],
        );
        judged(&Registers, &set(150.0, 300.0, 600.0), Holds, &[]);
    }

    #[test]
    fn registers_not_measured_says_what_is_missing() {
        judged(
            &Registers,
            &[],
            NotMeasured,
            &["regs/<participants>-futex/none"],
        );
        // Every round disturbed: the outcomes are there, the extras are not.
        let v = vec![
            regs(Participants::Thread, RegState::None, 0, Some(0.0)),
            regs(Participants::Thread, RegState::Avx, 512, None),
        ];
        judged(
            &Registers,
            &v,
            NotMeasured,
            &["avx: not measured: every interleaved round was disturbed"],
        );
        // Without the skipped list (a file judged again), a missing state is still named.
        let e = judged(
            &Registers,
            &set(1.0, 2.0, 3.0),
            DoesNotHold,
            &["amx: not measured"],
        );
        assert!(!e.contains("AMX-TILE"), "{e}");
    }
}
