use super::*;
use crate::spec::REG_STATES;

/// A machine with AVX-512 and AMX, everything enabled (Sapphire Rapids sizes).
fn full() -> Facts {
    let mut sizes = [0u32; 19];
    for (c, s) in [(2, 256), (5, 64), (6, 512), (7, 1024), (17, 64), (18, 8192)] {
        sizes[c] = s;
    }
    Facts {
        max_leaf: 0x20,
        leaf1_ecx: (1 << 28) | (1 << 27),
        leaf7_ebx: 1 << 16,
        leaf7_edx: 1 << 24,
        xcr0: Some(0x602e7),
        sizes,
        palette: Some(TILES),
    }
}

#[test]
fn every_state_of_a_full_machine_is_offered_with_its_bytes() {
    let f = full();
    for s in REG_STATES {
        assert_eq!(f.check(s), Ok(()), "{s:?}");
    }
    let bytes: Vec<u32> = REG_STATES.iter().map(|&s| f.bytes(s)).collect();
    assert_eq!(bytes, [0, 256, 512, 256 + 256 + 64 + 512 + 1024, 64 + 8192]);
}

#[test]
fn each_missing_piece_is_refused_with_its_reason() {
    let refused = |f: Facts, s: RegState, says: &str| {
        let e = f.check(s).unwrap_err();
        assert!(e.contains(says), "{s:?}: {e}");
    };
    let f = Facts {
        leaf7_edx: 0,
        ..full()
    };
    refused(
        f,
        RegState::Amx,
        "the CPU has no AMX (CPUID.(EAX=7,ECX=0):EDX bit 24",
    );
    assert_eq!(f.check(RegState::Avx512), Ok(()));
    let f = Facts {
        leaf7_ebx: 0,
        ..full()
    };
    refused(f, RegState::Avx512, "no AVX-512");
    let f = Facts {
        leaf1_ecx: 1 << 27,
        ..full()
    };
    refused(f, RegState::Avx, "no AVX (CPUID.1:ECX bit 28");
    let f = Facts {
        xcr0: None,
        ..full()
    };
    refused(f, RegState::Avx, "has not enabled XSAVE");
    assert_eq!(f.check(RegState::Sse), Ok(()), "FXSAVE keeps SSE");
    // A kernel that enabled AVX-512 but not the tiles.
    let f = Facts {
        xcr0: Some(0xe7),
        ..full()
    };
    refused(
        f,
        RegState::Amx,
        "not enabled the amx state (XCR0 = 0xe7 lacks 0x60000)",
    );
    refused(
        Facts {
            max_leaf: 6,
            ..full()
        },
        RegState::Avx512,
        "no AVX-512",
    );
    let small = TilePalette { rows: 8, ..TILES };
    refused(
        Facts {
            palette: Some(small),
            ..full()
        },
        RegState::Amx,
        "8 rows",
    );
    refused(
        Facts {
            palette: None,
            ..full()
        },
        RegState::Amx,
        "no tile palette",
    );
}

/// What this machine offers, each refusal printed (an AMD EPYC has no AMX).
fn here() -> Vec<Live> {
    REG_STATES
        .iter()
        .filter_map(|&s| match offered(s) {
            Ok(l) => Some(l),
            Err(why) => {
                eprintln!("{}: not offered here: {why}", s.name());
                None
            }
        })
        .collect()
}

#[test]
fn offers_agree_with_the_kernels_cpu_flags() {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap();
    let flags: Vec<&str> = info
        .lines()
        .find(|l| l.starts_with("flags"))
        .unwrap()
        .split_whitespace()
        .collect();
    let f = facts();
    for (s, flag) in [
        (RegState::Avx, "avx"),
        (RegState::Avx512, "avx512f"),
        (RegState::Amx, "amx_tile"),
    ] {
        assert_eq!(f.check(s).is_ok(), flags.contains(&flag), "{s:?}: {f:?}");
    }
    for l in here() {
        assert!(l.bytes() >= live_mask(l.state()).count_ones() * 64 || l.bytes() == 0);
    }
}

#[test]
fn the_writes_make_their_state_live_and_release_returns_it() {
    let Some(before) = xinuse() else {
        eprintln!("skipped: this CPU does not report XINUSE (CPUID.(EAX=0xD,ECX=1):EAX bit 2)");
        return;
    };
    eprintln!("XINUSE before any write: {before:#x}");
    for l in here() {
        let want = live_mask(l.state());
        l.write();
        let after = xinuse().unwrap();
        assert_eq!(after & want, want, "{:?}: XINUSE {after:#x}", l.state());
        l.release();
        let left = xinuse().unwrap() & (VECTOR | want);
        assert_eq!(left, 0, "{:?}: XINUSE {left:#x} after release", l.state());
    }
}

#[test]
fn a_forked_child_with_live_state_exits_cleanly() {
    let offered = here();
    if !offered.iter().any(|l| l.state() == RegState::Amx) {
        eprintln!("amx: the forked-child check runs for the states above only");
    }
    for l in offered {
        // SAFETY: the child writes registers and reads XINUSE: no allocation, lock or
        // free.
        let pid = unsafe {
            crate::sys::fork_child(&[], move || {
                l.write();
                let want = live_mask(l.state());
                match xinuse() {
                    Some(x) if x & want != want => 3,
                    _ => 0,
                }
            })
        }
        .unwrap();
        let status = nix::sys::wait::waitpid(pid, None).unwrap();
        assert_eq!(
            status,
            nix::sys::wait::WaitStatus::Exited(pid, 0),
            "{:?}",
            l.state()
        );
    }
}
