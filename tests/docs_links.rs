//! Every relative link in README.md and docs/**/*.md leads somewhere: the file or folder
//! exists (relative to the page that links to it), and an anchor names a heading of the
//! target page (GitHub's slugs). Links to the web are not followed. Also: every
//! experiment has its page, `docs/experiments/<name>.md`, named as its ids start.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every Markdown file under docs/, sorted.
fn pages() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut out = vec![root().join("README.md")];
    walk(&root().join("docs"), &mut out);
    out.sort();
    out
}

/// The text of `md` with fenced code blocks and inline code blanked out (links inside
/// them are examples, not links), one entry per line.
fn prose_lines(md: &str) -> Vec<String> {
    let mut fenced = false;
    md.lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                fenced = !fenced;
                return String::new();
            }
            if fenced {
                return String::new();
            }
            let mut out = String::with_capacity(line.len());
            let mut in_code = false;
            for c in line.chars() {
                if c == '`' {
                    in_code = !in_code;
                    out.push(' ');
                } else {
                    out.push(if in_code { ' ' } else { c });
                }
            }
            out
        })
        .collect()
}

/// The targets of the links in `md`: inline `[text](target)` and reference definitions
/// `[label]: target`, each with its line number.
fn links(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in prose_lines(md).iter().enumerate() {
        let b = line.as_bytes();
        let mut i = 0;
        while let Some(k) = line[i..].find("](") {
            let start = i + k + 2;
            // The target ends at the matching `)` (targets here hold no parentheses).
            let Some(len) = line[start..].find(')') else {
                break;
            };
            let target = line[start..start + len].trim();
            // `[x](url "title")`: the url alone.
            let target = target.split_whitespace().next().unwrap_or("");
            let target = target.trim_start_matches('<').trim_end_matches('>');
            out.push((n + 1, target.to_string()));
            i = start + len;
            if i >= b.len() {
                break;
            }
        }
        let t = line.trim_start();
        if t.starts_with('[') && !t.starts_with("[^") {
            if let Some(k) = t.find("]: ") {
                let target = t[k + 3..].split_whitespace().next().unwrap_or("");
                out.push((n + 1, target.to_string()));
            }
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, inline code and links reduced to their
/// text, everything but letters, digits, spaces, `-` and `_` dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    // `[text](url)` -> `text`.
    let mut text = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Every anchor the headings of `md` give, duplicates numbered as GitHub does (`-1`,
/// `-2`, ...).
fn anchors(md: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fenced = false;
    for line in md.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || !t.starts_with('#') {
            continue;
        }
        let hashes = t.chars().take_while(|&c| c == '#').count();
        if hashes > 6 || !t[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(t[hashes..].trim().trim_end_matches('#').trim());
        let mut s = base.clone();
        let mut k = 0;
        while seen.contains(&s) {
            k += 1;
            s = format!("{base}-{k}");
        }
        seen.insert(s);
    }
    seen
}

/// What is wrong with the link `target` on page `page`, if anything.
fn dead(page: &Path, target: &str) -> Option<String> {
    if target.is_empty() {
        return Some("an empty link".into());
    }
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    if path.starts_with('/') {
        return Some("an absolute path: links must be relative to the page".into());
    }
    let file = if path.is_empty() {
        page.to_path_buf()
    } else {
        page.parent().expect("a page is in a folder").join(path)
    };
    if !file.exists() {
        return Some(format!("{} does not exist", file.display()));
    }
    let anchor = anchor?;
    if file.extension().is_none_or(|x| x != "md") {
        let line = anchor.strip_prefix('L').is_some_and(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == 'L')
        });
        return (!line).then(|| format!("#{anchor} in {}, which is not Markdown", file.display()));
    }
    let text = std::fs::read_to_string(&file).expect("a page reads");
    (!anchors(&text).contains(anchor))
        .then(|| format!("no heading of {} has the anchor #{anchor}", file.display()))
}

#[test]
fn every_relative_link_and_anchor_leads_somewhere() {
    let pages = pages();
    assert!(pages.len() > 1, "README.md and docs/ are read: {pages:?}");
    let mut bad = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).expect("a page reads");
        for (line, target) in links(&text) {
            checked += 1;
            if let Some(why) = dead(page, &target) {
                let rel = page.strip_prefix(root()).unwrap_or(page);
                bad.push(format!("{}:{line}: ({target}): {why}", rel.display()));
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} links found: is the parser right?"
    );
    assert!(bad.is_empty(), "dead links:\n{}", bad.join("\n"));
}

#[test]
fn every_experiment_has_its_page() {
    let dir = root().join("docs/experiments");
    let missing: Vec<String> = ctxbench::spec::EXPERIMENTS
        .iter()
        .map(|e| format!("{}.md", e.name()))
        .filter(|f| !dir.join(f).is_file())
        .collect();
    assert!(missing.is_empty(), "docs/experiments/ lacks {missing:?}");
}

#[test]
fn the_checker_finds_dead_links_and_gives_githubs_slugs() {
    assert_eq!(
        slug("Across the cores (`topology/<futex|cacheline>/<a>-<b>`)"),
        "across-the-cores-topologyfutexcachelinea-b"
    );
    assert_eq!(slug("Tests and CI"), "tests-and-ci");
    assert_eq!(
        slug("The [method](method.md), in short"),
        "the-method-in-short"
    );
    let a = anchors("# A\n## A\n```\n# not a heading\n```\n### b_c d\n");
    assert_eq!(
        a.into_iter().collect::<Vec<_>>(),
        ["a", "a-1", "b_c-d"].map(String::from)
    );
    let md = "[x](a.md#b) and `[y](in-code.md)` and [z](https://example.org)\n\
              ```\n[w](fenced.md)\n```\n[r]: ref.md\n";
    let found: Vec<String> = links(md).into_iter().map(|(_, t)| t).collect();
    assert_eq!(found, ["a.md#b", "https://example.org", "ref.md"]);
    let readme = root().join("README.md");
    assert!(dead(&readme, "docs/no-such-page.md").is_some());
    assert!(dead(&readme, "#no-such-heading").is_some());
    assert!(dead(&readme, "src/").is_none());
    assert!(dead(&readme, "Cargo.toml#anchor").is_some());
    assert!(dead(&readme, "https://example.org/#x").is_none());
}
