//! What processes cost in memory, as procfs reports it (read from a root path, so tests
//! can feed a fake tree):
//!
//! - `<pid>/smaps_rollup`: `Rss` (every resident page the process maps, shared or not)
//!   and `Pss` (each page divided by the number of processes mapping it, so summing PSS
//!   over processes counts every page once: the honest total);
//! - `<pid>/status`: `VmPTE`, the bytes of the process's page tables;
//! - `meminfo`: `KernelStack`, the kernel stacks of every task on the machine (one per
//!   task, process or thread), so only a before/after difference says anything.

use std::path::Path;

use crate::error::{Error, Result};

/// What the footprint records of n tasks, each in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Proportional set size, summed: what the tasks really added in pages.
    Pss,
    /// Page tables (`VmPTE`), summed.
    PageTables,
    /// Kernel stacks (`KernelStack`, machine-wide, before and after).
    KernelStacks,
    /// Resident set size, summed: shared pages counted in every process that maps them.
    Rss,
}

/// Every quantity, in report order.
pub const QUANTITIES: [Quantity; 4] = [
    Quantity::Pss,
    Quantity::PageTables,
    Quantity::KernelStacks,
    Quantity::Rss,
];

impl Quantity {
    /// Its key in an outcome's `extra`.
    pub fn key(self) -> &'static str {
        match self {
            Quantity::Pss => "pss_bytes",
            Quantity::PageTables => "page_table_bytes",
            Quantity::KernelStacks => "kernel_stack_bytes",
            Quantity::Rss => "rss_bytes",
        }
    }

    /// Its name in tables and verdicts.
    pub fn label(self) -> &'static str {
        match self {
            Quantity::Pss => "PSS",
            Quantity::PageTables => "page tables",
            Quantity::KernelStacks => "kernel stacks",
            Quantity::Rss => "RSS",
        }
    }
}

/// The memory of one process, or of several summed, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessMemory {
    /// Resident set: pages mapped, shared ones counted in full.
    pub rss: u64,
    /// Proportional set: shared pages divided among their sharers.
    pub pss: u64,
    /// Page tables (`VmPTE`).
    pub page_tables: u64,
}

impl ProcessMemory {
    fn add(self, o: ProcessMemory) -> ProcessMemory {
        ProcessMemory {
            rss: self.rss + o.rss,
            pss: self.pss + o.pss,
            page_tables: self.page_tables + o.page_tables,
        }
    }
}

/// The value of a `Name:   123 kB` line of a procfs text, in bytes.
pub fn kb_field(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let value = l.strip_prefix(name)?.strip_prefix(':')?;
        let kb = value
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse::<u64>()
            .ok()?;
        Some(kb * 1024)
    })
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::sys(format!("reading {}", path.display()), e))
}

fn field(path: &Path, text: &str, name: &str) -> Result<u64> {
    kb_field(text, name)
        .ok_or_else(|| Error::InvalidInput(format!("{} has no {name} line", path.display())))
}

/// The memory of process `pid`, from `proc_root` (normally `/proc`).
pub fn read_process(proc_root: &Path, pid: i32) -> Result<ProcessMemory> {
    let rollup = proc_root.join(format!("{pid}/smaps_rollup"));
    let status = proc_root.join(format!("{pid}/status"));
    let (r, s) = (read(&rollup)?, read(&status)?);
    Ok(ProcessMemory {
        rss: field(&rollup, &r, "Rss")?,
        pss: field(&rollup, &r, "Pss")?,
        page_tables: field(&status, &s, "VmPTE")?,
    })
}

/// The memory of every process of `pids`, summed.
pub fn read_processes(proc_root: &Path, pids: &[i32]) -> Result<ProcessMemory> {
    pids.iter().try_fold(ProcessMemory::default(), |sum, &pid| {
        Ok(sum.add(read_process(proc_root, pid)?))
    })
}

/// Folds every CPU's pending changes to the memory statistics into the machine-wide
/// totals (`sys/vm/stat_refresh`, root only), so that `meminfo` is exact. Without it a
/// total such as `KernelStack` lags by what each CPU has not yet passed on (a few tens
/// of KiB per CPU). Returns whether the kernel allowed it.
pub fn refresh_vm_stats(proc_root: &Path) -> bool {
    std::fs::read(proc_root.join("sys/vm/stat_refresh")).is_ok()
}

/// The bytes of kernel stack of every task on the machine (`KernelStack` in `meminfo`).
pub fn kernel_stacks(proc_root: &Path) -> Result<u64> {
    let path = proc_root.join("meminfo");
    field(&path, &read(&path)?, "KernelStack")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_in_kb_become_bytes() {
        let text = "Rss:                1200 kB\nPss:                 300 kB\nPss_Anon:  1 kB\n";
        assert_eq!(kb_field(text, "Rss"), Some(1200 * 1024));
        assert_eq!(kb_field(text, "Pss"), Some(300 * 1024));
        assert_eq!(kb_field(text, "Pss_Anon"), Some(1024));
        assert_eq!(kb_field(text, "Swap"), None);
        assert_eq!(kb_field("Rss: many kB\n", "Rss"), None);
    }

    #[test]
    fn a_fake_tree_is_read_and_summed() {
        let root = tempfile::tempdir().unwrap();
        for (pid, rss, pss, pte) in [(10, 800, 200, 40), (11, 700, 20, 36)] {
            let dir = root.path().join(pid.to_string());
            std::fs::create_dir(&dir).unwrap();
            let rollup = format!("00400000-7fff [rollup]\nRss: {rss} kB\nPss: {pss} kB\n");
            std::fs::write(dir.join("smaps_rollup"), rollup).unwrap();
            let status = format!("Name:\tx\nVmPTE:\t{pte} kB\nThreads:\t1\n");
            std::fs::write(dir.join("status"), status).unwrap();
        }
        std::fs::write(root.path().join("meminfo"), "KernelStack:  5120 kB\n").unwrap();
        let sum = read_processes(root.path(), &[10, 11]).unwrap();
        let kib = 1024;
        assert_eq!(
            sum,
            ProcessMemory {
                rss: 1500 * kib,
                pss: 220 * kib,
                page_tables: 76 * kib
            }
        );
        assert_eq!(kernel_stacks(root.path()).unwrap(), 5120 * kib);
        let e = read_process(root.path(), 12).unwrap_err();
        assert!(e.to_string().contains("12/smaps_rollup"), "{e}");
    }

    #[test]
    fn this_process_is_read() {
        let me = read_process(Path::new("/proc"), std::process::id() as i32).unwrap();
        assert!(me.rss > 0 && me.pss > 0 && me.pss <= me.rss, "{me:?}");
        assert!(me.page_tables > 0);
        assert!(kernel_stacks(Path::new("/proc")).unwrap() > 0);
    }
}
