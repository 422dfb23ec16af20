//! `ctxbench counters`: which perf events this machine lets ctxbench count, and why not.

use std::process::ExitCode;

use ctxbench::counters::{self, events, reasons};

/// Prints every known event, its family, and whether it opens here (with the reason when
/// it does not). Exit code 0 either way: a refusal is information, not a failure.
pub fn counters() -> anyhow::Result<ExitCode> {
    let status = counters::machine_status(&events::all());
    let name_w = status.iter().map(|(e, _)| e.name.len()).max().unwrap_or(4);
    let paranoid = reasons::paranoid().map_or("unreadable".into(), |p| p.to_string());
    let who = match effective_uid() {
        Some(0) => "root".to_string(),
        Some(uid) => format!("uid {uid} (not root)"),
        None => "an unknown user".to_string(),
    };
    println!("perf_event_paranoid: {paranoid}; running as {who}");
    if let Some(note) = super::tracefs_note() {
        println!("{note}");
    }
    println!(
        "{:<name_w$}  {:<10}  {:<7}  why not",
        "event", "family", "allowed"
    );
    for (e, why) in &status {
        println!(
            "{:<name_w$}  {:<10}  {:<7}  {}",
            e.name,
            e.family.name(),
            if why.is_none() { "yes" } else { "no" },
            why.as_deref().unwrap_or("")
        );
    }
    let n = status.iter().filter(|(_, w)| w.is_none()).count();
    println!("{n} of {} events can be counted here", status.len());
    Ok(ExitCode::SUCCESS)
}

/// The effective user id, from the `Uid:` line of /proc/self/status.
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}
