//! `ctxbench check`: the CI regression gate. Compares a run (given, or taken now) with a
//! baseline id by id; exit 0 when nothing regressed, 1 on a regression, 2 on bad input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use ctxbench::analysis::regress::{self, Change, Side};
use ctxbench::export::benchmark_action::BenchmarkAction;
use ctxbench::export::terminal::check::CheckTable;
use ctxbench::export::Exporter;
use ctxbench::fingerprint::Fingerprint;
use ctxbench::results::ResultsFile;

use crate::Usage;

/// Options of `ctxbench check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The baseline results file, or a results directory: then the newest file in its
    /// folder for this machine (`<DIR>/<machine slug>/`).
    #[arg(long, value_name = "FILE|DIR")]
    baseline: PathBuf,
    /// The results file to check. Without it, the benchmarks in the baseline (or those
    /// matching --filter) run now.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["quick", "cpus"])]
    current: Option<PathBuf>,
    /// The smallest median change that counts, in percent (`5%` or `5`).
    #[arg(long, default_value = "5%", value_parser = parse_threshold)]
    threshold: f64,
    /// What to compare (`--filter`), and how to run it now (`--quick`, `--cpus`).
    #[command(flatten)]
    select: super::Selection,
    /// Write the current run in the `customSmallerIsBetter` JSON that benchmark-tracking
    /// CI actions read.
    #[arg(long, value_name = "FILE")]
    output_json: Option<PathBuf>,
    /// Save the run taken now as a results file (for a report or a new baseline).
    #[arg(long, value_name = "FILE", conflicts_with = "current")]
    json: Option<PathBuf>,
}

/// Parses `5%`, `5` or `2.5%` as a percentage.
fn parse_threshold(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let num = t.strip_suffix('%').unwrap_or(t).trim();
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a percentage; write it like `5%` (the smallest median change that counts)"
        )),
    }
}

/// The newest results file for `slug` under `dir/slug/`, by name (names are UTC times).
fn newest_for(dir: &Path, slug: &str) -> anyhow::Result<PathBuf> {
    let folder = dir.join(slug);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "json")
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.pop().ok_or_else(|| {
        Usage(format!(
            "{}: no baseline for this machine (slug {slug}): run `ctxbench run --save \
             --results-dir {}` here and commit the file, or pass --baseline FILE",
            folder.display(),
            dir.display()
        ))
        .into()
    })
}

/// The newest results file for `machine` under `dir`: in its folder, or else in a folder
/// older ctxbench versions named it (`amd-epyc-vm`, `intel-r-xeon-r-processor-vm`),
/// where only a file from the same kind of CPU counts: two generations sold under one
/// model name shared the older folder.
fn baseline_in(dir: &Path, machine: &Fingerprint) -> anyhow::Result<PathBuf> {
    let found = newest_for(dir, &machine.slug());
    if found.is_ok() {
        return found;
    }
    for older in machine.older_slugs() {
        let Ok(old) = newest_for(dir, &older) else {
            continue;
        };
        let theirs = ResultsFile::load(&old)?.machine;
        if !machine.same_cpu_kind(&theirs) {
            eprintln!(
                "note: not taking {} as this machine's baseline: it comes from another \
                 CPU ({}; this one is {})",
                old.display(),
                cpu_kind(&theirs),
                cpu_kind(machine)
            );
            continue;
        }
        eprintln!(
            "note: using {} from the folder's older name; move it to {}",
            old.display(),
            dir.join(machine.slug()).display()
        );
        return Ok(old);
    }
    found
}

/// `AMD EPYC, family 25 model 17`.
fn cpu_kind(m: &Fingerprint) -> String {
    format!(
        "{}, family {} model {}",
        m.cpu_model, m.cpu_family, m.cpu_model_number
    )
}

/// What the regression rule reads of a results file.
fn side(file: &ResultsFile) -> Side<'_> {
    let skipped = file
        .skipped
        .iter()
        .map(|s| (s.id.as_str(), s.reason.as_str()));
    Side::new(&file.results, &file.machine, skipped)
}

fn keep(file: &mut ResultsFile, filter: &[String]) {
    if !filter.is_empty() {
        file.results
            .retain(|o| ctxbench::runner::matches(o.id, filter));
    }
}

/// A missing input is the user's mistake (exit 2), not a failure of the run.
fn must_exist(p: &Path, what: &str) -> anyhow::Result<()> {
    if p.exists() {
        Ok(())
    } else {
        Err(Usage(format!("{}: no such {what}", p.display())).into())
    }
}

/// Runs, now, the ids the baseline has (or those the filter names), with every counter;
/// saves the run with `--json`.
fn measure_now(
    args: &CheckArgs,
    baseline: &ResultsFile,
    baseline_path: &Path,
) -> anyhow::Result<ResultsFile> {
    let filter: Vec<String> = if args.select.filter.is_empty() {
        baseline.results.iter().map(|o| o.id.to_string()).collect()
    } else {
        args.select.filter.clone()
    };
    if filter.is_empty() {
        return Err(Usage(format!(
            "{}: the baseline has no results to check against",
            baseline_path.display()
        ))
        .into());
    }
    let now = super::Selection {
        filter,
        ..args.select.clone()
    };
    let (file, _failed) = super::measure(
        &now,
        &now.plan_options(),
        &ctxbench::measure::Counting::all(),
        ctxbench::fingerprint::CmdlineDetail::SwitchRelevant,
    )?;
    if let Some(p) = &args.json {
        super::save_all(&file, &[("wrote", p.clone())])?;
    }
    Ok(file)
}

pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    super::check_output_files(&[
        ("--json", args.json.as_deref()),
        ("--output-json", args.output_json.as_deref()),
    ])?;
    must_exist(&args.baseline, "baseline file or results directory")?;
    if let Some(c) = &args.current {
        must_exist(c, "results file")?;
    }
    // Load whatever is given before running anything: bad input fails fast.
    let current_given = match &args.current {
        Some(p) => Some(ResultsFile::load(p)?),
        None => None,
    };
    let machine = match &current_given {
        Some(c) => c.machine.clone(),
        None => Fingerprint::read_from(Path::new("/")),
    };
    let baseline_path = if args.baseline.is_dir() {
        baseline_in(&args.baseline, &machine)?
    } else {
        args.baseline.clone()
    };
    let mut baseline = ResultsFile::load(&baseline_path)?;
    keep(&mut baseline, &args.select.filter);
    eprintln!("baseline: {}", baseline_path.display());
    let mut current = match current_given {
        Some(c) => c,
        None => measure_now(&args, &baseline, &baseline_path)?,
    };
    keep(&mut current, &args.select.filter);
    if baseline.mode != current.mode {
        eprintln!(
            "note: baseline was a {} run and current a {} run; the test uses the samples of each",
            baseline.mode, current.mode
        );
    }
    let report = regress::compare_runs(&side(&baseline), &side(&current), args.threshold);
    if let Some(w) = &report.machine_warning {
        eprintln!("{}", "!".repeat(78));
        eprintln!("WARNING: {w}");
        eprintln!("{}", "!".repeat(78));
    }
    print!("{}", CheckTable.render(&report));
    let invalid = report
        .rows
        .iter()
        .filter(|r| r.verdict == Change::Invalid)
        .count();
    if invalid > 0 {
        eprintln!(
            "warning: {invalid} id{} invalid and not compared (see the notes above)",
            if invalid == 1 { " is" } else { "s are" }
        );
    }
    if let Some(p) = &args.output_json {
        let json = BenchmarkAction.render(&current);
        ctxbench::results::write_or_fallback(p, json.as_bytes())?;
        eprintln!("wrote {}", p.display());
    }
    if report.regressed() {
        eprintln!(
            "regression: at least one id is slower beyond noise and beyond {}%",
            args.threshold
        );
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse() {
        assert_eq!(parse_threshold("5%"), Ok(5.0));
        assert_eq!(parse_threshold(" 2.5 % "), Ok(2.5));
        assert_eq!(parse_threshold("10"), Ok(10.0));
        assert!(parse_threshold("-1%").is_err());
        assert!(parse_threshold("five").is_err());
    }
}
