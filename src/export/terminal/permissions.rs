//! The permissions table: who the kernel let read whose memory, each way, with the errno of
//! every refusal.

use crate::measure::permissions::{PermissionRow, Permissions};
use crate::results::ResultsFile;
use crate::spec::READ_WAYS;

/// Renders the permission facts of `file`; empty when the run did not probe them.
pub fn render(file: &ResultsFile) -> String {
    file.permissions.as_ref().map_or_else(String::new, table)
}

/// The table of one probe.
pub fn table(g: &Permissions) -> String {
    let rows = g.rows();
    let width = |cell: fn(&PermissionRow) -> &str| {
        rows.iter().map(|r| cell(r).len()).max().unwrap_or(0).max(6)
    };
    let (rw, tw) = (width(|r| &r.reader), width(|r| &r.target));
    let mut out = format!(
        "who may read whose memory ({})\n{:<rw$}  {:<tw$}",
        g.yama_note(),
        "reader",
        "target"
    );
    for w in READ_WAYS {
        out += &format!("  {:<16}", w.label());
    }
    out = out.trim_end().to_string() + "\n";
    for r in &rows {
        out += &format!("{:<rw$}  {:<tw$}", r.reader, r.target);
        for a in &r.answers {
            out += &format!("  {a:<16}");
        }
        out = out.trim_end().to_string() + "\n";
    }
    for n in &g.not_tried {
        out += &format!("not tried: {n}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::permissions::{Access, PermissionFact, TargetKind};
    use crate::spec::ReadWay;

    #[test]
    fn refusals_show_their_errno() {
        let mut f = ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]);
        assert_eq!(render(&f), "");
        f.permissions = Some(Permissions {
            yama_ptrace_scope: Some(1),
            facts: vec![PermissionFact {
                reader_uid: 65534,
                reader_privileged: false,
                target: TargetKind::OtherUser,
                target_uid: 0,
                way: ReadWay::ProcMem,
                access: Access::Refused {
                    errno: "EACCES".into(),
                },
            }],
            not_tried: vec!["something: a reason".into()],
        });
        let t = render(&f);
        assert!(
            t.starts_with("who may read whose memory (Yama ptrace_scope 1"),
            "{t}"
        );
        assert!(t.contains("nobody  another user (root)  -"), "{t}");
        assert!(t.contains("refused (EACCES)"), "{t}");
        assert!(t.ends_with("not tried: something: a reason\n"), "{t}");
    }
}
