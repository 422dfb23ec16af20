//! What `ctxbench run` says while it runs, and where its results go: a progress line on a
//! terminal and plain lines in a pipe (`started <id>`, then the id's result); output paths
//! checked before anything runs; a save that fails after the run writes a fallback file.
//! Through the real binary, one short benchmark at a time.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use ctxbench::results::ResultsFile;

/// The fastest id, with no counters: about a second.
const ID: &str = "floor/getppid";

/// Runs that measure take turns: two at once would disturb each other.
static MEASURING: Mutex<()> = Mutex::new(());

fn run_one() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ctxbench"));
    cmd.args(["run", "--quick", "--no-counters", "--filter", ID])
        .stdin(Stdio::null());
    cmd
}

#[test]
fn progress_is_a_redrawn_line_on_a_terminal_and_plain_lines_in_a_pipe() {
    let _turn = MEASURING.lock().unwrap_or_else(|e| e.into_inner());

    // A pipe (as in CI): `started <id>` once its measuring starts, one line for the id
    // as it ends, no redrawing.
    let out = run_one().env("TERM", "xterm-256color").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    let started = lines.iter().position(|&l| l == format!("started {ID}"));
    let ended = lines
        .iter()
        .position(|l| l.starts_with(&format!("[1/1] {ID}: ")));
    let (Some(started), Some(ended)) = (started, ended) else {
        panic!("a started line and an ended line for {ID}: {err}")
    };
    assert!(started < ended, "{err}");
    assert_eq!(err.matches("started ").count(), 1, "once per id: {err}");
    let line = lines[ended];
    assert!(
        line.contains("ns/iteration") && line.contains("elapsed, none left"),
        "{line}"
    );
    assert!(err.lines().any(|l| l.starts_with("ran 1 id in ")), "{err}");
    assert!(
        !err.contains('\r') && !err.contains('\x1b'),
        "no redraws in a pipe: {err:?}"
    );

    // A terminal: stderr on a pseudo-terminal, stdout still a pipe.
    let size = nix::pty::Winsize {
        ws_row: 24,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(&size, None).unwrap();
    let mut cmd = run_one();
    cmd.env("TERM", "xterm-256color")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(pty.slave));
    let child = cmd.spawn().unwrap();
    drop(cmd); // the parent's copy of the terminal's slave side
    let mut master = std::fs::File::from(pty.master);
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // Reading the master ends with EIO once the child has closed the slave side.
        while let Ok(n @ 1..) = master.read(&mut buf) {
            seen.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let out = child.wait_with_output().unwrap();
    let screen = reader.join().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{screen}");
    assert!(screen.starts_with("machine: "), "{screen:?}");
    // The progress line: count, times and id, drawn and cleared with escapes.
    assert!(screen.contains("0/1") && screen.contains(ID), "{screen:?}");
    assert!(screen.contains("time left unknown"), "{screen:?}");
    assert!(
        screen.contains('\r') || screen.contains("\x1b["),
        "{screen:?}"
    );
    assert!(
        !screen.contains(&format!("[1/1] {ID}: ")) && !screen.contains("started "),
        "no plain lines: {screen:?}"
    );
    assert!(screen.contains("ran 1 id in "), "{screen:?}");
    // The table on stdout is what it always was.
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("id ") && table.contains(ID), "{table}");
}

#[test]
fn output_paths_that_cannot_be_written_fail_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("plain"), "x").unwrap();
    let os = |parts: &[&dyn AsRef<std::ffi::OsStr>]| -> Vec<std::ffi::OsString> {
        parts.iter().map(|p| p.as_ref().to_owned()).collect()
    };
    let cases = [
        (os(&[&"--json", &d]), "--json: "),
        (
            os(&[&"--json", &d.join("plain/r.json")]),
            "plain is a file, not a directory",
        ),
        (
            os(&[&"--save", &"--results-dir", &d.join("plain")]),
            "--results-dir: ",
        ),
        (
            os(&[&"--json", &"/proc/self/r.json"]),
            "cannot create files in /proc/self",
        ),
    ];
    for (args, want) in cases {
        let started = std::time::Instant::now();
        let out = run_one().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("Error: ") && err.contains(want),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(!err.contains("machine:"), "nothing ran: {err}");
        assert!(out.stdout.is_empty());
        assert!(started.elapsed().as_secs() < 30);
    }
    // The same checks guard the other verbs' outputs.
    for args in [
        vec!["explain", "--json"],
        vec!["compare", "tests/data/results", "-o"],
        vec![
            "check",
            "--baseline",
            "tests/data/results/machine-a.json",
            "--output-json",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .arg(d)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("is a directory: give a file name"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_save_that_fails_after_the_run_writes_a_fallback_and_names_it() {
    let _turn = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let spare = dir.path().join("tmp");
    std::fs::create_dir(&spare).unwrap();
    let target = out_dir.join("r.json");
    let mut child = run_one()
        .arg("--json")
        .arg(&target)
        .env("TMPDIR", &spare)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    // The paths were checked and the machine printed; the benchmark is running. Now the
    // folder goes away and a file takes its name, so the save must fail.
    assert!(first.starts_with("machine: "), "{first}");
    std::fs::remove_dir(&out_dir).unwrap();
    std::fs::write(&out_dir, "in the way").unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    let last = rest.lines().last().unwrap();
    assert!(
        last.starts_with("Error: could not write ") && last.contains("nothing is lost"),
        "{rest}"
    );
    let fallback: Vec<_> = std::fs::read_dir(&spare)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(fallback.len(), 1, "{fallback:?}");
    let name = fallback[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("ctxbench-") && name.ends_with("Z.json"),
        "{name}"
    );
    assert!(last.contains(&fallback[0].display().to_string()), "{last}");
    let saved = ResultsFile::load(&fallback[0]).unwrap();
    assert!(saved.results.iter().any(|r| r.id == ID));
    assert!(!Path::new(&target).exists());
}
