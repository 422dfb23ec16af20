//! A quick or a full run, as results files name it. What each decides (sample sizes,
//! rounds, experiment sizes) is in [`crate::scheduler`].

use serde::{Deserialize, Serialize};

/// A quick or a full run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// About half a second per benchmark, fewer working-set sizes.
    Quick,
    /// About three seconds per benchmark, every size.
    Full,
}

impl Mode {
    /// `Quick` when `quick` is set.
    pub fn from_quick(quick: bool) -> Self {
        if quick {
            Mode::Quick
        } else {
            Mode::Full
        }
    }

    /// Its name in results files: `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
