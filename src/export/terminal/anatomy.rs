//! The anatomy table of `ctxbench run`, printed after the verdicts: where the time of one
//! switch goes, part by part, process and thread side by side, each part with its 95%
//! interval; the whole the parts add up to (named in the head), the remainder as a part
//! of its own; then what a switch adds where a condition holds, and why any part is
//! missing (see [`crate::analysis::anatomy`]).

use crate::analysis::anatomy::{Anatomy, Part, PartName, BESIDE, IN_WHOLE, WHO};
use crate::spec::Participants;
use crate::units::format_size;

/// A part's cell: `+209 [+195, +221]`, the value alone without an interval, `-` where it
/// is missing.
fn cell(p: Option<&Part>) -> String {
    p.and_then(Part::figure)
        .map_or("-".into(), |f| f.to_string().replace(" ns/switch", ""))
}

/// A row's name: the part's, with the size it was read at.
fn row_name(name: PartName, a: &Anatomy) -> String {
    let at = a
        .get(name, Participants::Process)
        .and_then(|p| p.parameter)
        .or_else(|| a.get(name, Participants::Thread).and_then(|p| p.parameter));
    match (name, at) {
        (PartName::RefillInL2 | PartName::RefillPastL2, Some(b)) => {
            format!("{} ({}/side)", name.label(), format_size(b))
        }
        (PartName::RegisterState, Some(b)) => format!("{} ({b} B live)", name.label()),
        (PartName::TlbFlush, Some(n)) => format!("{} (from n={n})", name.label()),
        (PartName::Whole, _) => format!("= {}", name.label()),
        _ => name.label().to_string(),
    }
}

/// Where a part was measured.
fn measured_in(name: PartName) -> &'static str {
    match name {
        PartName::KernelEntry
        | PartName::Mechanism
        | PartName::Scheduler
        | PartName::AddressSpace
        | PartName::Remainder => "switch",
        PartName::RefillInL2 | PartName::RefillPastL2 => "workset/read",
        PartName::Whole => "switch + workset/read",
        PartName::RegisterState => "regs",
        PartName::TlbFlush => "ring",
        PartName::Other => "-",
    }
}

/// Renders `a`; empty when no part of it has a value.
pub fn render(a: &Anatomy) -> String {
    if !a.has_any() {
        return String::new();
    }
    let mut out = String::from(
        "Anatomy of a switch on one CPU: where its time goes, ns per switch [95% interval]\n",
    );
    for who in WHO {
        if let Some(w) = a.get(PartName::Whole, who).filter(|w| !w.what.is_empty()) {
            out += &format!("the whole, {who}: {}\n", w.what);
        }
    }
    let rows: Vec<PartName> = IN_WHOLE
        .iter()
        .chain([PartName::Whole].iter())
        .chain(BESIDE.iter())
        .copied()
        .collect();
    let names: Vec<String> = rows.iter().map(|&n| row_name(n, a)).collect();
    let nw = names.iter().map(|n| n.len()).max().unwrap_or(4).max(4);
    let cells: Vec<[String; 2]> = rows
        .iter()
        .map(|&n| WHO.map(|who| cell(a.get(n, who))))
        .collect();
    let cw = cells
        .iter()
        .flatten()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    out += &format!(
        "{:<nw$}  {:>cw$}  {:>cw$}  measured in\n",
        "part", "process", "thread"
    );
    for (k, (&n, name)) in rows.iter().zip(&names).enumerate() {
        if n == BESIDE[0] {
            out += "beside the whole, where it applies (not in the sum):\n";
        }
        out += &format!(
            "{name:<nw$}  {:>cw$}  {:>cw$}  {}\n",
            cells[k][0],
            cells[k][1],
            measured_in(n)
        );
    }
    for who in WHO {
        out += &sum_line(a, who);
    }
    for p in &a.parts {
        if let Some(why) = &p.why_missing {
            out += &format!("missing, {} {}: {why}\n", p.participants, p.name.label());
        }
    }
    out
}

/// `process: parts 2398 + remainder +75 [+60, +90] = the whole 2473`.
fn sum_line(a: &Anatomy, who: Participants) -> String {
    let stacked = a.stacked(who);
    let (Some(whole), Some(rest)) = (
        a.get(PartName::Whole, who).and_then(|w| w.value),
        a.get(PartName::Remainder, who),
    ) else {
        return String::new();
    };
    let parts: f64 = stacked
        .iter()
        .filter(|p| p.name != PartName::Remainder)
        .filter_map(|p| p.value)
        .sum();
    format!(
        "{who}: the parts add up to {parts:.0}, with the remainder {} to the whole {whole:.0}\n",
        cell(Some(rest))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::claims::Unit;

    fn part(name: PartName, who: Participants, v: Option<f64>) -> Part {
        Part {
            name,
            participants: who,
            value: v,
            low: v.map(|v| v - 10.0),
            high: v.map(|v| v + 10.0),
            unit: Unit::NsPerSwitch,
            parameter: None,
            what: String::new(),
            why_missing: v.is_none().then(|| "not measured here".to_string()),
        }
    }

    #[test]
    fn the_table_lists_every_part_the_sum_and_what_is_missing() {
        use PartName::*;
        assert_eq!(render(&Anatomy::default()), "");
        let mut parts = Vec::new();
        for who in WHO {
            let address = (who == Participants::Process).then_some(100.0);
            for (n, v) in [
                (KernelEntry, Some(200.0)),
                (Mechanism, Some(300.0)),
                (Scheduler, Some(1500.0)),
                (AddressSpace, address),
                (RefillInL2, Some(400.0)),
                (Remainder, Some(50.0)),
                (Whole, Some(2450.0 + address.unwrap_or(0.0))),
                (RefillPastL2, Some(40_000.0)),
                (RegisterState, Some(20.0)),
                (TlbFlush, address.map(|_| 600.0)),
            ] {
                parts.push(part(n, who, v));
            }
        }
        let t = render(&Anatomy { parts });
        for line in [
            "kernel entry and exit",
            "+200 [+190, +210]",
            "= the whole",
            "beside the whole, where it applies (not in the sum):",
            "process: the parts add up to 2500, with the remainder +50 [+40, +60] to the whole 2550",
            "thread: the parts add up to 2400, with the remainder +50 [+40, +60] to the whole 2450",
            "missing, thread the address space: not measured here",
        ] {
            assert!(t.contains(line), "{line:?} not in\n{t}");
        }
    }
}
