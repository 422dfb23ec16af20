//! Memory per task, from the footprint experiment: for processes and for threads, the
//! bytes one more idle task adds, as the least-squares slope over n of what n tasks
//! added; and what a process costs beyond a thread (the difference of the slopes).
//!
//! A slope, not a ratio: what n tasks add includes a fixed part (the pipes, pages the
//! driver touches once), which the intercept takes up.
//!
//! ```
//! use ctxbench::analysis::footprint::PerTask;
//! use ctxbench::experiments::footprint::Quantity;
//! use ctxbench::spec::Participants;
//!
//! // Nothing measured: no slope.
//! let per = PerTask::of(&[]);
//! assert!(per.is_empty());
//! assert_eq!(per.slope(Participants::Process, Quantity::Pss), None);
//! ```

use std::collections::BTreeMap;

use crate::measure::memory::{Quantity, QUANTITIES};
use crate::measure::Outcome;
use crate::spec::{BenchId, Participants};
use crate::stats::{least_squares, LineFit};

/// The quantities that add up to what a task really costs: its share of the pages (PSS),
/// its page tables and its kernel stack. RSS is left out: it counts shared pages again in
/// every process.
pub const OWN: [Quantity; 3] = [Quantity::Pss, Quantity::PageTables, Quantity::KernelStacks];

/// One footprint measurement: n idle tasks and what they added (an outcome's `extra`).
#[derive(Debug, Clone, Copy)]
pub struct Point<'a> {
    /// Processes or threads.
    pub participants: Participants,
    /// How many tasks.
    pub tasks: usize,
    /// What they added, by [`Quantity::key`], in bytes.
    pub extra: &'a BTreeMap<String, f64>,
}

impl<'a> Point<'a> {
    /// The point of a result with this id, validity and extras; `None` for another
    /// experiment's id or an invalid result (only valid measurements count).
    pub fn of(id: BenchId, valid: bool, extra: &'a BTreeMap<String, f64>) -> Option<Self> {
        match id {
            BenchId::Footprint {
                participants,
                tasks,
            } if valid => Some(Point {
                participants,
                tasks,
                extra,
            }),
            _ => None,
        }
    }
}

fn side(p: Participants) -> usize {
    usize::from(p == Participants::Thread)
}

fn index(q: Quantity) -> usize {
    QUANTITIES.iter().position(|&x| x == q).unwrap_or(0)
}

/// The bytes per task of every quantity, for processes and for threads: the
/// least-squares line of what n tasks added over n (its slope is the bytes per task).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerTask {
    fits: [[Option<LineFit>; 4]; 2],
    /// The task counts measured, per side (process, thread), in increasing order.
    tasks: [Vec<usize>; 2],
}

impl PerTask {
    /// Fits every quantity of every side over `points`; a side or quantity with fewer
    /// than two distinct task counts has no line.
    pub fn fit<'a>(points: impl IntoIterator<Item = Point<'a>>) -> Self {
        let mut xy: [[Vec<(f64, f64)>; 4]; 2] = Default::default();
        let mut per = PerTask::default();
        for pt in points {
            let s = side(pt.participants);
            if !per.tasks[s].contains(&pt.tasks) {
                per.tasks[s].push(pt.tasks);
            }
            for q in QUANTITIES {
                if let Some(&bytes) = pt.extra.get(q.key()) {
                    xy[s][index(q)].push((pt.tasks as f64, bytes));
                }
            }
        }
        per.tasks.iter_mut().for_each(|t| t.sort_unstable());
        per.fits = xy.map(|side| side.map(|points| least_squares(&points)));
        per
    }

    /// The fit over the valid footprint outcomes among `outcomes`.
    pub fn of(outcomes: &[Outcome]) -> Self {
        Self::fit(
            outcomes
                .iter()
                .filter_map(|o| Point::of(o.id, o.valid, &o.extra)),
        )
    }

    /// The line of `q` for `p`, where there is one.
    pub fn line(&self, p: Participants, q: Quantity) -> Option<&LineFit> {
        self.fits[side(p)][index(q)].as_ref()
    }

    /// Bytes per task of `q` for `p`.
    pub fn slope(&self, p: Participants, q: Quantity) -> Option<f64> {
        self.line(p, q).map(|f| f.slope)
    }

    /// What a process costs beyond a thread in `q`, bytes per task.
    pub fn beyond(&self, q: Quantity) -> Option<f64> {
        Some(self.slope(Participants::Process, q)? - self.slope(Participants::Thread, q)?)
    }

    /// Bytes per task of [`OWN`] together for `p`: what one task really costs.
    pub fn total(&self, p: Participants) -> Option<f64> {
        OWN.iter().map(|&q| self.slope(p, q)).sum()
    }

    /// The task counts measured for `p`, in increasing order.
    pub fn tasks(&self, p: Participants) -> &[usize] {
        &self.tasks[side(p)]
    }

    /// True when no side has a line.
    pub fn is_empty(&self) -> bool {
        self.fits.iter().flatten().all(Option::is_none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `n` tasks add: `fixed` + `per` x n, per quantity, with `noise` alternating
    /// in sign.
    fn extra(n: usize, fixed: f64, per: [f64; 4], noise: f64) -> BTreeMap<String, f64> {
        let sign = if n % 3 == 0 { 1.0 } else { -1.0 };
        QUANTITIES
            .iter()
            .zip(per)
            .map(|(q, b)| (q.key().to_string(), fixed + b * n as f64 + sign * noise))
            .collect()
    }

    #[test]
    fn the_slope_is_the_bytes_per_task_and_the_difference_what_a_process_adds() {
        let ns = [1, 2, 4, 8, 16, 32, 64];
        let process = [49_000.0, 61_440.0, 16_384.0, 650_000.0];
        let thread = [8_600.0, 4_096.0, 16_384.0, 8_600.0];
        let extras: Vec<(Participants, usize, BTreeMap<String, f64>)> = ns
            .iter()
            .flat_map(|&n| {
                [
                    (
                        Participants::Process,
                        n,
                        extra(n, 90_000.0, process, 2000.0),
                    ),
                    (Participants::Thread, n, extra(n, 12_000.0, thread, 2000.0)),
                ]
            })
            .collect();
        let per = PerTask::fit(extras.iter().map(|(p, n, e)| Point {
            participants: *p,
            tasks: *n,
            extra: e,
        }));
        for (i, q) in QUANTITIES.into_iter().enumerate() {
            let (p, t) = (
                per.slope(Participants::Process, q),
                per.slope(Participants::Thread, q),
            );
            assert!((p.unwrap() - process[i]).abs() < 100.0, "{q:?}: {p:?}");
            assert!((t.unwrap() - thread[i]).abs() < 100.0, "{q:?}: {t:?}");
            let fixed = per.line(Participants::Process, q).unwrap().intercept;
            assert!((fixed - 90_000.0).abs() < 3000.0, "{q:?}: {fixed}");
        }
        let beyond = per.beyond(Quantity::PageTables).unwrap();
        assert!((beyond - (61_440.0 - 4_096.0)).abs() < 200.0, "{beyond}");
        let total = per.total(Participants::Thread).unwrap();
        assert!(
            (total - (8_600.0 + 4_096.0 + 16_384.0)).abs() < 300.0,
            "{total}"
        );
        assert_eq!(per.tasks(Participants::Thread), ns);
        assert!(!per.is_empty());
    }

    #[test]
    fn only_valid_footprints_count_and_one_n_is_no_line() {
        let e = extra(4, 0.0, [1.0; 4], 0.0);
        assert!(Point::of("footprint/thread/4".parse().unwrap(), true, &e).is_some());
        assert!(Point::of("footprint/thread/4".parse().unwrap(), false, &e).is_none());
        assert!(Point::of("spawn/fork".parse().unwrap(), true, &e).is_none());
        let one = PerTask::fit(Point::of("footprint/thread/4".parse().unwrap(), true, &e));
        assert!(one.is_empty());
        assert_eq!(one.tasks(Participants::Thread), [4]);
        assert_eq!(one.total(Participants::Thread), None);
    }
}
