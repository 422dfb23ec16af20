//! What the tests that drive the real binary share: a note that shows in `cargo test`'s
//! output, the long-test switch, a copy of the binary another user can run, every process
//! a run left behind, and a run interrupted at the point it reports.
//!
//! Each test binary compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use nix::sys::signal::{SigHandler, Signal};

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

/// Pids of live processes whose environment holds `CTXBENCH_TEST_TAG=<tag>`: a run
/// started with that tag and everything it forked (a zombie has no environment left).
pub fn tagged_processes(tag: &str) -> Vec<i32> {
    let needle = format!("CTXBENCH_TEST_TAG={tag}");
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|&b| b == 0).any(|kv| kv == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

/// Waits up to 2 s for every process tagged `tag` to be gone; returns those left.
pub fn wait_until_none(tag: &str) -> Vec<i32> {
    let start = Instant::now();
    loop {
        let left = tagged_processes(tag);
        if left.is_empty() || start.elapsed() > Duration::from_secs(2) {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits up to `limit` for `ready` to give something, polling every millisecond.
pub fn wait_for<T>(limit: Duration, mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if let Some(t) = ready() {
            return Some(t);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

/// A unique tag for a run of this test process.
pub fn tag(what: &str) -> String {
    format!("{}-{what}", std::process::id())
}

/// How long a run may take to reach the id it is to be interrupted in (set-up, the
/// floors before it, retries on a busy machine).
pub const REACH_LIMIT: Duration = Duration::from_secs(120);

/// A `ctxbench` run under way, tagged, its stderr read line by line. Dropped while it
/// still runs (a failed check), it is killed: no test leaves a run going.
pub struct Running {
    child: Child,
    /// Its tag (see [`tagged_processes`]).
    pub tag: String,
    lines: Receiver<String>,
    /// Every stderr line read so far.
    pub said: Vec<String>,
}

impl Running {
    /// Starts `ctxbench <args>` tagged `tag`, stdout discarded, stderr a pipe (so the
    /// progress is plain lines, `started <id>` among them).
    pub fn start(tag: &str, args: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ctxbench"));
        // Ctrl-C on a terminal finds SIGINT at its default action, but a test run started
        // in the background of a script (`cmd &`, nohup) has it ignored, and an ignored
        // signal stays ignored across exec: the run must get the default back.
        // SAFETY: between fork and exec the closure makes one sigaction call, which is
        // async-signal-safe, and allocates nothing.
        unsafe {
            cmd.pre_exec(|| {
                nix::sys::signal::signal(Signal::SIGINT, SigHandler::SigDfl)
                    .map(drop)
                    .map_err(std::io::Error::from)
            });
        }
        let mut child = cmd
            .args(args)
            .env("CTXBENCH_TEST_TAG", tag)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the ctxbench binary runs");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            tag: tag.to_string(),
            lines,
            said: Vec::new(),
        }
    }

    /// Its pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until the run prints `started <id>`: `id`'s harness is set up and its
    /// measuring under way. Panics with what the run said if it ends first or does not
    /// get there within [`REACH_LIMIT`].
    pub fn wait_started(&mut self, id: &str) {
        let want = format!("started {id}");
        let end = Instant::now() + REACH_LIMIT;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line == want;
                    self.said.push(line);
                    if found {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{id} did not start within {REACH_LIMIT:?}; the run said:\n{}",
                    self.said.join("\n")
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the run ended ({:?}) before {id} started; it said:\n{}",
                    self.child.wait(),
                    self.said.join("\n")
                ),
            }
        }
    }

    /// Sends SIGINT (what Ctrl-C sends) to the run alone, waits for its end, and checks
    /// that the signal ended it in the middle of `id`: killed by SIGINT, with no line
    /// saying `id` ended. Then checks that no process of the run is left.
    pub fn interrupt_in(mut self, id: &str) {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            Signal::SIGINT,
        )
        .unwrap();
        let status = self.child.wait().unwrap();
        // The rest of what it said, up to the end of its stderr (which a process left
        // behind would hold open: the check below names it).
        let end = Instant::now() + Duration::from_secs(5);
        while let Ok(line) = self
            .lines
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            self.said.push(line);
        }
        let said = self.said.join("\n");
        assert_ended_by_sigint(status, id, &said);
        assert!(
            !self.said.iter().any(|l| says_ended(l, id)),
            "{id} ended before the interrupt landed:\n{said}"
        );
        assert_eq!(
            wait_until_none(&self.tag),
            Vec::<i32>::new(),
            "processes of the run interrupted in {id} outlived it"
        );
        // Interrupted in the middle of the id: say so in the test's output.
        note(&format!("the interrupt landed in the middle of {id}"));
    }
}

/// Whether `line` is the progress line of `id` ending: `[3/5] <id>: ...`.
fn says_ended(line: &str, id: &str) -> bool {
    line.strip_prefix('[')
        .and_then(|l| l.split_once("] "))
        .is_some_and(|(_, rest)| rest.strip_prefix(id).is_some_and(|r| r.starts_with(": ")))
}

/// Panics unless `status` is a death by SIGINT.
fn assert_ended_by_sigint(status: ExitStatus, id: &str, said: &str) {
    assert_eq!(
        status.signal(),
        Some(Signal::SIGINT as i32),
        "the run did not end by the interrupt sent in {id} ({status}):\n{said}"
    );
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctxbench"))
}

/// Runs `cmd` to the end: its exit code, stdout and stderr.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let std::process::Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the ctxbench binary runs");
    (
        status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}
