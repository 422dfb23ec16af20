//! The topology sweep through the real binary on this machine: its pairs measured both
//! ways, the topology in the results file, the class table in the terminal, the heatmaps
//! on the page; and what one CPU gets. Behaviour only, never speed.

use std::process::{Command, Output};

use ctxbench::experiments::topology::{choose_pairs, QUICK_PAIRS_PER_CLASS};
use ctxbench::harness::exclusive;
use ctxbench::results::ResultsFile;
use ctxbench::topology::Topology;

fn ctxbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .args(args)
        .output()
        .expect("the ctxbench binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn every_pair_is_measured_both_ways_and_shown() {
    let _x = exclusive();
    let t = Topology::this_machine();
    let pairs = choose_pairs(&t, QUICK_PAIRS_PER_CLASS);
    if pairs.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = ctxbench(&[
        "run",
        "--quick",
        "--no-counters",
        "--filter",
        "topology/",
        "--json",
        json.to_str().unwrap(),
    ]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    let f = ResultsFile::load(&json).unwrap();
    assert_eq!(
        f.machine.topology.as_ref(),
        Some(&t),
        "the topology is in the file"
    );
    assert_eq!(f.results.len(), 2 * pairs.len());
    for (i, &(a, b, class)) in pairs.iter().enumerate() {
        let ids = [&f.results[2 * i], &f.results[2 * i + 1]];
        assert_eq!(ids[0].id.to_string(), format!("topology/futex/{a}-{b}"));
        assert_eq!(ids[1].id.to_string(), format!("topology/cacheline/{a}-{b}"));
        for o in ids {
            assert_eq!(o.cpus, [a, b]);
            assert_eq!(o.variant.map(|v| v.name()), Some(class.name()));
            assert!(o.latency.is_some(), "{} has its tails", o.id);
        }
    }
    // The class table, a row per class measured.
    let table = out
        .split("across the cores")
        .nth(1)
        .unwrap_or_else(|| panic!("no class table in:\n{out}"));
    for (a, b, class) in &pairs {
        assert!(
            table.lines().any(|l| l.starts_with(class.name())),
            "{a}-{b}: {table}"
        );
    }
    // The page: two heatmaps, each an n x n grid of cells.
    let page = dir.path().join("p.html");
    let o = ctxbench(&[
        "compare",
        json.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    let section = html.split(r#"<section id="topology">"#).nth(1).unwrap();
    let section = section.split("</section>").next().unwrap();
    let n = t.cpus.len();
    if n == 2 {
        // The 2 x 2 grid: the diagonal grey, the pair in both other cells.
        assert_eq!(section.matches("<svg").count(), 2);
        assert_eq!(section.matches(r##"fill="#e3e6ea""##).count(), 2 * 2);
        assert_eq!(section.matches("<title>CPU 0 and CPU 1").count(), 2 * 2);
    }
    assert!(section.contains("By class"), "{section}");
}

#[test]
fn one_cpu_skips_the_sweep_saying_why() {
    let o = ctxbench(&["run", "--quick", "--cpus", "0", "--filter", "topology/"]);
    let out = text(&o.stdout);
    assert!(
        out.contains("skipped topology/*: the topology sweep needs 2 distinct CPUs"),
        "{out}{}",
        text(&o.stderr)
    );
}
