//! `isolation/<participants>-write`: the first write to a page the other side also holds,
//! and whether the other side then sees it.
//!
//! The driver owns a private buffer of [`CHUNK_PAGES`] pages, each written with
//! [`OWN_VALUE`] at set-up (so each is really there, writable, in this process). Per chunk
//! of iterations a writer is started: a forked child (`process`), which shares every page
//! with the parent copy-on-write, or a thread (`thread`), which shares the address space.
//! The writer stores a new value in the first word of each of the chunk's pages, timing
//! that loop alone (the same instructions in both), and reports the time. Then, the writer
//! gone, the driver reads every page back:
//!
//! - after a child wrote, each page must still hold [`OWN_VALUE`]: the child's first write
//!   faulted and got a copy of its own (isolation held); a page holding the child's value
//!   is an error (a test seam, `over_shared_pages`, forces it);
//! - after a thread wrote, each page must hold the thread's value: the same page, seen at
//!   once, no fault.
//!
//! One iteration is one write to one page the other side holds. For a child it is the
//! page's first write: a fresh child (so a fresh sharing) every chunk of 1024, since a
//! page the child has copied is no longer shared. For a thread one writer goes over the
//! 1024 pages as often as the batch needs (starting a thread per chunk would cost eight
//! times the writes), and the check reads the pages it wrote last. Minor faults per write
//! come from a run of their own ([`IsolationHarness::minor_faults`]), the writer reading
//! its own `getrusage` around the same loop, untimed.

use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};

use super::peer::ChildGuard;
use super::target::Memory;
use super::{pipe, read_exact_timeout, Driver, Harness, HELLO_TIMEOUT};
use crate::error::{Error, Result};
use crate::spec::{Participants, Placement};
use crate::sys::crossing::forbid_huge_pages;
use crate::sys::write_raw;

/// Bytes per page (the x86-64 base page).
pub const PAGE: usize = 4096;

/// Pages written per writer: a fresh child (or thread) every 1024 first writes, 4 MiB.
pub const CHUNK_PAGES: usize = 1024;

/// What the driver's pages hold, its own value.
pub const OWN_VALUE: u64 = 0x0DDB_A110_0000;

/// What a writer measures around its loop of writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    /// The loop's wall time in ns.
    Time,
    /// The writer's minor page faults over the loop.
    Faults,
}

/// Stores `v` in the first word of `n` pages, going over `pages` again as many times as
/// it takes: the loop both twins time (a child's `n` is never more than one pass).
#[inline(never)]
fn first_writes(pages: &mut [u8], n: usize, v: u64) {
    let per_pass = pages.len() / PAGE;
    let mut left = n;
    while left > 0 {
        let k = left.min(per_pass);
        for p in pages[..k * PAGE].chunks_exact_mut(PAGE) {
            p[..8].copy_from_slice(&v.to_ne_bytes());
        }
        left -= k;
    }
    std::hint::black_box(pages);
}

/// The calling thread's minor page faults so far; allocation-free.
fn minor_faults_now() -> u64 {
    getrusage(UsageWho::RUSAGE_THREAD).map_or(0, |u| u.minor_page_faults() as u64)
}

/// A writer's whole job, the same for a child and a thread: `n` first writes measured
/// as `what` says. Allocation-free.
fn write_measured(pages: &mut [u8], n: usize, v: u64, what: Measure) -> u64 {
    match what {
        Measure::Time => {
            let start = Instant::now();
            first_writes(pages, n, v);
            start.elapsed().as_nanos() as u64
        }
        Measure::Faults => {
            let before = minor_faults_now();
            first_writes(pages, n, v);
            minor_faults_now().saturating_sub(before)
        }
    }
}

/// The word a page starts with.
fn first_word(page: &[u8]) -> u64 {
    u64::from_ne_bytes(page[..8].try_into().unwrap_or([0; 8]))
}

/// The driver, its pages, and what the checks have found so far.
pub struct IsolationHarness {
    participants: Participants,
    pages: Memory,
    driver: Driver,
    next: u64,
    pages_checked: u64,
    pages_seen: u64,
}

impl IsolationHarness {
    /// Pins this thread to `cpu` (writers inherit it) and maps and writes the pages.
    pub fn new(participants: Participants, cpu: usize) -> Result<Self> {
        Self::over(participants, cpu, Memory::private(CHUNK_PAGES * PAGE)?)
    }

    /// Test seam: the process twin over `MAP_SHARED` pages, where the child's write does
    /// reach the parent, so the isolation check must fail.
    #[cfg(test)]
    pub(crate) fn over_shared_pages(cpu: usize) -> Result<Self> {
        Self::over(
            Participants::Process,
            cpu,
            Memory::shared(CHUNK_PAGES * PAGE)?,
        )
    }

    fn over(participants: Participants, cpu: usize, mut pages: Memory) -> Result<Self> {
        let driver = Driver::pin(Placement::SameCpu(cpu))?.expecting(None);
        if let Memory::Private(_) = pages {
            // A 2 MiB huge page would be split, not copied, on the first write.
            forbid_huge_pages(pages.as_mut_slice())
                .map_err(|e| Error::sys("madvise(MADV_NOHUGEPAGE)", e))?;
        }
        first_writes(pages.as_mut_slice(), CHUNK_PAGES, OWN_VALUE);
        Ok(Self {
            participants,
            pages,
            driver,
            next: 0,
            pages_checked: 0,
            pages_seen: 0,
        })
    }

    /// Processes or threads.
    pub fn participants(&self) -> Participants {
        self.participants
    }

    /// Pages checked after their writer was gone, over every chunk so far.
    pub fn pages_checked(&self) -> u64 {
        self.pages_checked
    }

    /// Of those, the pages on which the other side read the writer's value (all of a
    /// thread's, none of a child's: anything else is an error).
    pub fn pages_seen(&self) -> u64 {
        self.pages_seen
    }

    /// Minor page faults per first write, over `iters` writes run for it alone.
    pub fn minor_faults(&mut self, iters: u64) -> Result<f64> {
        let faults = self.chunks(iters, Measure::Faults)?;
        Ok(faults as f64 / iters.max(1) as f64)
    }

    /// Runs `iters` writes, summing what the writers measured: a child per chunk, one
    /// thread for them all (see the module).
    fn chunks(&mut self, iters: u64, what: Measure) -> Result<u64> {
        let chunk = match self.participants {
            Participants::Process => CHUNK_PAGES as u64,
            Participants::Thread => iters.max(1),
        };
        let mut left = iters;
        let mut sum = 0;
        while left > 0 {
            let n = left.min(chunk) as usize;
            sum += self.chunk(n, what)?;
            left -= n as u64;
        }
        Ok(sum)
    }

    /// One writer making `n` first writes, then the check of every page it wrote.
    fn chunk(&mut self, n: usize, what: Measure) -> Result<u64> {
        self.next += 1;
        let v = OWN_VALUE + self.next;
        let written = n.min(CHUNK_PAGES);
        let pages = &mut self.pages.as_mut_slice()[..written * PAGE];
        let got = match self.participants {
            Participants::Process => write_in_child(pages, v, what)?,
            Participants::Thread => std::thread::scope(|s| {
                std::thread::Builder::new()
                    .name("ctxbench-writer".into())
                    .spawn_scoped(s, || write_measured(pages, n, v, what))
                    .map_err(|e| Error::sys("spawning the writer thread", e))?
                    .join()
                    .map_err(|_| Error::PeerDied {
                        peer: "the writer thread".into(),
                        how: "it panicked".into(),
                    })
            })?,
        };
        self.check(written, v)?;
        Ok(got)
    }

    /// After the writer of value `v` is gone: a process's pages still hold the driver's
    /// own value, a thread's hold `v`.
    fn check(&mut self, n: usize, v: u64) -> Result<()> {
        let pages = &self.pages.as_mut_slice()[..n * PAGE];
        let (want, why) = match self.participants {
            Participants::Process => (
                OWN_VALUE,
                "isolation broken: the parent read the child's value after the child wrote \
                 its copy-on-write page",
            ),
            Participants::Thread => (
                v,
                "the thread's write is not visible to the other thread of the same address \
                 space",
            ),
        };
        if let Some(i) = pages.chunks_exact(PAGE).position(|p| first_word(p) != want) {
            return Err(Error::InvalidInput(format!(
                "{why} (page {i} of {n} holds {:#x}, expected {want:#x})",
                first_word(&pages[i * PAGE..])
            )));
        }
        self.pages_checked += n as u64;
        if want == v {
            self.pages_seen += n as u64;
        }
        Ok(())
    }
}

/// Forks a child that runs the writer's job on its copy of `pages`, checks that it reads
/// its own value back, and reports what it measured; waits for it.
fn write_in_child(pages: &mut [u8], v: u64, what: Measure) -> Result<u64> {
    let (r, w) = pipe()?;
    let wfd = w.as_raw_fd();
    let n = pages.len() / PAGE;
    let body = move || {
        let got = write_measured(pages, n, v, what);
        if pages.chunks_exact(PAGE).any(|p| first_word(p) != v) {
            return 6; // the child does not see its own write
        }
        if !matches!(write_raw(wfd, &got.to_le_bytes()), Ok(8)) {
            return 3;
        }
        0
    };
    // SAFETY: the child writes into pages mapped before the fork, reads the clock or
    // getrusage, and writes eight bytes to a pipe end: nothing is allocated, locked or
    // freed.
    #[allow(unsafe_code)]
    let child = unsafe { ChildGuard::spawn("the writer child", &[wfd], body) }?;
    drop(w);
    let mut b = [0u8; 8];
    read_exact_timeout(r.as_fd(), &mut b, HELLO_TIMEOUT, "the writer child")?;
    match child.wait_exit()? {
        0 => Ok(u64::from_le_bytes(b)),
        code => Err(Error::PeerDied {
            peer: "the writer child".into(),
            how: format!("exit code {code} (6: it did not read back its own write)"),
        }),
    }
}

impl Harness for IsolationHarness {
    /// `iters` first writes, a fresh writer per chunk; the time is the writers' loops
    /// alone (fork, thread start, reporting and the checks are outside it).
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.chunks(iters, Measure::Time).map(Duration::from_nanos)
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }
}
