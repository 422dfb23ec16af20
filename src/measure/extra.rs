//! The secondary figures an outcome keeps in `extra`, by typed key: the one place each
//! key is spelled. The experiment that writes a figure and every layer that reads it (the
//! claims, the tables) name it by its constant here; the JSON key is its text, the same as
//! results files have always had.

use super::Outcome;

/// The key of one secondary figure in an outcome's `extra`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extra(&'static str);

impl Extra {
    /// Its key in JSON.
    pub fn key(self) -> &'static str {
        self.0
    }
}

impl Outcome {
    /// The secondary figure `e`, where the outcome has it.
    pub fn get(&self, e: Extra) -> Option<f64> {
        self.extra.get(e.0).copied()
    }

    /// Sets the secondary figure `e`.
    pub fn set(&mut self, e: Extra, v: f64) {
        self.extra.insert(e.0.to_string(), v);
    }
}

/// Isolation: pages whose value the other side read after the write.
pub const PAGES_CHECKED: Extra = Extra("pages_checked");
/// Isolation: the share of pages on which the other side saw the write (0 for processes,
/// 1 for threads).
pub const WRITE_SEEN_BY_OTHER_SIDE: Extra = Extra("write_seen_by_other_side");
/// Isolation: minor page faults per first write.
pub const MINOR_FAULTS_PER_WRITE: Extra = Extra("minor_faults_per_write");
/// Crossing: bytes read per second.
pub const BYTES_PER_SECOND: Extra = Extra("bytes_per_second");
/// Crossing: timed batches whose bytes were checked against the target's pattern.
pub const BATCHES_CHECKED: Extra = Extra("batches_checked");
/// Spawn: minor page faults per creation in this process.
pub const MINOR_FAULTS_PARENT: Extra = Extra("minor_faults_parent_per_iter");
/// Spawn: minor page faults per creation in the child.
pub const MINOR_FAULTS_CHILD: Extra = Extra("minor_faults_child_per_iter");
/// User-space switch: switches per round trip (two).
pub const USER_SWITCHES_PER_ROUND_TRIP: Extra = Extra("user_switches_per_round_trip");
/// Working set: the median round trip with the touching off.
pub const IDLE_NS_PER_ROUND_TRIP: Extra = Extra("idle_ns_per_round_trip");
/// Working set: the touches alone, both sides (two passes), ns.
pub const TOUCH_NS_PER_ROUND_TRIP: Extra = Extra("touch_ns_per_round_trip");
/// Working set: the median round trip with the touching on, in the interleaved rounds.
pub const INTERLEAVED_NS_PER_ROUND_TRIP: Extra = Extra("interleaved_ns_per_round_trip");
/// Register state: rounds taken.
pub const ROUNDS: Extra = Extra("rounds");
/// Register state: rounds other tasks left alone.
pub const QUIET_ROUNDS: Extra = Extra("quiet_rounds");
/// Register state: the median round trip, writing.
pub const ON_NS_PER_ROUND_TRIP: Extra = Extra("on_ns_per_round_trip");
/// Register state: the median round trip, the writes off.
pub const OFF_NS_PER_ROUND_TRIP: Extra = Extra("off_ns_per_round_trip");
/// Register state: the floor with the writes, ns per operation.
pub const FLOOR_NS: Extra = Extra("floor_ns");
/// Register state: the floor without them.
pub const FLOOR_OFF_NS: Extra = Extra("floor_off_ns");
/// Register state: what the live state adds to a switch, ns.
pub const EXTRA_NS_PER_SWITCH: Extra = Extra("extra_ns_per_switch");
/// Register state: the peer's XINUSE after a switch back to it.
pub const XINUSE_AT_SWITCH: Extra = Extra("xinuse_at_switch");
/// Topology: round trips per timed group of the cache-line ping-pong's tails.
pub const TAIL_GROUP_ROUND_TRIPS: Extra = Extra("tail_group_round_trips");
