//! `ctxbench explain`: the textbook claims about context switches, judged on this
//! machine, each with the figures it rests on, then the anatomy of a switch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use ctxbench::analysis::anatomy::Anatomy;
use ctxbench::analysis::claims as verdict;
use ctxbench::cpus::CpuChoice;
use ctxbench::export::terminal;
use ctxbench::results::{ResultsFile, Skipped};
use ctxbench::scheduler::Schedule;

/// Options of `ctxbench explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// Judge a saved results file (`ctxbench run --json FILE`) instead of measuring.
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// CPUs to use (the first one for everything pinned), e.g. `1`.
    #[arg(long, value_parser = super::parse_cpus)]
    cpus: Option<super::List<usize>>,
    /// Also write the results and verdicts as JSON to this file (atomically; checked
    /// before anything runs).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    super::check_output_files(&[("--json", args.json.as_deref())])?;
    let file = match &args.from {
        Some(path) => ResultsFile::load(path)?,
        None => {
            let cpus = CpuChoice::resolve(args.cpus.as_ref().map(|c| c.0.as_slice()))?;
            // The same loop and the same results file as `ctxbench run`.
            super::run_with_progress(Schedule::explain(cpus), |o| {
                if o.valid { "ok" } else { "invalid (not used)" }.to_string()
            })
            .file
        }
    };
    let not_run: Vec<(&str, &str)> = file.skipped.iter().map(Skipped::pair).collect();
    let facts = verdict::RunFacts {
        skipped: &not_run,
        permissions: file.permissions.as_ref(),
        paired: &file.paired,
    };
    let verdicts = verdict::judge_all_in(&file.results, &facts);
    let anatomy = Anatomy::of(&file.results, &facts, file.machine.l2_bytes);
    for table in [
        terminal::ring::render(&file.results),
        terminal::isolation::render(&file.results),
        terminal::permissions::render(&file),
    ] {
        if !table.is_empty() {
            println!("{table}");
        }
    }
    print!("{}", verdict::render(&verdicts));
    let table = terminal::anatomy::render(&anatomy);
    if !table.is_empty() {
        print!("\n{table}\n");
    }
    for s in &file.skipped {
        println!("skipped {}: {}", s.id, s.reason);
    }
    if let Some(path) = &args.json {
        let mut file = file;
        file.verdicts = verdicts;
        file.anatomy = anatomy;
        super::save_all(&file, &[("wrote", path.clone())])?;
    }
    Ok(ExitCode::SUCCESS)
}
