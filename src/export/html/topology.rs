//! The topology sweep on the comparison page ("Across the cores"): per machine, heatmaps
//! of the pairs measured (the futex wake-up, and the cache line between the same CPUs),
//! then the per-class medians side by side across machines.

use std::collections::BTreeMap;

use super::heatmap::{heatmap, Cell, Heatmap};
use crate::analysis::topology::{class_rows, pairs_of, time, times, ClassRow, Figures};
use crate::export::escape::html as escape;
use crate::export::inputs::Run;
use crate::spec::{BenchId, Handover};
use crate::topology::{PairClass, CLASSES};

/// A run's topology measurements: `(handover, a, b, class where known, figures)`.
type Measured = Vec<(Handover, usize, usize, Option<PairClass>, Figures)>;

fn measured(run: &Run) -> Measured {
    let topo = run.machine.topology.as_ref();
    run.entries
        .iter()
        .filter_map(|e| {
            let BenchId::Topology { handover, a, b } = e.id else {
                return None;
            };
            let class = topo.and_then(|t| t.class_of(a, b));
            let f = Figures::of(e.summary.median, e.latency.as_ref(), e.valid);
            Some((handover, a, b, class, f))
        })
        .collect()
}

/// The run's class rows (pairs whose class its machine's topology gives).
fn rows_of(m: &Measured) -> Vec<ClassRow> {
    class_rows(&pairs_of(
        m.iter()
            .filter_map(|&(h, a, b, c, f)| Some((h, a, b, c?, f))),
    ))
}

/// What hovering over a cell says: the pair, its class, its figures.
fn tip(a: usize, b: usize, class: Option<PairClass>, f: &Figures) -> String {
    let class = class.map_or_else(|| "class unknown".to_string(), |c| c.describe().to_string());
    let p99 = f
        .p99_ns
        .map_or_else(String::new, |v| format!(", p99 {}", time(v)));
    let invalid = if f.valid { "" } else { " (invalid)" };
    format!(
        "CPU {a} and CPU {b}, {class}: {} median{p99}{invalid}",
        time(f.p50_ns)
    )
}

/// The axis of a run's heatmaps: its topology's CPUs grouped (all of them up to 128 CPUs,
/// else those measured), or the CPUs measured; and the boundaries before each.
fn axis(run: &Run, m: &Measured) -> (Vec<usize>, Vec<u8>) {
    let mut seen: Vec<usize> = m.iter().flat_map(|&(_, a, b, _, _)| [a, b]).collect();
    seen.sort_unstable();
    seen.dedup();
    let Some(t) = run.machine.topology.as_ref() else {
        let bounds = vec![0; seen.len()];
        return (seen, bounds);
    };
    let mut cpus = t.grouped_order();
    if cpus.len() > 128 || seen.iter().any(|c| !cpus.contains(c)) {
        cpus.retain(|c| seen.contains(c));
    }
    let bounds = (0..cpus.len())
        .map(|i| {
            if i == 0 {
                0
            } else {
                t.boundary(cpus[i - 1], cpus[i])
            }
        })
        .collect();
    (cpus, bounds)
}

/// A run's two heatmaps.
fn heatmaps(run: &Run, m: &Measured) -> String {
    let (cpus, bounds) = axis(run, m);
    let mut out = String::new();
    for (h, title) in [
        (Handover::Futex, "futex wake-up round trip (median)"),
        (Handover::CacheLine, "cache-line round trip (median)"),
    ] {
        let cells: BTreeMap<(usize, usize), Cell> = m
            .iter()
            .filter(|x| x.0 == h)
            .map(|&(_, a, b, class, f)| {
                let tip = tip(a, b, class, &f);
                let c = Cell {
                    value_ns: f.p50_ns,
                    valid: f.valid,
                    tip,
                };
                ((a, b), c)
            })
            .collect();
        out += &heatmap(&Heatmap {
            title,
            cpus: &cpus,
            bounds: &bounds,
            cells: &cells,
        });
    }
    out
}

/// The per-class table: a row per class, for each run its wake-up, its cache line and
/// their ratio.
pub fn class_table(runs: &[Run], rows: &[Vec<ClassRow>]) -> String {
    let mut s = String::from(r#"<table><tr><th rowspan="2">class</th>"#);
    for r in runs {
        s += &format!(r#"<th colspan="3">{}</th>"#, escape(&r.label));
    }
    s += "</tr><tr>";
    for _ in runs {
        s += "<th>wake-up p50 / p99</th><th>cache line p50 / p99</th><th>wake / line</th>";
    }
    s += "</tr>";
    let p99 = |v: Option<f64>| v.map_or("-".to_string(), time);
    for class in CLASSES {
        if !rows.iter().flatten().any(|r| r.class == class) {
            continue;
        }
        s += &format!(
            "<tr><td>{}<br><small>{}</small></td>",
            class.name(),
            escape(class.describe())
        );
        for run_rows in rows {
            match run_rows.iter().find(|r| r.class == class) {
                Some(r) => {
                    s += &format!(
                        r#"<td class="num">{} / {}<br><small>{} pair{}</small></td><td class="num">{} / {}</td><td class="num">{}</td>"#,
                        time(r.wake_p50_ns),
                        p99(r.wake_p99_ns),
                        r.pairs,
                        if r.pairs == 1 { "" } else { "s" },
                        time(r.line_p50_ns),
                        p99(r.line_p99_ns),
                        times(r.ratio())
                    )
                }
                None => {
                    s += r#"<td class="num">-</td><td class="num">-</td><td class="num">-</td>"#
                }
            }
        }
        s += "</tr>";
    }
    s + "</table>"
}

/// How to read the section.
const NOTE: &str = "For pairs of CPUs chosen by what they share (an SMT core, an L3, a \
    package, or nothing), two pinned threads hand control to each other: with a futex \
    (the kernel wakes the other thread: system calls, the scheduler, an interrupt to the \
    other CPU, waking it from idle) and, between the same two CPUs, by passing one cache \
    line with compare-exchange (no kernel: what coherence alone costs). Each cell is the \
    median round trip of a pair, drawn in both of its cells (a round trip goes both \
    ways); light is cheap, dark costly, on a log scale from the machine's cheapest pair \
    to its costliest; the grey diagonal is one CPU, white cells were not measured. Thick \
    lines separate packages, thin ones L3s. Hover over a cell for its class and p99.";

/// The section, empty when no run has a topology id.
pub fn topology_section(runs: &[Run]) -> String {
    let measured: Vec<Measured> = runs.iter().map(measured).collect();
    if measured.iter().all(Vec::is_empty) {
        return String::new();
    }
    let mut s = format!(
        r#"<section id="topology"><h2>Across the cores</h2><p class="note">{}</p>"#,
        escape(NOTE)
    );
    for (run, m) in runs.iter().zip(&measured).filter(|(_, m)| !m.is_empty()) {
        let summary = run
            .machine
            .topology
            .as_ref()
            .map_or("topology unknown".to_string(), |t| t.summary());
        s += &format!(
            r#"<h3>{}</h3><p class="note">{}</p><div class="chart">{}</div>"#,
            escape(&run.label),
            escape(&summary),
            heatmaps(run, m)
        );
    }
    let rows: Vec<Vec<ClassRow>> = measured.iter().map(rows_of).collect();
    if rows.iter().any(|r| !r.is_empty()) {
        s += "<h3>By class</h3><p class=\"note\">The median over each class's pairs of the \
              median and p99 of single round trips (the cache line's over groups of 16), \
              and how many times the cache line the wake-up costs.</p>";
        s += &class_table(runs, &rows);
    }
    s + "</section>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::topology::fixtures::both;
    use crate::export::inputs::{Entry, SourceKind};
    use crate::topology::{CpuList, Topology};

    fn run(label: &str, wake: u64, line: u64) -> Run {
        let entries = both(0, 1, PairClass::SameL3, wake, line)
            .iter()
            .map(Entry::from_outcome)
            .collect();
        let t = Topology::from_sets(
            vec![0, 1],
            vec![CpuList::new(vec![0]), CpuList::new(vec![1])],
            vec![CpuList::new(vec![0, 1])],
            vec![CpuList::new(vec![0, 1])],
        );
        Run {
            label: label.into(),
            source: "r.json".into(),
            kind: SourceKind::ResultsFile,
            machine: crate::fingerprint::Fingerprint {
                topology: Some(t),
                ..Default::default()
            },
            mode: "quick".into(),
            created_unix: None,
            entries,
            skipped: Vec::new(),
            verdicts: Vec::new(),
            outcomes: Vec::new(),
            permissions: None,
            anatomy: Default::default(),
        }
    }

    #[test]
    fn two_machines_of_two_cpus_each_get_their_heatmaps_and_a_class_row() {
        let runs = [run("amd <vm>", 48_900, 110), run("intel", 30_000, 90)];
        let s = topology_section(&runs);
        assert!(s.starts_with(r#"<section id="topology"><h2>Across the cores</h2>"#));
        assert_eq!(s.matches("<svg").count(), 4, "two heatmaps per machine");
        assert!(s.contains("<h3>amd &lt;vm&gt;</h3>") && !s.contains("amd <vm>"));
        assert!(s.contains("2 CPUs: 1 package, 1 L3, 2 cores (no SMT); pairs: same-l3 1"));
        assert_eq!(s.matches("<td>same-l3<br>").count(), 1, "one class row");
        for v in [
            "48.9 us / 97.8 us",
            "110 ns / 220 ns",
            "445x",
            "30.0 us",
            "333x",
        ] {
            assert!(s.contains(v), "{v} missing");
        }
        assert!(s.contains("CPU 0 and CPU 1, two cores sharing an L3 (CCX or die): 48.9 us"));
        assert_eq!(topology_section(&[]), "");
    }
}
