//! `ctxbench check`: the CI regression gate. `--calibrate` makes a baseline's runs (A/A
//! among themselves) and stores the noise of every id beside them; without it, a run
//! (taken now, or given) is judged against that baseline id by id. Exit 0 when nothing
//! regressed, 1 on a regression, 2 on bad input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use ctxbench::export::benchmark_action::BenchmarkAction;
use ctxbench::export::bmf::Bmf;
use ctxbench::export::terminal::check::{CalibrationTable, CheckTable};
use ctxbench::export::Exporter;
use ctxbench::regress::calibration::{load_runs, run_files, too_few_runs, DEFAULT_RUNS, RUNS_DIR};
use ctxbench::regress::{self, Calibration, Change, Rule};
use ctxbench::results::{free_name, utc_timestamp, ResultsFile};

use crate::Usage;

/// Options of `ctxbench check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The baseline folder: `calibration.json` and the runs it was made from
    /// (`runs/*.json`), as `--calibrate` writes them.
    #[arg(long, value_name = "DIR")]
    baseline: PathBuf,
    /// Make the baseline: take `--runs` runs now (added to those already in the folder),
    /// then measure every id's noise among all of them and store it in
    /// `DIR/calibration.json`.
    #[arg(long, conflicts_with_all = ["current", "output_json", "bmf", "json"])]
    calibrate: bool,
    /// With --calibrate: how many runs to add (0 recomputes the noise of the runs there).
    #[arg(long, default_value_t = DEFAULT_RUNS, requires = "calibrate")]
    runs: usize,
    /// With --calibrate: the pause between two runs (`90s`, `5m`), so the runs see the
    /// machine's drift as checks made later will.
    #[arg(long, default_value = "0s", value_parser = parse_duration, requires = "calibrate")]
    gap: Duration,
    /// The results file to check. Without it, the baseline's ids run now, the way its
    /// runs were made.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["quick", "cpus"])]
    current: Option<PathBuf>,
    /// The false-alarm rate of a whole check, in percent: the chance that unchanged code
    /// fails it (shared over the ids checked).
    #[arg(long, default_value = "5%", value_parser = parse_rate)]
    false_alarm: f64,
    /// The smallest change that counts, in percent (`5%` or `5`).
    #[arg(long, default_value = "5%", value_parser = parse_pct)]
    threshold: f64,
    /// What to check (`--filter`; by default the baseline's ids), and how to run
    /// (`--quick` to calibrate with quick runs; a check runs as its baseline did).
    #[command(flatten)]
    select: super::Selection,
    /// Write the current run in the `customSmallerIsBetter` JSON that benchmark-tracking
    /// CI actions read.
    #[arg(long, value_name = "FILE")]
    output_json: Option<PathBuf>,
    /// Write the current run in the Bencher Metric Format: each id's value with the
    /// lower and upper ends of its 95% interval (the noise between runs included).
    #[arg(long, value_name = "FILE")]
    bmf: Option<PathBuf>,
    /// Save the run taken now as a results file.
    #[arg(long, value_name = "FILE", conflicts_with = "current")]
    json: Option<PathBuf>,
}

/// Parses `5%`, `5` or `2.5%` as a percentage.
fn parse_pct(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let num = t.strip_suffix('%').unwrap_or(t).trim();
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..100.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{s:?} is not a percentage below 100; write it like `5%`"
        )),
    }
}

/// Parses a false-alarm rate: a percentage above 0.
fn parse_rate(s: &str) -> Result<f64, String> {
    match parse_pct(s) {
        Ok(v) if v > 0.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a false-alarm rate; write a percentage above 0 and below 100, like `5%`"
        )),
    }
}

/// Parses `90s`, `5m`, `1h` or a bare number of seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let scale = match unit {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("{s:?}: write a duration like `90s`, `5m` or `1h`")),
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Duration::from_secs_f64(v * scale)),
        _ => Err(format!("{s:?}: write a duration like `90s`, `5m` or `1h`")),
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

/// Runs the ids `select` names now, the way `mode` says, with every counter (as every
/// run of a baseline is made).
fn measure_now(select: &super::Selection) -> anyhow::Result<ResultsFile> {
    let (file, _failed) = super::measure(
        select,
        &select.plan_options(),
        &ctxbench::measure::Counting::all(),
        ctxbench::fingerprint::CmdlineDetail::SwitchRelevant,
    )?;
    Ok(file)
}

pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    // Output paths first, before anything is read or run.
    super::check_output_files(&[
        ("--json", args.json.as_deref()),
        ("--output-json", args.output_json.as_deref()),
        ("--bmf", args.bmf.as_deref()),
    ])?;
    if args.baseline.is_file() {
        // One results file is one run: the noise between runs cannot be seen in it.
        return Err(Usage(format!(
            "{}: a results file is one run; {}",
            args.baseline.display(),
            too_few_runs(1, Path::new("DIR"))
        ))
        .into());
    }
    if args.calibrate {
        calibrate(&args)
    } else {
        judge(&args)
    }
}

/// `--calibrate`: adds `--runs` runs to the baseline folder, then stores the noise of
/// every id among all its runs.
fn calibrate(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.baseline;
    let runs_dir = dir.join(RUNS_DIR);
    ctxbench::results::check_dir_target(&runs_dir)?;
    ctxbench::results::check_file_target(&dir.join(regress::calibration::CALIBRATION_FILE))?;
    // What is there already must be one machine's and made one way: load it first.
    let before = load_runs(dir)?;
    let mode = args.select.mode();
    if let Some((name, r)) = before.first().filter(|_| args.runs > 0) {
        if r.mode != mode {
            return Err(Usage(format!(
                "{}: the baseline's runs are {} runs ({name}); calibrate the same way{}",
                dir.display(),
                r.mode,
                if r.mode == ctxbench::spec::Mode::Quick {
                    " with --quick"
                } else {
                    " without --quick"
                }
            ))
            .into());
        }
    }
    if args.runs > 0 && !before.is_empty() {
        // The runs there are one machine's, and this is that machine: else the new runs
        // would be wasted on a baseline that is refused.
        Calibration::from_runs(&before, &[])?;
        let here = ctxbench::fingerprint::Fingerprint::read_from(Path::new("/"));
        if let Some(d) = regress::machine_difference(&before[0].1.machine, &here) {
            return Err(Usage(format!(
                "{}: its runs come from another machine ({d}); calibrate a new folder here",
                dir.display()
            ))
            .into());
        }
    }
    let filters = if args.select.filter.is_empty() {
        Calibration::load_from(dir)
            .map(|c| c.filters)
            .unwrap_or_default()
    } else {
        args.select.filter.clone()
    };
    let select = super::Selection {
        filter: filters.clone(),
        ..args.select.clone()
    };
    let started = Instant::now();
    for i in 0..args.runs {
        if i > 0 && !args.gap.is_zero() {
            eprintln!("waiting {} s before the next run", args.gap.as_secs());
            std::thread::sleep(args.gap);
        }
        eprintln!("calibration run {} of {}", i + 1, args.runs);
        let run = measure_now(&select)?;
        let path = free_name(&runs_dir, &utc_timestamp(run.created_unix), "json");
        super::save_all(&run, &[("saved", path)])?;
    }
    let runs = load_runs(dir)?;
    let cal = Calibration::from_runs(&runs, &filters)?;
    let path = cal.save_in(dir)?;
    eprintln!(
        "wrote {} ({} runs over {} min; this calibration took {} s)",
        path.display(),
        cal.run_count(),
        cal.span_s / 60,
        started.elapsed().as_secs()
    );
    let rule = Rule {
        false_alarm: args.false_alarm / 100.0,
        threshold_pct: args.threshold,
    };
    print!("{}", CalibrationTable(rule).render(&cal));
    if cal.run_count() < regress::MIN_RUNS {
        eprintln!("note: {}", too_few_runs(cal.run_count(), dir));
    }
    Ok(ExitCode::SUCCESS)
}

/// Judges a run (taken now or given) against the calibrated baseline.
fn judge(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.baseline;
    must_exist(dir, "baseline folder")?;
    if let Some(c) = &args.current {
        must_exist(c, "results file")?;
    }
    let cal = Calibration::load_from(dir)?;
    let present = run_files(dir).len();
    if present != cal.run_count() {
        eprintln!(
            "note: {} has {present} runs but its calibration was made from {}; `ctxbench check \
             --calibrate --runs 0 --baseline {}` brings it up to date",
            dir.display(),
            cal.run_count(),
            dir.display()
        );
    }
    cal.enough_runs(dir)?;
    let rule = Rule {
        false_alarm: args.false_alarm / 100.0,
        threshold_pct: args.threshold,
    };
    let mut current = match &args.current {
        Some(p) => {
            let f = ResultsFile::load(p)?;
            if f.mode != cal.mode {
                return Err(Usage(format!(
                    "{}: a {} run, but the baseline's runs are {} runs; judge a run made the \
                     same way",
                    p.display(),
                    f.mode,
                    cal.mode
                ))
                .into());
            }
            f
        }
        None => {
            let quick = cal.mode == ctxbench::spec::Mode::Quick;
            if args.select.quick && !quick {
                return Err(Usage(format!(
                    "the baseline's runs are {} runs: drop --quick (a check runs as its \
                     baseline did)",
                    cal.mode
                ))
                .into());
            }
            // What the baseline's runs were made with, else the ids they hold.
            let filter = if !args.select.filter.is_empty() {
                args.select.filter.clone()
            } else if !cal.filters.is_empty() {
                cal.filters.clone()
            } else {
                cal.noise.iter().map(|n| n.id.clone()).collect()
            };
            let select = super::Selection {
                filter,
                quick,
                ..args.select.clone()
            };
            let started = Instant::now();
            let now = measure_now(&select)?;
            eprintln!("measured in {} s", started.elapsed().as_secs());
            if let Some(p) = &args.json {
                super::save_all(&now, &[("wrote", p.clone())])?;
            }
            now
        }
    };
    if !args.select.filter.is_empty() {
        current
            .results
            .retain(|o| ctxbench::runner::matches(o.id, &args.select.filter));
    }
    let mut cal = cal;
    if !args.select.filter.is_empty() {
        cal.noise
            .retain(|n| args.select.filter.iter().any(|f| n.id.contains(f.as_str())));
    }
    eprintln!(
        "baseline: {} ({} runs over {} min)",
        dir.display(),
        cal.run_count(),
        cal.span_s / 60
    );
    let report = regress::check(&cal, &current, &rule);
    if let Some(w) = &report.machine_warning {
        eprintln!("{}", "!".repeat(78));
        eprintln!("WARNING: {w}");
        eprintln!("{}", "!".repeat(78));
    }
    print!("{}", CheckTable.render(&report));
    let invalid = report.count(Change::Invalid);
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
    if let Some(p) = &args.bmf {
        ctxbench::results::write_or_fallback(p, Bmf.render(&report).as_bytes())?;
        eprintln!("wrote {}", p.display());
    }
    if report.regressed() {
        eprintln!(
            "regression: at least one id is slower beyond the noise between runs and beyond {}%",
            rule.threshold_pct
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
    fn percentages_and_durations_parse() {
        assert_eq!(parse_pct("5%"), Ok(5.0));
        assert_eq!(parse_pct(" 2.5 % "), Ok(2.5));
        assert_eq!(parse_pct("10"), Ok(10.0));
        assert!(parse_pct("-1%").is_err());
        assert!(parse_pct("100%").is_err());
        assert!(parse_pct("five").is_err());
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("5 fortnights").is_err());
        assert!(parse_duration("-5s").is_err());
    }
}
