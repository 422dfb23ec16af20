//! The anatomy on made-up outcomes and rounds: the parts and the remainder add up to the
//! whole, a missing part says why (and the remainder holds it), an older file gives what
//! it can.

use super::*;
use crate::analysis::claims::fixtures::{getppid, o, pp, ring, rounds, with_syscalls, ws};
use crate::measure::paired::Paired;
use crate::spec::{Mechanism, RegState};
use Participants::{Process, Thread};

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;

/// `regs/<p>-futex/<state>` holding `bytes` of state.
fn regs(p: Participants, state: RegState, bytes: u64) -> Outcome {
    let id = crate::analysis::claims::registers::regs_id(p, state);
    let m = Some(Mechanism::Futex);
    o(&id, "regs", Some(p), m, Some(bytes), 4000.0, Some(2.0))
}

/// The outcomes of a run: the futex twins (1.6 system calls per hand-over), the shared
/// futex floor (2 calls), the null call, working sets of 256KiB and 4MiB, the register
/// states up to AVX-512, and rings of 2 to 8 that flush from 7 on.
fn outcomes() -> Vec<Outcome> {
    let mut v = vec![
        with_syscalls(pp(Process, Mechanism::Futex, 4800.0), 3.2),
        with_syscalls(pp(Thread, Mechanism::FutexShared, 4400.0), 3.2),
        with_syscalls(
            o(
                "floor/futex-shared",
                "floor",
                None,
                None,
                None,
                600.0,
                Some(0.0),
            ),
            2.0,
        ),
        with_syscalls(getppid(150.0), 1.0),
    ];
    for who in WHO {
        for bytes in [0, 256 * KIB, 4 * MIB] {
            v.push(ws(who, bytes, 1.0));
        }
        v.push(regs(who, RegState::None, 0));
        v.push(regs(who, RegState::Avx512, 2112));
        for (n, f) in [(2, 0.0), (4, 0.0), (6, 0.0), (7, 1.0), (8, 1.0)] {
            let flushes = if who == Process { f } else { 0.0 };
            v.push(ring(who, n, Some(flushes)));
        }
    }
    v
}

/// The comparisons, side by side in paired rounds: a switch of 2400 ns per switch
/// (process) and 2200 (thread); refills of 300 and 250 ns at 256KiB, 5000 at 4MiB;
/// AVX-512 adding 10 ns; each switch past the ASIDs 400 ns dearer.
fn comparisons() -> Vec<Paired> {
    let switch = rounds(
        "switch",
        &[
            ("pingpong/process-futex/same-cpu", 4800.0),
            ("pingpong/thread-futex-shared/same-cpu", 4400.0),
            ("floor/futex-shared", 600.0),
            ("floor/getppid", 150.0),
        ],
    );
    let mut ws_arms: Vec<(String, f64)> = Vec::new();
    for (who, small) in [("process", 300.0), ("thread", 250.0)] {
        for (size, extra) in [("256KiB", small), ("4MiB", 5000.0)] {
            let id = format!("workset/{who}-pipe/{size}");
            ws_arms.push((id.clone(), 4000.0 + 2.0 * 600.0 + 2.0 * extra));
            ws_arms.push((format!("{id}#idle"), 4000.0));
            ws_arms.push((format!("{id}#touch-alone"), 600.0));
        }
    }
    let mut regs_arms: Vec<(String, f64)> = Vec::new();
    for who in ["process", "thread"] {
        let id = format!("regs/{who}-futex/avx512");
        regs_arms.push((id.clone(), 4000.0 + 2.0 * 10.0 + 40.0));
        regs_arms.push((format!("{id}#writes-off"), 4000.0));
        regs_arms.push((format!("{id}#alone"), 320.0));
        regs_arms.push((format!("{id}#alone-off"), 300.0));
    }
    let ring = rounds(
        "ring/pipe",
        &[
            ("ring/process-pipe/6", 6.0 * 2000.0),
            ("ring/process-pipe/7", 7.0 * 2400.0),
            ("ring/thread-pipe/6", 6.0 * 2000.0),
            ("ring/thread-pipe/7", 7.0 * 2000.0),
        ],
    );
    vec![
        switch,
        rounds("workset/read", &as_refs(&ws_arms)),
        rounds("regs", &as_refs(&regs_arms)),
        ring,
    ]
}

/// `(arm, value)` pairs as [`rounds`] takes them.
fn as_refs(v: &[(String, f64)]) -> Vec<(&str, f64)> {
    v.iter().map(|(a, x)| (a.as_str(), *x)).collect()
}

fn anatomy(outcomes: &[Outcome], paired: &[Paired], skipped: &[(&str, &str)]) -> Anatomy {
    let facts = RunFacts {
        skipped,
        paired,
        ..Default::default()
    };
    Anatomy::of(outcomes, &facts, Some(MIB))
}

fn value(a: &Anatomy, name: PartName, who: Participants) -> f64 {
    a.get(name, who)
        .and_then(|p| p.value)
        .unwrap_or_else(|| panic!("{name:?} of {who} has a value: {:?}", a.get(name, who)))
}

/// Checks that the stacked parts of `who` add up to the whole, exactly.
fn adds_up(a: &Anatomy, who: Participants) {
    let sum: f64 = a.stacked(who).iter().filter_map(|p| p.value).sum();
    let whole = value(a, PartName::Whole, who);
    assert!((sum - whole).abs() < 1e-6, "{who}: {sum} vs {whole}");
}

fn near(v: f64, want: f64, within: f64) -> bool {
    (v - want).abs() <= within
}

#[test]
fn the_parts_and_the_remainder_add_up_to_the_whole() {
    let a = anatomy(&outcomes(), &comparisons(), &[]);
    for who in WHO {
        adds_up(&a, who);
    }
    // Process, per switch: 150 ns x 1.6 calls; the floor's 600 less its 2 calls; the
    // thread twin's 2200 less the floor; process against thread; the refill at 256KiB.
    for (name, want) in [
        (PartName::KernelEntry, 240.0),
        (PartName::Mechanism, 300.0),
        (PartName::Scheduler, 1600.0),
        (PartName::AddressSpace, 200.0),
        (PartName::RefillInL2, 300.0),
        // What the floor does that a hand-over does not: 0.4 calls of 150 ns.
        (PartName::Remainder, 60.0),
        (PartName::Whole, 2700.0),
        (PartName::RefillPastL2, 5000.0),
        (PartName::RegisterState, 10.0),
        (PartName::TlbFlush, 400.0),
    ] {
        let v = value(&a, name, Process);
        // The rounds run in two machine levels, with noise (see `rounds`): within 10%
        // and a few ns.
        assert!(near(v, want, 0.1 * want + 5.0), "{name:?}: {v} vs {want}");
        let p = a.get(name, Process).unwrap();
        let i = p
            .interval()
            .unwrap_or_else(|| panic!("{name:?} has an interval"));
        assert!(i.low <= i.value && i.value <= i.high, "{name:?}: {i:?}");
    }
    assert_eq!(
        a.get(PartName::RefillInL2, Process).unwrap().parameter,
        Some(256 * KIB)
    );
    assert_eq!(
        a.get(PartName::RefillPastL2, Thread).unwrap().parameter,
        Some(4 * MIB)
    );
    assert_eq!(
        a.get(PartName::TlbFlush, Process).unwrap().parameter,
        Some(7)
    );
    assert_eq!(
        a.get(PartName::RegisterState, Thread).unwrap().parameter,
        Some(2112)
    );
    // The thread switch: no address space, its own refill, the same remainder.
    assert!(near(value(&a, PartName::Whole, Thread), 2450.0, 245.0));
    assert!(near(value(&a, PartName::Remainder, Thread), 60.0, 6.0));
    let rest = a
        .get(PartName::Remainder, Thread)
        .unwrap()
        .interval()
        .unwrap();
    assert!(rest.high - rest.low < 40.0, "{rest:?}");
    for (name, why) in [
        (PartName::AddressSpace, "threads share the address space"),
        (PartName::TlbFlush, "no switch between them flushes the TLB"),
    ] {
        let p = a.get(name, Thread).unwrap();
        assert!(p.value.is_none() && p.why_missing.as_deref().unwrap().contains(why));
    }
    // The whole, named: the switch, the working set, the L2 it fits.
    let what = &a.get(PartName::Whole, Process).unwrap().what;
    for part in [
        "pingpong/process-futex/same-cpu",
        "256KiB per side",
        "the 1MiB L2",
    ] {
        assert!(what.contains(part), "{part:?} not in {what}");
    }
    // The address space is claim 2's figure.
    let claim2 = crate::analysis::claims::address_space::gap(
        &comparisons()[0],
        Mechanism::Futex,
        Mechanism::FutexShared,
        "address-space",
    )
    .unwrap();
    assert_eq!(value(&a, PartName::AddressSpace, Process), claim2.value);
    // Typed to the file and back.
    let json = serde_json::to_value(&a).unwrap();
    let first = &json[0];
    for key in ["name", "participants", "value", "low", "high", "unit"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert_eq!(first["name"], "kernel-entry");
    assert_eq!(first["unit"], "ns-per-switch");
    assert_eq!(serde_json::from_value::<Anatomy>(json).unwrap(), a);
}

#[test]
fn a_missing_part_says_why_and_the_remainder_holds_it() {
    // The hand-overs' system calls were not counted; AMX is not offered; no working set.
    let mut v = outcomes();
    v[0].counters.clear();
    v.retain(|o| !o.is(crate::spec::Experiment::Workset));
    let paired: Vec<Paired> = comparisons()
        .into_iter()
        .filter(|p| p.name != "workset/read")
        .collect();
    let no_amx = "the CPU has no AMX";
    let skipped = [("regs/process-futex/amx", no_amx)];
    let a = anatomy(&v, &paired, &skipped);
    let kernel = a.get(PartName::KernelEntry, Process).unwrap();
    assert_eq!(kernel.value, None);
    let why = kernel.why_missing.as_deref().unwrap();
    assert!(why.contains("raw_syscalls:sys_enter"), "{why}");
    // Counted on the thread side: its part is there.
    assert!(near(value(&a, PartName::KernelEntry, Thread), 240.0, 24.0));
    let rest = a.get(PartName::Remainder, Process).unwrap();
    assert!(
        rest.what
            .contains("it holds the missing: kernel entry and exit"),
        "{}",
        rest.what
    );
    assert!(near(rest.value.unwrap(), 300.0, 30.0), "{rest:?}");
    assert!(rest.interval().is_some());
    for who in WHO {
        adds_up(&a, who);
        let refill = a.get(PartName::RefillInL2, who).unwrap();
        assert!(refill
            .why_missing
            .as_deref()
            .unwrap()
            .contains("no read working set"));
        let whole = a.get(PartName::Whole, who).unwrap();
        assert!(whole.what.contains("with no working set"), "{}", whole.what);
    }
    assert!(near(value(&a, PartName::Whole, Process), 2400.0, 240.0));
    let regs = a.get(PartName::RegisterState, Process).unwrap();
    assert!(
        regs.what.contains("avx512") && regs.what.contains(&format!("amx: not measured: {no_amx}")),
        "{}",
        regs.what
    );
    // Without the switch comparison's rounds the parts come from the medians.
    let medians = anatomy(&outcomes(), &[], &[]);
    assert!(medians
        .get(PartName::Scheduler, Process)
        .unwrap()
        .interval()
        .is_none());
    adds_up(&medians, Process);
    // Nothing measured at all: every part missing, and why.
    let none = anatomy(&[], &[], &[]);
    assert!(!none.has_any());
    assert!(
        none.parts.iter().all(|p| p.why_missing.is_some()),
        "{none:?}"
    );
}

#[test]
fn an_older_file_gives_the_parts_it_can() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/legacy/amd-epyc-vm-full-2026-12-01.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("\"anatomy\""));
    let file = crate::results::ResultsFile::load(&path).unwrap();
    assert!(file.anatomy.is_empty() && file.paired.is_empty());
    let a = file.anatomy();
    for who in WHO {
        adds_up(&a, who);
        // From the medians the file recorded: no interval anywhere.
        assert!(a.parts.iter().all(|p| p.low.is_none() && p.high.is_none()));
        for name in [
            PartName::KernelEntry,
            PartName::Mechanism,
            PartName::Scheduler,
            PartName::RefillInL2,
            PartName::RefillPastL2,
        ] {
            assert!(
                a.get(name, who).unwrap().value.is_some(),
                "{name:?} of {who}"
            );
        }
        let regs = a.get(PartName::RegisterState, who).unwrap();
        assert!(regs
            .why_missing
            .as_deref()
            .unwrap()
            .contains("register-state ping-pongs"));
    }
    // The refill is the one the file recorded for its 256KiB working set.
    let recorded = file
        .results
        .iter()
        .find(|o| o.id == "workset/process-pipe/256KiB")
        .and_then(|o| o.indirect_ns_per_switch);
    assert_eq!(
        a.get(PartName::RefillInL2, Process).unwrap().value,
        recorded
    );
    // Its L2 is not recorded: the assumed one is named.
    let whole = &a.get(PartName::Whole, Process).unwrap().what;
    assert!(
        whole.contains("assumed") && whole.contains("no intervals"),
        "{whole}"
    );
    assert_eq!(
        a.get(PartName::TlbFlush, Process).unwrap().parameter,
        Some(7)
    );
}
