//! The machine fingerprint: what a results file says about the machine that produced it.
//!
//! Everything is read from a root path (`/` on a live machine, a fake tree in tests), and
//! a missing or unreadable file is `"unknown"`, never an error: a container without
//! `/sys` still runs benchmarks, it just says less about itself.
//!
//! ```
//! let fp = ctxbench::fingerprint::Fingerprint::read_from(std::path::Path::new("/"));
//! assert!(!fp.slug().is_empty());
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// What the fingerprint says when a fact could not be read.
pub const UNKNOWN: &str = "unknown";

pub mod cmdline;
pub mod slug;

pub use cmdline::CmdlineDetail;
pub use slug::{sanitise, SLUG_MAX};

/// Facts about the machine and the build behind a results file.
///
/// Text fields are [`UNKNOWN`] when their source was missing; numbers and flags are
/// `None`. Files written before a field existed load with those same defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fingerprint {
    /// `vendor_id` from `/proc/cpuinfo` (`GenuineIntel`, `AuthenticAMD`, ...).
    pub cpu_vendor: String,
    /// `model name` from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// `cpu family`, decimal as the kernel prints it.
    pub cpu_family: String,
    /// `model`, decimal.
    pub cpu_model_number: String,
    /// `stepping`.
    pub cpu_stepping: String,
    /// `microcode` revision.
    pub microcode: String,
    /// Logical CPUs listed in `/proc/cpuinfo`.
    pub logical_cpus: Option<usize>,
    /// Distinct (package, core) pairs in `/proc/cpuinfo`.
    pub physical_cores: Option<usize>,
    /// Simultaneous multithreading: `on`, `off`, `notsupported`, ... from
    /// `/sys/devices/system/cpu/smt/control`, else inferred from the core counts.
    pub smt: String,
    /// The CPUs the run pinned to (filled in by the run).
    pub cpus_used: Vec<usize>,
    /// `/proc/sys/kernel/osrelease`.
    pub kernel_release: String,
    /// `/proc/cmdline`: mitigation, isolation, idle and preemption switches change switch
    /// costs. Only those parameters are kept (see [`cmdline::SWITCH_PARAMS`]) unless the
    /// run asked for the whole line; an empty string when none is set.
    pub kernel_cmdline: String,
    /// How many words of `/proc/cmdline` [`Fingerprint::kernel_cmdline`] leaves out
    /// (boot image, root device, console, init arguments, ...); `None` when it holds the
    /// whole line (`ctxbench run --full-cmdline`, and files written before the filter).
    pub kernel_cmdline_dropped: Option<usize>,
    /// Every `/sys/devices/system/cpu/vulnerabilities/*` file: name to its line.
    pub vulnerabilities: BTreeMap<String, String>,
    /// The `pcid` CPU flag: switches can keep TLB entries tagged by address space.
    pub pcid: Option<bool>,
    /// The `invpcid` CPU flag.
    pub invpcid: Option<bool>,
    /// The `hypervisor` CPU flag: the "CPU" is a virtual one.
    pub hypervisor: Option<bool>,
    /// The cpufreq scaling governors in use (comma-separated when CPUs differ).
    pub scaling_governor: String,
    /// The current frequency of the first CPU in MHz, from cpufreq or else `cpu MHz`.
    pub frequency_mhz: Option<f64>,
    /// Where [`Fingerprint::frequency_mhz`] came from.
    pub frequency_source: String,
    /// `/proc/sys/kernel/perf_event_paranoid`.
    pub perf_event_paranoid: String,
    /// `/proc/sys/kernel/hostname`.
    pub hostname: String,
    /// Counter families (`hardware`, `software`, `tracepoint`) to `available` or the
    /// reason they did not open (filled in by the run).
    pub counter_families: BTreeMap<String, String>,
    /// `rustc --version` of the compiler that built ctxbench.
    pub rustc_version: String,
    /// The ctxbench version.
    pub ctxbench_version: String,
    /// `git rev-parse --short HEAD` at build time.
    pub git_commit: String,
    /// Which CPUs share a core, an L3 and a package, and how many pairs each class holds
    /// (of the CPUs this process may use, on a live machine); `None` where
    /// `/sys/devices/system/cpu` describes none, and in files written before it existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topology: Option<crate::topology::Topology>,
    /// The L2 cache of the first CPU used (of CPU 0 before the run sets them), bytes, from
    /// `/sys/devices/system/cpu/cpuN/cache/index*/`: what the anatomy of a switch chooses
    /// its working sets by. `None` where not described, and in files written before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l2_bytes: Option<u64>,
}

impl Default for Fingerprint {
    fn default() -> Self {
        let u = || UNKNOWN.to_string();
        Self {
            cpu_vendor: u(),
            cpu_model: u(),
            cpu_family: u(),
            cpu_model_number: u(),
            cpu_stepping: u(),
            microcode: u(),
            logical_cpus: None,
            physical_cores: None,
            smt: u(),
            cpus_used: Vec::new(),
            kernel_release: u(),
            kernel_cmdline: u(),
            kernel_cmdline_dropped: None,
            vulnerabilities: BTreeMap::new(),
            pcid: None,
            invpcid: None,
            hypervisor: None,
            scaling_governor: u(),
            frequency_mhz: None,
            frequency_source: u(),
            perf_event_paranoid: u(),
            hostname: u(),
            counter_families: BTreeMap::new(),
            rustc_version: u(),
            ctxbench_version: u(),
            git_commit: u(),
            topology: None,
            l2_bytes: None,
        }
    }
}

/// Reads a small text file, trimmed; `None` when missing, unreadable or empty.
fn read_trim(path: &Path) -> Option<String> {
    let s = fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The size of `cpu`'s level-2 data or unified cache, bytes, from the `cache/index*/`
/// folders under `cpu_sys` (`level` 2, `type` not `Instruction`, `size` like `1024K`).
fn l2_of(cpu_sys: &Path, cpu: usize) -> Option<u64> {
    let dir = fs::read_dir(cpu_sys.join(format!("cpu{cpu}/cache"))).ok()?;
    dir.flatten().map(|e| e.path()).find_map(|p| {
        let level = read_trim(&p.join("level"))?;
        let kind = read_trim(&p.join("type")).unwrap_or_default();
        if level != "2" || kind == "Instruction" {
            return None;
        }
        crate::units::parse_size(&read_trim(&p.join("size"))?).ok()
    })
}

fn or_unknown(v: Option<String>) -> String {
    v.unwrap_or_else(|| UNKNOWN.to_string())
}

/// `t` where it describes a CPU.
fn described(t: crate::topology::Topology) -> Option<crate::topology::Topology> {
    (!t.cpus.is_empty()).then_some(t)
}

/// One processor block of `/proc/cpuinfo` as key/value pairs.
type CpuBlock = BTreeMap<String, String>;

fn parse_cpuinfo(text: &str) -> Vec<CpuBlock> {
    let mut blocks = Vec::new();
    let mut cur = CpuBlock::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                blocks.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            cur.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    if !cur.is_empty() {
        blocks.push(cur);
    }
    // Only blocks that describe a processor (some architectures add a trailer).
    blocks.retain(|b| b.contains_key("processor"));
    blocks
}

impl Fingerprint {
    /// Reads the machine facts under `root` (`/` for this machine), the kernel command
    /// line reduced to what changes switch costs. Never fails: what cannot be read is
    /// [`UNKNOWN`]. The build facts (rustc, version, commit) come from this binary; the
    /// run facts (`cpus_used`, `counter_families`) start empty.
    pub fn read_from(root: &Path) -> Self {
        Self::read_with(root, CmdlineDetail::SwitchRelevant)
    }

    /// [`Fingerprint::read_from`], keeping as much of the kernel command line as
    /// `cmdline` says.
    pub fn read_with(root: &Path, cmdline: CmdlineDetail) -> Self {
        let mut fp = Fingerprint {
            rustc_version: env!("CTXBENCH_RUSTC_VERSION").to_string(),
            ctxbench_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: env!("CTXBENCH_GIT_COMMIT").to_string(),
            ..Fingerprint::default()
        };
        let proc_ = root.join("proc");
        let cpu_sys = root.join("sys/devices/system/cpu");
        fp.read_cpuinfo(&proc_);
        fp.smt = match read_trim(&cpu_sys.join("smt/control")) {
            Some(c) => c,
            None => match (fp.logical_cpus, fp.physical_cores) {
                (Some(l), Some(p)) if p > 0 && l > p => "on".into(),
                (Some(l), Some(p)) if l == p => "off".into(),
                _ => UNKNOWN.into(),
            },
        };
        fp.kernel_release = or_unknown(read_trim(&proc_.join("sys/kernel/osrelease")));
        fp.read_cmdline(&proc_, cmdline);
        fp.perf_event_paranoid =
            or_unknown(read_trim(&proc_.join("sys/kernel/perf_event_paranoid")));
        fp.hostname = or_unknown(read_trim(&proc_.join("sys/kernel/hostname")));
        if let Ok(dir) = fs::read_dir(cpu_sys.join("vulnerabilities")) {
            for e in dir.flatten() {
                if let Some(line) = read_trim(&e.path()) {
                    fp.vulnerabilities
                        .insert(e.file_name().to_string_lossy().into_owned(), line);
                }
            }
        }
        fp.read_cpufreq(&cpu_sys);
        fp.topology = described(crate::topology::Topology::read(&cpu_sys, None));
        fp.l2_bytes = l2_of(&cpu_sys, 0);
        fp
    }

    /// The CPU's identity, flags, counts and frequency from the first `/proc/cpuinfo`
    /// block.
    fn read_cpuinfo(&mut self, proc_: &Path) {
        let blocks = fs::read_to_string(proc_.join("cpuinfo"))
            .map(|t| parse_cpuinfo(&t))
            .unwrap_or_default();
        let Some(first) = blocks.first() else { return };
        let get = |k: &str| first.get(k).filter(|v| !v.is_empty()).cloned();
        self.cpu_vendor = or_unknown(get("vendor_id"));
        self.cpu_model = or_unknown(get("model name"));
        self.cpu_family = or_unknown(get("cpu family"));
        self.cpu_model_number = or_unknown(get("model"));
        self.cpu_stepping = or_unknown(get("stepping"));
        self.microcode = or_unknown(get("microcode"));
        if let Some(flags) = get("flags") {
            let set: BTreeSet<&str> = flags.split_whitespace().collect();
            self.pcid = Some(set.contains("pcid"));
            self.invpcid = Some(set.contains("invpcid"));
            self.hypervisor = Some(set.contains("hypervisor"));
        }
        self.logical_cpus = Some(blocks.len());
        // Cores are distinct (package, core) pairs; without core ids (some VMs and
        // architectures) the count stays unknown rather than guessed.
        if blocks.iter().all(|b| b.contains_key("core id")) {
            let cores: BTreeSet<(&str, &str)> = blocks
                .iter()
                .map(|b| {
                    (
                        b.get("physical id").map_or("0", |s| s.as_str()),
                        b["core id"].as_str(),
                    )
                })
                .collect();
            self.physical_cores = Some(cores.len());
        }
        if let Some(mhz) = get("cpu MHz").and_then(|m| m.parse::<f64>().ok()) {
            self.frequency_mhz = Some(mhz);
            self.frequency_source = "/proc/cpuinfo cpu MHz".into();
        }
    }

    /// cpufreq: per-CPU policy files; the governors of every CPU, the frequency of the
    /// first (which replaces /proc/cpuinfo's where present).
    fn read_cpufreq(&mut self, cpu_sys: &Path) {
        let mut governors = BTreeSet::new();
        let mut first_freq = None;
        let mut cpu_dirs: Vec<(usize, std::path::PathBuf)> = fs::read_dir(cpu_sys)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let n = name.strip_prefix("cpu")?.parse::<usize>().ok()?;
                        Some((n, e.path()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        cpu_dirs.sort();
        for (_, dir) in &cpu_dirs {
            if let Some(g) = read_trim(&dir.join("cpufreq/scaling_governor")) {
                governors.insert(g);
            }
            if first_freq.is_none() {
                first_freq = read_trim(&dir.join("cpufreq/scaling_cur_freq"))
                    .and_then(|k| k.parse::<f64>().ok());
            }
        }
        if !governors.is_empty() {
            self.scaling_governor = governors.into_iter().collect::<Vec<_>>().join(",");
        }
        if let Some(khz) = first_freq {
            self.frequency_mhz = Some(khz / 1000.0);
            self.frequency_source = "cpufreq scaling_cur_freq".into();
        }
    }

    /// This machine's fingerprint (`/`), with the CPUs the run uses and as much of the
    /// kernel command line as `cmdline` says.
    pub fn this_machine(cpus_used: &[usize], cmdline: CmdlineDetail) -> Self {
        let cpu_sys = Path::new("/sys/devices/system/cpu");
        let first = cpus_used.first().copied().unwrap_or(0);
        let read = Self::read_with(Path::new("/"), cmdline);
        Fingerprint {
            cpus_used: cpus_used.to_vec(),
            topology: described(crate::topology::Topology::this_machine()),
            l2_bytes: l2_of(cpu_sys, first).or(read.l2_bytes),
            ..read
        }
    }

    /// A few lines for the top of a run: what the numbers below were measured on.
    pub fn summary(&self) -> String {
        let flag = |f: Option<bool>| match f {
            Some(true) => "yes",
            Some(false) => "no",
            None => UNKNOWN,
        };
        let count = |n: Option<usize>| n.map_or(UNKNOWN.to_string(), |n| n.to_string());
        let freq = match self.frequency_mhz {
            Some(f) => format!("{f:.0} MHz ({})", self.frequency_source),
            None => UNKNOWN.into(),
        };
        let vulnerable: Vec<&str> = self
            .vulnerabilities
            .iter()
            .filter(|(_, v)| v.starts_with("Vulnerable"))
            .map(|(k, _)| k.as_str())
            .collect();
        let mitigated = self
            .vulnerabilities
            .values()
            .filter(|v| v.starts_with("Mitigation"))
            .count();
        let mut out = format!(
            "machine: {} ({}, family {} model {} stepping {}, microcode {})\n",
            self.cpu_model,
            self.cpu_vendor,
            self.cpu_family,
            self.cpu_model_number,
            self.cpu_stepping,
            self.microcode
        );
        out += &format!(
            "  cpus: {} logical, {} cores, SMT {}; pinned to {}; pcid {}, invpcid {}, hypervisor {}\n",
            count(self.logical_cpus),
            count(self.physical_cores),
            self.smt,
            if self.cpus_used.is_empty() {
                "none".to_string()
            } else {
                crate::cpus::format_cpu_list(&self.cpus_used)
            },
            flag(self.pcid),
            flag(self.invpcid),
            flag(self.hypervisor)
        );
        out += &format!(
            "  kernel {} on {}; governor {}, {}; perf_event_paranoid {}\n",
            self.kernel_release,
            self.hostname,
            self.scaling_governor,
            freq,
            self.perf_event_paranoid
        );
        if let Some(t) = &self.topology {
            out += &format!("  topology: {}\n", t.summary());
        }
        out += &format!("  kernel command line: {}\n", self.cmdline_summary());
        out += &format!(
            "  vulnerabilities: {} mitigated, vulnerable: {}\n",
            mitigated,
            if vulnerable.is_empty() {
                "none".to_string()
            } else {
                vulnerable.join(", ")
            }
        );
        out += &format!(
            "  ctxbench {} ({}), {}\n",
            self.ctxbench_version, self.git_commit, self.rustc_version
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_of_unknown_machine() {
        assert_eq!(Fingerprint::default().slug(), "unknown-unknown");
        let fp = Fingerprint {
            cpu_model: "!!!".into(),
            hostname: "???".into(),
            ..Fingerprint::default()
        };
        assert_eq!(fp.slug(), "unknown");
    }

    #[test]
    fn slugs_of_the_project_machines_and_their_older_names() {
        let vm = |model: &str, family: &str, number: &str| Fingerprint {
            cpu_model: model.into(),
            cpu_family: family.into(),
            cpu_model_number: number.into(),
            hostname: "vm".into(),
            ..Fingerprint::default()
        };
        let intel = vm("Intel(R) Xeon(R) Processor", "6", "167");
        assert_eq!(intel.slug(), "intel-xeon-f6m167-vm");
        // Two AMD generations under one model name file apart.
        let zen4 = vm("AMD EPYC", "25", "17");
        let zen5 = vm("AMD EPYC", "26", "2");
        assert_eq!(zen4.slug(), "amd-epyc-f25m17-vm");
        assert_eq!(zen5.slug(), "amd-epyc-f26m2-vm");
        assert_eq!(
            vm("AMD EPYC 7B13 64-Core Processor", "25", "1").slug(),
            "amd-epyc-7b13-f25m1-vm"
        );
        // Unknown or odd numbers are left out, not guessed.
        assert_eq!(vm("AMD EPYC", UNKNOWN, "2").slug(), "amd-epyc-vm");
        assert_eq!(vm("AMD EPYC", "0x1a", "2").slug(), "amd-epyc-vm");
        assert!(vm("AMD EPYC", "25", "17").generation() == Some("f25m17".into()));
    }

    #[test]
    fn the_command_line_summary_says_what_was_left_out() {
        let mut fp = Fingerprint {
            kernel_cmdline: "mitigations=off".into(),
            kernel_cmdline_dropped: Some(3),
            ..Fingerprint::default()
        };
        assert_eq!(
            fp.cmdline_summary(),
            "mitigations=off (3 other words left out)"
        );
        fp.kernel_cmdline_dropped = None;
        assert_eq!(fp.cmdline_summary(), "mitigations=off");
        fp.kernel_cmdline = String::new();
        fp.kernel_cmdline_dropped = Some(1);
        assert_eq!(
            fp.cmdline_summary(),
            "no parameter that changes switch costs (1 other word left out)"
        );
    }

    #[test]
    fn cpuinfo_blocks() {
        let b =
            parse_cpuinfo("processor\t: 0\nmodel name\t: X: Y\n\nprocessor : 1\n\nHardware : z\n");
        assert_eq!(b.len(), 2);
        assert_eq!(b[0]["model name"], "X: Y");
    }
}
