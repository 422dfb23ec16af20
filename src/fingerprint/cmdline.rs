//! The kernel command line, reduced to what changes switch costs.
//!
//! `/proc/cmdline` holds the boot image, the root device and its UUID, consoles, and on
//! some machines the arguments handed to init: nothing a reader of a results file needs,
//! and some of it not meant to be shared. A results file keeps only the parameters in
//! [`SWITCH_PARAMS`] (with their values) and says how many words it left out;
//! `ctxbench run --full-cmdline` keeps the whole line.
//!
//! ```
//! use ctxbench::fingerprint::cmdline::switch_relevant;
//! let (kept, dropped) = switch_relevant("BOOT_IMAGE=/vmlinuz root=UUID=12ab ro mitigations=off nohz_full=1");
//! assert_eq!((kept.as_str(), dropped), ("mitigations=off nohz_full=1", 3));
//! ```

use std::path::Path;

use super::read_trim;

/// How much of the kernel command line a fingerprint keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CmdlineDetail {
    /// Only the parameters in [`SWITCH_PARAMS`], with a count of the words left out.
    #[default]
    SwitchRelevant,
    /// The whole line, as `/proc/cmdline` has it.
    Full,
}

/// The kernel parameters kept in a results file: those that change what a switch, a
/// wake-up or a system call costs. Names are compared as the kernel compares them, with
/// `-` and `_` alike; a parameter is kept with its value.
pub const SWITCH_PARAMS: &[&str] = &[
    // Speculation mitigations and page-table isolation: work on every kernel entry and
    // exit, and on every switch of address space.
    "mitigations",
    "pti",
    "nopti",
    "kpti",
    "nopcid",
    "noinvpcid",
    "nospectre_v1",
    "nospectre_v2",
    "spectre_v2",
    "spectre_v2_user",
    "spectre_bhi",
    "nospectre_bhb",
    "spec_store_bypass_disable",
    "nospec_store_bypass_disable",
    "ssbd",
    "retbleed",
    "spec_rstack_overflow",
    "l1tf",
    "l1d_flush",
    "mds",
    "tsx",
    "tsx_async_abort",
    "mmio_stale_data",
    "srbds",
    "gather_data_sampling",
    "reg_file_data_sampling",
    "indirect_target_selection",
    "tsa",
    "vmscape",
    "ibt",
    "nosmt",
    "randomize_kstack_offset",
    // CPU features a switch saves, restores or relies on.
    "clearcpuid",
    "noxsave",
    "noxsaveopt",
    "noxsaves",
    "nofsgsbase",
    // Isolation, ticks and callbacks: what else runs on the measured CPUs.
    "isolcpus",
    "nohz",
    "nohz_full",
    "rcu_nocbs",
    "rcu_nocb_poll",
    "irqaffinity",
    "kthread_cpus",
    "skew_tick",
    "nosoftlockup",
    "nowatchdog",
    "nmi_watchdog",
    "nosmp",
    "maxcpus",
    "nr_cpus",
    // Preemption and scheduler accounting on the switch path.
    "preempt",
    "threadirqs",
    "psi",
    "audit",
    "numa_balancing",
    "transparent_hugepage",
    // Idle states and frequency: how long a sleeping CPU takes to wake.
    "idle",
    "cpuidle.off",
    "cpuidle.governor",
    "intel_idle.max_cstate",
    "intel_idle.states_off",
    "processor.max_cstate",
    "intel_pstate",
    "amd_pstate",
    "cpufreq.default_governor",
    "cpuidle_haltpoll.force",
    "haltpoll.guest_halt_poll_ns",
    "haltpoll.guest_halt_poll_shrink",
    "haltpoll.guest_halt_poll_grow",
    "haltpoll.guest_halt_poll_grow_start",
    "haltpoll.guest_halt_poll_allow_shrink",
    // Clocks: what reading the time costs, and how timers fire.
    "clocksource",
    "tsc",
    "highres",
];

/// The parameter name of one command-line word: the text before the first `=`.
pub fn param_name(word: &str) -> &str {
    word.split_once('=').map_or(word, |(name, _)| name)
}

/// True when `name` is one of [`SWITCH_PARAMS`] (`-` and `_` count as the same).
pub fn is_switch_param(name: &str) -> bool {
    let same = |a: &str, b: &str| {
        a.len() == b.len()
            && a.bytes()
                .zip(b.bytes())
                .all(|(x, y)| x == y || (matches!(x, b'-' | b'_') && matches!(y, b'-' | b'_')))
    };
    SWITCH_PARAMS.iter().any(|p| same(p, name))
}

/// The words of a command line as the kernel splits it: at spaces, except inside double
/// quotes (`param="a b"` is one word).
pub fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => {
                quoted = !quoted;
                start.get_or_insert(i);
            }
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

/// The parameters of `line` that are in [`SWITCH_PARAMS`], in their order and joined by
/// spaces, and how many words were left out. Everything after a bare `--` is handed to
/// init, not the kernel, and is left out.
pub fn switch_relevant(line: &str) -> (String, usize) {
    let all = words(line);
    let params = all.iter().position(|w| *w == "--").unwrap_or(all.len());
    let kept: Vec<&str> = all[..params]
        .iter()
        .copied()
        .filter(|w| is_switch_param(param_name(w)))
        .collect();
    (kept.join(" "), all.len() - kept.len())
}

impl super::Fingerprint {
    /// `/proc/cmdline`, whole or reduced to the parameters that change switch costs.
    pub(super) fn read_cmdline(&mut self, proc_: &Path, detail: CmdlineDetail) {
        let Some(line) = read_trim(&proc_.join("cmdline")) else {
            return;
        };
        match detail {
            CmdlineDetail::Full => self.kernel_cmdline = line,
            CmdlineDetail::SwitchRelevant => {
                let (kept, dropped) = switch_relevant(&line);
                self.kernel_cmdline = kept;
                self.kernel_cmdline_dropped = Some(dropped);
            }
        }
    }

    /// The kernel command line for people: the parameters, and how many words were left
    /// out where some were.
    pub fn cmdline_summary(&self) -> String {
        let line = if self.kernel_cmdline.is_empty() {
            "no parameter that changes switch costs"
        } else {
            &self.kernel_cmdline
        };
        match self.kernel_cmdline_dropped {
            Some(n) if n > 0 => format!(
                "{line} ({n} other word{} left out)",
                if n == 1 { "" } else { "s" }
            ),
            _ => line.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_of_this_vm_keeps_mitigations_idle_and_psi() {
        let line = "mitigations=auto,no_guest_host,no_guest_guest console=ttyS0 quiet reboot=k \
            panic=1 nomodule random.trust_cpu=1 swiotlb=noforce psi=1 nvproxy.enable=1 \
            page_reporting.page_reporting_order=11 deferred_init=lazy nested_pvm=1 \
            cpuidle_haltpoll.force=1 haltpoll.guest_halt_poll_ns=0 sched_vcpu_pack=15 \
            rdinit=/process_api -- --firecracker-init --addr 0.0.0.0:2024 --auth-required";
        let (kept, dropped) = switch_relevant(line);
        assert_eq!(
            kept,
            "mitigations=auto,no_guest_host,no_guest_guest psi=1 cpuidle_haltpoll.force=1 \
             haltpoll.guest_halt_poll_ns=0"
        );
        assert_eq!(dropped, words(line).len() - 4);
    }

    #[test]
    fn boot_image_root_and_uuids_go_and_switches_stay() {
        let (kept, dropped) = switch_relevant(
            "BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=UUID=1234-abcd ro quiet splash \
             mitigations=auto isolcpus=1-3 nohz_full=1-3 rcu_nocbs=1-3 intel_idle.max_cstate=1 \
             processor.max_cstate=1 idle=poll nopti spectre_v2=off retbleed=off \
             initrd=/initrd.img cryptdevice=UUID=99:root",
        );
        assert_eq!(
            kept,
            "mitigations=auto isolcpus=1-3 nohz_full=1-3 rcu_nocbs=1-3 intel_idle.max_cstate=1 \
             processor.max_cstate=1 idle=poll nopti spectre_v2=off retbleed=off"
        );
        assert_eq!(dropped, 7);
    }

    #[test]
    fn names_compare_as_the_kernel_compares_them() {
        assert!(is_switch_param("nohz-full"));
        assert!(is_switch_param("spectre-v2-user"));
        assert!(is_switch_param("intel-idle.max-cstate"));
        assert!(!is_switch_param("nohz_full_"));
        assert!(!is_switch_param("Mitigations"));
        assert!(!is_switch_param("root"));
        assert_eq!(param_name("nosmt"), "nosmt");
        assert_eq!(param_name("nosmt=force"), "nosmt");
        assert_eq!(param_name("a=b=c"), "a");
    }

    #[test]
    fn quotes_keep_spaces_and_empty_lines_keep_nothing() {
        assert_eq!(
            words(r#"a "b c"=1 d="e f"  g "#),
            vec!["a", r#""b c"=1"#, r#"d="e f""#, "g"]
        );
        let (kept, dropped) = switch_relevant(r#"acpi_osi="Windows 2020" preempt=full"#);
        assert_eq!((kept.as_str(), dropped), ("preempt=full", 1));
        assert_eq!(switch_relevant(""), (String::new(), 0));
        assert_eq!(switch_relevant("-- mitigations=off"), (String::new(), 2));
    }
}
