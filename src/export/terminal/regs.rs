//! The register-state table: per state, its bytes, what its writes cost alone, and per
//! participants the round trip and the extra per switch over `none`.

use super::side_by_side;
use crate::measure::extra::EXTRA_NS_PER_SWITCH;
use crate::measure::Outcome;
use crate::spec::Variant;

fn signed(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:+.0}"))
}

/// What the writes cost on their own, per operation of one side: the floor with the
/// writes less the floor without them.
fn writes_alone(o: &Outcome) -> Option<f64> {
    Some(o.get(crate::measure::extra::FLOOR_NS)? - o.get(crate::measure::extra::FLOOR_OFF_NS)?)
}

/// Renders the register-state outcomes among `outcomes`; empty when there are none.
pub fn render(outcomes: &[Outcome]) -> String {
    // bytes -> [process, thread]
    let table = side_by_side(outcomes, crate::spec::Experiment::Regs, |_| {
        Some(String::new())
    });
    let Some(rows) = table.get("") else {
        return String::new();
    };
    let mut out = String::from(
        "register state per switch (futex, one CPU)         process               thread\n",
    );
    out += &format!(
        "{:<8}  {:>6}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}\n",
        "state", "bytes", "writes/op", "ns/rt", "extra/sw", "ns/rt", "extra/sw"
    );
    for (bytes, sides) in rows {
        let any = sides.iter().flatten().next().expect("a row has an outcome");
        let side = |i: usize| {
            let o = sides[i];
            (
                o.map_or_else(
                    || "-".into(),
                    |o| format!("{:.0}", o.ns_per_iteration.median),
                ),
                signed(o.and_then(|o| o.get(EXTRA_NS_PER_SWITCH))),
            )
        };
        let ((prt, pex), (trt, tex)) = (side(0), side(1));
        out += &format!(
            "{:<8}  {:>6}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}\n",
            any.variant.map_or("?", Variant::name),
            bytes,
            signed(writes_alone(any)),
            prt,
            pex,
            trt,
            tex
        );
    }
    out + "extra/sw = ((round trip - the same with the writes off) - 2 x writes/op) / 2, ns per \
           switch; writes/op = the writes and one side's futex calls alone, less the calls \
           alone (from quiet rounds of the four loops measured side by side; - where every round \
           was disturbed)\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::terminal::pipe_outcome;
    use crate::spec::Participants;

    /// A row of the table: the outcome's id does not matter to it.
    fn regs(p: Participants, state: &str, bytes: u64, extra: Option<f64>) -> Outcome {
        let mut o = pipe_outcome("regs", p, bytes, Some(state), 2, 4321.0);
        o.set(crate::measure::extra::FLOOR_NS, 560.0);
        o.set(crate::measure::extra::FLOOR_OFF_NS, 550.0);
        if let Some(e) = extra {
            o.set(EXTRA_NS_PER_SWITCH, e);
        }
        o
    }

    #[test]
    fn table_shows_each_state_with_its_bytes_and_extra() {
        let v = [
            regs(Participants::Process, "none", 0, Some(-1.2)),
            regs(Participants::Thread, "none", 0, Some(2.0)),
            regs(Participants::Process, "avx512", 2112, Some(35.4)),
            regs(Participants::Thread, "avx512", 2112, None),
        ];
        let t = render(&v);
        let row = t.lines().find(|l| l.starts_with("avx512")).unwrap();
        assert!(
            row.contains("2112") && row.contains("+10") && row.contains("4321"),
            "{t}"
        );
        assert!(row.contains("+35") && row.trim_end().ends_with('-'), "{t}");
        assert!(t.lines().nth(2).unwrap().starts_with("none"), "{t}");
        assert_eq!(render(&[]), "");
    }
}
