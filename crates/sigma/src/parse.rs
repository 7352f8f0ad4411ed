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
    /// Values after every modifier (pySigma's final values); `None` when
    /// the modifiers leave the values as they are. See [`Item::expanded`].
    pub expanded_values: Option<Vec<SigmaValue>>,
    /// Values after the non-encoding modifiers (what the author looks
    /// for); `None` when the same as `expanded`. See [`Item::semantic`].
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
    /// Values after every modifier (pySigma's final values).
    pub fn expanded(&self) -> &[SigmaValue] {
        self.expanded_values.as_deref().unwrap_or(&self.values)
    }

    /// Values after the non-encoding modifiers: what ruledex's indicators
    /// use.
    pub fn semantic(&self) -> &[SigmaValue] {
        self.semantic_values
            .as_deref()
            .unwrap_or_else(|| self.expanded())
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

    /// `key` must be a string when present.
    fn string(&mut self, doc: &Node, key: &str) {
        if let Some(v) = doc.get(key) {
            let t = typed(v);
            if !matches!(t, Typed::Str(_) | Typed::Null) {
                self.err(
                    codes::WRONG_TYPE,
                    format!("`{key}` must be a string, not {}", type_name(&t)),
                    v.span,
                );
            }
        }
    }

    /// `key` must be a list when present.
    fn list(&mut self, doc: &Node, key: &str) {
        if let Some(v) = doc.get(key) {
            let t = typed(v);
            if !matches!(t, Typed::Seq | Typed::Null) {
                self.err(
                    codes::WRONG_TYPE,
                    format!("`{key}` must be a list, not {}", type_name(&t)),
                    v.span,
                );
            }
        }
    }

    fn common(&mut self, doc: &Node) {
        match doc.get("title") {
            None => self.err(
                codes::MISSING_KEY,
                "a Sigma rule must have a `title`",
                doc_start(doc),
            ),
            Some(v) => match typed(v) {
                Typed::Str(t) if t.chars().count() > 256 => self.err(
                    codes::INVALID_VALUE,
                    "the title must not exceed 256 characters",
                    v.span,
                ),
                Typed::Str(_) => {}
                Typed::Null => self.err(
                    codes::MISSING_KEY,
                    "a Sigma rule must have a `title`",
                    v.span,
                ),
                t => self.err(
                    codes::WRONG_TYPE,
                    format!("`title` must be a string, not {}", type_name(&t)),
                    v.span,
                ),
            },
        }
        if let Some(v) = doc.get("id") {
            match typed(v) {
                Typed::Null => {}
                Typed::Str(s) if is_uuid(s) => {}
                _ => self.err(codes::INVALID_VALUE, "the rule `id` must be a UUID", v.span),
            }
        }
        if let Some(v) = doc.get("name") {
            match typed(v) {
                Typed::Null => {}
                Typed::Str("") => {
                    self.err(codes::INVALID_VALUE, "`name` must not be empty", v.span)
                }
                Typed::Str(_) => {}
                t => self.err(
                    codes::WRONG_TYPE,
                    format!("`name` must be a string, not {}", type_name(&t)),
                    v.span,
                ),
            }
        }
        if let Some(v) = doc.get("taxonomy") {
            match typed(v) {
                Typed::Null => {}
                Typed::Str("") => {
                    self.err(codes::INVALID_VALUE, "`taxonomy` must not be empty", v.span)
                }
                Typed::Str(_) => {}
                t => self.err(
                    codes::WRONG_TYPE,
                    format!("`taxonomy` must be a string, not {}", type_name(&t)),
                    v.span,
                ),
            }
        }
        self.enum_value(
            doc,
            "level",
            &["informational", "low", "medium", "high", "critical"],
        );
        self.enum_value(
            doc,
            "status",
            &[
                "unsupported",
                "deprecated",
                "experimental",
                "test",
                "stable",
            ],
        );
        self.related(doc);
        self.tags(doc);
        self.date(doc, "date");
        self.date(doc, "modified");
        for key in ["fields", "falsepositives", "references", "scope"] {
            self.list(doc, key);
        }
        for key in ["author", "description", "license"] {
            self.string(doc, key);
        }
    }

    fn enum_value(&mut self, doc: &Node, key: &str, allowed: &[&str]) {
        let Some(v) = doc.get(key) else { return };
        match typed(v) {
            Typed::Null => {}
            Typed::Str(s) if allowed.contains(&s.to_ascii_lowercase().as_str()) => {}
            Typed::Str(s) => self.diagnostics.push(
                error(
                    codes::INVALID_VALUE,
                    format!("`{s}` is not a valid Sigma rule {key}"),
                    v.span,
                )
                .with_note(format!("expected one of: {}", allowed.join(", "))),
            ),
            t => self.err(
                codes::WRONG_TYPE,
                format!("`{key}` must be a string, not {}", type_name(&t)),
                v.span,
            ),
        }
    }

    fn related(&mut self, doc: &Node) {
        let Some(v) = doc.get("related") else { return };
        match typed(v) {
            Typed::Null => return,
            Typed::Seq => {}
            _ => {
                return self.err(codes::WRONG_TYPE, "`related` must be a list", v.span);
            }
        }
        // pySigma stops at the first bad entry; so do we.
        for item in v.items() {
            if !item.is_mapping() {
                return self.err(
                    codes::INVALID_VALUE,
                    "each `related` entry must be a mapping with `id` and `type`",
                    item.span,
                );
            }
            let (Some(id), Some(kind)) = (item.get("id"), item.get("type")) else {
                let missing = if item.get("id").is_none() {
                    "id"
                } else {
                    "type"
                };
                return self.err(
                    codes::MISSING_KEY,
                    format!("a `related` entry must have a `{missing}`"),
                    item.span,
                );
            };
            match typed(id) {
                Typed::Str(s) if is_uuid(s) => {}
                _ => {
                    return self.err(
                        codes::INVALID_VALUE,
                        "a `related` id must be a UUID",
                        id.span,
                    )
                }
            }
            match typed(kind) {
                Typed::Str(s)
                    if [
                        "correlation",
                        "derived",
                        "merged",
                        "obsolete",
                        "renamed",
                        "similar",
                    ]
                    .contains(&s.to_ascii_lowercase().as_str()) => {}
                _ => {
                    return self.err(
                        codes::INVALID_VALUE,
                        format!(
                            "`{}` is not a valid related type (correlation, derived, merged, obsolete, renamed, similar)",
                            kind.as_str().unwrap_or("")
                        ),
                        kind.span,
                    )
                }
            }
        }
    }

    fn tags(&mut self, doc: &Node) {
        let Some(v) = doc.get("tags") else { return };
        match typed(v) {
            Typed::Null => {}
            Typed::Seq => {
                for tag in v.items() {
                    match typed(tag) {
                        Typed::Str(s) if s.contains('.') => {}
                        Typed::Str(s) => self.err(
                            codes::INVALID_VALUE,
                            format!(
                                "tag `{s}` must start with a namespace and a dot (`attack.t1059`)"
                            ),
                            tag.span,
                        ),
                        _ => self.err(codes::WRONG_TYPE, "tags must be strings", tag.span),
                    }
                }
            }
            t => self.err(
                codes::WRONG_TYPE,
                format!("`tags` must be a list, not {}", type_name(&t)),
                v.span,
            ),
        }
    }

    fn date(&mut self, doc: &Node, key: &str) {
        let Some(v) = doc.get(key) else { return };
        let t = typed(v);
        let text = match t {
            Typed::Null | Typed::Timestamp(_) => return,
            Typed::Str(s) => s.to_string(),
            Typed::Int(i) => i.to_string(),
            Typed::Bool(b) => if b { "True" } else { "False" }.to_string(),
            Typed::Float(f) => f.to_string(),
            _ => String::new(),
        };
        if !is_valid_date(&text) {
            self.err(
                codes::INVALID_VALUE,
                format!("rule {key} `{text}` is invalid, use yyyy-mm-dd"),
                v.span,
            );
        }
    }

    fn logsource(&mut self, doc: &Node, what: &str) {
        let Some((ls_key, ls)) = doc.entry("logsource") else {
            return self.err(
                codes::MISSING_KEY,
                format!("a Sigma {what} must have a `logsource`"),
                doc_start(doc),
            );
        };
        if !ls.is_mapping() {
            return self.err(codes::WRONG_TYPE, "`logsource` must be a mapping", ls.span);
        }
        let mut any = false;
        for key in ["category", "product", "service", "definition"] {
            if let Some(v) = ls.get(key) {
                let t = typed(v);
                if key != "definition" && t != Typed::Null {
                    any = true;
                }
                let falsy = matches!(
                    t,
                    Typed::Null | Typed::Str("") | Typed::Int(0) | Typed::Bool(false)
                ) || t == Typed::Float(0.0)
                    || (t == Typed::Seq && v.items().is_empty())
                    || (t == Typed::Map && v.entries().next().is_none());
                if !falsy && !matches!(t, Typed::Str(_)) {
                    self.err(
                        codes::WRONG_TYPE,
                        format!("logsource `{key}` must be a string, not {}", type_name(&t)),
                        v.span,
                    );
                }
            }
        }
        if !any {
            self.err(
                codes::INVALID_VALUE,
                "the logsource must name a category, product or service",
                ls_key.span,
            );
        }
    }
}

fn doc_start(doc: &Node) -> Span {
    Span::empty(doc.span.start)
}

/// Python's `uuid.UUID(text)`: optional braces and `urn:uuid:`, hyphens
/// anywhere, 32 hex digits.
pub fn is_uuid(text: &str) -> bool {
    let t = text.replace("urn:", "").replace("uuid:", "");
    let t = t.trim_matches(|c| c == '{' || c == '}');
    let hex: Vec<u8> = t.bytes().filter(|&b| b != b'-').collect();
    hex.len() == 32 && hex.iter().all(u8::is_ascii_hexdigit)
}

/// pySigma's accepted date strings: `YYYY-MM-DD` and `YYYY/M/D`.
fn is_valid_date(text: &str) -> bool {
    let (sep, exact) = if text.contains('-') {
        ('-', true)
    } else {
        ('/', false)
    };
    let parts: Vec<&str> = text.split(sep).collect();
    let [y, m, d] = parts[..] else { return false };
    let digits = |s: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let (lo, hi) = if exact { (2, 2) } else { (1, 2) };
    if !(digits(y, 4, 4) && digits(m, lo, hi) && digits(d, lo, hi)) {
        return false;
    }
    if !matches!(y.as_bytes()[0], b'1'..=b'3') {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    if exact && !(m / 10 <= 1 && d / 10 <= 3) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
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

impl Checker<'_> {
    fn filter_rules(&mut self, key_span: Span, f: &Node) -> Option<FilterRules> {
        match f.get("condition").map(typed) {
            None => self.err(
                codes::INVALID_FILTER,
                "a filter must have exactly one `condition`",
                key_span,
            ),
            Some(Typed::Str(_)) => {}
            Some(_) => self.err(
                codes::INVALID_FILTER,
                "a filter's `condition` must be a string",
                f.get("condition").map_or(f.span, |n| n.span),
            ),
        }
        let Some(rules) = f.get("rules") else {
            self.err(
                codes::MISSING_KEY,
                "a filter must have `rules` (use `any` to apply it to every rule of its logsource)",
                key_span,
            );
            return None;
        };
        match typed(rules) {
            Typed::Str(s) if s.eq_ignore_ascii_case("any") => Some(FilterRules::Any),
            Typed::Str(s) => Some(FilterRules::Rules(vec![(s.to_string(), rules.span)])),
            Typed::Seq if rules.items().is_empty() => Some(FilterRules::Any),
            Typed::Seq => Some(FilterRules::Rules(
                rules
                    .items()
                    .iter()
                    .map(|r| (r.as_str().unwrap_or_default().to_string(), r.span))
                    .collect(),
            )),
            _ => {
                self.err(
                    codes::INVALID_FILTER,
                    "a filter's `rules` must be `any`, a rule id or name, or a list of them",
                    rules.span,
                );
                None
            }
        }
    }

    fn correlation(&mut self, section: &Node) -> Correlation {
        let mut out = Correlation {
            span: section.span,
            ..Correlation::default()
        };
        if !section.is_mapping() {
            self.err(
                codes::INVALID_CORRELATION,
                "`correlation` must be a mapping",
                section.span,
            );
            return out;
        }
        const TYPES: [&str; 8] = [
            "event_count",
            "value_count",
            "temporal",
            "temporal_ordered",
            "value_sum",
            "value_avg",
            "value_percentile",
            "value_median",
        ];
        let mut valid_type = None;
        match section.get("type") {
            None => self.err(
                codes::MISSING_KEY,
                "a correlation rule must have a `type`",
                section.span,
            ),
            Some(t) => {
                let written = t.as_str().unwrap_or_default().to_string();
                if TYPES.contains(&written.to_ascii_lowercase().as_str()) {
                    valid_type = Some(written.to_ascii_lowercase());
                } else {
                    self.diagnostics.push(
                        error(
                            codes::INVALID_CORRELATION,
                            format!("`{written}` is not a valid correlation type"),
                            t.span,
                        )
                        .with_note(format!("expected one of: {}", TYPES.join(", "))),
                    );
                }
                out.kind = Some(written);
            }
        }
        let temporal = matches!(valid_type.as_deref(), Some("temporal" | "temporal_ordered"));
        match section.get("rules") {
            Some(r) => match typed(r) {
                Typed::Str(s) => out.rules.push((s.to_string(), r.span)),
                Typed::Seq => out.rules.extend(
                    r.items()
                        .iter()
                        .map(|i| (i.as_str().unwrap_or_default().to_string(), i.span)),
                ),
                Typed::Null if temporal => {}
                _ => self.err(
                    codes::INVALID_CORRELATION,
                    "`rules` must be a rule id or name, or a list of them",
                    r.span,
                ),
            },
            None if !temporal => self.err(
                codes::MISSING_KEY,
                "a correlation rule must reference `rules`",
                section.span,
            ),
            None => {}
        }
        if let Some(g) = section.get("generate") {
            match typed(g) {
                Typed::Bool(b) => out.generate = b,
                Typed::Null => {}
                _ => self.err(
                    codes::INVALID_CORRELATION,
                    "`generate` must be a boolean",
                    g.span,
                ),
            }
        }
        if let Some(g) = section.get("group-by") {
            match typed(g) {
                Typed::Seq => out.group_by.extend(
                    g.items()
                        .iter()
                        .map(|i| (i.as_str().unwrap_or_default().to_string(), i.span)),
                ),
                Typed::Null => {}
                Typed::Map => self.err(
                    codes::INVALID_CORRELATION,
                    "`group-by` must be a field or a list of fields",
                    g.span,
                ),
                _ => out
                    .group_by
                    .push((g.as_str().unwrap_or_default().to_string(), g.span)),
            }
        }
        match section.get("timespan") {
            None => self.err(
                codes::MISSING_KEY,
                "a correlation rule must have a `timespan`",
                section.span,
            ),
            Some(t) => {
                let ok = match typed(t) {
                    Typed::Str(s) => match s.strip_suffix(['s', 'm', 'h', 'd', 'w', 'M', 'y']) {
                        Some(count) => {
                            !count.is_empty()
                                && count.bytes().all(|b| b.is_ascii_digit())
                                && count.bytes().any(|b| b != b'0')
                        }
                        None => false,
                    },
                    _ => false,
                };
                if ok {
                    out.timespan = t.as_str().map(str::to_string);
                } else {
                    self.diagnostics.push(
                        error(
                            codes::INVALID_CORRELATION,
                            format!("timespan `{}` is invalid", t.as_str().unwrap_or("")),
                            t.span,
                        )
                        .with_note("a positive count and a unit: s, m, h, d, w, M or y (`5m`)"),
                    );
                }
            }
        }
        if let Some(a) = section.get("aliases") {
            if a.is_mapping() {
                for (alias, mapping) in a.entries() {
                    if !mapping.is_mapping() {
                        self.err(
                            codes::INVALID_CORRELATION,
                            "each correlation alias must map rules to fields",
                            mapping.span,
                        );
                        continue;
                    }
                    out.aliases.push((
                        alias.as_str().unwrap_or_default().to_string(),
                        mapping
                            .entries()
                            .map(|(r, f)| {
                                (
                                    r.as_str().unwrap_or_default().to_string(),
                                    f.as_str().unwrap_or_default().to_string(),
                                )
                            })
                            .collect(),
                    ));
                }
            } else if !a.is_null() {
                self.err(
                    codes::INVALID_CORRELATION,
                    "`aliases` must be a mapping",
                    a.span,
                );
            }
        }
        match section.get("condition") {
            Some(cond) if cond.is_mapping() => self.correlation_condition(cond, &mut out),
            Some(cond) if matches!(typed(cond), Typed::Str(_)) => {
                if !temporal {
                    self.err(
                        codes::INVALID_CORRELATION,
                        "an extended (string) condition is only allowed for temporal and temporal_ordered correlations",
                        cond.span,
                    );
                } else {
                    let text = cond.as_str().unwrap_or_default();
                    match parse_condition(text) {
                        Ok(parsed) if parsed.aggregation.is_none() => {
                            out.extended = Some((parsed.expr, text.to_string()));
                        }
                        Ok(_) => self.err(
                            codes::INVALID_CORRELATION,
                            "an extended correlation condition cannot have `|`",
                            cond.span,
                        ),
                        Err(e) => {
                            let map = cond.text_map(self.text);
                            self.err(
                                codes::INVALID_CORRELATION,
                                format!("extended condition: {}", e.message),
                                map.span_to_file(e.span),
                            );
                        }
                    }
                }
            }
            Some(cond) => self.err(
                codes::INVALID_CORRELATION,
                "the correlation `condition` must be a mapping (`gte: 5`) or, for temporal types, a string",
                cond.span,
            ),
            None if !temporal && valid_type.is_some() => self.err(
                codes::MISSING_KEY,
                "a non-temporal correlation rule must have a `condition`",
                section.span,
            ),
            // pySigma's default for temporal types: every listed rule matched.
            None if temporal => {
                out.condition = Some(("gte".into(), out.rules.len().to_string(), None));
            }
            None => {}
        }
        if let (Some(t), Some((_, _, None))) = (&valid_type, &out.condition) {
            if t.starts_with("value_") {
                self.err(
                    codes::INVALID_CORRELATION,
                    format!("a {t} correlation needs the `field` of its condition"),
                    section.get("condition").map_or(section.span, |c| c.span),
                );
            }
        }
        if let Some((expr, _)) = &out.extended {
            let mut names = Vec::new();
            collect_idents(expr, &mut names);
            if !out.rules.is_empty() {
                let listed: Vec<&str> = out.rules.iter().map(|(r, _)| r.as_str()).collect();
                let unref: Vec<&str> = listed
                    .iter()
                    .copied()
                    .filter(|r| !names.iter().any(|n| n == r))
                    .collect();
                let undef: Vec<&String> = names
                    .iter()
                    .filter(|n| !listed.contains(&n.as_str()))
                    .collect();
                if !unref.is_empty() || !undef.is_empty() {
                    self.err(
                        codes::INVALID_CORRELATION,
                        "the extended condition and `rules` must name the same rules",
                        section.get("condition").map_or(section.span, |c| c.span),
                    );
                }
            }
        }
        out
    }

    fn correlation_condition(&mut self, cond: &Node, out: &mut Correlation) {
        const OPS: [&str; 6] = ["lt", "lte", "gt", "gte", "eq", "neq"];
        let mut op = None;
        let mut count = 0;
        for (k, v) in cond.entries() {
            let key = k.as_str().unwrap_or_default();
            if OPS.contains(&key) {
                count += 1;
                let threshold = match typed(v) {
                    Typed::Int(i) => Some(i.to_string()),
                    Typed::Float(f) if f.is_finite() => Some(Number::from_f64(f).canonical()),
                    Typed::Str(s) => s
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .map(|f| Number::from_f64(f).canonical()),
                    Typed::Bool(b) => Some(u8::from(b).to_string()),
                    _ => None,
                };
                match threshold {
                    Some(t) => op = Some((key.to_string(), t)),
                    None => self.err(
                        codes::INVALID_CORRELATION,
                        format!(
                            "`{}` is not a valid correlation condition count",
                            v.as_str().unwrap_or("")
                        ),
                        v.span,
                    ),
                }
            } else if !matches!(key, "field" | "percentile") {
                self.err(
                    codes::INVALID_CORRELATION,
                    format!("unknown correlation condition key `{key}`"),
                    k.span,
                );
            }
        }
        if count != 1 {
            self.diagnostics.push(
                error(
                    codes::INVALID_CORRELATION,
                    "a correlation condition must have exactly one comparison",
                    cond.span,
                )
                .with_note("one of: lt, lte, gt, gte, eq, neq"),
            );
        }
        let field = cond.get("field").and_then(|f| match typed(f) {
            Typed::Seq => Some(
                f.items()
                    .iter()
                    .filter_map(Node::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Typed::Null => None,
            _ => f.as_str().map(str::to_string),
        });
        if let Some((op, t)) = op {
            out.condition = Some((op, t, field));
        }
    }

    fn detections(&mut self, key_span: Span, section: &Node, is_filter: bool) -> Detections {
        let mut out = Detections {
            span: section.span,
            ..Detections::default()
        };
        let mut has_condition = false;
        for (key, value) in section.entries() {
            let name = key.as_str().unwrap_or_default();
            match name {
                "condition" => {
                    has_condition = true;
                    self.conditions(value, &mut out.conditions);
                    continue;
                }
                "rules" if is_filter => continue,
                _ => {}
            }
            if name == "timeframe" && !is_filter {
                if let Some(t) = value.as_str() {
                    out.timeframe = Some((t.to_string(), value.span));
                }
            }
            let mut depth = 0;
            let node = self.detection_node(value, &mut depth);
            out.detections.push(Detection {
                name: name.to_string(),
                key_span: key.span,
                span: key.span.cover(value.span),
                node,
            });
        }
        if !has_condition {
            self.err(
                codes::MISSING_KEY,
                "the detection must have a `condition`",
                key_span,
            );
        } else if out.conditions.is_empty() {
            self.err(
                codes::MISSING_KEY,
                "the `condition` is empty",
                section.get("condition").map_or(section.span, |c| c.span),
            );
        }
        if out.detections.is_empty() {
            self.err(
                codes::EMPTY_DETECTION,
                "no detections are defined",
                key_span,
            );
        }
        self.check_conditions(&out);
        out
    }

    fn conditions(&mut self, value: &Node, out: &mut Vec<ConditionEntry>) {
        let nodes: Vec<&Node> = match typed(value) {
            Typed::Seq => value.items().iter().collect(),
            _ => vec![value],
        };
        for node in nodes {
            let Typed::Str(text) = typed(node) else {
                self.err(
                    codes::CONDITION_SYNTAX,
                    "a condition must be a string",
                    node.span,
                );
                continue;
            };
            let map = node.text_map(self.text);
            let parsed = match parse_condition(text) {
                Ok(c) => {
                    if let Some((agg, span)) = &c.aggregation {
                        let what = match agg {
                            Aggregation::Near(_) => "`near`",
                            Aggregation::Function { .. } => "the aggregation",
                        };
                        self.diagnostics.push(
                            Diagnostic::warning(
                                codes::DEPRECATED_AGGREGATION,
                                format!(
                                    "{what} after `|` is deprecated Sigma syntax that pySigma rejects"
                                ),
                            )
                            .with_span(map.span_to_file(*span))
                            .with_note("express it as a correlation rule"),
                        );
                    }
                    Some(c)
                }
                Err(e) => {
                    self.err(codes::CONDITION_SYNTAX, e.message, map.span_to_file(e.span));
                    None
                }
            };
            out.push(ConditionEntry {
                text: text.to_string(),
                span: node.span,
                map,
                parsed,
            });
        }
    }

    /// Names the conditions use must exist; patterns must match; keyword
    /// detections without values are an error once used (as in pySigma).
    fn check_conditions(&mut self, det: &Detections) {
        let names: Vec<&str> = det.detections.iter().map(|d| d.name.as_str()).collect();
        let by_name: HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut checked: HashSet<usize> = HashSet::new();
        let mut selected: HashMap<&str, Vec<usize>> = HashMap::new();
        for entry in &det.conditions {
            let Some(parsed) = &entry.parsed else {
                continue;
            };
            let mut exprs = vec![&parsed.expr];
            if let Some((Aggregation::Near(e), _)) = &parsed.aggregation {
                exprs.push(e);
            }
            let mut stack = exprs;
            while let Some(e) = stack.pop() {
                match e {
                    Expr::And(items, _) | Expr::Or(items, _) => stack.extend(items.iter().rev()),
                    Expr::Not(inner, _) => stack.push(inner),
                    Expr::Ident(name, span) => {
                        if let Some(&i) = by_name.get(name.as_str()) {
                            if checked.insert(i) {
                                self.check_used(&det.detections[i]);
                            }
                        } else {
                            let mut diag = error(
                                codes::UNDEFINED_DETECTION,
                                format!("detection `{name}` is not defined"),
                                entry.map.span_to_file(*span),
                            );
                            if let Some(close) = closest(name, &names) {
                                diag = diag.with_note(format!("did you mean `{close}`?"));
                            }
                            self.diagnostics.push(diag);
                        }
                    }
                    Expr::Selector {
                        quantifier,
                        pattern,
                        span,
                    } => {
                        let matched = selected.entry(pattern.as_str()).or_insert_with(|| {
                            select(pattern, names.iter().copied())
                                .into_iter()
                                .filter_map(|n| by_name.get(n).copied())
                                .collect()
                        });
                        if matched.is_empty() {
                            self.err(
                                codes::EMPTY_SELECTOR,
                                format!("`{quantifier} of {pattern}` matches no detection"),
                                entry.map.span_to_file(*span),
                            );
                        }
                        for &i in matched.iter() {
                            if checked.insert(i) {
                                self.check_used(&det.detections[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    fn check_used(&mut self, d: &Detection) {
        let mut stack = vec![&d.node];
        while let Some(n) = stack.pop() {
            for child in &n.children {
                match child {
                    DetectionChild::Nested(inner) => stack.push(inner),
                    DetectionChild::Item(item) => {
                        if item.field.is_none() && item.values.is_empty() {
                            let msg = format!(
                                "detection `{}` has a keyword list without values (a null value needs a field)",
                                d.name
                            );
                            if !self.diagnostics.iter().any(|x| x.message == msg) {
                                self.err(codes::EMPTY_DETECTION, msg, item.value_span);
                            }
                        }
                    }
                }
            }
        }
    }

    fn detection_node(&mut self, value: &Node, depth: &mut usize) -> DetectionNode {
        *depth += 1;
        let span = value.span;
        let mut node = DetectionNode {
            children: Vec::new(),
            and: true,
            span,
        };
        match typed(value) {
            Typed::Map => {
                for (k, v) in value.entries() {
                    if let Some(item) = self.item(Some(k), v) {
                        node.children.push(DetectionChild::Item(item));
                    }
                }
                if value.entries().next().is_none() {
                    self.err(codes::EMPTY_DETECTION, "the detection is empty", span);
                }
            }
            Typed::Seq => {
                let items = value.items();
                let all_plain = items.iter().all(|i| {
                    !i.is_mapping() && !i.is_sequence() && !matches!(typed(i), Typed::Timestamp(_))
                });
                if all_plain {
                    if let Some(item) = self.item(None, value) {
                        node.children.push(DetectionChild::Item(item));
                    }
                } else if *depth > 32 {
                    self.err(
                        codes::INVALID_DETECTION_VALUE,
                        "detection nested too deeply",
                        span,
                    );
                } else {
                    node.and = false;
                    for i in items {
                        let child = self.detection_node(i, depth);
                        node.children.push(DetectionChild::Nested(child));
                    }
                }
            }
            Typed::Timestamp(_) => self.err(
                codes::INVALID_DETECTION_VALUE,
                "a date is not a supported detection value (quote it)",
                span,
            ),
            _ => {
                if let Some(item) = self.item(None, value) {
                    node.children.push(DetectionChild::Item(item));
                }
            }
        }
        *depth -= 1;
        node
    }

    fn item(&mut self, key: Option<&Node>, value: &Node) -> Option<Item> {
        let (field, modifier_names, key_span) = match key {
            None => (None, Vec::new(), None),
            Some(k) => {
                let text = k.as_str().unwrap_or_default();
                let mut parts = text.split('|');
                let field = parts.next().unwrap_or_default();
                let mods: Vec<String> = parts.map(str::to_string).collect();
                (
                    Some(field.to_string()).filter(|f| !f.is_empty()),
                    mods,
                    Some(k.span),
                )
            }
        };
        let mut modifiers = Vec::with_capacity(modifier_names.len());
        let mut unknown = false;
        for name in &modifier_names {
            match Modifier::from_name(name) {
                Some(m) => modifiers.push(m),
                None => {
                    unknown = true;
                    let span = key_span
                        .and_then(|ks| modifier_span(self.text, ks, name))
                        .unwrap_or(value.span);
                    let mut d = error(
                        codes::UNKNOWN_MODIFIER,
                        format!("unknown modifier `{name}`"),
                        span,
                    );
                    if let Some(close) = closest(name, &Modifier::NAMES) {
                        d = d.with_note(format!("did you mean `{close}`?"));
                    }
                    self.diagnostics.push(d);
                }
            }
        }
        let is_re = modifiers.contains(&Modifier::Re);
        let nodes: Vec<&Node> = match typed(value) {
            Typed::Seq => value.items().iter().collect(),
            _ => vec![value],
        };
        let mut values = Vec::with_capacity(nodes.len());
        for n in &nodes {
            let t = typed(n);
            let v = match t {
                Typed::Str(s) if is_re => SigmaValue::String(SigmaString::plain(s)),
                // pySigma hands `re` whatever YAML produced and uses its
                // Python `str()`.
                Typed::Int(i) if is_re => SigmaValue::String(SigmaString::plain(&i.to_string())),
                Typed::Float(f) if is_re => {
                    SigmaValue::String(SigmaString::plain(&crate::value::python_float_repr(f)))
                }
                Typed::Bool(b) if is_re => {
                    SigmaValue::String(SigmaString::plain(if b { "True" } else { "False" }))
                }
                Typed::Null if is_re => SigmaValue::String(SigmaString::plain("None")),
                Typed::Seq | Typed::Map if is_re => {
                    SigmaValue::String(SigmaString::plain(&py_repr(n, 0)))
                }
                Typed::Str(s) => SigmaValue::String(SigmaString::parse(s)),
                Typed::Int(i) => SigmaValue::Number(Number::Int(i)),
                Typed::Float(f) if f.is_finite() => SigmaValue::Number(Number::from_f64(f)),
                Typed::Float(_) => {
                    self.err(
                        codes::INVALID_DETECTION_VALUE,
                        "invalid number (infinite or not a number)",
                        n.span,
                    );
                    continue;
                }
                Typed::Bool(b) => SigmaValue::Bool(b),
                Typed::Null => SigmaValue::Null,
                Typed::Timestamp(_) | Typed::Seq | Typed::Map => {
                    self.err(
                        codes::INVALID_DETECTION_VALUE,
                        format!("{} is not a supported detection value", type_name(&t)),
                        n.span,
                    );
                    continue;
                }
            };
            values.push(v);
        }
        let mut item = Item {
            field,
            modifier_names,
            modifiers,
            expanded_values: None,
            semantic_values: None,
            values,
            all: false,
            negated: false,
            key_span,
            value_span: value.span,
        };
        if unknown {
            return Some(item);
        }
        if item.modifiers.is_empty() {
            return Some(item);
        }
        let has_field = item.field.is_some();
        match apply_modifiers(&item.modifiers, item.values.clone(), has_field, true) {
            Ok(applied) => {
                item.expanded_values = Some(applied.values);
                item.all = applied.all;
                item.negated = applied.negated;
                if item.modifiers.iter().any(|m| m.is_encoding()) {
                    if let Ok(semantic) =
                        apply_modifiers(&item.modifiers, item.values.clone(), has_field, false)
                    {
                        item.semantic_values = Some(semantic.values);
                    }
                }
            }
            Err(e) => {
                let code = match e {
                    ModifierError::InvalidValue(_) => codes::INVALID_DETECTION_VALUE,
                    _ => codes::BAD_MODIFIER_CHAIN,
                };
                let span = match (&e, key_span) {
                    (ModifierError::InvalidValue(_), _) | (_, None) => value.span,
                    (_, Some(k)) => k,
                };
                self.err(code, e.message(), span);
                // Keep what can be kept for the page: `all`/`neq` still apply.
                item.all = item.modifiers.contains(&Modifier::All);
                item.negated = item.modifiers.contains(&Modifier::Neq);
            }
        }
        Some(item)
    }
}

/// Python's `repr` of what PyYAML builds from `node` (pySigma's `re`
/// modifier stringifies whatever value it gets).
fn py_repr(node: &Node, depth: usize) -> String {
    if depth > 64 {
        return "...".into();
    }
    let quote = |s: &str| {
        if s.contains('\'') && !s.contains('"') {
            format!("\"{s}\"")
        } else {
            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
        }
    };
    match typed(node) {
        Typed::Str(s) => quote(s),
        Typed::Int(i) => i.to_string(),
        Typed::Float(f) => crate::value::python_float_repr(f),
        Typed::Bool(b) => if b { "True" } else { "False" }.into(),
        Typed::Null => "None".into(),
        Typed::Timestamp(t) => format!("datetime.date({t})"),
        Typed::Seq => format!(
            "[{}]",
            node.items()
                .iter()
                .map(|i| py_repr(i, depth + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Typed::Map => format!(
            "{{{}}}",
            node.entries()
                .map(|(k, v)| format!("{}: {}", py_repr(k, depth + 1), py_repr(v, depth + 1)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn collect_idents(e: &Expr, out: &mut Vec<String>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::And(items, _) | Expr::Or(items, _) => stack.extend(items.iter().rev()),
            Expr::Not(inner, _) => stack.push(inner),
            Expr::Ident(n, _) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            Expr::Selector { pattern, .. } => out.push(pattern.clone()),
        }
    }
}

/// The span of modifier `name` inside the key at `key_span`.
fn modifier_span(text: &str, key_span: Span, name: &str) -> Option<Span> {
    let key = key_span.slice(text);
    let needle = format!("|{name}");
    let mut from = 0;
    while let Some(i) = key[from..].find(&needle) {
        let start = from + i + 1;
        let end = start + name.len();
        if key[end..].is_empty() || key[end..].starts_with(['|', '\'', '"']) {
            return Some(Span::from_range(
                key_span.start as usize + start..key_span.start as usize + end,
            ));
        }
        from = end;
    }
    None
}

/// The candidate closest to `word` by edit distance, if close enough.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

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
