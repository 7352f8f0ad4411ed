//! Sigma detection values: strings with wildcards, and the typed values the
//! modifiers turn them into — the same model pySigma uses (`sigma.types`).
//!
//! A Sigma string is parsed into parts: plain text, the wildcards `*` (any
//! characters) and `?` (one character), and `%name%` placeholders (after the
//! `expand` modifier). A backslash escapes `*`, `?` and itself; before any
//! other character it is a plain backslash (`C:\Windows` needs no escaping).
//!
//! ```
//! use ruledex_sigma::value::{Part, SigmaString};
//!
//! let s = SigmaString::parse(r"*\cmd.exe");
//! assert_eq!(s.parts, vec![Part::AnyChars, Part::Text(r"\cmd.exe".into())]);
//! let s = SigmaString::parse(r"literal \* star");
//! assert_eq!(s.parts, vec![Part::Text("literal * star".into())]);
//! ```

use std::fmt::Write as _;

/// One part of a [`SigmaString`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Plain text (escapes already applied).
    Text(String),
    /// `*`: any sequence of characters.
    AnyChars,
    /// `?`: exactly one character.
    OneChar,
    /// `%name%` after the `expand` modifier.
    Placeholder(String),
}

/// A string value with its wildcards parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SigmaString {
    /// The parts, adjacent text parts merged.
    pub parts: Vec<Part>,
}

impl SigmaString {
    /// Parse a value as written, with Sigma's escaping rules.
    pub fn parse(text: &str) -> Self {
        // Most values have no wildcard or escape: one text part.
        if !text.contains(['*', '?', '\\']) {
            return SigmaString::plain(text);
        }
        let mut parts = Vec::new();
        let mut acc = String::with_capacity(text.len());
        let mut escaped = false;
        for c in text.chars() {
            if escaped {
                if !matches!(c, '*' | '?' | '\\') {
                    acc.push('\\');
                }
                acc.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '*' || c == '?' {
                if !acc.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut acc)));
                }
                parts.push(if c == '*' {
                    Part::AnyChars
                } else {
                    Part::OneChar
                });
            } else {
                acc.push(c);
            }
        }
        if escaped {
            acc.push('\\');
        }
        if !acc.is_empty() {
            parts.push(Part::Text(acc));
        }
        SigmaString { parts }
    }

    /// A string that is all plain text (no wildcard parsing), as pySigma's
    /// `SigmaString.from_str` (used for regular expressions).
    pub fn plain(text: &str) -> Self {
        SigmaString {
            parts: if text.is_empty() {
                Vec::new()
            } else {
                vec![Part::Text(text.to_string())]
            },
        }
    }

    /// True when the string has a `*` or `?` wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::AnyChars | Part::OneChar))
    }

    /// True when the first part is `*`.
    pub fn starts_with_any(&self) -> bool {
        matches!(self.parts.first(), Some(Part::AnyChars))
    }

    /// True when the last part is `*`.
    pub fn ends_with_any(&self) -> bool {
        matches!(self.parts.last(), Some(Part::AnyChars))
    }

    /// Append a part, merging text.
    pub fn push(&mut self, part: Part) {
        if let (Part::Text(new), Some(Part::Text(last))) = (&part, self.parts.last_mut()) {
            last.push_str(new);
            return;
        }
        if matches!(&part, Part::Text(t) if t.is_empty()) {
            return;
        }
        self.parts.push(part);
    }

    /// Prepend a part, merging text.
    pub fn push_front(&mut self, part: Part) {
        if let (Part::Text(new), Some(Part::Text(first))) = (&part, self.parts.first_mut()) {
            first.insert_str(0, new);
            return;
        }
        self.parts.insert(0, part);
    }

    /// The value as a wildcard pattern, `%name%` placeholders as text.
    pub fn pattern(&self) -> ruledex_ir::Pattern {
        let mut pattern = ruledex_ir::Pattern::new();
        for part in &self.parts {
            pattern.push(match part {
                Part::Text(t) => ruledex_ir::PatternPart::Text(t.clone()),
                Part::AnyChars => ruledex_ir::PatternPart::AnyRun,
                Part::OneChar => ruledex_ir::PatternPart::AnyChar,
                Part::Placeholder(name) => ruledex_ir::PatternPart::Text(format!("%{name}%")),
            });
        }
        pattern
    }

    /// The text with wildcards written bare and no escaping, as pySigma's
    /// `to_plain(regex=True)` (the bytes the base64 modifiers encode).
    pub fn to_raw(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::AnyChars => out.push('*'),
                Part::OneChar => out.push('?'),
                Part::Placeholder(name) => {
                    let _ = write!(out, "%{name}%");
                }
            }
        }
        out
    }

    /// Unambiguous form used by the differential dump: literal `\ * ? %`
    /// escaped with `\`, wildcards bare, placeholders as `%name%`.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => {
                    for c in t.chars() {
                        if matches!(c, '\\' | '*' | '?' | '%') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
                Part::AnyChars => out.push('*'),
                Part::OneChar => out.push('?'),
                Part::Placeholder(name) => {
                    let _ = write!(out, "%{name}%");
                }
            }
        }
        out
    }
}

/// A number as pySigma keeps it: an integer when the value is integral.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// Integral value.
    Int(i64),
    /// Non-integral (or too large) value.
    Float(f64),
}

impl Number {
    /// A number from a float, integral values becoming integers.
    pub fn from_f64(f: f64) -> Number {
        if f.fract() == 0.0 && f.abs() < 9.0e18 {
            Number::Int(f as i64)
        } else {
            Number::Float(f)
        }
    }

    /// Canonical text (Python's `str`/`repr`).
    pub fn canonical(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => python_float_repr(*f),
        }
    }

    /// As an IR value.
    pub fn to_ir(self) -> ruledex_ir::Value {
        match self {
            Number::Int(i) => ruledex_ir::Value::Integer(i),
            Number::Float(f) => ruledex_ir::Value::Float(f),
        }
    }
}

/// Python's `repr` of a float (`1.5`, `1e+20`, `inf`).
pub fn python_float_repr(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f.is_nan() {
        return "nan".into();
    }
    let s = format!("{f:?}");
    // Rust prints 1e20 as 1e20, Python as 1e+20.
    if let Some((m, e)) = s.split_once('e') {
        if !e.starts_with('-') {
            return format!("{m}e+{e}");
        }
    }
    s
}

/// Numeric comparison of the `gt`/`gte`/`lt`/`lte` modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `lt`
    Lt,
    /// `lte`
    Lte,
    /// `gt`
    Gt,
    /// `gte`
    Gte,
}

impl CompareOp {
    /// pySigma's name (`gte`).
    pub fn name(self) -> &'static str {
        match self {
            CompareOp::Lt => "lt",
            CompareOp::Lte => "lte",
            CompareOp::Gt => "gt",
            CompareOp::Gte => "gte",
        }
    }
}

/// Part of a timestamp selected by a time modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimePart {
    /// `minute`
    Minute,
    /// `hour`
    Hour,
    /// `day`
    Day,
    /// `week`
    Week,
    /// `month`
    Month,
    /// `year`
    Year,
}

impl TimePart {
    /// The modifier name.
    pub fn name(self) -> &'static str {
        match self {
            TimePart::Minute => "minute",
            TimePart::Hour => "hour",
            TimePart::Day => "day",
            TimePart::Week => "week",
            TimePart::Month => "month",
            TimePart::Year => "year",
        }
    }
}

/// A value of a detection item, before or after modifiers.
#[derive(Clone, Debug, PartialEq)]
pub enum SigmaValue {
    /// A string with wildcards (case-insensitive).
    String(SigmaString),
    /// A string matched case-sensitively (`cased`).
    Cased(SigmaString),
    /// A number.
    Number(Number),
    /// A part of a timestamp compared to a number (`hour`, …).
    TimestampPart(TimePart, Number),
    /// A boolean.
    Bool(bool),
    /// `null` (or an empty value list).
    Null,
    /// A regular expression (`re`) with its flags (`i`, `m`, `s`).
    Regex {
        /// The pattern.
        pattern: String,
        /// Flags, sorted letters.
        flags: String,
    },
    /// An IP network (`cidr`).
    Cidr(String),
    /// A numeric comparison (`gt`, …), of a timestamp part when a time
    /// modifier came first.
    Compare(CompareOp, Number, Option<TimePart>),
    /// Another field (`fieldref`), possibly as prefix/suffix/substring.
    FieldRef {
        /// The field.
        field: String,
        /// `startswith` / `contains` applied.
        starts_with: bool,
        /// `endswith` / `contains` applied.
        ends_with: bool,
    },
    /// Field existence (`exists`).
    Exists(bool),
    /// Alternatives produced by `base64offset` and `windash`.
    Expansion(Vec<SigmaValue>),
    /// Hayabusa's `regexes: file` (`matches`) or `allowlist: file` (matches
    /// none): regular expressions listed in a file beside the rules.
    RegexList {
        /// The file, as written.
        file: String,
        /// True for `regexes`, false for `allowlist`.
        matches: bool,
    },
}

impl SigmaValue {
    /// pySigma's type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            SigmaValue::String(_) => "string",
            SigmaValue::Cased(_) => "cased string",
            SigmaValue::Number(_) => "number",
            SigmaValue::TimestampPart(..) => "timestamp part",
            SigmaValue::Bool(_) => "boolean",
            SigmaValue::Null => "null",
            SigmaValue::Regex { .. } => "regular expression",
            SigmaValue::Cidr(_) => "CIDR network",
            SigmaValue::Compare(..) => "comparison",
            SigmaValue::FieldRef { .. } => "field reference",
            SigmaValue::Exists(_) => "existence check",
            SigmaValue::Expansion(_) => "expansion",
            SigmaValue::RegexList { .. } => "regular expressions from a file",
        }
    }

    /// The canonical text the differential dump compares (same as
    /// `tools/diff/sigma/pysigma_dump.py`).
    pub fn canonical(&self) -> String {
        match self {
            SigmaValue::String(s) => format!("s:{}", s.canonical()),
            SigmaValue::Cased(s) => format!("cased:{}", s.canonical()),
            SigmaValue::Number(n) => format!("n:{}", n.canonical()),
            SigmaValue::TimestampPart(p, n) => format!("ts:{}:{}", p.name(), n.canonical()),
            SigmaValue::Bool(b) => format!("b:{b}"),
            SigmaValue::Null => "null".to_string(),
            SigmaValue::Regex { pattern, flags } => format!("re:{flags}:{pattern}"),
            SigmaValue::Cidr(c) => format!("cidr:{c}"),
            SigmaValue::Compare(op, n, None) => format!("cmp:{}:n:{}", op.name(), n.canonical()),
            SigmaValue::Compare(op, n, Some(p)) => {
                format!("cmp:{}:ts:{}:{}", op.name(), p.name(), n.canonical())
            }
            SigmaValue::FieldRef {
                field,
                starts_with,
                ends_with,
            } => format!(
                "fieldref:{}{field}{}",
                if *starts_with { "*" } else { "" },
                if *ends_with { "*" } else { "" }
            ),
            SigmaValue::Exists(b) => format!("exists:{b}"),
            SigmaValue::RegexList { file, matches } => {
                format!("re_list:{}:{file}", if *matches { "any" } else { "none" })
            }
            SigmaValue::Expansion(values) => {
                let inner: Vec<String> = values.iter().map(SigmaValue::canonical).collect();
                format!(
                    "any:{}",
                    serde_json::to_string(&inner).unwrap_or_else(|_| "[]".into())
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_sigma_rules() {
        assert_eq!(
            SigmaString::parse(r"a\\*").parts,
            vec![Part::Text(r"a\".into()), Part::AnyChars]
        );
        assert_eq!(
            SigmaString::parse(r"a\?b").parts,
            vec![Part::Text("a?b".into())]
        );
        assert_eq!(
            SigmaString::parse(r"trailing\").parts,
            vec![Part::Text(r"trailing\".into())]
        );
        assert_eq!(SigmaString::parse("").parts, vec![]);
    }

    #[test]
    fn wildcard_positions_classify() {
        use ruledex_ir::PatternShape as S;
        let c = |s: &str| SigmaString::parse(s).pattern().shape();
        assert_eq!(c("*foo*"), (S::Contains, "foo".into()));
        assert_eq!(c("foo*"), (S::StartsWith, "foo".into()));
        assert_eq!(c(r"*\cmd.exe"), (S::EndsWith, r"\cmd.exe".into()));
        assert_eq!(c("foo"), (S::Exact, "foo".into()));
        assert_eq!(c("f*o"), (S::Glob, "f*o".into()));
        assert_eq!(c("*"), (S::Any, "*".into()));
        assert_eq!(c("**"), (S::Glob, "**".into()));
        assert_eq!(c("*a?b*"), (S::Glob, "*a?b*".into()));
        assert_eq!(c(r"\*lit"), (S::Exact, "*lit".into()));
        assert_eq!(c(r"*\*lit"), (S::EndsWith, "*lit".into()));
        assert_eq!(c("*%name%*"), (S::Contains, "%name%".into()));
    }

    #[test]
    fn canonical_escapes_literals() {
        assert_eq!(
            SigmaString::parse(r"C:\x\*%y%*").canonical(),
            r"C:\\x\*\%y\%*"
        );
        assert_eq!(Number::Float(1.5).canonical(), "1.5");
        assert_eq!(Number::from_f64(2.0), Number::Int(2));
    }
}
