//! What a judged claim says, as results files store it: the claim, how it fared and the
//! figures, all plain strings in JSON.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a claim fared. In JSON a plain string: `holds`, `the-opposite`, `no-difference`,
/// `inconclusive`, `holds-partly`, `not-measured`, and `does-not-hold` in files from
/// before intervals; any other string (from another version) loads as
/// [`VerdictKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum VerdictKind {
    /// The interval clears the claim's margin, the way the claim says.
    Holds,
    /// The interval clears the margin the other way (processes cheaper, say).
    TheOpposite,
    /// The interval lies inside plus or minus the margin: shown equal, not merely not
    /// shown different.
    NoDifference,
    /// None of these: the interval straddles an edge of the margin (the evidence says
    /// what would settle it).
    Inconclusive,
    /// The claim spans several comparisons that disagree (the evidence names which).
    HoldsPartly,
    /// The measurements contradicted it (files from before intervals).
    DoesNotHold,
    /// The outcomes needed were not measured (or not valid) here.
    NotMeasured,
    /// A verdict this version does not know, kept as written.
    Other(String),
}

impl VerdictKind {
    /// The JSON spelling.
    pub fn as_str(&self) -> &str {
        match self {
            VerdictKind::Holds => "holds",
            VerdictKind::TheOpposite => "the-opposite",
            VerdictKind::NoDifference => "no-difference",
            VerdictKind::Inconclusive => "inconclusive",
            VerdictKind::HoldsPartly => "holds-partly",
            VerdictKind::DoesNotHold => "does-not-hold",
            VerdictKind::NotMeasured => "not-measured",
            VerdictKind::Other(s) => s,
        }
    }
}

impl From<String> for VerdictKind {
    fn from(s: String) -> Self {
        match s.as_str() {
            "holds" => VerdictKind::Holds,
            "the-opposite" => VerdictKind::TheOpposite,
            "no-difference" => VerdictKind::NoDifference,
            "inconclusive" => VerdictKind::Inconclusive,
            "holds-partly" => VerdictKind::HoldsPartly,
            "does-not-hold" => VerdictKind::DoesNotHold,
            "not-measured" => VerdictKind::NotMeasured,
            _ => VerdictKind::Other(s),
        }
    }
}

impl From<VerdictKind> for String {
    fn from(k: VerdictKind) -> Self {
        k.as_str().to_string()
    }
}

impl fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerdictKind::Holds => "holds",
            VerdictKind::TheOpposite => "the opposite",
            VerdictKind::NoDifference => "no difference",
            VerdictKind::Inconclusive => "inconclusive",
            VerdictKind::HoldsPartly => "holds partly",
            VerdictKind::DoesNotHold => "does not hold here",
            VerdictKind::NotMeasured => "not measured",
            VerdictKind::Other(s) => s,
        })
    }
}

impl Default for VerdictKind {
    /// An unknown (empty) verdict: what a file without one says.
    fn default() -> Self {
        VerdictKind::Other(String::new())
    }
}

/// One claim, its verdict and the figures behind it, as a results file keeps them (the
/// `verdicts` list). Fields missing from a file load as empty (other tools may write
/// partial entries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimVerdict {
    /// The claim, in plain words.
    #[serde(default)]
    pub claim: String,
    /// How it fared.
    #[serde(default)]
    pub verdict: VerdictKind,
    /// The figures it rests on, in words (rendered from `figures` and what else the
    /// claim read).
    #[serde(default)]
    pub evidence: String,
    /// The margin inside which a difference counts as none (absent in files from before
    /// intervals, and for claims judged on facts alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<super::figure::Margin>,
    /// The figures, typed: `{name, value, low, high, unit}` each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::figure::Figure>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_plain_strings_and_unknown_ones_load() {
        let v = ClaimVerdict {
            claim: "c".into(),
            verdict: VerdictKind::NotMeasured,
            evidence: "e".into(),
            margin: None,
            figures: Vec::new(),
        };
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"claim":"c","verdict":"not-measured","evidence":"e"}"#
        );
        let back: ClaimVerdict = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
        let other: ClaimVerdict =
            serde_json::from_str(r#"{"claim":"c","verdict":"confirmed","evidence":"e"}"#).unwrap();
        assert_eq!(other.verdict, VerdictKind::Other("confirmed".into()));
        let partial: ClaimVerdict = serde_json::from_str(r#"{"claim":"c"}"#).unwrap();
        assert_eq!(partial.verdict, VerdictKind::Other(String::new()));
        assert_eq!(partial.evidence, "");
        for k in [
            "the-opposite",
            "no-difference",
            "inconclusive",
            "does-not-hold",
        ] {
            let v: VerdictKind = serde_json::from_value(serde_json::json!(k)).unwrap();
            assert_eq!(v.as_str(), k);
            assert!(!matches!(v, VerdictKind::Other(_)));
        }
    }
}
