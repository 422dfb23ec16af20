//! One module per experiment, each exposing `benches(&mut Criterion)`.

pub mod counters;
pub mod pingpong;
