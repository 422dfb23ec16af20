//! The tables printed in a terminal: what `ctxbench run` shows after a run ([`run`], then
//! [`counters`], [`tails`], [`workset`], [`ring`], [`footprint`], [`regs`], [`isolation`],
//! [`permissions`], [`topology`], [`paired`]: [`RUN_TABLES`]; after the verdicts, [`anatomy`])
//! and what `ctxbench check` shows ([`check`]).
//! Fixed-width text, one row per benchmark id.

pub mod anatomy;
pub mod check;
pub mod counters;
pub mod footprint;
pub mod isolation;
pub mod paired;
pub mod permissions;
pub mod regs;
pub mod ring;
pub mod run;
pub mod tails;
pub mod topology;
pub mod workset;

use std::collections::BTreeMap;

use super::Exporter;
use crate::measure::Outcome;
use crate::results::ResultsFile;
use crate::spec::Experiment;
use crate::spec::Participants;

/// One table of a results file.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// The table's text (empty when the file has nothing it shows).
    pub render: fn(&ResultsFile) -> String,
    /// Whether a blank line sets it apart from the table before it.
    pub spaced: bool,
}

impl Exporter for Table {
    type Input = ResultsFile;
    fn render(&self, file: &ResultsFile) -> String {
        (self.render)(file)
    }
}

/// The tables `ctxbench run` prints, in order: a line registers a table.
pub const RUN_TABLES: [Table; 11] = [
    Table {
        render: |f| run::render(&f.results, &f.skipped),
        spaced: false,
    },
    Table {
        render: |f| counters::render(&f.results),
        spaced: false,
    },
    Table {
        render: |f| tails::render(&f.results),
        spaced: true,
    },
    Table {
        render: |f| workset::render(&f.results),
        spaced: true,
    },
    Table {
        render: |f| ring::render(&f.results),
        spaced: true,
    },
    Table {
        render: |f| footprint::render(&f.results),
        spaced: true,
    },
    Table {
        render: |f| regs::render(&f.results),
        spaced: true,
    },
    Table {
        render: |f| isolation::render(&f.results),
        spaced: true,
    },
    Table {
        render: permissions::render,
        spaced: true,
    },
    Table {
        render: |f| topology::render(&f.results),
        spaced: true,
    },
    Table {
        render: paired::render,
        spaced: true,
    },
];

/// Every table of [`RUN_TABLES`] that shows something, as `ctxbench run` prints them
/// before the claims' verdicts.
pub fn render(file: &ResultsFile) -> String {
    let mut out = String::new();
    for t in &RUN_TABLES {
        let text = t.render(file);
        if t.spaced && !text.is_empty() {
            out.push('\n');
        }
        out += &text;
    }
    out
}

/// Outcomes by a key, then by their parameter, process and thread side by side.
type SideBySide<'a> = BTreeMap<String, BTreeMap<u64, [Option<&'a Outcome>; 2]>>;

/// The outcomes of `experiment` with a parameter and participants, by `key` (skipping
/// those it gives none), then by parameter (ring size, bytes): `[process, thread]`.
fn side_by_side<'a>(
    outcomes: &'a [Outcome],
    experiment: Experiment,
    key: impl Fn(&Outcome) -> Option<String>,
) -> SideBySide<'a> {
    let mut out = SideBySide::new();
    for o in outcomes.iter().filter(|o| o.is(experiment)) {
        let (Some(n), Some(p), Some(k)) = (o.parameter, o.participants, key(o)) else {
            continue;
        };
        let col = usize::from(p == Participants::Thread);
        out.entry(k).or_default().entry(n).or_default()[col] = Some(o);
    }
    out
}

/// A same-CPU pipe outcome of `experiment` for the tables' tests, with the id of that
/// experiment for `p` and `parameter` (`variant`: a working set's access, a register
/// state): `switches` per iteration, `ns` per iteration.
#[cfg(test)]
pub(crate) fn pipe_outcome(
    experiment: &str,
    p: Participants,
    parameter: u64,
    variant: Option<&str>,
    switches: u64,
    ns: f64,
) -> Outcome {
    use crate::measure::{outcome, OutcomeMeta, Samples, SwitchCount};
    use crate::spec::{Access, BenchId, Mechanism, PlacementKind, RegState, ACCESSES, REG_STATES};
    let experiment: Experiment = experiment.parse().expect("an experiment");
    let named = |v: Option<&str>, all: &[&str]| v.and_then(|v| all.iter().position(|a| *a == v));
    let id = match experiment {
        Experiment::Ring => BenchId::Ring {
            participants: p,
            mechanism: Mechanism::Pipe,
            n: parameter as usize,
        },
        Experiment::Workset => BenchId::Workset {
            participants: p,
            access: named(variant, &ACCESSES.map(Access::name))
                .map_or(Access::Read, |i| ACCESSES[i]),
            bytes: parameter,
        },
        Experiment::Footprint => BenchId::Footprint {
            participants: p,
            tasks: parameter as usize,
        },
        Experiment::Isolation => BenchId::Isolation(p),
        Experiment::Regs => BenchId::Regs {
            participants: p,
            state: named(variant, &REG_STATES.map(RegState::name))
                .map_or(RegState::None, |i| REG_STATES[i]),
        },
        _ => BenchId::PingPong {
            participants: p,
            mechanism: Mechanism::Pipe,
            placement: PlacementKind::SameCpu,
        },
    };
    let meta = OutcomeMeta {
        id,
        experiment,
        participants: Some(p),
        mechanism: Some(Mechanism::Pipe),
        placement: Some(PlacementKind::SameCpu),
        cpus: vec![0],
        parameter: Some(parameter),
        variant: variant.map(|v| v.parse().expect("a variant")),
    };
    let count = SwitchCount {
        iters: 10,
        voluntary: 10 * switches,
        involuntary: 0,
        per_iter: switches as f64,
    };
    let samples = Samples {
        iters_per_sample: 10,
        ns_per_iter: vec![ns],
    };
    outcome(meta, Some(switches as f64), samples, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_shows_the_timing_head_alone() {
        let t = render(&ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]));
        assert_eq!(t.lines().count(), 1, "{t}");
        assert!(t.starts_with("id  "), "{t}");
    }
}
