//! One module per experiment, each exposing `benches(&mut Criterion)`.

pub mod counters;
pub mod floors;
pub mod pingpong;
pub mod ring;
pub mod spawn;
pub mod workset;
