//! The figures behind a verdict, built clause by clause and joined once at the end.

use std::fmt;

/// The evidence of a verdict: clauses shown in order, separated by `; `, and an optional
/// remark in parentheses after the last one (what the figures were, or what they mean
/// taken together).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    clauses: Vec<String>,
    remark: Option<String>,
}

impl Evidence {
    /// Evidence that starts with `first`.
    pub fn new(first: impl Into<String>) -> Self {
        Self {
            clauses: vec![first.into()],
            remark: None,
        }
    }

    /// Evidence made of `clauses`, in order.
    pub fn of(clauses: impl IntoIterator<Item = String>) -> Self {
        Self {
            clauses: clauses.into_iter().collect(),
            remark: None,
        }
    }

    /// Adds a clause at the end.
    pub fn push(&mut self, clause: impl Into<String>) {
        self.clauses.push(clause.into());
    }

    /// Adds `clause` at the end when there is one.
    pub fn push_some(&mut self, clause: Option<String>) {
        self.clauses.extend(clause);
    }

    /// Sets the remark shown in parentheses after the last clause.
    pub fn remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.clauses.join("; "))?;
        match &self.remark {
            Some(r) => write!(f, " ({r})"),
            None => Ok(()),
        }
    }
}

/// `label: a, b, c`: a named list of figures, for one clause.
pub fn listed(label: &str, items: impl IntoIterator<Item = String>) -> String {
    format!(
        "{label}: {}",
        items.into_iter().collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_join_with_semicolons_and_the_remark_comes_last() {
        let mut e = Evidence::new("a 1 ns");
        e.push("b 2 ns");
        e.push_some(None);
        e.push_some(Some(listed("c", ["x".to_string(), "y".to_string()])));
        assert_eq!(e.to_string(), "a 1 ns; b 2 ns; c: x, y");
        assert_eq!(
            e.remark("median").to_string(),
            "a 1 ns; b 2 ns; c: x, y (median)"
        );
        assert_eq!(Evidence::of([]).to_string(), "");
    }
}
