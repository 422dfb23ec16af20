//! The isolation tables: the first write to a page the other side holds (process against
//! thread), and what one read of another process's memory costs by each way and size.

use crate::measure::Outcome;
use crate::spec::{CrossWay, Participants, CROSS_WAYS};
use crate::units::{duration, fixed, format_size, rate};

/// Renders the isolation and cross outcomes among `outcomes`; empty when there are none.
pub fn render(outcomes: &[Outcome]) -> String {
    let mut out = writes(outcomes);
    let reads = reads(outcomes);
    if !out.is_empty() && !reads.is_empty() {
        out.push('\n');
    }
    out + &reads
}

fn writes(outcomes: &[Outcome]) -> String {
    let rows: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.is(crate::spec::Experiment::Isolation))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "isolation: the first write to a page the other side also holds\n{:<8}  {:>10}  \
         {:>12}  {:>13}  {}\n",
        "writer", "per write", "faults/write", "pages checked", "the other side then read"
    );
    for o in rows {
        let seen = o.get(crate::measure::extra::WRITE_SEEN_BY_OTHER_SIDE);
        let read = match (o.participants, seen) {
            (_, None) => "-",
            (Some(Participants::Process), Some(0.0)) => {
                "its own value: isolation held (copy-on-write)"
            }
            (_, Some(1.0)) => "the new value, at once",
            _ => "the writer's value on some pages",
        };
        out += &format!(
            "{:<8}  {:>10}  {:>12}  {:>13}  {read}\n",
            o.participants.map_or("-".into(), |p| p.to_string()),
            duration(o.ns_per_iteration.median),
            fixed(o.get(crate::measure::extra::MINOR_FAULTS_PER_WRITE), 2),
            fixed(o.get(crate::measure::extra::PAGES_CHECKED), 0),
        );
    }
    out
}

/// The read outcome of `way` at `bytes`, if measured.
fn read_of(outcomes: &[Outcome], way: CrossWay, bytes: u64) -> Option<&Outcome> {
    outcomes.iter().find(|o| {
        o.is(crate::spec::Experiment::Cross)
            && o.parameter == Some(bytes)
            && o.variant == Some(crate::spec::Variant::Way(way))
    })
}

fn reads(outcomes: &[Outcome]) -> String {
    let mut sizes: Vec<u64> = outcomes
        .iter()
        .filter(|o| o.is(crate::spec::Experiment::Cross))
        .filter_map(|o| o.parameter)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "crossing: one read of another process's memory, time and bytes per second\n{:>6}",
        "size"
    );
    for w in CROSS_WAYS {
        out += &format!("  {:>22}", w.label());
    }
    out += "\n";
    for b in sizes {
        out += &format!("{:>6}", format_size(b));
        for w in CROSS_WAYS {
            let cell = read_of(outcomes, w, b).map_or_else(
                || "-".to_string(),
                |o| {
                    let per = o
                        .get(crate::measure::extra::BYTES_PER_SECOND)
                        .unwrap_or(f64::NAN);
                    let mark = if o.valid { "" } else { "!" };
                    format!(
                        "{mark}{} {:>10}",
                        duration(o.ns_per_iteration.median),
                        rate(per)
                    )
                },
            );
            out += &format!("  {cell:>22}");
        }
        out += "\n";
    }
    out + "(median per read; the bytes read checked against the target's after every batch; \
           ! = invalid)\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::terminal::pipe_outcome;

    #[test]
    fn writes_and_reads_are_tabled() {
        let mut w = pipe_outcome("isolation", Participants::Process, 0, None, 0, 1800.0);
        w.set(crate::measure::extra::WRITE_SEEN_BY_OTHER_SIDE, 0.0);
        w.set(crate::measure::extra::MINOR_FAULTS_PER_WRITE, 1.0);
        w.set(crate::measure::extra::PAGES_CHECKED, 8192.0);
        let way = Some("process-vm-readv");
        let mut r = pipe_outcome("cross", Participants::Process, 4096, way, 0, 400.0);
        r.set(
            crate::measure::extra::BYTES_PER_SECOND,
            4096.0 / 400.0 * 1e9,
        );
        let t = render(&[w, r]);
        assert!(t.contains("isolation held"), "{t}");
        assert!(
            t.contains("1800 ns") && t.contains("1.00") && t.contains("8192"),
            "{t}"
        );
        assert!(t.contains("process_vm_readv"), "{t}");
        assert!(t.contains("400 ns") && t.contains("9.5 GiB/s"), "{t}");
        assert_eq!(render(&[]), "");
    }
}
