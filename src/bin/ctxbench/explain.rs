//! `ctxbench explain`: the textbook claims about context switches, judged on this
//! machine, each with the figures it rests on.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use ctxbench::analysis::claims as verdict;
use ctxbench::cpus::CpuChoice;
use ctxbench::export::terminal;
use ctxbench::results::ResultsFile;
use ctxbench::scheduler::{Schedule, Step};

/// Options of `ctxbench explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// Judge a saved results file (`ctxbench run --json FILE`) instead of measuring.
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// CPUs to use (the first one for everything pinned), e.g. `1`.
    #[arg(long, value_parser = super::parse_cpus)]
    cpus: Option<super::List<usize>>,
    /// Also write the results and verdicts as JSON to this file (atomically).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let file = match &args.from {
        Some(path) => ResultsFile::load(path)?,
        None => {
            let cpus = CpuChoice::resolve(args.cpus.as_ref().map(|c| c.0.as_slice()))?;
            let schedule = Schedule::explain(cpus);
            let total = schedule.len();
            // The same loop and the same results file as `ctxbench run`.
            schedule
                .run(|step| match step {
                    Step::Start { index, id, .. } => {
                        eprint!("[{}/{total}] {id} ... ", index + 1);
                        let _ = std::io::stderr().flush();
                    }
                    Step::Done(o) => {
                        eprintln!("{}", if o.valid { "ok" } else { "invalid (not used)" })
                    }
                    Step::Failed(e) => eprintln!("failed: {e}"),
                })
                .file
        }
    };
    let verdicts = verdict::judge_all_with(&file.results, file.guard.as_ref());
    for table in [
        terminal::ring::render(&file.results),
        terminal::isolation::render(&file.results),
        terminal::guard::render(&file),
    ] {
        if !table.is_empty() {
            println!("{table}");
        }
    }
    print!("{}", verdict::render(&verdicts));
    for s in &file.skipped {
        println!("skipped {}: {}", s.id, s.reason);
    }
    if let Some(path) = &args.json {
        let mut file = file;
        file.verdicts = verdicts;
        file.save(path)
            .with_context(|| format!("saving results to {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
