//! The working-set experiment: the indirect cost of a switch, when each side touches its
//! own buffer between switches (lmbench `lat_ctx`'s method; the direct/indirect split of
//! Li, Ding and Shen, "Quantifying the cost of context switch", 2007).
//!
//! Ids: `workset/<participants>-pipe/<size>` reads one byte per cache line;
//! `workset/<participants>-pipe/write/<size>` reads and writes one byte per line;
//! `workset/<participants>-pipe/page-stride/<size>` reads one byte per 4 KiB page. Sizes
//! are per side, written like `0B`, `4KiB`, `1MiB`.
//!
//! The outcome's samples are round trips with both sides touching. Then, from the same
//! harness, interleaved rounds time three batches each:
//! - `rt`: round trips with both sides touching (`extra.interleaved_ns_per_round_trip`);
//! - `idle`: the same round trips with the touching off (`extra.idle_ns_per_round_trip`);
//! - `touch`: the driver's touches alone, no switch, cache warm
//!   (`extra.touch_ns_per_round_trip` = 2 × one pass, for the two sides).
//!
//! `indirect_ns_per_switch` is the median over rounds of `((rt − idle) − touch) / 2`:
//! what the switches cost beyond their direct cost, because each side finds its data
//! evicted (cache) or its translations gone (TLB) when it runs again. Interleaving makes
//! load that drifts during the run (anything else on the machine) cancel within a round.

use crate::error::{Error, Result};
use crate::harness::workset::{Access, TouchAlone, WorksetPingPong, ACCESSES};
use crate::harness::{Harness, WARMUP_ROUND_TRIPS};
use std::time::Duration;

use crate::measure::paired::{ArmMode, Paired};
use crate::measure::{Outcome, OutcomeMeta, SampleConfig};
use crate::spec::{Comparison, Mechanism, Participants, PlacementKind, Variant};
pub use crate::units::{format_size, parse_size};

/// Sizes per side in a full run: 0 and 4 KiB to 16 MiB in powers of 4, then 32 MiB.
pub const DEFAULT_SIZES: [u64; 9] = [
    0,
    4 << 10,
    16 << 10,
    64 << 10,
    256 << 10,
    1 << 20,
    4 << 20,
    16 << 20,
    32 << 20,
];

/// Sizes per side in a quick run.
pub const QUICK_SIZES: [u64; 4] = [0, 16 << 10, 256 << 10, 4 << 20];

/// The largest size accepted at all (per side); memory is checked as well.
pub const MAX_SIZE: u64 = 1 << 30;

/// Who takes part, in report order.
pub const WORKSET_PARTICIPANTS: [Participants; 2] = [Participants::Process, Participants::Thread];

/// One working-set benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorksetSpec {
    /// Processes or threads.
    pub participants: Participants,
    /// How each side touches its buffer.
    pub access: Access,
    /// Bytes per side.
    pub bytes: u64,
    /// The CPU both sides share.
    pub cpu: usize,
}

/// Parses a size list like `0,64KiB,1MiB` (duplicates dropped, order kept).
pub fn parse_sizes(s: &str) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let b = parse_size(part)?;
        if !out.contains(&b) {
            out.push(b);
        }
    }
    Ok(out)
}

/// Refuses sizes that cannot run: above [`MAX_SIZE`], or more than the memory available
/// (`mem_available` bytes) for the largest set-up: five buffers at once (the timed
/// harness's two, and the counted harness's two plus the peer's copy while it forks).
pub fn check_sizes(sizes: &[u64], mem_available: Option<u64>) -> Result<()> {
    for &b in sizes {
        if b > MAX_SIZE {
            return Err(Error::InvalidInput(format!(
                "working-set size {} is above the limit of {} per side; choose smaller --sizes",
                format_size(b),
                format_size(MAX_SIZE)
            )));
        }
        if let Some(avail) = mem_available {
            if b.saturating_mul(5) > avail {
                return Err(Error::InvalidInput(format!(
                    "working-set size {} needs about {} of memory but only {} is available \
                     (MemAvailable in /proc/meminfo); choose smaller --sizes",
                    format_size(b),
                    format_size(b.saturating_mul(5)),
                    format_size(avail)
                )));
            }
        }
    }
    Ok(())
}

/// `MemAvailable` from a `/proc/meminfo` text, in bytes.
pub fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `MemAvailable` of this machine, if `/proc/meminfo` says.
pub fn mem_available() -> Option<u64> {
    parse_mem_available(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// The id of a working-set benchmark.
pub fn workset_id(p: Participants, access: Access, bytes: u64) -> crate::spec::BenchId {
    crate::spec::BenchId::Workset {
        participants: p,
        access,
        bytes,
    }
}

/// Every working-set id for `sizes`, in report order.
pub fn all_ids(sizes: &[u64]) -> Vec<crate::spec::BenchId> {
    let mut ids = Vec::new();
    for access in ACCESSES {
        for p in WORKSET_PARTICIPANTS {
            ids.extend(sizes.iter().map(|&b| workset_id(p, access, b)));
        }
    }
    ids
}

impl WorksetSpec {
    /// Its id.
    pub fn id(&self) -> crate::spec::BenchId {
        workset_id(self.participants, self.access, self.bytes)
    }

    /// What its outcome is about.
    pub fn meta(&self) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Workset,
            participants: Some(self.participants),
            mechanism: Some(Mechanism::Pipe),
            placement: Some(PlacementKind::SameCpu),
            cpus: vec![self.cpu],
            parameter: Some(self.bytes),
            variant: Some(Variant::Access(self.access)),
        }
    }
}

/// `((rt − idle) − touch) / 2`, the indirect cost per switch (may be slightly negative
/// within noise when there is none).
pub fn indirect_ns_per_switch(rt: f64, idle: f64, touch: f64) -> f64 {
    ((rt - idle) - touch) / 2.0
}

/// The three timings of one interleaved round, in ns per round trip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Round {
    /// Round trip with both sides touching.
    pub rt: f64,
    /// Round trip without touching.
    pub idle: f64,
    /// The touches of both sides without switching (2 × one pass of the driver).
    pub touch: f64,
}

/// The indirect cost from interleaved rounds: the median of each round's own estimate,
/// so load that drifts over the run (other work on the machine) cancels within a round.
pub fn indirect_from_rounds(rounds: &[Round]) -> Option<f64> {
    if rounds.is_empty() {
        return None;
    }
    let mut each: Vec<f64> = rounds
        .iter()
        .map(|r| indirect_ns_per_switch(r.rt, r.idle, r.touch))
        .collect();
    Some(crate::stats::median(&mut each))
}

/// Times `rounds` rounds of (touching, idle, touches alone), `iters` each.
fn interleaved(h: &mut WorksetPingPong, rounds: usize, iters: u64) -> Result<Vec<Round>> {
    let per = |d: std::time::Duration| d.as_nanos() as f64 / iters as f64;
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        h.set_touching(true);
        let rt = per(h.run(iters)?);
        h.set_touching(false);
        let idle = per(h.run(iters)?);
        h.set_touching(true);
        let touch = 2.0 * per(TouchAlone(h).run(iters)?);
        out.push(Round { rt, idle, touch });
    }
    Ok(out)
}

/// A working-set benchmark: timed and counted as every benchmark, then interleaved
/// rounds of the three timings for the indirect cost (`extra` keeps their medians).
impl crate::bench::Bench for WorksetSpec {
    type Harness = WorksetPingPong;

    fn id(&self) -> crate::spec::BenchId {
        WorksetSpec::id(self)
    }

    fn meta(&self) -> OutcomeMeta {
        WorksetSpec::meta(self)
    }

    fn build(&self) -> Result<WorksetPingPong> {
        check_sizes(&[self.bytes], mem_available())?;
        let bytes = usize::try_from(self.bytes)
            .map_err(|_| Error::InvalidInput("working-set size does not fit in memory".into()))?;
        let mut h = WorksetPingPong::new(self.participants, bytes, self.access, self.cpu)?;
        h.run((WARMUP_ROUND_TRIPS / 10).max(10))?;
        Ok(h)
    }

    fn finish(&self, h: &mut WorksetPingPong, o: &mut Outcome, cfg: &SampleConfig) -> Result<()> {
        let rounds = interleaved(h, (cfg.samples / 4).max(5), o.iterations_per_sample)?;
        let col = |f: fn(&Round) -> f64| {
            crate::stats::median(&mut rounds.iter().map(f).collect::<Vec<f64>>())
        };
        o.set(
            crate::measure::extra::IDLE_NS_PER_ROUND_TRIP,
            col(|r| r.idle),
        );
        o.set(
            crate::measure::extra::TOUCH_NS_PER_ROUND_TRIP,
            col(|r| r.touch),
        );
        o.set(
            crate::measure::extra::INTERLEAVED_NS_PER_ROUND_TRIP,
            col(|r| r.rt),
        );
        o.indirect_ns_per_switch = indirect_from_rounds(&rounds);
        Ok(())
    }

    /// Every size of one access, processes and threads, side by side.
    fn comparison(&self) -> Option<Comparison> {
        Some(Comparison::Workset(self.access))
    }

    /// Touching (the main loop), untouched, and (above 0 bytes) the touches alone.
    fn modes(&self) -> Vec<ArmMode> {
        if self.bytes > 0 {
            vec![ArmMode::Main, ArmMode::Idle, ArmMode::TouchAlone]
        } else {
            vec![ArmMode::Main, ArmMode::Idle]
        }
    }

    fn run_mode(&self, h: &mut WorksetPingPong, mode: ArmMode, iters: u64) -> Result<Duration> {
        match mode {
            ArmMode::Idle => {
                h.set_touching(false);
                let t = h.run(iters);
                h.set_touching(true);
                t
            }
            ArmMode::TouchAlone => Ok(h.touch_alone(iters)),
            _ => h.run(iters),
        }
    }

    /// The indirect cost round by round: `((rt − idle) − touch) / 2`, with `touch` two
    /// passes of the touches alone (none at 0 bytes, where the figure is the method's
    /// noise).
    fn take_paired(&self, o: &mut Outcome, p: &Paired) {
        let id = self.id();
        let (Some(rt), Some(idle)) = (p.main(id), p.index(id, ArmMode::Idle)) else {
            return;
        };
        let touch = p.index(id, ArmMode::TouchAlone);
        let touch_of = move |r: &[f64]| touch.map_or(0.0, |t| 2.0 * r[t]);
        let column = |f: &dyn Fn(&[f64]) -> f64| {
            crate::stats::median(&mut p.per_round(f).into_iter().flatten().collect::<Vec<f64>>())
        };
        o.set(
            crate::measure::extra::IDLE_NS_PER_ROUND_TRIP,
            column(&|r| r[idle]),
        );
        o.set(
            crate::measure::extra::TOUCH_NS_PER_ROUND_TRIP,
            column(&touch_of),
        );
        o.set(
            crate::measure::extra::INTERLEAVED_NS_PER_ROUND_TRIP,
            column(&|r| r[rt]),
        );
        let salt = (rt as u64) << 20 | idle as u64;
        o.indirect_ns_per_switch = p
            .estimate(salt, |r| {
                indirect_ns_per_switch(r[rt], r[idle], touch_of(r))
            })
            .map(|i| i.value);
    }
}

/// The working sets' descriptor: every access and size of the plan's, processes first.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Workset,
    ids: |o| all_ids(&o.workset_sizes),
    serves: super::serves_none,
    plan: |ids, cpus, _| {
        super::each_on(ids, cpus.first(), |id, cpu| match id {
            crate::spec::BenchId::Workset {
                participants,
                access,
                bytes,
            } => Some(crate::bench::Planned::new(WorksetSpec {
                participants,
                access,
                bytes,
                cpu,
            })),
            _ => None,
        })
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_format() {
        assert_eq!(
            parse_sizes("0,64KiB,1MiB,4k, 2M,4096").unwrap(),
            vec![0, 64 << 10, 1 << 20, 4 << 10, 2 << 20]
        );
        for b in DEFAULT_SIZES {
            assert_eq!(parse_size(&format_size(b)).unwrap(), b);
        }
        assert_eq!(format_size(0), "0B");
        assert_eq!(format_size(100), "100B");
        assert_eq!(format_size(32 << 20), "32MiB");
        for bad in ["", "x", "12q", "-1", "99999999999999999999G", "1.5M"] {
            let e = parse_sizes(bad).unwrap_err();
            assert!(
                e.is_usage() && e.to_string().contains("64KiB"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn sizes_beyond_memory_are_refused() {
        assert!(check_sizes(&[32 << 20], Some(1 << 30)).is_ok());
        let e = check_sizes(&[0, 256 << 20], Some(1 << 30)).unwrap_err();
        assert!(e.to_string().contains("MemAvailable"), "{e}");
        let e = check_sizes(&[2 << 30], None).unwrap_err();
        assert!(e.to_string().contains("above the limit"), "{e}");
        assert_eq!(
            parse_mem_available("MemTotal: 10 kB\nMemAvailable:    2048 kB\n"),
            Some(2 << 20)
        );
    }

    #[test]
    fn ids_name_variant_and_size() {
        assert_eq!(
            workset_id(Participants::Process, Access::Read, 256 << 10),
            "workset/process-pipe/256KiB"
        );
        assert_eq!(
            workset_id(Participants::Thread, Access::PageStride, 1 << 20),
            "workset/thread-pipe/page-stride/1MiB"
        );
        let ids = all_ids(&QUICK_SIZES);
        assert_eq!(ids.len(), QUICK_SIZES.len() * 6);
    }

    #[test]
    fn indirect_cost_arithmetic() {
        // rt 10 us, idle 4 us, touches 2 us: 2 us extra per switch.
        assert_eq!(indirect_ns_per_switch(10_000.0, 4_000.0, 2_000.0), 2_000.0);
        let r = |rt, idle, touch| Round { rt, idle, touch };
        // A round slowed as a whole by outside load still gives its own estimate.
        let rounds = [
            r(10_000.0, 4_000.0, 2_000.0),
            r(20_000.0, 8_000.0, 4_000.0),
            r(10_200.0, 4_000.0, 2_000.0),
        ];
        assert_eq!(indirect_from_rounds(&rounds), Some(2_100.0));
        assert_eq!(indirect_from_rounds(&[]), None);
    }
}
