//! A new peer's hello: the CPU it runs on, or why it could not start.

use std::os::fd::AsFd;

use nix::errno::Errno;

use super::*;
use crate::cpus::pin_raw;
use crate::error::{Error, Result};

/// What a peer reports once it is set up: the CPU it runs on, or why pinning failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerHello {
    /// CPU number, or `u32::MAX - errno` when pinning failed.
    pub(crate) cpu: u32,
    /// The peer's thread id.
    pub(crate) tid: u32,
}

impl PeerHello {
    /// Pins the calling (peer) thread if asked to and builds its hello; allocation-free.
    pub(crate) fn pin(cpu: Option<usize>) -> Self {
        let res = match cpu {
            Some(c) => pin_raw(c),
            None => nix::sched::sched_getcpu().map_err(|e| e as i32),
        };
        PeerHello {
            cpu: match res {
                Ok(c) => c as u32,
                Err(errno) => u32::MAX - errno as u32,
            },
            tid: nix::unistd::gettid().as_raw() as u32,
        }
    }

    /// Puts the calling (peer) thread under `policy`; a refusal is reported like a pinning
    /// failure, so the driver refuses the harness. Allocation-free.
    pub(crate) fn under(mut self, policy: crate::sys::SchedPolicy) -> Self {
        if let Err(e) = crate::sys::set_sched_policy(policy) {
            self.cpu = u32::MAX - e.raw_os_error().unwrap_or(libc::EINVAL) as u32;
        }
        self
    }

    pub(crate) fn to_bytes(self) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&self.cpu.to_le_bytes());
        b[4..].copy_from_slice(&self.tid.to_le_bytes());
        b
    }

    pub(crate) fn from_bytes(b: [u8; 8]) -> Self {
        PeerHello {
            cpu: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            tid: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    pub(crate) fn check(self, expected: Option<usize>, name: &str) -> Result<usize> {
        if self.cpu > u32::MAX - 4096 {
            let errno = Errno::from_raw((u32::MAX - self.cpu) as i32);
            return Err(Error::sys(
                format!("pinning the peer {name} to CPU {expected:?}"),
                errno,
            ));
        }
        let cpu = self.cpu as usize;
        match expected {
            Some(e) if e != cpu => Err(Error::WrongCpu {
                who: format!("the peer {name}"),
                expected: e,
                actual: cpu,
            }),
            _ => Ok(cpu),
        }
    }
}

/// Reads a peer's hello from `fd`.
pub(crate) fn read_hello(fd: &impl AsFd, what: &str) -> Result<PeerHello> {
    let mut b = [0u8; 8];
    read_exact_timeout(fd.as_fd(), &mut b, HELLO_TIMEOUT, what)?;
    Ok(PeerHello::from_bytes(b))
}

/// Receives a peer thread's hello from a channel, within [`HELLO_TIMEOUT`].
pub(crate) fn read_hello_channel(
    rx: &std::sync::mpsc::Receiver<PeerHello>,
    what: &str,
) -> Result<PeerHello> {
    rx.recv_timeout(HELLO_TIMEOUT).map_err(|e| match e {
        std::sync::mpsc::RecvTimeoutError::Timeout => Error::Stalled {
            peer: what.to_string(),
            waited: HELLO_TIMEOUT,
        },
        std::sync::mpsc::RecvTimeoutError::Disconnected => Error::PeerDied {
            peer: what.to_string(),
            how: "it ended before saying hello".into(),
        },
    })
}
