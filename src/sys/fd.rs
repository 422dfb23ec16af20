//! Raw descriptors: poll for readable, one write, one read from offset 0.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

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
