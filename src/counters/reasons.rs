//! Turning a refusal (an errno from `perf_event_open`, a missing tracefs) into a reason a
//! user can act on.

use std::io;
use std::path::Path;

use super::events::Family;
use super::tracefs::Mount;

/// Where the kernel publishes how much unprivileged perf use it allows.
pub const PARANOID_PATH: &str = "/proc/sys/kernel/perf_event_paranoid";

/// The `perf_event_paranoid` level read from `path`, or `None` when it cannot be read.
pub fn paranoid_at(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// This machine's `perf_event_paranoid` level.
pub fn paranoid() -> Option<i32> {
    paranoid_at(Path::new(PARANOID_PATH))
}

/// Why the kernel refused to open an event of `family`, given the error and the
/// `perf_event_paranoid` level (`None` when unknown).
pub fn open_refused(family: Family, err: &io::Error, paranoid: Option<i32>) -> String {
    let errno = err.raw_os_error();
    match errno {
        Some(libc::ENOENT) | Some(libc::EOPNOTSUPP) | Some(libc::ENODEV)
            if family == Family::Hardware =>
        {
            format!(
                "no hardware PMU on this machine, or it lacks this event (a VM without PMU \
                 passthrough?) ({})",
                errno_name(errno)
            )
        }
        Some(libc::ENOENT) => format!(
            "this kernel does not provide the event ({})",
            errno_name(errno)
        ),
        Some(libc::EOPNOTSUPP) | Some(libc::ENODEV) => format!(
            "this kernel or CPU cannot count the event in this mode ({})",
            errno_name(errno)
        ),
        Some(libc::EACCES) | Some(libc::EPERM) => not_permitted(paranoid, errno),
        Some(libc::EINVAL) => {
            "the kernel refused the event's configuration (EINVAL): the event, or counting \
             it for another task with the kernel included, is not valid on this kernel or CPU"
                .to_string()
        }
        Some(libc::EMFILE) | Some(libc::ENFILE) => {
            "out of file descriptors (EMFILE): raise the limit with `ulimit -n`".to_string()
        }
        Some(libc::ESRCH) => "the task to observe has exited (ESRCH)".to_string(),
        _ => format!("perf_event_open failed: {err}"),
    }
}

/// Why the kernel refused a per-CPU counter (on any task) on `cpu`.
pub fn cpu_wide_refused(cpu: usize, err: &io::Error, paranoid: Option<i32>) -> String {
    match err.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => {
            let level = paranoid.map_or("unknown".to_string(), |p| p.to_string());
            format!(
                "not permitted ({}): counted per CPU, which needs root (or CAP_PERFMON) or \
                 `sysctl kernel.perf_event_paranoid=0`; perf_event_paranoid is {level}",
                errno_name(err.raw_os_error())
            )
        }
        Some(libc::ENODEV) | Some(libc::EINVAL) => format!(
            "cannot count on CPU {cpu} ({}): is it online?",
            errno_name(err.raw_os_error())
        ),
        _ => open_refused(Family::Tracepoint, err, paranoid),
    }
}

fn not_permitted(paranoid: Option<i32>, errno: Option<i32>) -> String {
    let level = paranoid.map_or("unknown".to_string(), |p| p.to_string());
    format!(
        "not permitted ({}): perf_event_paranoid is {level}; counting kernel-side events \
         needs root (or CAP_PERFMON) or `sysctl kernel.perf_event_paranoid=1`",
        errno_name(errno)
    )
}

/// Why a tracepoint's id could not be read from tracefs. `err` is the error for the
/// first `id` file looked at; `mount` is what ctxbench's own attempt to mount tracefs
/// came to.
pub fn tracepoint_unreadable(
    system: &str,
    name: &str,
    err: &io::Error,
    tracefs_mounted: bool,
    mount: Mount,
    paranoid: Option<i32>,
) -> String {
    if !tracefs_mounted {
        let how = "no tracefs: mount it at /sys/kernel/tracing \
                   (`mount -t tracefs nodev /sys/kernel/tracing`)";
        return match mount {
            Mount::NotPermitted => {
                format!("{how}; ctxbench mounts it itself when run as root (with CAP_SYS_ADMIN)")
            }
            Mount::Failed(errno) => format!(
                "{how}; ctxbench's own mount failed ({}: {})",
                errno_name(Some(errno)),
                nix::errno::Errno::from_raw(errno).desc()
            ),
            Mount::Present | Mount::Mounted => how.to_string(),
        };
    }
    match err.kind() {
        io::ErrorKind::NotFound => {
            format!("this kernel has no tracepoint {system}:{name} (not built in, or not this architecture)")
        }
        io::ErrorKind::PermissionDenied => {
            let level = paranoid.map_or("unknown".to_string(), |p| p.to_string());
            format!(
                "not permitted ({}): tracefs, where the tracepoint's id is, is readable by \
                 root only; run as root (without root, counting a tracepoint also needs \
                 perf_event_paranoid <= 1, and <= 0 for the per-CPU events; it is \
                 {level})",
                errno_name(err.raw_os_error())
            )
        }
        _ => format!("cannot read the id of {system}:{name} from tracefs: {err}"),
    }
}

/// Why a tracepoint filter was refused.
pub fn filter_refused(filter: &str, err: &io::Error) -> String {
    format!(
        "the kernel refused the tracepoint filter `{filter}` ({}): {err}",
        errno_name(err.raw_os_error())
    )
}

/// The symbolic name of an errno, for messages.
pub fn errno_name(errno: Option<i32>) -> String {
    match errno {
        Some(e) => format!("{:?}", nix::errno::Errno::from_raw(e)),
        None => "no errno".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(e: i32) -> io::Error {
        io::Error::from_raw_os_error(e)
    }

    #[test]
    fn hardware_enoent_names_the_pmu() {
        let r = open_refused(Family::Hardware, &err(libc::ENOENT), Some(2));
        assert!(r.contains("no hardware PMU") && r.contains("ENOENT"), "{r}");
        let r = open_refused(Family::Hardware, &err(libc::EOPNOTSUPP), Some(2));
        assert!(r.contains("no hardware PMU"), "{r}");
    }

    #[test]
    fn permission_names_paranoid_and_the_fix() {
        for e in [libc::EACCES, libc::EPERM] {
            let r = open_refused(Family::Software, &err(e), Some(2));
            assert!(
                r.contains("not permitted")
                    && r.contains("perf_event_paranoid is 2")
                    && r.contains("sysctl kernel.perf_event_paranoid=1"),
                "{r}"
            );
        }
        let r = open_refused(Family::Tracepoint, &err(libc::EACCES), None);
        assert!(r.contains("paranoid is unknown"), "{r}");
    }

    #[test]
    fn cpu_wide_permission_names_paranoid_zero() {
        let r = cpu_wide_refused(0, &err(libc::EACCES), Some(1));
        assert!(
            r.contains("perf_event_paranoid=0") && r.contains("is 1"),
            "{r}"
        );
        assert!(cpu_wide_refused(5, &err(libc::ENODEV), None).contains("CPU 5"));
    }

    #[test]
    fn other_errnos() {
        assert!(open_refused(Family::Software, &err(libc::EINVAL), None).contains("EINVAL"));
        assert!(open_refused(Family::Software, &err(libc::EMFILE), None).contains("ulimit"));
        let r = open_refused(Family::Tracepoint, &err(libc::ENOENT), None);
        assert!(!r.contains("PMU"), "{r}");
    }

    #[test]
    fn tracefs_reasons() {
        let nf = io::Error::from(io::ErrorKind::NotFound);
        for mount in [
            Mount::Present,
            Mount::NotPermitted,
            Mount::Failed(libc::EPERM),
        ] {
            let r = tracepoint_unreadable("tlb", "tlb_flush", &nf, false, mount, Some(2));
            assert!(
                r.starts_with("no tracefs: mount it at /sys/kernel/tracing"),
                "{r}"
            );
        }
        let r = tracepoint_unreadable("tlb", "tlb_flush", &nf, false, Mount::NotPermitted, None);
        assert!(r.contains("run as root"), "{r}");
        let r = tracepoint_unreadable(
            "tlb",
            "tlb_flush",
            &nf,
            false,
            Mount::Failed(libc::ENODEV),
            None,
        );
        assert!(r.contains("mount failed (ENODEV: "), "{r}");
        let r = tracepoint_unreadable("tlb", "tlb_flush", &nf, true, Mount::Present, Some(2));
        assert!(r.contains("no tracepoint tlb:tlb_flush"), "{r}");
        let r = tracepoint_unreadable(
            "tlb",
            "tlb_flush",
            &err(libc::EACCES),
            true,
            Mount::Present,
            Some(2),
        );
        assert!(r.contains("not permitted") && r.contains("root"), "{r}");
    }

    #[test]
    fn paranoid_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("perf_event_paranoid");
        std::fs::write(&p, "-1\n").unwrap();
        assert_eq!(paranoid_at(&p), Some(-1));
        std::fs::write(&p, "junk").unwrap();
        assert_eq!(paranoid_at(&p), None);
        assert_eq!(paranoid_at(&dir.path().join("missing")), None);
    }
}
