//! The results file: schema-versioned JSON, written atomically, its path checked before
//! the run and a fallback file written when the save still fails.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fingerprint::Fingerprint;
use crate::measure::Outcome;

mod output;
pub use output::{check_dir_target, check_file_target, free_name, write_or_fallback};

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
    pub mode: crate::spec::Mode,
    /// One entry per benchmark.
    pub results: Vec<Outcome>,
    /// Benchmarks that were asked for but could not run here, with the reason.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
    /// The machine and build the results came from (all "unknown" in files that lack it).
    #[serde(default)]
    pub machine: Fingerprint,
    /// The textbook claims judged on these results (empty when not judged).
    #[serde(default)]
    pub verdicts: Vec<crate::analysis::claims::ClaimVerdict>,
    /// Who the kernel let read whose memory, where the run probed it (with the `cross`
    /// experiment); absent in files from before it and in runs without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "guard")]
    pub permissions: Option<crate::measure::permissions::Permissions>,
    /// The seed the order of the paired rounds came from (and their intervals'
    /// resamples); absent in files from before paired rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The comparisons measured in paired rounds, every quiet round kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paired: Vec<crate::measure::paired::Paired>,
    /// Where the time of one switch went, part by part (see [`crate::analysis::anatomy`]);
    /// absent in files from before it and in runs narrowed by a filter
    /// ([`ResultsFile::anatomy`] computes what an older file gives).
    #[serde(
        default,
        skip_serializing_if = "crate::analysis::anatomy::Anatomy::is_empty"
    )]
    pub anatomy: crate::analysis::anatomy::Anatomy,
}

/// A benchmark that did not run, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    /// Its id.
    pub id: String,
    /// Why it did not run.
    pub reason: String,
}

impl Skipped {
    /// `id` skipped for `reason`.
    pub fn of(id: crate::spec::BenchId, reason: impl Into<String>) -> Self {
        Self {
            id: id.to_string(),
            reason: reason.into(),
        }
    }

    /// `(id, reason)`, as the claims take it.
    pub fn pair(&self) -> (&str, &str) {
        (&self.id, &self.reason)
    }
}

impl ResultsFile {
    /// A file for `results` taken now.
    pub fn new(mode: crate::spec::Mode, results: Vec<Outcome>, skipped: Vec<Skipped>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            ctxbench_version: env!("CARGO_PKG_VERSION").to_string(),
            created_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            mode,
            results,
            skipped,
            machine: Fingerprint::default(),
            verdicts: Vec::new(),
            permissions: None,
            seed: None,
            paired: Vec::new(),
            anatomy: Default::default(),
        }
    }

    /// The anatomy of a switch: the one the file holds, else what its outcomes and
    /// comparisons give (an older file: the parts it can, and which are missing).
    pub fn anatomy(&self) -> crate::analysis::anatomy::Anatomy {
        if !self.anatomy.is_empty() {
            return self.anatomy.clone();
        }
        let skipped: Vec<(&str, &str)> = self.skipped.iter().map(Skipped::pair).collect();
        let facts = crate::analysis::claims::RunFacts {
            skipped: &skipped,
            permissions: self.permissions.as_ref(),
            paired: &self.paired,
        };
        crate::analysis::anatomy::Anatomy::of(&self.results, &facts, self.machine.l2_bytes)
    }

    /// The same file, stamped with the machine it ran on.
    pub fn with_machine(mut self, machine: Fingerprint) -> Self {
        self.machine = machine;
        self
    }

    /// Saves under [`ResultsFile::path_in`] `dir` and returns the path written.
    pub fn save_in(&self, dir: &Path) -> Result<std::path::PathBuf> {
        let path = self.path_in(dir);
        self.save(&path)?;
        Ok(path)
    }

    /// Where [`ResultsFile::save_in`] puts the file: `dir/<machine slug>/<UTC
    /// timestamp>.json`, with a `-2`, `-3`, ... suffix if that name is taken.
    pub fn path_in(&self, dir: &Path) -> std::path::PathBuf {
        free_name(
            &dir.join(self.machine.slug()),
            &utc_timestamp(self.created_unix),
            "json",
        )
    }

    /// Writes the file atomically (see [`write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, &self.to_json()?)
    }

    /// [`ResultsFile::save`], and when that fails the same bytes in a fallback file that
    /// the error names (see [`write_or_fallback`]).
    pub fn save_or_fallback(&self, path: &Path) -> Result<()> {
        write_or_fallback(path, &self.to_json()?)
    }

    fn to_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec_pretty(self)
            .map_err(|e| Error::InvalidInput(format!("cannot serialise results: {e}")))
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

/// The UTC date and time of `unix_secs` as `2026-11-27T06-30-00Z`: ISO 8601 with `-`
/// for `:`, so it is a valid file name everywhere and sorts in time order.
pub fn utc_timestamp(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}-{:02}-{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Count from 0000-03-01 so the leap day is the last day of a "year", then split into
    // 400-year eras of 146097 days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
    let mp = (5 * doy + 2) / 153; // March = 0
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
        let f = ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]);
        f.save(&p).unwrap();
        assert_eq!(ResultsFile::load(&p).unwrap(), f);
    }

    #[test]
    fn timestamps_of_known_instants() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00-00-00Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00-00-00Z");
        assert_eq!(utc_timestamp(951_868_799), "2000-02-29T23-59-59Z");
        assert_eq!(utc_timestamp(951_868_800), "2000-03-01T00-00-00Z");
        assert_eq!(utc_timestamp(1_709_251_199), "2024-02-29T23-59-59Z");
        assert_eq!(utc_timestamp(4_107_542_400), "2100-03-01T00-00-00Z");
        assert_eq!(utc_timestamp(1_798_353_000), "2026-12-27T06-30-00Z");
        assert_eq!(utc_timestamp(1_767_225_599), "2025-12-31T23-59-59Z");
        // Every day of four centuries: consecutive and well formed.
        let mut prev = civil_from_days(-1);
        for day in 0..146_097 {
            let (y, m, d) = civil_from_days(day);
            let next_ok = (y, m, d) > prev
                && (d == prev.2 + 1
                    || (d == 1 && (m == prev.1 + 1 || (m == 1 && y == prev.0 + 1))));
            assert!(next_ok, "day {day}: {prev:?} -> {:?}", (y, m, d));
            prev = (y, m, d);
        }
    }

    #[test]
    fn save_in_uses_slug_and_timestamp_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let machine = crate::fingerprint::Fingerprint {
            cpu_model: "Test CPU <9000>".into(),
            hostname: "box".into(),
            cpus_used: vec![0, 1],
            ..Default::default()
        };
        let mut f =
            ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]).with_machine(machine);
        f.created_unix = 1_798_353_000;
        let p = f.save_in(dir.path()).unwrap();
        assert_eq!(
            p,
            dir.path().join("test-9000-box/2026-12-27T06-30-00Z.json")
        );
        let again = f.save_in(dir.path()).unwrap();
        assert!(again.ends_with("test-9000-box/2026-12-27T06-30-00Z-2.json"));
        let back = ResultsFile::load(&p).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.machine.cpu_model, "Test CPU <9000>");
    }

    #[test]
    fn the_bare_mechanism_counters_are_saved_like_the_others_and_older_files_lack_them() {
        use crate::measure::{pingpong_outcome, CounterValue, Samples, SwitchCount};
        use crate::spec::{Mechanism, Participants, PingPongSpec, Placement};
        let spec = PingPongSpec {
            participants: Participants::Thread,
            mechanism: Mechanism::Pipe,
            placement: Placement::SameCpu(0),
        };
        let mut o = pingpong_outcome(
            &spec,
            Some(2.0),
            Samples {
                iters_per_sample: 10,
                ns_per_iter: vec![4000.0],
            },
            SwitchCount {
                iters: 1000,
                voluntary: 1120,
                involuntary: 880,
                per_iter: 2.0,
            },
        );
        let readings = [
            ("raw_syscalls:sys_enter", 4000.0),
            ("timer:hrtimer_start", 2.0),
            ("sched:sched_switch:preempted", 880.0),
        ];
        for (name, total) in readings {
            let r = crate::counters::EventReading::Counted(crate::counters::Reading {
                raw: total as u64,
                scaled: total,
                multiplexed: false,
            });
            o.counters.insert(
                name.to_string(),
                crate::counters::value_of(&r, 1000, Some(2.0)),
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.json");
        let f = ResultsFile::new(crate::spec::Mode::Quick, vec![o], vec![]);
        f.save(&p).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let c = &json["results"][0]["counters"];
        assert_eq!(c["raw_syscalls:sys_enter"]["per_round_trip"], 4.0);
        assert_eq!(c["sched:sched_switch:preempted"]["per_switch"], 0.44);
        let back = ResultsFile::load(&p).unwrap();
        assert_eq!(back, f);
        assert_eq!(
            back.results[0].counter_per_switch("sched:sched_switch:preempted"),
            Some(0.44)
        );

        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/results");
        for name in ["machine-a.json", "machine-b.json"] {
            let old = ResultsFile::load(&fixtures.join(name)).unwrap();
            assert!(!old.results.is_empty(), "{name}");
            for r in &old.results {
                assert!(!r.counters.contains_key("raw_syscalls:sys_enter"), "{name}");
                assert_eq!(r.counter_per_switch("sched:sched_switch:preempted"), None);
            }
            assert!(old.results.iter().any(|r| matches!(
                r.counters.get("context-switches"),
                Some(CounterValue::Measured { .. })
            )));
        }
    }

    #[test]
    fn file_without_machine_loads_as_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.json");
        std::fs::write(
            &p,
            r#"{"schema_version":1,"ctxbench_version":"0.1.0","created_unix":0,"mode":"quick","results":[]}"#,
        )
        .unwrap();
        let f = ResultsFile::load(&p).unwrap();
        assert_eq!(f.machine.cpu_model, "unknown");
        assert_eq!(f.permissions, None);
    }

    #[test]
    fn the_guard_facts_round_trip_and_files_without_them_still_load() {
        use crate::measure::permissions::{Access, PermissionFact, Permissions, TargetKind};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.json");
        let mut f = ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]);
        f.save(&p).unwrap();
        assert!(!std::fs::read_to_string(&p).unwrap().contains("\"guard\""));
        f.permissions = Some(Permissions {
            yama_ptrace_scope: Some(1),
            facts: vec![PermissionFact {
                reader_uid: 65534,
                reader_privileged: false,
                target: TargetKind::SameUserNotDumpable,
                target_uid: 65534,
                way: crate::spec::ReadWay::PtraceAttach,
                access: Access::Refused {
                    errno: "EPERM".into(),
                },
            }],
            not_tried: vec![],
        });
        f.save(&p).unwrap();
        assert_eq!(ResultsFile::load(&p).unwrap(), f);
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/results");
        let old = ResultsFile::load(&fixtures.join("machine-a.json")).unwrap();
        assert_eq!(old.permissions, None);
    }
}
