//! Tool names in the policy: an exact name, or a simple glob where `*`
//! stands for any run of characters (`"*_delete"`, `"odoo_*"`, `"*"`), and
//! how specific each is, so the most specific entry wins.

use std::fmt;

use serde::{Deserialize, Deserializer, de::Error as _};

use super::spec::ToolName;

/// Characters of other glob syntaxes, refused so nobody believes they work.
const UNSUPPORTED: [char; 5] = ['?', '[', ']', '{', '}'];

/// A tool name, or a glob with `*`, as written under `tools` or `hide`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ToolPattern(String);

impl ToolPattern {
    /// Accepts a tool name ([`ToolName::new`]) that may hold `*`, and none
    /// of `? [ ] { }`.
    pub fn new(text: &str) -> Result<Self, String> {
        ToolName::new(text)?;
        if let Some(other) = text.chars().find(|c| UNSUPPORTED.contains(c)) {
            return Err(format!(
                "the tool name {text:?} contains {other:?}; only \"*\" (any run of characters) is a wildcard here: write e.g. \"odoo_*\" or \"*_delete\""
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// True when the pattern holds a `*`.
    pub fn is_glob(&self) -> bool {
        self.0.contains('*')
    }

    /// How specific it is: an exact name beats any glob; among globs, more
    /// literal (non-`*`) characters win.
    pub fn specificity(&self) -> (bool, usize) {
        (
            !self.is_glob(),
            self.0.chars().filter(|&c| c != '*').count(),
        )
    }

    /// True when `name` is this exact name or matches this glob.
    pub fn matches(&self, name: &str) -> bool {
        let pattern: Vec<char> = self.0.chars().collect();
        let name: Vec<char> = name.chars().collect();
        overlap(&pattern, &name)
    }

    /// True when some tool name matches both patterns.
    pub fn overlaps(&self, other: &ToolPattern) -> bool {
        let (a, b): (Vec<char>, Vec<char>) = (self.0.chars().collect(), other.0.chars().collect());
        overlap(&a, &b)
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether two `*` globs (a plain name is a glob without `*`) have a
/// common match: dynamic programming over suffixes, so any length is quick.
fn overlap(a: &[char], b: &[char]) -> bool {
    // can[i][j]: a[i..] and b[j..] have a common match.
    let mut can = vec![vec![false; b.len() + 1]; a.len() + 1];
    for i in (0..=a.len()).rev() {
        for j in (0..=b.len()).rev() {
            can[i][j] = match (a.get(i), b.get(j)) {
                (None, None) => true,
                (Some('*'), _) => can[i + 1][j] || (j < b.len() && can[i][j + 1]),
                (_, Some('*')) => can[i][j + 1] || (i < a.len() && can[i + 1][j]),
                (Some(x), Some(y)) => x == y && can[i + 1][j + 1],
                _ => false,
            };
        }
    }
    can[0][0]
}

impl fmt::Display for ToolPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ToolPattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ToolPattern::new(&text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> ToolPattern {
        ToolPattern::new(text).unwrap()
    }

    #[test]
    fn globs_match_any_run_of_characters_and_exact_names_only_themselves() {
        assert!(pattern("*").matches("anything"));
        assert!(pattern("*_delete").matches("partner_delete"));
        assert!(pattern("*_delete").matches("_delete"));
        assert!(!pattern("*_delete").matches("partner_delete_all"));
        assert!(pattern("odoo_*_read").matches("odoo_x_read"));
        assert!(!pattern("odoo_*_read").matches("odoo_read"));
        assert!(pattern("read").matches("read"));
        assert!(!pattern("read").matches("reader"));
    }

    #[test]
    fn overlap_tells_whether_one_name_could_match_both() {
        assert!(pattern("odoo_*").overlaps(&pattern("*_read")));
        assert!(!pattern("odoo_*").overlaps(&pattern("erp_*")));
        assert!(!pattern("a*b").overlaps(&pattern("*c")));
        assert!(pattern("*").overlaps(&pattern("x")));
    }

    #[test]
    fn exact_beats_glob_and_more_literal_characters_win() {
        assert!(pattern("odoo_read").specificity() > pattern("odoo_*").specificity());
        assert!(pattern("odoo_*").specificity() > pattern("*").specificity());
        assert!(pattern("*_delete").specificity() > pattern("odoo_*").specificity());
    }

    #[test]
    fn other_glob_syntax_is_refused_with_what_to_write() {
        let error = ToolPattern::new("odoo_?").unwrap_err();
        assert!(error.contains("only \"*\""), "{error}");
        assert!(ToolPattern::new("[ab]").is_err());
        assert!(ToolPattern::new("").is_err());
    }
}
