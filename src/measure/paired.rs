//! Paired rounds: the arms of a comparison measured side by side, so that the machine's
//! drift hits every arm alike.
//!
//! These VMs run a ping-pong in levels that last many batches (4.8 and 6.1 µs per round
//! trip, say) and move up to 20% between two runs. Two twins measured one after the other
//! differ by whichever level each happened to meet. Here every arm of a comparison (the
//! process and thread twins, the floors subtracted from them, the sizes of a sweep) is
//! set up at once on one CPU; idle arms sleep in the kernel and cost nothing. A round is
//! a few passes, each running every arm for one short block (a quarter of a millisecond),
//! in an order that is random, drawn from a recorded seed, and balanced: every other pass
//! runs the previous pass's order backwards, so each arm's mean position is the same.
//! Each block starts with a few untimed iterations, so the arm finds its own data in the
//! caches again before it is timed. An arm's figure in a round is its time over all its
//! blocks of the round, so where the machine's level changes within a round every arm
//! meets both levels alike. A figure is computed round by round (a difference, a ratio),
//! and a slow level slows every arm of the round and cancels.
//!
//! The whole is repeated over several independent set-ups (fresh forks and spawns:
//! memory placement differs between them), and the interval of a figure sees the
//! variance between set-ups as well as between rounds (see [`crate::stats::bootstrap`]).
//!
//! A round in which other tasks took more than 1% of the CPU (its wall time less every
//! participant's run time, from procfs and the driver's own clock, read around the round,
//! never inside a block), or the hypervisor stole time from the CPU (`steal` in
//! `/proc/stat`), is dropped for all its arms, never for one, and another round is taken
//! in its place (up to twice as many as asked for). Where an arm starts tasks of its own
//! (a creation: fork, posix_spawn, a thread), their time cannot be told from other
//! tasks', and only stolen time drops a round.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::disturbance::{read_task, BatchLoad, DISTURBED_SHARE};
use super::{Samples, Shape, TimedLoad};
use crate::error::{Error, Result};
use crate::harness::Task;
use crate::spec::BenchId;
use crate::stats::bootstrap::{hierarchical, Bootstrap, Interval};
use crate::stats::levels::{levels, Level};
use crate::stats::rng::Rng;

/// Which loop of a benchmark an arm runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArmMode {
    /// The benchmark's own loop (its outcome's samples).
    Main,
    /// The same loop on a second, independent set-up of the same benchmark: the control,
    /// whose difference from `main` must come out as no difference.
    Control,
    /// A register-state ping-pong with the writes off.
    WritesOff,
    /// A register-state ping-pong's floor: the driver alone, writing, no switch.
    Alone,
    /// The same floor without the writes.
    AloneOff,
    /// A working-set ping-pong with the touching off.
    Idle,
    /// A working set's touches alone, on the driver, no switch (one pass per iteration).
    TouchAlone,
}

impl ArmMode {
    /// Its name, as results files spell it.
    pub fn name(self) -> &'static str {
        match self {
            ArmMode::Main => "main",
            ArmMode::Control => "control",
            ArmMode::WritesOff => "writes-off",
            ArmMode::Alone => "alone",
            ArmMode::AloneOff => "alone-off",
            ArmMode::Idle => "idle",
            ArmMode::TouchAlone => "touch-alone",
        }
    }
}

/// One arm: a benchmark's id and which of its loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Arm {
    /// The benchmark's id.
    pub id: BenchId,
    /// Which loop.
    pub mode: ArmMode,
}

impl Arm {
    /// The main loop of `id`.
    pub fn main(id: BenchId) -> Self {
        Self {
            id,
            mode: ArmMode::Main,
        }
    }
}

impl std::fmt::Display for Arm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mode {
            ArmMode::Main => write!(f, "{}", self.id),
            m => write!(f, "{} ({})", self.id, m.name()),
        }
    }
}

/// A set-up benchmark that runs the blocks of its arms.
pub trait Unit {
    /// Runs `iters` iterations of the loop `mode` and returns their wall time.
    fn run_arm(&mut self, mode: ArmMode, iters: u64) -> Result<Duration>;
    /// Every task taking part, the driver first (what the disturbance figures read).
    fn tasks(&self) -> &[Task];
    /// What the harness says of itself (its switches per iteration, its policy, whether
    /// its iterations are slow).
    fn shape(&self) -> Shape;
    /// What it records besides timings, read once at the end of the last set-up.
    fn facts(&mut self) -> Result<Facts> {
        Ok(Facts::default())
    }
}

/// What a set-up benchmark records besides timings (its outcome's `parameter` and
/// `extra`): the bytes of register state it keeps live, what the CPU reports of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The outcome's `parameter`, where it has one.
    pub parameter: Option<u64>,
    /// Entries of the outcome's `extra`.
    pub extra: Vec<(String, f64)>,
}

/// What a comparison is made of: benchmarks that set up a [`Unit`] each, with the arms
/// each offers.
pub trait UnitSpec {
    /// The arms its unit runs, in order.
    fn arms(&self) -> Vec<Arm>;
    /// Sets up (and warms up) a unit.
    fn build(&self) -> Result<Box<dyn Unit>>;
}

/// How many set-ups and rounds, and how long a block and a round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rounds {
    /// Independent set-ups.
    pub setups: usize,
    /// Quiet rounds wanted per set-up (up to twice as many are taken where some are
    /// dropped).
    pub rounds: usize,
    /// The target time of one timed block of one arm.
    pub block: Duration,
    /// The target time of a round: as many passes over the arms as fit.
    pub round: Duration,
}

impl Rounds {
    /// A quick run's: 8 set-ups of 18 rounds of about 40 ms, blocks of 250 µs.
    pub fn quick() -> Self {
        Self {
            setups: 8,
            rounds: 18,
            block: Duration::from_micros(250),
            round: Duration::from_millis(40),
        }
    }

    /// A full run's: 12 set-ups of 24 rounds of about 60 ms, blocks of 250 µs.
    pub fn full() -> Self {
        Self {
            setups: 12,
            rounds: 24,
            block: Duration::from_micros(250),
            round: Duration::from_millis(60),
        }
    }

    /// Two thirds of the set-ups and half the rounds: for comparisons whose figures stand
    /// far above their noise (a ring's flush step, a working set's refill, a creation).
    pub fn lighter(self) -> Self {
        Self {
            setups: (self.setups * 2 / 3).max(2),
            rounds: (self.rounds / 2).max(4),
            ..self
        }
    }
}

/// The untimed iterations that start a block of `iters` timed ones: an eighth of them,
/// at least one where there are four or more, none for fewer (an iteration that long
/// warms itself).
pub fn warm_up(iters: u64) -> u64 {
    if iters >= 4 {
        (iters / 8).max(1)
    } else {
        0
    }
}

/// The rounds of one set-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetupRounds {
    /// Nanoseconds per iteration of every arm (in the comparison's arm order), one row per
    /// quiet round, in the order taken.
    pub rounds: Vec<Vec<f64>>,
    /// Rounds taken, quiet or not.
    pub taken: usize,
}

/// A comparison measured in paired rounds, as results files keep it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Its name, e.g. `switch`, `ring/pipe`.
    pub name: String,
    /// The seed the order of every round comes from.
    pub seed: u64,
    /// The CPU every arm ran on.
    pub cpu: usize,
    /// The arms, in the order of every row.
    pub arms: Vec<Arm>,
    /// Iterations in one block of each arm.
    pub iters: Vec<u64>,
    /// The set-ups.
    pub setups: Vec<SetupRounds>,
    /// Time the hypervisor stole from the CPU over all rounds, in ms (`/proc/stat`).
    #[serde(default)]
    pub steal_ms: f64,
}

impl Paired {
    /// The index of `arm` in every row.
    pub fn index(&self, id: BenchId, mode: ArmMode) -> Option<usize> {
        self.arms.iter().position(|a| a.id == id && a.mode == mode)
    }

    /// The index of the main loop of `id`.
    pub fn main(&self, id: BenchId) -> Option<usize> {
        self.index(id, ArmMode::Main)
    }

    /// `f` of every quiet round, set-up by set-up (the input of the bootstrap).
    pub fn per_round(&self, f: impl Fn(&[f64]) -> f64) -> Vec<Vec<f64>> {
        self.setups
            .iter()
            .map(|s| s.rounds.iter().map(|r| f(r)).collect())
            .collect()
    }

    /// The estimate of the figure `f` computes from each round, with its 95% interval
    /// (see [`hierarchical`]); the resamples are drawn from this comparison's seed and
    /// `salt` (a number naming the figure), so the same file gives the same interval.
    pub fn estimate(&self, salt: u64, f: impl Fn(&[f64]) -> f64) -> Option<Interval> {
        let seed = Rng::derived(self.seed, &[salt, 0xb007]).next_u64();
        hierarchical(&self.per_round(f), &Bootstrap::default(), seed)
    }

    /// The levels of arm `i` over every quiet round (see [`levels`]).
    pub fn levels(&self, i: usize) -> Vec<Level> {
        let v: Vec<f64> = self
            .setups
            .iter()
            .flat_map(|s| s.rounds.iter().map(move |r| r[i]))
            .collect();
        levels(&v)
    }

    /// Quiet rounds over all set-ups.
    pub fn quiet_rounds(&self) -> usize {
        self.setups.iter().map(|s| s.rounds.len()).sum()
    }

    /// Rounds taken over all set-ups.
    pub fn taken_rounds(&self) -> usize {
        self.setups.iter().map(|s| s.taken).sum()
    }
}

/// The order of the arms in round `round` of set-up `setup`: a random permutation of
/// `n` arms drawn from `seed` for even rounds, the previous one backwards for odd ones.
pub fn order(seed: u64, setup: usize, round: usize, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    Rng::derived(seed, &[setup as u64, (round / 2) as u64]).shuffle(&mut v);
    if round % 2 == 1 {
        v.reverse();
    }
    v
}

/// Steal time of `cpu` so far, in ms, from `/proc/stat` (the eighth figure of its
/// `cpuN` line, in clock ticks); `None` where it cannot be read.
pub fn steal_ms(cpu: usize) -> Option<f64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks = parse_steal(&text, cpu)?;
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100);
    Some(ticks as f64 * 1000.0 / hz.max(1) as f64)
}

/// The steal ticks of `cpu` in a `/proc/stat` text.
pub fn parse_steal(text: &str, cpu: usize) -> Option<u64> {
    let name = format!("cpu{cpu}");
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name.as_str()))?;
    line.split_whitespace().nth(8)?.parse().ok()
}

/// What paired rounds gave one arm besides the comparison's rows: its figure in every
/// round (the quiet ones apart), and what procfs showed of each round.
#[derive(Debug, Clone, Default)]
pub struct ArmBlocks {
    /// ns per iteration of its blocks in quiet rounds.
    pub quiet: Vec<f64>,
    /// ns per iteration of every block.
    pub all: Vec<f64>,
    /// What procfs showed around every block.
    pub loads: Vec<BatchLoad>,
}

impl ArmBlocks {
    /// The blocks as timed samples and their load, as the outcome of a benchmark takes
    /// them: the quiet rounds' blocks (every block where no round was quiet).
    pub fn timed(&self, iters: u64) -> (Samples, TimedLoad) {
        let ns = if self.quiet.is_empty() {
            self.all.clone()
        } else {
            self.quiet.clone()
        };
        let switches: u64 = self.loads.iter().map(|l| l.switches).sum();
        let n = self.loads.len() as u64 * iters;
        let count = (!self.loads.is_empty()).then(|| super::SwitchCount {
            iters: n,
            voluntary: switches,
            involuntary: 0,
            per_iter: switches as f64 / n.max(1) as f64,
        });
        (
            Samples {
                iters_per_sample: iters,
                ns_per_iter: ns,
            },
            TimedLoad {
                switches: count,
                batches: self.loads.clone(),
            },
        )
    }
}

/// Iterations for a block of about `block`: doubled from 1 until a run lasts at least
/// the block (and a millisecond), then scaled; at least 1.
fn calibrate(u: &mut dyn Unit, mode: ArmMode, block: Duration) -> Result<u64> {
    let mut iters = 1u64;
    let enough = block.max(Duration::from_millis(1));
    loop {
        let t = u.run_arm(mode, iters)?;
        if t >= enough || iters >= 1 << 30 {
            let per = t.as_nanos() as f64 / iters as f64;
            return Ok(((block.as_nanos() as f64 / per.max(0.1)) as u64).max(1));
        }
        iters *= 2;
    }
}

/// The switches of the calling thread so far, voluntary and involuntary (its own
/// `getrusage`: a system call, no file read).
fn own_switches() -> u64 {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD).map_or(0, |u| {
        (u.voluntary_context_switches() + u.involuntary_context_switches()) as u64
    })
}

/// The run time of every peer of every unit (each task once), ns: what procfs shows of
/// them; `None` where a file could not be read.
fn peers_run_ns(peers: &[Task]) -> Option<u64> {
    peers
        .iter()
        .try_fold(0u64, |sum, t| Some(sum + read_task(t).ok()?.run_ns))
}

/// A set-up unit, with the place in a row and the loop of each of its arms.
type Placed = (Box<dyn Unit>, Vec<(usize, ArmMode)>);

/// Sets up every spec, in order, and keeps each unit with its arms' places in a row.
struct SetUp {
    units: Vec<Placed>,
}

impl SetUp {
    /// Builds every spec, in an order drawn from `rng` (so that nothing tied to the order
    /// of set-up, such as where memory lands, favours one arm in every set-up).
    fn build(specs: &[&dyn UnitSpec], arms: &[Arm], rng: &mut Rng) -> Result<Self> {
        // Built into `up` at once, so that a failure tears down what was built, in order.
        let mut up = Self {
            units: Vec::with_capacity(specs.len()),
        };
        let mut order: Vec<usize> = (0..specs.len()).collect();
        rng.shuffle(&mut order);
        for s in order.into_iter().map(|k| specs[k]) {
            let places = s
                .arms()
                .into_iter()
                .map(|a| {
                    let i = arms
                        .iter()
                        .position(|x| *x == a)
                        .expect("every arm is listed");
                    (i, a.mode)
                })
                .collect();
            up.units.push((s.build()?, places));
        }
        Ok(up)
    }

    /// Every task of every unit but the calling thread, each once.
    fn peers(&self) -> Vec<Task> {
        let me = nix::unistd::gettid().as_raw();
        let mut out: Vec<Task> = Vec::new();
        for (u, _) in &self.units {
            for t in u.tasks() {
                if t.tid != me && !out.iter().any(|o| o.tid == t.tid) {
                    out.push(*t);
                }
            }
        }
        out
    }

    /// How many tasks take part in the unit of arm `i` (the driver included).
    fn tasks_of(&self, i: usize) -> usize {
        self.units
            .iter()
            .find(|(_, places)| places.iter().any(|(j, _)| *j == i))
            .map_or(1, |(u, _)| u.tasks().len().max(1))
    }

    /// The unit that runs `arm` (one of `arms`).
    fn unit_of(&mut self, arm: &Arm, arms: &[Arm]) -> &mut dyn Unit {
        let i = arms
            .iter()
            .position(|a| a == arm)
            .expect("every arm is listed");
        self.arm(i).0
    }

    /// The shape of the unit that runs `arm`.
    fn shape_of(&mut self, arm: &Arm, arms: &[Arm]) -> Shape {
        self.unit_of(arm, arms).shape()
    }

    /// The facts of the unit that runs `arm`.
    fn facts_of(&mut self, arm: &Arm, arms: &[Arm]) -> Result<Facts> {
        self.unit_of(arm, arms).facts()
    }

    /// The unit and mode of arm `i`.
    fn arm(&mut self, i: usize) -> (&mut dyn Unit, ArmMode) {
        for (u, places) in self.units.iter_mut() {
            if let Some(&(_, mode)) = places.iter().find(|(j, _)| *j == i) {
                return (u.as_mut(), mode);
            }
        }
        unreachable!("arm {i} belongs to a unit")
    }
}

impl Drop for SetUp {
    /// Tears the units down in the reverse order of their set-up: each restores what it
    /// found (the thread's affinity, its scheduling policy) when built.
    fn drop(&mut self) {
        while let Some(u) = self.units.pop() {
            drop(u);
        }
    }
}

/// What [`run`] gives.
#[derive(Debug, Clone)]
pub struct Run {
    /// The comparison.
    pub paired: Paired,
    /// Every arm's blocks, in the order of its arms.
    pub blocks: Vec<ArmBlocks>,
    /// Each spec's [`Unit::shape`], from the first set-up.
    pub shapes: Vec<Shape>,
    /// Each spec's [`Unit::facts`], from the last set-up.
    pub facts: Vec<Facts>,
}

/// Runs the comparison `name` of `specs` on `cpu` in paired rounds (see the module),
/// with the order drawn from `seed`. `on_setup` hears the number of each set-up once it
/// is built.
pub fn run(
    name: &str,
    specs: &[&dyn UnitSpec],
    cpu: usize,
    r: &Rounds,
    seed: u64,
    mut on_setup: impl FnMut(usize),
) -> Result<Run> {
    let arms: Vec<Arm> = specs.iter().flat_map(|s| s.arms()).collect();
    if arms.is_empty() {
        return Err(Error::InvalidInput(format!(
            "the comparison {name} has no arm"
        )));
    }
    let n = arms.len();
    let mut blocks = vec![ArmBlocks::default(); n];
    let mut iters: Vec<u64> = Vec::new();
    let mut setups = Vec::with_capacity(r.setups);
    let mut steal = 0.0;
    let (mut shapes, mut facts) = (Vec::new(), Vec::new());
    let last = r.setups.max(1) - 1;
    let mut passes = 1;
    for s in 0..=last {
        let mut rng = Rng::derived(seed, &[s as u64, 0x5e7]);
        let mut up = SetUp::build(specs, &arms, &mut rng)?;
        on_setup(s);
        if iters.is_empty() {
            shapes = specs
                .iter()
                .map(|spec| up.shape_of(&spec.arms()[0], &arms))
                .collect();
            let mut pass = Duration::ZERO;
            for i in 0..n {
                let (u, mode) = up.arm(i);
                let k = calibrate(u, mode, r.block)?;
                let t = u.run_arm(mode, k + warm_up(k))?;
                pass += t;
                iters.push(k);
            }
            passes = (r.round.as_nanos() / pass.as_nanos().max(1)).max(1) as usize;
        } else {
            // A warm-up pass, untimed: each arm's first block after set-up.
            for (i, &k) in iters.iter().enumerate() {
                let (u, mode) = up.arm(i);
                u.run_arm(mode, k)?;
            }
        }
        let peers = up.peers();
        let tasks_of: Vec<usize> = (0..n).map(|i| up.tasks_of(i)).collect();
        // A unit with no fixed switch count (a creation) runs tasks of its own.
        let judged = shapes.iter().all(|sh| sh.expected.is_some());
        let mut rows = SetupRounds::default();
        while rows.rounds.len() < r.rounds && rows.taken < 2 * r.rounds {
            let round = rows.taken;
            let (stolen_before, peers_before) = (steal_ms(cpu), peers_run_ns(&peers));
            let driver_before = crate::sys::thread_cpu_ns().ok();
            let wall = std::time::Instant::now();
            let mut ns = vec![0u128; n];
            let mut switches = vec![0u64; n];
            let mut spent = vec![0u128; n];
            for pass in 0..passes {
                for i in order(seed, s, round * passes + pass, n) {
                    let (u, mode) = up.arm(i);
                    let before = own_switches();
                    let block = std::time::Instant::now();
                    let warm = warm_up(iters[i]);
                    if warm > 0 {
                        u.run_arm(mode, warm)?;
                    }
                    ns[i] += u.run_arm(mode, iters[i])?.as_nanos();
                    spent[i] += block.elapsed().as_nanos();
                    switches[i] += own_switches().saturating_sub(before);
                }
            }
            let wall_ns = wall.elapsed().as_nanos() as f64;
            let driver = driver_before
                .zip(crate::sys::thread_cpu_ns().ok())
                .map(|(b, a)| a.saturating_sub(b));
            let ran = driver
                .zip(peers_before.zip(peers_run_ns(&peers)))
                .map(|(d, (b, a))| (d + a.saturating_sub(b)) as f64);
            let others = ran.map(|ran| (wall_ns - ran).max(0.0));
            let stolen = stolen_before.zip(steal_ms(cpu)).map_or(0.0, |(b, a)| a - b);
            steal += stolen;
            rows.taken += 1;
            let row: Vec<f64> = (0..n)
                .map(|i| ns[i] as f64 / (iters[i] * passes as u64) as f64)
                .collect();
            for i in 0..n {
                blocks[i].all.push(row[i]);
                if let Some(o) = others {
                    let all_iters = (iters[i] + warm_up(iters[i])) as f64;
                    // Every task of a hand-over on one CPU switches out once per iteration:
                    // the driver's switches stand for each of them.
                    let per_task = switches[i] as f64 * iters[i] as f64 / all_iters;
                    blocks[i].loads.push(BatchLoad {
                        wall_ns: spent[i] as f64,
                        others_ns: o * spent[i] as f64 / wall_ns.max(1.0),
                        switches: (per_task * tasks_of[i] as f64).round() as u64,
                    });
                }
            }
            let disturbed = judged && others.is_some_and(|o| o > DISTURBED_SHARE * wall_ns);
            if !disturbed && stolen <= 0.0 {
                for (i, &x) in row.iter().enumerate() {
                    blocks[i].quiet.push(x);
                }
                rows.rounds.push(row);
            }
        }
        setups.push(rows);
        if s == last {
            facts = specs
                .iter()
                .map(|spec| up.facts_of(&spec.arms()[0], &arms))
                .collect::<Result<_>>()?;
        }
    }
    let iters: Vec<u64> = iters.iter().map(|k| k * passes as u64).collect();
    Ok(Run {
        paired: Paired {
            name: name.to_string(),
            seed,
            cpu,
            arms,
            iters,
            setups,
            steal_ms: steal,
        },
        blocks,
        shapes,
        facts,
    })
}

/// The direct cost per switch of the ping-pong outcome `o`, from paired rounds `p` that
/// ran it beside its floor `floor`: `(round trip − 2 × floor) / 2` round by round, the
/// estimate over set-ups (see [`Paired::estimate`]). Nothing where
/// `p` has no such arms.
pub fn direct_cost(o: &mut super::Outcome, p: &Paired, floor: BenchId) {
    let (Some(rt), Some(f)) = (p.main(o.id), p.main(floor)) else {
        return;
    };
    let salt = crate::stats::rng::Rng::derived(0, &[rt as u64, f as u64]).next_u64();
    if let Some(i) = p.estimate(salt, |r| (r[rt] - 2.0 * r[f]) / 2.0) {
        o.direct_ns_per_switch = Some(i.value);
        o.floor_used = Some(format!(
            "{floor} (measured in the same rounds, subtracted for each side round by round)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn the_order_is_balanced_random_and_reproducible() {
        let a = order(7, 0, 0, 6);
        assert_eq!(a, order(7, 0, 0, 6));
        let mut back = a.clone();
        back.reverse();
        assert_eq!(order(7, 0, 1, 6), back);
        // Every arm's mean position over a pair of rounds is the middle.
        for arm in 0..6 {
            let p0 = a.iter().position(|&x| x == arm).unwrap();
            let p1 = back.iter().position(|&x| x == arm).unwrap();
            assert_eq!(p0 + p1, 5);
        }
        // Other rounds, set-ups and seeds draw other orders.
        let distinct: std::collections::BTreeSet<Vec<usize>> = (0..10)
            .map(|r| order(7, 0, 2 * r, 6))
            .chain((0..10).map(|s| order(7, s, 0, 6)))
            .chain((0..10).map(|seed| order(seed, 0, 0, 6)))
            .collect();
        assert!(distinct.len() > 20, "{}", distinct.len());
        let mut sorted = order(3, 2, 5, 9);
        sorted.sort();
        assert_eq!(sorted, (0..9).collect::<Vec<_>>());
    }

    #[test]
    fn steal_is_read_from_the_cpu_line() {
        let text = "cpu  17769 0 5978 26659 115 0 17 40 0 0\n\
                    cpu0 9218 0 4417 11600 28 0 3 18 0 0\n\
                    cpu1 8550 0 1561 15058 87 0 13 21 0 0\n";
        assert_eq!(parse_steal(text, 0), Some(18));
        assert_eq!(parse_steal(text, 1), Some(21));
        assert_eq!(parse_steal(text, 2), None);
        assert!(steal_ms(0).is_some());
    }

    /// A unit whose arms spin for a fixed time per iteration (twice as long when idle).
    struct Sleepy(Vec<Task>, Duration);

    impl Unit for Sleepy {
        fn run_arm(&mut self, mode: ArmMode, iters: u64) -> Result<Duration> {
            let extra = if mode == ArmMode::Idle { 2 } else { 1 };
            let t = Instant::now();
            for _ in 0..iters {
                let until = Instant::now() + self.1 * extra;
                while Instant::now() < until {}
            }
            Ok(t.elapsed())
        }
        fn tasks(&self) -> &[Task] {
            &self.0
        }
        fn shape(&self) -> Shape {
            Shape {
                expected: Some(0.0),
                policy: None,
                slow: false,
            }
        }
    }

    struct SleepySpec(&'static str);

    impl UnitSpec for SleepySpec {
        fn arms(&self) -> Vec<Arm> {
            let id: BenchId = self.0.parse().unwrap();
            vec![
                Arm::main(id),
                Arm {
                    id,
                    mode: ArmMode::Idle,
                },
            ]
        }
        fn build(&self) -> Result<Box<dyn Unit>> {
            Ok(Box::new(Sleepy(
                vec![Task::current()],
                Duration::from_micros(20),
            )))
        }
    }

    #[test]
    fn rounds_fill_every_arm_of_every_set_up_and_figures_come_from_rows() {
        let specs: [&dyn UnitSpec; 2] = [&SleepySpec("floor/pipe"), &SleepySpec("floor/futex")];
        let r = Rounds {
            setups: 2,
            rounds: 4,
            block: Duration::from_micros(250),
            round: Duration::from_millis(2),
        };
        let mut seen = Vec::new();
        let Run {
            paired: p,
            blocks,
            shapes,
            facts,
        } = run("test", &specs, 0, &r, 9, |s| seen.push(s)).unwrap();
        assert_eq!((shapes.len(), facts.len()), (2, 2));
        assert_eq!(seen, [0, 1]);
        assert_eq!(p.arms.len(), 4);
        let b: BenchId = "floor/futex".parse().unwrap();
        assert_eq!(p.main(b), Some(2));
        assert_eq!(p.index(b, ArmMode::Idle), Some(3));
        assert_eq!(p.setups.len(), 2);
        for s in &p.setups {
            assert!(s.taken >= s.rounds.len() && s.taken <= 8);
            assert!(s.rounds.iter().all(|row| row.len() == 4));
        }
        assert_eq!(blocks.len(), 4);
        assert!(blocks.iter().all(|b| b.all.len() == p.taken_rounds()));
        // The idle loop takes twice as long per iteration: every round says so (quiet or
        // not: a busy machine slows both loops of a round alike).
        let ratios: Vec<f64> = blocks[1]
            .all
            .iter()
            .zip(&blocks[0].all)
            .map(|(a, b)| a / b)
            .collect();
        let mut sorted = ratios.clone();
        sorted.sort_by(f64::total_cmp);
        let mid = crate::stats::quantile(&sorted, 0.5);
        assert!(mid > 1.5 && mid < 2.5, "{ratios:?}");
        if p.quiet_rounds() > 0 {
            let ratio = p.estimate(1, |row| row[1] / row[0]).unwrap();
            assert!(ratio.value > 1.5 && ratio.value < 2.5, "{ratio:?}");
        }
    }
}
