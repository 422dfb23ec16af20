//! What a run says while it runs. On a terminal: one progress line, redrawn in place,
//! with the count, the time so far and the time left, and the id running. Anywhere else
//! (a pipe, a file, a CI log): `started <id>` once the id's harness is set up and its
//! measuring starts, and one line per id as it ends, with the same count and times. The
//! `started` line is stable: a script (or a test) that waits for it knows the id is under
//! way, its peers forked and its batches running.
//!
//! The line is redrawn only between benchmarks, never by a timer: a drawing thread would
//! wake on the CPUs being measured.

use std::time::{Duration, Instant};

use ctxbench::measure::Outcome;
use ctxbench::scheduler::Step;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Reports the steps of one run to stderr.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    started: Instant,
    current: String,
    describe: fn(&Outcome) -> String,
}

impl Progress {
    /// Progress over `total` benchmarks; `describe` says what an outcome was (after the
    /// id, in the line of a finished benchmark). A progress line when stderr is a
    /// terminal (and `TERM` is not `dumb`), lines otherwise.
    pub fn new(total: usize, describe: fn(&Outcome) -> String) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let bar = (!bar.is_hidden() && total > 0).then(|| {
            bar.set_style(style());
            bar
        });
        Self {
            bar,
            total,
            done: 0,
            started: Instant::now(),
            current: String::new(),
            describe,
        }
    }

    /// Whether it prints `started <id>` lines (see [`Progress::started`]): when it prints
    /// plain lines, not a progress line.
    pub fn says_started(&self) -> bool {
        self.bar.is_none()
    }

    /// The line for benchmark `id` whose harness is up: `started <id>`.
    pub fn started(id: &str) {
        eprintln!("started {id}");
    }

    /// Takes one step of the scheduler's loop.
    pub fn on(&mut self, step: Step<'_>) {
        match step {
            Step::Start { index, id, .. } => {
                self.current = id.to_string();
                if let Some(bar) = &self.bar {
                    bar.set_message(id.to_string());
                    bar.set_position(index as u64);
                }
            }
            Step::Done(o) => {
                let text = (self.describe)(o);
                let note = (!o.valid).then(|| format!("{}: {text}: {}", o.id, o.validity));
                self.finished(&o.id.to_string(), &text, note);
            }
            Step::Failed(e) => {
                let text = format!("failed: {e}");
                let id = self.current.clone();
                let note = Some(format!("{id}: {text}"));
                self.finished(&id, &text, note);
            }
        }
    }

    /// One benchmark ended: a line (not a terminal), or `note` printed above the
    /// progress line (a terminal).
    fn finished(&mut self, id: &str, text: &str, note: Option<String>) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                // The count moves on when the next id starts (or the line is cleared).
                if let Some(note) = note {
                    bar.println(note);
                }
            }
            None => eprintln!(
                "[{}/{}] {id}: {text}; {}",
                self.done,
                self.total,
                times(self.done, self.total, self.started.elapsed())
            ),
        }
    }

    /// Clears the progress line and says how long the run took.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.total > 0 {
            eprintln!(
                "ran {} id{} in {}",
                self.done,
                if self.done == 1 { "" } else { "s" },
                clock(self.started.elapsed())
            );
        }
    }
}

/// The progress line: `[=====>      ] 12/45 1m 02s elapsed, about 4m 10s left  <id>`.
fn style() -> ProgressStyle {
    ProgressStyle::with_template("[{bar:24}] {pos}/{len} {times}  {wide_msg}")
        .expect("the progress template is valid")
        .progress_chars("=> ")
        .with_key("times", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let total = s.len().unwrap_or(0) as usize;
            let _ = w.write_str(&times(s.pos() as usize, total, s.elapsed()));
        })
}

/// `1m 02s elapsed, about 4m 10s left`: the time left is the mean time per benchmark so
/// far times the number still to run (unknown until one has ended).
pub fn times(done: usize, total: usize, elapsed: Duration) -> String {
    let left = if done == 0 {
        "time left unknown".to_string()
    } else if done >= total {
        "none left".to_string()
    } else {
        let per = elapsed.as_secs_f64() / done as f64;
        format!(
            "about {} left",
            clock(Duration::from_secs_f64(per * (total - done) as f64))
        )
    };
    format!("{} elapsed, {left}", clock(elapsed))
}

/// `45s`, `1m 02s`, `1h 05m`: whole seconds, rounded.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs_f64().round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_a_person_says_them() {
        assert_eq!(clock(Duration::from_millis(400)), "0s");
        assert_eq!(clock(Duration::from_secs(59)), "59s");
        assert_eq!(clock(Duration::from_secs(62)), "1m 02s");
        assert_eq!(clock(Duration::from_secs(3 * 3600 + 5 * 60 + 7)), "3h 05m");
        assert_eq!(
            times(0, 45, Duration::from_secs(3)),
            "3s elapsed, time left unknown"
        );
        assert_eq!(
            times(10, 40, Duration::from_secs(20)),
            "20s elapsed, about 1m 00s left"
        );
        assert_eq!(times(4, 4, Duration::from_secs(9)), "9s elapsed, none left");
    }
}
