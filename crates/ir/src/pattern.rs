//! Wildcard patterns, and what a match on one means.
//!
//! Sigma values, kuery and Lucene terms, EQL `:`/`like` patterns and ES|QL
//! `LIKE` patterns all use `*` (any run of characters) and `?` (one
//! character). Each language parses its own syntax (quoting, escapes) into a
//! [`Pattern`]; classifying it happens here, once, so `*foo*` is a
//! `contains` of `foo` in every language and a glob is written the same way
//! everywhere (which is what lets corpus counts compare them).
//!
//! ```
//! use ruledex_ir::{Op, Pattern, Value};
//!
//! assert_eq!(Pattern::parse("*\\cmd.exe", None).lowered(), (Op::EndsWith, Value::from("\\cmd.exe")));
//! assert_eq!(Pattern::parse("a*b?c", None).lowered(), (Op::Wildcard, Value::from("a*b?c")));
//! assert_eq!(Pattern::parse(r"100\*", Some('\\')).lowered(), (Op::Eq, Value::from("100*")));
//! ```

use crate::predicate::Op;
use crate::value::Value;

/// One piece of a [`Pattern`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternPart {
    /// Literal text (never empty; escapes already applied).
    Text(String),
    /// `*`: any run of characters, possibly empty.
    AnyRun,
    /// `?`: exactly one character.
    AnyChar,
}

/// A wildcard pattern as a sequence of literal text and wildcards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<PatternPart>,
}

/// What matching a [`Pattern`] means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternShape {
    /// No wildcard: the whole value.
    Exact,
    /// `*text*`.
    Contains,
    /// `text*`.
    StartsWith,
    /// `*text`.
    EndsWith,
    /// `*` alone: any value at all.
    Any,
    /// Anything else: a glob.
    Glob,
}

impl Pattern {
    /// An empty pattern (matches the empty value).
    pub fn new() -> Self {
        Pattern::default()
    }

    /// Parse `text` where `*` and `?` are wildcards and, when `escape` is
    /// given, that character makes the next one literal (a trailing escape
    /// is itself literal).
    pub fn parse(text: &str, escape: Option<char>) -> Pattern {
        let mut pattern = Pattern::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '*' => pattern.push(PatternPart::AnyRun),
                '?' => pattern.push(PatternPart::AnyChar),
                c if Some(c) == escape => {
                    let literal = chars.next().unwrap_or(c);
                    pattern.push_char(literal);
                }
                c => pattern.push_char(c),
            }
        }
        pattern
    }

    /// Append a part; adjacent text merges, empty text is dropped.
    pub fn push(&mut self, part: PatternPart) {
        match (part, self.parts.last_mut()) {
            (PatternPart::Text(t), _) if t.is_empty() => {}
            (PatternPart::Text(t), Some(PatternPart::Text(last))) => last.push_str(&t),
            (part, _) => self.parts.push(part),
        }
    }

    /// Append one literal character.
    pub fn push_char(&mut self, c: char) {
        match self.parts.last_mut() {
            Some(PatternPart::Text(last)) => last.push(c),
            _ => self.parts.push(PatternPart::Text(c.to_string())),
        }
    }

    /// The parts.
    pub fn parts(&self) -> &[PatternPart] {
        &self.parts
    }

    /// True when the pattern has a wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.parts
            .iter()
            .any(|p| !matches!(p, PatternPart::Text(_)))
    }

    /// What a match means, with the value it compares: the literal text for
    /// [`PatternShape::Exact`], the text between the wildcards for the
    /// contains/prefix/suffix shapes, [`Pattern::glob`] otherwise.
    pub fn shape(&self) -> (PatternShape, String) {
        use PatternPart::{AnyRun, Text};
        match self.parts.as_slice() {
            [] => (PatternShape::Exact, String::new()),
            [Text(t)] => (PatternShape::Exact, t.clone()),
            [AnyRun, Text(t), AnyRun] => (PatternShape::Contains, t.clone()),
            [Text(t), AnyRun] => (PatternShape::StartsWith, t.clone()),
            [AnyRun, Text(t)] => (PatternShape::EndsWith, t.clone()),
            [AnyRun] => (PatternShape::Any, self.glob()),
            _ => (PatternShape::Glob, self.glob()),
        }
    }

    /// The comparison a match on this pattern is: `eq`, `contains`,
    /// `startswith`, `endswith`, or `wildcard` with the glob (also for `*`
    /// alone, which languages that read it as "the field exists" map
    /// themselves).
    pub fn lowered(&self) -> (Op, Value) {
        let (shape, text) = self.shape();
        let op = match shape {
            PatternShape::Exact => Op::Eq,
            PatternShape::Contains => Op::Contains,
            PatternShape::StartsWith => Op::StartsWith,
            PatternShape::EndsWith => Op::EndsWith,
            PatternShape::Any | PatternShape::Glob => Op::Wildcard,
        };
        (op, Value::String(text))
    }

    /// The pattern in ruledex's one glob notation: `*` and `?` are
    /// wildcards and a literal `*` or `?` is escaped with `\`. Backslashes
    /// stay as they are, so Windows paths read as written
    /// (`C:\Windows\*\cmd.exe`).
    pub fn glob(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                PatternPart::Text(t) => {
                    for c in t.chars() {
                        if matches!(c, '*' | '?') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
                PatternPart::AnyRun => out.push('*'),
                PatternPart::AnyChar => out.push('?'),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> (PatternShape, String) {
        Pattern::parse(text, Some('\\')).shape()
    }

    #[test]
    fn shapes_by_where_the_wildcards_are() {
        assert_eq!(shape("cmd.exe"), (PatternShape::Exact, "cmd.exe".into()));
        assert_eq!(
            shape("*mimikatz*"),
            (PatternShape::Contains, "mimikatz".into())
        );
        assert_eq!(
            shape("C:\\\\Windows*"),
            (PatternShape::StartsWith, "C:\\Windows".into())
        );
        assert_eq!(shape("*.ps1"), (PatternShape::EndsWith, ".ps1".into()));
        assert_eq!(shape("*"), (PatternShape::Any, "*".into()));
        assert_eq!(shape("**"), (PatternShape::Glob, "**".into()));
        assert_eq!(shape("a*b"), (PatternShape::Glob, "a*b".into()));
        assert_eq!(shape("*a?b*"), (PatternShape::Glob, "*a?b*".into()));
        assert_eq!(shape(""), (PatternShape::Exact, String::new()));
    }

    #[test]
    fn escapes_make_wildcards_literal_and_globs_escape_them_back() {
        assert_eq!(shape("100\\*"), (PatternShape::Exact, "100*".into()));
        assert_eq!(shape("*50\\%?"), (PatternShape::Glob, "*50%?".into()));
        let p = Pattern::parse("a\\*b*", Some('\\'));
        assert_eq!(p.glob(), "a\\*b*");
        assert_eq!(p.shape(), (PatternShape::StartsWith, "a*b".into()));
        // Without an escape character a backslash is text, kept as is.
        assert_eq!(
            Pattern::parse("C:\\Windows\\*\\cmd.exe", None).glob(),
            "C:\\Windows\\*\\cmd.exe"
        );
        // A trailing escape is literal.
        assert_eq!(
            Pattern::parse("a\\", Some('\\')).shape(),
            (PatternShape::Exact, "a\\".into())
        );
    }

    #[test]
    fn built_part_by_part() {
        let mut p = Pattern::new();
        p.push(PatternPart::AnyRun);
        p.push(PatternPart::Text("ab".into()));
        p.push(PatternPart::Text(String::new()));
        p.push_char('c');
        p.push(PatternPart::AnyRun);
        assert_eq!(p.parts().len(), 3);
        assert_eq!(p.lowered(), (Op::Contains, Value::from("abc")));
    }
}
