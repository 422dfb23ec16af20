//! The textbook claims about context switches, each judged on the outcomes measured
//! here and the comparisons measured side by side in paired rounds, with the figures it
//! rests on. Pure logic over a set of outcomes.
//!
//! Only valid outcomes count. A counter that is missing or unsupported is "not measured
//! here", never zero. Every figure a verdict rests on carries its 95% interval, and each
//! claim states its margin: HOLDS when the interval clears it the way the claim says,
//! THE OPPOSITE when it clears it the other way, NO DIFFERENCE when the interval lies
//! within it, INCONCLUSIVE otherwise (see [`figure::decide`]).
//!
//! Each claim is one file implementing [`Claim`]; [`CLAIMS`] registers them, in the
//! order they are numbered and shown.
//!
//! ```
//! use ctxbench::analysis::claims::{judge_all, render, VerdictKind, CLAIMS};
//!
//! // Nothing measured: every claim is "not measured", with what it needs.
//! let verdicts = judge_all(&[]);
//! assert_eq!(verdicts.len(), CLAIMS.len());
//! assert!(verdicts.iter().all(|v| v.verdict == VerdictKind::NotMeasured));
//! assert!(render(&verdicts).contains("1. A thread switch is cheaper"));
//! ```

pub(crate) mod address_space;
pub(crate) mod caches;
mod creation;
mod crossing;
mod evidence;
pub mod figure;
mod isolation;
mod kernel_across_cores;
mod kernel_share;
pub(crate) mod registers;
pub(crate) mod rounds;
pub(crate) mod select;
mod shared_memory;
mod thread_cheaper;
pub(crate) mod tlb;
mod verdict;

#[cfg(test)]
pub(crate) mod fixtures;

pub use address_space::AddressSpace;
pub use caches::Caches;
pub use creation::Creation;
pub use crossing::Crossing;
pub use evidence::Evidence;
pub use figure::{Figure, Margin, Unit};
pub use isolation::Isolation;
pub use kernel_across_cores::{KernelAcrossCores, CLEAR_MARGIN};
pub use kernel_share::KernelShare;
pub use registers::Registers;
pub use shared_memory::SharedMemory;
pub use thread_cheaper::ThreadCheaper;
pub use tlb::{Tlb, ASID_SOURCE, FLUSHES, KEPT};
pub use verdict::{ClaimVerdict, VerdictKind};

use crate::measure::paired::Paired;
use crate::measure::permissions::Permissions;
use crate::measure::Outcome;

/// What a run knows besides its outcomes, for the claims that read it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunFacts<'a> {
    /// The ids asked for that did not run, and why (`(id, reason)`, a results file's
    /// `skipped`): a claim names a missing figure's reason.
    pub skipped: &'a [(&'a str, &'a str)],
    /// Who the kernel let read whose memory, where the run probed it.
    pub permissions: Option<&'a Permissions>,
    /// The comparisons measured in paired rounds.
    pub paired: &'a [Paired],
}

/// What judging a claim found: how it fared and the figures behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// How the claim fared.
    pub kind: VerdictKind,
    /// The figures it rests on, in words.
    pub evidence: Evidence,
    /// The figures, typed.
    pub figures: Vec<Figure>,
    /// The margin inside which a difference counts as none.
    pub margin: Option<Margin>,
}

impl Finding {
    /// A finding of `kind` resting on `evidence`.
    pub fn new(kind: VerdictKind, evidence: Evidence) -> Self {
        Self {
            kind,
            evidence,
            figures: Vec::new(),
            margin: None,
        }
    }

    /// The same finding with its typed figures and margin.
    pub fn with(mut self, figures: Vec<Figure>, margin: Option<Margin>) -> Self {
        self.figures = figures;
        self.margin = margin;
        self
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

    /// Judges the claim on `outcomes` and on what else the run knows (`facts`: the ids
    /// that did not run and why, who the kernel let read whose memory). The same as
    /// [`Claim::judge`] unless a claim reads the facts.
    fn judge_in(&self, outcomes: &[Outcome], _facts: &RunFacts<'_>) -> Finding {
        self.judge(outcomes)
    }

    /// The claim's verdict on `outcomes`, as results files keep it.
    fn verdict(&self, outcomes: &[Outcome]) -> ClaimVerdict {
        self.verdict_in(outcomes, &RunFacts::default())
    }

    /// The claim's verdict on `outcomes` and `facts` (see [`Claim::judge_in`]).
    fn verdict_in(&self, outcomes: &[Outcome], facts: &RunFacts<'_>) -> ClaimVerdict {
        let Finding {
            kind,
            evidence,
            figures,
            margin,
        } = self.judge_in(outcomes, facts);
        ClaimVerdict {
            claim: self.statement().into(),
            verdict: kind,
            evidence: evidence.to_string(),
            margin,
            figures,
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
    &Registers,
    &KernelShare,
    &Isolation,
    &Crossing,
    &KernelAcrossCores,
];

/// Statements claims had in older results files, each with the statement it has now: a
/// comparison of files from before and after the change shows one claim, not two.
const FORMER_STATEMENTS: [(&str, &str); 1] = [(
    "Waking a task on another core costs more than the cache line it waits on: the \
     kernel's share across cores.",
    "Waking a task on another core costs more than the cache line it waits on.",
)];

/// The statement a claim has now, for `statement` as a results file holds it (an older
/// wording maps to the current one).
pub fn current_statement(statement: &str) -> &str {
    FORMER_STATEMENTS
        .iter()
        .find(|(old, _)| *old == statement)
        .map_or(statement, |(_, now)| now)
}

/// Judges every claim on `outcomes`.
pub fn judge_all(outcomes: &[Outcome]) -> Vec<ClaimVerdict> {
    judge_all_in(outcomes, &RunFacts::default())
}

/// Judges every claim on `outcomes` and on what else the run knows ([`RunFacts`]).
pub fn judge_all_in(outcomes: &[Outcome], facts: &RunFacts<'_>) -> Vec<ClaimVerdict> {
    CLAIMS
        .iter()
        .map(|c| c.verdict_in(outcomes, facts))
        .collect()
}

/// Renders verdicts for the terminal: each claim, its verdict and evidence (figures with
/// their 95% intervals in brackets), and its margin.
pub fn render(verdicts: &[ClaimVerdict]) -> String {
    let mut out = String::from(
        "Verdict: each claim judged on the measurements (95% intervals in brackets)\n",
    );
    for (i, v) in verdicts.iter().enumerate() {
        out += &format!(
            "{}. {}\n   {}: {}\n",
            i + 1,
            v.claim,
            v.verdict.to_string().to_uppercase(),
            v.evidence
        );
        if let Some(m) = &v.margin {
            out += &format!("   margin {m}\n");
        }
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
            r.contains("7. A switch saves and restores the registers"),
            "{r}"
        );
        assert!(
            r.contains("8. A kernel switch pays for entering the kernel: a user-space switch is N times cheaper.\n"),
            "{r}"
        );
        assert!(
            r.contains("11. Waking a task on another core costs more than the cache line"),
            "{r}"
        );
    }
}
