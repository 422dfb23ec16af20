//! Claim 4: caches suffer after a switch. Judged on the working sets' indirect cost per
//! switch (reading one byte per cache line of a private buffer between switches), each
//! size measured side by side in paired rounds with its untouched ping-pong and its
//! touches alone, so each round gives `((touching − untouched) − touches) / 2`. The margin
//! is 2% of a switch without a working set; the 0-byte working set, with nothing to
//! refill, is the control.

use super::evidence::Evidence;
use super::figure::{control_reach, decide_beside_control, Figure, Margin, Unit};
use super::rounds::{all_disturbed, estimate, find};
use super::select::{same_cpu_pingpong, valid};
use super::{Claim, Finding, RunFacts, VerdictKind};
use crate::measure::paired::{ArmMode, Paired};
use crate::measure::Outcome;
use crate::spec::{Access, BenchId, Comparison, Experiment, Variant};
use crate::spec::{Mechanism, Participants};
use crate::units::format_size;

/// The margin, as a share of a switch without a working set (2%).
pub const MARGIN_SHARE: f64 = 0.02;

/// Claim 4 (see the module).
pub struct Caches;

/// The largest indirect cost measured for one kind of participant.
#[derive(Clone, Copy)]
pub(crate) struct Peak {
    /// Extra ns per switch.
    pub(crate) ns: f64,
    /// At this many bytes per side.
    pub(crate) bytes: u64,
}

/// What a switch costs without a working set: the cheapest 0-byte working set, else a
/// same-cpu pipe ping-pong (threads first).
pub(crate) fn direct_cost(outcomes: &[Outcome], ws: &[&Outcome]) -> Option<f64> {
    let base = ws
        .iter()
        .filter(|o| o.parameter == Some(0))
        .filter_map(|o| o.ns_per_switch)
        .fold(f64::NAN, f64::min);
    if base.is_nan() {
        [Participants::Thread, Participants::Process]
            .into_iter()
            .find_map(|p| same_cpu_pingpong(outcomes, p, Mechanism::Pipe)?.ns_per_switch)
    } else {
        Some(base)
    }
}

/// The valid working sets that read one byte per cache line and have an indirect cost.
pub(crate) fn read_sets(outcomes: &[Outcome]) -> Vec<&Outcome> {
    valid(outcomes, Experiment::Workset)
        .filter(|o| o.variant == Some(Variant::Access(Access::Read)))
        .filter(|o| o.indirect_ns_per_switch.is_some())
        .collect()
}

/// The peak indirect cost of `p` above 0 bytes.
pub(crate) fn peak(ws: &[&Outcome], p: Participants) -> Option<Peak> {
    ws.iter()
        .filter(|o| o.participants == Some(p) && o.parameter != Some(0))
        .filter_map(|o| {
            Some(Peak {
                ns: o.indirect_ns_per_switch?,
                bytes: o.parameter?,
            })
        })
        .max_by(|a, b| a.ns.total_cmp(&b.ns))
}

/// The id of the read working set of `p` at `bytes` per side.
pub(crate) fn read_id(p: Participants, bytes: u64) -> BenchId {
    BenchId::Workset {
        participants: p,
        access: Access::Read,
        bytes,
    }
}

/// The indirect cost per switch of `id` round by round, from its touching, untouched and
/// touches-alone loops: `((rt − idle) − 2 × touch) / 2` (no touch at 0 bytes).
pub(crate) fn indirect(p: &Paired, id: BenchId, bytes: u64, name: &str) -> Option<Figure> {
    let i = if bytes == 0 {
        estimate(p, &[(id, ArmMode::Main), (id, ArmMode::Idle)], |v| {
            (v[0] - v[1]) / 2.0
        })
    } else {
        let arms = [
            (id, ArmMode::Main),
            (id, ArmMode::Idle),
            (id, ArmMode::TouchAlone),
        ];
        estimate(p, &arms, |v| ((v[0] - v[1]) - 2.0 * v[2]) / 2.0)
    }?;
    Some(Figure::of(
        name,
        i,
        Unit::NsPerSwitch,
        format!("{id}: touching minus untouched, less the touches alone, per switch"),
    ))
}

impl Claim for Caches {
    fn statement(&self) -> &'static str {
        "Caches suffer after a switch (indirect cost)."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        self.judge_in(outcomes, &RunFacts::default())
    }

    fn judge_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> Finding {
        let ws = read_sets(outcomes);
        let Some(p) = find(facts, Comparison::Workset(Access::Read)) else {
            return Finding::not_measured(
                "needs the read working sets (workset/...) measured side by side in paired \
                 rounds",
            );
        };
        if let Some(f) = all_disturbed(p) {
            return f;
        }
        // A switch without a working set: the untouched 0-byte ping-pong, per switch.
        let base_id = read_id(Participants::Thread, 0);
        let base = estimate(p, &[(base_id, ArmMode::Idle)], |v| v[0] / 2.0)
            .map(|i| i.value)
            .or_else(|| direct_cost(outcomes, &ws));
        let Some(base) = base else {
            return Finding::not_measured("needs a direct cost to compare (workset/.../0B)");
        };
        let margin = MARGIN_SHARE * base;
        let mut figures = Vec::new();
        let mut evidence = Evidence::new(
            "indirect cost per switch, reading one byte per cache line of a private buffer \
             between switches, measured in the same rounds as the untouched ping-pong and \
             the touches alone",
        );
        let control = indirect(p, read_id(Participants::Process, 0), 0, "control");
        let control_i = control.as_ref().and_then(Figure::interval);
        let reach = control_reach(control_i.as_ref(), margin);
        let mut kinds = Vec::new();
        let mut from: Vec<String> = Vec::new();
        for (who, whom) in [
            (Participants::Process, "processes"),
            (Participants::Thread, "threads"),
        ] {
            let mut sizes: Vec<u64> = ws
                .iter()
                .filter(|o| o.participants == Some(who))
                .filter_map(|o| o.parameter)
                .filter(|&b| b > 0)
                .collect();
            sizes.sort_unstable();
            let mut said = Vec::new();
            let mut first = None;
            for b in sizes {
                let id = read_id(who, b);
                let Some(f) = indirect(p, id, b, &format!("{who}/{}", format_size(b))) else {
                    continue;
                };
                let k = decide_beside_control(
                    &f.interval().expect("an interval"),
                    margin,
                    control_i.as_ref(),
                );
                if k == VerdictKind::Holds && first.is_none() {
                    first = Some(b);
                }
                said.push(format!("{} {f}", format_size(b)));
                kinds.push(k);
                figures.push(f);
            }
            if said.is_empty() {
                evidence.push(format!("{whom}: not measured"));
            } else {
                evidence.push(format!("{whom}: {}", said.join(", ")));
            }
            if let Some(b) = first {
                from.push(format!("from {} per side ({whom})", format_size(b)));
            }
        }
        if kinds.is_empty() {
            return Finding::not_measured("needs valid read working sets above 0 bytes");
        }
        if let Some(c) = control {
            evidence.push(format!("control (0 bytes, nothing to refill) {c}"));
            figures.push(c);
        }
        if let Some(r) = reach {
            evidence.push(format!(
                "the control reaches {r:.0} ns/switch from zero, beyond the margin: this run \
                 resolves no finer, so each size is judged against {r:.0} and none is shown \
                 equal"
            ));
        }
        let kind = if kinds.contains(&VerdictKind::Holds) {
            evidence.push(format!("the refill clears the margin {}", from.join(", ")));
            if let Some(peak) = figures
                .iter()
                .filter(|f| f.name != "control")
                .max_by(|a, b| a.value.total_cmp(&b.value))
            {
                evidence.push(format!(
                    "at its peak ({}) the refill costs {:.1}x a switch without a working \
                     set ({base:.0} ns)",
                    peak.name,
                    peak.value / base
                ));
            }
            // The peak first: the figure the claim comes down to.
            if let Some(i) = figures
                .iter()
                .enumerate()
                .filter(|(_, f)| f.name != "control")
                .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
                .map(|(i, _)| i)
            {
                let peak = figures.remove(i);
                figures.insert(0, peak);
            }
            VerdictKind::Holds
        } else if kinds.iter().all(|k| *k == VerdictKind::NoDifference) {
            evidence.push("no refill cost beyond the margin at any size measured");
            VerdictKind::NoDifference
        } else if kinds.contains(&VerdictKind::TheOpposite) {
            VerdictKind::TheOpposite
        } else {
            evidence.push("no size clears the margin: more rounds or larger sizes would settle it");
            VerdictKind::Inconclusive
        };
        let margin = Margin {
            value: reach.unwrap_or(margin),
            unit: Unit::NsPerSwitch,
            what: match reach {
                None => format!("2% of a switch without a working set ({base:.0} ns)"),
                Some(r) => format!(
                    "2% of a switch without a working set ({base:.0} ns), widened to the \
                     control's reach ({r:.0} ns)"
                ),
            },
        };
        Finding::new(kind, evidence).with(figures, Some(margin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged_in, rounds, ws};
    use super::*;
    use VerdictKind::*;

    fn set() -> Vec<Outcome> {
        vec![
            ws(Participants::Process, 0, 0.0),
            ws(Participants::Thread, 0, 0.0),
            ws(Participants::Process, 1 << 20, 0.0),
            ws(Participants::Thread, 1 << 20, 0.0),
        ]
    }

    /// Round trips of 4000 ns untouched; touching adds `extra` per round trip beyond the
    /// touches alone (600 ns a pass).
    fn sides(extra: f64) -> Paired {
        let mut arms = Vec::new();
        for (p, e) in [("process", extra), ("thread", extra * 0.9)] {
            arms.push((format!("workset/{p}-pipe/0B"), 4000.0));
            arms.push((format!("workset/{p}-pipe/0B#idle"), 4000.0));
            arms.push((format!("workset/{p}-pipe/1MiB"), 4000.0 + 1200.0 + e));
            arms.push((format!("workset/{p}-pipe/1MiB#idle"), 4000.0));
            arms.push((format!("workset/{p}-pipe/1MiB#touch-alone"), 600.0));
        }
        let arms: Vec<(&str, f64)> = arms.iter().map(|(a, v)| (a.as_str(), *v)).collect();
        rounds("workset/read", &arms)
    }

    #[test]
    fn caches_every_outcome() {
        let e = judged_in(
            &Caches,
            &set(),
            &sides(6000.0),
            Holds,
            &["from 1MiB per side"],
        );
        assert!(
            e.contains("processes: 1MiB +3") && e.contains("control"),
            "{e}"
        );
        judged_in(&Caches, &set(), &sides(0.0), NoDifference, &[]);
        judged_in(
            &Caches,
            &set(),
            &sides(86.0),
            Inconclusive,
            &["would settle it"],
        );
        judged_in(
            &Caches,
            &[],
            &sides(6000.0),
            NotMeasured,
            &["above 0 bytes"],
        );
        assert_eq!(Caches.verdict(&set()).verdict, NotMeasured);
    }
}
