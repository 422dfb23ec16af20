//! Futexes: wait on a word while it holds a value, and wake its sleepers.

use std::io;

use std::sync::atomic::AtomicU32;
use std::time::Duration;

/// What a [`futex_wait`] call ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FutexWait {
    /// The caller slept and was woken (or woke spuriously): re-check the word.
    Woken,
    /// The word no longer held the expected value, so the caller never slept.
    Mismatch,
    /// The timeout ran out.
    TimedOut,
    /// A signal interrupted the wait: re-check the word and wait again.
    Interrupted,
}

fn futex_op(base: libc::c_int, shared: bool) -> libc::c_int {
    if shared {
        base
    } else {
        base | libc::FUTEX_PRIVATE_FLAG
    }
}

/// Sleeps while `word` holds `expected`, for at most `timeout` (relative).
///
/// `shared` selects the non-private futex operation needed when the word lives in memory
/// mapped by several processes ([`SharedWords`]); private operations are cheaper and are
/// what threads of one process use.
pub fn futex_wait(
    word: &AtomicU32,
    expected: u32,
    timeout: Option<Duration>,
    shared: bool,
) -> io::Result<FutexWait> {
    let ts = timeout.map(|t| libc::timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: t.subsec_nanos() as libc::c_long,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `word` is a live, aligned u32 for the whole call (we hold a reference);
    // `ts_ptr` is null or points at a timespec that outlives the call. FUTEX_WAIT only
    // reads both.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            futex_op(libc::FUTEX_WAIT, shared),
            expected,
            ts_ptr,
            std::ptr::null::<u32>(),
            0u32,
        )
    };
    if rc == 0 {
        return Ok(FutexWait::Woken);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EAGAIN) => Ok(FutexWait::Mismatch),
        Some(libc::ETIMEDOUT) => Ok(FutexWait::TimedOut),
        Some(libc::EINTR) => Ok(FutexWait::Interrupted),
        _ => Err(err),
    }
}

/// Wakes at most `n` tasks sleeping on `word`; returns how many were woken.
pub fn futex_wake(word: &AtomicU32, n: u32, shared: bool) -> io::Result<usize> {
    let n = n.min(i32::MAX as u32) as libc::c_int;
    // SAFETY: `word` is a live, aligned u32; FUTEX_WAKE does not dereference the other
    // arguments.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            futex_op(libc::FUTEX_WAKE, shared),
            n,
            std::ptr::null::<libc::timespec>(),
            std::ptr::null::<u32>(),
            0u32,
        )
    };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc as usize)
    }
}
