//! The tables printed in a terminal: what `ctxbench check` shows ([`check`]).
//! Fixed-width text, one row per benchmark id.

pub mod check;
