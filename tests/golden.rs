//! Every number a results file shows stays the same across refactors: the terminal tables
//! and verdicts of a committed full run, and the Markdown and HTML comparison of it beside
//! an older file, rendered now and compared with the renderings kept in
//! `tests/data/golden/`. A change that means to change what is shown renders them anew
//! with `CTXBENCH_BLESS=1 cargo test --test golden` and commits the difference.

use std::path::{Path, PathBuf};

use ctxbench::export::{inputs, Format};
use ctxbench::results::ResultsFile;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Compares `got` with the kept rendering `name`, or keeps it when blessing.
fn same_as_kept(name: &str, got: &str) {
    // Where the checkout is does not count.
    let got = got.replace(env!("CARGO_MANIFEST_DIR"), "<checkout>");
    let path = data("golden").join(name);
    if std::env::var_os("CTXBENCH_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (CTXBENCH_BLESS=1 makes it)", path.display()));
    if kept != got {
        let line = kept
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(kept.lines().count().min(got.lines().count()));
        panic!(
            "{name} differs from the kept rendering from line {}:\n kept: {:?}\n  now: {:?}",
            line + 1,
            kept.lines().nth(line),
            got.lines().nth(line)
        );
    }
}

#[test]
fn the_terminal_shows_what_it_showed() {
    let file = ResultsFile::load(&data("golden/full-run.json")).unwrap();
    let mut text = ctxbench::export::terminal::render(&file);
    text += &ctxbench::analysis::claims::render(&file.verdicts);
    same_as_kept("terminal.txt", &text);
}

#[test]
fn the_comparison_shows_what_it_showed() {
    let paths = [
        data("golden/full-run.json"),
        data("legacy/amd-epyc-vm-full-2026-12-01.json"),
    ];
    let loaded = inputs::load_inputs(&paths).unwrap();
    same_as_kept(
        "compare.md",
        &Format::Markdown.exporter().render(&loaded.runs),
    );
    same_as_kept(
        "compare.html",
        &Format::Html.exporter().render(&loaded.runs),
    );
}
