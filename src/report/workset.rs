//! The working-set table: per access variant and size, the time per switch and the
//! indirect cost per switch, process against thread.

use std::collections::BTreeMap;

use crate::experiments::workset::format_size;
use crate::measure::Outcome;
use crate::spec::Participants;

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.0}"))
}

/// Renders the working-set outcomes among `outcomes`; empty when there are none.
pub fn render(outcomes: &[Outcome]) -> String {
    // variant -> size -> [process, thread]
    let mut table: BTreeMap<String, BTreeMap<u64, [Option<&Outcome>; 2]>> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.experiment == "workset") {
        let (Some(b), Some(p), Some(v)) = (o.parameter, o.participants, o.variant.clone()) else {
            continue;
        };
        let col = usize::from(p == Participants::Thread);
        table.entry(v).or_default().entry(b).or_default()[col] = Some(o);
    }
    let mut out = String::new();
    for (variant, rows) in &table {
        out += &format!("working set ({variant}), per side      process               thread\n");
        out += &format!(
            "{:>8}  {:>10}  {:>10}  {:>10}  {:>10}\n",
            "size", "ns/switch", "indirect", "ns/switch", "indirect"
        );
        for (b, [p, t]) in rows {
            out += &format!(
                "{:>8}  {:>10}  {:>10}  {:>10}  {:>10}\n",
                format_size(*b),
                cell(p.and_then(|o| o.ns_per_switch)),
                cell(p.and_then(|o| o.indirect_ns_per_switch)),
                cell(t.and_then(|o| o.ns_per_switch)),
                cell(t.and_then(|o| o.indirect_ns_per_switch)),
            );
        }
        out += "\n";
    }
    if !out.is_empty() {
        out += "indirect = ((round trip - the same round trip without touching) - the touches \
                alone) / 2, in ns per switch\n";
    }
    out
}
