//! Register state the kernel saves and restores across a switch: which XSAVE components
//! this CPU and kernel offer, their sizes (CPUID leaf 0xD), the instructions that make a
//! state live, the instruction that returns it to its initial configuration, and XINUSE
//! (`xgetbv(1)`), the CPU's own record of which components are in use.
//!
//! The kernel saves a task's registers with `XSAVES` when it switches away from it, and
//! `XSAVES` skips every component whose XINUSE bit is clear (the *init optimisation*).
//! So a state costs something at a switch only while it is live; the `regs/...`
//! ping-pongs write it before every hand-over to keep it so.
//!
//! A [`Live`] is the proof that a state may be written: only [`offered`] makes one, once
//! CPUID says the CPU has the instructions, XCR0 says the kernel enabled the state, and,
//! for AMX, the kernel granted this process the tile data (`ARCH_REQ_XCOMP_PERM`; a
//! forked child inherits the grant). The instructions are assembly functions of their
//! own (`global_asm!`), called through the C ABI: the compiler sees only a call that may
//! change the caller-saved registers (every vector, opmask and tile register is one), and
//! inserts no `vzeroupper` after it that would quietly return AVX state to its initial
//! configuration before the switch.
//!
//! x86-64 only: elsewhere every state is refused with the reason.
// Elsewhere the checks and masks go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

use crate::spec::RegState;

/// XSAVE component numbers (Intel SDM vol. 1, 13.1) and their XINUSE / XCR0 bits.
pub mod component {
    /// `xmm0`-`xmm15` and MXCSR, in the legacy area.
    pub const SSE: u32 = 1;
    /// The upper halves of `ymm0`-`ymm15` (YMM_Hi128).
    pub const AVX: u32 = 2;
    /// `k0`-`k7`.
    pub const OPMASK: u32 = 5;
    /// The upper halves of `zmm0`-`zmm15` (ZMM_Hi256).
    pub const ZMM_HI256: u32 = 6;
    /// `zmm16`-`zmm31` (Hi16_ZMM).
    pub const HI16_ZMM: u32 = 7;
    /// The tile configuration (XTILECFG).
    pub const XTILECFG: u32 = 17;
    /// The eight tiles (XTILEDATA).
    pub const XTILEDATA: u32 = 18;
}
use component::*;

/// Bytes of the SSE component that a switch must keep: `xmm0`-`xmm15`, 16 bytes each (in
/// the XSAVE legacy area at offset 160; CPUID does not size components 0 and 1).
pub const SSE_BYTES: u32 = 256;

const fn bit(c: u32) -> u64 {
    1 << c
}

/// The components the writes of `state` make live, as XINUSE bits.
pub const fn live_mask(state: RegState) -> u64 {
    match state {
        RegState::None => 0,
        RegState::Sse => bit(SSE),
        RegState::Avx => bit(SSE) | bit(AVX),
        RegState::Avx512 => bit(SSE) | bit(AVX) | bit(OPMASK) | bit(ZMM_HI256) | bit(HI16_ZMM),
        RegState::Amx => bit(XTILECFG) | bit(XTILEDATA),
    }
}

/// Every vector component (SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM): what
/// [`Live::release`] returns to the initial configuration. Ordinary code makes some of
/// them live: glibc's string functions use `zmm16`-`zmm31` and `k` registers where the
/// CPU has AVX-512, so a thread that has called `memcpy` has Hi16_ZMM and opmask state
/// in use.
const VECTOR: u64 = bit(SSE) | bit(AVX) | bit(OPMASK) | bit(ZMM_HI256) | bit(HI16_ZMM);

/// What [`Live::release`] of `state` initialises, of the components `xcr0` enables:
/// every vector component, and the tiles for AMX (only a process granted them may touch
/// them). Nothing where the kernel did not enable XSAVE.
const fn release_mask(state: RegState, xcr0: Option<u64>) -> u64 {
    let tiles = match state {
        RegState::Amx => bit(XTILECFG) | bit(XTILEDATA),
        _ => 0,
    };
    match xcr0 {
        Some(x) => (VECTOR | tiles) & x,
        None => 0,
    }
}

/// Tile palette 1 as CPUID leaf 0x1D sub-leaf 1 describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TilePalette {
    /// Tiles (`max_names`).
    pub tiles: u32,
    /// Bytes per tile row.
    pub bytes_per_row: u32,
    /// Rows per tile.
    pub rows: u32,
}

/// The tiles the AMX writes load: `tmm0`-`tmm7`, 16 rows of 64 bytes each.
const TILES: TilePalette = TilePalette {
    tiles: 8,
    bytes_per_row: 64,
    rows: 16,
};

/// What CPUID and XCR0 say about the register state, read once ([`Facts::read`]) and
/// judged by [`Facts::check`] (pure, so tests can feed other machines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The highest basic CPUID leaf.
    pub max_leaf: u32,
    /// CPUID.1:ECX (AVX is bit 28, OSXSAVE bit 27).
    pub leaf1_ecx: u32,
    /// CPUID.(EAX=7,ECX=0):EBX (AVX512F is bit 16).
    pub leaf7_ebx: u32,
    /// CPUID.(EAX=7,ECX=0):EDX (AMX-TILE is bit 24).
    pub leaf7_edx: u32,
    /// XCR0, the components the kernel enabled; `None` when it did not enable XSAVE.
    pub xcr0: Option<u64>,
    /// Bytes of each component from 2 to 18 (CPUID.(EAX=0xD,ECX=i):EAX), by number.
    pub sizes: [u32; 19],
    /// Tile palette 1, where CPUID describes one.
    pub palette: Option<TilePalette>,
}

impl Facts {
    /// Bytes of register state the writes of `state` make live: the sum of its
    /// components' sizes (SSE: [`SSE_BYTES`]).
    pub fn bytes(&self, state: RegState) -> u32 {
        (1..19)
            .filter(|&c| live_mask(state) & bit(c) != 0)
            .map(|c| {
                if c == SSE {
                    SSE_BYTES
                } else {
                    self.sizes[c as usize]
                }
            })
            .sum()
    }

    /// Whether the CPU has `state`'s instructions and the kernel enabled its components;
    /// the reason, naming the CPUID bit or the XCR0 value, when not. AMX also needs the
    /// kernel's grant, which [`offered`] asks for.
    pub fn check(&self, state: RegState) -> Result<(), String> {
        let leaf7 = |reg: u32, b: u32| self.max_leaf >= 7 && reg & (1 << b) != 0;
        let has = match state {
            RegState::None | RegState::Sse => true,
            RegState::Avx => self.leaf1_ecx & (1 << 28) != 0,
            RegState::Avx512 => leaf7(self.leaf7_ebx, 16),
            RegState::Amx => leaf7(self.leaf7_edx, 24),
        };
        if !has {
            return Err(match state {
                RegState::Avx => "the CPU has no AVX (CPUID.1:ECX bit 28 is 0)",
                RegState::Avx512 => {
                    "the CPU has no AVX-512 (CPUID.(EAX=7,ECX=0):EBX bit 16, AVX512F, is 0)"
                }
                _ => "the CPU has no AMX (CPUID.(EAX=7,ECX=0):EDX bit 24, AMX-TILE, is 0)",
            }
            .into());
        }
        let need = live_mask(state);
        if need == 0 {
            return Ok(());
        }
        let Some(xcr0) = self.xcr0 else {
            if state == RegState::Sse {
                return Ok(()); // saved with FXSAVE where the kernel does not use XSAVE
            }
            return Err(
                "the kernel has not enabled XSAVE (CPUID.1:ECX bit 27, OSXSAVE, is 0)".into(),
            );
        };
        if xcr0 & need != need {
            return Err(format!(
                "the kernel has not enabled the {} state (XCR0 = {xcr0:#x} lacks {:#x})",
                state.name(),
                need & !xcr0
            ));
        }
        if state == RegState::Amx {
            match self.palette {
                Some(p)
                    if p.tiles >= TILES.tiles
                        && p.rows >= TILES.rows
                        && p.bytes_per_row >= TILES.bytes_per_row => {}
                Some(p) => {
                    return Err(format!(
                        "tile palette 1 ({} tiles of {} rows of {} bytes) is smaller than the \
                         8 tiles of 16 rows of 64 bytes the writes load",
                        p.tiles, p.rows, p.bytes_per_row
                    ))
                }
                None => return Err("CPUID leaf 0x1D describes no tile palette 1".into()),
            }
        }
        Ok(())
    }
}

/// A register state this process may write: see the module. Copy it freely (into a
/// forked child too: the grant it stands for is inherited).
#[derive(Debug, Clone, Copy)]
pub struct Live {
    state: RegState,
    bytes: u32,
    release: u64,
    #[cfg(target_arch = "x86_64")]
    write: x86::WriteFn,
}

impl Live {
    /// Which state.
    pub fn state(&self) -> RegState {
        self.state
    }

    /// Bytes of register state the writes make live (CPUID leaf 0xD).
    pub fn bytes(&self) -> u32 {
        self.bytes
    }

    /// Writes every register of the state with non-zero values, so each of its
    /// components is live: `xmm0`-`xmm15` (legacy SSE encoding, which leaves the upper
    /// halves alone), `ymm0`-`ymm15`, `zmm0`-`zmm31` and `k0`-`k7`, or the tile
    /// configuration and `tmm0`-`tmm7`. `None` calls a function that returns at once, so
    /// every state makes the same call. Allocation-free.
    #[inline]
    pub fn write(&self) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: only `offered` makes a `Live`, after checking that the CPU has the
        // instructions, the kernel enabled their state (and, for AMX, granted it); the
        // function reads its static source (64 + 8192 bytes) and changes only registers
        // the C ABI lets a callee change (vector, opmask and tile registers).
        unsafe {
            (self.write)(x86::SOURCE.0.as_ptr())
        }
    }

    /// Returns every vector register (and, for AMX, the tiles) of this thread to its
    /// initial configuration (`XRSTOR` with their components requested and absent from
    /// the header), so XINUSE clears and a switch no longer saves them, whatever wrote
    /// them (this state's writes, or glibc). MXCSR keeps its control bits; its exception
    /// flags, which only record that some earlier operation was inexact (no Rust code
    /// reads them) and keep the SSE component in use while set, are cleared.
    /// Allocation-free.
    pub fn release(&self) {
        #[cfg(target_arch = "x86_64")]
        if self.release != 0 {
            // SAFETY: the kernel enabled XSAVE and every component of the mask (`offered`
            // read XCR0; tiles only once the kernel granted them); `XRSTOR` initialises
            // those components, changes only caller-saved registers, and reloads MXCSR
            // with the control bits it had (only the sticky exception flags are cleared;
            // the compiler assumes nothing about them).
            unsafe { x86::ctxbench_xstate_release(self.release) }
        }
    }
}

/// Whether this CPU and kernel offer `state`, with the proof to write it; else the reason.
/// Asking for AMX requests the tile data for this process (`ARCH_REQ_XCOMP_PERM`), once
/// and for good, as a program that uses tiles must.
pub fn offered(state: RegState) -> Result<Live, String> {
    #[cfg(target_arch = "x86_64")]
    {
        let facts = x86::read_facts();
        facts.check(state)?;
        if state == RegState::Amx {
            x86::request_amx()?;
        }
        Ok(Live {
            state,
            bytes: facts.bytes(state),
            release: release_mask(state, facts.xcr0),
            write: x86::writer(state),
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    Err(format!(
        "register state per switch is measured on x86-64 only (XSAVE components); this \
         is {}",
        std::env::consts::ARCH
    ))
}

/// XINUSE (`xgetbv` with ECX = 1): which components are not in their initial
/// configuration right now, on this thread; `None` where the CPU cannot say
/// (CPUID.(EAX=0xD,ECX=1):EAX bit 2 is 0). Allocation-free.
pub fn xinuse() -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    return x86::xinuse();
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// This machine's facts (CPUID and XCR0); all zero off x86-64.
#[cfg(test)]
pub fn facts() -> Facts {
    #[cfg(target_arch = "x86_64")]
    return x86::read_facts();
    #[cfg(not(target_arch = "x86_64"))]
    Facts::default()
}

#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(test)]
mod tests;
