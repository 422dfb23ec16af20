//! What an id varies beside its participants, mechanism and size, as its outcome reports
//! it: a working set's access, a read's way across processes, a register state, or the
//! class of a CPU pair. Results files hold its name (`read`, `proc-mem`, `avx512`,
//! `same-l3`); the names of the four kinds are distinct, so a name alone says which.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Access, CrossWay, RegState, ACCESSES, CROSS_WAYS, REG_STATES};
use crate::topology::{PairClass, CLASSES};

/// What an outcome's id varies (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// How a working set is touched (`workset/...`).
    Access(Access),
    /// How one process reads another (`cross/...`).
    Way(CrossWay),
    /// The register state live across the switch (`regs/...`).
    State(RegState),
    /// What the two CPUs of a pair share (`topology/...`).
    Pair(PairClass),
}

impl Variant {
    /// Its name in ids and results files.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Access(a) => a.name(),
            Variant::Way(w) => w.name(),
            Variant::State(s) => s.name(),
            Variant::Pair(c) => c.name(),
        }
    }

    /// Every variant there is, in the order of its kinds.
    fn all() -> impl Iterator<Item = Variant> {
        ACCESSES
            .into_iter()
            .map(Variant::Access)
            .chain(CROSS_WAYS.into_iter().map(Variant::Way))
            .chain(REG_STATES.into_iter().map(Variant::State))
            .chain(CLASSES.into_iter().map(Variant::Pair))
    }

    /// The access, where it is one.
    pub fn access(self) -> Option<Access> {
        match self {
            Variant::Access(a) => Some(a),
            _ => None,
        }
    }

    /// The way of reading, where it is one.
    pub fn way(self) -> Option<CrossWay> {
        match self {
            Variant::Way(w) => Some(w),
            _ => None,
        }
    }

    /// The register state, where it is one.
    pub fn state(self) -> Option<RegState> {
        match self {
            Variant::State(s) => Some(s),
            _ => None,
        }
    }

    /// The pair class, where it is one.
    pub fn pair(self) -> Option<PairClass> {
        match self {
            Variant::Pair(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Variant::all()
            .find(|v| v.name() == s)
            .ok_or_else(|| format!("unknown variant `{s}`"))
    }
}

impl Serialize for Variant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Variant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_one_variants_and_reads_back() {
        let all: Vec<Variant> = Variant::all().collect();
        for v in &all {
            assert_eq!(
                all.iter().filter(|w| w.name() == v.name()).count(),
                1,
                "{} names two variants",
                v.name()
            );
            assert_eq!(v.name().parse::<Variant>(), Ok(*v));
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.name()));
            assert_eq!(serde_json::from_str::<Variant>(&json).unwrap(), *v);
        }
        assert!("avx1024".parse::<Variant>().is_err());
    }
}
