//! The machine table of a comparison: one row per fingerprint fact, one column per run.

use std::collections::BTreeSet;

use super::inputs::{taken_at, Run};

/// The rows of the machine table: (label, one value per run).
pub fn machine_rows(runs: &[Run]) -> Vec<(String, Vec<String>)> {
    let flag = |f: Option<bool>| {
        match f {
            Some(true) => "yes",
            Some(false) => "no",
            None => crate::fingerprint::UNKNOWN,
        }
        .to_string()
    };
    let count = |n: Option<usize>| n.map_or("unknown".to_string(), |n| n.to_string());
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |name: &str, f: &dyn Fn(&Run) -> String| {
        rows.push((name.to_string(), runs.iter().map(f).collect()));
    };
    row("source", &|r| r.source.display().to_string());
    row("mode", &|r| r.mode.clone());
    row("taken", &|r| {
        r.created_unix.map_or("unknown".into(), human_time)
    });
    row("CPU model", &|r| r.machine.cpu_model.clone());
    row("vendor", &|r| r.machine.cpu_vendor.clone());
    row("family / model / stepping", &|r| {
        format!(
            "{} / {} / {}",
            r.machine.cpu_family, r.machine.cpu_model_number, r.machine.cpu_stepping
        )
    });
    row("microcode", &|r| r.machine.microcode.clone());
    row("logical CPUs", &|r| count(r.machine.logical_cpus));
    row("physical cores", &|r| count(r.machine.physical_cores));
    row("SMT", &|r| r.machine.smt.clone());
    row("topology", &|r| {
        r.machine
            .topology
            .as_ref()
            .map_or("unknown".into(), |t| t.summary())
    });
    row("L2 cache", &|r| {
        r.machine
            .l2_bytes
            .map_or("unknown".into(), crate::units::format_size)
    });
    row("CPUs used", &|r| {
        if r.machine.cpus_used.is_empty() {
            "unknown".into()
        } else {
            crate::cpus::format_cpu_list(&r.machine.cpus_used)
        }
    });
    row("PCID / INVPCID", &|r| {
        format!("{} / {}", flag(r.machine.pcid), flag(r.machine.invpcid))
    });
    row("hypervisor", &|r| flag(r.machine.hypervisor));
    row("governor", &|r| r.machine.scaling_governor.clone());
    row("frequency", &|r| match r.machine.frequency_mhz {
        Some(f) => format!("{f:.0} MHz ({})", r.machine.frequency_source),
        None => "unknown".into(),
    });
    row("kernel", &|r| r.machine.kernel_release.clone());
    row("kernel command line", &|r| r.machine.cmdline_summary());
    row("perf_event_paranoid", &|r| {
        r.machine.perf_event_paranoid.clone()
    });
    row("counter families", &|r| {
        if r.machine.counter_families.is_empty() {
            "unknown".into()
        } else {
            r.machine
                .counter_families
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        }
    });
    row("host", &|r| r.machine.hostname.clone());
    row("ctxbench / commit", &|r| {
        format!("{} / {}", r.machine.ctxbench_version, r.machine.git_commit)
    });
    row("rustc", &|r| r.machine.rustc_version.clone());
    rows.extend(vulnerability_rows(runs));
    rows
}

/// The vulnerability rows: those a CPU is not affected by in one row, each other one a
/// row of its own.
fn vulnerability_rows(runs: &[Run]) -> Vec<(String, Vec<String>)> {
    let mut rows = Vec::new();
    let vulns: BTreeSet<String> = runs
        .iter()
        .flat_map(|r| r.machine.vulnerabilities.keys().cloned())
        .collect();
    rows.push((
        "vulnerabilities: not affected".to_string(),
        runs.iter()
            .map(|r| {
                let names: Vec<&str> = r
                    .machine
                    .vulnerabilities
                    .iter()
                    .filter(|(_, v)| v.as_str() == "Not affected")
                    .map(|(k, _)| k.as_str())
                    .collect();
                if r.machine.vulnerabilities.is_empty() {
                    "unknown".to_string()
                } else if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            })
            .collect(),
    ));
    for v in vulns {
        if runs.iter().all(|r| {
            r.machine
                .vulnerabilities
                .get(&v)
                .is_none_or(|x| x == "Not affected")
        }) {
            continue;
        }
        let vals = runs
            .iter()
            .map(|r| {
                r.machine
                    .vulnerabilities
                    .get(&v)
                    .cloned()
                    .unwrap_or_else(|| "unknown".into())
            })
            .collect();
        rows.push((format!("vuln: {v}"), vals));
    }
    rows
}

/// A UTC time for people: `2026-11-27 06:30:00 UTC`.
pub fn human_time(unix_secs: u64) -> String {
    format!("{} UTC", taken_at(unix_secs, true))
}
