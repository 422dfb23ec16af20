//! The x86-64 half of [`super`]: CPUID, XCR0 and XINUSE, the AMX grant, and the
//! assembly that writes and releases each register state. Every `unsafe` block here says
//! why it is sound; the functions the assembly defines follow the C ABI.

use std::arch::{asm, global_asm};
use std::sync::atomic::{AtomicU8, Ordering};

use super::{bit, Facts, TilePalette, TILES, XTILEDATA};
use crate::spec::RegState;

/// One state's writes: takes [`SOURCE`].
pub(super) type WriteFn = unsafe extern "C" fn(*const u8);

/// What the writes load: the tile configuration (palette 1, tiles 0-7 of 16 rows of 64
/// bytes) in the first 64 bytes, then 8 KiB of non-zero bytes (every register written
/// from them is non-zero, so no component can look initial).
#[repr(C, align(64))]
pub(super) struct Source(pub(super) [u8; 64 + 8192]);

pub(super) static SOURCE: Source = Source(source_bytes());

const fn source_bytes() -> [u8; 64 + 8192] {
    let mut b = [0u8; 64 + 8192];
    b[0] = 1; // palette 1; start_row and the reserved bytes stay 0
    let mut t = 0;
    while t < TILES.tiles as usize {
        b[16 + 2 * t] = TILES.bytes_per_row as u8; // colsb[t], little-endian u16
        b[48 + t] = TILES.rows as u8; // rows[t]
        t += 1;
    }
    let mut i = 64;
    while i < b.len() {
        b[i] = ((i * 7) % 251) as u8 | 1;
        i += 1;
    }
    b
}

// The writes, one function per state, each `extern "C" fn(src)`: registers are loaded
// from `src + 64` onwards (the AMX configuration from `src`). Nothing but loads into the
// state's own registers, then `ret`; no `vzeroupper`.
global_asm!(
    ".pushsection .text.ctxbench_xstate,\"ax\",@progbits",
    ".p2align 4",
    ".globl ctxbench_xstate_write_none",
    ".hidden ctxbench_xstate_write_none",
    "ctxbench_xstate_write_none:",
    "ret",
    ".p2align 4",
    ".globl ctxbench_xstate_write_sse",
    ".hidden ctxbench_xstate_write_sse",
    "ctxbench_xstate_write_sse:",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
    "movdqu xmm\\n, xmmword ptr [rdi + 64 + 16 * \\n]",
    ".endr",
    "ret",
    ".p2align 4",
    ".globl ctxbench_xstate_write_avx",
    ".hidden ctxbench_xstate_write_avx",
    "ctxbench_xstate_write_avx:",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
    "vmovdqu ymm\\n, ymmword ptr [rdi + 64 + 32 * \\n]",
    ".endr",
    "ret",
    ".p2align 4",
    ".globl ctxbench_xstate_write_avx512",
    ".hidden ctxbench_xstate_write_avx512",
    "ctxbench_xstate_write_avx512:",
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    "vmovdqu64 zmm\\n, zmmword ptr [rdi + 64 + 64 * \\n]",
    ".endr",
    ".irp n, 0,1,2,3,4,5,6,7",
    "kmovw k\\n, word ptr [rdi + 64 + 2 * \\n]",
    ".endr",
    "ret",
    ".p2align 4",
    ".globl ctxbench_xstate_write_amx",
    ".hidden ctxbench_xstate_write_amx",
    "ctxbench_xstate_write_amx:",
    "ldtilecfg [rdi]",
    "mov eax, 64",
    ".irp n, 0,1,2,3,4,5,6,7",
    "tileloadd tmm\\n, [rdi + rax + 64 + 1024 * \\n]",
    ".endr",
    "ret",
    // release(mask): XRSTOR (standard form) from a 64-byte aligned area on the stack
    // whose header is all zero, so every requested component (EDX:EAX = mask) is set to
    // its initial configuration; the legacy area is read only for MXCSR, which holds the
    // value just stored less its exception flags (bits 0-5, sticky: one inexact division
    // sets one for good, and a set flag keeps the SSE component in use).
    ".p2align 4",
    ".globl ctxbench_xstate_release",
    ".hidden ctxbench_xstate_release",
    "ctxbench_xstate_release:",
    "push rbp",
    "mov rbp, rsp",
    "sub rsp, 640",
    "and rsp, -64",
    "xor eax, eax",
    ".irp off, 512,520,528,536,544,552,560,568",
    "mov qword ptr [rsp + \\off], rax",
    ".endr",
    "stmxcsr dword ptr [rsp + 24]",
    "and dword ptr [rsp + 24], 0xffffffc0",
    "mov rax, rdi",
    "mov rdx, rdi",
    "shr rdx, 32",
    "xrstor64 [rsp]",
    "mov rsp, rbp",
    "pop rbp",
    "ret",
    ".popsection",
);

extern "C" {
    fn ctxbench_xstate_write_none(src: *const u8);
    fn ctxbench_xstate_write_sse(src: *const u8);
    fn ctxbench_xstate_write_avx(src: *const u8);
    fn ctxbench_xstate_write_avx512(src: *const u8);
    fn ctxbench_xstate_write_amx(src: *const u8);
    pub(super) fn ctxbench_xstate_release(mask: u64);
}

/// The writes of `state`.
pub(super) fn writer(state: RegState) -> WriteFn {
    match state {
        RegState::None => ctxbench_xstate_write_none,
        RegState::Sse => ctxbench_xstate_write_sse,
        RegState::Avx => ctxbench_xstate_write_avx,
        RegState::Avx512 => ctxbench_xstate_write_avx512,
        RegState::Amx => ctxbench_xstate_write_amx,
    }
}

/// CPUID leaf `leaf`, sub-leaf `sub`: `[eax, ebx, ecx, edx]`.
fn cpuid(leaf: u32, sub: u32) -> [u32; 4] {
    // SAFETY: every x86-64 CPU has CPUID, which reads no memory (newer Rust versions
    // declare it safe, hence the allow).
    #[allow(unused_unsafe)]
    let r = unsafe { std::arch::x86_64::__cpuid_count(leaf, sub) };
    [r.eax, r.ebx, r.ecx, r.edx]
}

/// `xgetbv` of register `ecx`.
///
/// # Safety
///
/// The CPU must have it for `ecx`: OSXSAVE set for 0, and also
/// CPUID.(EAX=0xD,ECX=1):EAX bit 2 for 1 (else it raises #UD).
unsafe fn xgetbv(ecx: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: our caller vouches that the CPU has it; it reads no memory.
    unsafe {
        asm!("xgetbv", in("ecx") ecx, out("eax") lo, out("edx") hi,
             options(nomem, nostack, preserves_flags))
    };
    (u64::from(hi) << 32) | u64::from(lo)
}

const OSXSAVE: u32 = 1 << 27;

/// This machine's CPUID and XCR0.
pub(super) fn read_facts() -> Facts {
    let max_leaf = cpuid(0, 0)[0];
    let leaf1_ecx = cpuid(1, 0)[2];
    let (leaf7_ebx, leaf7_edx) = if max_leaf >= 7 {
        let r = cpuid(7, 0);
        (r[1], r[3])
    } else {
        (0, 0)
    };
    // SAFETY: OSXSAVE says the kernel enabled XSAVE, so `xgetbv(0)` exists.
    let xcr0 = (leaf1_ecx & OSXSAVE != 0).then(|| unsafe { xgetbv(0) });
    let mut sizes = [0u32; 19];
    if max_leaf >= 0xD {
        for (c, size) in sizes.iter_mut().enumerate().skip(2) {
            *size = cpuid(0xD, c as u32)[0];
        }
    }
    let palette = (max_leaf >= 0x1D && cpuid(0x1D, 0)[0] >= 1).then(|| {
        let r = cpuid(0x1D, 1);
        TilePalette {
            tiles: r[1] >> 16,
            bytes_per_row: r[1] & 0xFFFF,
            rows: r[2] & 0xFFFF,
        }
    });
    Facts {
        max_leaf,
        leaf1_ecx,
        leaf7_ebx,
        leaf7_edx,
        xcr0,
        sizes,
        palette,
    }
}

/// Whether `xgetbv(1)` exists: 0 not yet known, 1 yes, 2 no. Kept so that reading
/// XINUSE runs no CPUID (whose results Rust moves through xmm registers, which would
/// make the SSE component live just before it is read).
static HAS_XINUSE: AtomicU8 = AtomicU8::new(0);

/// XINUSE, where the CPU reports it. Allocation-free.
pub(super) fn xinuse() -> Option<u64> {
    if HAS_XINUSE.load(Ordering::Relaxed) == 0 {
        let max_leaf = cpuid(0, 0)[0];
        let has = cpuid(1, 0)[2] & OSXSAVE != 0 && max_leaf >= 0xD && cpuid(0xD, 1)[0] & 4 != 0;
        HAS_XINUSE.store(if has { 1 } else { 2 }, Ordering::Relaxed);
    }
    // SAFETY: OSXSAVE and CPUID.(EAX=0xD,ECX=1):EAX bit 2 say `xgetbv(1)` exists.
    (HAS_XINUSE.load(Ordering::Relaxed) == 1).then(|| unsafe { xgetbv(1) })
}

const ARCH_GET_XCOMP_SUPP: libc::c_int = 0x1021;
const ARCH_REQ_XCOMP_PERM: libc::c_int = 0x1023;

/// `arch_prctl(code, arg)`.
fn arch_prctl(code: libc::c_int, arg: libc::c_ulong) -> Result<(), nix::errno::Errno> {
    // SAFETY: the two codes used here take an integer, or (ARCH_GET_XCOMP_SUPP) the
    // address of a u64 the caller owns, and touch no other memory.
    let rc = unsafe { libc::syscall(libc::SYS_arch_prctl, code, arg) };
    if rc < 0 {
        Err(nix::errno::Errno::last())
    } else {
        Ok(())
    }
}

/// Asks the kernel for the AMX tile data for this process (Linux 5.16 and later keep it
/// off until a process asks); the reason, with the errno, when it refuses.
pub(super) fn request_amx() -> Result<(), String> {
    let mut supported: u64 = 0;
    arch_prctl(
        ARCH_GET_XCOMP_SUPP,
        &mut supported as *mut u64 as libc::c_ulong,
    )
    .map_err(|e| {
        format!(
            "the kernel does not offer AMX to programs (arch_prctl ARCH_GET_XCOMP_SUPP: \
             {e}; Linux 5.16 or later does)"
        )
    })?;
    if supported & bit(XTILEDATA) == 0 {
        return Err(format!(
            "the kernel does not offer the AMX tile data to programs (ARCH_GET_XCOMP_SUPP = \
             {supported:#x})"
        ));
    }
    arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA.into()).map_err(|e| {
        let why = if e == nix::errno::Errno::ENOSPC {
            ": a signal stack of this process is too small for the tile state"
        } else {
            ""
        };
        format!("the kernel refused AMX to this process (arch_prctl ARCH_REQ_XCOMP_PERM: {e}{why})")
    })
}
