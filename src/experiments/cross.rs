//! Crossing isolation (`cross/<way>/<size>`): what it costs one process to read another's
//! private memory, by each way there is (harness in [`crate::harness::cross`]).
//!
//! One iteration is one read of `size` bytes (4 KiB, 64 KiB, 1 MiB) of the target child's
//! pattern; every batch's bytes are checked against it after the batch. Extras:
//! - `bytes_per_second`: the size over the median time per read;
//! - `calls_per_read`: system calls per read (0 for the shared mapping, 1, or one per
//!   8-byte word for PEEKDATA);
//! - `batches_checked`: timed batches whose bytes matched the pattern.
//!
//! Every way but the shared mapping passes the kernel's ptrace access check (same user
//! and dumpable, or CAP_SYS_PTRACE, and Yama's rule). Where Yama forbids it outright,
//! those ways are skipped with the reason ([`refusal`]); who is refused what is the permission probe
//! probe's business ([`super::permissions`]).

use crate::error::Result;
use crate::harness::cross::CrossHarness;
use crate::harness::Harness;
use crate::measure::{Outcome, OutcomeMeta, SampleConfig};
use crate::spec::{
    BenchId, CrossWay, Participants, PlacementKind, Variant, CROSS_SIZES, CROSS_WAYS,
};

/// One read benchmark: a way, a size, a CPU (the reader's; the target inherits it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrossBench {
    /// How it reads.
    pub way: CrossWay,
    /// Bytes per read.
    pub bytes: u64,
    /// The CPU.
    pub cpu: usize,
}

/// Its id, e.g. `cross/process-vm-readv/4KiB`.
pub fn cross_id(way: CrossWay, bytes: u64) -> BenchId {
    BenchId::Cross { way, bytes }
}

/// Every read id, way by way.
pub fn all_ids() -> Vec<BenchId> {
    CROSS_WAYS
        .iter()
        .flat_map(|&w| CROSS_SIZES.iter().map(move |&b| cross_id(w, b)))
        .collect()
}

/// Why this process may not read a child's memory through the kernel, where Yama says
/// so before anything forks (`yama`: its ptrace_scope; `privileged`: CAP_SYS_PTRACE).
pub fn refusal(yama: Option<u32>, privileged: bool) -> Option<String> {
    match yama {
        Some(3) => Some(
            "Yama ptrace_scope is 3: no process may attach to or read another's memory \
             (set kernel.yama.ptrace_scope lower to measure it)"
                .into(),
        ),
        Some(2) if !privileged => Some(
            "Yama ptrace_scope is 2: only CAP_SYS_PTRACE may read another process's memory; \
             run as root"
                .into(),
        ),
        _ => None,
    }
}

/// The read benchmarks among `wanted` ids on `cpu`, and the ids this machine refuses,
/// each with the reason.
pub fn plan(
    wanted: impl Fn(BenchId) -> bool,
    sizes: &[u64],
    cpu: usize,
) -> (Vec<CrossBench>, Vec<(BenchId, String)>) {
    let why = refusal(
        super::permissions::yama_scope(std::path::Path::new("/")),
        super::permissions::privileged(),
    );
    let (mut planned, mut skipped) = (Vec::new(), Vec::new());
    for way in CROSS_WAYS {
        for &bytes in sizes {
            let id = cross_id(way, bytes);
            if !wanted(id) {
                continue;
            }
            match &why {
                Some(reason) if way.checked_by_kernel() => skipped.push((id, reason.clone())),
                _ => planned.push(CrossBench { way, bytes, cpu }),
            }
        }
    }
    (planned, skipped)
}

impl crate::bench::Bench for CrossBench {
    type Harness = CrossHarness;

    fn id(&self) -> crate::spec::BenchId {
        cross_id(self.way, self.bytes)
    }

    fn meta(&self) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Cross,
            participants: Some(Participants::Process),
            mechanism: None,
            placement: Some(PlacementKind::SameCpu),
            cpus: vec![self.cpu],
            parameter: Some(self.bytes),
            variant: Some(Variant::Way(self.way)),
        }
    }

    fn build(&self) -> Result<CrossHarness> {
        let mut h = CrossHarness::new(self.way, self.bytes as usize, self.cpu)?;
        // A slow harness's first calibration batch is its warm-up (one read is tens of
        // milliseconds; the counted run's harness needs none).
        if !h.slow_iterations() {
            h.run(16)?;
        }
        Ok(h)
    }

    fn finish(&self, h: &mut CrossHarness, o: &mut Outcome, _cfg: &SampleConfig) -> Result<()> {
        let median = o.ns_per_iteration.median;
        if median > 0.0 {
            o.set(
                crate::measure::extra::BYTES_PER_SECOND,
                self.bytes as f64 / median * 1e9,
            );
        }
        o.extra
            .insert("calls_per_read".into(), h.calls_per_read() as f64);
        o.set(
            crate::measure::extra::BATCHES_CHECKED,
            h.batches_checked() as f64,
        );
        o.validity = format!(
            "{}; the bytes read matched what the target wrote in every batch ({} checked)",
            o.validity,
            h.batches_checked()
        );
        Ok(())
    }
}

/// The reads' descriptor: every way at every size of the plan's; the ways this machine's
/// Yama setting refuses are refused with the reason.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Cross,
    ids: |o| {
        CROSS_WAYS
            .iter()
            .flat_map(|&w| o.cross_sizes.iter().map(move |&b| cross_id(w, b)))
            .collect()
    },
    serves: super::serves_none,
    plan: |ids, cpus, o| {
        let (reads, refused) = plan(|id| ids.contains(&id), &o.cross_sizes, cpus.first());
        super::Planning::of(reads, refused)
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::measure_bench;
    use crate::measure::Counting;

    #[test]
    fn ids_and_refusals() {
        assert_eq!(all_ids().len(), 12);
        assert_eq!(all_ids()[0], "cross/shared-mapping/4KiB");
        assert!(all_ids().iter().any(|i| *i == "cross/ptrace-peek/1MiB"));
        assert_eq!(refusal(None, false), None);
        assert_eq!(refusal(Some(1), false), None);
        assert_eq!(refusal(Some(2), true), None);
        assert!(refusal(Some(2), false).unwrap().contains("run as root"));
        assert!(refusal(Some(3), true)
            .unwrap()
            .contains("ptrace_scope is 3"));
    }

    #[test]
    fn every_way_reads_the_targets_bytes_and_leaves_no_child() {
        let _x = crate::harness::exclusive();
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let kids = crate::harness::children_of_me();
        let cfg = SampleConfig::brief(2, 2);
        for way in CROSS_WAYS {
            let b = CrossBench {
                way,
                bytes: 64 << 10,
                cpu,
            };
            let o = measure_bench(&b, &cfg, &Counting::Off).unwrap();
            assert!(o.extra["batches_checked"] >= 3.0, "{way:?}: {:?}", o.extra);
            assert!(o.extra["bytes_per_second"] > 0.0);
            assert!(o.validity.contains("matched"), "{}", o.validity);
        }
        crate::harness::assert_children(kids, "a target");
    }

    #[test]
    fn a_read_of_the_wrong_bytes_fails_the_run() {
        let _x = crate::harness::exclusive();
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        for way in CROSS_WAYS {
            let mut h = CrossHarness::new(way, 4096, cpu).unwrap();
            h.run(3).unwrap();
            h.expect_other_pattern();
            let e = h.run(3).unwrap_err().to_string();
            assert!(
                e.contains("differ from what the target wrote"),
                "{way:?}: {e}"
            );
        }
    }
}
