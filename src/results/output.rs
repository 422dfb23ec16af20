//! Output paths: checked before a run, so a path that cannot be written fails in a
//! second and not after minutes of measuring; and a fallback file when a save still
//! fails after the run, so the results are never lost.

use std::path::{Path, PathBuf};

use super::{utc_timestamp, write_atomic};
use crate::error::{Error, Result};

/// Checks, before anything runs, that a file can be written at `path`: it is not a
/// directory, and the directory it goes in exists (or can be created under the nearest
/// folder that does) and lets this process create files (tried with a file created and
/// removed at once). The error names the path and what to change (exit 2 in the CLI).
pub fn check_file_target(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{} is a directory: give a file name, e.g. {}",
            path.display(),
            path.join("results.json").display()
        )));
    }
    if path.file_name().is_none() {
        return Err(Error::InvalidInput(format!(
            "{} is not a file name: give one like results.json",
            path.display()
        )));
    }
    check_dir_target(&parent_of(path))
}

/// Checks, before anything runs, that files can be written in `dir`: it is a directory
/// that lets this process create files, or it does not exist yet and the nearest folder
/// above it that does exist lets this process create it.
pub fn check_dir_target(dir: &Path) -> Result<()> {
    let mut existing = dir.to_path_buf();
    while !existing.exists() {
        existing = parent_of(&existing);
    }
    if !existing.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{}: {} is a file, not a directory: choose a path in a directory",
            dir.display(),
            existing.display()
        )));
    }
    let probe = existing.join(format!(
        ".ctxbench-probe-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Error::InvalidInput(format!(
            "{}: cannot create files in {} ({e}): choose a path in a writable directory",
            dir.display(),
            existing.display()
        ))),
    }
}

/// The folder a file path goes in (`.` for a bare name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `folder/stem.ext`, or `folder/stem-2.ext`, `-3`, ... when that name is taken.
pub fn free_name(folder: &Path, stem: &str, ext: &str) -> PathBuf {
    let mut path = folder.join(format!("{stem}.{ext}"));
    let mut n = 2;
    while path.exists() {
        path = folder.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    path
}

/// Writes `bytes` to `path` atomically; when that fails, writes them to
/// `ctxbench-<UTC time>.<ext>` in the system's temporary directory (else the current
/// one) and returns [`Error::NotSaved`] naming both, so what the run produced is kept.
pub fn write_or_fallback(path: &Path, bytes: &[u8]) -> Result<()> {
    let dirs = [std::env::temp_dir(), PathBuf::from(".")];
    write_or_fallback_in(path, bytes, &dirs)
}

/// [`write_or_fallback`] with the fallback folders given, tried in order.
fn write_or_fallback_in(path: &Path, bytes: &[u8], fallback_dirs: &[PathBuf]) -> Result<()> {
    let cause = match write_atomic(path, bytes) {
        Ok(()) => return Ok(()),
        Err(e) => e.to_string(),
    };
    let ext = path
        .extension()
        .map_or("json".into(), |e| e.to_string_lossy().into_owned());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stem = format!("ctxbench-{}", utc_timestamp(now));
    let fallback = fallback_dirs.iter().find_map(|dir| {
        let p = free_name(dir, &stem, &ext);
        write_atomic(&p, bytes).ok().map(|()| p)
    });
    Err(Error::NotSaved {
        path: path.to_path_buf(),
        cause,
        fallback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_that_cannot_be_written_are_named_before_anything_runs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(check_file_target(&d.join("r.json")).is_ok());
        assert!(check_file_target(&d.join("new/deeper/r.json")).is_ok());
        assert!(check_dir_target(&d.join("new/deeper")).is_ok());
        // A probe leaves nothing behind, and no folder was created.
        assert_eq!(std::fs::read_dir(d).unwrap().count(), 0);

        let e = check_file_target(d).unwrap_err();
        assert!(e.is_usage());
        assert!(
            e.to_string().contains("is a directory: give a file name"),
            "{e}"
        );
        std::fs::write(d.join("plain"), "x").unwrap();
        for e in [
            check_file_target(&d.join("plain/r.json")).unwrap_err(),
            check_dir_target(&d.join("plain/sub")).unwrap_err(),
        ] {
            assert!(e.is_usage());
            let msg = e.to_string();
            assert!(msg.contains("plain is a file, not a directory"), "{msg}");
        }
        // A read-only mount refuses even root.
        if Path::new("/proc/self").is_dir() {
            let e = check_file_target(Path::new("/proc/self/ctxbench.json")).unwrap_err();
            assert!(
                e.to_string().contains("cannot create files in /proc/self"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_failed_write_goes_to_the_first_fallback_folder_that_takes_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("plain"), "x").unwrap();
        let bad = d.join("plain/r.json");
        let spare = d.join("spare");
        let e =
            write_or_fallback_in(&bad, b"{}", &[d.join("plain/no"), spare.clone()]).unwrap_err();
        let Error::NotSaved {
            path,
            fallback: Some(fallback),
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(path, &bad);
        assert!(fallback.starts_with(&spare), "{fallback:?}");
        let name = fallback.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("ctxbench-") && name.ends_with("Z.json"),
            "{name}"
        );
        assert_eq!(std::fs::read(fallback).unwrap(), b"{}");
        assert!(!e.is_usage());
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("written to {} instead", fallback.display())),
            "{msg}"
        );

        // A second failure in the same second gets a name of its own.
        let again = write_or_fallback_in(&bad, b"[]", std::slice::from_ref(&spare)).unwrap_err();
        let Error::NotSaved {
            fallback: Some(second),
            ..
        } = again
        else {
            panic!()
        };
        assert_ne!(&second, fallback);

        // Nowhere to write: the error says so.
        let e = write_or_fallback_in(&bad, b"{}", &[d.join("plain/x")]).unwrap_err();
        assert!(
            e.to_string().contains("no fallback file could be written"),
            "{e}"
        );
        // A path that can be written is written, and no fallback appears.
        write_or_fallback_in(&d.join("ok.md"), b"# ok", std::slice::from_ref(&spare)).unwrap();
        assert_eq!(std::fs::read_dir(&spare).unwrap().count(), 2);
    }

    #[test]
    fn free_names_count_up() {
        let dir = tempfile::tempdir().unwrap();
        let a = free_name(dir.path(), "s", "json");
        assert!(a.ends_with("s.json"));
        std::fs::write(&a, "").unwrap();
        let b = free_name(dir.path(), "s", "json");
        assert!(b.ends_with("s-2.json"));
    }
}
