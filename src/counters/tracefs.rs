//! tracefs, where the kernel publishes each tracepoint's id (`events/<system>/<name>/id`).

use std::io;
use std::path::{Path, PathBuf};

/// Where tracefs may be mounted, in the order tried.
pub const TRACEFS_ROOTS: [&str; 2] = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/// [`TRACEFS_ROOTS`] as paths.
pub fn roots() -> Vec<PathBuf> {
    TRACEFS_ROOTS.iter().map(PathBuf::from).collect()
}

/// Reads the id of tracepoint `system:name` from the first of `roots` that has it. On
/// failure returns the first root's error and whether any tracefs looked mounted.
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
                mounted |= e.kind() == io::ErrorKind::PermissionDenied
                    || root.join("events").is_dir()
                    || is_tracefs_mount(root);
                first_err.get_or_insert(e);
            }
        }
    }
    Err((
        first_err.unwrap_or_else(|| io::Error::from(io::ErrorKind::NotFound)),
        mounted,
    ))
}

fn is_tracefs_mount(root: &Path) -> bool {
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return false;
    };
    mounts.lines().any(|l| {
        let mut f = l.split_whitespace();
        let (_, dir, fstype) = (f.next(), f.next(), f.next());
        fstype == Some("tracefs") && dir.map(Path::new) == Some(root)
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
}
