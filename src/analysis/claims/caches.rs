//! Claim 4: caches suffer after a switch. Judged on the working sets' indirect cost per
//! switch (reading one byte per cache line of a private buffer between switches), against
//! the direct cost of a switch.

use super::evidence::Evidence;
use super::select::{same_cpu_pingpong, valid};
use super::{Claim, Finding, VerdictKind, NOISE};
use crate::measure::Outcome;
use crate::spec::Experiment;
use crate::spec::{Mechanism, Participants};
use crate::units::format_size;

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

/// `processes: up to ... ns extra per switch (at ... per side)`.
fn peak_clause(who: &str, peak: Option<Peak>) -> String {
    match peak {
        Some(Peak { ns, bytes }) => format!(
            "{who}: up to {ns:.0} ns extra per switch (at {} per side)",
            format_size(bytes)
        ),
        None => format!("{who}: not measured"),
    }
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
        .filter(|o| o.variant.as_deref() == Some("read") && o.indirect_ns_per_switch.is_some())
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

impl Claim for Caches {
    fn statement(&self) -> &'static str {
        "Caches suffer after a switch (indirect cost)."
    }

    fn judge(&self, outcomes: &[Outcome]) -> Finding {
        let ws = read_sets(outcomes);
        let Some(base) = direct_cost(outcomes, &ws) else {
            return Finding::not_measured(
                "needs valid working-set outcomes (workset/...) and a direct cost to compare",
            );
        };
        let (pp, tp) = (
            peak(&ws, Participants::Process),
            peak(&ws, Participants::Thread),
        );
        if pp.is_none() && tp.is_none() {
            return Finding::not_measured(
                "needs valid working-set outcomes (workset/...) above 0 bytes",
            );
        }
        let best = pp
            .into_iter()
            .chain(tp)
            .map(|x| x.ns)
            .fold(f64::NAN, f64::max);
        let mut evidence = Evidence::new(format!(
            "indirect cost, reading one byte per cache line of a private buffer between \
             switches: {}",
            peak_clause("processes", pp)
        ));
        evidence.push(peak_clause("threads", tp));
        evidence.push(format!(
            "a switch itself (mechanism included) costs {base:.0} ns"
        ));
        let kind = if best >= 0.5 * base {
            evidence.push(format!(
                "at its peak the refill costs {:.1}x the switch itself",
                best / base
            ));
            VerdictKind::Holds
        } else if best > NOISE * base {
            evidence.push("measurable, but below half the direct cost at every size measured");
            VerdictKind::HoldsPartly
        } else {
            evidence.push("within noise of zero at every size measured");
            VerdictKind::DoesNotHold
        };
        Finding::new(kind, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{judged, ws};
    use super::*;
    use VerdictKind::*;

    fn set(peak: f64) -> Vec<Outcome> {
        vec![
            ws(Participants::Process, 0, 0.0),
            ws(Participants::Thread, 0, 0.0),
            ws(Participants::Process, 1 << 20, peak),
            ws(Participants::Thread, 1 << 20, peak * 0.9),
            ws(Participants::Thread, 16 << 10, 10.0),
        ]
    }

    #[test]
    fn caches_every_outcome() {
        let peak = "3000 ns extra per switch (at 1MiB per side)";
        judged(&Caches, &set(3000.0), Holds, &[peak]);
        judged(&Caches, &set(500.0), HoldsPartly, &[]);
        judged(&Caches, &set(20.0), DoesNotHold, &[]);
        judged(&Caches, &[], NotMeasured, &["a direct cost to compare"]);
        let zero = [ws(Participants::Thread, 0, 0.0)];
        judged(&Caches, &zero, NotMeasured, &["above 0 bytes"]);
    }
}
