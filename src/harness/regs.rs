//! `regs/<participants>-futex/<state>`: the futex ping-pong of [`super::futex`] whose two
//! sides write the registers of a state right before every hand-over, so that state is
//! live when the kernel switches away from them and must be saved and restored (the
//! kernel's `XSAVES` skips components that are not in use).
//!
//! The writes run through the ping-pong's [`BeforeHandOver`] hook, the same instructions
//! on both sides and for processes and threads: a load of a mode word the driver sets
//! between batches, then
//! - *write*: every register of the state (`regs/.../none`: a call that returns at once);
//! - *off*: nothing;
//! - *release*: every vector register (and the tiles) back to its initial configuration,
//!   once per side: what turns the writes off cleanly, and what the harness does at set-up,
//!   so `none` starts with nothing live (glibc's string functions leave `zmm16`-`zmm31`
//!   and `k` registers in use where the CPU has AVX-512);
//! - *probe*: no writes; the side records XINUSE: the peer's is what the kernel gave it
//!   back after its last switch, the driver's what it carries into a batch (the set-up
//!   check that the state really is live across a switch, and that `none` is clean).
//!
//! The driver releases its own registers right before every batch starts its clock
//! (code between batches, the measuring itself, uses glibc), and when the harness drops,
//! so no other benchmark of the run inherits live state. The peer's loop runs nothing
//! but the hook and the futex calls.
//!
//! [`RegsPingPong::alone`] is the floor: the driver alone, the same hook and the futex
//! calls of `floor/futex` (wake nobody, a wait that returns at once), no switch.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::futex::{wake_and_wait_alone, BeforeHandOver, FutexPingPong};
use super::{Driver, Harness, Task, WARMUP_ROUND_TRIPS};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement, RegState};
use crate::sys::xstate::{self, Live};
use crate::sys::SharedWords;

pub use crate::sys::xstate::live_mask;

// Modes (the word at MODE).
const WRITE: u32 = 0;
const OFF: u32 = 1;
const RELEASE: u32 = 2;
const PROBE: u32 = 3;

// Word indexes in the hook's shared mapping: the mode; how many sides have probed; what
// each recorded, in the order they hand over (the driver first).
const MODE: usize = 0;
const PROBED: usize = 1;
const SEEN: usize = 2;

/// XINUSE as a probe recorded it; `UNKNOWN` where the CPU does not report it.
const UNKNOWN: u32 = u32::MAX;

/// Whether this machine offers `state`, and the bytes of register state its writes make
/// live; else the reason (the CPU lacks it, the kernel did not enable it or refused it).
pub fn offered(state: RegState) -> std::result::Result<u32, String> {
    xstate::offered(state).map(|l| l.bytes())
}

/// What each side runs before a hand-over (see the module).
#[derive(Clone)]
pub struct RegWrites {
    words: Arc<SharedWords>,
    live: Live,
}

impl BeforeHandOver for RegWrites {
    #[inline]
    fn before_hand_over(&self) {
        let w = self.words.words();
        match w[MODE].load(Ordering::Relaxed) {
            WRITE => self.live.write(),
            OFF => {}
            RELEASE => self.live.release(),
            _ => {
                let seen = xstate::xinuse().map_or(UNKNOWN, |x| x as u32);
                let side = w[PROBED].fetch_add(1, Ordering::Relaxed) as usize;
                if let Some(slot) = w.get(SEEN + side) {
                    slot.store(seen, Ordering::Relaxed);
                }
            }
        }
    }

    /// Right before the clock starts: this side (the driver) lets go of whatever the
    /// code before the batch left live.
    fn before_batch(&self) {
        self.live.release();
    }
}

/// What a probe saw at a hand-over: XINUSE on each side, where the CPU reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The driver's.
    pub driver: Option<u64>,
    /// The peer's.
    pub peer: Option<u64>,
}

/// A futex ping-pong on one CPU whose sides make a register state live before every
/// hand-over.
pub struct RegsPingPong {
    pp: FutexPingPong<RegWrites>,
    /// The floor's futex word (private operations; it always holds 0).
    alone: AtomicU32,
}

impl RegsPingPong {
    /// Sets up the ping-pong of `participants` on `cpu` (thread peers use the private
    /// futex operations, process peers the shared ones, as `thread-futex` and
    /// `process-futex`), releases both sides' registers, checks that the writes make
    /// `state` live across a switch, and warms up, writing.
    pub fn new(participants: Participants, state: RegState, cpu: usize) -> Result<Self> {
        let live = xstate::offered(state).map_err(|why| {
            Error::InvalidInput(format!(
                "the {} register state is not offered here: {why}",
                state.name()
            ))
        })?;
        let words =
            Arc::new(SharedWords::new(SEEN + 2).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?);
        words.words()[MODE].store(RELEASE, Ordering::Relaxed);
        let work = RegWrites { words, live };
        let pp = FutexPingPong::with_work(participants, false, Placement::SameCpu(cpu), work)?;
        let mut h = Self {
            pp,
            alone: AtomicU32::new(0),
        };
        h.pp.guarded_round_trips(1, || {})?; // both sides release
        h.set_mode(WRITE);
        h.check_live()?;
        h.run(WARMUP_ROUND_TRIPS)?;
        Ok(h)
    }

    fn set_mode(&self, mode: u32) {
        self.pp.work().words.words()[MODE].store(mode, Ordering::Relaxed);
    }

    /// One round trip in probe mode (no writes): what each side had in use at its
    /// hand-over (see the module).
    pub fn probe(&mut self) -> Result<Seen> {
        let w = self.pp.work().words.words();
        let mode = w[MODE].load(Ordering::Relaxed);
        w[PROBED].store(0, Ordering::Relaxed);
        self.set_mode(PROBE);
        self.pp.guarded_round_trips(1, || {})?;
        self.set_mode(mode);
        let w = self.pp.work().words.words();
        let read = |side: usize| match w[SEEN + side].load(Ordering::Relaxed) {
            UNKNOWN => None,
            x => Some(u64::from(x)),
        };
        Ok(Seen {
            driver: read(0),
            peer: read(1),
        })
    }

    /// The set-up check: the driver's writes make the state live, and the peer's state
    /// is live when the kernel switches back to it after a round trip of writes.
    fn check_live(&mut self) -> Result<()> {
        self.pp.guarded_round_trips(2, || {})?;
        let seen = self.probe()?;
        let live = self.pp.work().live;
        live.write();
        let driver = xstate::xinuse();
        live.release();
        let want = live_mask(live.state());
        for (who, x) in [("driver", driver), ("peer", seen.peer)] {
            if let Some(x) = x.filter(|x| x & want != want) {
                return Err(Error::InvalidInput(format!(
                    "the {who}'s {} state is not live at its switch (XINUSE {x:#x}, wanted \
                     {want:#x})",
                    live.state().name()
                )));
            }
        }
        Ok(())
    }

    /// Which state the sides write.
    pub fn state(&self) -> RegState {
        self.pp.work().live.state()
    }

    /// Bytes of register state the writes make live (CPUID leaf 0xD).
    pub fn bytes(&self) -> u32 {
        self.pp.work().live.bytes()
    }

    /// Turns the writes on, or off: off releases both sides' registers first (one
    /// round trip), so the round trips after it carry no live state.
    pub fn set_writing(&mut self, on: bool) -> Result<()> {
        if on {
            self.set_mode(WRITE);
        } else {
            self.set_mode(RELEASE);
            self.pp.guarded_round_trips(1, || {})?;
            self.set_mode(OFF);
        }
        Ok(())
    }

    /// Lets go of the driver's vector registers and tiles, so that what it runs next (a
    /// block of another harness) carries none of this state.
    pub fn release_driver(&self) {
        self.pp.work().live.release();
    }

    /// The floor: `iters` times the hook and the futex calls of one side, on the driver
    /// alone (no switch); the wall time.
    pub fn alone(&mut self, iters: u64) -> Result<Duration> {
        wake_and_wait_alone(&self.alone, false, iters, self.pp.work())
    }
}

impl Drop for RegsPingPong {
    fn drop(&mut self) {
        // This thread (the driver) goes on to other benchmarks: leave nothing live.
        self.pp.work().live.release();
    }
}

impl Harness for RegsPingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.pp.guarded_round_trips(iters, || {})
    }

    fn driver(&self) -> &Driver {
        self.pp.driving()
    }
}

/// The floor of a [`RegsPingPong`] as a harness: the driver alone, no switch expected.
pub struct Alone<'a>(pub &'a mut RegsPingPong);

impl Harness for Alone<'_> {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.0.alone(iters)
    }

    fn driver(&self) -> &Driver {
        self.0.driver()
    }

    fn tasks(&self) -> &[Task] {
        &self.0.driver().tasks[..1]
    }

    fn cpus_seen(&self) -> &[Option<usize>] {
        &self.0.driver().cpus_seen[..1]
    }

    fn expected_switches_per_iter(&self) -> Option<f64> {
        Some(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::REG_STATES;

    /// The states this machine offers; the others printed with the reason.
    fn here() -> Vec<RegState> {
        REG_STATES
            .into_iter()
            .filter(|&s| match offered(s) {
                Ok(_) => true,
                Err(why) => {
                    eprintln!("{}: skipped here: {why}", s.name());
                    false
                }
            })
            .collect()
    }

    /// Components no ordinary code of the loop may leave live in `none`: all but SSE.
    const NOT_SSE: u64 =
        (live_mask(RegState::Avx512) | live_mask(RegState::Amx)) & !live_mask(RegState::Sse);

    #[test]
    fn each_state_is_live_across_the_switch_and_none_is_clean() {
        let _x = crate::harness::exclusive();
        for p in [Participants::Process, Participants::Thread] {
            for s in here() {
                crate::harness::retry_on_cpus(|cpu| {
                    let mut h = RegsPingPong::new(p, s, cpu).map_err(|e| e.to_string())?;
                    let count = crate::measure::count_switches(&mut h, 2000).unwrap();
                    if !(1.8..=2.2).contains(&count.per_iter) {
                        return Err(format!("{p} {s:?}: {count:?}"));
                    }
                    let alone = crate::measure::count_switches(&mut Alone(&mut h), 2000).unwrap();
                    if alone.per_iter >= 0.01 {
                        return Err(format!("{p} {s:?} floor switched: {alone:?}"));
                    }
                    let seen = h.probe().unwrap();
                    eprintln!(
                        "{p} {}: {} bytes, XINUSE at hand-over {seen:x?}",
                        s.name(),
                        h.bytes()
                    );
                    let want = live_mask(s);
                    if let Some(peer) = seen.peer {
                        assert_eq!(peer & want, want, "{p} {s:?}: {seen:x?}");
                        if s == RegState::None {
                            assert_eq!(peer & NOT_SSE, 0, "{p}: none is not clean: {seen:x?}");
                        }
                    }
                    if let Some(driver) = seen.driver {
                        // The driver let go of everything right before the batch.
                        assert_eq!(driver & NOT_SSE, 0, "{p} {s:?}: {seen:x?}");
                    }
                    Ok(())
                });
            }
        }
    }

    #[test]
    fn turning_the_writes_off_leaves_nothing_live_on_either_side() {
        let _x = crate::harness::exclusive();
        let Some(&s) = here().iter().rfind(|&&s| s != RegState::None) else {
            eprintln!("skipped: no register state beyond none is offered here");
            return;
        };
        for p in [Participants::Process, Participants::Thread] {
            let cpu = crate::cpus::allowed_cpus().unwrap()[0];
            let mut h = RegsPingPong::new(p, s, cpu).unwrap();
            h.set_writing(false).unwrap();
            h.run(100).unwrap();
            let off = h.probe().unwrap();
            h.set_writing(true).unwrap();
            h.run(100).unwrap();
            let on = h.probe().unwrap();
            eprintln!("{p} {}: off {off:x?}, on {on:x?}", s.name());
            if let (Some(off), Some(on)) = (off.peer, on.peer) {
                assert_eq!(off & NOT_SSE, 0, "{p} {s:?}: {off:#x} with the writes off");
                assert_eq!(on & live_mask(s), live_mask(s), "{p} {s:?}: {on:#x}");
            }
            let floor_on = h.alone(1000).unwrap();
            h.set_writing(false).unwrap();
            let floor_off = h.alone(1000).unwrap();
            assert!(floor_on > Duration::ZERO && floor_off > Duration::ZERO);
        }
    }

    #[test]
    fn a_forked_peer_with_amx_state_runs_and_is_reaped() {
        let _x = crate::harness::exclusive();
        if let Err(why) = offered(RegState::Amx) {
            eprintln!("skipped: amx is not offered here: {why}");
            return;
        }
        let kids = crate::harness::children_of_me();
        let cpu = crate::cpus::allowed_cpus().unwrap()[0];
        let mut h = RegsPingPong::new(Participants::Process, RegState::Amx, cpu).unwrap();
        h.run(1000).unwrap();
        drop(h);
        assert_eq!(
            crate::harness::children_of_me(),
            kids,
            "the AMX peer was left behind"
        );
    }

    #[test]
    fn a_state_that_is_not_offered_is_refused_with_the_reason() {
        for s in REG_STATES {
            if let Err(why) = offered(s) {
                let cpu = crate::cpus::allowed_cpus().unwrap()[0];
                let e = RegsPingPong::new(Participants::Thread, s, cpu)
                    .err()
                    .unwrap();
                assert!(e.to_string().contains(&why), "{e}");
                assert!(e.to_string().contains("not offered here"), "{e}");
            }
        }
    }
}
