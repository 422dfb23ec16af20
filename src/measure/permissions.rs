//! Who may read whose memory: the kernel's answers, kept as facts (not timings) in the
//! results file's `guard` section. Probed by [`crate::experiments::permissions`].
//!
//! Each fact is one reader trying one way on one target: allowed, or refused with the
//! errno the kernel gave. A refusal is a finding, never a failure of the run.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::harness::permissions::{ALLOWED, MISMATCH};
use crate::spec::ReadWay;

/// The uid of `nobody` on Linux, the reader without privilege the probe becomes.
pub const NOBODY: u32 = 65534;

/// What the permission probe found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Permissions {
    /// Yama's `kernel.yama.ptrace_scope` (0 classic, 1 descendants only, 2 admin only,
    /// 3 none), where Yama is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yama_ptrace_scope: Option<u32>,
    /// One fact per reader, target and way tried.
    #[serde(default)]
    pub facts: Vec<PermissionFact>,
    /// Readers or targets that could not be set up here, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_tried: Vec<String>,
}

/// Which target, as the reader sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A process of the reader's own user, dumpable (the default).
    SameUser,
    /// A process of the reader's own user that made itself non-dumpable
    /// (`prctl(PR_SET_DUMPABLE, 0)`).
    SameUserNotDumpable,
    /// A process of another user (dumpable).
    OtherUser,
}

/// Every target kind, in report order.
pub const TARGET_KINDS: [TargetKind; 3] = [
    TargetKind::SameUser,
    TargetKind::SameUserNotDumpable,
    TargetKind::OtherUser,
];

impl TargetKind {
    /// What it is called in tables.
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::SameUser => "same user",
            TargetKind::SameUserNotDumpable => "same user, not dumpable",
            TargetKind::OtherUser => "another user",
        }
    }
}

/// What the kernel answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Access {
    /// The read succeeded (and delivered the target's bytes, where they are known).
    Allowed,
    /// The kernel refused: EPERM or EACCES, its access check.
    Refused {
        /// The errno's name.
        errno: String,
    },
    /// Something else went wrong (the access check may have passed): the errno's name,
    /// or `content mismatch`.
    Failed {
        /// What went wrong.
        error: String,
    },
}

impl Access {
    /// From a probe's code ([`crate::harness::permissions`]).
    pub fn from_code(code: i32) -> Self {
        match code {
            ALLOWED => Access::Allowed,
            MISMATCH => Access::Failed {
                error: "content mismatch".into(),
            },
            libc::EPERM | libc::EACCES => Access::Refused {
                errno: errno_name(code),
            },
            _ => Access::Failed {
                error: errno_name(code),
            },
        }
    }

    /// True for a refusal.
    pub fn is_refused(&self) -> bool {
        matches!(self, Access::Refused { .. })
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Access::Allowed => f.write_str("allowed"),
            Access::Refused { errno } => write!(f, "refused ({errno})"),
            Access::Failed { error } => write!(f, "failed ({error})"),
        }
    }
}

/// `EPERM` for 1, and so on.
pub fn errno_name(code: i32) -> String {
    format!("{:?}", nix::errno::Errno::from_raw(code))
}

/// `root`, `nobody` or `uid N`.
pub fn user_name(uid: u32) -> String {
    match uid {
        0 => "root".into(),
        NOBODY => "nobody".into(),
        n => format!("uid {n}"),
    }
}

/// One row of a permissions table: a reader, a target, each way's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionRow {
    /// `root (CAP_SYS_PTRACE)`, `nobody`, ...
    pub reader: String,
    /// `another user (root)`, ...
    pub target: String,
    /// `allowed`, `refused (EPERM)`, ..., one per way.
    pub answers: [String; 3],
}

/// One reader trying one way on one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionFact {
    /// The reader's user.
    pub reader_uid: u32,
    /// Whether the reader held CAP_SYS_PTRACE (root does).
    pub reader_privileged: bool,
    /// Which target.
    pub target: TargetKind,
    /// The target's user.
    pub target_uid: u32,
    /// How it tried.
    pub way: ReadWay,
    /// What the kernel answered.
    #[serde(flatten)]
    pub access: Access,
}

impl PermissionFact {
    /// The reader as a table shows it: `root (CAP_SYS_PTRACE)`, `nobody`, `uid 1000`.
    pub fn reader(&self) -> String {
        let name = user_name(self.reader_uid);
        if self.reader_privileged {
            format!("{name} (CAP_SYS_PTRACE)")
        } else {
            name
        }
    }
}

impl Permissions {
    /// The facts of readers with (`privileged`) or without CAP_SYS_PTRACE about targets
    /// of kind `target`.
    pub fn facts_of(
        &self,
        privileged: bool,
        target: TargetKind,
    ) -> impl Iterator<Item = &PermissionFact> {
        self.facts
            .iter()
            .filter(move |f| f.reader_privileged == privileged && f.target == target)
    }

    /// The readers in the order first seen: (uid, privileged).
    pub fn readers(&self) -> Vec<(u32, bool)> {
        let mut out: Vec<(u32, bool)> = Vec::new();
        for f in &self.facts {
            if !out.contains(&(f.reader_uid, f.reader_privileged)) {
                out.push((f.reader_uid, f.reader_privileged));
            }
        }
        out
    }

    /// The facts as a table's rows: (reader, target with its user, the answer of each
    /// way in [`crate::spec::READ_WAYS`] order, `-` where not tried), readers in the
    /// order first seen, targets in [`TARGET_KINDS`] order.
    pub fn rows(&self) -> Vec<PermissionRow> {
        let mut rows = Vec::new();
        for (uid, privileged) in self.readers() {
            for kind in TARGET_KINDS {
                let facts: Vec<&PermissionFact> = self
                    .facts
                    .iter()
                    .filter(|f| {
                        (f.reader_uid, f.reader_privileged, f.target) == (uid, privileged, kind)
                    })
                    .collect();
                let Some(first) = facts.first() else { continue };
                let answers = crate::spec::READ_WAYS.map(|w| {
                    facts
                        .iter()
                        .find(|f| f.way == w)
                        .map_or_else(|| "-".to_string(), |f| f.access.to_string())
                });
                rows.push(PermissionRow {
                    reader: first.reader(),
                    target: format!("{} ({})", kind.label(), user_name(first.target_uid)),
                    answers,
                });
            }
        }
        rows
    }

    /// What Yama's scope means, where present.
    pub fn yama_note(&self) -> String {
        match self.yama_ptrace_scope {
            None => "Yama absent (no ptrace_scope)".into(),
            Some(0) => "Yama ptrace_scope 0: the classic rules".into(),
            Some(1) => "Yama ptrace_scope 1: only an ancestor (or a declared tracer) may \
                        attach or read, unless it holds CAP_SYS_PTRACE"
                .into(),
            Some(2) => "Yama ptrace_scope 2: only CAP_SYS_PTRACE may attach or read".into(),
            Some(3) => "Yama ptrace_scope 3: no one may attach or read".into(),
            Some(n) => format!("Yama ptrace_scope {n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_plain_json_and_read_back() {
        let f = PermissionFact {
            reader_uid: NOBODY,
            reader_privileged: false,
            target: TargetKind::OtherUser,
            target_uid: 0,
            way: ReadWay::ProcessVmReadv,
            access: Access::from_code(libc::EPERM),
        };
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"reader_uid":65534,"reader_privileged":false,"target":"other-user","target_uid":0,"way":"process-vm-readv","result":"refused","errno":"EPERM"}"#
        );
        assert_eq!(serde_json::from_str::<PermissionFact>(&json).unwrap(), f);
        assert_eq!(f.reader(), "nobody");
        assert_eq!(f.access.to_string(), "refused (EPERM)");
        assert_eq!(
            Access::from_code(libc::EACCES).to_string(),
            "refused (EACCES)"
        );
        assert_eq!(Access::from_code(0), Access::Allowed);
        assert_eq!(
            Access::from_code(MISMATCH).to_string(),
            "failed (content mismatch)"
        );
        assert_eq!(
            Access::from_code(libc::EFAULT).to_string(),
            "failed (EFAULT)"
        );
        let two = Permissions {
            facts: vec![
                f.clone(),
                PermissionFact {
                    way: ReadWay::PtraceAttach,
                    access: Access::Allowed,
                    ..f.clone()
                },
            ],
            ..Permissions::default()
        };
        assert_eq!(
            two.rows(),
            [PermissionRow {
                reader: "nobody".into(),
                target: "another user (root)".into(),
                answers: ["refused (EPERM)".into(), "-".into(), "allowed".into()],
            }]
        );
        let g: Permissions = serde_json::from_str("{}").unwrap();
        assert_eq!(g, Permissions::default());
        assert!(g.yama_note().contains("absent"));
    }
}
