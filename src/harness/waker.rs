//! The condvar harness's waker: a thread in the driver's process, blocked in `read` on a
//! pipe from the watchdog, that runs an alarm action (poison the turn, notify) when the
//! watchdog fires (a byte) or dies (end-of-file). A condvar wait restarts itself when a
//! signal interrupts it, so the watchdog's signal cannot wake it.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::Ordering;

use crate::error::{Error, Result};

/// A thread in the driver's process that runs an alarm action when the watchdog fires or
/// dies: for a driver whose wait restarts itself on a signal (a condvar wait).
pub(crate) struct Waker {
    quiet: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Waker {
    pub(crate) fn start(
        from_watchdog: OwnedFd,
        on_alarm: Box<dyn FnOnce() + Send>,
    ) -> Result<Self> {
        let quiet = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let q = std::sync::Arc::clone(&quiet);
        let handle = std::thread::Builder::new()
            .name("ctxbench-waker".into())
            .spawn(move || {
                let mut b = [0u8; 1];
                // One byte when the watchdog fires; end-of-file when it dies (or drops).
                while let Err(nix::errno::Errno::EINTR) =
                    nix::unistd::read(from_watchdog.as_raw_fd(), &mut b)
                {}
                if !q.load(Ordering::Acquire) {
                    on_alarm();
                }
            })
            .map_err(|e| Error::sys("spawning the waker thread", e))?;
        Ok(Self {
            quiet,
            handle: Some(handle),
        })
    }

    pub(crate) fn quiet(&self) {
        self.quiet.store(true, Ordering::Release);
    }
}

impl Drop for Waker {
    fn drop(&mut self) {
        self.quiet();
        if let Some(h) = self.handle.take() {
            // The watchdog is gone by now, so the waker's read has ended.
            let _ = h.join();
        }
    }
}
