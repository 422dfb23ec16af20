//! The comparisons measured in paired rounds (see [`crate::measure::paired`]): which
//! benchmarks run side by side, round by round.

use std::fmt;

use super::{Access, Mechanism};

/// A set of benchmarks measured side by side in paired rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// One CPU: every same-CPU ping-pong, the floors subtracted from them, the user-space
    /// switches and the null system call, and the control (a second `thread-futex-shared`).
    Switch,
    /// The rings of one mechanism, every size, processes and threads.
    Ring(Mechanism),
    /// The working sets of one access, every size, processes and threads, each with its
    /// ping-pong untouched and its touches alone.
    Workset(Access),
    /// Every register state offered, processes and threads, each with its writes off and
    /// its floors.
    Regs,
    /// The three ways of creating a task.
    Spawn,
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Comparison::Switch => f.write_str("switch"),
            Comparison::Ring(m) => write!(f, "ring/{m}"),
            Comparison::Workset(a) => write!(f, "workset/{}", a.name()),
            Comparison::Regs => f.write_str("regs"),
            Comparison::Spawn => f.write_str("spawn"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Comparison::Switch.to_string(), "switch");
        assert_eq!(Comparison::Ring(Mechanism::Futex).to_string(), "ring/futex");
        assert_eq!(
            Comparison::Workset(Access::PageStride).to_string(),
            "workset/page-stride"
        );
    }
}
