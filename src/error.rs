//! The library's error type: each variant says what failed and how to fix it.

use std::time::Duration;

/// Everything that can go wrong while setting up or running a benchmark.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A CPU was asked for that this process may not run on.
    #[error("CPU {cpu} is not in this process's affinity mask (allowed: {allowed}); pick from those with --cpus")]
    CpuNotAllowed {
        /// The CPU asked for.
        cpu: usize,
        /// The allowed CPUs, as a list like `0-1`.
        allowed: String,
    },
    /// A CPU list did not parse.
    #[error("cannot read CPU list {input:?}: {reason} (write it like `0`, `0,1` or `0-3`)")]
    BadCpuList {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A placement needs more distinct CPUs than were given or allowed.
    #[error("{what} needs {needed} distinct CPUs but only {available} {source_desc}; give more with --cpus, or run on a machine with more CPUs")]
    NotEnoughCpus {
        /// What needed them.
        what: String,
        /// How many it needs.
        needed: usize,
        /// How many there are.
        available: usize,
        /// Where the CPUs came from.
        source_desc: String,
    },
    /// Some other input was refused.
    #[error("{0}")]
    InvalidInput(String),
    /// A peer (child process or thread) ended in the middle of a run.
    #[error("the peer {peer} ended during the run ({how})")]
    PeerDied {
        /// Which peer.
        peer: String,
        /// Exit status or reason.
        how: String,
    },
    /// A peer is alive but made no progress for too long.
    #[error(
        "the peer {peer} made no progress for {waited:?}; is it stopped (SIGSTOP) or starved?"
    )]
    Stalled {
        /// Which peer.
        peer: String,
        /// How long we waited.
        waited: Duration,
    },
    /// The watchdog of a harness ended: its batches were not guarded against a stalled
    /// or dead peer.
    #[error("the watchdog of the {harness} ended ({how}); the id was not guarded: run it again")]
    WatchdogDied {
        /// Which harness.
        harness: String,
        /// Exit status or reason.
        how: String,
    },
    /// A participant did not run on the CPU it was pinned to.
    #[error("{who} runs on CPU {actual} but was pinned to CPU {expected}")]
    WrongCpu {
        /// Which participant.
        who: String,
        /// The CPU it was pinned to.
        expected: usize,
        /// The CPU it reported.
        actual: usize,
    },
    /// An output file could not be written after the run, though its path passed the
    /// checks before it; what it held went to a fallback file where one could be written.
    #[error("could not write {}: {cause}; {}", .path.display(), fallback_note(.fallback.as_deref()))]
    NotSaved {
        /// The path asked for.
        path: std::path::PathBuf,
        /// Why writing it failed.
        cause: String,
        /// Where the contents went instead, if anywhere.
        fallback: Option<std::path::PathBuf>,
    },
    /// A system call failed.
    #[error("{op} failed: {source}")]
    Sys {
        /// What we were doing.
        op: String,
        /// The OS error.
        source: std::io::Error,
    },
}

impl Error {
    /// Wraps an OS error with what we were doing.
    pub fn sys(op: impl Into<String>, source: impl Into<std::io::Error>) -> Self {
        Error::Sys {
            op: op.into(),
            source: source.into(),
        }
    }

    /// True when the error is the user's input (a CLI maps it to exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::CpuNotAllowed { .. }
                | Error::BadCpuList { .. }
                | Error::NotEnoughCpus { .. }
                | Error::InvalidInput(_)
        )
    }
}

/// The second half of [`Error::NotSaved`]'s message: where the contents are now.
fn fallback_note(fallback: Option<&std::path::Path>) -> String {
    match fallback {
        Some(p) => format!(
            "nothing is lost: the same contents were written to {} instead",
            p.display()
        ),
        None => "no fallback file could be written either (temporary directory and current \
                 directory refused it)"
            .to_string(),
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
