//! tracefs, where the kernel publishes each tracepoint's id (`events/<system>/<name>/id`).
//!
//! A fresh machine may have none mounted. Like perf, ctxbench then mounts it at
//! [`MOUNT_POINT`] itself, once per process, before the first tracepoint id is looked up
//! ([`ensure_mounted`]), when it may (root, or CAP_SYS_ADMIN); otherwise, or when the
//! mount fails, every tracepoint is refused with "no tracefs" and the way to mount it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where tracefs may be mounted, in the order tried.
pub const TRACEFS_ROOTS: [&str; 2] = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/// Where ctxbench mounts tracefs when none is mounted.
pub const MOUNT_POINT: &str = TRACEFS_ROOTS[0];

/// The capability that mounting needs (`CAP_SYS_ADMIN` in linux/capability.h).
const CAP_SYS_ADMIN: u32 = 21;

/// What [`ensure_mounted`] found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mount {
    /// A tracefs was mounted already; nothing was done.
    Present,
    /// None was; ctxbench mounted one at [`MOUNT_POINT`].
    Mounted,
    /// None was, and this process may not mount one (it lacks CAP_SYS_ADMIN).
    NotPermitted,
    /// None was, and mounting one failed with this errno.
    Failed(i32),
}

/// [`TRACEFS_ROOTS`] as paths.
pub fn roots() -> Vec<PathBuf> {
    TRACEFS_ROOTS.iter().map(PathBuf::from).collect()
}

/// Reads the id of tracepoint `system:name` from the first of `roots` that has it. On
/// failure returns the first root's error (the first refusal, where one refused) and
/// whether any tracefs looked mounted.
pub fn tracepoint_id(
    roots: &[PathBuf],
    system: &str,
    name: &str,
) -> Result<u64, (io::Error, bool)> {
    let mut first_err: Option<io::Error> = None;
    let mut mounted = false;
    for root in roots {
        let path = root.join("events").join(system).join(name).join("id");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return text.trim().parse().map_err(|e| {
                    (
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("{} holds {text:?}: {e}", path.display()),
                        ),
                        true,
                    )
                })
            }
            Err(e) => {
                // A tracefs root exists if its `events` directory does, or we may not
                // look into it (tracefs is root-only).
                let denied = e.kind() == io::ErrorKind::PermissionDenied;
                mounted |= denied || root.join("events").is_dir() || is_tracefs_mount(root);
                // A root we may not look into says more than one that is not there.
                if denied || first_err.is_none() {
                    first_err = Some(e);
                }
            }
        }
    }
    Err((
        first_err.unwrap_or_else(|| io::Error::from(io::ErrorKind::NotFound)),
        mounted,
    ))
}

fn is_tracefs_mount(root: &Path) -> bool {
    std::fs::read_to_string("/proc/self/mounts").is_ok_and(|m| listed_in(&m, root))
}

/// Whether `mounts` (the text of /proc/self/mounts) lists a tracefs mounted at `root`.
pub fn listed_in(mounts: &str, root: &Path) -> bool {
    mounts.lines().any(|l| {
        let mut f = l.split_whitespace();
        let (_, dir, fstype) = (f.next(), f.next(), f.next());
        fstype == Some("tracefs") && dir.map(Path::new) == Some(root)
    })
}

/// Whether no tracefs is to be found: no root in `roots` has an `events` directory, and
/// `mounts` (the text of /proc/self/mounts) lists none of them as a tracefs (which covers
/// a process that may not look into one).
pub fn missing(roots: &[PathBuf], mounts: &str) -> bool {
    !roots
        .iter()
        .any(|r| r.join("events").is_dir() || listed_in(mounts, r))
}

/// Whether `status` (the text of /proc/self/status) gives the process CAP_SYS_ADMIN,
/// which mounting needs (root has it unless a container took it away).
pub fn may_mount(status: &str) -> bool {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_SYS_ADMIN) != 0)
}

static OUTCOME: OnceLock<Mount> = OnceLock::new();

/// What [`ensure_mounted`] found or did in this process, if it has run (opening a
/// tracepoint event runs it).
pub fn outcome() -> Option<Mount> {
    OUTCOME.get().copied()
}

/// Makes sure a tracefs is mounted: when none is and this process may mount one, mounts
/// it at [`MOUNT_POINT`]. Done once per process; later calls return the first outcome.
pub fn ensure_mounted() -> Mount {
    *OUTCOME.get_or_init(|| {
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        if !missing(&roots(), &mounts) {
            return Mount::Present;
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        if !may_mount(&status) {
            return Mount::NotPermitted;
        }
        match crate::sys::mount_tracefs(Path::new(MOUNT_POINT)) {
            Ok(()) => Mount::Mounted,
            Err(e) => Mount::Failed(e.raw_os_error().unwrap_or(0)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracepoint_id_from_a_fake_tree() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir_all(b.join("events/tlb/tlb_flush")).unwrap();
        std::fs::write(b.join("events/tlb/tlb_flush/id"), "188\n").unwrap();
        assert_eq!(
            tracepoint_id(&[a.clone(), b.clone()], "tlb", "tlb_flush").unwrap(),
            188
        );
        let (e, mounted) = tracepoint_id(std::slice::from_ref(&a), "tlb", "tlb_flush").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(!mounted);
        let (_, mounted) = tracepoint_id(std::slice::from_ref(&b), "sched", "nope").unwrap_err();
        assert!(mounted);
        std::fs::write(b.join("events/tlb/tlb_flush/id"), "x").unwrap();
        let (e, _) = tracepoint_id(&[b], "tlb", "tlb_flush").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn missing_when_no_root_has_events_and_none_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        let roots = [a.clone(), b.clone()];
        assert!(missing(&roots, ""));
        // Listed as tracefs, though this process may not look inside.
        let mounts = format!(
            "sysfs /sys sysfs rw 0 0\nnodev {} tracefs rw,relatime 0 0\n",
            b.display()
        );
        assert!(!missing(&roots, &mounts));
        assert!(listed_in(&mounts, &b) && !listed_in(&mounts, &a));
        // Listed, but as another file system: still missing.
        let other = format!("none {} debugfs rw 0 0\n", a.display());
        assert!(missing(&roots, &other));
        std::fs::create_dir_all(a.join("events")).unwrap();
        assert!(!missing(&roots, ""));
    }

    #[test]
    fn mounting_needs_cap_sys_admin() {
        let root = "Name:\tctxbench\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n";
        assert!(may_mount(root));
        // Root in a container without CAP_SYS_ADMIN (bit 21), and an unprivileged user.
        assert!(!may_mount("CapEff:\t00000000a80425fb\n"));
        assert!(!may_mount("CapEff:\t0000000000000000\n"));
        assert!(may_mount("CapEff:\t0000000000200000\n"));
        assert!(!may_mount("no capability lines"));
    }

    #[test]
    fn a_mounted_tracefs_is_left_alone() {
        let before = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        if missing(&roots(), &before) {
            eprintln!("note: skipping: no tracefs is mounted here (the mount is tried by the counters tests as root)");
            return;
        }
        assert_eq!(ensure_mounted(), Mount::Present);
        assert_eq!(outcome(), Some(Mount::Present));
        let after = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let count = |m: &str| m.lines().filter(|l| l.contains(" tracefs ")).count();
        assert_eq!(count(&after), count(&before));
    }
}
