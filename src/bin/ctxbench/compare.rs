//! `ctxbench compare`: results files side by side, as one HTML page or as Markdown.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use ctxbench::export::{inputs, Format};

/// Report formats.
#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// One self-contained HTML page (inline CSS and SVG, no script).
    Html,
    /// Markdown tables, for a terminal or a pull request.
    Markdown,
}

/// Options of `ctxbench compare`.
#[derive(Args)]
pub struct CompareArgs {
    /// Results files, directories holding them (searched recursively), or criterion's
    /// output directory (`target/criterion`).
    #[arg(required = true, value_name = "FILE|DIR")]
    inputs: Vec<PathBuf>,
    /// Write the report to this file (atomically, once every input has loaded) instead of
    /// printing it.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The format. Default: Markdown when printing or when the output ends in `.md`,
    /// HTML otherwise.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
}

pub fn compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let format = match (args.format, &args.output) {
        (Some(FormatArg::Html), _) => Format::Html,
        (Some(FormatArg::Markdown), _) => Format::Markdown,
        (None, Some(o)) if o.extension().is_some_and(|e| e == "md") => Format::Markdown,
        (None, Some(_)) => Format::Html,
        (None, None) => Format::Markdown,
    };
    super::check_output_files(&[("--output", args.output.as_deref())])?;
    let loaded = inputs::load_inputs(&args.inputs)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let report = format.exporter().render(&loaded.runs);
    match &args.output {
        Some(path) => {
            ctxbench::results::write_atomic(path, report.as_bytes())
                .with_context(|| format!("writing the report to {}", path.display()))?;
            eprintln!(
                "wrote {} ({} run{})",
                path.display(),
                loaded.runs.len(),
                if loaded.runs.len() == 1 { "" } else { "s" }
            );
        }
        None => print!("{report}"),
    }
    Ok(ExitCode::SUCCESS)
}
