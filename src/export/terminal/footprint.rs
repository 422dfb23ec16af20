//! The footprint tables: what n idle processes and n idle threads added in memory, n by
//! n side by side, then the bytes per task (the least-squares slopes) and what a process
//! costs beyond a thread.

use super::side_by_side;
use crate::analysis::footprint::PerTask;
use crate::experiments::footprint::{Quantity, QUANTITIES};
use crate::export::footprint::{rows, HEAD};
use crate::measure::Outcome;
use crate::spec::Experiment;
use crate::spec::Participants;
use crate::units::kib;

fn cell(o: Option<&Outcome>, q: Quantity) -> String {
    o.and_then(|o| o.extra.get(q.key()))
        .map_or_else(|| "-".into(), |&b| kib(b))
}

/// Renders the footprint outcomes among `outcomes`; empty when there are none. Invalid
/// outcomes show in the first table (the timing table says why) but not in the slopes.
pub fn render(outcomes: &[Outcome]) -> String {
    let table = side_by_side(outcomes, Experiment::Footprint, |_| Some(String::new()));
    let Some(by_n) = table.get("") else {
        return String::new();
    };
    // Each side is four columns of 15.
    let mut out = format!(
        "memory n idle tasks added (KiB)\n{:>4}  {:<60}{}\n{:>4}",
        "", "process", "thread", "n"
    );
    for _ in 0..2 {
        for q in QUANTITIES {
            out += &format!("  {:>13}", q.label());
        }
    }
    out += "\n";
    for (n, [p, t]) in by_n {
        out += &format!("{n:>4}");
        for side in [p, t] {
            for q in QUANTITIES {
                out += &format!("  {:>13}", cell(*side, q));
            }
        }
        out += "\n";
    }
    let per = PerTask::of(outcomes);
    let rows = rows(&per);
    if rows.is_empty() {
        return out;
    }
    let w = rows
        .iter()
        .map(|r| r[0].len())
        .chain([HEAD[0].len()])
        .max()
        .unwrap_or(0);
    out += &format!(
        "\n{:<w$}  {:>14}  {:>14}  {:>24}\n",
        HEAD[0], HEAD[1], HEAD[2], HEAD[3]
    );
    for [label, p, t, beyond] in &rows {
        out += &format!("{label:<w$}  {p:>14}  {t:>14}  {beyond:>24}\n");
    }
    let counts = |p| {
        per.tasks(p)
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (p, t) = (counts(Participants::Process), counts(Participants::Thread));
    let over = match (p.is_empty(), t.is_empty()) {
        _ if p == t => format!("n = {p}"),
        (false, true) => format!("n = {p} processes"),
        (true, false) => format!("n = {t} threads"),
        _ => format!("n = {p} processes and {t} threads"),
    };
    out + &format!("(least-squares slopes over {over}; ± the standard error)\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::footprint::FootprintSpec;

    fn footprint(p: Participants, n: usize, per_task: f64) -> Outcome {
        let spec = FootprintSpec {
            participants: p,
            tasks: n,
        };
        let mut o = crate::export::terminal::pipe_outcome("footprint", p, n as u64, None, 0, 1e5);
        o.id = spec.id();
        for q in QUANTITIES {
            o.extra.insert(q.key().into(), 8192.0 + per_task * n as f64);
        }
        o
    }

    #[test]
    fn a_row_per_n_then_the_slopes() {
        let mut all: Vec<Outcome> = [1, 4, 16]
            .iter()
            .flat_map(|&n| {
                [
                    footprint(Participants::Process, n, 65536.0),
                    footprint(Participants::Thread, n, 16384.0),
                ]
            })
            .collect();
        let t = render(&all);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[3].trim_start().starts_with("1 "), "{t}");
        // 8 KiB + 16 x 64 KiB for 16 processes.
        assert!(
            lines[5].contains("1032.0") && lines[5].contains("264.0"),
            "{t}"
        );
        assert!(t.contains("KiB per idle task"), "{t}");
        let pss = lines.iter().find(|l| l.starts_with("PSS")).unwrap();
        assert!(pss.contains("64.0 ±0.0") && pss.contains("+48.0"), "{t}");
        assert!(t.contains("slopes over n = 1, 4, 16; ±"), "{t}");
        // An invalid outcome shows in the first table but not in the slopes.
        all.iter_mut()
            .filter(|o| o.participants == Some(Participants::Thread))
            .for_each(|o| o.valid = false);
        let t = render(&all);
        assert!(t.contains("264.0"), "{t}");
        assert!(
            t.lines().any(|l| l.starts_with("PSS") && l.contains(" - ")),
            "{t}"
        );
        assert!(t.contains("slopes over n = 1, 4, 16 processes;"), "{t}");
        assert_eq!(render(&[]), "");
    }
}
