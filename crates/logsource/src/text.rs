//! Small text helpers shared by the tables: case folding, glob matching and
//! the textual form of filter values.

use ruledex_ir::Value;

/// Lower-case for comparisons (ASCII and Unicode).
pub(crate) fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

/// `*` matches any run of characters, `?` one character; case-insensitive.
/// Iterative with backtracking to the last star: linear in practice, never
/// exponential.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = fold(pattern).chars().collect();
    let text: Vec<char> = fold(text).chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// True when `name` contains a glob character.
pub(crate) fn is_glob(name: &str) -> bool {
    name.contains('*') || name.contains('?')
}

/// The part of a glob before its first wildcard.
pub(crate) fn literal_prefix(name: &str) -> &str {
    let end = name.find(['*', '?']).unwrap_or(name.len());
    &name[..end]
}

/// The text a filter value compares as: strings as written, integral
/// numbers without a fraction (`4688.0` → `4688`), booleans as `true`/`false`.
pub(crate) fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some((*f as i64).to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Two filter values are the same when equal ignoring case, or when both
/// are integers of the same value (`"0004688"` and `4688`).
pub(crate) fn same_value(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.eq_ignore_ascii_case(b) || fold(a) == fold(b) {
        return true;
    }
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "logs-aws.cloudtrail-*",
            "LOGS-aws.cloudtrail-default"
        ));
        assert!(glob_match("Device*Events", "DeviceProcessEvents"));
        assert!(!glob_match("Device*Events", "DeviceInfo"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a*b*c", "acb"));
        // Many stars against a long text stays fast.
        let text = "a".repeat(5000);
        assert!(!glob_match("*a*a*a*a*a*a*a*b", &text));
    }

    #[test]
    fn values() {
        assert!(same_value("4688", "04688"));
        assert!(same_value("ConsoleLogin", "consolelogin"));
        assert!(!same_value("4688", "4624"));
        assert_eq!(value_text(&Value::Float(4688.0)).as_deref(), Some("4688"));
    }
}
