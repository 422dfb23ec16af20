//! The `ctxbench` command line: `list`, `run`, `explain`, `counters`, `compare`, `check`.
//!
//! Exit codes: 0 success, 1 a benchmark failed or was invalid, 2 bad input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

mod check;
mod compare;
mod counters;
mod explain;
mod progress;
mod run;

/// Measures what a context switch costs on this machine.
#[derive(Parser)]
#[command(name = "ctxbench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints every benchmark id (or those matching --filter).
    List {
        /// Only ids containing this text (may be repeated).
        #[arg(long, short)]
        filter: Vec<String>,
    },
    /// Runs benchmarks and prints a table.
    Run(run::RunArgs),
    /// Puts results files (or criterion output) side by side: HTML or Markdown.
    Compare(compare::CompareArgs),
    /// Compares a run with a baseline: exit 1 when something got slower beyond noise.
    Check(check::CheckArgs),
    /// Prints which perf events this machine allows, and why the others are refused.
    Counters,
    /// States the textbook claims about context switches and judges each on this machine
    /// (runs the quick experiments it needs, about a minute, or reads --from FILE).
    Explain(explain::ExplainArgs),
}

/// An error that is the user's input: exit code 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Usage {}

fn exit_code_of(e: &anyhow::Error) -> u8 {
    let usage = e.chain().any(|c| {
        c.downcast_ref::<Usage>().is_some()
            || c.downcast_ref::<ctxbench::Error>()
                .is_some_and(|e| e.is_usage())
    });
    if usage {
        2
    } else {
        1
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { filter } => list(&filter),
        Command::Run(args) => run::run(args),
        Command::Compare(args) => compare::compare(args),
        Command::Check(args) => check::check(args),
        Command::Counters => counters::counters(),
        Command::Explain(args) => explain::explain(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(exit_code_of(&e))
        }
    }
}

fn list(filter: &[String]) -> anyhow::Result<ExitCode> {
    let ids: Vec<String> = ctxbench::runner::all_ids()
        .into_iter()
        .filter(|&id| ctxbench::runner::matches(id, filter))
        .map(|id| id.to_string())
        .collect();
    if ids.is_empty() {
        return Err(Usage(format!(
            "no benchmark id matches {filter:?}; `ctxbench list` prints them all"
        ))
        .into());
    }
    for id in ids {
        println!("{id}");
    }
    Ok(ExitCode::SUCCESS)
}

/// A comma-separated list given as one option value (`--cpus 0,1`, `--ring-sizes 2,4,8`).
/// A newtype, because clap reads a bare `Vec` as an option given several times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<T>(pub Vec<T>);

/// Which benchmarks to run, how long, and where: the options `run` and `check` share.
#[derive(Args, Clone)]
pub struct Selection {
    /// Only benchmarks whose id contains this text (may be repeated).
    #[arg(long, short)]
    pub filter: Vec<String>,
    /// A short run: fewer, shorter samples (about half a second per benchmark).
    #[arg(long)]
    pub quick: bool,
    /// CPUs to use: the first for same-cpu, the first two for cross-cpu (e.g. `0` or
    /// `2,3`). Default: this process's allowed CPUs.
    #[arg(long, value_parser = parse_cpus)]
    pub cpus: Option<CpuList>,
    /// The seed of the paired rounds' order (and their intervals' resamples), e.g. the
    /// `seed` of an earlier results file to run its rounds in the same order. Default: a
    /// fresh one, recorded in the results.
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
}

/// Parses `--seed`: decimal, or hexadecimal with `0x`.
fn parse_seed(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| {
        format!("{s:?} is not a seed: give a whole number, e.g. --seed 42 or --seed 0x2a")
    })
}

impl Selection {
    /// The CPUs given with `--cpus`, if any.
    pub fn cpus(&self) -> Option<&[usize]> {
        self.cpus.as_ref().map(|c| c.0.as_slice())
    }

    /// A quick or a full run.
    pub fn mode(&self) -> ctxbench::scheduler::Mode {
        ctxbench::scheduler::Mode::from_quick(self.quick)
    }

    /// The experiment sizes of a quick or a full run.
    pub fn plan_options(&self) -> ctxbench::runner::PlanOptions {
        self.mode().plan_options()
    }
}

/// A parsed `--cpus` value.
pub type CpuList = List<usize>;

/// Parses `--cpus`.
fn parse_cpus(s: &str) -> Result<List<usize>, String> {
    ctxbench::cpus::parse_cpu_list(s)
        .map(List)
        .map_err(|e| e.to_string())
}

/// A line saying ctxbench mounted tracefs itself (once the counters were opened), so a
/// user knows the machine was changed; `None` when it did not.
pub fn tracefs_note() -> Option<String> {
    use ctxbench::counters::tracefs;
    (tracefs::outcome() == Some(tracefs::Mount::Mounted)).then(|| {
        format!(
            "tracefs was not mounted: mounted it at {} (as perf does) to count tracepoints",
            tracefs::MOUNT_POINT
        )
    })
}

/// Runs the benchmarks `select` names, printing the machine and progress to stderr.
/// Returns the results file (stamped with the machine, its kernel command line as
/// `cmdline` says, and with the claims judged when no filter narrowed the run) and
/// whether any benchmark failed or was invalid.
pub fn measure(
    select: &Selection,
    options: &ctxbench::runner::PlanOptions,
    counting: &ctxbench::measure::Counting,
    cmdline: ctxbench::fingerprint::CmdlineDetail,
) -> anyhow::Result<(ctxbench::results::ResultsFile, bool)> {
    let cpus = ctxbench::cpus::CpuChoice::resolve(select.cpus())?;
    let schedule = ctxbench::scheduler::Schedule::select(
        &select.filter,
        cpus,
        select.mode(),
        Some(options.clone()),
        counting.clone(),
    )?
    .with_cmdline(cmdline);
    let schedule = match select.seed {
        Some(seed) => schedule.with_seed(seed),
        None => schedule,
    };
    eprint!("{}", schedule.machine().summary());
    if let Some(note) = tracefs_note() {
        eprintln!("{note}");
    }
    let run = run_with_progress(schedule, |o| {
        format!("{:.0} ns/iteration", o.ns_per_iteration.median)
    });
    Ok((run.file, run.failed))
}

/// Runs `schedule`, reporting its progress on stderr (see [`progress`]: in a pipe, a
/// `started <id>` line as each id's measuring starts); `describe` says what each finished
/// benchmark measured.
pub fn run_with_progress(
    schedule: ctxbench::scheduler::Schedule,
    describe: fn(&ctxbench::measure::Outcome) -> String,
) -> ctxbench::scheduler::Run {
    let mut progress = progress::Progress::new(schedule.len(), describe);
    let schedule = if progress.says_started() {
        schedule.on_harness_up(progress::Progress::started)
    } else {
        schedule
    };
    let run = schedule.run(|step| progress.on(step));
    progress.finish();
    run
}

/// Checks, before anything runs, that each output file (`(flag, path)`) can be written:
/// bad input (exit 2) naming the flag, the path and the fix.
pub fn check_output_files(files: &[(&str, Option<&Path>)]) -> anyhow::Result<()> {
    for (flag, path) in files {
        if let Some(p) = path {
            ctxbench::results::check_file_target(p).with_context(|| flag.to_string())?;
        }
    }
    Ok(())
}

/// Saves `file` at every `(verb, path)` given, printing `verb PATH` for each (`wrote`,
/// `saved`). A save that fails has written a fallback file, which its error names; every
/// path is tried, the other errors are printed and the last is returned.
pub fn save_all(
    file: &ctxbench::results::ResultsFile,
    paths: &[(&str, PathBuf)],
) -> anyhow::Result<()> {
    let mut last = None;
    for (verb, path) in paths {
        match file.save_or_fallback(path) {
            Ok(()) => eprintln!("{verb} {}", path.display()),
            Err(e) => {
                if let Some(prev) = last.replace(e) {
                    eprintln!("Error: {prev}");
                }
            }
        }
    }
    last.map_or(Ok(()), |e| Err(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(args: &[&str]) -> String {
        match Cli::try_parse_from(args) {
            Ok(_) => panic!("{args:?} was accepted"),
            Err(e) => {
                // clap's usage errors exit with 2.
                assert_eq!(e.exit_code(), 2, "{args:?}");
                e.to_string()
            }
        }
    }

    #[test]
    fn bad_sizes_are_refused_before_anything_runs() {
        let e = refused(&["ctxbench", "run", "--ring-sizes", "1,4"]);
        assert!(e.contains("between 2 and 64"), "{e}");
        let e = refused(&["ctxbench", "run", "--ring-sizes", "65"]);
        assert!(e.contains("between 2 and 64"), "{e}");
        let e = refused(&["ctxbench", "run", "--sizes", "64KB,12q"]);
        assert!(e.contains("unknown unit"), "{e}");
        let e = refused(&["ctxbench", "run", "--cpus", "1-0"]);
        assert!(e.contains("backwards"), "{e}");
        let e = refused(&["ctxbench", "explain", "--cpus", "x"]);
        assert!(e.contains("not a CPU number"), "{e}");
        assert!(
            Cli::try_parse_from(["ctxbench", "run", "--sizes", "0,1MiB", "--cpus", "0"]).is_ok()
        );
    }
}
