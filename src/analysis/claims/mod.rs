//! The textbook claims about context switches, each judged on the outcomes measured
//! here, with the figures it rests on. Pure logic over a set of outcomes.
//!
//! Only valid outcomes count. A counter that is missing or unsupported is "not measured
//! here", never zero. Differences smaller than [`NOISE`] (relative) count as no difference.
//!
//! Each claim is one file implementing [`Claim`]; [`CLAIMS`] registers them, in the
//! order they are numbered and shown.
//!
//! ```
//! use ctxbench::analysis::claims::{judge_all, render, VerdictKind};
//!
//! // Nothing measured: every claim is "not measured", with what it needs.
//! let verdicts = judge_all(&[]);
//! assert_eq!(verdicts.len(), 7);
//! assert!(verdicts.iter().all(|v| v.verdict == VerdictKind::NotMeasured));
//! assert!(render(&verdicts).contains("1. A thread switch is cheaper"));
//! ```

mod address_space;
mod caches;
mod creation;
mod evidence;
mod kernel_across_cores;
mod select;
mod shared_memory;
mod thread_cheaper;
mod tlb;
mod verdict;

#[cfg(test)]
pub(crate) mod fixtures;

pub use address_space::AddressSpace;
pub use caches::Caches;
pub use creation::Creation;
pub use evidence::Evidence;
pub use kernel_across_cores::{KernelAcrossCores, CLEAR_MARGIN};
pub use shared_memory::SharedMemory;
pub use thread_cheaper::ThreadCheaper;
pub use tlb::{Tlb, ASID_SLOTS, LARGE_RING, SMALL_RING};
pub use verdict::{ClaimVerdict, VerdictKind};

use crate::measure::Outcome;

/// Relative differences below this are treated as noise (5%).
pub const NOISE: f64 = 0.05;

/// What judging a claim found: how it fared and the figures behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// How the claim fared.
    pub kind: VerdictKind,
    /// The figures it rests on.
    pub evidence: Evidence,
}

impl Finding {
    /// A finding of `kind` resting on `evidence`.
    pub fn new(kind: VerdictKind, evidence: Evidence) -> Self {
        Self { kind, evidence }
    }

    /// The outcomes a claim needs are missing: `needs` says which.
    pub fn not_measured(needs: &str) -> Self {
        Self::new(VerdictKind::NotMeasured, Evidence::new(needs))
    }
}

/// A textbook claim that the outcomes can support or contradict.
pub trait Claim {
    /// The claim, in plain words (the `claim` of its verdict).
    fn statement(&self) -> &'static str;

    /// Judges the claim on `outcomes`.
    fn judge(&self, outcomes: &[Outcome]) -> Finding;

    /// The claim's verdict on `outcomes`, as results files keep it.
    fn verdict(&self, outcomes: &[Outcome]) -> ClaimVerdict {
        let Finding { kind, evidence } = self.judge(outcomes);
        ClaimVerdict {
            claim: self.statement().into(),
            verdict: kind,
            evidence: evidence.to_string(),
        }
    }
}

/// Every claim, in the order they are numbered and shown: one line registers a claim.
pub const CLAIMS: &[&dyn Claim] = &[
    &ThreadCheaper,
    &AddressSpace,
    &Tlb,
    &Caches,
    &Creation,
    &SharedMemory,
    &KernelAcrossCores,
];

/// Judges every claim on `outcomes`.
pub fn judge_all(outcomes: &[Outcome]) -> Vec<ClaimVerdict> {
    CLAIMS.iter().map(|c| c.verdict(outcomes)).collect()
}

/// Renders verdicts for the terminal.
pub fn render(verdicts: &[ClaimVerdict]) -> String {
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

    #[test]
    fn every_claim_judges_nothing_as_not_measured() {
        let v = judge_all(&[]);
        assert_eq!(v.len(), CLAIMS.len());
        assert!(v.iter().all(|v| v.verdict == VerdictKind::NotMeasured));
        let json = serde_json::to_string(&v[0]).unwrap();
        assert!(json.contains("\"verdict\":\"not-measured\""), "{json}");
        let back: ClaimVerdict = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v[0]);
        let r = render(&v);
        assert!(r.contains("NOT MEASURED"), "{r}");
        assert!(
            r.contains("5. Processes are costlier to create than threads.\n"),
            "{r}"
        );
        assert!(
            r.contains("6. Threads share memory; each process keeps its own.\n"),
            "{r}"
        );
        assert!(
            r.contains("7. Waking a task on another core costs more than the cache line"),
            "{r}"
        );
    }
}
