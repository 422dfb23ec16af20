//! The readers of the permission probe (who may read whose memory): this process, or a forked
//! child that first becomes another user, each trying every [`ReadWay`] on each target.
//!
//! A probe's answer is a code: [`ALLOWED`] (the read succeeded and, for a target of ours,
//! the bytes were its pattern), [`MISMATCH`] (it succeeded with other bytes), or the
//! errno the kernel answered with (EPERM, EACCES, ...).

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd};

use nix::unistd::Pid;

use super::peer::ChildGuard;
use super::target::{pattern_mismatch, pattern_word, Target};
use super::{pipe, read_exact_timeout, HELLO_TIMEOUT};
use crate::error::{Error, Result};
use crate::spec::{ReadWay, READ_WAYS};
use crate::sys::crossing::{
    become_user, die_with_parent, open_memory_file, read_at, read_remote, Tracee,
};
use crate::sys::write_raw;

/// Bytes each way reads.
pub const PROBE_BYTES: usize = 4096;

/// The read was allowed (and the bytes matched, where known).
pub const ALLOWED: i32 = 0;

/// The read was allowed but delivered other bytes than the target's pattern.
pub const MISMATCH: i32 = -1;

/// The most targets one forked reader probes.
pub const MAX_TARGETS: usize = 3;

/// One target as a reader sees it, prepared before any fork.
#[derive(Debug, Clone)]
pub struct ProbeTarget {
    /// Its pid.
    pub pid: Pid,
    /// Where to read.
    pub addr: usize,
    /// The seed of the pattern it holds there, or `None` for a process that is not ours
    /// (its bytes are unknown).
    pub seed: Option<u64>,
    /// `/proc/<pid>/mem`.
    pub mem_path: CString,
}

impl ProbeTarget {
    /// A target of ours, holding the pattern.
    pub fn of(t: &Target) -> Self {
        Self::at(t.pid(), t.addr(), Some(t.seed()))
    }

    /// Process `pid`, read at `addr`, with `seed`'s pattern there if known.
    pub fn at(pid: Pid, addr: usize, seed: Option<u64>) -> Self {
        let mem_path =
            CString::new(format!("/proc/{pid}/mem")).unwrap_or_else(|_| CString::default());
        ProbeTarget {
            pid,
            addr,
            seed,
            mem_path,
        }
    }

    fn code_of_bytes(&self, n: std::io::Result<usize>, buf: &[u8]) -> i32 {
        match n {
            Ok(n) if n < buf.len() => libc::EIO,
            Ok(_) => match self.seed {
                Some(s) if pattern_mismatch(buf, s).is_some() => MISMATCH,
                _ => ALLOWED,
            },
            Err(e) => errno_of(&e),
        }
    }
}

fn errno_of(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// Tries `way` on `t`, reading into `scratch` (at least [`PROBE_BYTES`] long); returns
/// the code. Allocation-free, so a forked reader may call it.
pub fn probe(t: &ProbeTarget, way: ReadWay, scratch: &mut [u8]) -> i32 {
    let buf = &mut scratch[..PROBE_BYTES];
    match way {
        ReadWay::ProcessVmReadv => {
            let n = read_remote(t.pid, t.addr, buf);
            t.code_of_bytes(n, buf)
        }
        ReadWay::ProcMem => match open_memory_file(&t.mem_path) {
            Ok(fd) => {
                let n = read_at(&fd, buf, t.addr);
                t.code_of_bytes(n, buf)
            }
            Err(e) => errno_of(&e),
        },
        ReadWay::PtraceAttach => match Tracee::attach(t.pid) {
            Ok(tracee) => match tracee.peek(t.addr) {
                Ok(w) if t.seed.is_some_and(|s| w != pattern_word(0, s)) => MISMATCH,
                Ok(_) => ALLOWED,
                Err(e) => errno_of(&e),
            },
            Err(e) => errno_of(&e),
        },
    }
}

/// Every way on every target, from this process: one row of codes per target, in the
/// order of [`READ_WAYS`].
pub fn probe_here(targets: &[ProbeTarget]) -> Vec<[i32; 3]> {
    let mut scratch = vec![0u8; PROBE_BYTES];
    targets
        .iter()
        .map(|t| READ_WAYS.map(|w| probe(t, w, &mut scratch)))
        .collect()
}

/// [`probe_here`] from a forked child that first becomes user `uid` and group `gid`
/// (this process must be root). At most [`MAX_TARGETS`] targets.
pub fn probe_as(uid: u32, gid: u32, targets: &[ProbeTarget]) -> Result<Vec<[i32; 3]>> {
    let n = targets.len().min(MAX_TARGETS);
    let targets = &targets[..n];
    let (r, w) = pipe()?;
    let wfd = w.as_raw_fd();
    let parent = nix::unistd::getpid();
    const LEN: usize = 4 + MAX_TARGETS * 12;
    let body = move || {
        let mut out = [0u8; LEN];
        match become_user(uid, gid) {
            Err(e) => out[..4].copy_from_slice(&errno_of(&e).to_le_bytes()),
            Ok(()) if !die_with_parent(parent) => return 120,
            Ok(()) => {
                let mut scratch = [0u8; PROBE_BYTES];
                for (i, t) in targets.iter().enumerate() {
                    for (j, &way) in READ_WAYS.iter().enumerate() {
                        let code = probe(t, way, &mut scratch);
                        out[4 + (i * 3 + j) * 4..][..4].copy_from_slice(&code.to_le_bytes());
                    }
                }
            }
        }
        match write_raw(wfd, &out) {
            Ok(LEN) => 0,
            _ => 3,
        }
    };
    // SAFETY: the child makes system calls (setresuid, process_vm_readv, open, pread,
    // ptrace, waitpid, write) on data prepared before the fork, into buffers on its stack;
    // it reads the targets' paths but allocates, locks and frees nothing.
    #[allow(unsafe_code)]
    let child = unsafe { ChildGuard::spawn("the permission probe's reader", &[wfd], body) }?;
    drop(w);
    let mut out = [0u8; LEN];
    read_exact_timeout(
        r.as_fd(),
        &mut out,
        HELLO_TIMEOUT,
        "the permission probe's reader",
    )?;
    child.wait_exit()?;
    let word = |k: usize| i32::from_le_bytes(out[k..k + 4].try_into().unwrap_or([0; 4]));
    if word(0) != 0 {
        return Err(Error::sys(
            format!("becoming uid {uid} (setresuid)"),
            std::io::Error::from_raw_os_error(word(0)),
        ));
    }
    Ok((0..n)
        .map(|i| [0, 1, 2].map(|j| word(4 + (i * 3 + j) * 4)))
        .collect())
}
