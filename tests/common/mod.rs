//! What the tests that drive the real binary share: a note that shows in `cargo test`'s
//! output, and a copy of the binary another user can run.
//!
//! Each test binary compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Prints `note: <text>` on the terminal `cargo test` runs in, past the test harness's
/// capture (which keeps a passing test's output to itself), so a skip is seen.
pub fn note(text: &str) {
    let line = format!("note: {text}\n");
    // A raw write to descriptor 2: the harness captures `eprintln!` and `io::stderr`.
    let _ = nix::unistd::write(std::io::stderr(), line.as_bytes());
}

/// The user without privileges the tests become when they run as root: `nobody`.
pub const NOBODY: u32 = 65534;

/// True when this process runs as root.
pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// A copy of the binary that user [`NOBODY`] can run, and a folder it can write in.
/// The checkout may sit where that user cannot go (a `mktemp -d` folder, root's home,
/// both 0700), so the tests that change user never run the binary in place.
pub struct Reachable {
    /// The copy (mode 0755), in a folder of its own (0755).
    pub bin: PathBuf,
    /// A folder for the run's outputs and current directory (0777).
    pub work: tempfile::TempDir,
    _home: tempfile::TempDir,
}

/// Copies the binary under the temporary folder (`TMPDIR`, then `/tmp`) and checks that
/// [`NOBODY`] can run the copy there. `Err` says why not, for the test to print as its
/// reason to skip. Only root can become another user, so this is for root.
pub fn binary_for_nobody() -> Result<Reachable, String> {
    let mut tried = Vec::new();
    let mut bases = vec![std::env::temp_dir()];
    if bases[0] != Path::new("/tmp") {
        bases.push(PathBuf::from("/tmp"));
    }
    for base in bases {
        match copy_into(&base) {
            Ok(r) => return Ok(r),
            Err(e) => tried.push(format!("{}: {e}", base.display())),
        }
    }
    Err(format!(
        "user nobody can run no copy of the binary: {}",
        tried.join("; ")
    ))
}

fn copy_into(base: &Path) -> Result<Reachable, String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m))
            .map_err(|e| format!("chmod {m:o} {}: {e}", p.display()))
    };
    let home = tempfile::Builder::new()
        .prefix("ctxbench-bin-")
        .tempdir_in(base)
        .map_err(|e| e.to_string())?;
    mode(home.path(), 0o755)?;
    let bin = home.path().join("ctxbench");
    std::fs::copy(env!("CARGO_BIN_EXE_ctxbench"), &bin).map_err(|e| e.to_string())?;
    mode(&bin, 0o755)?;
    let work = tempfile::Builder::new()
        .prefix("ctxbench-work-")
        .tempdir_in(base)
        .map_err(|e| e.to_string())?;
    mode(work.path(), 0o777)?;
    // The proof: nobody runs the copy from the work folder (std drops root's
    // supplementary groups as it sets the user).
    let out = Command::new(&bin)
        .arg("--version")
        .current_dir(work.path())
        .uid(NOBODY)
        .gid(NOBODY)
        .output()
        .map_err(|e| format!("running {} as nobody: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} --version as nobody: {}: {}",
            bin.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(Reachable {
        bin,
        work,
        _home: home,
    })
}
