//! Reading a topology from a `/sys/devices/system/cpu` tree (a live one or a test's).
//!
//! Per CPU: `topology/physical_package_id` (its package), `topology/core_cpus_list`
//! (else the older `thread_siblings_list`, else the CPUs with the same package and
//! `core_id`) for its core, and the `cache/index*/shared_cpu_list` of the cache whose
//! `level` is 3 (and whose `type` is not `Instruction`) for its L3. Every set is cut down
//! to the CPUs that count.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::{CpuList, Topology};
use crate::cpus::parse_cpu_list;

/// What one CPU's files say.
#[derive(Debug, Default)]
struct CpuFiles {
    package: Option<u64>,
    core_id: Option<u64>,
    core: Option<Vec<usize>>,
    l3: Option<Vec<usize>>,
}

fn text(p: &Path) -> Option<String> {
    let s = fs::read_to_string(p).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn number(p: &Path) -> Option<u64> {
    text(p)?.parse().ok()
}

fn list(p: &Path) -> Option<Vec<usize>> {
    parse_cpu_list(&text(p)?).ok()
}

/// The `cpuN` directories under `cpu_sys`, by number.
fn cpu_dirs(cpu_sys: &Path) -> Vec<usize> {
    let mut v: Vec<usize> = fs::read_dir(cpu_sys)
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_prefix("cpu")?.parse::<usize>().ok()
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort_unstable();
    v
}

/// The L3 a CPU's cache directories describe: the shared CPUs of its level-3 data or
/// unified cache.
fn l3_of(cpu_dir: &Path) -> Option<Vec<usize>> {
    let mut caches: Vec<_> = fs::read_dir(cpu_dir.join("cache"))
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("index"))
        .map(|e| e.path())
        .collect();
    caches.sort();
    caches.into_iter().find_map(|d| {
        let level3 = number(&d.join("level")) == Some(3);
        let instructions = text(&d.join("type")).is_some_and(|t| t == "Instruction");
        if level3 && !instructions {
            list(&d.join("shared_cpu_list"))
        } else {
            None
        }
    })
}

fn cpu_files(cpu_dir: &Path) -> CpuFiles {
    let t = cpu_dir.join("topology");
    CpuFiles {
        package: number(&t.join("physical_package_id")),
        core_id: number(&t.join("core_id")),
        core: list(&t.join("core_cpus_list")).or_else(|| list(&t.join("thread_siblings_list"))),
        l3: l3_of(cpu_dir),
    }
}

/// Distinct sets, each cut down to `keep`, empty ones dropped, in the order of their
/// first CPU.
fn distinct(sets: impl IntoIterator<Item = Vec<usize>>, keep: &[usize]) -> Vec<CpuList> {
    let mut out: Vec<CpuList> = Vec::new();
    for s in sets {
        let cut = CpuList::new(s.into_iter().filter(|c| keep.contains(c)).collect());
        if !cut.is_empty() && !out.contains(&cut) {
            out.push(cut);
        }
    }
    out.sort_by_key(|s| s.cpus()[0]);
    out
}

/// See [`Topology::read`].
pub(super) fn read(cpu_sys: &Path, allowed: Option<&[usize]>) -> Topology {
    let online = list(&cpu_sys.join("online"));
    let counted: Vec<usize> = cpu_dirs(cpu_sys)
        .into_iter()
        .filter(|c| online.as_ref().is_none_or(|o| o.contains(c)))
        .filter(|c| allowed.is_none_or(|a| a.contains(c)))
        .collect();
    let files: BTreeMap<usize, CpuFiles> = counted
        .iter()
        .map(|&c| (c, cpu_files(&cpu_sys.join(format!("cpu{c}")))))
        .collect();
    let (read, unread): (Vec<usize>, Vec<usize>) =
        counted.iter().partition(|c| files[c].package.is_some());
    let package = |c: &usize| files[c].package;
    let packages = distinct(
        read.iter().map(|c| {
            read.iter()
                .copied()
                .filter(|d| package(d) == package(c))
                .collect()
        }),
        &read,
    );
    let cores = distinct(
        read.iter().map(|c| match &files[c].core {
            Some(set) => set.clone(),
            // No sibling list: the CPUs of the same package with the same core id.
            None => read
                .iter()
                .copied()
                .filter(|d| {
                    files[c].core_id.is_some()
                        && package(d) == package(c)
                        && files[d].core_id == files[c].core_id
                })
                .chain([*c])
                .collect(),
        }),
        &read,
    );
    let l3 = distinct(read.iter().filter_map(|c| files[c].l3.clone()), &read);
    let mut t = Topology::from_sets(read, cores, l3, packages);
    t.unread = CpuList::new(unread);
    t
}
