//! Outcomes for the claims' tests: made up, same CPU, with the figures a claim reads.

use super::{Claim, VerdictKind};
use crate::counters::events::{FULL_FLUSH, SYSCALLS};
use crate::measure::{outcome, CounterValue, Outcome, OutcomeMeta, Samples, SwitchCount};
use crate::spec::{Mechanism, Participants, PlacementKind};

/// One outcome of `experiment` taking `ns` per round trip, with `expected` switches per
/// round trip counted (1.0 when none is expected).
pub fn o(
    id: &str,
    experiment: &str,
    p: Option<Participants>,
    m: Option<Mechanism>,
    param: Option<u64>,
    ns: f64,
    expected: Option<f64>,
) -> Outcome {
    let meta = OutcomeMeta {
        id: id.parse().expect("a benchmark id"),
        experiment: experiment.parse().expect("an experiment"),
        participants: p,
        mechanism: m,
        placement: Some(PlacementKind::SameCpu),
        cpus: vec![0],
        parameter: param,
        variant: (experiment == "workset")
            .then_some(crate::spec::Variant::Access(crate::spec::Access::Read)),
    };
    let e = expected.unwrap_or(1.0);
    let count = SwitchCount {
        iters: 100,
        voluntary: (e * 100.0) as u64,
        involuntary: 0,
        per_iter: e,
    };
    let samples = Samples {
        iters_per_sample: 10,
        ns_per_iter: vec![ns; 3],
    };
    outcome(meta, expected, samples, count)
}

/// A same-cpu ping-pong taking `rt` ns per round trip.
pub fn pp(p: Participants, m: Mechanism, rt: f64) -> Outcome {
    o(
        &format!("pingpong/{p}-{m}/same-cpu"),
        "pingpong",
        Some(p),
        Some(m),
        None,
        rt,
        Some(2.0),
    )
}

/// Process and thread ping-pongs over pipe, futex (the thread side shared) and eventfd,
/// each pair given as (process, thread) round trips.
pub fn pingpongs(pipe: (f64, f64), futex: (f64, f64), eventfd: (f64, f64)) -> Vec<Outcome> {
    use Participants::*;
    vec![
        pp(Process, Mechanism::Pipe, pipe.0),
        pp(Thread, Mechanism::Pipe, pipe.1),
        pp(Process, Mechanism::Futex, futex.0),
        pp(Thread, Mechanism::FutexShared, futex.1),
        pp(Process, Mechanism::Eventfd, eventfd.0),
        pp(Thread, Mechanism::Eventfd, eventfd.1),
    ]
}

/// A same-cpu pipe outcome of `experiment` (`ring`, `workset`) with size `param`.
fn pipe(experiment: &str, p: Participants, param: u64, ns: f64, expected: f64) -> Outcome {
    let id = format!("{experiment}/{p}-pipe/{param}");
    let (m, param) = (Some(Mechanism::Pipe), Some(param));
    o(&id, experiment, Some(p), m, param, ns, Some(expected))
}

/// A pipe ring of `n`, with `flush` full TLB flushes per switch where counted.
pub fn ring(p: Participants, n: u64, flush: Option<f64>) -> Outcome {
    let mut r = pipe("ring", p, n, 3000.0 * n as f64, n as f64);
    if let Some(f) = flush {
        r.counters.insert(
            FULL_FLUSH.into(),
            CounterValue::Measured {
                per_iteration: f * n as f64,
                per_switch: Some(f),
                total: f * n as f64 * 100.0,
                multiplexed: false,
            },
        );
    }
    r
}

/// A working set of `bytes` per side costing `indirect` ns per switch.
/// `regs/<p>-futex/<state>` holding `bytes` of state, with a 4000 ns round trip.
pub fn regs(p: Participants, state: crate::spec::RegState, bytes: u64) -> Outcome {
    let id = super::registers::regs_id(p, state);
    o(
        &id.to_string(),
        "regs",
        Some(p),
        Some(Mechanism::Futex),
        Some(bytes),
        4000.0,
        Some(2.0),
    )
}

pub fn ws(p: Participants, bytes: u64, indirect: f64) -> Outcome {
    let mut w = pipe("workset", p, bytes, 4000.0, 2.0);
    w.indirect_ns_per_switch = Some(indirect);
    w
}

/// A creation taking `ns`, with 11 minor faults in each child.
pub fn spawn(id: &str, ns: f64) -> Outcome {
    let mut s = o(id, "spawn", None, None, None, ns, None);
    s.set(crate::measure::extra::MINOR_FAULTS_CHILD, 11.0);
    s
}

/// Footprints of `p` at 1, 4, 16 and 64 idle tasks, each task adding `per` bytes of
/// every quantity (in `QUANTITIES` order) on top of a fixed 100 KiB.
pub fn footprints(p: Participants, per: [f64; 4]) -> Vec<Outcome> {
    use crate::measure::memory::QUANTITIES;
    [1, 4, 16, 64]
        .into_iter()
        .map(|tasks| {
            let id = crate::spec::BenchId::Footprint {
                participants: p,
                tasks,
            };
            let mut f = o(
                &id.to_string(),
                "footprint",
                Some(p),
                None,
                None,
                1e5,
                Some(0.0),
            );
            f.placement = None;
            f.parameter = Some(tasks as u64);
            for (q, b) in QUANTITIES.iter().zip(per) {
                f.extra
                    .insert(q.key().into(), 100.0 * 1024.0 + b * tasks as f64);
            }
            f
        })
        .collect()
}

/// A user-space switch taking `rt` ns per round trip (two switches, no kernel switch),
/// with `syscalls` system calls per round trip where counted.
pub fn uswitch(id: &str, rt: f64, syscalls: Option<f64>) -> Outcome {
    let mut u = o(id, "uswitch", None, None, None, rt, Some(0.0));
    u.ns_per_switch = Some(rt / 2.0);
    match syscalls {
        Some(n) => with_syscalls(u, n),
        None => u,
    }
}

/// `o` with `n` system calls per iteration counted.
pub fn with_syscalls(mut o: Outcome, n: f64) -> Outcome {
    o.counters.insert(
        SYSCALLS.into(),
        CounterValue::Measured {
            per_iteration: n,
            per_switch: None,
            total: n * 100.0,
            multiplexed: false,
        },
    );
    o
}

/// The null system call floor, taking `ns`.
pub fn getppid(ns: f64) -> Outcome {
    o("floor/getppid", "floor", None, None, None, ns, Some(0.0))
}

/// Judges `claim` on `outcomes`, checks that it fared as `kind` and that its evidence
/// contains each of `parts`, and returns the evidence.
pub fn judged(
    claim: &dyn Claim,
    outcomes: &[Outcome],
    kind: VerdictKind,
    parts: &[&str],
) -> String {
    let v = claim.verdict(outcomes);
    assert_eq!(v.verdict, kind, "{}", v.evidence);
    for part in parts {
        assert!(v.evidence.contains(part), "{part:?} not in: {}", v.evidence);
    }
    v.evidence
}

/// `isolation/<p>-write` taking `ns` per write: 4096 pages checked, a child's write
/// unseen by the parent with a fault each, a thread's seen with none.
pub fn isolation(p: &str, ns: f64) -> Outcome {
    let participants = if p == "process" {
        Participants::Process
    } else {
        Participants::Thread
    };
    let id = format!("isolation/{p}-write");
    let mut w = o(&id, "isolation", Some(participants), None, None, ns, None);
    let process = participants == Participants::Process;
    w.set(crate::measure::extra::PAGES_CHECKED, 4096.0);
    w.set(
        crate::measure::extra::WRITE_SEEN_BY_OTHER_SIDE,
        if process { 0.0 } else { 1.0 },
    );
    w.set(
        crate::measure::extra::MINOR_FAULTS_PER_WRITE,
        if process { 1.0 } else { 0.0 },
    );
    w
}

/// `cross/<way>/<size>` taking `ns` per read of `bytes`.
pub fn cross(way: crate::spec::CrossWay, bytes: u64, ns: f64) -> Outcome {
    let id = format!("cross/{}/{}", way.name(), crate::units::format_size(bytes));
    let mut r = o(
        &id,
        "cross",
        Some(Participants::Process),
        None,
        Some(bytes),
        ns,
        Some(0.0),
    );
    r.variant = Some(crate::spec::Variant::Way(way));
    r.set(
        crate::measure::extra::BYTES_PER_SECOND,
        bytes as f64 / ns * 1e9,
    );
    r
}

/// The permission probe's facts: root (CAP_SYS_PTRACE) allowed every way into nobody's process, and
/// nobody answered `unprivileged` every way on root's and on its own non-dumpable one.
pub fn permissions(
    unprivileged: crate::measure::permissions::Access,
) -> crate::measure::permissions::Permissions {
    use crate::measure::permissions::{Access, PermissionFact, Permissions, TargetKind};
    let fact =
        |uid: u32, privileged: bool, target: TargetKind, way, access: &Access| PermissionFact {
            reader_uid: uid,
            reader_privileged: privileged,
            target,
            target_uid: if uid == 0 { 65534 } else { 0 },
            way,
            access: access.clone(),
        };
    let mut facts = Vec::new();
    for way in crate::spec::READ_WAYS {
        facts.push(fact(0, true, TargetKind::OtherUser, way, &Access::Allowed));
        for t in [TargetKind::SameUserNotDumpable, TargetKind::OtherUser] {
            facts.push(fact(65534, false, t, way, &unprivileged));
        }
    }
    Permissions {
        yama_ptrace_scope: None,
        facts,
        not_tried: vec![],
    }
}

/// A comparison `name` measured in paired rounds: 4 set-ups of 12 rounds, each arm
/// taking its value (ns per iteration) times the round's machine level (x1.27 in a third
/// of the rounds, three in a row at a time, else x1.00) with 0.3% noise. An arm named `<id>#<mode>` runs that loop
/// of `<id>` (`#control`, `#idle`, `#touch-alone`, `#writes-off`, `#alone`,
/// `#alone-off`); any other, its main loop.
pub fn rounds(name: &str, arms: &[(&str, f64)]) -> crate::measure::paired::Paired {
    use crate::measure::paired::{Arm, ArmMode, Paired, SetupRounds};
    use crate::stats::rng::Rng;
    let modes = [
        ArmMode::Control,
        ArmMode::Idle,
        ArmMode::TouchAlone,
        ArmMode::WritesOff,
        ArmMode::Alone,
        ArmMode::AloneOff,
    ];
    let arm = |name: &str| match name.split_once('#') {
        Some((id, m)) => Arm {
            id: id.parse().expect("a benchmark id"),
            mode: *modes.iter().find(|x| x.name() == m).expect("a known mode"),
        },
        None => Arm::main(name.parse().expect("a benchmark id")),
    };
    let mut rng = Rng::new(17);
    let setups = (0..4)
        .map(|s| SetupRounds {
            rounds: (0..12)
                .map(|r| {
                    let level = if (r / 3 + s) % 3 == 0 { 1.27 } else { 1.0 };
                    arms.iter()
                        .map(|&(_, v)| v * level * (1.0 + 0.003 * rng.normal()))
                        .collect()
                })
                .collect(),
            taken: 12,
        })
        .collect();
    Paired {
        name: name.into(),
        seed: 1,
        cpu: 0,
        arms: arms.iter().map(|(n, _)| arm(n)).collect(),
        iters: vec![100; arms.len()],
        setups,
        steal_ms: 0.0,
    }
}

/// [`rounds`] of the `switch` comparison.
pub fn switch_rounds(arms: &[(&str, f64)]) -> crate::measure::paired::Paired {
    rounds("switch", arms)
}

/// [`judged`] with the comparisons `paired` among the run's facts.
pub fn judged_in(
    claim: &dyn Claim,
    outcomes: &[Outcome],
    paired: &crate::measure::paired::Paired,
    kind: VerdictKind,
    parts: &[&str],
) -> String {
    let paired = std::slice::from_ref(paired);
    let facts = super::RunFacts {
        paired,
        ..Default::default()
    };
    let v = claim.verdict_in(outcomes, &facts);
    assert_eq!(v.verdict, kind, "{}", v.evidence);
    for part in parts {
        assert!(v.evidence.contains(part), "{part:?} not in: {}", v.evidence);
    }
    v.evidence
}
