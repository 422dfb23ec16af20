//! Test support: ends or stops single threads from outside without touching their code.

use super::tgkill;

/// The signal that makes a thread end at once (see [`end_thread`]).
const SIGEND: libc::c_int = libc::SIGUSR2;

extern "C" fn on_end(_: libc::c_int) {
    // SAFETY: SYS_exit ends the calling thread only; the kernel clears its tid and
    // wakes whoever waits on its thread pidfd. Nothing of Rust's runs after it.
    unsafe { libc::syscall(libc::SYS_exit, 0) };
}

/// Makes thread `tid` of this process exit where it stands, as if it had died: no
/// unwinding, no destructor (its `JoinHandle` must then be leaked, not joined).
pub fn end_thread(tid: i32) {
    // SAFETY: as in `install_poke_handler`; the handler only makes a system call.
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    act.sa_sigaction = on_end as *const () as usize;
    // SAFETY: a valid sigaction for SIGUSR2, which nothing else in the tests uses.
    assert_eq!(
        unsafe { libc::sigaction(SIGEND, &act, std::ptr::null_mut()) },
        0
    );
    tgkill(std::process::id() as i32, tid, SIGEND).expect("tgkill");
}

/// Seizes thread `tid` of this process with ptrace and interrupts it, from a forked
/// tracer (see `harness::testing::stop_thread`): whether both calls succeeded.
pub fn seize_and_interrupt(tid: i32) -> bool {
    // SAFETY: PTRACE_SEIZE and PTRACE_INTERRUPT take a tid and no memory.
    unsafe {
        libc::ptrace(libc::PTRACE_SEIZE, tid, 0usize, 0usize) == 0
            && libc::ptrace(libc::PTRACE_INTERRUPT, tid, 0usize, 0usize) == 0
    }
}
