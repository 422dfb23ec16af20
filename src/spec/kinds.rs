//! The named kinds of the experiments beyond the ping-pong: which floor, which creation,
//! which way a working set is touched. Their ids are built and parsed in [`super::id`].

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
