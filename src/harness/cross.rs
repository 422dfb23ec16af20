//! `cross/<way>/<size>`: this process reads another process's private memory, the
//! [`Target`]'s pattern, one read of `size` bytes per iteration.
//!
//! The ways ([`CrossWay`]):
//! - `shared-mapping`: `memcpy` from a `MAP_SHARED` buffer the child filled: what IPC
//!   uses; after the mapping exists, no system call;
//! - `process-vm-readv`: one `process_vm_readv` call;
//! - `proc-mem`: one `pread` of `/proc/PID/mem` (opened once, at set-up);
//! - `ptrace-peek`: the child attached and stopped once at set-up (`PTRACE_SEIZE` +
//!   `PTRACE_INTERRUPT`), then one `PTRACE_PEEKDATA` per 8-byte word.
//!
//! The target stays blocked (or stopped) throughout: a read is the reader alone in the
//! kernel, so an iteration makes no context switch (the validity check says so). Each
//! timed batch reads into a buffer first filled with a poison byte; after the batch, with
//! the clock stopped, the buffer is checked against the pattern the child wrote, so a
//! read that delivered nothing, or the wrong bytes, fails the run.

use std::ffi::CString;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use super::target::{pattern_mismatch, Memory, Target};
use super::{Driver, Harness};
use crate::error::{Error, Result};
use crate::spec::{CrossWay, Placement};
use crate::sys::crossing::{open_memory_file, read_at, read_remote, Tracee};
use crate::sys::PrivateBuffer;

/// The seed of the target's pattern.
pub const SEED: u64 = 0x5EED_0FC7;

/// What every byte of the reader's buffer holds before a batch.
pub const POISON: u8 = 0xEE;

/// How the reader gets at the target's memory.
enum Reader {
    Shared,
    VmReadv,
    ProcMem(OwnedFd),
    Peek(Tracee),
}

/// A reader (this thread, pinned) and a target child holding the pattern.
pub struct CrossHarness {
    way: CrossWay,
    // Field order matters: the reader drops first (a tracee is detached before the
    // target guard kills and reaps it).
    reader: Reader,
    target: Target,
    dst: PrivateBuffer,
    driver: Driver,
    batches_checked: u64,
    expect_seed: u64,
}

impl CrossHarness {
    /// Pins this thread to `cpu`, forks the target (which inherits the pinning) with
    /// `bytes` of pattern, and prepares the way of reading it.
    pub fn new(way: CrossWay, bytes: usize, cpu: usize) -> Result<Self> {
        let placement = Placement::SameCpu(cpu);
        let mut driver = Driver::pin(placement)?.expecting(Some(0.0));
        let bytes = bytes.max(8) / 8 * 8;
        let memory = match way {
            CrossWay::SharedMapping => Memory::shared(bytes)?,
            _ => Memory::private(bytes)?,
        };
        let (target, hello) = Target::spawn(memory, SEED, Default::default(), Some(cpu))?;
        driver.add_task(target.task(), hello, "target")?;
        let pid = target.pid();
        let reader = match way {
            CrossWay::SharedMapping => Reader::Shared,
            CrossWay::ProcessVmReadv => Reader::VmReadv,
            CrossWay::ProcMem => {
                let path = CString::new(format!("/proc/{pid}/mem"))
                    .map_err(|_| Error::InvalidInput("a pid with a NUL in it".into()))?;
                Reader::ProcMem(
                    open_memory_file(&path)
                        .map_err(|e| Error::sys(format!("opening {path:?}"), e))?,
                )
            }
            CrossWay::PtracePeek => Reader::Peek(Tracee::attach(pid).map_err(|e| {
                Error::sys(format!("attaching to the target {pid} (PTRACE_SEIZE)"), e)
            })?),
        };
        let mut dst = PrivateBuffer::new(bytes).map_err(|e| Error::sys("mmap", e))?;
        dst.as_mut_slice().fill(POISON);
        Ok(Self {
            way,
            reader,
            target,
            dst,
            driver,
            batches_checked: 0,
            expect_seed: SEED,
        })
    }

    /// How it reads.
    pub fn way(&self) -> CrossWay {
        self.way
    }

    /// Bytes per read.
    pub fn bytes(&self) -> usize {
        self.target.len()
    }

    /// System calls per read: one, a word's worth each for PEEKDATA, none for the
    /// shared mapping.
    pub fn calls_per_read(&self) -> u64 {
        match self.way {
            CrossWay::SharedMapping => 0,
            CrossWay::PtracePeek => (self.bytes() / 8) as u64,
            _ => 1,
        }
    }

    /// Batches whose bytes were checked against the pattern (every batch run so far).
    pub fn batches_checked(&self) -> u64 {
        self.batches_checked
    }

    /// Test seam: checks the bytes read against another seed's pattern, so the check
    /// must fail.
    #[cfg(test)]
    pub(crate) fn expect_other_pattern(&mut self) {
        self.expect_seed = SEED + 1;
    }

    /// The timed loop: `iters` reads of the whole pattern into `dst`, one way.
    fn reads(&mut self, iters: u64) -> Result<Duration> {
        let (pid, addr) = (self.target.pid(), self.target.addr());
        let dst = self.dst.as_mut_slice();
        match &mut self.reader {
            Reader::Shared => {
                let Memory::Shared(src) = self.target.memory() else {
                    unreachable!("a shared-mapping target has shared memory");
                };
                let src = src.as_slice();
                let start = Instant::now();
                for _ in 0..iters {
                    dst.copy_from_slice(src);
                    std::hint::black_box(&mut *dst);
                }
                Ok(start.elapsed())
            }
            Reader::VmReadv => calls(iters, dst, "process_vm_readv", |d| {
                read_remote(pid, addr, d)
            }),
            Reader::ProcMem(fd) => calls(iters, dst, "pread of /proc/PID/mem", |d| {
                read_at(fd, d, addr)
            }),
            Reader::Peek(tracee) => {
                let start = Instant::now();
                for _ in 0..iters {
                    for (i, w) in dst.chunks_exact_mut(8).enumerate() {
                        let word = tracee
                            .peek(addr + 8 * i)
                            .map_err(|e| Error::sys("ptrace(PTRACE_PEEKDATA)", e))?;
                        w.copy_from_slice(&word.to_ne_bytes());
                    }
                }
                Ok(start.elapsed())
            }
        }
    }
}

/// `iters` reads into `dst`, each one system call (`call`, which returns the bytes it
/// read): the timed loop of `process_vm_readv` and of `/proc/PID/mem`. A short read is an
/// error, as a failed call is.
fn calls(
    iters: u64,
    dst: &mut [u8],
    what: &str,
    mut call: impl FnMut(&mut [u8]) -> std::io::Result<usize>,
) -> Result<Duration> {
    let len = dst.len();
    let start = Instant::now();
    for _ in 0..iters {
        match call(dst) {
            Ok(n) if n == len => {}
            Ok(n) => {
                return Err(Error::sys(
                    format!("{what} read {n} of {len} bytes"),
                    std::io::Error::from_raw_os_error(libc::EIO),
                ))
            }
            Err(e) => return Err(Error::sys(what, e)),
        }
    }
    Ok(start.elapsed())
}

impl Harness for CrossHarness {
    /// Poisons the buffer, times `iters` reads, then (clock stopped) checks the bytes
    /// against the pattern and that the target still runs.
    fn run(&mut self, iters: u64) -> Result<Duration> {
        self.dst.as_mut_slice().fill(POISON);
        let t = self.reads(iters)?;
        if iters > 0 {
            if let Some(at) = pattern_mismatch(self.dst.as_mut_slice(), self.expect_seed) {
                return Err(Error::InvalidInput(format!(
                    "{}: the bytes read differ from what the target wrote, from byte {at} \
                     on: the read did not deliver the target's memory",
                    crate::spec::BenchId::Cross {
                        way: self.way,
                        bytes: self.dst.as_mut_slice().len() as u64,
                    }
                )));
            }
            self.batches_checked += 1;
        }
        self.target.check()?;
        Ok(t)
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }

    fn slow_iterations(&self) -> bool {
        // PEEKDATA reads one word per call: 1 MiB is 131072 calls, tens of milliseconds.
        self.way == CrossWay::PtracePeek
    }
}
