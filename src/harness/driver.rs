//! The driving side of every harness: the thread that builds it, pinned, with every
//! participating task and what they reported.

use std::os::fd::AsFd;

use super::*;
use crate::cpus::AffinityGuard;
use crate::error::Result;
use crate::spec::Placement;

/// What the driver side of every harness holds: its affinity guard, every participating
/// task (its own first), the CPUs they reported, and the switches one iteration makes
/// (two per round trip on one CPU unless the harness says otherwise).
pub struct Driver {
    pub(crate) tasks: Vec<Task>,
    pub(crate) cpus_seen: Vec<Option<usize>>,
    pub(crate) placement: Placement,
    pub(crate) expected: Option<f64>,
    /// The scheduling policy every participant runs under, where the harness sets one.
    pub(crate) policy: Option<crate::sys::SchedPolicy>,
    affinity: AffinityGuard,
    // A harness is tied to the thread that pinned itself.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Driver {
    /// Saves this thread's affinity, pins it where the placement says, and checks it.
    pub(crate) fn pin(placement: Placement) -> Result<Self> {
        let affinity = AffinityGuard::save()?;
        let seen = match placement.driver_cpu() {
            Some(cpu) => {
                crate::cpus::pin_current_thread(cpu)?;
                Some(cpu)
            }
            None => None,
        };
        let expected = match placement {
            Placement::SameCpu(_) => Some(2.0),
            _ => None,
        };
        Ok(Self {
            tasks: vec![Task::current()],
            cpus_seen: vec![seen],
            placement,
            expected,
            policy: None,
            affinity,
            _not_send: std::marker::PhantomData,
        })
    }

    /// Records `peer`, which said `hello`, checking its CPU against the placement.
    pub(crate) fn add_peer(&mut self, peer: &Peer, hello: PeerHello, name: &str) -> Result<()> {
        self.add_task(peer.task(hello.tid), hello, name)
    }

    /// Reads the hello of `peer` from `hello_from`, records the peer, and starts the
    /// watchdog that guards it: the end of every pipe or eventfd harness's set-up.
    pub(crate) fn welcome(
        &mut self,
        peer: &Peer,
        hello_from: &impl AsFd,
        name: &str,
    ) -> Result<watchdog::Watchdog> {
        let hello = read_hello(hello_from, name)?;
        self.add_peer(peer, hello, name)?;
        watchdog::Watchdog::start(name, self)
    }

    /// Records the task that said `hello`, checking its CPU against the placement.
    pub(crate) fn add_task(&mut self, task: Task, hello: PeerHello, name: &str) -> Result<()> {
        let cpu = hello.check(self.placement.peer_cpu(), name)?;
        self.tasks.push(task);
        self.cpus_seen.push(self.placement.peer_cpu().map(|_| cpu));
        Ok(())
    }

    /// CPUs a helper thread (the watchdog) may use without disturbing the measured ones:
    /// this thread's mask before pinning, less the CPUs of the placement.
    pub(crate) fn spare_cpus(&self) -> (Vec<usize>, Vec<usize>) {
        (self.affinity.cpus(), self.placement.cpus())
    }

    /// Records the scheduling policy the participants run under.
    pub(crate) fn under(mut self, policy: crate::sys::SchedPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Sets the switches one iteration makes where it is not a ping-pong round trip (a
    /// ring lap: n; a floor: 0; a creation: none fixed).
    pub(crate) fn expecting(mut self, switches: Option<f64>) -> Self {
        self.expected = switches;
        self
    }
}
