//! The working-set ping-pong: a pipe ping-pong on one CPU where, between switches, each
//! side touches its own private buffer (lmbench `lat_ctx`'s working-set method).
//!
//! Each buffer is allocated and written (so every page is faulted in and private) at
//! set-up, before anything is timed; a child process writes its own copy once after the
//! fork, so copy-on-write faults never land in a timed loop. A shared word switches the
//! touching on and off, so the same harness also times the bare round trip; and
//! [`WorksetPingPong::touch_alone`] times the driver's touches with no switching at all.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::link::{Joined, Link};
use super::peer::{ChildGuard, Peer, Task, ThreadGuard};
use super::policy::PolicyGuard;
use super::{pipe, pipe_round_trips, relay_bytes, Driver, Harness, PeerHello};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};
use crate::sys::{PrivateBuffer, SharedWords};

/// Bytes per cache line assumed by the line-stride variants.
pub const LINE: usize = 64;
/// Bytes per page for the page-stride variant.
pub const PAGE: usize = 4096;

pub use crate::spec::{Access, ACCESSES};

impl Access {
    /// The distance between two touches.
    pub fn stride(self) -> usize {
        match self {
            Access::Read | Access::Write => LINE,
            Access::PageStride => PAGE,
        }
    }
}

/// Touches `buf` as `access` says, calling `visit` with each offset touched (a no-op in
/// the benchmark, where it compiles away; tests count with it). Returns how many touches.
/// The reads feed a sum the optimiser must keep, and the written buffer escapes through
/// `black_box`, so no touch can be optimised away. Allocation-free.
#[inline(always)]
pub fn touch_with(buf: &mut [u8], access: Access, mut visit: impl FnMut(usize)) -> usize {
    let stride = access.stride();
    let mut i = 0;
    let mut n = 0;
    match access {
        Access::Read | Access::PageStride => {
            let mut sum = 0u64;
            while i < buf.len() {
                visit(i);
                sum = sum.wrapping_add(u64::from(buf[i]));
                i += stride;
                n += 1;
            }
            std::hint::black_box(sum);
        }
        Access::Write => {
            while i < buf.len() {
                visit(i);
                buf[i] = buf[i].wrapping_add(1);
                i += stride;
                n += 1;
            }
            std::hint::black_box(buf.as_mut_ptr());
        }
    }
    n
}

/// Touches `buf` as `access` says; returns how many touches.
pub fn touch(buf: &mut [u8], access: Access) -> usize {
    touch_with(buf, access, |_| {})
}

/// Writes every page of `buf`, so it is faulted in and private to the caller.
fn prefault(buf: &mut [u8]) {
    let mut i = 0;
    while i < buf.len() {
        buf[i] = 1;
        i += PAGE;
    }
    std::hint::black_box(buf.as_mut_ptr());
}

/// The shared control word: 1 while the sides touch their buffers, 0 when they do not.
const TOUCHING: usize = 0;

/// A pipe ping-pong on one CPU with a private buffer per side.
pub struct WorksetPingPong {
    link: Link<OwnedFd>,
    buf: PrivateBuffer,
    access: Access,
    control: Arc<SharedWords>,
    _policy: PolicyGuard,
}

/// The peer's loop: pre-fault its buffer, say hello, then per byte received touch the
/// buffer (while the control word says so) and send the byte back. Allocation-free.
fn peer_loop(
    (from_driver, to_driver): (&OwnedFd, &OwnedFd),
    (cpu, policy): (usize, crate::sys::SchedPolicy),
    buf: &mut [u8],
    access: Access,
    touching: &AtomicU32,
) -> i32 {
    let hello = PeerHello::pin(Some(cpu)).under(policy);
    prefault(buf);
    let (from, to) = (from_driver.as_fd(), to_driver.as_fd());
    relay_bytes(hello, to, (from, to), || {
        if touching.load(Ordering::Relaxed) != 0 {
            touch(buf, access);
        }
    })
}

/// Maps a private buffer of `bytes` and writes every page of it.
fn buffer(bytes: usize) -> Result<PrivateBuffer> {
    let mut b = PrivateBuffer::new(bytes).map_err(|e| {
        Error::sys(
            format!("mapping a {bytes}-byte working set (choose smaller --sizes)"),
            e,
        )
    })?;
    prefault(b.as_mut_slice());
    Ok(b)
}

/// Forks or spawns the peer with its ends of the pipes and its own buffer.
fn spawn_peer(
    participants: Participants,
    name: &str,
    (p2c_r, c2p_w): (OwnedFd, OwnedFd),
    (cpu, chosen): (usize, crate::sys::SchedPolicy),
    (mut peer_buf, access): (PrivateBuffer, Access),
    control: &Arc<SharedWords>,
) -> Result<Peer> {
    Ok(match participants {
        Participants::Process => {
            let keep = [p2c_r.as_raw_fd(), c2p_w.as_raw_fd()];
            let words = control.words();
            // The child owns its copy of the buffer; the parent's copy is unmapped when
            // the closure is dropped after the fork.
            // SAFETY: `peer_loop` touches a buffer mapped before the fork and reads and
            // writes pipe ends it borrows; the buffer's drop is a `munmap`, a system
            // call: nothing allocates, locks or frees heap memory.
            #[allow(unsafe_code)]
            let child = unsafe {
                ChildGuard::spawn(name, &keep, move || {
                    peer_loop(
                        (&p2c_r, &c2p_w),
                        (cpu, chosen),
                        peer_buf.as_mut_slice(),
                        access,
                        &words[TOUCHING],
                    )
                })
            }?;
            Peer::Process(child)
        }
        Participants::Thread => {
            let c = Arc::clone(control);
            let handle = std::thread::Builder::new()
                .name("ctxbench-workset-peer".into())
                .spawn(move || {
                    peer_loop(
                        (&p2c_r, &c2p_w),
                        (cpu, chosen),
                        peer_buf.as_mut_slice(),
                        access,
                        &c.words()[TOUCHING],
                    );
                })
                .map_err(|e| Error::sys("spawning the peer thread", e))?;
            let guard = ThreadGuard::new(name, handle, Box::new(|| {}));
            Peer::Thread(guard)
        }
    })
}

impl WorksetPingPong {
    /// Sets up both sides on `cpu`, each with a private, pre-faulted buffer of `bytes`.
    pub fn new(
        participants: Participants,
        bytes: usize,
        access: Access,
        cpu: usize,
    ) -> Result<Self> {
        let placement = Placement::SameCpu(cpu);
        let policy = PolicyGuard::exact_hand_over()?;
        let chosen = policy.chosen();
        let driver = Driver::pin(placement)?.under(chosen);
        let control =
            Arc::new(SharedWords::new(1).map_err(|e| Error::sys("mmap (MAP_SHARED)", e))?);
        control.words()[TOUCHING].store(1, Ordering::Relaxed);
        let (p2c_r, p2c_w) = pipe()?;
        let (c2p_r, c2p_w) = pipe()?;
        let name = format!("{participants}-pipe working-set peer");
        let peer_buf = buffer(bytes)?;
        let peer = spawn_peer(
            participants,
            &name,
            (p2c_r, c2p_w),
            (cpu, chosen),
            (peer_buf, access),
            &control,
        )?;
        // After the fork: make the driver's pages private to it again (no copy-on-write
        // fault may land in a timed loop). Should that fail, close `to_peer` before the
        // peer guard joins a peer thread, which leaves its loop on end-of-file.
        let buf = match buffer(bytes) {
            Ok(b) => b,
            Err(e) => {
                drop(p2c_w);
                drop(peer);
                return Err(e);
            }
        };
        let ends = Joined {
            to_peer: p2c_w,
            from_peer: c2p_r,
            peer,
        };
        let link = Link::welcome(ends, driver, None, &name)?;
        Ok(Self {
            link,
            buf,
            access,
            control,
            _policy: policy,
        })
    }

    /// Turns the touching on both sides on or off (off: a bare pipe ping-pong).
    pub fn set_touching(&mut self, on: bool) {
        self.control.words()[TOUCHING].store(u32::from(on), Ordering::Relaxed);
    }

    /// Whether the sides touch their buffers.
    pub fn touching(&self) -> bool {
        self.control.words()[TOUCHING].load(Ordering::Relaxed) != 0
    }

    /// The driver touches its buffer `passes` times with no switch in between: the cost
    /// of the touches alone, on a warm cache.
    pub fn touch_alone(&mut self, passes: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..passes {
            touch(self.buf.as_mut_slice(), self.access);
        }
        start.elapsed()
    }
}

impl Harness for WorksetPingPong {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        let touching = self.touching();
        let (buf, access) = (&mut self.buf, self.access);
        self.link.guarded(|to, from, alarm| {
            pipe_round_trips(to, from, iters, alarm, || {
                if touching {
                    touch(buf.as_mut_slice(), access);
                }
            })
        })
    }

    fn driver(&self) -> &Driver {
        self.link.driver()
    }
}

/// Times [`WorksetPingPong::touch_alone`] as a harness (one pass per iteration), so the
/// shared sampler calibrates and samples it like any other loop.
pub struct TouchAlone<'a>(pub &'a mut WorksetPingPong);

impl Harness for TouchAlone<'_> {
    fn run(&mut self, iters: u64) -> Result<Duration> {
        Ok(self.0.touch_alone(iters))
    }

    fn driver(&self) -> &Driver {
        self.0.link.driver()
    }

    fn tasks(&self) -> &[Task] {
        &self.0.link.driver().tasks[..1]
    }

    fn cpus_seen(&self) -> &[Option<usize>] {
        &self.0.link.driver().cpus_seen[..1]
    }

    fn expected_switches_per_iter(&self) -> Option<f64> {
        Some(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_or_page_is_touched_once() {
        // Held so this CPU-bound loop does not disturb a harness test's switch counts.
        let _x = crate::harness::exclusive();
        let mut buf = vec![0u8; 256 * 1024 + 100];
        for access in ACCESSES {
            let mut seen = std::collections::BTreeSet::new();
            let n = touch_with(&mut buf, access, |off| {
                assert!(seen.insert(off / access.stride()), "touched twice");
            });
            let expected = buf.len().div_ceil(access.stride());
            assert_eq!(n, expected, "{access:?}");
            assert_eq!(seen.len(), expected, "{access:?}");
        }
        // The write variant writes what it touches.
        let mut buf = vec![0u8; 4096];
        touch(&mut buf, Access::Write);
        assert_eq!(buf.iter().filter(|&&b| b == 1).count(), 4096 / LINE);
        assert_eq!(touch(&mut [], Access::Read), 0);
    }

    fn minor_faults() -> i64 {
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD)
            .unwrap()
            .minor_page_faults() as i64
    }

    #[test]
    fn first_touch_faults_every_page() {
        let _x = crate::harness::exclusive();
        // A fresh mapping has no page faulted in: the real (not instrumented) touch loops
        // must fault every page of it once.
        let pages = 2048;
        for access in ACCESSES {
            let mut mapping = PrivateBuffer::new(pages * PAGE).unwrap();
            let buf = mapping.as_mut_slice();
            let before = minor_faults();
            touch(buf, access);
            let faults = minor_faults() - before;
            assert!(
                faults >= pages as i64 * 9 / 10,
                "{access:?}: {faults} faults for {pages} pages"
            );
            // A second read pass finds every page present. (Not checked for writes: a fork
            // elsewhere in the process write-protects our pages, and a write after it faults.)
            if access != Access::Write {
                let before = minor_faults();
                touch(buf, access);
                let again = minor_faults() - before;
                assert!(again < 16, "{access:?}: second pass faulted {again} times");
            }
        }
    }

    #[test]
    fn harness_switches_twice_per_round_trip_with_or_without_touching() {
        let _x = crate::harness::exclusive();
        for p in [Participants::Process, Participants::Thread] {
            for on in [true, false] {
                crate::harness::retry_on_cpus(|cpu| {
                    let mut h = WorksetPingPong::new(p, 64 * 1024, Access::Write, cpu).unwrap();
                    h.set_touching(on);
                    assert_eq!(h.touching(), on);
                    h.run(50).unwrap();
                    assert!(h.touch_alone(3) > Duration::ZERO);
                    let c = crate::measure::count_switches(&mut h, 500).unwrap();
                    if (1.8..=2.2).contains(&c.per_iter) {
                        Ok(())
                    } else {
                        Err(format!("{p} touching={on}: {c:?}"))
                    }
                });
            }
        }
    }
}
