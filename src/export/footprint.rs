//! The memory-per-task table that every output shows (the terminal after a run, and each
//! machine of a comparison in Markdown and HTML): per quantity, the bytes one more idle
//! process adds, one more idle thread, and the difference.

use super::inputs::Run;
use crate::analysis::footprint::{PerTask, Point, OWN};
use crate::experiments::footprint::Quantity;
use crate::spec::Participants::{Process, Thread};
use crate::stats::LineFit;
use crate::units::kib;

/// What the table shows, for the comparison formats.
pub const NOTE: &str = "What one more idle task adds, in KiB: the least-squares slope \
    over n of what n idle processes or threads added (PSS and RSS summed over the driver \
    and its children, page tables from VmPTE, kernel stacks from /proc/meminfo), ± its \
    standard error. The footprint ids show the time to start one task.";

/// The heads of the table's columns.
pub const HEAD: [&str; 4] = [
    "KiB per idle task",
    "process",
    "thread",
    "process beyond a thread",
];

/// A slope in KiB with its standard error where there is one: `48.4 ±0.3`.
fn slope(fit: Option<&LineFit>) -> String {
    match fit {
        None => "-".into(),
        Some(f) => match f.slope_stderr {
            Some(se) => format!("{} ±{}", kib(f.slope), kib(se)),
            None => kib(f.slope),
        },
    }
}

fn signed(bytes: Option<f64>) -> String {
    bytes.map_or_else(|| "-".into(), |b| format!("{:+.1}", b / 1024.0))
}

/// The rows under [`HEAD`]: PSS, page tables, kernel stacks, their sum, then RSS; empty
/// when nothing was fitted.
pub fn rows(per: &PerTask) -> Vec<[String; 4]> {
    if per.is_empty() {
        return Vec::new();
    }
    let row = |label: &str, q: Quantity| {
        [
            label.to_string(),
            slope(per.line(Process, q)),
            slope(per.line(Thread, q)),
            signed(per.beyond(q)),
        ]
    };
    let mut out: Vec<[String; 4]> = OWN.iter().map(|&q| row(q.label(), q)).collect();
    let total = |p| per.total(p).map_or_else(|| "-".into(), kib);
    out.push([
        "in all (PSS + page tables + kernel stacks)".into(),
        total(Process),
        total(Thread),
        signed(
            per.total(Process)
                .zip(per.total(Thread))
                .map(|(p, t)| p - t),
        ),
    ]);
    out.push(row("RSS (shared pages counted in each)", Quantity::Rss));
    out
}

/// The memory per task of one run of a comparison.
pub fn of_run(run: &Run) -> PerTask {
    PerTask::fit(
        run.entries
            .iter()
            .filter_map(|e| Point::of(e.id, e.valid, &e.extra)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::footprint::{FootprintSpec, QUANTITIES};
    use crate::export::inputs::{Entry, SourceKind};
    use crate::export::Format;
    use crate::measure::{outcome, Samples, SwitchCount};
    use crate::spec::Participants;

    /// A run whose n idle processes add 8 KiB + n x `process` KiB of every quantity, and
    /// threads 8 KiB + n x `thread` KiB; labelled `label`.
    fn run(label: &str, process: f64, thread: f64) -> Run {
        let mut entries = Vec::new();
        for (p, kib) in [
            (Participants::Process, process),
            (Participants::Thread, thread),
        ] {
            for tasks in [1, 8, 64] {
                let spec = FootprintSpec {
                    participants: p,
                    tasks,
                };
                let count = SwitchCount::between(Default::default(), Default::default(), 3);
                let samples = Samples {
                    iters_per_sample: tasks as u64,
                    ns_per_iter: vec![1e5; 3],
                };
                let mut o = outcome(spec.meta(), Some(0.0), samples, count);
                for q in QUANTITIES {
                    o.extra
                        .insert(q.key().into(), (8.0 + kib * tasks as f64) * 1024.0);
                }
                entries.push(Entry::from_outcome(&o));
            }
        }
        Run {
            label: label.into(),
            source: "x.json".into(),
            kind: SourceKind::ResultsFile,
            machine: Default::default(),
            mode: "quick".into(),
            created_unix: None,
            entries,
            outcomes: vec![],
            permissions: None,
            anatomy: Default::default(),
            skipped: vec![],
            verdicts: vec![],
        }
    }

    #[test]
    fn rows_give_each_quantity_then_the_sum_then_rss() {
        let rows = rows(&of_run(&run("a", 100.0, 20.0)));
        let labels: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            labels,
            [
                "PSS",
                "page tables",
                "kernel stacks",
                "in all (PSS + page tables + kernel stacks)",
                "RSS (shared pages counted in each)"
            ]
        );
        assert_eq!(rows[0][1..], ["100.0 ±0.0", "20.0 ±0.0", "+80.0"]);
        assert_eq!(rows[3][1..], ["300.0", "60.0", "+240.0"]);
        // Invalid results do not count.
        let mut none = run("b", 1.0, 1.0);
        none.entries.iter_mut().for_each(|e| e.valid = false);
        assert!(super::rows(&of_run(&none)).is_empty());
    }

    #[test]
    fn both_comparison_formats_show_a_table_per_machine() {
        let runs = [run("<a>", 100.0, 20.0), run("b", 90.0, 10.0)];
        let md = Format::Markdown.exporter().render(&runs);
        assert!(md.contains("## Memory per task"), "{md}");
        assert!(md.contains("### &lt;a&gt;") && md.contains("### b"), "{md}");
        assert!(
            md.contains("| PSS | 90.0 ±0.0 | 10.0 ±0.0 | +80.0 |"),
            "{md}"
        );
        let html = Format::Html.exporter().render(&runs);
        assert!(html.contains(r##"<a href="#memory">memory</a>"##));
        assert!(html.contains("<h3>&lt;a&gt;</h3>"), "escaped label");
        assert!(html.contains(r#"<td class="num">+240.0</td>"#));
        // Nothing measured, nothing shown.
        let mut none = run("c", 1.0, 1.0);
        none.entries.clear();
        let md = Format::Markdown
            .exporter()
            .render(std::slice::from_ref(&none));
        assert!(!md.contains("Memory per task"));
    }
}
