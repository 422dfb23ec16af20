//! The results file: schema-versioned JSON, written atomically.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::measure::Outcome;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsFile {
    /// Always [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// The ctxbench version that wrote it.
    pub ctxbench_version: String,
    /// Seconds since the Unix epoch when the run ended.
    pub created_unix: u64,
    /// How samples were taken (`quick` or `full`).
    pub mode: String,
    /// One entry per benchmark.
    pub results: Vec<Outcome>,
    /// Benchmarks that were asked for but could not run here, with the reason.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
    /// The textbook claims judged on these results (empty when not judged).
    #[serde(default)]
    pub verdicts: Vec<crate::experiments::verdict::Verdict>,
}

/// A benchmark that did not run, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    /// Its id.
    pub id: String,
    /// Why it did not run.
    pub reason: String,
}

impl ResultsFile {
    /// A file for `results` taken now.
    pub fn new(mode: &str, results: Vec<Outcome>, skipped: Vec<Skipped>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            ctxbench_version: env!("CARGO_PKG_VERSION").to_string(),
            created_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            mode: mode.to_string(),
            results,
            skipped,
            verdicts: Vec::new(),
        }
    }

    /// Writes the file atomically (see [`write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::InvalidInput(format!("cannot serialise results: {e}")))?;
        write_atomic(path, &json)
    }

    /// Reads and checks a results file, naming the file and the problem on failure.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::sys(format!("reading {}", path.display()), e))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::InvalidInput(format!("{}: not valid JSON: {e}", path.display())))?;
        match value.get("schema_version").and_then(|v| v.as_u64()) {
            None => {
                return Err(Error::InvalidInput(format!(
                    "{}: not a ctxbench results file (no schema_version)",
                    path.display()
                )))
            }
            Some(v) if v != SCHEMA_VERSION as u64 => {
                return Err(Error::InvalidInput(format!(
                "{}: schema version {v} is not supported (this ctxbench reads {SCHEMA_VERSION})",
                path.display()
            )))
            }
            Some(_) => {}
        }
        serde_json::from_value(value).map_err(|e| {
            Error::InvalidInput(format!("{}: malformed results file: {e}", path.display()))
        })
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, synced and then
/// renamed: a reader (or a killed run) sees the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::sys(format!("creating {}", dir.display()), e))?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{} is not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::sys(format!("writing {}", path.display()), e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/r.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn load_names_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        std::fs::write(&p, "{not json").unwrap();
        assert!(ResultsFile::load(&p)
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
        std::fs::write(&p, "{\"a\":1}").unwrap();
        assert!(ResultsFile::load(&p)
            .unwrap_err()
            .to_string()
            .contains("not a ctxbench results file"));
        std::fs::write(&p, "{\"schema_version\":99}").unwrap();
        assert!(ResultsFile::load(&p)
            .unwrap_err()
            .to_string()
            .contains("schema version 99"));
        let f = ResultsFile::new("quick", vec![], vec![]);
        f.save(&p).unwrap();
        assert_eq!(ResultsFile::load(&p).unwrap(), f);
    }
}
