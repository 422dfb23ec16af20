//! CPU lists, the affinity mask, and pinning.
//!
//! CPUs always come from this process's affinity mask (`sched_getaffinity`): a CPU outside
//! it is refused before anything forks, with the allowed list in the message.

use nix::sched::{sched_getaffinity, sched_getcpu, sched_setaffinity, CpuSet};
use nix::unistd::Pid;

use crate::error::{Error, Result};

/// Parses a CPU list as the kernel prints them: `0`, `0,1`, `0-3`, `0-3,8,10-11`.
///
/// Order is kept and duplicates are refused: `--cpus 1,0` puts the first participant on
/// CPU 1.
pub fn parse_cpu_list(input: &str) -> Result<Vec<usize>> {
    let bad = |reason: &str| Error::BadCpuList {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    let mut cpus = Vec::new();
    for part in trimmed.split(',') {
        let part = part.trim();
        let num = |s: &str| -> Result<usize> {
            s.trim()
                .parse::<usize>()
                .map_err(|_| bad(&format!("{s:?} is not a CPU number")))
        };
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (num(a)?, num(b)?);
                if a > b {
                    return Err(bad(&format!("range {part} runs backwards")));
                }
                if b - a > 4096 {
                    return Err(bad(&format!("range {part} is too large")));
                }
                cpus.extend(a..=b);
            }
            None => cpus.push(num(part)?),
        }
    }
    for (i, c) in cpus.iter().enumerate() {
        if cpus[..i].contains(c) {
            return Err(bad(&format!("CPU {c} is listed twice")));
        }
    }
    Ok(cpus)
}

/// Formats CPUs compactly, with ranges: `[0, 1, 2, 5]` gives `0-2,5`.
pub fn format_cpu_list(cpus: &[usize]) -> String {
    let mut sorted = cpus.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(",")
}

/// The CPUs this process may run on, ascending.
pub fn allowed_cpus() -> Result<Vec<usize>> {
    let set =
        sched_getaffinity(Pid::from_raw(0)).map_err(|e| Error::sys("sched_getaffinity", e))?;
    Ok((0..CpuSet::count())
        .filter(|&c| set.is_set(c).unwrap_or(false))
        .collect())
}

/// Checks that every CPU in `wanted` is in `allowed`.
pub fn check_allowed(wanted: &[usize], allowed: &[usize]) -> Result<()> {
    match wanted.iter().find(|c| !allowed.contains(c)) {
        Some(&cpu) => Err(Error::CpuNotAllowed {
            cpu,
            allowed: format_cpu_list(allowed),
        }),
        None => Ok(()),
    }
}

/// The CPUs the harnesses use: the first for same-CPU runs, the first two for cross-CPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuChoice {
    /// The CPUs, in the order given (or the allowed ones, ascending).
    pub cpus: Vec<usize>,
    /// Where they came from, for messages ("given with --cpus", "allowed").
    pub origin: &'static str,
}

impl CpuChoice {
    /// Validates `requested` against the affinity mask, or takes the allowed CPUs.
    pub fn resolve(requested: Option<&[usize]>) -> Result<Self> {
        let allowed = allowed_cpus()?;
        Self::resolve_with(requested, &allowed)
    }

    /// [`CpuChoice::resolve`] against a given allowed list (for tests).
    pub fn resolve_with(requested: Option<&[usize]>, allowed: &[usize]) -> Result<Self> {
        match requested {
            Some(req) => {
                if req.is_empty() {
                    return Err(Error::BadCpuList {
                        input: String::new(),
                        reason: "it is empty".into(),
                    });
                }
                check_allowed(req, allowed)?;
                Ok(Self {
                    cpus: req.to_vec(),
                    origin: "given with --cpus",
                })
            }
            None if allowed.is_empty() => Err(Error::InvalidInput(
                "this process's affinity mask is empty".into(),
            )),
            None => Ok(Self {
                cpus: allowed.to_vec(),
                origin: "allowed to this process",
            }),
        }
    }

    /// The CPU for same-CPU runs.
    pub fn first(&self) -> usize {
        self.cpus[0]
    }

    /// The first `n` distinct CPUs, or an error naming what needed them.
    pub fn take(&self, n: usize, what: &str) -> Result<Vec<usize>> {
        if self.cpus.len() < n {
            return Err(Error::NotEnoughCpus {
                what: what.to_string(),
                needed: n,
                available: self.cpus.len(),
                source_desc: format!("are {}", self.origin),
            });
        }
        Ok(self.cpus[..n].to_vec())
    }
}

fn set_of(cpus: &[usize]) -> Result<CpuSet> {
    let mut set = CpuSet::new();
    for &c in cpus {
        set.set(c)
            .map_err(|e| Error::sys(format!("CPU {c} in a CPU set"), e))?;
    }
    Ok(set)
}

/// Pins the calling thread to `cpu` and checks that it now runs there.
pub fn pin_current_thread(cpu: usize) -> Result<()> {
    sched_setaffinity(Pid::from_raw(0), &set_of(&[cpu])?)
        .map_err(|e| Error::sys(format!("pinning to CPU {cpu} (sched_setaffinity)"), e))?;
    let actual = current_cpu()?;
    if actual != cpu {
        return Err(Error::WrongCpu {
            who: "this thread".into(),
            expected: cpu,
            actual,
        });
    }
    Ok(())
}

/// Pins the calling thread to `cpu` and returns the CPU it then runs on, without
/// allocating: safe to call in a forked child. Errors are raw errno values.
pub fn pin_raw(cpu: usize) -> std::result::Result<usize, i32> {
    let mut set = CpuSet::new();
    set.set(cpu).map_err(|e| e as i32)?;
    sched_setaffinity(Pid::from_raw(0), &set).map_err(|e| e as i32)?;
    sched_getcpu().map_err(|e| e as i32)
}

/// The CPU the calling thread runs on now.
pub fn current_cpu() -> Result<usize> {
    sched_getcpu().map_err(|e| Error::sys("sched_getcpu", e))
}

/// Restores the calling thread's affinity mask when dropped.
///
/// Harnesses pin the thread that drives them; this guard gives the thread its mask back
/// afterwards, so a criterion run or a test thread is not left pinned.
pub struct AffinityGuard {
    saved: CpuSet,
}

impl AffinityGuard {
    /// Saves the calling thread's current mask.
    pub fn save() -> Result<Self> {
        let saved =
            sched_getaffinity(Pid::from_raw(0)).map_err(|e| Error::sys("sched_getaffinity", e))?;
        Ok(Self { saved })
    }

    /// The CPUs of the saved mask, ascending.
    pub fn cpus(&self) -> Vec<usize> {
        (0..CpuSet::count())
            .filter(|&c| self.saved.is_set(c).unwrap_or(false))
            .collect()
    }
}

/// Moves the calling thread onto the CPUs of `allowed` that are not in `avoid`, when any
/// remain (a helper thread, kept off the CPUs being measured); otherwise leaves it.
pub fn avoid_cpus(allowed: &[usize], avoid: &[usize]) {
    let rest: Vec<usize> = allowed
        .iter()
        .copied()
        .filter(|c| !avoid.contains(c))
        .collect();
    if let Ok(set) = set_of(&rest) {
        if !rest.is_empty() {
            let _ = sched_setaffinity(Pid::from_raw(0), &set);
        }
    }
}

impl Drop for AffinityGuard {
    fn drop(&mut self) {
        let _ = sched_setaffinity(Pid::from_raw(0), &self.saved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_cpus_agree_with_core_affinity() {
        // An independent reading of the same mask, through another crate.
        let theirs: Vec<usize> = core_affinity::get_core_ids()
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(allowed_cpus().unwrap(), theirs);
    }

    #[test]
    fn parses_lists_and_ranges() {
        assert_eq!(parse_cpu_list("0").unwrap(), vec![0]);
        assert_eq!(parse_cpu_list("1,0").unwrap(), vec![1, 0]);
        assert_eq!(parse_cpu_list(" 0-3,8 ").unwrap(), vec![0, 1, 2, 3, 8]);
    }

    #[test]
    fn refuses_bad_lists() {
        for bad in ["", "abc", "1-", "3-1", "0,0", "-1", "1,,2"] {
            let e = parse_cpu_list(bad).unwrap_err();
            assert!(matches!(e, Error::BadCpuList { .. }), "{bad}: {e}");
            assert!(e.is_usage());
        }
    }

    #[test]
    fn formats_ranges() {
        assert_eq!(format_cpu_list(&[0, 1, 2, 5]), "0-2,5");
        assert_eq!(format_cpu_list(&[3]), "3");
        assert_eq!(format_cpu_list(&[]), "");
    }

    #[test]
    fn refuses_cpu_outside_mask_with_allowed_list() {
        let e = CpuChoice::resolve_with(Some(&[99]), &[0, 1]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("CPU 99") && msg.contains("allowed: 0-1"),
            "{msg}"
        );
    }

    #[test]
    fn cross_cpu_needs_two() {
        let c = CpuChoice::resolve_with(Some(&[1]), &[0, 1]).unwrap();
        assert_eq!(c.first(), 1);
        let e = c.take(2, "cross-cpu").unwrap_err();
        assert!(e.to_string().contains("needs 2 distinct CPUs"), "{e}");
        let c = CpuChoice::resolve_with(None, &[0, 1]).unwrap();
        assert_eq!(c.take(2, "x").unwrap(), vec![0, 1]);
    }
}
