//! A process whose memory others read: a forked child that fills a buffer with a known
//! pattern, says so, and then waits, blocked on a pipe, until it is let go (or killed).
//!
//! The buffer is mapped before the fork, so it lies at the same address in the child as
//! in this process. A private buffer ([`Memory::Private`]) is the child's own once it
//! writes the pattern: this process's copy of those pages stays zero, so a reader that
//! read its own memory by mistake would see zeros, not the pattern. A shared buffer
//! ([`Memory::Shared`]) is the one both see.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::unistd::Pid;

use super::peer::ChildGuard;
use super::{pipe, read_exact_timeout, PeerHello, Task, HELLO_TIMEOUT};
use crate::error::{Error, Result};
use crate::sys::crossing::{become_user, die_with_parent, set_dumpable, SharedBuffer};
use crate::sys::{write_raw, PrivateBuffer};

/// The word the pattern holds at 8-byte index `i` for `seed`: never zero, so a page no
/// one wrote never matches.
pub fn pattern_word(i: usize, seed: u64) -> u64 {
    ((i as u64) ^ seed.rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

/// Fills `buf` with the pattern of `seed`, word by word; allocation-free.
pub fn fill_pattern(buf: &mut [u8], seed: u64) {
    for (i, w) in buf.chunks_exact_mut(8).enumerate() {
        w.copy_from_slice(&pattern_word(i, seed).to_ne_bytes());
    }
}

/// The offset of the first 8-byte word of `buf` that does not hold the pattern of
/// `seed`, or `None` when every word does.
pub fn pattern_mismatch(buf: &[u8], seed: u64) -> Option<usize> {
    buf.chunks_exact(8)
        .enumerate()
        .position(|(i, w)| w != pattern_word(i, seed).to_ne_bytes())
        .map(|i| i * 8)
}

/// Memory mapped before a fork.
pub enum Memory {
    /// `MAP_PRIVATE`: each process's own after its first write (copy-on-write).
    Private(PrivateBuffer),
    /// `MAP_SHARED`: the same bytes in both.
    Shared(SharedBuffer),
}

impl Memory {
    /// `len` bytes of private memory (none faulted in).
    pub fn private(len: usize) -> Result<Self> {
        PrivateBuffer::new(len)
            .map(Memory::Private)
            .map_err(|e| Error::sys("mmap (MAP_PRIVATE)", e))
    }

    /// `len` bytes of shared memory.
    pub fn shared(len: usize) -> Result<Self> {
        SharedBuffer::new(len)
            .map(Memory::Shared)
            .map_err(|e| Error::sys("mmap (MAP_SHARED)", e))
    }

    /// The bytes, to write.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        match self {
            Memory::Private(b) => b.as_mut_slice(),
            Memory::Shared(b) => b.as_mut_slice(),
        }
    }

    /// The address of the first byte (the same in a forked child).
    pub fn addr(&mut self) -> usize {
        self.as_mut_slice().as_ptr() as usize
    }
}

/// Who the target child becomes before it writes its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// The user and group it switches to (needs root), or `None` to stay this process's.
    pub user: Option<(u32, u32)>,
    /// Its dumpable flag (`PR_SET_DUMPABLE`).
    pub dumpable: bool,
}

impl Default for Identity {
    /// This process's user, dumpable.
    fn default() -> Self {
        Identity {
            user: None,
            dumpable: true,
        }
    }
}

/// The child's message: its hello, then 0 when ready or the step that failed, and that
/// step's errno.
const MSG: usize = 10;
const READY: u8 = 0;
const USER_REFUSED: u8 = 4;
const DUMPABLE_REFUSED: u8 = 5;

/// The target child's life: become `who`, pin to `cpu`, fill `bytes` with the pattern of
/// `seed`, say so on `ready` (the hello, then the step that failed and its errno, if one
/// did), and wait for end-of-file on `hold`. Allocation-free. Returns the exit code.
fn become_and_hold(
    who: Identity,
    parent: nix::unistd::Pid,
    (bytes, seed): (&mut [u8], u64),
    cpu: Option<usize>,
    (ready, hold): (std::os::fd::RawFd, std::os::fd::RawFd),
) -> i32 {
    let hello = PeerHello::pin(cpu).to_bytes();
    let errno = |e: std::io::Error| e.raw_os_error().unwrap_or(libc::EIO) as u8;
    let mut status = (READY, 0);
    if let Some((uid, gid)) = who.user {
        match become_user(uid, gid) {
            Err(e) => status = (USER_REFUSED, errno(e)),
            Ok(()) if !die_with_parent(parent) => return 120,
            Ok(()) => {}
        }
    }
    if status.0 == READY {
        if let Err(e) = set_dumpable(who.dumpable) {
            status = (DUMPABLE_REFUSED, errno(e));
        }
    }
    if status.0 == READY {
        fill_pattern(bytes, seed);
    }
    let mut msg = [0u8; MSG];
    msg[..8].copy_from_slice(&hello);
    (msg[8], msg[9]) = status;
    if !matches!(write_raw(ready, &msg), Ok(MSG)) || status.0 != READY {
        return 3;
    }
    let mut b = [0u8; 1];
    loop {
        match nix::unistd::read(hold, &mut b) {
            Err(Errno::EINTR) => continue,
            _ => return 0,
        }
    }
}

/// A forked child holding `len` bytes of the pattern at `addr`, blocked until dropped.
pub struct Target {
    child: ChildGuard,
    // Closing it (on drop) lets the child's read return end-of-file, and it exits.
    _hold: OwnedFd,
    memory: Memory,
    seed: u64,
    len: usize,
    addr: usize,
}

impl Target {
    /// Forks the child: it becomes `who`, pins itself to `cpu` where given, fills
    /// `memory` with the pattern of `seed` and says so; this returns once it has, with
    /// the hello it sent.
    pub(crate) fn spawn(
        mut memory: Memory,
        seed: u64,
        who: Identity,
        cpu: Option<usize>,
    ) -> Result<(Self, PeerHello)> {
        let (ready_r, ready_w) = pipe()?;
        let (hold_r, hold_w) = pipe()?;
        let parent = nix::unistd::getpid();
        let addr = memory.addr();
        let bytes = memory.as_mut_slice();
        let len = bytes.len();
        let (ready, hold) = (ready_w.as_raw_fd(), hold_r.as_raw_fd());
        let body = move || become_and_hold(who, parent, (bytes, seed), cpu, (ready, hold));
        // SAFETY: the child makes system calls on two pipe ends opened before the fork,
        // and writes the pattern into memory mapped before it; it allocates, locks and
        // frees nothing (PeerHello::pin and the crossing calls are allocation-free).
        #[allow(unsafe_code)]
        let child = unsafe { ChildGuard::spawn("target", &[ready, hold], body) }?;
        drop(ready_w);
        drop(hold_r);
        let mut msg = [0u8; MSG];
        read_exact_timeout(ready_r.as_fd(), &mut msg, HELLO_TIMEOUT, "the target")?;
        let hello = PeerHello::from_bytes(msg[..8].try_into().unwrap_or([0; 8]));
        let why = match msg[8] {
            READY => None,
            USER_REFUSED => Some("becoming another user (setresuid)"),
            DUMPABLE_REFUSED => Some("prctl(PR_SET_DUMPABLE)"),
            _ => Some("an unknown step"),
        };
        if let Some(step) = why {
            return Err(Error::sys(
                format!("the target child: {step}"),
                Errno::from_raw(i32::from(msg[9])),
            ));
        }
        let target = Target {
            child,
            _hold: hold_w,
            memory,
            seed,
            len,
            addr,
        };
        Ok((target, hello))
    }

    /// The child's pid.
    pub fn pid(&self) -> Pid {
        self.child.pid()
    }

    /// The child as a task (its one thread).
    pub fn task(&self) -> Task {
        let pid = self.pid().as_raw();
        Task { pid, tid: pid }
    }

    /// Where the pattern starts, in the child (and the address of this process's own
    /// copy of the mapping).
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// How many bytes of pattern it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a target holds at least one byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pattern's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// This process's view of the memory: the pattern for a shared buffer, untouched
    /// (zero) pages for a private one.
    pub fn memory(&mut self) -> &mut Memory {
        &mut self.memory
    }

    /// Ok while the child runs.
    pub fn check(&mut self) -> Result<()> {
        self.child.check()
    }
}
