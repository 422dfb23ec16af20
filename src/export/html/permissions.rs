//! The permissions section of the comparison page: per run that probed it, who the kernel let
//! read whose memory, each way, with the errno of every refusal.

use crate::export::escape::html as escape;
use crate::export::inputs::Run;
use crate::spec::READ_WAYS;

/// The section, or nothing when no run probed permissions.
pub fn section(runs: &[Run]) -> String {
    let probed: Vec<(&Run, &crate::measure::permissions::Permissions)> = runs
        .iter()
        .filter_map(|r| r.permissions.as_ref().map(|g| (r, g)))
        .collect();
    if probed.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        r#"<section id="permissions"><h2>Who may read whose memory</h2><p class="note">Facts, not
        timings: each reader tried each way on a process of its own user, one of its own
        user that made itself non-dumpable, and one of another user; a refusal shows the
        errno the kernel gave.</p>"#,
    );
    for (r, g) in probed {
        s += &format!(
            "<h3>{}</h3><p class=\"note\">{}</p><table><tr><th>reader</th><th>target</th>",
            escape(&r.label),
            escape(&g.yama_note())
        );
        for w in READ_WAYS {
            s += &format!("<th>{}</th>", escape(w.label()));
        }
        s += "</tr>";
        for row in g.rows() {
            s += &format!(
                "<tr><td>{}</td><td>{}</td>",
                escape(&row.reader),
                escape(&row.target)
            );
            for a in &row.answers {
                let class = if a.starts_with("refused") {
                    r#" class="refused""#
                } else {
                    ""
                };
                s += &format!("<td{class}>{}</td>", escape(a));
            }
            s += "</tr>";
        }
        s += "</table>";
        if !g.not_tried.is_empty() {
            s += "<ul class=\"note\">";
            for n in &g.not_tried {
                s += &format!("<li>not tried: {}</li>", escape(n));
            }
            s += "</ul>";
        }
    }
    s + "</section>"
}

#[cfg(test)]
mod tests {
    use crate::export::{inputs, Format};
    use crate::measure::permissions::{Access, PermissionFact, Permissions, TargetKind};
    use crate::results::ResultsFile;
    use crate::spec::ReadWay;

    #[test]
    fn the_comparison_shows_the_guard_of_the_runs_that_probed_it() {
        let dir = tempfile::tempdir().unwrap();
        let (with, without) = (dir.path().join("a.json"), dir.path().join("b.json"));
        ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![])
            .save(&without)
            .unwrap();
        let mut f = ResultsFile::new(crate::spec::Mode::Quick, vec![], vec![]);
        f.permissions = Some(Permissions {
            yama_ptrace_scope: None,
            facts: vec![PermissionFact {
                reader_uid: 65534,
                reader_privileged: false,
                target: TargetKind::SameUserNotDumpable,
                target_uid: 65534,
                way: ReadWay::ProcessVmReadv,
                access: Access::Refused {
                    errno: "EPERM".into(),
                },
            }],
            not_tried: vec!["<a reader>".into()],
        });
        f.save(&with).unwrap();
        let runs = inputs::load_inputs(std::slice::from_ref(&without))
            .unwrap()
            .runs;
        assert!(!Format::Html
            .exporter()
            .render(&runs)
            .contains("id=\"permissions\""));
        assert!(!Format::Markdown
            .exporter()
            .render(&runs)
            .contains("whose memory"));
        let runs = inputs::load_inputs(&[with, without]).unwrap().runs;
        let page = Format::Html.exporter().render(&runs);
        assert!(
            page.contains(r##"<a href="#permissions">permissions</a>"##),
            "nav"
        );
        assert!(
            page.contains("<td>same user, not dumpable (nobody)</td>"),
            "{page}"
        );
        assert!(page.contains(r#"<td class="refused">refused (EPERM)</td>"#));
        assert!(page.contains("not tried: &lt;a reader&gt;"), "escaped");
        let md = Format::Markdown.exporter().render(&runs);
        assert!(
            md.contains("| nobody | same user, not dumpable (nobody) | refused (EPERM) | - | - |"),
            "{md}"
        );
    }
}
