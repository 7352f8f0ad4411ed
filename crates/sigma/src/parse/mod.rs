//! From YAML documents to Sigma rules, correlation rules and filters, with
//! pySigma's checks and every problem reported as a diagnostic at its key or
//! value.
//!
//! [`parse_file`] reads every document of a file, merges `action: global`
//! and `action: repeat` documents as pySigma (and legacy sigmac) do, and
//! returns one [`SigmaDocument`] per rule document.

use crate::codes;
use crate::condition::{parse_condition, select, Aggregation, Condition, Expr};
use crate::modifier::{apply_modifiers, Modifier, ModifierError};
use crate::value::{Number, SigmaString, SigmaValue};
use ruledex_ir::{Diagnostic, OffsetMap, Span};
use ruledex_yaml::{Node, Resolved, Style, Value as YamlValue};
use std::collections::{HashMap, HashSet};

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// A detection rule.
    Rule,
    /// A correlation rule (`correlation:`).
    Correlation,
    /// A filter (`filter:`).
    Filter,
}

impl DocumentKind {
    /// `rule`, `correlation`, `filter`.
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Rule => "rule",
            DocumentKind::Correlation => "correlation",
            DocumentKind::Filter => "filter",
        }
    }
}

/// One detection item: a field (or none for keywords), its modifiers and
/// values.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The field; `None` for keyword items.
    pub field: Option<String>,
    /// Modifier names as written.
    pub modifier_names: Vec<String>,
    /// Parsed modifiers (unknown ones left out).
    pub modifiers: Vec<Modifier>,
    /// Values before modifiers (typed as PyYAML types them).
    pub values: Vec<SigmaValue>,
    /// Values after the modifiers, encoding modifiers left out (what the
    /// author looks for); `None` when the same as `values`. See
    /// [`Item::semantic`].
    pub semantic_values: Option<Vec<SigmaValue>>,
    /// `all`: values AND-linked.
    pub all: bool,
    /// `neq`: negated.
    pub negated: bool,
    /// The key (`Field|mod`), for field items.
    pub key_span: Option<Span>,
    /// The value node.
    pub value_span: Span,
}

impl Item {
    /// Values after every modifier, encodings applied: pySigma's final
    /// values (base64 forms, windash variants). Computed on demand: the
    /// rule model does not need them, the differential dump does.
    pub fn expanded(&self) -> Vec<SigmaValue> {
        if self.modifiers.is_empty() {
            return self.values.clone();
        }
        apply_modifiers(
            &self.modifiers,
            self.values.clone(),
            self.field.is_some(),
            true,
        )
        .map_or_else(|_| self.values.clone(), |a| a.values)
    }

    /// Values after the non-encoding modifiers: what ruledex's indicators
    /// use.
    pub fn semantic(&self) -> &[SigmaValue] {
        self.semantic_values.as_deref().unwrap_or(&self.values)
    }
}

/// A detection or nested part of one (pySigma's `SigmaDetection`).
#[derive(Clone, Debug, PartialEq)]
pub struct DetectionNode {
    /// Items and nested detections.
    pub children: Vec<DetectionChild>,
    /// True when children are AND-linked (a map); false for lists.
    pub and: bool,
    /// Where.
    pub span: Span,
}

/// A child of a [`DetectionNode`].
#[derive(Clone, Debug, PartialEq)]
pub enum DetectionChild {
    /// A detection item.
    Item(Item),
    /// A nested detection (an element of a list of maps).
    Nested(DetectionNode),
}

/// A named detection.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// The name.
    pub name: String,
    /// The name's key.
    pub key_span: Span,
    /// Key and value.
    pub span: Span,
    /// The logic.
    pub node: DetectionNode,
}

/// One entry of `condition` (a string, or one element of a list).
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionEntry {
    /// The text.
    pub text: String,
    /// The YAML scalar's span.
    pub span: Span,
    /// Maps condition offsets to the file.
    pub map: OffsetMap,
    /// The parse, when it succeeded.
    pub parsed: Option<Condition>,
}

/// The `detection:` (or a filter's `filter:`) section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detections {
    /// Named detections in order (without `condition`, filter `rules`,
    /// and a legacy `timeframe`).
    pub detections: Vec<Detection>,
    /// Condition entries.
    pub conditions: Vec<ConditionEntry>,
    /// A legacy `timeframe:` in the detection section.
    pub timeframe: Option<(String, Span)>,
    /// The section's span.
    pub span: Span,
}

/// A correlation section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Correlation {
    /// `type` as written.
    pub kind: Option<String>,
    /// Referenced rules (ids or names) with spans.
    pub rules: Vec<(String, Span)>,
    /// `group-by` fields.
    pub group_by: Vec<(String, Span)>,
    /// `timespan` as written.
    pub timespan: Option<String>,
    /// Basic condition: operator, threshold, field.
    pub condition: Option<(String, String, Option<String>)>,
    /// Extended (temporal) condition expression.
    pub extended: Option<(Expr, String)>,
    /// `aliases`: alias → (rule → field).
    pub aliases: Vec<(String, Vec<(String, String)>)>,
    /// `generate`.
    pub generate: bool,
    /// The section's span.
    pub span: Span,
}

/// A filter's rule references.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterRules {
    /// `any` (or an empty list).
    Any,
    /// Ids or names.
    Rules(Vec<(String, Span)>),
}

/// One rule document, merged and checked.
#[derive(Clone, Debug)]
pub struct SigmaDocument {
    /// Rule, correlation or filter.
    pub kind: DocumentKind,
    /// The merged document.
    pub node: Node,
    /// The document's own span in the file.
    pub span: Span,
    /// Detections (rules) or the filter section (filters).
    pub detections: Option<Detections>,
    /// The correlation section.
    pub correlation: Option<Correlation>,
    /// Filter rule references.
    pub filter_rules: Option<FilterRules>,
    /// Problems; errors are those pySigma rejects.
    pub diagnostics: Vec<Diagnostic>,
}

impl SigmaDocument {
    /// True when no diagnostic is an error.
    pub fn accepted(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A file's documents: rule documents, and problems of the file as a whole
/// (invalid YAML, unknown action).
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    /// One per rule document.
    pub documents: Vec<SigmaDocument>,
    /// Problems not tied to a rule document.
    pub diagnostics: Vec<Diagnostic>,
}

fn error(code: &str, message: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::error(code, message).with_span(span)
}

/// Parse every document of a Sigma file.
pub fn parse_file(text: &str) -> ParsedFile {
    let mut file = ParsedFile::default();
    let docs = match ruledex_yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            file.diagnostics
                .push(error(codes::INVALID_YAML, e.message, e.span));
            return file;
        }
    };
    // PyYAML constructs every document before pySigma sees any: an
    // impossible date anywhere (`2020-13-01`) fails the whole file.
    if let Some(bad) = docs.iter().find_map(invalid_timestamp) {
        file.diagnostics.push(error(
            codes::INVALID_YAML,
            format!(
                "`{}` is not a valid date (YAML reads unquoted yyyy-mm-dd as a date); quote it or fix it",
                bad.as_str().unwrap_or_default()
            ),
            bad.span,
        ));
        return file;
    }
    // Keeping a copy of the previous rule is only needed for `repeat`.
    let has_repeat = docs
        .iter()
        .any(|d| d.get("action").and_then(Node::as_str) == Some("repeat"));
    let mut global: Option<Node> = None;
    let mut prev: Option<Node> = None;
    let mut prev_is_global = false;
    for mut doc in docs {
        let own_span = doc.span;
        let mut dups = Vec::new();
        dedupe(&mut doc, &mut dups, 0);
        if doc.is_null() {
            continue;
        }
        if !doc.is_mapping() {
            file.diagnostics.push(error(
                codes::INVALID_DOCUMENT,
                "a Sigma document must be a mapping of keys to values",
                doc.span,
            ));
            continue;
        }
        let dup_warnings: Vec<Diagnostic> = dups
            .into_iter()
            .map(|(key, span)| {
                Diagnostic::warning(
                    codes::DUPLICATE_KEY,
                    format!("duplicate key `{key}`; the last value wins (as in pySigma)"),
                )
                .with_span(span)
            })
            .collect();
        let action = doc
            .get("action")
            .map(|a| (a.as_str().map(str::to_string), a.span));
        match action {
            None => {
                let kind = if doc.get("correlation").is_some() {
                    DocumentKind::Correlation
                } else if doc.get("filter").is_some() {
                    DocumentKind::Filter
                } else {
                    DocumentKind::Rule
                };
                if kind == DocumentKind::Rule {
                    if let Some(g) = &global {
                        deep_update(&mut doc, g);
                    }
                    if has_repeat {
                        prev = Some(doc.clone());
                    }
                    prev_is_global = false;
                }
                let mut parsed = check_document(kind, doc, own_span, text);
                parsed.diagnostics.splice(0..0, dup_warnings);
                file.documents.push(parsed);
            }
            Some((Some(a), _)) if a == "global" => {
                remove_key(&mut doc, "action");
                global = Some(doc.clone());
                prev = Some(doc);
                prev_is_global = true;
            }
            Some((Some(a), _)) if a == "reset" => global = None,
            Some((Some(a), _)) if a == "repeat" => {
                let mut merged = prev.take().unwrap_or_else(|| empty_mapping(doc.span));
                deep_update(&mut merged, &doc);
                if prev_is_global {
                    global = Some(merged.clone());
                }
                prev = Some(merged.clone());
                let mut parsed = check_document(DocumentKind::Rule, merged, own_span, text);
                parsed.diagnostics.splice(0..0, dup_warnings);
                file.documents.push(parsed);
            }
            Some((written, span)) => file.diagnostics.push(error(
                codes::INVALID_DOCUMENT,
                format!(
                    "unknown collection action `{}` (expected global, reset or repeat)",
                    written.unwrap_or_default()
                ),
                span,
            )),
        }
    }
    file
}

fn empty_mapping(span: Span) -> Node {
    Node {
        span,
        value: YamlValue::Mapping(Vec::new()),
        tag: None,
    }
}

/// Make every mapping's keys unique the way a Python dict is built: the
/// first position, the last value. Records `(key, span)` of every repeat.
fn dedupe(node: &mut Node, dups: &mut Vec<(String, Span)>, depth: usize) {
    if depth > ruledex_yaml::MAX_DEPTH {
        return;
    }
    match &mut node.value {
        YamlValue::Sequence(items) => {
            for item in items {
                dedupe(item, dups, depth + 1);
            }
        }
        YamlValue::Mapping(items) => {
            let has_dup = if items.len() <= 16 {
                items.iter().enumerate().any(|(i, (k, _))| {
                    k.as_str()
                        .is_some_and(|key| items[..i].iter().any(|(o, _)| o.as_str() == Some(key)))
                })
            } else {
                let mut seen = HashSet::with_capacity(items.len());
                items
                    .iter()
                    .any(|(k, _)| k.as_str().is_some_and(|key| !seen.insert(key)))
            };
            if has_dup {
                let old = std::mem::take(items);
                let mut index: HashMap<String, usize> = HashMap::with_capacity(old.len());
                for (k, v) in old {
                    let key = k.as_str().map(str::to_string);
                    match key.as_ref().and_then(|key| index.get(key).copied()) {
                        Some(pos) => {
                            dups.push((key.unwrap_or_default(), k.span));
                            items[pos].1 = v;
                        }
                        None => {
                            if let Some(key) = key {
                                index.insert(key, items.len());
                            }
                            items.push((k, v));
                        }
                    }
                }
            }
            for (_, v) in items.iter_mut() {
                dedupe(v, dups, depth + 1);
            }
        }
        YamlValue::Scalar { .. } => {}
    }
}

fn remove_key(node: &mut Node, key: &str) {
    if let YamlValue::Mapping(items) = &mut node.value {
        items.retain(|(k, _)| k.as_str() != Some(key));
    }
}

/// pySigma's `deep_dict_update(dest, src)`: `src` wins, mappings merge.
fn deep_update(dest: &mut Node, src: &Node) {
    let YamlValue::Mapping(src_items) = &src.value else {
        return;
    };
    if !dest.is_mapping() {
        *dest = empty_mapping(dest.span);
    }
    let YamlValue::Mapping(dest_items) = &mut dest.value else {
        return;
    };
    let mut index: HashMap<String, usize> = dest_items
        .iter()
        .enumerate()
        .filter_map(|(i, (k, _))| k.as_str().map(|s| (s.to_string(), i)))
        .collect();
    for (k, v) in src_items {
        let pos = k.as_str().and_then(|key| index.get(key).copied());
        if pos.is_none() {
            if let Some(key) = k.as_str() {
                index.insert(key.to_string(), dest_items.len());
            }
        }
        if v.is_mapping() {
            match pos {
                Some(p) => deep_update(&mut dest_items[p].1, v),
                None => {
                    let mut fresh = empty_mapping(v.span);
                    deep_update(&mut fresh, v);
                    dest_items.push((k.clone(), fresh));
                }
            }
        } else {
            match pos {
                Some(p) => dest_items[p].1 = v.clone(),
                None => dest_items.push((k.clone(), v.clone())),
            }
        }
    }
}

/// A scalar as PyYAML types it.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed<'a> {
    /// A string.
    Str(&'a str),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Null.
    Null,
    /// A date or timestamp (PyYAML's implicit `timestamp`).
    Timestamp(&'a str),
    /// A sequence.
    Seq,
    /// A mapping.
    Map,
}

/// How PyYAML would type `node`.
pub fn typed(node: &Node) -> Typed<'_> {
    match &node.value {
        YamlValue::Sequence(_) => Typed::Seq,
        YamlValue::Mapping(_) => Typed::Map,
        YamlValue::Scalar { text, style } => {
            let plain = *style == Style::Plain && node.tag.is_none();
            if plain && is_timestamp(text) {
                return Typed::Timestamp(text);
            }
            match node.resolve() {
                Some(Resolved::Null) => Typed::Null,
                Some(Resolved::Bool(b)) => Typed::Bool(b),
                Some(Resolved::Int(i)) => Typed::Int(i),
                Some(Resolved::Float(f)) => Typed::Float(f),
                _ => Typed::Str(text),
            }
        }
    }
}

/// The first plain scalar that PyYAML would read as a timestamp but cannot
/// construct (an impossible month or day).
fn invalid_timestamp(root: &Node) -> Option<&Node> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            YamlValue::Sequence(items) => stack.extend(items.iter().rev()),
            YamlValue::Mapping(items) => {
                for (k, v) in items.iter().rev() {
                    stack.push(v);
                    stack.push(k);
                }
            }
            YamlValue::Scalar { text, style } => {
                let candidate = *style == Style::Plain
                    && node.tag.is_none()
                    && text.as_bytes().get(4) == Some(&b'-');
                if let Some(t) = candidate
                    .then_some(text.as_str())
                    .filter(|t| is_timestamp(t))
                {
                    let mut parts = t.splitn(3, '-');
                    let year = parts.next().and_then(|y| y.parse::<u32>().ok());
                    let month = parts.next().and_then(|m| m.parse::<u32>().ok());
                    let day = parts.next().and_then(|d| {
                        let digits: String = d.chars().take_while(char::is_ascii_digit).collect();
                        digits.parse::<u32>().ok()
                    });
                    let valid = match (year, month, day) {
                        (Some(y), Some(m), Some(d)) => is_valid_date(&format!("{y:04}/{m}/{d}")),
                        _ => false,
                    };
                    if !valid && !text.is_empty() {
                        return Some(node);
                    }
                }
            }
        }
    }
    None
}

/// PyYAML's implicit timestamp: `YYYY-MM-DD` or a date with a time.
fn is_timestamp(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &t[5..];
    let mut parts = rest.splitn(2, '-');
    let month = parts.next().unwrap_or("");
    let Some(day_and_time) = parts.next() else {
        return false;
    };
    let day_len = day_and_time.bytes().take_while(u8::is_ascii_digit).count();
    let ok_len = |s: &str, exact: bool| {
        (if exact {
            s.len() == 2
        } else {
            (1..=2).contains(&s.len())
        }) && s.bytes().all(|c| c.is_ascii_digit())
    };
    let time = &day_and_time[day_len..];
    if time.is_empty() {
        return ok_len(month, true) && day_len == 2;
    }
    ok_len(month, false)
        && (1..=2).contains(&day_len)
        && (time.starts_with(['T', 't', ' ', '\t']))
        && time.contains(':')
}

fn type_name(t: &Typed<'_>) -> &'static str {
    match t {
        Typed::Str(_) => "a string",
        Typed::Int(_) => "an integer",
        Typed::Float(_) => "a number",
        Typed::Bool(_) => "a boolean",
        Typed::Null => "null",
        Typed::Timestamp(_) => "a date",
        Typed::Seq => "a list",
        Typed::Map => "a mapping",
    }
}

struct Checker<'a> {
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&mut self, code: &str, message: impl Into<String>, span: Span) {
        self.diagnostics.push(error(code, message, span));
    }
}

fn check_document(kind: DocumentKind, node: Node, own_span: Span, text: &str) -> SigmaDocument {
    let mut c = Checker {
        text,
        diagnostics: Vec::new(),
    };
    c.common(&node);
    let mut doc = SigmaDocument {
        kind,
        span: own_span,
        detections: None,
        correlation: None,
        filter_rules: None,
        diagnostics: Vec::new(),
        node: empty_mapping(own_span),
    };
    match kind {
        DocumentKind::Rule => {
            c.logsource(&node, "rule");
            match node.entry("detection") {
                None => c.err(
                    codes::MISSING_KEY,
                    "a Sigma rule must have a `detection`",
                    doc_start(&node),
                ),
                Some((_, det)) if !det.is_mapping() => c.err(
                    codes::WRONG_TYPE,
                    "`detection` must be a mapping of detections and a condition",
                    det.span,
                ),
                Some((key, det)) => doc.detections = Some(c.detections(key.span, det, false)),
            }
        }
        DocumentKind::Filter => {
            c.logsource(&node, "filter");
            match node.entry("filter") {
                Some((key, f)) if f.is_mapping() => {
                    doc.filter_rules = c.filter_rules(key.span, f);
                    if f.get("condition").is_some() {
                        doc.detections = Some(c.detections(key.span, f, true));
                    }
                }
                Some((_, f)) => c.err(
                    codes::INVALID_FILTER,
                    "`filter` must be a mapping of detections, `rules` and a `condition`",
                    f.span,
                ),
                None => {}
            }
        }
        DocumentKind::Correlation => {
            if let Some(section) = node.get("correlation") {
                doc.correlation = Some(c.correlation(section));
            }
        }
    }
    doc.diagnostics = c.diagnostics;
    doc.node = node;
    doc
}

mod correlation;
mod detection;
mod metadata;

pub use metadata::is_uuid;
use metadata::{doc_start, is_valid_date};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_like_pysigma() {
        assert!(is_valid_date("2024-01-31"));
        assert!(is_valid_date("2024/1/3"));
        assert!(!is_valid_date("2024-1-3"));
        assert!(!is_valid_date("2024-02-30"));
        assert!(!is_valid_date("24/1/1"));
        assert!(!is_valid_date("20240101"));
    }

    #[test]
    fn timestamps_like_pyyaml() {
        assert!(is_timestamp("2024-01-31"));
        assert!(is_timestamp("2024-1-3 10:00:00"));
        assert!(!is_timestamp("2024-1-3"));
        assert!(!is_timestamp("2024/01/31"));
    }

    #[test]
    fn uuids_like_python() {
        assert!(is_uuid("6f6e0a4b-1b8b-4d6e-9a44-0c4f1c9e2d10"));
        assert!(is_uuid("{6f6e0a4b1b8b4d6e9a440c4f1c9e2d10}"));
        assert!(!is_uuid("6f6e0a4b-1b8b-4d6e-9a44"));
    }

    #[test]
    fn global_and_repeat_merge() {
        let text = "action: global\ntitle: T\nlogsource:\n  product: windows\ndetection:\n  condition: sel\n---\nlogsource:\n  service: a\ndetection:\n  sel:\n    X: 1\n---\naction: repeat\ndetection:\n  sel:\n    X: 2\n";
        let file = parse_file(text);
        assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
        assert_eq!(file.documents.len(), 2);
        for doc in &file.documents {
            assert!(doc.accepted(), "{:?}", doc.diagnostics);
            let ls = doc.node.get("logsource").unwrap();
            assert_eq!(ls.get("product").and_then(Node::as_str), Some("windows"));
            assert_eq!(ls.get("service").and_then(Node::as_str), Some("a"));
        }
        let second = &file.documents[1].detections.as_ref().unwrap().detections[0];
        let DetectionChild::Item(item) = &second.node.children[0] else {
            panic!()
        };
        assert_eq!(item.values, vec![SigmaValue::Number(Number::Int(2))]);
    }

    #[test]
    fn duplicate_keys_keep_the_last_value() {
        let text = "title: A\ntitle: B\nlogsource: {product: x}\ndetection: {sel: {f: 1}, condition: sel}\n";
        let file = parse_file(text);
        let doc = &file.documents[0];
        assert_eq!(doc.node.get("title").and_then(Node::as_str), Some("B"));
        assert_eq!(doc.diagnostics[0].code, codes::DUPLICATE_KEY);
        assert!(doc.accepted());
    }
}
