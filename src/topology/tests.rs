//! The topology read from fake trees: the sets, the classes and their pair counts.

use super::fake::{shape, tree, write_tree, FakeCpu};
use super::*;

fn lists(sets: &[CpuList]) -> Vec<String> {
    sets.iter().map(|s| s.to_string()).collect()
}

fn count(t: &Topology, c: PairClass) -> usize {
    t.pairs.get(&c).copied().unwrap_or(0)
}

#[test]
fn two_cpus_sharing_an_l3_are_one_class() {
    let dir = tree(&shape(1, 1, 2, 1));
    let t = Topology::read(dir.path(), None);
    assert_eq!(t.cpus.to_string(), "0-1");
    assert_eq!(lists(&t.cores), ["0", "1"]);
    assert_eq!(lists(&t.l3), ["0-1"]);
    assert_eq!(lists(&t.packages), ["0-1"]);
    assert_eq!(t.pairs, [(PairClass::SameL3, 1)].into());
    assert_eq!(t.class_of(1, 0), Some(PairClass::SameL3));
    assert_eq!(t.class_of(0, 0), None);
    assert_eq!(t.class_of(0, 7), None);
    assert_eq!(
        t.summary(),
        "2 CPUs: 1 package, 1 L3, 2 cores (no SMT); pairs: same-l3 1"
    );
}

#[test]
fn eight_cpus_with_smt_have_siblings_and_shared_l3_pairs() {
    let dir = tree(&shape(1, 1, 4, 2));
    let t = Topology::read(dir.path(), None);
    assert_eq!(lists(&t.cores), ["0,4", "1,5", "2,6", "3,7"]);
    assert_eq!(t.class_of(0, 4), Some(PairClass::Smt));
    assert_eq!(t.class_of(0, 5), Some(PairClass::SameL3));
    assert_eq!(count(&t, PairClass::Smt), 4);
    assert_eq!(count(&t, PairClass::SameL3), 24);
    assert_eq!(t.pairs.len(), 2);
    // Siblings side by side on a heatmap's axis.
    assert_eq!(t.grouped_order(), [0, 4, 1, 5, 2, 6, 3, 7]);
    assert!(t.summary().contains("4 cores (SMT)"), "{}", t.summary());
}

#[test]
fn two_sockets_of_two_l3s_of_four_cores() {
    let dir = tree(&shape(2, 2, 4, 1));
    let t = Topology::read(dir.path(), None);
    assert_eq!(lists(&t.l3), ["0-3", "4-7", "8-11", "12-15"]);
    assert_eq!(lists(&t.packages), ["0-7", "8-15"]);
    assert_eq!(t.class_of(0, 3), Some(PairClass::SameL3));
    assert_eq!(t.class_of(3, 4), Some(PairClass::SamePackage));
    assert_eq!(t.class_of(7, 8), Some(PairClass::CrossPackage));
    assert_eq!(count(&t, PairClass::SameL3), 4 * 6);
    assert_eq!(count(&t, PairClass::SamePackage), 2 * 16);
    assert_eq!(count(&t, PairClass::CrossPackage), 64);
    assert_eq!(t.all_pairs().len(), 16 * 15 / 2);
    // A new L3 and a new package start where the axis crosses them.
    assert_eq!(
        (t.boundary(3, 4), t.boundary(7, 8), t.boundary(1, 2)),
        (1, 2, 0)
    );
}

#[test]
fn only_online_cpus_in_the_mask_count() {
    let cpus = shape(2, 2, 4, 1);
    let dir = tree(&cpus);
    let t = Topology::read(dir.path(), Some(&[0, 1, 8, 9, 30]));
    assert_eq!(t.cpus.to_string(), "0-1,8-9");
    assert_eq!(lists(&t.packages), ["0-1", "8-9"]);
    assert_eq!(count(&t, PairClass::SameL3), 2);
    assert_eq!(count(&t, PairClass::CrossPackage), 4);
    // An offline CPU is not counted, though its directory is there.
    std::fs::write(dir.path().join("online"), "0-7,9-15\n").unwrap();
    let t = Topology::read(dir.path(), None);
    assert!(!t.cpus.contains(8) && t.cpus.len() == 15);
}

#[test]
fn what_the_kernel_does_not_say_is_not_guessed() {
    // No L3 described (as in some VMs): cores of one package are `same-package`.
    let mut cpus = shape(1, 1, 4, 1);
    for c in &mut cpus {
        c.l3 = None;
    }
    let dir = tree(&cpus);
    let t = Topology::read(dir.path(), None);
    assert!(t.l3.is_empty());
    assert_eq!(t.pairs, [(PairClass::SamePackage, 6)].into());
    // A CPU without a package is left out and said so.
    std::fs::remove_file(dir.path().join("cpu3/topology/physical_package_id")).unwrap();
    let t = Topology::read(dir.path(), None);
    assert_eq!(
        (t.cpus.to_string(), t.unread.to_string()),
        ("0-2".into(), "3".into())
    );
    assert!(t
        .summary()
        .ends_with("CPUs 3 left out (topology unreadable)"));
    // No tree at all: nothing, and no error.
    let t = Topology::read(std::path::Path::new("/nonexistent/cpu"), None);
    assert!(t.cpus.is_empty() && t.pairs.is_empty());
}

#[test]
fn older_sibling_files_and_core_ids_give_the_cores() {
    let cpus: Vec<FakeCpu> = shape(1, 1, 2, 2);
    let dir = tree(&cpus);
    for c in 0..4 {
        std::fs::remove_file(dir.path().join(format!("cpu{c}/topology/core_cpus_list"))).unwrap();
    }
    assert_eq!(
        lists(&Topology::read(dir.path(), None).cores),
        ["0,2", "1,3"]
    );
    for c in 0..4 {
        let t = dir.path().join(format!("cpu{c}/topology"));
        std::fs::remove_file(t.join("thread_siblings_list")).unwrap();
    }
    let t = Topology::read(dir.path(), None);
    assert_eq!(lists(&t.cores), ["0,2", "1,3"]);
    assert_eq!(t.class_of(1, 3), Some(PairClass::Smt));
}

#[test]
fn it_round_trips_through_json_with_kernel_cpu_lists() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &shape(1, 2, 2, 2));
    let t = Topology::read(dir.path(), None);
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.contains(r#""cpus":"0-7""#), "{json}");
    assert!(json.contains(r#""smt":4"#), "{json}");
    assert!(!json.contains("unread"), "{json}");
    let back: Topology = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
    let bad = serde_json::from_str::<Topology>(r#"{"cpus":"3-1"}"#);
    assert!(bad.is_err());
    assert_eq!(
        PairClass::from_name("cross-package"),
        Some(PairClass::CrossPackage)
    );
}

#[test]
fn this_machine_reads_its_own_cpus() {
    let t = Topology::this_machine();
    let allowed = crate::cpus::allowed_cpus().unwrap();
    assert!(t.cpus.cpus().iter().all(|c| allowed.contains(c)));
    let pairs: usize = t.pairs.values().sum();
    let n = t.cpus.len();
    assert_eq!(pairs, n * n.saturating_sub(1) / 2);
}
