//! Perf and tracefs: the tracepoint-filter ioctl the perf crate does not wrap, and the
//! tracefs mount.

use std::io;

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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn a_panicking_child_exits_101_without_running_the_parent_hook() {
        // The message must never appear: in the child the hook exits before formatting.
        // SAFETY: the child panics with a static message: the hook installed by
        // fork_child ends it before anything is formatted or allocated.
        let pid =
            unsafe { crate::sys::fork_child(&[], || panic!("injected panic in a forked child")) }
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
