//! Two execution contexts on one thread, switched by glibc's `swapcontext`: a user-space
//! switch that still enters the kernel once per switch (glibc saves and restores the
//! signal mask with `rt_sigprocmask`).
//!
//! [`ContextPair`] owns a second stack and the two `ucontext_t`s. The second context runs
//! [`entry`], which switches straight back each time it is resumed and never returns
//! (unless a switch back fails: it then returns to `uc_link`, the caller's context, and
//! says so).

use std::cell::Cell;
use std::io;
use std::ptr::{self, NonNull};

/// Bytes of the second context's stack, its guard page not counted. [`entry`] uses a few
/// hundred; the rest is room for a signal handler that runs while that context is current.
const STACK_BYTES: usize = 256 << 10;

/// Both saved contexts. They live in one heap allocation that never moves: glibc's
/// `getcontext` and `swapcontext` store a pointer into the `ucontext_t` itself (the
/// floating-point state), so a context must stay where it was saved.
struct Contexts {
    /// The caller's context, saved by every [`ContextPair::resume`].
    main: libc::ucontext_t,
    /// The second context, saved each time it switches back.
    other: libc::ucontext_t,
    /// Set by the second context when its switch back failed and it returned instead.
    failed: bool,
}

thread_local! {
    /// The contexts of the second context about to start on this thread, handed from
    /// [`ContextPair::new`] to [`entry`]: `makecontext` passes only `int` arguments,
    /// which cannot carry a pointer portably.
    static STARTING: Cell<*mut Contexts> = const { Cell::new(ptr::null_mut()) };
}

/// The second context's body: switch back to the caller every time it is resumed.
///
/// It owns nothing that needs dropping (a raw pointer), so its stack may be freed while
/// it is suspended. It never returns while switches succeed; if one fails it records the
/// failure and returns, and glibc then resumes `uc_link`, the caller's context saved by
/// the resume that switched here.
extern "C" fn entry() {
    let c = STARTING
        .try_with(|s| s.replace(ptr::null_mut()))
        .unwrap_or(ptr::null_mut());
    if c.is_null() {
        // Not started by `ContextPair::new` (cannot happen): go back through uc_link.
        return;
    }
    loop {
        // SAFETY: `c` points at the live `Contexts` of the pair that started this context
        // (it frees them only after this context is suspended for good); both contexts
        // are initialised, `main` by the resume that switched here. Only raw pointers are
        // used, so no reference aliases the caller's.
        let rc =
            unsafe { libc::swapcontext(ptr::addr_of_mut!((*c).other), ptr::addr_of!((*c).main)) };
        if rc != 0 {
            // SAFETY: as above; the caller reads `failed` only after it is resumed.
            unsafe { (*c).failed = true };
            return;
        }
    }
}

/// The caller's context and a second one on a stack of its own, on one thread: each
/// [`ContextPair::resume`] switches to the second context, which switches straight back.
/// A round trip is two `swapcontext` calls, each one `rt_sigprocmask` system call.
///
/// Not `Send`: the contexts belong to the thread that made them.
pub struct ContextPair {
    /// From `Box::into_raw`, freed in `drop`.
    contexts: NonNull<Contexts>,
    /// The mapping: a guard page, then the stack.
    map: NonNull<u8>,
    map_len: usize,
    /// The second context has returned (a switch back failed): it cannot be resumed.
    ended: bool,
}

fn page_size() -> usize {
    // SAFETY: sysconf only reads a configuration value.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(4096)
}

impl ContextPair {
    /// Maps the second context's stack (with a guard page below it), makes the context,
    /// and starts it once (it switches straight back).
    pub fn new() -> io::Result<Self> {
        let page = page_size();
        let map_len = STACK_BYTES + page;
        let map = super::map_anonymous(map_len, libc::MAP_PRIVATE)?;
        // SAFETY: `ucontext_t` is plain data (integers, arrays, raw pointers), for which
        // all zeroes is a valid value.
        let blank: libc::ucontext_t = unsafe { std::mem::zeroed() };
        let contexts = Box::new(Contexts {
            main: blank,
            other: blank,
            failed: false,
        });
        // The pair owns the mapping and the contexts from here on: dropping it on an
        // error frees both.
        let mut pair = ContextPair {
            contexts: NonNull::from(Box::leak(contexts)),
            map,
            map_len,
            ended: false,
        };
        // SAFETY: the first page lies inside the mapping just made; nothing uses it.
        if unsafe { libc::mprotect(map.as_ptr().cast(), page, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let c = pair.contexts.as_ptr();
        // SAFETY: `c` is the live, never-moving allocation above; `other` is written by
        // getcontext, then given the stack (inside the mapping, past the guard page, kept
        // until drop) and the caller's context as its link, and made to run `entry`,
        // which takes no arguments (argc 0). `entry` never returns while switches work,
        // and when it does, glibc resumes `uc_link`, a context saved by then.
        unsafe {
            if libc::getcontext(ptr::addr_of_mut!((*c).other)) != 0 {
                return Err(io::Error::last_os_error());
            }
            (*c).other.uc_stack.ss_sp = map.as_ptr().add(page).cast();
            (*c).other.uc_stack.ss_size = STACK_BYTES;
            (*c).other.uc_stack.ss_flags = 0;
            (*c).other.uc_link = ptr::addr_of_mut!((*c).main);
            libc::makecontext(ptr::addr_of_mut!((*c).other), entry, 0);
        }
        STARTING.with(|s| s.set(c));
        let started = pair.resume();
        STARTING.with(|s| s.set(ptr::null_mut()));
        started.map(|()| pair)
    }

    /// Switches to the second context and back: two `swapcontext` calls.
    #[inline]
    pub fn resume(&mut self) -> io::Result<()> {
        if self.ended {
            return Err(io::Error::other(
                "the second context ended after a failed switch",
            ));
        }
        let c = self.contexts.as_ptr();
        // SAFETY: both contexts live in the allocation `c` points at until drop; `other`
        // was made by `new` and is suspended (or about to start) on a stack that is still
        // mapped; `main` is saved here before the switch. Raw pointers only: the second
        // context uses the same allocation through its own copy of `c`.
        let rc =
            unsafe { libc::swapcontext(ptr::addr_of_mut!((*c).main), ptr::addr_of!((*c).other)) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: as above; the second context is suspended (or has returned) now.
        if unsafe { (*c).failed } {
            self.ended = true;
            return Err(io::Error::other(
                "the second context's swapcontext back failed",
            ));
        }
        Ok(())
    }
}

impl Drop for ContextPair {
    fn drop(&mut self) {
        // SAFETY: the second context never started (an error in `new`), is suspended
        // inside `entry`, or has returned, and is never resumed again; its stack holds nothing that needs dropping, so unmapping
        // it is sound. The mapping and the allocation are exactly those made in `new`,
        // and nothing else points into them.
        unsafe {
            libc::munmap(self.map.as_ptr().cast(), self.map_len);
            drop(Box::from_raw(self.contexts.as_ptr()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_switches_back_and_forth_and_drops() {
        for _ in 0..3 {
            let mut p = ContextPair::new().unwrap();
            for _ in 0..10_000 {
                p.resume().unwrap();
            }
        }
    }

    #[test]
    fn pairs_on_one_thread_do_not_mix_up() {
        let mut a = ContextPair::new().unwrap();
        let mut b = ContextPair::new().unwrap();
        for _ in 0..100 {
            a.resume().unwrap();
            b.resume().unwrap();
        }
        drop(a);
        b.resume().unwrap();
    }
}
