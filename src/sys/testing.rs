//! Test support: ends single threads from outside without touching their code.

use super::{tgkill, write_raw};

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

/// Stops thread `tid` of this process alone (a stopped or wedged peer thread): a
/// forked tracer seizes and interrupts it, and lets it go when the returned guard
/// drops.
pub fn stop_thread(tid: i32) -> crate::harness::peer::ChildGuard {
    let (r, w) = nix::unistd::pipe().expect("pipe");
    let (ready_r, ready_w) = nix::unistd::pipe().expect("pipe");
    use std::os::fd::AsRawFd;
    let keep = [r.as_raw_fd(), ready_w.as_raw_fd()];
    let (rf, wf) = (r.as_raw_fd(), ready_w.as_raw_fd());
    let body = move || {
        // SAFETY: PTRACE_SEIZE and PTRACE_INTERRUPT take a tid and no memory.
        let ok = unsafe {
            libc::ptrace(libc::PTRACE_SEIZE, tid, 0usize, 0usize) == 0
                && libc::ptrace(libc::PTRACE_INTERRUPT, tid, 0usize, 0usize) == 0
        };
        let _ = write_raw(wf, &[ok as u8]);
        // Hold the thread until the test closes its end (or kills us); our exit
        // detaches and resumes it.
        let mut b = [0u8; 1];
        let _ = nix::unistd::read(rf, &mut b);
        0
    };
    // SAFETY: the tracer makes system calls on a tid and two descriptors opened
    // before the fork, and allocates nothing.
    let tracer = unsafe { crate::harness::peer::ChildGuard::spawn("tracer", &keep, body) }
        .expect("fork the tracer");
    drop(ready_w);
    drop(r);
    let mut b = [0u8; 1];
    assert_eq!(nix::unistd::read(ready_r.as_raw_fd(), &mut b).ok(), Some(1));
    assert_eq!(b[0], 1, "the tracer could not seize thread {tid}");
    std::mem::forget(w); // closed when the process ends; the guard kills the tracer
    tracer
}
