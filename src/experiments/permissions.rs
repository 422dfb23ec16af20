//! The permission probe: what the kernel refuses, and to whom. Facts, not timings, kept in the
//! results file's `permissions` section ([`crate::measure::permissions::Permissions`]).
//!
//! Each reader tries each way ([`READ_WAYS`]: `process_vm_readv`, `/proc/PID/mem`,
//! `ptrace` attach + PEEKDATA) on three targets, as the reader sees them: a process of
//! its own user (dumpable), one of its own user that made itself non-dumpable
//! (`prctl(PR_SET_DUMPABLE, 0)`), and one of another user. The targets are children
//! holding a known pattern (so "allowed" means the bytes were read), blocked until the
//! probe ends.
//!
//! - Run as root: two readers. Root itself (CAP_SYS_PTRACE), against root's targets and a
//!   `nobody` one; and a forked child that becomes `nobody` (uid and gid 65534, no
//!   groups), against `nobody`'s targets and a root one.
//! - Run as another user: that user alone, against its own targets and, as the other
//!   user's process, pid 1 where another user owns it (read at an address of ours: a
//!   refusal comes before any address is looked at).
//!
//! A refusal is recorded with its errno, never as a failure of the run; what could not be
//! set up is listed in `not_tried` with the reason.

use std::path::Path;

use nix::unistd::Pid;

use crate::harness::permissions::{probe_as, probe_here, ProbeTarget};
use crate::harness::target::{Identity, Memory, Target};
use crate::measure::permissions::{
    Access, PermissionFact, Permissions, TargetKind, NOBODY, TARGET_KINDS,
};
use crate::spec::READ_WAYS;

/// The seed of the targets' pattern.
const SEED: u64 = 0x6A_4D;

/// Bit of CAP_SYS_PTRACE in a capability mask.
const CAP_SYS_PTRACE: u32 = 19;

/// Yama's `ptrace_scope` under the root `root` (normally `/`), or `None` without Yama.
pub fn yama_scope(root: &Path) -> Option<u32> {
    std::fs::read_to_string(root.join("proc/sys/kernel/yama/ptrace_scope"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Whether a `/proc/PID/status` text shows CAP_SYS_PTRACE among the effective
/// capabilities.
pub fn has_cap_sys_ptrace(status: &str) -> bool {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_SYS_PTRACE) != 0)
}

/// Whether this process holds CAP_SYS_PTRACE.
pub fn privileged() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| has_cap_sys_ptrace(&s))
}

/// The real uid of process `pid` (`Uid:` of its status), if it can be read.
fn uid_of(pid: i32) -> Option<u32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A target child of user `user` (`None`: this process's), dumpable or not.
fn target(user: Option<u32>, dumpable: bool) -> crate::Result<Target> {
    let who = Identity {
        user: user.map(|u| (u, u)),
        dumpable,
    };
    Target::spawn(Memory::private(4096)?, SEED, who, None).map(|(t, _)| t)
}

/// One reader's facts: `codes[i]` are its answers on `targets[i]` (kind, uid).
fn facts(
    reader: (u32, bool),
    targets: &[(TargetKind, u32)],
    codes: &[[i32; 3]],
) -> Vec<PermissionFact> {
    let mut out = Vec::new();
    for (&(target, target_uid), row) in targets.iter().zip(codes) {
        for (&way, &code) in READ_WAYS.iter().zip(row) {
            out.push(PermissionFact {
                reader_uid: reader.0,
                reader_privileged: reader.1,
                target,
                target_uid,
                way,
                access: Access::from_code(code),
            });
        }
    }
    out
}

/// Probes every reader, target and way this process can set up (see the module).
pub fn probe() -> Permissions {
    let mut g = Permissions {
        yama_ptrace_scope: yama_scope(Path::new("/")),
        ..Permissions::default()
    };
    let me = nix::unistd::geteuid().as_raw();
    let result = if me == 0 {
        probe_as_root(&mut g)
    } else {
        probe_as_user(&mut g, me)
    };
    if let Err(e) = result {
        g.not_tried.push(format!("the probe stopped: {e}"));
    }
    g
}

/// Root and `nobody`, each against its own targets and the other's.
fn probe_as_root(g: &mut Permissions) -> crate::Result<()> {
    let root_own = target(None, true)?;
    let root_closed = target(None, false)?;
    let users = (target(Some(NOBODY), true), target(Some(NOBODY), false));
    let (nobody_own, nobody_closed) = match users {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            g.not_tried
                .push(format!("targets of user nobody (uid {NOBODY}): {e}"));
            let kinds = [
                (TargetKind::SameUser, 0),
                (TargetKind::SameUserNotDumpable, 0),
            ];
            let t = [ProbeTarget::of(&root_own), ProbeTarget::of(&root_closed)];
            g.facts
                .extend(facts((0, privileged()), &kinds, &probe_here(&t)));
            return Ok(());
        }
    };
    let kinds = |own: u32, other: u32| {
        [
            (TARGET_KINDS[0], own),
            (TARGET_KINDS[1], own),
            (TARGET_KINDS[2], other),
        ]
    };
    let as_root = [&root_own, &root_closed, &nobody_own].map(ProbeTarget::of);
    g.facts.extend(facts(
        (0, privileged()),
        &kinds(0, NOBODY),
        &probe_here(&as_root),
    ));
    let as_nobody = [&nobody_own, &nobody_closed, &root_own].map(ProbeTarget::of);
    match probe_as(NOBODY, NOBODY, &as_nobody) {
        Ok(codes) => g
            .facts
            .extend(facts((NOBODY, false), &kinds(NOBODY, 0), &codes)),
        Err(e) => g.not_tried.push(format!("the reader nobody: {e}")),
    }
    Ok(())
}

/// This user alone, against its own targets and pid 1 where another user owns it.
fn probe_as_user(g: &mut Permissions, me: u32) -> crate::Result<()> {
    g.not_tried.push(format!(
        "a second reader: this run is {} and only root may become another user",
        crate::measure::permissions::user_name(me)
    ));
    let own = target(None, true)?;
    let closed = target(None, false)?;
    let mut kinds = vec![
        (TargetKind::SameUser, me),
        (TargetKind::SameUserNotDumpable, me),
    ];
    let mut targets = vec![ProbeTarget::of(&own), ProbeTarget::of(&closed)];
    match uid_of(1) {
        Some(uid) if uid != me => {
            kinds.push((TargetKind::OtherUser, uid));
            targets.push(ProbeTarget::at(Pid::from_raw(1), own.addr(), None));
        }
        other => g.not_tried.push(format!(
            "another user's process: pid 1 is {}",
            other.map_or("unreadable".into(), |u| format!("this user's (uid {u})"))
        )),
    }
    g.facts
        .extend(facts((me, privileged()), &kinds, &probe_here(&targets)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::permissions::Access;
    use crate::spec::ReadWay;

    #[test]
    fn capability_and_yama_facts_parse() {
        assert!(has_cap_sys_ptrace("Name:\tx\nCapEff:\t000001ffffffffff\n"));
        assert!(!has_cap_sys_ptrace("CapEff:\t0000000000000000\n"));
        assert!(has_cap_sys_ptrace("CapEff:\t0000000000080000\n"));
        assert!(!has_cap_sys_ptrace("no such line"));
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(yama_scope(dir.path()), None);
        let yama = dir.path().join("proc/sys/kernel/yama");
        std::fs::create_dir_all(&yama).unwrap();
        std::fs::write(yama.join("ptrace_scope"), "1\n").unwrap();
        assert_eq!(yama_scope(dir.path()), Some(1));
    }

    fn answer(g: &Permissions, reader: u32, target: TargetKind, way: ReadWay) -> Access {
        g.facts
            .iter()
            .find(|f| f.reader_uid == reader && f.target == target && f.way == way)
            .unwrap_or_else(|| panic!("no fact for {reader} {target:?} {way:?}: {g:?}"))
            .access
            .clone()
    }

    #[test]
    fn nobody_is_refused_and_root_passes() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!(
                "note: the permission probe's two readers need root; this test ran as another user"
            );
            return;
        }
        let _x = crate::harness::exclusive();
        let kids = crate::harness::children_of_me();
        let g = probe();
        assert!(g.not_tried.is_empty(), "{:?}", g.not_tried);
        assert_eq!(g.facts.len(), 18);
        let refused = |errno: &str| Access::Refused {
            errno: errno.into(),
        };
        // Root passes everything, unless Yama forbids every attach (scope 3).
        for kind in TARGET_KINDS {
            for way in READ_WAYS {
                let a = answer(&g, 0, kind, way);
                match g.yama_ptrace_scope {
                    Some(3) => assert!(a.is_refused(), "root, {kind:?}: {a:?}"),
                    _ => assert_eq!(a, Access::Allowed, "root, {kind:?}"),
                }
            }
        }
        for kind in [TargetKind::SameUserNotDumpable, TargetKind::OtherUser] {
            use ReadWay::*;
            assert_eq!(answer(&g, NOBODY, kind, ProcessVmReadv), refused("EPERM"));
            assert_eq!(answer(&g, NOBODY, kind, ProcMem), refused("EACCES"));
            assert_eq!(answer(&g, NOBODY, kind, PtraceAttach), refused("EPERM"));
        }
        // A dumpable process of one's own user: allowed unless Yama restricts readers to
        // ancestors (the reader is the target's sibling here).
        let own = answer(&g, NOBODY, TargetKind::SameUser, ReadWay::ProcessVmReadv);
        match g.yama_ptrace_scope {
            None | Some(0) => assert_eq!(own, Access::Allowed),
            Some(_) => assert!(own.is_refused(), "{own:?}"),
        }
        crate::harness::assert_children(kids, "a target");
    }
}
