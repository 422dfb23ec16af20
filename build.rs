//! Records the compiler version and git commit for the machine fingerprint. Either falls
//! back to "unknown" (a build from a tarball, no git, an odd rustc) rather than failing.

use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CTXBENCH_RUSTC_VERSION={version}");

    // Only this crate's own repository counts: a source tarball unpacked inside some
    // other git checkout must not report that checkout's commit.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let own_repo = output("git", &["rev-parse", "--show-toplevel"])
        .and_then(|top| std::fs::canonicalize(top).ok())
        .zip(std::fs::canonicalize(&manifest_dir).ok())
        .is_some_and(|(top, here)| top == here);
    let commit = own_repo
        .then(|| output("git", &["rev-parse", "--short", "HEAD"]))
        .flatten()
        .map(|c| {
            // Tracked files changed since the commit: say so, the numbers may not be
            // reproducible from the commit alone.
            let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"]);
            if dirty.is_some() {
                format!("{c}-dirty")
            } else {
                c
            }
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CTXBENCH_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself, the branch it points to, and packed refs.
    // Paths come from git so worktrees (where .git is a file) work too.
    if !own_repo {
        return;
    }
    // Sources too, so the -dirty mark follows edits.
    println!("cargo:rerun-if-changed=src");
    let mut watch = vec![
        "HEAD".to_string(),
        "packed-refs".to_string(),
        "index".to_string(),
    ];
    if let Some(r) = output("git", &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(r);
    }
    for w in watch {
        if let Some(p) = output("git", &["rev-parse", "--git-path", &w]) {
            if std::path::Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
}
