//! What tests of harnesses share: one harness at a time, counting children, and a thread
//! stopped from outside.

#[cfg(test)]
use super::peer::ChildGuard;

/// Serialises tests (and anything else) that run harnesses in one process: two ping-pongs
/// sharing a CPU would disturb each other's switch counts. Poisoning is ignored.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// For tests on a shared machine: runs `attempt` on each allowed CPU, a few times each,
/// until one attempt passes; panics with every failure otherwise. Other programs' tasks
/// waking on a CPU preempt a pinned benchmark (extra, involuntary switches), so a count
/// check must be allowed an undisturbed attempt; a harness that is wrong fails them all.
#[cfg(test)]
pub(crate) fn retry_on_cpus(mut attempt: impl FnMut(usize) -> std::result::Result<(), String>) {
    let mut failures = Vec::new();
    for cpu in crate::cpus::allowed_cpus().expect("allowed CPUs") {
        for _ in 0..8 {
            match attempt(cpu) {
                Ok(()) => return,
                Err(e) => failures.push(format!("CPU {cpu}: {e}")),
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    panic!("no attempt passed:\n{}", failures.join("\n"));
}

/// Panics, naming `what`, unless this process has `kids` children again (for tests that
/// check a harness left nothing behind).
#[cfg(test)]
pub(crate) fn assert_children(kids: usize, what: &str) {
    assert_eq!(children_of_me(), kids, "{what} was left behind");
}

/// How many children this process has right now, over all its threads (for tests that
/// check nothing is left behind).
#[cfg(test)]
pub(crate) fn children_of_me() -> usize {
    let me = std::process::id();
    std::fs::read_dir(format!("/proc/{me}/task"))
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
        .map(|s| s.split_whitespace().count())
        .sum()
}

/// Stops thread `tid` of this process alone (a stopped or wedged peer thread): a
/// forked tracer seizes and interrupts it, and lets it go when the returned guard
/// drops.
#[cfg(test)]
pub fn stop_thread(tid: i32) -> ChildGuard {
    let (r, w) = nix::unistd::pipe().expect("pipe");
    let (ready_r, ready_w) = nix::unistd::pipe().expect("pipe");
    use std::os::fd::AsRawFd;
    let keep = [r.as_raw_fd(), ready_w.as_raw_fd()];
    let (rf, wf) = (r.as_raw_fd(), ready_w.as_raw_fd());
    let body = move || {
        let ok = crate::sys::testing::seize_and_interrupt(tid);
        let _ = crate::sys::write_raw(wf, &[ok as u8]);
        // Hold the thread until the test closes its end (or kills us); our exit
        // detaches and resumes it.
        let mut b = [0u8; 1];
        let _ = nix::unistd::read(rf, &mut b);
        0
    };
    // SAFETY: the tracer makes system calls on a tid and two descriptors opened
    // before the fork, and allocates nothing.
    #[allow(unsafe_code)]
    let tracer = unsafe { ChildGuard::spawn("tracer", &keep, body) }.expect("fork the tracer");
    drop(ready_w);
    drop(r);
    let mut b = [0u8; 1];
    assert_eq!(nix::unistd::read(ready_r.as_raw_fd(), &mut b).ok(), Some(1));
    assert_eq!(b[0], 1, "the tracer could not seize thread {tid}");
    std::mem::forget(w); // closed when the process ends; the guard kills the tracer
    tracer
}
