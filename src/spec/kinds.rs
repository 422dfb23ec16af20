//! The named kinds of the experiments beyond the ping-pong: which floor, which creation,
//! which way a working set is touched, which user-space switch, which way another process's
//! memory is read. Their ids are built and parsed in [`super::id`].

use super::{Mechanism, Participants};

/// One floor: a mechanism's own cost, without a switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloorKind {
    /// `getppid`: a null system call (glibc does not cache it).
    Getppid,
    /// Write one byte into a pipe and read it back, in one task.
    Pipe,
    /// `FUTEX_WAKE` (private) on a word nobody waits on, then a `FUTEX_WAIT` on it that
    /// finds the word changed and returns at once: the two calls each side of
    /// `thread-futex` makes, without the sleep.
    Futex,
    /// The same with the shared operations (`process-futex`, `thread-futex-shared`): the
    /// wait computes the shared key through the memory map, as a sleeping one does.
    FutexShared,
    /// Lock, set, unlock and `notify_one` a `std` condvar nobody waits on, then lock and
    /// check again: each side of the condvar ping-pong without the wait.
    CondvarNotify,
    /// Write 1 to an eventfd and read it back (the read finds data): what each side of
    /// the eventfd ping-pong does besides switching.
    Eventfd,
}

/// Every floor, in report order.
pub const FLOORS: [FloorKind; 6] = [
    FloorKind::Getppid,
    FloorKind::Pipe,
    FloorKind::Futex,
    FloorKind::FutexShared,
    FloorKind::CondvarNotify,
    FloorKind::Eventfd,
];

impl FloorKind {
    /// The floor that applies to a ping-pong of `p` over `m`: what each side does per round
    /// trip besides switching (processes and `thread-futex-shared` use the shared futex
    /// operations, `thread-futex` the private ones).
    pub fn for_pingpong(p: Participants, m: Mechanism) -> FloorKind {
        match (p, m) {
            (_, Mechanism::Pipe) => FloorKind::Pipe,
            (Participants::Process, Mechanism::Futex) | (_, Mechanism::FutexShared) => {
                FloorKind::FutexShared
            }
            (Participants::Thread, Mechanism::Futex) => FloorKind::Futex,
            (_, Mechanism::Condvar) => FloorKind::CondvarNotify,
            (_, Mechanism::Eventfd) => FloorKind::Eventfd,
        }
    }

    /// Its name in the id.
    pub fn name(self) -> &'static str {
        match self {
            FloorKind::Getppid => "getppid",
            FloorKind::Pipe => "pipe",
            FloorKind::Futex => "futex",
            FloorKind::FutexShared => "futex-shared",
            FloorKind::CondvarNotify => "condvar-notify",
            FloorKind::Eventfd => "eventfd",
        }
    }
}

/// What gets created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpawnKind {
    /// fork + `_exit` + waitpid.
    Fork,
    /// posix_spawn of `/bin/true` + waitpid.
    PosixSpawn,
    /// Thread spawn + join.
    Thread,
}

/// Every spawn benchmark, in report order.
pub const SPAWNS: [SpawnKind; 3] = [SpawnKind::Fork, SpawnKind::PosixSpawn, SpawnKind::Thread];

impl SpawnKind {
    /// Its name in the id.
    pub fn name(self) -> &'static str {
        match self {
            SpawnKind::Fork => "fork",
            SpawnKind::PosixSpawn => "posix-spawn",
            SpawnKind::Thread => "thread",
        }
    }
}

/// How a side touches its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Read one byte per cache line.
    Read,
    /// Read and write back one byte per cache line (dirty lines must be written back).
    Write,
    /// Read one byte per 4 KiB page: TLB reach without much cache footprint.
    PageStride,
}

/// Every access variant, in report order.
pub const ACCESSES: [Access; 3] = [Access::Read, Access::Write, Access::PageStride];

impl Access {
    /// Its name in ids and outcomes.
    pub fn name(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::PageStride => "page-stride",
        }
    }
}

/// Which register state each side of a `regs/...` ping-pong makes live before every
/// hand-over, so the kernel must save and restore it across the switch (its XSAVE
/// components; the bytes come from CPUID leaf 0xD on the machine at hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegState {
    /// No writes: the same ping-pong with nothing written (Rust's own code still uses
    /// xmm registers, so the SSE component is usually live here too).
    None,
    /// `xmm0`-`xmm15` (the SSE component).
    Sse,
    /// `ymm0`-`ymm15` (SSE and AVX components).
    Avx,
    /// `zmm0`-`zmm31` and `k0`-`k7` (SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM).
    Avx512,
    /// The eight AMX tiles, `tmm0`-`tmm7`, and their configuration (XTILECFG and
    /// XTILEDATA: 8 KiB of tile data).
    Amx,
}

/// Every register state, in report order (by the state each adds).
pub const REG_STATES: [RegState; 5] = [
    RegState::None,
    RegState::Sse,
    RegState::Avx,
    RegState::Avx512,
    RegState::Amx,
];

impl RegState {
    /// Its name in ids and outcomes.
    pub fn name(self) -> &'static str {
        match self {
            RegState::None => "none",
            RegState::Sse => "sse",
            RegState::Avx => "avx",
            RegState::Avx512 => "avx512",
            RegState::Amx => "amx",
        }
    }
}

/// How two contexts on one thread hand control to each other without the kernel's
/// scheduler: a user-space switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UswitchKind {
    /// A stackful coroutine of the `corosensei` crate, resumed and yielding back: a few
    /// registers and the stack pointer swapped, no system call.
    Corosensei,
    /// glibc `swapcontext` between two contexts made with `makecontext`: the same switch
    /// plus an `rt_sigprocmask` system call each time (glibc saves and restores the
    /// signal mask).
    Swapcontext,
}

/// Every user-space switch, in report order.
pub const USWITCHES: [UswitchKind; 2] = [UswitchKind::Corosensei, UswitchKind::Swapcontext];

impl UswitchKind {
    /// Its name in the id.
    pub fn name(self) -> &'static str {
        match self {
            UswitchKind::Corosensei => "corosensei",
            UswitchKind::Swapcontext => "swapcontext",
        }
    }
}

/// How one process reads another's private memory (`cross/<way>/<size>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CrossWay {
    /// `memcpy` from a `MAP_SHARED` mapping both processes hold: what the usual IPC
    /// rests on; no system call once the mapping exists.
    SharedMapping,
    /// One `process_vm_readv` call per read.
    ProcessVmReadv,
    /// One `pread` of `/proc/PID/mem` per read (the file opened once).
    ProcMem,
    /// `ptrace(PTRACE_PEEKDATA)` while attached, one 8-byte word per call.
    PtracePeek,
}

/// Every way of reading, in report order (cheapest expected first).
pub const CROSS_WAYS: [CrossWay; 4] = [
    CrossWay::SharedMapping,
    CrossWay::ProcessVmReadv,
    CrossWay::ProcMem,
    CrossWay::PtracePeek,
];

/// The sizes every way reads: 4 KiB, 64 KiB and 1 MiB.
pub const CROSS_SIZES: [u64; 3] = [4 << 10, 64 << 10, 1 << 20];

impl CrossWay {
    /// Its name in the id.
    pub fn name(self) -> &'static str {
        match self {
            CrossWay::SharedMapping => "shared-mapping",
            CrossWay::ProcessVmReadv => "process-vm-readv",
            CrossWay::ProcMem => "proc-mem",
            CrossWay::PtracePeek => "ptrace-peek",
        }
    }

    /// What it is called in prose and tables.
    pub fn label(self) -> &'static str {
        match self {
            CrossWay::SharedMapping => "shared mapping",
            CrossWay::ProcessVmReadv => "process_vm_readv",
            CrossWay::ProcMem => "/proc/PID/mem",
            CrossWay::PtracePeek => "PTRACE_PEEKDATA",
        }
    }

    /// Whether the kernel's access check (the one `ptrace` applies) stands between the
    /// reader and the memory: every way but the shared mapping.
    pub fn checked_by_kernel(self) -> bool {
        self != CrossWay::SharedMapping
    }
}

/// A way one process may try to get at another's memory that the kernel checks first:
/// what the permission probe (who may read whom) tries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ReadWay {
    /// `process_vm_readv` of 4 KiB.
    ProcessVmReadv,
    /// `open` of `/proc/PID/mem`, then a `pread` of 4 KiB.
    ProcMem,
    /// `PTRACE_SEIZE` (+ `PTRACE_INTERRUPT`), then one `PTRACE_PEEKDATA`.
    PtraceAttach,
}

/// Every way the permission probe tries, in report order.
pub const READ_WAYS: [ReadWay; 3] = [
    ReadWay::ProcessVmReadv,
    ReadWay::ProcMem,
    ReadWay::PtraceAttach,
];

impl ReadWay {
    /// What it is called in tables.
    pub fn label(self) -> &'static str {
        match self {
            ReadWay::ProcessVmReadv => "process_vm_readv",
            ReadWay::ProcMem => "/proc/PID/mem",
            ReadWay::PtraceAttach => "ptrace attach",
        }
    }
}

/// How the topology sweep hands control from one CPU to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Handover {
    /// Two threads wake each other with a private futex: the kernel's cross-CPU wake-up
    /// (the `thread-futex` ping-pong, pinned to the pair).
    Futex,
    /// Two threads spin on one cache line and pass it with compare-exchange: no kernel,
    /// the floor that cache coherence alone costs.
    CacheLine,
}

/// Both hand-overs, in report order.
pub const HANDOVERS: [Handover; 2] = [Handover::Futex, Handover::CacheLine];

impl Handover {
    /// Its name in ids: `futex` or `cacheline`.
    pub fn name(self) -> &'static str {
        match self {
            Handover::Futex => "futex",
            Handover::CacheLine => "cacheline",
        }
    }
}

/// The scheduling policy a harness's participants ran under, where it sets one (see
/// `harness::policy`); results files hold the kernel's name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Policy {
    /// `SCHED_FIFO`: a task runs until it blocks, so a hand-over is exactly one switch.
    #[serde(rename = "SCHED_FIFO")]
    Fifo,
    /// `SCHED_BATCH`: the default class, without wake-up preemption.
    #[serde(rename = "SCHED_BATCH")]
    Batch,
    /// `SCHED_OTHER`: the default.
    #[serde(rename = "SCHED_OTHER")]
    Other,
    /// A policy none of the above.
    #[serde(rename = "another policy")]
    Another,
}

impl Policy {
    /// The kernel's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Fifo => "SCHED_FIFO",
            Policy::Batch => "SCHED_BATCH",
            Policy::Other => "SCHED_OTHER",
            Policy::Another => "another policy",
        }
    }
}
