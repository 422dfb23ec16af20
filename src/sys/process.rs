//! Processes: fork a child that runs a closure, end at once, pidfds, posix_spawn.

use nix::unistd::Pid;
use std::io;
use std::os::fd::RawFd;

/// Ends the calling process at once, without running destructors or `atexit` handlers:
/// the only correct way out of a forked child.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit is async-signal-safe and never returns.
    unsafe { libc::_exit(code) }
}

/// Closes every descriptor of this process except `keep` (sorted ascending) and 0-2.
fn close_all_except(keep: &[RawFd]) {
    let mut from: u32 = 3;
    for &fd in keep {
        let fd = fd as u32;
        if fd < from {
            continue;
        }
        if fd > from {
            // SAFETY: close_range only closes descriptors; none of `keep` is in range.
            unsafe { libc::syscall(libc::SYS_close_range, from, fd - 1, 0u32) };
        }
        from = fd + 1;
    }
    // SAFETY: as above.
    unsafe { libc::syscall(libc::SYS_close_range, from, u32::MAX, 0u32) };
}

/// Set in a forked child (its own copy of this static): the panic hook then ends the
/// child at once instead of formatting a message.
static IN_FORKED_CHILD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Installs, once, a panic hook that calls `_exit(101)` in a forked child before anything
/// else (the default hook formats, allocates and takes the stderr lock, any of which can
/// deadlock in a copy of a multi-threaded process) and defers to the previous hook
/// everywhere else.
fn install_child_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_FORKED_CHILD.load(std::sync::atomic::Ordering::Relaxed) {
                exit_now(101);
            }
            previous(info)
        }));
    });
}

/// Forks a child that runs `body` and exits with its return value.
///
/// In the child, before `body`: the parent-death signal is set to SIGKILL (so the child
/// never outlives the parent thread that forked it) and every descriptor but 0-2 and
/// `keep` is closed (so a concurrent fork elsewhere in this process cannot hold our pipe
/// ends open). `body` runs in a copy of a possibly multi-threaded process: it must not
/// allocate, lock, or print; plain syscalls and atomics are fine. If it panics, the
/// panic hook this installs (once, deferring to the previous hook outside forked
/// children) ends the child with 101 before any message is formatted, so it neither
/// deadlocks nor unwinds into the parent's code.
///
/// # Safety
///
/// `body`, and dropping whatever it captures, must not allocate, free, lock or print:
/// after a fork only the calling thread exists in the child, and a lock another thread
/// held (the allocator's, stdout's) stays locked there for ever. System calls on
/// descriptors and memory prepared before the fork, and atomics, are fine.
pub unsafe fn fork_child<F: FnOnce() -> i32>(keep: &[RawFd], body: F) -> io::Result<Pid> {
    let mut sorted = keep.to_vec();
    sorted.sort_unstable();
    install_child_panic_hook();
    let parent = nix::unistd::getpid();
    // SAFETY: the child only runs async-signal-safe code: prctl, getppid, close_range,
    // then `body`, which our caller vouches for (see # Safety), then _exit.
    match unsafe { nix::unistd::fork() }.map_err(io::Error::from)? {
        nix::unistd::ForkResult::Parent { child } => Ok(child),
        nix::unistd::ForkResult::Child => {
            IN_FORKED_CHILD.store(true, std::sync::atomic::Ordering::Relaxed);
            // SAFETY: PR_SET_PDEATHSIG takes a signal number and touches no memory.
            let rc = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
            if rc != 0 || nix::unistd::getppid() != parent {
                // The parent died before the death signal was armed.
                exit_now(120);
            }
            close_all_except(&sorted);
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(101);
            exit_now(code)
        }
    }
}

/// Opens a pidfd for process `pid`, or with `thread` for the single thread `pid` (a tid):
/// it becomes readable (`poll`) when the process, or that thread, has exited.
pub fn pidfd_open(pid: i32, thread: bool) -> io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    let flags: libc::c_uint = if thread { PIDFD_THREAD } else { 0 };
    // SAFETY: pidfd_open takes plain integers and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by the kernel and nothing else owns it.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Starts `path` with `argv` (the program name first) and an empty environment through
/// `posix_spawn`, and returns its pid. The caller must reap it.
pub fn posix_spawn(path: &std::ffi::CStr, argv: &[&std::ffi::CStr]) -> io::Result<Pid> {
    let mut args: Vec<*mut libc::c_char> = argv.iter().map(|a| a.as_ptr().cast_mut()).collect();
    args.push(std::ptr::null_mut());
    let env: [*mut libc::c_char; 1] = [std::ptr::null_mut()];
    let mut pid: libc::pid_t = 0;
    // SAFETY: `path` and every `argv` entry are NUL-terminated strings that outlive the
    // call; `args` and `env` are null-terminated pointer arrays that outlive it; null
    // file actions and attributes mean the defaults; `pid` is a valid place to write.
    // posix_spawn does not keep any of the pointers after it returns.
    let rc = unsafe {
        libc::posix_spawn(
            &mut pid,
            path.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            args.as_ptr(),
            env.as_ptr(),
        )
    };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(Pid::from_raw(pid))
}

/// `PIDFD_THREAD` (Linux 6.9): a pidfd for one thread, readable when that thread exits.
const PIDFD_THREAD: libc::c_uint = libc::O_EXCL as libc::c_uint;
