//! Signals: the watchdog's poke (a handler that does nothing and does not restart), and
//! sending a signal to one thread.

use std::io;

/// The signal a harness's watchdog sends the driving thread to interrupt a blocking wait
/// (see `harness::watchdog`). SIGURG is ignored by default, so a stray one is harmless
/// where the handler is not installed.
pub const SIGPOKE: libc::c_int = libc::SIGURG;

extern "C" fn on_poke(_: libc::c_int) {}

/// Installs, once per process, a handler for [`SIGPOKE`] that does nothing and is *not*
/// restarting: a thread blocked in `read`, `poll` or `FUTEX_WAIT` that receives it returns
/// with EINTR, and the caller then checks why it was woken.
pub fn install_poke_handler() -> io::Result<()> {
    static RESULT: std::sync::OnceLock<Option<i32>> = std::sync::OnceLock::new();
    let failed = RESULT.get_or_init(|| {
        // SAFETY: an all-zero sigaction is a valid starting value (empty mask, no flags).
        let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
        act.sa_sigaction = on_poke as *const () as usize;
        act.sa_flags = 0; // no SA_RESTART: the interrupted call must return EINTR
                          // SAFETY: `act` is a valid sigaction whose handler is async-signal-safe (it does
                          // nothing); the old action is not asked for.
        let rc = unsafe { libc::sigaction(SIGPOKE, &act, std::ptr::null_mut()) };
        (rc != 0).then(|| io::Error::last_os_error().raw_os_error().unwrap_or(0))
    });
    match failed {
        None => Ok(()),
        Some(errno) => Err(io::Error::from_raw_os_error(*errno)),
    }
}

/// Sends `sig` to thread `tid` of process `pid`; allocation-free (safe in a forked child).
pub fn tgkill(pid: i32, tid: i32, sig: libc::c_int) -> io::Result<()> {
    // SAFETY: tgkill takes plain integers and touches no memory of ours.
    let rc = unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, sig) };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}
