//! The only module with `unsafe` code: fork, futex, shared memory, process exit and the
//! perf ioctl the perf crate does not wrap; the tracefs mount; the register state of
//! [`xstate`] (CPUID, XINUSE, the assembly that makes a state live); glibc's user-space
//! context switch ([`ucontext`]); and [`crossing`], what the isolation experiments need:
//! shared bytes, reading another process's memory, and a forked child's change of user
//! and dumpable flag.
//!
//! Every function here is a small safe wrapper; each `unsafe` block says why it is sound.
//! Everything else in the crate goes through these wrappers (`#![deny(unsafe_code)]` at
//! the crate root, allowed only here).
#![allow(unsafe_code)]

use std::io;
use std::os::fd::RawFd;
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use nix::unistd::Pid;

pub mod crossing;
pub mod ucontext;
pub mod xstate;

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

/// Maps `bytes` (more than 0) of zeroed, readable and writable anonymous memory,
/// `MAP_SHARED` or `MAP_PRIVATE` as `sharing` says, at an address the kernel picks.
fn map_anonymous(bytes: usize, sharing: libc::c_int) -> io::Result<NonNull<u8>> {
    // SAFETY: an anonymous mapping at an address the kernel picks aliases no Rust object;
    // the result is checked before use.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            sharing | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    NonNull::new(p.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))
}

/// Zeroed `u32` words in an anonymous `MAP_SHARED` mapping: after a fork, parent and child
/// see the same words, so they can serve as process-shared futexes.
pub struct SharedWords {
    ptr: NonNull<AtomicU32>,
    len: usize,
}

// SAFETY: the mapping is only ever accessed through `&AtomicU32`, which is Sync.
unsafe impl Send for SharedWords {}
// SAFETY: as above: all access is atomic.
unsafe impl Sync for SharedWords {}

impl SharedWords {
    /// Maps `len` zeroed words (rounded up to whole pages).
    pub fn new(len: usize) -> io::Result<Self> {
        let len = len.max(1);
        let bytes = len * std::mem::size_of::<AtomicU32>();
        let ptr = map_anonymous(bytes, libc::MAP_SHARED)?.cast::<AtomicU32>();
        Ok(Self { ptr, len })
    }

    /// The words. Anonymous mappings start zeroed, a valid `AtomicU32` value.
    pub fn words(&self) -> &[AtomicU32] {
        // SAFETY: `ptr` points at `len` page-aligned, zero-initialised u32s that stay
        // mapped until `drop`; AtomicU32 has the layout of u32 and all access is atomic.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for SharedWords {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the region mapped in `new`; no reference into it outlives
        // `self` (words() borrows self).
        unsafe {
            libc::munmap(
                self.ptr.as_ptr().cast(),
                self.len * std::mem::size_of::<AtomicU32>(),
            );
        }
    }
}

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

/// `PIDFD_THREAD` (Linux 6.9): a pidfd for one thread, readable when that thread exits.
const PIDFD_THREAD: libc::c_uint = libc::O_EXCL as libc::c_uint;

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

/// Waits up to `timeout` for any of `fds` to be readable (negative entries are skipped);
/// returns the index of the first readable one. Allocation-free (safe in a forked child).
pub fn poll_readable(fds: &[RawFd], timeout: Duration) -> io::Result<Option<usize>> {
    const MAX: usize = 128;
    let mut polled = [libc::pollfd {
        fd: -1,
        events: 0,
        revents: 0,
    }; MAX];
    let n = fds.len().min(MAX);
    for (p, &fd) in polled.iter_mut().zip(&fds[..n]) {
        p.fd = fd;
        p.events = libc::POLLIN;
    }
    let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: `polled` is a live array of `n` pollfd entries for the whole call.
    let rc = unsafe { libc::poll(polled.as_mut_ptr(), n as libc::nfds_t, ms) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        return if e.raw_os_error() == Some(libc::EINTR) {
            Ok(None)
        } else {
            Err(e)
        };
    }
    Ok(polled[..n].iter().position(|p| p.revents != 0))
}

/// Writes `buf` to the raw descriptor `fd` once (no retry); allocation-free. For a forked
/// child writing to a descriptor it holds open.
pub fn write_raw(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is a live buffer of `buf.len()` bytes; a bad `fd` only fails.
    let rc = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc as usize)
    }
}

/// The calling thread's CPU time in ns (`CLOCK_THREAD_CPUTIME_ID`), up to date to the
/// call (procfs' `schedstat` of a running thread lags by up to a scheduler tick).
pub fn thread_cpu_ns() -> io::Result<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// Reads from offset 0 of `fd` into `buf` (a procfs file reads afresh each time);
/// allocation-free. Returns the bytes read.
pub fn pread0(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is a live, writable buffer of `buf.len()` bytes for the whole call.
    let rc = unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc as usize)
    }
}

/// Test support: ends single threads from outside without touching their code.
#[cfg(test)]
pub mod testing {
    use super::*;

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
}

/// `PERF_EVENT_IOC_SET_FILTER`: `_IOW('$', 6, char *)`, encoded for the target's ioctl
/// scheme (nix knows the architectures whose direction and size bits differ).
const PERF_EVENT_IOC_SET_FILTER: nix::sys::ioctl::ioctl_num_type =
    nix::request_code_write!(b'$', 6, std::mem::size_of::<*const libc::c_char>());

/// Sets a tracepoint filter (tracefs syntax, e.g. `pages != 0`) on an open perf event.
///
/// Fails with EINVAL when the filter does not parse against the tracepoint's fields.
pub fn perf_set_filter(
    counter: &impl std::os::fd::AsRawFd,
    filter: &std::ffi::CStr,
) -> io::Result<()> {
    // SAFETY: the fd is kept open by the borrow of `counter` for the whole call, and the
    // ioctl only reads the NUL-terminated string `filter`, which outlives the call.
    let rc = unsafe {
        libc::ioctl(
            counter.as_raw_fd(),
            PERF_EVENT_IOC_SET_FILTER,
            filter.as_ptr(),
        )
    };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod perf_ioctl_tests {
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn a_panicking_child_exits_101_without_running_the_parent_hook() {
        // The message must never appear: in the child the hook exits before formatting.
        // SAFETY: the child panics with a static message: the hook installed by
        // fork_child ends it before anything is formatted or allocated.
        let pid = unsafe { super::fork_child(&[], || panic!("injected panic in a forked child")) }
            .unwrap();
        let status = nix::sys::wait::waitpid(pid, None).unwrap();
        assert_eq!(status, nix::sys::wait::WaitStatus::Exited(pid, 101));
    }

    #[test]
    fn set_filter_request_matches_the_kernel_header() {
        // linux/perf_event.h: _IOW('$', 6, char *) == 0x40082406 on x86-64.
        assert_eq!(super::PERF_EVENT_IOC_SET_FILTER, 0x4008_2406);
    }
}

/// Mounts tracefs at `target`, as `mount("nodev", target, "tracefs", 0, NULL)` (what
/// perf does when it finds none). Needs CAP_SYS_ADMIN; fails with the errno (EPERM
/// without it, ENOENT when `target` does not exist, ENODEV on a kernel without tracefs).
pub fn mount_tracefs(target: &std::path::Path) -> io::Result<()> {
    nix::mount::mount(
        Some("nodev"),
        target,
        Some("tracefs"),
        nix::mount::MsFlags::empty(),
        None::<&str>,
    )
    .map_err(io::Error::from)
}

/// A thread's scheduling policy and static priority, as `sched_getscheduler` and
/// `sched_getparam` report them for the calling thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedPolicy {
    /// `SCHED_OTHER`, `SCHED_BATCH`, `SCHED_FIFO`, ...
    pub policy: i32,
    /// The static priority (0 for the non-real-time policies).
    pub priority: i32,
}

/// The calling thread's scheduling policy.
pub fn sched_policy() -> io::Result<SchedPolicy> {
    let mut param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread; `param` is a valid, writable sched_param.
    let policy = unsafe { libc::sched_getscheduler(0) };
    if policy < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::sched_getparam(0, &mut param) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(SchedPolicy {
        policy,
        priority: param.sched_priority,
    })
}

/// Sets the calling thread's scheduling policy. Allocation-free (safe in a forked child).
pub fn set_sched_policy(p: SchedPolicy) -> io::Result<()> {
    let param = libc::sched_param {
        sched_priority: p.priority,
    };
    // SAFETY: pid 0 is the calling thread; `param` is a valid sched_param read by the call.
    if unsafe { libc::sched_setscheduler(0, p.policy, &param) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl SchedPolicy {
    /// The same policy, with `SCHED_RESET_ON_FORK`: tasks this thread creates start under
    /// the default policy.
    pub fn reset_on_fork(self) -> Self {
        SchedPolicy {
            policy: self.policy | libc::SCHED_RESET_ON_FORK,
            ..self
        }
    }

    /// The policy without the reset-on-fork flag.
    pub fn base(self) -> i32 {
        self.policy & !libc::SCHED_RESET_ON_FORK
    }
}

/// `SCHED_FIFO` at priority 1: a task runs until it blocks; a woken task of the same
/// priority waits at the back of the queue, and no tick preempts it.
pub const FIFO: SchedPolicy = SchedPolicy {
    policy: libc::SCHED_FIFO,
    priority: 1,
};

/// `SCHED_BATCH` at priority 0: a woken batch task does not preempt the task that woke it.
pub const BATCH: SchedPolicy = SchedPolicy {
    policy: libc::SCHED_BATCH,
    priority: 0,
};

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

/// Private anonymous memory (`mmap`), unmapped on drop: a working-set buffer that goes
/// back to the kernel at once instead of staying in the allocator's heap (which would
/// make every later `fork` copy more page tables). After a fork each process has its own
/// copy-on-write view.
pub struct PrivateBuffer {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the buffer is plain memory owned by this value; access goes through `&`/`&mut`.
unsafe impl Send for PrivateBuffer {}

impl PrivateBuffer {
    /// Maps `len` zeroed bytes (none faulted in yet). `len` 0 maps nothing.
    pub fn new(len: usize) -> io::Result<Self> {
        if len == 0 {
            return Ok(Self {
                ptr: NonNull::dangling(),
                len: 0,
            });
        }
        let ptr = map_anonymous(len, libc::MAP_PRIVATE)?;
        Ok(Self { ptr, len })
    }

    /// The bytes.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` points at `len` readable and writable bytes mapped until `drop`
        // (or is dangling with `len` 0, which a slice allows); `&mut self` makes the
        // borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for PrivateBuffer {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: unmaps exactly the region mapped in `new`; no borrow of it outlives
            // `self`.
            unsafe {
                libc::munmap(self.ptr.as_ptr().cast(), self.len);
            }
        }
    }
}
