//! Literal values that rules compare fields against, and their normal form.
//!
//! Values keep their literal type: a number stays a number (and is never
//! called case-sensitive), a timespan stays a timespan. What a value *means*
//! (a regex, a CIDR, a wildcard pattern) is said by the indicator's kind, not
//! by the value, so `"10.0.0.0/8"` under `cidr` and under `eq` are the same
//! value with different meanings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A literal value in a rule.
///
/// Serialized untagged: strings, numbers, booleans and null appear as plain
/// JSON; the rarer literal forms are objects with one key
/// (`{"timespan": "1h"}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A string, after the language's escapes were applied.
    String(String),
    /// An integer.
    Integer(i64),
    /// A floating-point number (also integers too large for `i64`).
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// An explicit null (`null`, `dynamic(null)`, Sigma `field: null`).
    Null,
    /// A duration literal, as written (`1h`, `30m`, `timespan(1d)`).
    Timespan {
        /// The literal text.
        timespan: String,
    },
    /// A date-time literal, as written (`datetime(2024-01-01)`).
    Datetime {
        /// The literal text.
        datetime: String,
    },
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    /// The value of an unquoted word, with the type its author wrote: an
    /// integer, a finite number, `true`/`false`, else a string. For query
    /// languages where `EventID:4624` compares with the number 4624 but
    /// `"4624"` with the string.
    pub fn from_unquoted(text: &str) -> Value {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Integer(i);
        }
        let numeric = text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
            && text.bytes().any(|b| b.is_ascii_digit());
        if numeric {
            if let Ok(f) = text.parse::<f64>() {
                if f.is_finite() {
                    return Value::Float(f);
                }
            }
        }
        match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_string()),
        }
    }

    /// True for string values (the only ones case sensitivity applies to).
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// The string content, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The normal form used to compare values across rules and languages.
    ///
    /// - Strings compared case-insensitively are lowercased; `case_sensitive`
    ///   is ignored for non-strings.
    /// - Integers and floats with an integral value share one form (`0` and
    ///   `0.0` are equal), and numeric strings are **not** folded into numbers:
    ///   a rule matching the string `"0"` and one matching the number `0` look
    ///   at differently typed data.
    /// - Booleans and null have fixed forms.
    pub fn normalized(&self, case_sensitive: bool) -> String {
        match self {
            Value::String(s) if case_sensitive => format!("s:{s}"),
            Value::String(s) => format!("s:{}", s.to_lowercase()),
            Value::Integer(i) => format!("n:{i}"),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("n:{}", *f as i64),
            Value::Float(f) => format!("n:{f}"),
            Value::Bool(b) => format!("b:{b}"),
            Value::Null => "null".to_string(),
            Value::Timespan { timespan } => format!("t:{}", timespan.to_lowercase()),
            Value::Datetime { datetime } => format!("d:{}", datetime.to_lowercase()),
        }
    }
}

impl fmt::Display for Value {
    /// The value as a reader expects to see it in a predicate: strings quoted
    /// with `"` (inner quotes and backslashes escaped), numbers and the rest
    /// bare.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
            Value::Integer(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Null => f.write_str("null"),
            Value::Timespan { timespan } => f.write_str(timespan),
            Value::Datetime { datetime } => f.write_str(datetime),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_strings_fold() {
        assert_eq!(
            Value::from("Azure Portal").normalized(false),
            Value::from("azure portal").normalized(false)
        );
        assert_ne!(
            Value::from("Azure Portal").normalized(true),
            Value::from("azure portal").normalized(true)
        );
    }

    #[test]
    fn numbers_ignore_case_and_representation() {
        assert_eq!(
            Value::Integer(0).normalized(true),
            Value::Float(0.0).normalized(false)
        );
        assert_ne!(
            Value::Integer(0).normalized(false),
            Value::from("0").normalized(false)
        );
    }

    #[test]
    fn unquoted_words_keep_their_type() {
        assert_eq!(Value::from_unquoted("4624"), Value::Integer(4624));
        assert_eq!(Value::from_unquoted("1.5"), Value::Float(1.5));
        assert_eq!(Value::from_unquoted("1e400"), Value::from("1e400"));
        assert_eq!(Value::from_unquoted("true"), Value::Bool(true));
        assert_eq!(Value::from_unquoted("cmd.exe"), Value::from("cmd.exe"));
        assert_eq!(Value::from_unquoted("-"), Value::from("-"));
    }

    #[test]
    fn display_quotes_and_escapes_strings() {
        assert_eq!(Value::from(r#"a"b\c"#).to_string(), r#""a\"b\\c""#);
        assert_eq!(Value::Integer(4624).to_string(), "4624");
    }

    #[test]
    fn json_shape_is_plain_for_common_values() {
        let json =
            serde_json::to_string(&vec![Value::from("x"), Value::Integer(1), Value::Null]).unwrap();
        assert_eq!(json, r#"["x",1,null]"#);
        let ts = serde_json::to_string(&Value::Timespan {
            timespan: "1h".into(),
        })
        .unwrap();
        assert_eq!(ts, r#"{"timespan":"1h"}"#);
    }
}
