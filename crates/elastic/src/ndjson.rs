//! Elastic detection rules as NDJSON: one rule object per line, as Kibana's
//! rule export writes them and as pySigma's Elasticsearch backends do
//! (`siem_rule_ndjson`).
//!
//! Each line is the detection engine's own rule object: `rule_id`, `name`,
//! `type`, `language`, `query`, `index`, `threat`, … (the same keys as the
//! `[rule]` table of a TOML rule, in JSON). Lines that are not rules — the
//! export's closing `{"exported_count": …}` summary, exception lists,
//! action connectors — are skipped. The query is located in the line
//! through its JSON string literal, escapes included, so the diagnostics of
//! the query's parser point at the right line and column.
//!
//! ```
//! use ruledex_elastic::ndjson::NdjsonFormat;
//! use ruledex_ir::{DataSourceKind, Language, RuleFormat, SourceFile};
//!
//! let text = concat!(
//!     r#"{"rule_id":"r-1","name":"Certutil download","type":"query","language":"lucene","#,
//!     r#""index":["logs-*"],"query":"process.name:certutil.exe AND process.args:\"-urlcache\""}"#,
//!     "\n",
//!     r#"{"exported_count":1,"exported_rules_count":1,"missing_rules":[]}"#,
//!     "\n",
//! );
//! let file = SourceFile::standalone("export/rules.ndjson", text);
//! assert!(NdjsonFormat.sniff(&file));
//! let rules = NdjsonFormat.load(&file);
//! assert_eq!(rules.len(), 1, "the export summary is not a rule");
//! assert_eq!(rules[0].language, Language::Lucene);
//! assert_eq!(rules[0].indicators[1].values[0], "-urlcache".into());
//! assert_eq!(rules[0].data_sources[0].kind, DataSourceKind::Index);
//! ```

use ruledex_ir::{
    resolve_positions, AttackKind, AttackRef, DataSource, DataSourceKind, Diagnostic, Language,
    OffsetMap, OutputField, Platform, Query, Rule, RuleClass, RuleFormat, Severity, SourceFile,
    Span,
};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The Elastic NDJSON rule format (`elastic-ndjson`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NdjsonFormat;

/// The format name recorded in provenance.
pub const FORMAT_NAME: &str = "elastic-ndjson";

/// Diagnostic codes of the NDJSON loader. Stable; never reused. Problems
/// that NDJSON rules share with TOML rules (a missing query, an unknown
/// language, a malformed threat, a wrong type) carry the TOML loader's
/// codes ([`crate::codes`]).
pub mod codes {
    ruledex_ir::diagnostic_codes! {
        /// Every code of the NDJSON loader of its own.
        pub const ALL;

        /// A line is not valid JSON, or not a JSON object.
        MALFORMED_LINE = "ELA111";
    }
}

/// Extensions of NDJSON files.
const EXTENSIONS: [&str; 2] = ["ndjson", "jsonl"];

/// `[rule]` keys that map to `Rule` fields (every other key goes to
/// `properties`).
const RULE_FIELD_KEYS: [&str; 16] = [
    "rule_id",
    "id",
    "name",
    "description",
    "severity",
    "type",
    "language",
    "query",
    "index",
    "from",
    "interval",
    "author",
    "tags",
    "references",
    "false_positives",
    "threat",
];

impl RuleFormat for NdjsonFormat {
    fn name(&self) -> &'static str {
        FORMAT_NAME
    }

    /// Its own codes, the TOML loader's (shared problems) and the query
    /// languages'.
    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[
            codes::ALL,
            crate::codes::ALL,
            ruledex_eql::Code::CODES,
            ruledex_esql::ErrorCode::CODES,
            ruledex_kuery::ErrorCode::CODES,
            ruledex_lucene::ErrorCode::CODES,
        ]
    }

    /// An `.ndjson`/`.jsonl` file whose first line is an object naming a
    /// detection rule's `rule_id`, or a `query` with its `language`.
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        if !EXTENSIONS.contains(&file.extension().as_str()) {
            return false;
        }
        let Some(first) = file
            .text
            .trim_start_matches('\u{feff}')
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
        else {
            return false;
        };
        first.starts_with('{')
            && (first.contains("\"rule_id\"")
                || (first.contains("\"query\"") && first.contains("\"language\"")))
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let lines = rule_lines(file.text);
        let several = lines.len() > 1;
        let mut rules: Vec<Rule> = lines
            .into_iter()
            .enumerate()
            .map(|(n, line)| load_line(file, &line, several.then_some(n)))
            .collect();
        resolve_positions(&mut rules, file.text);
        rules
    }
}

/// A line of the file that holds a rule (or fails to parse, which is
/// reported on a rule of its own).
struct Line<'t> {
    /// Byte offset of the line in the file.
    start: usize,
    /// The line without its line break.
    text: &'t str,
    /// The line, parsed.
    parsed: Result<Object<'t>, serde_json::Error>,
}

/// A rule object: its values, and the raw JSON of each top-level value
/// (which borrows from the line, so its place in the file is known).
struct Object<'t> {
    values: Map<String, Value>,
    raw: HashMap<String, &'t RawValue>,
}

/// The lines of `text` that are rules or malformed, in order.
fn rule_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let lead = content.len() - content.trim_start_matches(['\u{feff}', ' ', '\t']).len();
        let content = &content[lead..];
        let at = start + lead;
        start += line.len();
        if content.trim().is_empty() {
            continue;
        }
        let parsed = parse_object(content);
        if parsed.as_ref().is_ok_and(|o| !is_rule(&o.values)) {
            continue;
        }
        out.push(Line {
            start: at,
            text: content,
            parsed,
        });
    }
    out
}

fn parse_object(line: &str) -> Result<Object<'_>, serde_json::Error> {
    let values: Map<String, Value> = serde_json::from_str(line)?;
    let raw: HashMap<String, &RawValue> = serde_json::from_str(line)?;
    Ok(Object { values, raw })
}

/// Whether an object of an export is a detection rule: it has a rule type
/// or a query, and is not the export summary.
fn is_rule(values: &Map<String, Value>) -> bool {
    !values.contains_key("exported_count")
        && (values.contains_key("query") || values.contains_key("rule_id"))
}

/// A rule of `file`, `index` when the file holds several.
fn empty_rule(file: &SourceFile<'_>, index: Option<usize>) -> Rule {
    let id = match index {
        Some(i) => format!("{}#{}", file.path, i + 1),
        None => file.path.to_string(),
    };
    Rule {
        id,
        title: file.stem().to_string(),
        platform: Platform::Elastic,
        language: Language::Kuery,
        provenance: file.provenance(FORMAT_NAME, index),
        body: file.text.to_string(),
        ..Rule::default()
    }
}

fn load_line(file: &SourceFile<'_>, line: &Line<'_>, index: Option<usize>) -> Rule {
    let mut rule = empty_rule(file, index);
    let object = match &line.parsed {
        Ok(object) => object,
        Err(error) => {
            // serde_json counts columns in bytes from 1; the line is one line.
            let column = error.column().saturating_sub(1).min(line.text.len());
            let at = to_u32(line.start + column);
            rule.diagnostics.push(
                Diagnostic::error(codes::MALFORMED_LINE, format!("invalid JSON rule: {error}"))
                    .with_span(Span::new(
                        at,
                        at.saturating_add(1).min(to_u32(file.text.len())),
                    )),
            );
            return rule;
        }
    };
    let mut reader = Reader {
        line,
        object,
        diagnostics: Vec::new(),
    };
    if let Some(id) = reader.string("rule_id").or_else(|| reader.string("id")) {
        rule.id = id;
    }
    if let Some(name) = reader.string("name") {
        rule.title = name;
    }
    rule.description = reader.string("description");
    if let Some(text) = reader.string("severity") {
        rule.severity = Severity::parse(&text);
        if rule.severity.is_none() {
            let d = Diagnostic::warning(
                crate::codes::UNKNOWN_SEVERITY,
                format!("unknown severity `{text}` (low, medium, high, critical)"),
            )
            .with_span(reader.span("severity"));
            reader.diagnostics.push(d);
        }
    }
    rule.authors = reader.list("author");
    rule.tags = reader.list("tags");
    rule.references = reader.list("references");
    rule.false_positives = reader.list("false_positives");
    rule.schedule.frequency = reader.string("interval");
    rule.schedule.lookback = reader.string("from");
    let kind = reader.string("type");
    rule.kind = kind.clone();
    let kind = kind.unwrap_or_default();
    if object.values.contains_key("building_block_type") {
        rule.add_class(RuleClass::BuildingBlock);
    }
    for (key, value) in &object.values {
        if !RULE_FIELD_KEYS.contains(&key.as_str()) {
            rule.properties.insert(key.clone(), value.clone());
        }
    }
    if let Some(threat) = object.values.get("threat") {
        read_threat(&mut reader, threat, &mut rule.attack);
    }
    for pattern in reader.list("index") {
        let source = DataSource::new(DataSourceKind::Index, pattern);
        if !rule.data_sources.contains(&source) {
            rule.data_sources.push(source);
        }
    }
    // The API spells the TOML `[rule.threshold]` and `[rule.new_terms]`
    // outputs `threshold.field` and `new_terms_fields`.
    let threshold = object
        .values
        .get("threshold")
        .and_then(|t| t.get("field"))
        .map(strings)
        .unwrap_or_default();
    for (name, source) in threshold.into_iter().map(|f| (f, "threshold")).chain(
        reader
            .list("new_terms_fields")
            .into_iter()
            .map(|f| (f, "new_terms")),
    ) {
        rule.outputs.push(OutputField {
            name,
            source: source.into(),
            stage: None,
        });
    }

    // The language and the query.
    let declared = reader.string("language");
    let language = declared
        .as_deref()
        .and_then(crate::language_of)
        .or(match kind.as_str() {
            "eql" => Some(Language::Eql),
            "esql" => Some(Language::Esql),
            _ => None,
        });
    rule.language = language.unwrap_or(Language::Kuery);
    match (object.raw.get("query"), object.values.get("query")) {
        (Some(raw), Some(Value::String(text))) => {
            if let (Some(name), None) = (&declared, language) {
                let d = Diagnostic::error(
                    crate::codes::UNKNOWN_LANGUAGE,
                    format!(
                        "unknown query language `{name}` (kuery, lucene, eql or esql); the query is kept as text"
                    ),
                )
                .with_span(reader.span("language"));
                reader.diagnostics.push(d);
                rule.properties
                    .insert("query".into(), Value::String(text.clone()));
            } else {
                let at = line.start + offset_in(line.text, raw.get());
                let (text, map) = decode_string(raw.get(), to_u32(at))
                    .unwrap_or_else(|| (text.clone(), OffsetMap::shifted(to_u32(at + 1))));
                attach_query(&mut rule, file.text, text, map);
            }
        }
        (Some(_), _) => reader.wrong_type("query", "a string"),
        (None, _) if !kind.is_empty() && kind != "machine_learning" => {
            let d = Diagnostic::error(
                crate::codes::MISSING_QUERY,
                format!("a `{kind}` rule needs a `query`"),
            )
            .with_span(Span::new(
                to_u32(line.start),
                to_u32(line.start + line.text.len()),
            ));
            reader.diagnostics.push(d);
        }
        (None, _) => {}
    }
    let mut diagnostics = reader.diagnostics;
    diagnostics.append(&mut rule.diagnostics);
    rule.diagnostics = diagnostics;
    crate::finish(&mut rule);
    rule
}

/// Analyze `text`, whose bytes map to the file through `map`, as the rule's
/// query.
fn attach_query(rule: &mut Rule, file: &str, text: String, map: OffsetMap) {
    let language = rule.language;
    let line = ruledex_ir::LineIndex::new(file)
        .line_col(file, map.to_file(0))
        .line;
    if let Some(analysis) = crate::dispatch::analyze(language, &text, &map) {
        rule.absorb(analysis);
    }
    rule.query = Some(Query {
        language,
        text,
        line,
    });
}

/// Reads typed values of one rule object, collecting diagnostics.
struct Reader<'a, 't> {
    line: &'a Line<'t>,
    object: &'a Object<'t>,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_, '_> {
    /// The span of the value of `key` in the file (the line when absent).
    fn span(&self, key: &str) -> Span {
        match self.object.raw.get(key) {
            Some(raw) => {
                let start = self.line.start + offset_in(self.line.text, raw.get());
                Span::new(to_u32(start), to_u32(start + raw.get().len()))
            }
            None => Span::new(
                to_u32(self.line.start),
                to_u32(self.line.start + self.line.text.len()),
            ),
        }
    }

    fn wrong_type(&mut self, key: &str, expected: &str) {
        let found = match self.object.values.get(key) {
            Some(Value::Null) => "null",
            Some(Value::Bool(_)) => "a boolean",
            Some(Value::Number(_)) => "a number",
            Some(Value::String(_)) => "a string",
            Some(Value::Array(_)) => "an array",
            Some(Value::Object(_)) | None => "an object",
        };
        let d = Diagnostic::warning(
            crate::codes::WRONG_TYPE,
            format!("`{key}` should be {expected}, not {found}"),
        )
        .with_span(self.span(key));
        self.diagnostics.push(d);
    }

    /// `key` as a string (numbers are written out); wrong types are
    /// reported.
    fn string(&mut self, key: &str) -> Option<String> {
        match self.object.values.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            _ => {
                self.wrong_type(key, "a string");
                None
            }
        }
    }

    /// `key` as a list of strings (a single string counts).
    fn list(&mut self, key: &str) -> Vec<String> {
        match self.object.values.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(value @ (Value::String(_) | Value::Array(_))) => strings(value),
            Some(_) => {
                self.wrong_type(key, "a string or a list of strings");
                Vec::new()
            }
        }
    }
}

/// A string or a list of strings, as a list (other items are skipped).
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// ATT&CK references of a `threat` list: tactics, techniques and
/// sub-techniques, each once.
fn read_threat(reader: &mut Reader<'_, '_>, threat: &Value, out: &mut Vec<AttackRef>) {
    let span = reader.span("threat");
    let mut bad = |message: &str| {
        reader
            .diagnostics
            .push(Diagnostic::warning(crate::codes::BAD_THREAT, message).with_span(span));
    };
    let Some(blocks) = threat.as_array() else {
        bad("`threat` should be a list of objects");
        return;
    };
    let mut push = |kind: AttackKind, item: &Value| {
        let r = AttackRef {
            kind,
            id: item.get("id").and_then(Value::as_str).map(str::to_string),
            name: item.get("name").and_then(Value::as_str).map(str::to_string),
        };
        if !out.contains(&r) {
            out.push(r);
        }
    };
    for block in blocks {
        let Some(tactic) = block.get("tactic").filter(|t| t.is_object()) else {
            bad("a `threat` entry without a `tactic` object");
            continue;
        };
        if tactic.get("id").and_then(Value::as_str).is_none() {
            bad("a threat tactic without an `id`");
        }
        push(AttackKind::Tactic, tactic);
        let techniques = match block.get("technique") {
            None => continue,
            Some(Value::Array(items)) => items,
            Some(_) => {
                bad("`technique` should be a list of objects");
                continue;
            }
        };
        for technique in techniques {
            if technique.get("id").and_then(Value::as_str).is_none() {
                bad("a technique without an `id`");
            }
            push(AttackKind::Technique, technique);
            if let Some(Value::Array(subs)) = technique.get("subtechnique") {
                for sub in subs {
                    push(AttackKind::Technique, sub);
                }
            }
        }
    }
}

/// Where `part` (a slice of `line`) starts in `line`; 0 when it is not a
/// slice of it.
fn offset_in(line: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    if offset + part.len() <= line.len() {
        offset
    } else {
        0
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decode the JSON string literal `raw` (quotes included) found at file
/// offset `at`: its text, and the map from the text's bytes to the file's.
/// Verbatim runs map byte for byte; each escape maps to its backslash.
/// `None` when `raw` is not a valid string literal.
pub fn decode_string(raw: &str, at: u32) -> Option<(String, OffsetMap)> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let base = at.checked_add(1)?;
    let mut text = String::with_capacity(inner.len());
    let mut segments = vec![(0u32, base)];
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < inner.len() {
        let Some(found) = inner[i..].find('\\') else {
            text.push_str(&inner[i..]);
            break;
        };
        text.push_str(&inner[i..i + found]);
        i += found;
        let (c, len) = match bytes.get(i + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => unicode_escape(inner, i)?,
            _ => return None,
        };
        segments.push((to_u32(text.len()), base.saturating_add(to_u32(i))));
        text.push(c);
        i += len;
        segments.push((to_u32(text.len()), base.saturating_add(to_u32(i))));
    }
    Some((text, OffsetMap::from_segments(segments)))
}

/// The character of the `\uXXXX` escape at `at` (a surrogate pair takes two
/// escapes), and the escape's length in bytes.
fn unicode_escape(text: &str, at: usize) -> Option<(char, usize)> {
    let hex = |from: usize| {
        text.get(from..from + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let first = hex(at + 2)?;
    if (0xD800..0xDC00).contains(&first) {
        if text.get(at + 6..at + 8) != Some("\\u") {
            return None;
        }
        let second = hex(at + 8)?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        let c = char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?;
        Some((c, 12))
    } else {
        Some((char::from_u32(first)?, 6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_maps_every_byte_back_to_the_literal() {
        let line = r#"{"query":"a:\"x\\y\" AND b:\u00e9t\u00e9 OR c:d"}"#;
        let raw_start = line.find("\"a:").unwrap();
        let raw = &line[raw_start..line.len() - 1];
        let (text, map) = decode_string(raw, raw_start as u32).unwrap();
        assert_eq!(text, "a:\"x\\y\" AND b:été OR c:d");
        for word in ["AND", "OR", "c:d", "y"] {
            let at = text.find(word).unwrap() as u32;
            let in_line = map.to_file(at) as usize;
            assert_eq!(&line[in_line..in_line + word.len()], word, "{word}");
        }
        // An escape maps to its backslash.
        let quote = map.to_file(2) as usize;
        assert_eq!(&line[quote..quote + 2], "\\\"");
    }

    #[test]
    fn surrogate_pairs_and_bad_escapes() {
        let (text, _) = decode_string(r#""\ud83d\ude00!""#, 0).unwrap();
        assert_eq!(text, "😀!");
        assert!(decode_string(r#""\ud83d""#, 0).is_none(), "lone surrogate");
        assert!(decode_string(r#""\q""#, 0).is_none());
        assert!(decode_string(r#""\"#, 0).is_none());
        assert!(decode_string("no quotes", 0).is_none());
    }

    #[test]
    fn summary_lines_are_not_rules() {
        let values: Map<String, Value> =
            serde_json::from_str(r#"{"exported_count":3,"missing_rules":[]}"#).unwrap();
        assert!(!is_rule(&values));
        let values: Map<String, Value> =
            serde_json::from_str(r#"{"list_id":"x","type":"detection"}"#).unwrap();
        assert!(!is_rule(&values), "an exception list");
    }
}
