//! Read access to a spanned TOML document, and the map from a TOML string
//! value back to the file.
//!
//! The loader reads `toml`'s `DeTable`: every key and value keeps its byte
//! range in the file, so a query's position is known exactly and a wrong
//! field can be pointed at.

use ruledex_ir::{OffsetMap, Span};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A spanned TOML value.
pub type Value<'i> = Spanned<DeValue<'i>>;

/// Deepest nesting converted to JSON for `properties`; deeper parts become
/// a marker string (TOML in rule files is at most a few levels deep).
const MAX_JSON_DEPTH: usize = 32;

/// The span of a spanned value, as an IR span.
pub fn span_of<T>(value: &Spanned<T>) -> Span {
    Span::from_range(value.span())
}

/// `table[key]`.
pub fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Value<'i>> {
    table.get(key)
}

/// `table[key]` as a string.
pub fn get_str<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    get(table, key).and_then(|v| v.get_ref().as_str())
}

/// `table[key]` as a table.
pub fn get_table<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    get(table, key).and_then(|v| v.get_ref().as_table())
}

/// A string or a list of strings, as a list (other items are skipped);
/// `None` when the value has another type.
pub fn strings(value: &DeValue<'_>) -> Option<Vec<String>> {
    match value {
        DeValue::String(s) => Some(vec![s.to_string()]),
        DeValue::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| i.get_ref().as_str().map(str::to_string))
                .collect(),
        ),
        _ => None,
    }
}

/// A TOML value as JSON, for `Rule::properties`.
pub fn to_json(value: &DeValue<'_>) -> serde_json::Value {
    to_json_at(value, 0)
}

fn to_json_at(value: &DeValue<'_>, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    if depth > MAX_JSON_DEPTH {
        return J::String("<nested too deep>".into());
    }
    match value {
        DeValue::String(s) => J::String(s.to_string()),
        DeValue::Integer(i) => {
            let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
            let (sign, body) = match digits.strip_prefix('-') {
                Some(rest) => (-1i64, rest.to_string()),
                None => (1, digits.trim_start_matches('+').to_string()),
            };
            let body = body
                .strip_prefix("0x")
                .or_else(|| body.strip_prefix("0o"))
                .or_else(|| body.strip_prefix("0b"))
                .unwrap_or(&body);
            match i64::from_str_radix(body, i.radix()) {
                Ok(n) => J::from(sign * n),
                Err(_) => J::String(i.as_str().to_string()),
            }
        }
        DeValue::Float(f) => {
            let text: String = f.as_str().chars().filter(|c| *c != '_').collect();
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| J::String(f.as_str().to_string()), J::Number)
        }
        DeValue::Boolean(b) => J::Bool(*b),
        DeValue::Datetime(d) => J::String(d.to_string()),
        DeValue::Array(items) => J::Array(
            items
                .iter()
                .map(|i| to_json_at(i.get_ref(), depth + 1))
                .collect(),
        ),
        DeValue::Table(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| (k.get_ref().to_string(), to_json_at(v.get_ref(), depth + 1)))
                .collect(),
        ),
    }
}

/// Where a TOML string's content starts in the file, and the map from the
/// string's bytes to file bytes.
///
/// - `'''…'''` (multi-line literal): verbatim after the delimiter and the
///   newline TOML trims right after it — a linear shift.
/// - `'…'` (literal): verbatim after the quote.
/// - `"…"` / `"""…"""` (basic): escapes and line-ending backslashes change
///   lengths, so each line of the value is located in the file in turn
///   ([`OffsetMap::locate_lines`]); when the raw text equals the value, the
///   map is a plain shift.
pub fn string_map(file: &str, span: Span, value: &str) -> (u32, OffsetMap) {
    let raw = span.slice(file);
    let (delimiter, literal) = if raw.starts_with("'''") {
        (3, true)
    } else if raw.starts_with("\"\"\"") {
        (3, false)
    } else if raw.starts_with('\'') {
        (1, true)
    } else {
        (1, false)
    };
    let mut start = span.start as usize + delimiter;
    if delimiter == 3 {
        let rest = file.get(start..).unwrap_or("");
        if rest.starts_with("\r\n") {
            start += 2;
        } else if rest.starts_with('\n') {
            start += 1;
        }
    }
    let start = start.min(file.len());
    let verbatim = file
        .get(start..start + value.len())
        .is_some_and(|text| text == value);
    let start32 = u32::try_from(start).unwrap_or(u32::MAX);
    // A literal string is verbatim by definition; when it is not (TOML
    // error recovery), fall back to locating its lines.
    if verbatim || (literal && value.is_empty()) {
        (start32, OffsetMap::shifted(start32))
    } else {
        (start32, locate_lines(file, start32, value))
    }
}

/// [`OffsetMap::locate_lines`] from `from` moved back to a character
/// boundary: after TOML error recovery a value's span can start anywhere,
/// and slicing the file there would panic.
pub fn locate_lines(file: &str, from: u32, value: &str) -> OffsetMap {
    let mut from = (from as usize).min(file.len());
    while !file.is_char_boundary(from) {
        from -= 1;
    }
    OffsetMap::locate_lines(file, u32::try_from(from).unwrap_or(u32::MAX), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_value(file: &str) -> (Span, String) {
        let doc = DeTable::parse(file).unwrap();
        let v = get(doc.get_ref(), "query").unwrap();
        (span_of(v), v.get_ref().as_str().unwrap().to_string())
    }

    #[test]
    fn multiline_literal_maps_after_the_first_newline() {
        let file = "a = 1\nquery = '''\nprocess where x == 1\n  and y : \"z\"\n'''\n";
        let (span, value) = query_value(file);
        let (_, map) = string_map(file, span, &value);
        let at = value.find("and").unwrap() as u32;
        let in_file = map.to_file(at) as usize;
        assert_eq!(&file[in_file..in_file + 3], "and");
    }

    #[test]
    fn basic_string_with_escapes_maps_line_by_line() {
        let file = "query = \"\"\"\nprocess where a : \\\"x\\\"\n  and b == 1\n\"\"\"\n";
        let (span, value) = query_value(file);
        assert!(value.contains("\"x\""));
        let (_, map) = string_map(file, span, &value);
        let at = value.find("and").unwrap() as u32;
        let in_file = map.to_file(at) as usize;
        assert_eq!(&file[in_file..in_file + 3], "and");
    }

    #[test]
    fn single_line_strings_map_after_the_quote() {
        let file = "query = 'any where true'\n";
        let (span, value) = query_value(file);
        let (start, map) = string_map(file, span, &value);
        assert_eq!(&file[start as usize..start as usize + 3], "any");
        assert_eq!(map.to_file(4) as usize, file.find("where").unwrap());
    }
}
