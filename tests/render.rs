//! The comparison page in a real browser: Debian's headless Chromium parses it, logs no
//! console message, and keeps every chart. Skips (with a note) where /usr/bin/chromium is
//! not installed; `apt-get install chromium` enables it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs headless Chromium on `page` with `args`, returning (stdout, stderr); kills it
/// after a minute.
fn chromium(page: &Path, profile: &Path, args: &[&str]) -> (String, String) {
    let out_dir = profile.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::fs::File::create(out_dir.join("stdout")).unwrap())
        .stderr(std::fs::File::create(out_dir.join("stderr")).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (
        std::fs::read_to_string(out_dir.join("stdout")).unwrap_or_default(),
        std::fs::read_to_string(out_dir.join("stderr")).unwrap_or_default(),
    )
}

/// Copies the fixtures into `dir`, giving every process ring a full-flush count (none up
/// to 4 processes, one at every switch from 8), its size and its time per switch, so the
/// page has a cliff to draw.
fn fixtures_with_flushes(dir: &Path) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/results");
    let out = dir.join("fixtures");
    std::fs::create_dir_all(&out).unwrap();
    for name in ["machine-a.json", "machine-b.json"] {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(src.join(name)).unwrap()).unwrap();
        for o in v["results"].as_array_mut().unwrap() {
            let id = o["id"].as_str().unwrap().to_string();
            if !id.starts_with("ring/process-") {
                continue;
            }
            let n: f64 = id.rsplit('/').next().unwrap().parse().unwrap();
            let f = if n >= 8.0 { 1.0 } else { 0.0 };
            // As results files of this version have them: the size and ns per switch.
            o["parameter"] = serde_json::json!(n as u64);
            o["ns_per_switch"] =
                serde_json::json!(o["ns_per_round_trip"]["median"].as_f64().unwrap() / n);
            o["counters"]["tlb:tlb_flush:full"] = serde_json::json!({
                "per_round_trip": f * n, "per_switch": f, "total": f * n * 1000.0,
                "multiplexed": false
            });
        }
        std::fs::write(out.join(name), serde_json::to_vec(&v).unwrap()).unwrap();
    }
    out
}

/// The part of `dom` from the element with `id` to the end of its section or the next
/// `<h3>` heading, whichever comes first.
fn part<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let rest = &dom[start..];
    let end = ["</section>", "<h3"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn report_renders_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        // CI installs it (.ci/run), so there a missing browser is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "{CHROMIUM} is missing under CI: .ci/run must install Debian's chromium"
        );
        common::note(&format!(
            "report_renders_in_headless_chromium skipped: {CHROMIUM} is not installed"
        ));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let fixtures = fixtures_with_flushes(dir.path());
    let status = Command::new(env!("CARGO_BIN_EXE_ctxbench"))
        .arg("compare")
        .arg(&fixtures)
        .arg("-o")
        .arg(&report)
        .status()
        .unwrap();
    assert!(status.success());
    let source = std::fs::read_to_string(&report).unwrap();

    // The detector sees a console message when there is one.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><script>console.error('control')</script></body></html>",
    )
    .unwrap();
    let (_, err) = chromium(&control, &dir.path().join("p1"), &["--dump-dom"]);
    assert_eq!(console_lines(&err).len(), 1, "control page: {err}");

    let (dom, err) = chromium(&report, &dir.path().join("p2"), &["--dump-dom"]);
    assert!(console_lines(&err).is_empty(), "console output: {err}");
    assert!(dom.contains("</html>"), "a whole document: {dom:.300}");
    assert_eq!(
        dom.matches("<svg").count(),
        source.matches("<svg").count(),
        "every chart survives parsing"
    );
    assert_eq!(
        dom.matches("<polyline").count(),
        source.matches("<polyline").count()
    );
    assert!(dom.contains("&lt;script&gt;alert"));

    // The summary comes first: the headline figures, then the claims matrix.
    let summary = part(&dom, "summary");
    assert!(summary.contains(r#"class="summary""#), "the headline table");
    assert!(dom.find(r#"id="summary""#) < dom.find(r#"id="machines""#));
    for row in [
        "Switch on one CPU",
        "Address-space switch",
        "Full TLB flushes start at",
        "One full flush costs",
        "Cross-CPU round trip",
        "Creation",
        "Cache refill after a switch",
    ] {
        assert!(
            summary.contains(row),
            "{row} in the summary: {summary:.2000}"
        );
    }
    assert!(summary.contains("n = 8"), "the cliff in the headline");
    let summary = &dom[dom.find(r#"id="summary""#).unwrap()..dom.find(r#"id="findings""#).unwrap()];
    let claims = &summary[summary
        .find(r#"class="claims""#)
        .expect("the claims matrix")..];
    assert!(claims.contains("1. A process switch costs more than a thread switch"));
    assert!(claims.contains("2. Missing fields are shown as a dash"));
    assert!(claims.contains("not judged"), "machine-b judged no claim");

    // The ring chart: per switch, one per run, flushes as bars, the cliff marked.
    let ring = part(&dom, "ring-charts");
    assert_eq!(ring.matches("<svg").count(), 2, "{ring:.3000}");
    assert!(ring.contains("ns per switch"));
    assert!(
        ring.matches("<polyline").count() >= 4,
        "process and thread lines"
    );
    assert_eq!(ring.matches("full flushes from n = 8").count(), 2);
    assert!(ring.contains("full TLB flushes per process switch"));

    let shot = dir.path().join("shot.png");
    chromium(
        &report,
        &dir.path().join("p3"),
        &[
            "--window-size=1200,2000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
}
