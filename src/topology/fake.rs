//! Fake `/sys/devices/system/cpu` trees for tests: the files the kernel writes, for
//! machines of a given shape.

use std::fs;
use std::path::Path;

/// One CPU of a fake machine.
#[derive(Debug, Clone, Copy)]
pub struct FakeCpu {
    /// Its number.
    pub cpu: usize,
    /// `physical_package_id`.
    pub package: usize,
    /// `core_id` (within the package).
    pub core: usize,
    /// Its L3 domain, numbered across the machine (`None`: no L3 described).
    pub l3: Option<usize>,
}

/// A machine of `packages` x `l3s` (per package) x `cores` (per L3) x `threads` (per
/// core), numbered the way Linux numbers x86 CPUs: the first thread of every core first,
/// then the second threads (CPU `i` and `i + cores in all` are siblings).
pub fn shape(packages: usize, l3s: usize, cores: usize, threads: usize) -> Vec<FakeCpu> {
    let per_thread = packages * l3s * cores;
    let mut v = Vec::new();
    for t in 0..threads {
        for i in 0..per_thread {
            let (package, rest) = (i / (l3s * cores), i % (l3s * cores));
            v.push(FakeCpu {
                cpu: t * per_thread + i,
                package,
                core: rest,
                l3: Some(i / cores),
            });
        }
    }
    v
}

fn write(p: &Path, text: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, format!("{text}\n")).unwrap();
}

fn list_of(cpus: impl Iterator<Item = usize>) -> String {
    crate::cpus::format_cpu_list(&cpus.collect::<Vec<_>>())
}

/// Writes the tree of `cpus` under `root` (the `cpu` directory itself), with an `online`
/// file listing them all, the sibling lists, and L1/L2 caches per core beside the L3.
pub fn write_tree(root: &Path, cpus: &[FakeCpu]) {
    write(&root.join("online"), &list_of(cpus.iter().map(|c| c.cpu)));
    for c in cpus {
        let d = root.join(format!("cpu{}", c.cpu));
        let siblings = list_of(
            cpus.iter()
                .filter(|o| o.package == c.package && o.core == c.core)
                .map(|o| o.cpu),
        );
        let t = d.join("topology");
        write(&t.join("physical_package_id"), &c.package.to_string());
        write(&t.join("core_id"), &c.core.to_string());
        write(&t.join("core_cpus_list"), &siblings);
        write(&t.join("thread_siblings_list"), &siblings);
        for (i, (level, kind)) in [(1, "Data"), (1, "Instruction"), (2, "Unified")]
            .into_iter()
            .enumerate()
        {
            let x = d.join(format!("cache/index{i}"));
            write(&x.join("level"), &level.to_string());
            write(&x.join("type"), kind);
            write(&x.join("shared_cpu_list"), &siblings);
        }
        if let Some(l3) = c.l3 {
            let x = d.join("cache/index3");
            write(&x.join("level"), "3");
            write(&x.join("type"), "Unified");
            let shared = list_of(cpus.iter().filter(|o| o.l3 == Some(l3)).map(|o| o.cpu));
            write(&x.join("shared_cpu_list"), &shared);
        }
    }
}

/// A temporary tree of `cpus`; the directory goes when the guard drops.
pub fn tree(cpus: &[FakeCpu]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), cpus);
    dir
}
