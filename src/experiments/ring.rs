//! The ring experiment: n participants on one CPU pass a token; one lap is n switches.
//!
//! Ids: `ring/<participants>-<mechanism>/<n>`, e.g. `ring/process-pipe/8`,
//! `ring/thread-futex/16`; the mechanism is a pipe ring or a futex ring.

use crate::error::Result;
use crate::harness::futex_ring::FutexRing;
use crate::harness::ring::{check_ring_size, PipeRing};
use crate::harness::{Harness, WARMUP_ROUND_TRIPS};
use crate::measure::OutcomeMeta;
use crate::spec::{Mechanism, Participants, PlacementKind};

/// Ring sizes run by default: around the 6 address-space ids x86 Linux keeps per CPU.
pub const DEFAULT_RING_SIZES: [usize; 8] = [2, 3, 4, 6, 7, 8, 12, 16];

/// Who forms the ring, in report order.
pub const RING_PARTICIPANTS: [Participants; 2] = [Participants::Process, Participants::Thread];

/// How the token is passed, in report order.
pub const RING_MECHANISMS: [Mechanism; 2] = [Mechanism::Pipe, Mechanism::Futex];

/// One ring benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingSpec {
    /// Processes or threads.
    pub participants: Participants,
    /// A pipe ring or a futex ring.
    pub mechanism: Mechanism,
    /// Participants in the ring, the driver included.
    pub n: usize,
    /// The one CPU they all share.
    pub cpu: usize,
}

/// The id of a ring benchmark, e.g. `ring/process-pipe/8`.
pub fn ring_id(p: Participants, m: Mechanism, n: usize) -> crate::spec::BenchId {
    crate::spec::BenchId::Ring {
        participants: p,
        mechanism: m,
        n,
    }
}

impl RingSpec {
    /// Its id.
    pub fn id(&self) -> crate::spec::BenchId {
        ring_id(self.participants, self.mechanism, self.n)
    }

    /// What its outcome is about.
    pub fn meta(&self) -> OutcomeMeta {
        OutcomeMeta {
            id: self.id(),
            experiment: crate::spec::Experiment::Ring,
            participants: Some(self.participants),
            mechanism: Some(self.mechanism),
            placement: Some(PlacementKind::SameCpu),
            cpus: vec![self.cpu],
            parameter: Some(self.n as u64),
            variant: None,
        }
    }

    /// Builds and warms up the ring.
    pub fn build(&self) -> Result<Box<dyn Harness>> {
        check_ring_size(self.n)?;
        let mut h: Box<dyn Harness> = match self.mechanism {
            Mechanism::Pipe => Box::new(PipeRing::new(self.participants, self.n, self.cpu)?),
            Mechanism::Futex => Box::new(FutexRing::new(self.participants, self.n, self.cpu)?),
            m => {
                return Err(crate::Error::InvalidInput(format!(
                    "there is no {m} ring (rings pass the token over a pipe or a futex)"
                )))
            }
        };
        // Warm up by laps, about as many switches as a ping-pong's warm-up.
        h.run((WARMUP_ROUND_TRIPS * 2 / self.n as u64).max(10))?;
        Ok(h)
    }
}

/// A ring's outcome: `ns_per_switch` is the lap time / n, and `switches_per_iteration`
/// the switches counted per lap (n when valid).
impl crate::bench::Bench for RingSpec {
    type Harness = Box<dyn Harness>;

    fn id(&self) -> crate::spec::BenchId {
        RingSpec::id(self)
    }

    fn meta(&self) -> OutcomeMeta {
        RingSpec::meta(self)
    }

    fn build(&self) -> Result<Box<dyn Harness>> {
        RingSpec::build(self)
    }

    /// Every size of one mechanism, processes and threads, side by side.
    fn comparison(&self) -> Option<crate::spec::Comparison> {
        Some(crate::spec::Comparison::Ring(self.mechanism))
    }
}

/// Parses a ring-size list like `2,4,8,16`, refusing sizes no ring can have.
pub fn parse_ring_sizes(s: &str) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        let n: usize = part.parse().map_err(|_| {
            crate::Error::InvalidInput(format!(
                "ring size {part:?} is not a whole number (write e.g. --ring-sizes 2,4,8)"
            ))
        })?;
        check_ring_size(n)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

/// The rings' descriptor: every mechanism, participants and size of the plan's.
pub const DESCRIPTOR: super::Descriptor = super::Descriptor {
    experiment: crate::spec::Experiment::Ring,
    ids: |o| {
        RING_MECHANISMS
            .iter()
            .flat_map(|&m| {
                RING_PARTICIPANTS
                    .iter()
                    .flat_map(move |&p| o.ring_sizes.iter().map(move |&n| ring_id(p, m, n)))
            })
            .collect()
    },
    serves: super::serves_none,
    plan: |ids, cpus, _| {
        super::each_on(ids, cpus.first(), |id, cpu| match id {
            crate::spec::BenchId::Ring {
                participants,
                mechanism,
                n,
            } => Some(crate::bench::Planned::new(RingSpec {
                participants,
                mechanism,
                n,
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
    fn ring_size_lists() {
        assert_eq!(parse_ring_sizes("2, 8,8,16").unwrap(), vec![2, 8, 16]);
        assert!(parse_ring_sizes("2,x")
            .unwrap_err()
            .to_string()
            .contains("\"x\""));
        assert!(parse_ring_sizes("1").unwrap_err().is_usage());
        assert!(parse_ring_sizes("").is_err());
        assert_eq!(
            ring_id(Participants::Thread, Mechanism::Pipe, 7),
            "ring/thread-pipe/7"
        );
        assert_eq!(
            ring_id(Participants::Process, Mechanism::Futex, 16),
            "ring/process-futex/16"
        );
    }
}
