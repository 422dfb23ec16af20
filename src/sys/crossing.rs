//! What the isolation experiments need of the kernel: memory a forked child shares with
//! its parent, reading another process's memory (`process_vm_readv`, `/proc/PID/mem`,
//! `ptrace` PEEKDATA), and what decides whether the kernel allows it (a process's
//! dumpable flag, its user).
//!
//! Everything here is allocation-free, so it may run in a forked child.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;

use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::uio::RemoteIoVec;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// Zeroed bytes in an anonymous `MAP_SHARED` mapping, unmapped on drop: after a fork,
/// parent and child see the same bytes (the mapping the usual IPC rests on).
///
/// Another process may write these bytes at any time; read them only after it has said
/// (through a pipe, say) that it is done.
pub struct SharedBuffer {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; access goes through `&`/`&mut`.
unsafe impl Send for SharedBuffer {}

impl SharedBuffer {
    /// Maps `len` (more than 0) zeroed bytes, rounded up to whole pages.
    pub fn new(len: usize) -> io::Result<Self> {
        let len = len.max(1);
        let ptr = super::map_anonymous(len, libc::MAP_SHARED)?;
        Ok(Self { ptr, len })
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` points at `len` readable bytes mapped until `drop`. They are plain
        // `u8`s, valid whatever another process writes into them, and callers read them
        // only after the writer has said it is done (see the type's docs).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The bytes, to write.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`; `&mut self` makes the borrow unique in this process.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for SharedBuffer {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the region mapped in `new`; no borrow of it outlives self.
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}

/// Asks the kernel not to back `buf` with transparent huge pages (`MADV_NOHUGEPAGE`), so
/// that a copy-on-write fault copies one 4 KiB page and never splits a huge one. `buf`
/// must start on a page boundary (an `mmap`ed buffer does).
pub fn forbid_huge_pages(buf: &mut [u8]) -> io::Result<()> {
    if buf.is_empty() {
        return Ok(());
    }
    // SAFETY: MADV_NOHUGEPAGE changes how the range is backed, never its contents, and the
    // range is memory this process owns for the borrow's length.
    let rc = unsafe { libc::madvise(buf.as_mut_ptr().cast(), buf.len(), libc::MADV_NOHUGEPAGE) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Makes the calling thread a member of group `gid` and user `uid` alone (real,
/// effective and saved ids; no supplementary groups), with the raw system calls, which
/// change the calling thread only. For a forked child, whose one thread is the whole
/// process; allocation-free. Needs CAP_SETUID and CAP_SETGID (root).
///
/// The kernel then clears the parent-death signal and, by default (`fs.suid_dumpable` 0),
/// the dumpable flag: set both again ([`die_with_parent`], [`set_dumpable`]).
pub fn become_user(uid: u32, gid: u32) -> io::Result<()> {
    let check = |rc: libc::c_long| {
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    };
    // SAFETY: setgroups with a count of 0 reads no memory; setresgid and setresuid take
    // plain integers.
    unsafe {
        check(libc::syscall(
            libc::SYS_setgroups,
            0usize,
            std::ptr::null::<libc::gid_t>(),
        ))?;
        check(libc::syscall(libc::SYS_setresgid, gid, gid, gid))?;
        check(libc::syscall(libc::SYS_setresuid, uid, uid, uid))
    }
}

/// Arms the parent-death signal (SIGKILL) of the calling process again and checks that
/// `parent` is still its parent; false when the parent is gone (the caller should exit).
/// A change of user clears the signal, so a child that calls [`become_user`] calls this
/// after it. Allocation-free.
pub fn die_with_parent(parent: Pid) -> bool {
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).is_ok() && nix::unistd::getppid() == parent
}

/// Sets the calling process's dumpable flag (`PR_SET_DUMPABLE`): a process that is not
/// dumpable refuses every reader without CAP_SYS_PTRACE, even one of its own user.
pub fn set_dumpable(dumpable: bool) -> io::Result<()> {
    nix::sys::prctl::set_dumpable(dumpable).map_err(io::Error::from)
}

/// Reads `dst.len()` bytes at address `addr` of process `pid` with one
/// `process_vm_readv` call; returns the bytes read.
pub fn read_remote(pid: Pid, addr: usize, dst: &mut [u8]) -> io::Result<usize> {
    let remote = [RemoteIoVec {
        base: addr,
        len: dst.len(),
    }];
    let mut local = [io::IoSliceMut::new(dst)];
    nix::sys::uio::process_vm_readv(pid, &mut local, &remote).map_err(io::Error::from)
}

/// Opens a process's memory file (`/proc/<pid>/mem`, the path prepared by the caller)
/// for reading. The kernel checks its access rules here, at open.
pub fn open_memory_file(path: &CStr) -> io::Result<OwnedFd> {
    // SAFETY: `path` is NUL-terminated and outlives the call; open returns a new
    // descriptor or -1.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by the kernel and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Reads `dst.len()` bytes at `offset` of `fd` with one `pread` (for a memory file, the
/// offset is the address); returns the bytes read.
pub fn read_at(fd: &impl AsFd, dst: &mut [u8], offset: usize) -> io::Result<usize> {
    let offset =
        libc::off_t::try_from(offset).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    nix::sys::uio::pread(fd, dst, offset).map_err(io::Error::from)
}

/// A process this one traces, stopped: attached with `PTRACE_SEIZE` and stopped with
/// `PTRACE_INTERRUPT` (its stop waited for), detached when dropped, which lets it run on.
/// If the tracer dies first, the kernel detaches it.
pub struct Tracee {
    pid: Pid,
}

impl Tracee {
    /// Seizes `pid` and waits until it has stopped. Fails with the kernel's errno where
    /// the kernel refuses (EPERM), or ESRCH when the process ended meanwhile.
    pub fn attach(pid: Pid) -> io::Result<Self> {
        ptrace::seize(pid, ptrace::Options::empty()).map_err(io::Error::from)?;
        let tracee = Tracee { pid };
        ptrace::interrupt(pid).map_err(io::Error::from)?;
        loop {
            match waitpid(pid, Some(WaitPidFlag::__WALL)) {
                Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) => {
                    std::mem::forget(tracee); // nothing left to detach
                    return Err(io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(_) => return Ok(tracee),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// One `PTRACE_PEEKDATA`: the word at `addr` of the tracee.
    pub fn peek(&self, addr: usize) -> io::Result<u64> {
        ptrace::read(self.pid, addr as ptrace::AddressType)
            .map(|w| w as u64)
            .map_err(io::Error::from)
    }
}

impl Drop for Tracee {
    fn drop(&mut self) {
        // The tracee is in a ptrace stop (nothing here resumes it), as PTRACE_DETACH
        // requires; one that has ended meanwhile fails with ESRCH, which changes nothing.
        let _ = ptrace::detach(self.pid, None);
    }
}
