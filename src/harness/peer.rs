//! The other side of a ping-pong: a forked child or a spawned thread, with guards that
//! make sure it never outlives the harness.

use std::os::fd::RawFd;
use std::thread::JoinHandle;

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::error::{Error, Result};
use crate::sys;

/// A task taking part in a benchmark, as the kernel names it (for counting its switches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    /// Process id (thread group id).
    pub pid: i32,
    /// Thread id.
    pub tid: i32,
}

impl Task {
    /// The calling thread.
    pub fn current() -> Self {
        Task {
            pid: nix::unistd::getpid().as_raw(),
            tid: nix::unistd::gettid().as_raw(),
        }
    }
}

/// A forked child that is killed and reaped when the guard drops (also while unwinding
/// from a panic), so no path leaves a process behind.
pub struct ChildGuard {
    pid: Pid,
    name: String,
    exited: Option<String>,
}

impl ChildGuard {
    /// Forks a child running `body`.
    ///
    /// # Safety
    ///
    /// As for [`sys::fork_child`]: `body`, and dropping what it captures, must not
    /// allocate, free, lock or print.
    #[allow(unsafe_code)]
    pub(crate) unsafe fn spawn<F: FnOnce() -> i32>(
        name: &str,
        keep: &[RawFd],
        body: F,
    ) -> Result<Self> {
        // SAFETY: our caller vouches for `body` (see # Safety).
        let pid = unsafe { sys::fork_child(keep, body) }.map_err(|e| Error::sys("fork", e))?;
        Ok(Self {
            pid,
            name: name.to_string(),
            exited: None,
        })
    }

    /// Takes charge of a child started some other way (e.g. `posix_spawn`): it will be
    /// killed and reaped like a forked one.
    pub fn adopt(name: &str, pid: Pid) -> Self {
        Self {
            pid,
            name: name.to_string(),
            exited: None,
        }
    }

    /// Waits (blocking) for the child to exit and reaps it; returns its exit code, or an
    /// error if a signal killed it. Only for children that exit by themselves at once (the
    /// spawn experiment's `_exit(0)` and `/bin/true`): the wait has no other bound.
    pub fn wait_exit(mut self) -> Result<i32> {
        let status = loop {
            match waitpid(self.pid, None) {
                Err(nix::errno::Errno::EINTR) => continue,
                other => break other,
            }
        };
        self.exited = Some("reaped".into());
        match status {
            Ok(WaitStatus::Exited(_, code)) => Ok(code),
            Ok(other) => Err(Error::PeerDied {
                peer: format!("{} (pid {})", self.name, self.pid),
                how: format!("{other:?}"),
            }),
            Err(e) => Err(Error::sys(format!("waitpid for {}", self.name), e)),
        }
    }

    /// The child's pid.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Ok while the child runs; [`Error::PeerDied`] once it has exited (it is reaped then).
    pub fn check(&mut self) -> Result<()> {
        if self.exited.is_none() {
            match waitpid(self.pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => return Ok(()),
                Ok(WaitStatus::Exited(_, code)) => self.exited = Some(format!("exit code {code}")),
                Ok(WaitStatus::Signaled(_, sig, _)) => {
                    self.exited = Some(format!("killed by {sig}"))
                }
                Ok(_) => return Ok(()),
                Err(e) => self.exited = Some(format!("waitpid: {e}")),
            }
        }
        Err(Error::PeerDied {
            peer: format!("{} (pid {})", self.name, self.pid),
            how: self.exited.clone().unwrap_or_default(),
        })
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = kill(self.pid, Signal::SIGKILL);
            // SIGKILL cannot be caught, so this wait ends promptly; retry on EINTR.
            while let Err(nix::errno::Errno::EINTR) = waitpid(self.pid, None) {}
        }
    }
}

/// How long a dropped [`ThreadGuard`] waits for its thread to leave.
pub const THREAD_LEAVE_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

/// A peer thread that is told to stop and joined when the guard drops.
pub struct ThreadGuard {
    handle: Option<JoinHandle<()>>,
    name: String,
    stop: Option<Box<dyn FnMut() + Send>>,
}

impl ThreadGuard {
    /// Wraps a spawned thread; `stop` makes it leave its loop (called once, on drop).
    pub fn new(name: &str, handle: JoinHandle<()>, stop: Box<dyn FnMut() + Send>) -> Self {
        Self {
            handle: Some(handle),
            name: name.to_string(),
            stop: Some(stop),
        }
    }

    /// Ok while the thread runs; [`Error::PeerDied`] once it has ended.
    pub fn check(&self) -> Result<()> {
        match &self.handle {
            Some(h) if !h.is_finished() => Ok(()),
            _ => Err(Error::PeerDied {
                peer: format!("thread {}", self.name),
                how: "it returned or panicked".into(),
            }),
        }
    }
}

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        if let Some(mut stop) = self.stop.take() {
            stop();
        }
        if let Some(h) = self.handle.take() {
            // A peer leaves its loop when told to stop (or when its pipe closes); one that
            // is stopped or wedged would hold the join for ever, so it is waited for a
            // bounded time and then left behind, said so.
            let deadline = std::time::Instant::now() + THREAD_LEAVE_LIMIT;
            while !h.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            if h.is_finished() {
                let _ = h.join();
            } else {
                eprintln!(
                    "warning: the peer thread {} did not leave within {:?}; it is left behind",
                    self.name, THREAD_LEAVE_LIMIT
                );
            }
        }
    }
}

/// The peer of a harness, process or thread.
pub enum Peer {
    /// A forked child.
    Process(ChildGuard),
    /// A thread of this process.
    Thread(ThreadGuard),
}

impl Peer {
    /// The peer's task, given the thread id its hello reported (a forked child's only
    /// thread has the child's pid as its id).
    pub fn task(&self, tid: u32) -> Task {
        let pid = match self {
            Peer::Process(c) => c.pid().as_raw(),
            Peer::Thread(_) => nix::unistd::getpid().as_raw(),
        };
        Task {
            pid,
            tid: tid as i32,
        }
    }

    /// Ok while the peer runs.
    pub fn check(&mut self) -> Result<()> {
        match self {
            Peer::Process(c) => c.check(),
            Peer::Thread(t) => t.check(),
        }
    }
}
