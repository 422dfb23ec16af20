//! The verdict: the textbook claims about context switches, each judged on the outcomes
//! measured here, with the figures it rests on. Pure logic over a set of outcomes.
//!
//! Only valid outcomes count. A counter that is missing or unsupported is "not measured
//! here", never zero. Differences smaller than [`NOISE`] (relative) count as no difference.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::counters::events::FULL_FLUSH;
use crate::measure::Outcome;
use crate::spec::{Mechanism, Participants, PlacementKind};

/// Relative differences below this are treated as noise (5%).
pub const NOISE: f64 = 0.05;

/// The per-CPU address-space ids x86 Linux keeps (`TLB_NR_DYN_ASIDS`): quoted in the
/// evidence as context only; where the step is comes from the measured rings.
pub const ASID_SLOTS: u64 = 6;

/// Rings this small are judged as well within the address-space ids...
pub const SMALL_RING: u64 = 4;
/// ...and rings this large as well past them. Sizes in between are the transition: shown
/// in the evidence, not judged (the kernel's slot reuse makes them vary between runs).
pub const LARGE_RING: u64 = 8;

/// How a claim fared. In JSON a plain string: `holds`, `holds-partly`, `does-not-hold`,
/// `not-measured`; any other string (from another version) loads as [`VerdictKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum VerdictKind {
    /// The measurements support the claim.
    Holds,
    /// The measurements support it only in part (the evidence says which part).
    HoldsPartly,
    /// The measurements contradict it on this machine.
    DoesNotHold,
    /// The outcomes needed were not measured (or not valid) here.
    NotMeasured,
    /// A verdict this version does not know, kept as written.
    Other(String),
}

impl VerdictKind {
    /// The JSON spelling.
    pub fn as_str(&self) -> &str {
        match self {
            VerdictKind::Holds => "holds",
            VerdictKind::HoldsPartly => "holds-partly",
            VerdictKind::DoesNotHold => "does-not-hold",
            VerdictKind::NotMeasured => "not-measured",
            VerdictKind::Other(s) => s,
        }
    }
}

impl From<String> for VerdictKind {
    fn from(s: String) -> Self {
        match s.as_str() {
            "holds" => VerdictKind::Holds,
            "holds-partly" => VerdictKind::HoldsPartly,
            "does-not-hold" => VerdictKind::DoesNotHold,
            "not-measured" => VerdictKind::NotMeasured,
            _ => VerdictKind::Other(s),
        }
    }
}

impl From<VerdictKind> for String {
    fn from(k: VerdictKind) -> Self {
        k.as_str().to_string()
    }
}

impl fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerdictKind::Holds => "holds",
            VerdictKind::HoldsPartly => "holds partly",
            VerdictKind::DoesNotHold => "does not hold here",
            VerdictKind::NotMeasured => "not measured",
            VerdictKind::Other(s) => s,
        })
    }
}

/// One claim, its verdict and the figures behind it. Fields missing from a file load as
/// empty (other tools may write partial entries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The claim, in plain words.
    #[serde(default)]
    pub claim: String,
    /// How it fared.
    #[serde(default)]
    pub verdict: VerdictKind,
    /// The figures it rests on.
    #[serde(default)]
    pub evidence: String,
}

impl Default for VerdictKind {
    /// An unknown (empty) verdict: what a file without one says.
    fn default() -> Self {
        VerdictKind::Other(String::new())
    }
}

/// Claim 1.
pub const CLAIM_THREAD_CHEAPER: &str = "A thread switch is cheaper than a process switch.";
/// Claim 2.
pub const CLAIM_ADDRESS_SPACE: &str =
    "The difference is the address-space switch (same mechanism, processes vs threads).";
/// Claim 3.
pub const CLAIM_TLB: &str = "A process switch invalidates the TLB.";
/// Claim 4.
pub const CLAIM_CACHES: &str = "Caches suffer after a switch (indirect cost).";
/// Claim 5.
pub const CLAIM_CREATION: &str = "Processes are costlier to create than threads.";

fn verdict(claim: &str, verdict: VerdictKind, evidence: String) -> Verdict {
    Verdict {
        claim: claim.into(),
        verdict,
        evidence,
    }
}

fn valid<'a>(outcomes: &'a [Outcome], experiment: &'a str) -> impl Iterator<Item = &'a Outcome> {
    outcomes
        .iter()
        .filter(move |o| o.experiment == experiment && o.valid)
}

fn same_cpu_pingpong(outcomes: &[Outcome], p: Participants, m: Mechanism) -> Option<&Outcome> {
    valid(outcomes, "pingpong").find(|o| {
        o.participants == Some(p)
            && o.mechanism == Some(m)
            && o.placement == Some(PlacementKind::SameCpu)
            && o.ns_per_switch.is_some()
    })
}

fn pct(a: f64, b: f64) -> f64 {
    (a / b - 1.0) * 100.0
}

/// Judges every claim on `outcomes`.
pub fn judge_all(outcomes: &[Outcome]) -> Vec<Verdict> {
    vec![
        thread_cheaper(outcomes),
        address_space(outcomes),
        tlb(outcomes),
        caches(outcomes),
        creation(outcomes),
    ]
}

/// The thread twin of `process-futex` among `outcomes`: `thread-futex-shared` (the same
/// system calls, so the two differ by the address space alone), or in results from
/// before it existed `thread-futex` (private operations, which also skip the shared key),
/// with how to describe the pairing.
fn futex_twin(outcomes: &[Outcome]) -> Option<(&Outcome, &'static str)> {
    same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::FutexShared)
        .map(|t| (t, "the same shared futex calls on both sides"))
        .or_else(|| {
            same_cpu_pingpong(outcomes, Participants::Thread, Mechanism::Futex).map(|t| {
                (
                    t,
                    "private futex calls on the thread side, so the shared futex key counts \
                     as address space too",
                )
            })
        })
}

/// Claim 1: same-cpu ns per switch, process against thread, mechanism by mechanism.
pub fn thread_cheaper(outcomes: &[Outcome]) -> Verdict {
    let mut parts = Vec::new();
    let (mut cheaper, mut pairs) = (0, 0);
    for m in [Mechanism::Pipe, Mechanism::Futex, Mechanism::Eventfd] {
        let thread = match m {
            Mechanism::Futex => futex_twin(outcomes).map(|(t, _)| t),
            _ => same_cpu_pingpong(outcomes, Participants::Thread, m),
        };
        let (Some(p), Some(t)) = (
            same_cpu_pingpong(outcomes, Participants::Process, m),
            thread,
        ) else {
            continue;
        };
        let (ps, ts) = (
            p.ns_per_switch.unwrap_or(f64::NAN),
            t.ns_per_switch.unwrap_or(f64::NAN),
        );
        pairs += 1;
        if ps > ts * (1.0 + NOISE) {
            cheaper += 1;
        }
        let name = t
            .mechanism
            .map_or_else(|| m.to_string(), |tm| tm.to_string());
        parts.push(format!(
            "{name}: process {ps:.0} ns vs thread {ts:.0} ns per switch ({:+.0}%)",
            pct(ps, ts)
        ));
    }
    let evidence = if parts.is_empty() {
        "no valid same-cpu ping-pong pair (process and thread over one mechanism)".into()
    } else {
        format!("{} (same CPU, median)", parts.join("; "))
    };
    let kind = match (pairs, cheaper) {
        (0, _) => VerdictKind::NotMeasured,
        (n, c) if c == n => VerdictKind::Holds,
        (_, 0) => VerdictKind::DoesNotHold,
        _ => VerdictKind::HoldsPartly,
    };
    verdict(CLAIM_THREAD_CHEAPER, kind, evidence)
}

/// Claim 2: process-futex against thread-futex-shared, floors subtracted where measured:
/// the same system calls on both sides, so what is left is the address-space switch.
pub fn address_space(outcomes: &[Outcome]) -> Verdict {
    let (Some(p), Some((t, pairing))) = (
        same_cpu_pingpong(outcomes, Participants::Process, Mechanism::Futex),
        futex_twin(outcomes),
    ) else {
        return verdict(
            CLAIM_ADDRESS_SPACE,
            VerdictKind::NotMeasured,
            "needs valid pingpong/process-futex/same-cpu and \
             pingpong/thread-futex-shared/same-cpu"
                .into(),
        );
    };
    let twin = format!("thread-{}", t.mechanism.unwrap_or(Mechanism::Futex));
    let (ps, ts, how) = match (p.direct_ns_per_switch, t.direct_ns_per_switch) {
        (Some(a), Some(b)) => (a, b, "direct cost, futex floors subtracted"),
        _ => (
            p.ns_per_switch.unwrap_or(f64::NAN),
            t.ns_per_switch.unwrap_or(f64::NAN),
            "per switch, no floors measured",
        ),
    };
    let d = ps - ts;
    // The other mechanisms: is the process/thread gap visible there too?
    let gaps: Vec<(Mechanism, f64, f64)> = [Mechanism::Pipe, Mechanism::Eventfd]
        .into_iter()
        .filter_map(|m| {
            let a = same_cpu_pingpong(outcomes, Participants::Process, m)?.ns_per_switch?;
            let b = same_cpu_pingpong(outcomes, Participants::Thread, m)?.ns_per_switch?;
            Some((m, a - b, b))
        })
        .collect();
    let others: Vec<String> = gaps
        .iter()
        .map(|(m, gap, b)| format!("{m} gap {gap:+.0} ns ({:+.0}%)", gap / b * 100.0))
        .collect();
    // Do the other mechanisms show a process/thread gap too (processes costlier beyond
    // noise)? If none does, the address-space cost is there but masked elsewhere.
    let others_show_no_gap = !gaps.is_empty() && gaps.iter().all(|(_, gap, b)| *gap <= b * NOISE);
    let mut evidence = format!(
        "process-futex {ps:.0} ns vs {twin} {ts:.0} ns per switch ({how}; {pairing}): the \
         address-space switch costs {d:+.0} ns ({:+.0}% of a thread switch)",
        d / ts * 100.0
    );
    if !others.is_empty() {
        evidence += &format!("; over other mechanisms: {}", others.join(", "));
    }
    let kind = if d <= ts * NOISE {
        VerdictKind::DoesNotHold
    } else if others_show_no_gap {
        evidence += " (there processes are not costlier beyond noise: the address-space \
                     switch is measurable with futexes, masked by the mechanism elsewhere)";
        VerdictKind::HoldsPartly
    } else {
        VerdictKind::Holds
    };
    verdict(CLAIM_ADDRESS_SPACE, kind, evidence)
}

/// (n, full flushes per switch, ns per switch) of the rings of `p`: pipe rings where
/// there are any (the classic ring), else the futex rings.
fn ring_flushes(outcomes: &[Outcome], p: Participants) -> Vec<(u64, Option<f64>, f64)> {
    let has_pipe = valid(outcomes, "ring").any(|o| o.mechanism == Some(Mechanism::Pipe));
    let mut v: Vec<_> = valid(outcomes, "ring")
        .filter(|o| o.participants == Some(p))
        .filter(|o| !has_pipe || o.mechanism == Some(Mechanism::Pipe))
        .filter_map(|o| {
            Some((
                o.parameter?,
                o.counter_per_switch(FULL_FLUSH),
                o.ns_per_switch?,
            ))
        })
        .collect();
    v.sort_by_key(|x| x.0);
    v
}

fn flush_list(v: &[(u64, Option<f64>, f64)]) -> String {
    v.iter()
        .map(|(n, f, _)| match f {
            Some(f) => format!("n={n}: {f:.2}"),
            None => format!("n={n}: -"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Claim 3: full TLB flushes per switch in rings of processes, within and past the
/// per-CPU address-space ids, against rings of threads.
pub fn tlb(outcomes: &[Outcome]) -> Verdict {
    let procs = ring_flushes(outcomes, Participants::Process);
    let threads = ring_flushes(outcomes, Participants::Thread);
    let in_band = |n: u64, small: bool| {
        if small {
            n <= SMALL_RING
        } else {
            n >= LARGE_RING
        }
    };
    let counted = |v: &[(u64, Option<f64>, f64)], small: bool| -> Vec<f64> {
        v.iter()
            .filter(|(n, _, _)| in_band(*n, small))
            .filter_map(|(_, f, _)| *f)
            .collect()
    };
    let (small, large) = (counted(&procs, true), counted(&procs, false));
    if small.is_empty() && large.is_empty() {
        let times = procs
            .iter()
            .map(|(n, _, ns)| format!("n={n}: {ns:.0} ns"))
            .collect::<Vec<_>>()
            .join(", ");
        let rings: Vec<&Outcome> = valid(outcomes, "ring").collect();
        let mut evidence = format!(
            "full TLB flushes were not counted: {}",
            crate::analysis::counted::why_not_counted(&rings)
        );
        if !times.is_empty() {
            evidence += &format!("; process ring ns per switch: {times}");
        }
        return verdict(CLAIM_TLB, VerdictKind::NotMeasured, evidence);
    }
    let max = |v: &[f64]| v.iter().copied().fold(f64::NAN, f64::max);
    let min = |v: &[f64]| v.iter().copied().fold(f64::NAN, f64::min);
    let mut evidence = format!(
        "full TLB flushes per switch, rings of processes: {}",
        flush_list(&procs)
    );
    if !threads.is_empty() {
        evidence += &format!("; rings of threads: {}", flush_list(&threads));
    }
    let time_step = {
        let avg = |small: bool| {
            let v: Vec<f64> = procs
                .iter()
                .filter(|(n, _, _)| in_band(*n, small))
                .map(|x| x.2)
                .collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        match (avg(true), avg(false)) {
            (Some(a), Some(b)) => format!(
                "; process ring ns per switch {a:.0} (n <= {SMALL_RING}) vs {b:.0} (n >= {LARGE_RING})"
            ),
            _ => String::new(),
        }
    };
    evidence += &time_step;
    let kind = if small.is_empty() || large.is_empty() {
        evidence += &format!(
            "; judging needs counted rings of n <= {SMALL_RING} and n >= {LARGE_RING} processes"
        );
        VerdictKind::NotMeasured
    } else if max(&small) >= 0.8 {
        evidence += "; every process switch flushes (no address-space ids in use)";
        VerdictKind::Holds
    } else if max(&small) <= 0.1 && min(&large) >= 0.8 {
        // Where the step is, read off the measured rings, not assumed.
        let last_low = procs
            .iter()
            .filter(|(_, f, _)| f.is_some_and(|f| f <= 0.1))
            .map(|x| x.0)
            .max();
        let first_high = procs
            .iter()
            .filter(|(_, f, _)| f.is_some_and(|f| f >= 0.8))
            .map(|x| x.0)
            .min();
        evidence += &match (last_low, first_high) {
            (Some(lo), Some(hi)) if lo < hi => format!(
                "; a process switch keeps the TLB (tagged by address-space id) while up to {lo} \
                 processes take turns on a CPU, and flushes it at every switch from {hi} on \
                 (x86 Linux keeps {ASID_SLOTS} address-space ids per CPU)"
            ),
            _ => "; a process switch keeps the TLB in small rings and flushes it at every \
                  switch in large ones"
                .to_string(),
        };
        VerdictKind::HoldsPartly
    } else if max(&small).max(max(&large)) <= 0.1 {
        evidence += "; process switches do not flush the TLB at any ring size measured";
        VerdictKind::DoesNotHold
    } else {
        evidence += "; some switches flush, without a clear step at the address-space-id limit";
        VerdictKind::HoldsPartly
    };
    verdict(CLAIM_TLB, kind, evidence)
}

/// Claim 4: the working set's indirect cost per switch, against the direct cost.
pub fn caches(outcomes: &[Outcome]) -> Verdict {
    let ws: Vec<&Outcome> = valid(outcomes, "workset")
        .filter(|o| o.variant.as_deref() == Some("read") && o.indirect_ns_per_switch.is_some())
        .collect();
    let base = ws
        .iter()
        .filter(|o| o.parameter == Some(0))
        .filter_map(|o| o.ns_per_switch)
        .fold(f64::NAN, f64::min);
    let base = if base.is_nan() {
        [Participants::Thread, Participants::Process]
            .into_iter()
            .find_map(|p| same_cpu_pingpong(outcomes, p, Mechanism::Pipe)?.ns_per_switch)
    } else {
        Some(base)
    };
    let peak = |p: Participants| {
        ws.iter()
            .filter(|o| o.participants == Some(p) && o.parameter != Some(0))
            .filter_map(|o| Some((o.indirect_ns_per_switch?, o.parameter?)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
    };
    let (Some(base), pp, tp) = (
        base,
        peak(Participants::Process),
        peak(Participants::Thread),
    ) else {
        return verdict(
            CLAIM_CACHES,
            VerdictKind::NotMeasured,
            "needs valid working-set outcomes (workset/...) and a direct cost to compare".into(),
        );
    };
    let best = match (pp, tp) {
        (None, None) => {
            return verdict(
                CLAIM_CACHES,
                VerdictKind::NotMeasured,
                "needs valid working-set outcomes (workset/...) above 0 bytes".into(),
            )
        }
        (a, b) => a.into_iter().chain(b).map(|x| x.0).fold(f64::NAN, f64::max),
    };
    let show = |who: &str, x: Option<(f64, u64)>| match x {
        Some((ns, b)) => format!(
            "{who}: up to {ns:.0} ns extra per switch (at {} per side)",
            crate::units::format_size(b)
        ),
        None => format!("{who}: not measured"),
    };
    let mut evidence = format!(
        "indirect cost, reading one byte per cache line of a private buffer between \
         switches: {}; {}; a switch itself (mechanism included) costs {base:.0} ns",
        show("processes", pp),
        show("threads", tp)
    );
    let kind = if best >= 0.5 * base {
        evidence += &format!(
            "; at its peak the refill costs {:.1}x the switch itself",
            best / base
        );
        VerdictKind::Holds
    } else if best > NOISE * base {
        evidence += "; measurable, but below half the direct cost at every size measured";
        VerdictKind::HoldsPartly
    } else {
        evidence += "; within noise of zero at every size measured";
        VerdictKind::DoesNotHold
    };
    verdict(CLAIM_CACHES, kind, evidence)
}

/// Claim 5: time per creation, fork against thread spawn (and posix_spawn).
pub fn creation(outcomes: &[Outcome]) -> Verdict {
    let get = |id: &str| {
        valid(outcomes, "spawn").find(|o| o.id == id).map(|o| {
            (
                o.ns_per_round_trip.median,
                o.extra.get("minor_faults_child_per_iter").copied(),
            )
        })
    };
    let (Some((fork, ff)), Some((thread, _))) = (get("spawn/fork"), get("spawn/thread")) else {
        return verdict(
            CLAIM_CREATION,
            VerdictKind::NotMeasured,
            "needs valid spawn/fork and spawn/thread".into(),
        );
    };
    let us = |ns: f64| ns / 1000.0;
    let mut evidence = format!(
        "fork + exit + wait {:.1} us vs thread spawn + join {:.1} us per creation ({:.1}x)",
        us(fork),
        us(thread),
        fork / thread
    );
    if let Some(f) = ff {
        evidence += &format!("; {f:.0} minor page faults in each forked child");
    }
    if let Some((ps, pf)) = get("spawn/posix-spawn") {
        evidence += &format!("; posix_spawn of /bin/true {:.1} us", us(ps));
        if let Some(f) = pf {
            evidence += &format!(" ({f:.0} faults in the child)");
        }
    }
    let kind = if fork >= 2.0 * thread {
        VerdictKind::Holds
    } else if fork > thread * (1.0 + NOISE) {
        VerdictKind::HoldsPartly
    } else {
        VerdictKind::DoesNotHold
    };
    verdict(CLAIM_CREATION, kind, evidence)
}

/// Renders verdicts for the terminal.
pub fn render(verdicts: &[Verdict]) -> String {
    let mut out = String::from("Verdict: each claim judged on the measurements\n");
    for (i, v) in verdicts.iter().enumerate() {
        out += &format!(
            "{}. {}\n   {}: {}\n",
            i + 1,
            v.claim,
            v.verdict.to_string().to_uppercase(),
            v.evidence
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{outcome, CounterValue, OutcomeMeta, Samples, SwitchCount};

    fn o(
        id: &str,
        experiment: &str,
        p: Option<Participants>,
        m: Option<Mechanism>,
        param: Option<u64>,
        ns: f64,
        expected: Option<f64>,
    ) -> Outcome {
        let meta = OutcomeMeta {
            id: id.into(),
            experiment: experiment.into(),
            participants: p,
            mechanism: m,
            placement: Some(PlacementKind::SameCpu),
            cpus: vec![0],
            parameter: param,
            variant: (experiment == "workset").then(|| "read".to_string()),
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

    fn pp(p: Participants, m: Mechanism, rt: f64) -> Outcome {
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

    fn pingpongs(pipe: (f64, f64), futex: (f64, f64), eventfd: (f64, f64)) -> Vec<Outcome> {
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

    #[test]
    fn thread_cheaper_every_outcome() {
        let v = thread_cheaper(&pingpongs(
            (5000.0, 4000.0),
            (5000.0, 4000.0),
            (5000.0, 4000.0),
        ));
        assert_eq!(v.verdict, VerdictKind::Holds);
        assert!(
            v.evidence
                .contains("pipe: process 2500 ns vs thread 2000 ns"),
            "{}",
            v.evidence
        );
        let v = thread_cheaper(&pingpongs(
            (4000.0, 4000.0),
            (5000.0, 4000.0),
            (4000.0, 4050.0),
        ));
        assert_eq!(v.verdict, VerdictKind::HoldsPartly);
        let v = thread_cheaper(&pingpongs(
            (4000.0, 4000.0),
            (4000.0, 4100.0),
            (4000.0, 4050.0),
        ));
        assert_eq!(v.verdict, VerdictKind::DoesNotHold);
        assert_eq!(thread_cheaper(&[]).verdict, VerdictKind::NotMeasured);
        // Invalid outcomes do not count.
        let mut bad = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        bad.iter_mut().for_each(|o| o.valid = false);
        assert_eq!(thread_cheaper(&bad).verdict, VerdictKind::NotMeasured);
    }

    #[test]
    fn address_space_every_outcome() {
        // Futex gap, and a gap over the other mechanisms too.
        let mut v = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        v[2].direct_ns_per_switch = Some(2300.0);
        v[3].direct_ns_per_switch = Some(1900.0);
        let r = address_space(&v);
        assert_eq!(r.verdict, VerdictKind::Holds);
        assert!(
            r.evidence.contains("+400 ns") && r.evidence.contains("floors subtracted"),
            "{}",
            r.evidence
        );
        // Futex gap only.
        let r = address_space(&pingpongs(
            (4000.0, 4000.0),
            (5000.0, 4000.0),
            (4000.0, 4000.0),
        ));
        assert_eq!(r.verdict, VerdictKind::HoldsPartly);
        let r = address_space(&pingpongs(
            (4000.0, 4000.0),
            (4050.0, 4000.0),
            (4000.0, 4000.0),
        ));
        assert_eq!(r.verdict, VerdictKind::DoesNotHold);
        assert_eq!(address_space(&[]).verdict, VerdictKind::NotMeasured);
        // A negative gap elsewhere (processes faster) does not confirm it either.
        let r = address_space(&pingpongs(
            (3700.0, 4000.0),
            (5000.0, 4000.0),
            (4040.0, 4000.0),
        ));
        assert_eq!(r.verdict, VerdictKind::HoldsPartly, "{}", r.evidence);
        assert!(r.evidence.contains("masked"), "{}", r.evidence);
        // The futex pair alone: the direct evidence holds, and says it compared the same
        // system calls.
        let all = pingpongs((5000.0, 4000.0), (5000.0, 4000.0), (5000.0, 4000.0));
        let r = address_space(&all[2..4]);
        assert_eq!(r.verdict, VerdictKind::Holds);
        assert!(
            r.evidence.contains("thread-futex-shared")
                && r.evidence.contains("the same shared futex calls"),
            "{}",
            r.evidence
        );
        // Results from before thread-futex-shared: the private twin, said so.
        let mut old = all[2..4].to_vec();
        old[1] = pp(Participants::Thread, Mechanism::Futex, 4000.0);
        let r = address_space(&old);
        assert!(r.evidence.contains("private futex calls"), "{}", r.evidence);
    }

    fn ring(p: Participants, n: u64, flush: Option<f64>) -> Outcome {
        let mut r = o(
            &format!("ring/{p}-pipe/{n}"),
            "ring",
            Some(p),
            Some(Mechanism::Pipe),
            Some(n),
            3000.0 * n as f64,
            Some(n as f64),
        );
        if let Some(f) = flush {
            r.counters.insert(
                FULL_FLUSH.into(),
                CounterValue::Measured {
                    per_round_trip: f * n as f64,
                    per_switch: Some(f),
                    total: f * n as f64 * 100.0,
                    multiplexed: false,
                },
            );
        }
        r
    }

    fn rings(small: f64, large: f64) -> Vec<Outcome> {
        let mut v = Vec::new();
        for n in [2, 4] {
            v.push(ring(Participants::Process, n, Some(small)));
        }
        // The transition zone is shown, not judged.
        v.push(ring(Participants::Process, 7, Some(0.5)));
        for n in [8, 16] {
            v.push(ring(Participants::Process, n, Some(large)));
        }
        v.push(ring(Participants::Thread, 8, Some(0.0)));
        v
    }

    #[test]
    fn tlb_every_outcome() {
        let r = tlb(&rings(0.0, 1.0));
        assert_eq!(r.verdict, VerdictKind::HoldsPartly);
        assert!(
            r.evidence.contains("n=8: 1.00") && r.evidence.contains("n=2: 0.00"),
            "{}",
            r.evidence
        );
        assert_eq!(tlb(&rings(1.0, 1.0)).verdict, VerdictKind::Holds);
        assert_eq!(tlb(&rings(0.0, 0.02)).verdict, VerdictKind::DoesNotHold);
        assert_eq!(tlb(&rings(0.3, 0.5)).verdict, VerdictKind::HoldsPartly);
        let r = tlb(&rings(0.0, 1.0));
        assert!(r.evidence.contains("n=7: 0.50"), "{}", r.evidence);
        // The step is read off the data: flat up to 4, flushing from 8 here.
        assert!(
            r.evidence.contains("while up to 4 processes") && r.evidence.contains("from 8 on"),
            "{}",
            r.evidence
        );
        // Small rings that half-flush are not described as keeping the TLB.
        let r = tlb(&rings(0.5, 1.0));
        assert!(!r.evidence.contains("keeps the TLB"), "{}", r.evidence);
        // Only small rings counted: cannot judge the step.
        let r = tlb(&[ring(Participants::Process, 2, Some(0.0))]);
        assert_eq!(r.verdict, VerdictKind::NotMeasured);
        // Rings without the counter (missing or unsupported): not measured, never zero.
        let mut v = vec![ring(Participants::Process, 2, None)];
        let mut u = ring(Participants::Process, 8, None);
        u.counters.insert(
            FULL_FLUSH.into(),
            CounterValue::Unsupported {
                unsupported: "EACCES".into(),
            },
        );
        v.push(u);
        let r = tlb(&v);
        assert_eq!(r.verdict, VerdictKind::NotMeasured);
        assert!(r.evidence.contains("n=2: 3000 ns"), "{}", r.evidence);
        assert!(
            r.evidence.contains("unsupported here: EACCES"),
            "{}",
            r.evidence
        );
        let r = tlb(&[ring(Participants::Process, 2, None)]);
        assert!(
            r.evidence.contains("no tlb:tlb_flush:full counter"),
            "{}",
            r.evidence
        );
    }

    fn ws(p: Participants, bytes: u64, indirect: f64) -> Outcome {
        let mut w = o(
            &format!("workset/{p}-pipe/{bytes}"),
            "workset",
            Some(p),
            Some(Mechanism::Pipe),
            Some(bytes),
            4000.0,
            Some(2.0),
        );
        w.indirect_ns_per_switch = Some(indirect);
        w
    }

    #[test]
    fn caches_every_outcome() {
        let set = |peak: f64| {
            vec![
                ws(Participants::Process, 0, 0.0),
                ws(Participants::Thread, 0, 0.0),
                ws(Participants::Process, 1 << 20, peak),
                ws(Participants::Thread, 1 << 20, peak * 0.9),
                ws(Participants::Thread, 16 << 10, 10.0),
            ]
        };
        let r = caches(&set(3000.0));
        assert_eq!(r.verdict, VerdictKind::Holds);
        assert!(
            r.evidence
                .contains("3000 ns extra per switch (at 1MiB per side)"),
            "{}",
            r.evidence
        );
        assert_eq!(caches(&set(500.0)).verdict, VerdictKind::HoldsPartly);
        assert_eq!(caches(&set(20.0)).verdict, VerdictKind::DoesNotHold);
        assert_eq!(caches(&[]).verdict, VerdictKind::NotMeasured);
        assert_eq!(
            caches(&[ws(Participants::Thread, 0, 0.0)]).verdict,
            VerdictKind::NotMeasured
        );
    }

    fn spawn(id: &str, ns: f64) -> Outcome {
        let mut s = o(id, "spawn", None, None, None, ns, None);
        s.extra.insert("minor_faults_child_per_iter".into(), 11.0);
        s
    }

    #[test]
    fn creation_every_outcome() {
        let r = creation(&[
            spawn("spawn/fork", 120_000.0),
            spawn("spawn/thread", 25_000.0),
            spawn("spawn/posix-spawn", 480_000.0),
        ]);
        assert_eq!(r.verdict, VerdictKind::Holds);
        assert!(
            r.evidence
                .contains("120.0 us vs thread spawn + join 25.0 us"),
            "{}",
            r.evidence
        );
        assert!(r.evidence.contains("posix_spawn of /bin/true 480.0 us"));
        let r = creation(&[
            spawn("spawn/fork", 40_000.0),
            spawn("spawn/thread", 25_000.0),
        ]);
        assert_eq!(r.verdict, VerdictKind::HoldsPartly);
        let r = creation(&[
            spawn("spawn/fork", 25_000.0),
            spawn("spawn/thread", 25_000.0),
        ]);
        assert_eq!(r.verdict, VerdictKind::DoesNotHold);
        assert_eq!(
            creation(&[spawn("spawn/fork", 1.0)]).verdict,
            VerdictKind::NotMeasured
        );
    }

    #[test]
    fn verdicts_serialise_as_plain_strings() {
        let v = judge_all(&[]);
        assert_eq!(v.len(), 5);
        assert!(v.iter().all(|v| v.verdict == VerdictKind::NotMeasured));
        let json = serde_json::to_string(&v[0]).unwrap();
        assert!(json.contains("\"verdict\":\"not-measured\""), "{json}");
        let back: Verdict = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v[0]);
        let other: Verdict =
            serde_json::from_str(r#"{"claim":"c","verdict":"confirmed","evidence":"e"}"#).unwrap();
        assert_eq!(other.verdict, VerdictKind::Other("confirmed".into()));
        assert!(render(&v).contains("NOT MEASURED"));
    }
}
