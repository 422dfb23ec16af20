//! The paired-rounds table: each comparison whose arms ran side by side, round by round
//! (see [`crate::measure::paired`]): its arms, set-ups, quiet and taken rounds, the time
//! the hypervisor stole, and every arm whose rounds fell into two levels.

use crate::results::ResultsFile;
use crate::units::time;

/// Renders the comparisons of `file`; empty when it has none.
pub fn render(file: &ResultsFile) -> String {
    if file.paired.is_empty() {
        return String::new();
    }
    let seed = file.seed.map_or_else(String::new, |s| {
        format!("; seed {s:#018x}, `--seed` repeats the order")
    });
    let mut out = format!(
        "paired rounds: every arm of a comparison set up at once, each round running each \
         arm for one block in a balanced random order{seed}\n"
    );
    let w = file
        .paired
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0)
        .max(10);
    out += &format!(
        "{:<w$}  {:>5}  {:>7}  {:>12}  {:>9}\n",
        "comparison", "arms", "set-ups", "quiet/taken", "stolen"
    );
    for p in &file.paired {
        out += &format!(
            "{:<w$}  {:>5}  {:>7}  {:>12}  {:>9}\n",
            p.name,
            p.arms.len(),
            p.setups.len(),
            format!("{}/{}", p.quiet_rounds(), p.taken_rounds()),
            format!("{:.0} ms", p.steal_ms)
        );
    }
    let levelled: Vec<String> = file
        .results
        .iter()
        .filter(|o| o.levels.len() > 1)
        .map(|o| {
            let each: Vec<String> = o
                .levels
                .iter()
                .map(|l| format!("{} ({:.0}% of rounds)", time(l.center), l.share * 100.0))
                .collect();
            format!("  {}: {}\n", o.id, each.join(", "))
        })
        .collect();
    if !levelled.is_empty() {
        out += "in two levels (the median stands for neither; the paired figures compare \
                within rounds):\n";
        out += &levelled.concat();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::paired::{Arm, Paired, SetupRounds};
    use crate::stats::levels::Level;

    #[test]
    fn comparisons_and_levels_are_listed() {
        let mut f = ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]);
        assert_eq!(render(&f), "");
        f.seed = Some(255);
        f.paired.push(Paired {
            name: "switch".into(),
            seed: 1,
            cpu: 0,
            arms: vec![
                Arm::main("floor/pipe".parse().unwrap()),
                Arm::main("floor/futex".parse().unwrap()),
            ],
            iters: vec![10, 10],
            setups: vec![SetupRounds {
                rounds: vec![vec![1.0, 2.0]; 3],
                taken: 4,
            }],
            steal_ms: 10.0,
        });
        let mut o = crate::analysis::claims::fixtures::o(
            "floor/pipe",
            "floor",
            None,
            None,
            None,
            1.0,
            None,
        );
        o.levels = vec![
            Level {
                center: 4800.0,
                share: 0.4,
            },
            Level {
                center: 6100.0,
                share: 0.6,
            },
        ];
        f.results.push(o);
        let t = render(&f);
        assert!(t.contains("seed 0x00000000000000ff"), "{t}");
        assert!(
            t.contains("switch") && t.contains("3/4") && t.contains("10 ms"),
            "{t}"
        );
        assert!(
            t.contains("floor/pipe: 4.80 us (40% of rounds), 6.10 us (60% of rounds)"),
            "{t}"
        );
    }
}
