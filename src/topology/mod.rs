//! Where each CPU sits, and what two CPUs share: the machine's topology as the kernel
//! describes it under `/sys/devices/system/cpu` (`cpu*/topology/` and
//! `cpu*/cache/index*/shared_cpu_list`).
//!
//! A pair of CPUs falls in one [`PairClass`], by the closest thing the two share: one
//! core (SMT siblings), one L3 cache (a CCX or a die), one package, or nothing (two
//! sockets). The cost of handing work from one CPU to the other depends on that class far
//! more than on the CPU numbers, so the topology sweep ([`crate::experiments::topology`])
//! picks its pairs by class.
//!
//! Reading is a pure function of a root path, so tests feed fake trees:
//!
//! ```
//! use ctxbench::topology::{PairClass, Topology, SYS_CPU};
//! let t = Topology::read(std::path::Path::new(SYS_CPU), None);
//! for (class, pairs) in &t.pairs {
//!     println!("{class}: {pairs} pairs");
//! }
//! if let [a, b, ..] = t.cpus.cpus() {
//!     assert!(t.class_of(*a, *b).is_some());
//! }
//! # let _ = PairClass::Smt;
//! ```

mod read;

#[cfg(test)]
pub(crate) mod fake;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cpus::{format_cpu_list, parse_cpu_list};

/// Where the kernel describes the CPUs on a live machine.
pub const SYS_CPU: &str = "/sys/devices/system/cpu";

/// What two distinct CPUs share at the closest: the class of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairClass {
    /// Two hardware threads of one core: they share its L1 and L2.
    Smt,
    /// Two cores sharing one L3 cache (a CCX on AMD, a die or a whole socket on Intel).
    SameL3,
    /// Two cores of one package that share no L3 (two CCXs, two dies).
    SamePackage,
    /// Two packages (sockets): a line travels over the socket interconnect.
    CrossPackage,
}

/// Every class, nearest first: the order tables and the plan use.
pub const CLASSES: [PairClass; 4] = [
    PairClass::Smt,
    PairClass::SameL3,
    PairClass::SamePackage,
    PairClass::CrossPackage,
];

impl PairClass {
    /// Its name, as ids, outcomes (`variant`) and files spell it: `smt`, `same-l3`,
    /// `same-package`, `cross-package`.
    pub fn name(self) -> &'static str {
        match self {
            PairClass::Smt => "smt",
            PairClass::SameL3 => "same-l3",
            PairClass::SamePackage => "same-package",
            PairClass::CrossPackage => "cross-package",
        }
    }

    /// What the two CPUs of such a pair share, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            PairClass::Smt => "SMT siblings: two threads of one core",
            PairClass::SameL3 => "two cores sharing an L3 (CCX or die)",
            PairClass::SamePackage => "one package, no shared L3",
            PairClass::CrossPackage => "two packages (sockets)",
        }
    }

    /// The class named `name` (as [`PairClass::name`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        CLASSES.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for PairClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of CPUs, ascending, written as the kernel writes CPU lists (`0-3,8`); an empty
/// set is an empty string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CpuList(Vec<usize>);

impl CpuList {
    /// The set of `cpus` (sorted, each once).
    pub fn new(mut cpus: Vec<usize>) -> Self {
        cpus.sort_unstable();
        cpus.dedup();
        CpuList(cpus)
    }

    /// The CPUs, ascending.
    pub fn cpus(&self) -> &[usize] {
        &self.0
    }

    /// Whether `cpu` is in the set.
    pub fn contains(&self, cpu: usize) -> bool {
        self.0.binary_search(&cpu).is_ok()
    }

    /// How many CPUs it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when it holds none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for CpuList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_cpu_list(&self.0))
    }
}

impl From<CpuList> for String {
    fn from(l: CpuList) -> Self {
        l.to_string()
    }
}

impl TryFrom<String> for CpuList {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        if s.trim().is_empty() {
            return Ok(CpuList::default());
        }
        parse_cpu_list(&s)
            .map(CpuList::new)
            .map_err(|e| e.to_string())
    }
}

/// The machine's topology over the CPUs that count (online, and in this process's
/// affinity mask when one is given): which CPUs share a core, an L3, a package, and how
/// many pairs fall in each class. Results files keep it in the machine fingerprint;
/// files written before it existed load without it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Topology {
    /// The CPUs described, ascending.
    pub cpus: CpuList,
    /// Each core's CPUs: one set per core, two or more where SMT is on.
    pub cores: Vec<CpuList>,
    /// The CPUs sharing each L3 cache; empty where the kernel describes none (then no pair
    /// is `same-l3`: two cores of one package count as `same-package`).
    pub l3: Vec<CpuList>,
    /// Each package's (socket's) CPUs.
    pub packages: Vec<CpuList>,
    /// How many pairs of [`Topology::cpus`] each class holds (classes with none left out).
    pub pairs: BTreeMap<PairClass, usize>,
    /// CPUs that count but whose package could not be read: left out of everything
    /// above, never guessed.
    #[serde(skip_serializing_if = "CpuList::is_empty")]
    pub unread: CpuList,
}

/// Each CPU's core, L3 and package, as indexes into a [`Topology`]'s sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    package: usize,
    l3: Option<usize>,
    core: Option<usize>,
}

impl Topology {
    /// Reads the topology under `cpu_sys` (a live machine's is [`SYS_CPU`]), of the online
    /// CPUs in `allowed` (all online CPUs when `None`). Never fails: a CPU whose package
    /// cannot be read is listed in [`Topology::unread`], and a tree with nothing readable
    /// gives an empty topology.
    pub fn read(cpu_sys: &std::path::Path, allowed: Option<&[usize]>) -> Self {
        read::read(cpu_sys, allowed)
    }

    /// This machine's topology over the CPUs this process may use.
    pub fn this_machine() -> Self {
        let allowed = crate::cpus::allowed_cpus().ok();
        Self::read(std::path::Path::new(SYS_CPU), allowed.as_deref())
    }

    /// Builds a topology from its sets, counting the pairs of each class: what
    /// [`Topology::read`] ends with (and what tests and fixtures start from).
    pub fn from_sets(
        cpus: Vec<usize>,
        cores: Vec<CpuList>,
        l3: Vec<CpuList>,
        packages: Vec<CpuList>,
    ) -> Self {
        let mut t = Topology {
            cpus: CpuList::new(cpus),
            cores,
            l3,
            packages,
            ..Topology::default()
        };
        let places = t.places();
        let cpus = t.cpus.cpus();
        for (i, &a) in cpus.iter().enumerate() {
            for &b in &cpus[i + 1..] {
                if let Some(c) = classify(&places, a, b) {
                    *t.pairs.entry(c).or_default() += 1;
                }
            }
        }
        t
    }

    /// The class of the pair `a`, `b` (in either order); `None` when they are one CPU or
    /// either is not described.
    pub fn class_of(&self, a: usize, b: usize) -> Option<PairClass> {
        classify(&self.places(), a, b)
    }

    /// Every pair `a < b` of [`Topology::cpus`] with its class, pairs ascending.
    pub fn all_pairs(&self) -> Vec<(usize, usize, PairClass)> {
        let places = self.places();
        let cpus = self.cpus.cpus();
        let mut out = Vec::new();
        for (i, &a) in cpus.iter().enumerate() {
            for &b in &cpus[i + 1..] {
                if let Some(c) = classify(&places, a, b) {
                    out.push((a, b, c));
                }
            }
        }
        out
    }

    /// The CPUs in the order that keeps each package, then each L3, then each core
    /// together (where the kernel numbers SMT siblings apart, 0 and 32 say): the axis
    /// order of a heatmap, whose blocks are then the classes.
    pub fn grouped_order(&self) -> Vec<usize> {
        let places = self.places();
        let mut v: Vec<(Place, usize)> = places.iter().map(|(&c, &p)| (p, c)).collect();
        v.sort();
        v.into_iter().map(|(_, c)| c).collect()
    }

    /// Where CPU `cpu` starts a new package (`2`) or a new L3 (`1`) in
    /// [`Topology::grouped_order`] after `prev`; `0` otherwise.
    pub fn boundary(&self, prev: usize, cpu: usize) -> u8 {
        let places = self.places();
        match (places.get(&prev), places.get(&cpu)) {
            (Some(p), Some(c)) if p.package != c.package => 2,
            (Some(p), Some(c)) if p.l3 != c.l3 => 1,
            _ => 0,
        }
    }

    /// One line for people: `2 CPUs: 1 package, 1 L3, 2 cores (no SMT); pairs: same-l3 1`.
    pub fn summary(&self) -> String {
        let smt = if self.cores.iter().any(|c| c.len() > 1) {
            "SMT"
        } else {
            "no SMT"
        };
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let pairs: Vec<String> = self.pairs.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let mut s = format!(
            "{}: {}, {}, {} ({smt}); pairs: {}",
            plural(self.cpus.len(), "CPU", "CPUs"),
            plural(self.packages.len(), "package", "packages"),
            plural(self.l3.len(), "L3", "L3s"),
            plural(self.cores.len(), "core", "cores"),
            if pairs.is_empty() {
                "none".to_string()
            } else {
                pairs.join(", ")
            }
        );
        if !self.unread.is_empty() {
            s += &format!("; CPUs {} left out (topology unreadable)", self.unread);
        }
        s
    }

    /// Each described CPU's place.
    fn places(&self) -> BTreeMap<usize, Place> {
        let index = |sets: &[CpuList], cpu: usize| sets.iter().position(|s| s.contains(cpu));
        self.cpus
            .cpus()
            .iter()
            .filter_map(|&c| {
                Some((
                    c,
                    Place {
                        package: index(&self.packages, c)?,
                        l3: index(&self.l3, c),
                        core: index(&self.cores, c),
                    },
                ))
            })
            .collect()
    }
}

/// The class of `a`, `b` given every CPU's place.
fn classify(places: &BTreeMap<usize, Place>, a: usize, b: usize) -> Option<PairClass> {
    let (pa, pb) = (places.get(&a)?, places.get(&b)?);
    if a == b {
        return None;
    }
    let same = |x: Option<usize>, y: Option<usize>| x.is_some() && x == y;
    Some(if same(pa.core, pb.core) {
        PairClass::Smt
    } else if same(pa.l3, pb.l3) {
        PairClass::SameL3
    } else if pa.package == pb.package {
        PairClass::SamePackage
    } else {
        PairClass::CrossPackage
    })
}
