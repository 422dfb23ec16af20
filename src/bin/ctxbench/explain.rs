//! `ctxbench explain`: the textbook claims about context switches, judged on this
//! machine, each with the figures it rests on.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use ctxbench::cpus::CpuChoice;
use ctxbench::experiments::verdict;
use ctxbench::export::terminal;
use ctxbench::measure::SampleConfig;
use ctxbench::results::{ResultsFile, Skipped};
use ctxbench::runner;

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
    let (outcomes, skipped) = match &args.from {
        Some(path) => {
            let f = ResultsFile::load(path)?;
            (f.results, f.skipped)
        }
        None => measure(&args)?,
    };
    let verdicts = verdict::judge_all(&outcomes);
    let ring = terminal::ring::render(&outcomes);
    if !ring.is_empty() {
        println!("{ring}");
    }
    print!("{}", verdict::render(&verdicts));
    for s in &skipped {
        println!("skipped {}: {}", s.id, s.reason);
    }
    if let Some(path) = &args.json {
        let mut f = ResultsFile::new("quick", outcomes, skipped);
        f.verdicts = verdicts;
        f.save(path)
            .with_context(|| format!("saving results to {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the quick experiments the claims need.
fn measure(args: &ExplainArgs) -> anyhow::Result<(Vec<ctxbench::measure::Outcome>, Vec<Skipped>)> {
    let cpus = CpuChoice::resolve(args.cpus.as_ref().map(|c| c.0.as_slice()))?;
    let cfg = SampleConfig::quick();
    // The ping-pongs and rings run twice, a pass apart; the less disturbed pass is kept.
    let mut planned = runner::explain_plan(&cpus);
    planned.extend(runner::explain_repeats(&planned));
    let mut outcomes = Vec::new();
    let mut skipped = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let id = p.id();
        eprint!("[{}/{}] {id} ... ", i + 1, planned.len());
        let _ = std::io::stderr().flush();
        match runner::run_one(p, &cfg) {
            Ok(o) => {
                eprintln!("{}", if o.valid { "ok" } else { "invalid (not used)" });
                outcomes.push(o);
            }
            Err(e) => {
                eprintln!("failed: {e}");
                skipped.push(Skipped {
                    id,
                    reason: format!("failed: {e}"),
                });
            }
        }
    }
    let mut outcomes = runner::keep_least_disturbed(outcomes);
    let mut seen = std::collections::BTreeSet::new();
    skipped.retain(|s| !outcomes.iter().any(|o| o.id == s.id) && seen.insert(s.id.clone()));
    runner::finish(&mut outcomes);
    Ok((outcomes, skipped))
}
