//! What the claims read of the comparisons measured in paired rounds: a comparison by
//! name, and a figure's estimate from the main loops (or other loops) of named arms.

use super::RunFacts;
use crate::measure::paired::{ArmMode, Paired};
use crate::spec::{BenchId, Comparison};
use crate::stats::bootstrap::Interval;

/// The comparison `c` among the run's.
pub fn find<'a>(facts: &RunFacts<'a>, c: Comparison) -> Option<&'a Paired> {
    let name = c.to_string();
    facts.paired.iter().find(|p| p.name == name)
}

/// A number naming `text`, the same for the same text (FNV-1a).
fn name_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// A number naming a figure made of `arms`, so that its resamples differ from another
/// figure's but are the same for the same file.
fn salt(arms: &[(BenchId, ArmMode)]) -> u64 {
    let text: String = arms
        .iter()
        .map(|(id, m)| format!("{id}:{}/", m.name()))
        .collect();
    name_hash(&text)
}

/// The estimate and 95% interval of `f` computed round by round from the arms `arms`
/// of `p` (their ns per iteration, in the order given); `None` where `p` lacks one of
/// them or has no quiet round.
pub fn estimate(
    p: &Paired,
    arms: &[(BenchId, ArmMode)],
    f: impl Fn(&[f64]) -> f64,
) -> Option<Interval> {
    let idx: Vec<usize> = arms
        .iter()
        .map(|(id, m)| p.index(*id, *m))
        .collect::<Option<_>>()?;
    p.estimate(salt(arms), |row| {
        let picked: Vec<f64> = idx.iter().map(|&i| row[i]).collect();
        f(&picked)
    })
    .filter(|i| i.value.is_finite())
}

/// The per-round median of arm `id`'s main loop, ns per iteration, over every quiet
/// round.
pub fn median_main(p: &Paired, id: BenchId) -> Option<f64> {
    let i = p.main(id)?;
    let mut v: Vec<f64> = p.per_round(|r| r[i]).into_iter().flatten().collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(crate::stats::quantile(&v, 0.5))
}

/// The median of an outcome measured on its own (not in paired rounds), with a 95%
/// interval from blocks of its consecutive batches: one set-up, so the interval sees the
/// spread between batches only, not between set-ups (said wherever it is shown).
pub fn of_batches(o: &crate::measure::Outcome) -> Option<Interval> {
    let seed = name_hash(&o.id.to_string());
    crate::stats::bootstrap::hierarchical(
        std::slice::from_ref(&o.samples_ns_per_iteration),
        &crate::stats::bootstrap::Bootstrap::default(),
        seed,
    )
}

/// The interval of `a / b` for two intervals measured apart: the widest the ends allow.
pub fn ratio(a: Interval, b: Interval) -> Interval {
    Interval {
        value: a.value / b.value,
        low: a.low / b.high,
        high: a.high / b.low,
    }
}

/// The finding of a claim whose comparison `p` has no quiet round: inconclusive, and
/// why. `None` where it has some.
pub fn all_disturbed(p: &Paired) -> Option<super::Finding> {
    (p.quiet_rounds() == 0).then(|| {
        super::Finding::new(
            super::VerdictKind::Inconclusive,
            super::Evidence::new(format!(
                "every one of the {} rounds of {} was disturbed (other tasks took over 1% of \
                 the CPU during a block, or the hypervisor stole time): no figure; measure on \
                 a quiet machine",
                p.taken_rounds(),
                p.name
            )),
        )
    })
}
