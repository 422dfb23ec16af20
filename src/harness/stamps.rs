//! Clock marks for the latency-tails pass: one clock read per round trip, and each round
//! trip's time the difference of two consecutive marks.

use std::time::Instant;

/// Clock reads (CLOCK_MONOTONIC) taken right before each iteration of a pass (see
/// [`super::Harness::run_stamped`]), into a buffer reserved beforehand: marking reads the
/// clock and stores the value, and never allocates while it has room.
#[derive(Debug, Default)]
pub struct Stamps {
    at: Vec<Instant>,
}

impl Stamps {
    /// An empty buffer with room for `n` marks.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            at: Vec::with_capacity(n),
        }
    }

    /// Reads the clock and keeps the time.
    #[inline]
    pub fn mark(&mut self) {
        self.at.push(Instant::now());
    }

    /// How many marks were taken.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// True before the first mark.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Nanoseconds between consecutive marks: one value per iteration but the last (whose
    /// end has no mark).
    pub fn laps_ns(&self) -> impl Iterator<Item = u64> + '_ {
        self.at
            .windows(2)
            .map(|w| w[1].duration_since(w[0]).as_nanos() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{Driver, Harness};

    /// Counts the batches it is asked for, and the iterations in them.
    struct Counted {
        driver: Driver,
        calls: u64,
        iters: u64,
    }

    impl Harness for Counted {
        fn run(&mut self, iters: u64) -> crate::Result<std::time::Duration> {
            self.calls += 1;
            self.iters += iters;
            Ok(std::time::Duration::ZERO)
        }

        fn driver(&self) -> &Driver {
            &self.driver
        }
    }

    #[test]
    fn the_default_pass_is_one_batch_of_one_per_mark() {
        let driver = Driver::pin(crate::spec::Placement::Unpinned).unwrap();
        let mut h = Box::new(Counted {
            driver,
            calls: 0,
            iters: 0,
        });
        let mut s = Stamps::with_capacity(5);
        // Through the box, as the runner holds a harness.
        Harness::run_stamped(&mut h, 5, &mut s).unwrap();
        assert_eq!((s.len(), h.calls, h.iters), (5, 5, 5));
    }

    #[test]
    fn laps_are_the_gaps_between_marks() {
        let mut s = Stamps::with_capacity(4);
        assert!(s.is_empty() && s.laps_ns().next().is_none());
        s.mark();
        assert_eq!(s.laps_ns().count(), 0, "one mark has no lap");
        std::thread::sleep(std::time::Duration::from_millis(2));
        s.mark();
        s.mark();
        let laps: Vec<u64> = s.laps_ns().collect();
        assert_eq!((s.len(), laps.len()), (3, 2));
        assert!(laps[0] >= 2_000_000, "{laps:?}");
    }
}
