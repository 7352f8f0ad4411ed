//! YAML documents with byte spans, for the loaders of YAML rule formats
//! (Sentinel, Sigma, Splunk, Panther).
//!
//! [`parse`] turns a file into [`Node`] trees whose spans are byte ranges in
//! the file, so every key and value can be pointed at in a diagnostic. Plain
//! scalars are resolved the way PyYAML (YAML 1.1) resolves them, because the
//! reference tools of our rule formats (pySigma, Splunk's contentctl, Panther's
//! analysis tool) are Python and read `yes` as `true`. [`Node::text_map`]
//! maps a string value (a query in a block scalar) back to the file.
//!
//! Aliases are expanded with a node budget, and nesting is limited, so a
//! hostile file cannot exhaust memory or the stack.
//!
//! ```
//! let text = "title: Test\nquery: |\n  T\n  | where A == 1\n";
//! let docs = ruledex_yaml::parse(text).unwrap();
//! let query = docs[0].get("query").unwrap();
//! assert_eq!(query.as_str(), Some("T\n| where A == 1\n"));
//! let map = query.text_map(text);
//! let where_at = map.to_file(2) as usize;
//! assert_eq!(&text[where_at..where_at + 7], "| where");
//! ```

use ruledex_ir::{OffsetMap, Span};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 128;
/// Most nodes a document may have after alias expansion.
pub const MAX_NODES: usize = 200_000;

/// A YAML syntax error or a limit exceeded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong.
    pub message: String,
    /// Where, as a byte span in the file.
    pub span: Span,
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// A plain scalar's meaning under YAML 1.1 (PyYAML) resolution.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved<'a> {
    /// `~`, `null`, empty.
    Null,
    /// `true`, `yes`, `on`, … and their opposites.
    Bool(bool),
    /// Decimal, hex, octal or binary integer.
    Int(i64),
    /// A float (including `.inf`, `.nan`).
    Float(f64),
    /// Anything else, and every quoted or block scalar.
    Str(&'a str),
}

/// The content of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar with its text (escapes applied) and style.
    Scalar {
        /// The scalar's content.
        text: String,
        /// How it was written.
        style: Style,
    },
    /// A sequence.
    Sequence(Vec<Node>),
    /// A mapping, in file order (duplicate keys kept; [`Node::get`] returns
    /// the first).
    Mapping(Vec<(Node, Node)>),
}

/// A YAML node with its byte span in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Byte range of the node in the file (for block scalars, from the
    /// indicator `|` to the end of the content).
    pub span: Span,
    /// The content.
    pub value: Value,
    /// The tag, if one was written (`!!str`, `!Ref`).
    pub tag: Option<String>,
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries().find(|(k, _)| k.as_str() == Some(key))
    }

    /// The entries of a mapping (nothing for other nodes).
    pub fn entries(&self) -> impl Iterator<Item = (&Node, &Node)> {
        let items: &[(Node, Node)] = match &self.value {
            Value::Mapping(items) => items,
            _ => &[],
        };
        items.iter().map(|(k, v)| (k, v))
    }

    /// The items of a sequence (nothing for other nodes).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Sequence(items) => items,
            _ => &[],
        }
    }

    /// True for mappings.
    pub fn is_mapping(&self) -> bool {
        matches!(self.value, Value::Mapping(_))
    }

    /// True for sequences.
    pub fn is_sequence(&self) -> bool {
        matches!(self.value, Value::Sequence(_))
    }

    /// The text of a scalar, whatever it resolves to.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The style of a scalar.
    pub fn style(&self) -> Option<Style> {
        match &self.value {
            Value::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// A scalar's meaning: plain scalars resolve as in YAML 1.1 (PyYAML);
    /// quoted and block scalars, and scalars tagged `!!str`, are strings.
    /// A scalar tagged `!!int`, `!!float`, `!!bool` or `!!null` is of that
    /// type whatever its style, as PyYAML constructs it (`!!int '5'` is 5);
    /// text that is not of the type stays a string. `None` for collections.
    pub fn resolve(&self) -> Option<Resolved<'_>> {
        let Value::Scalar { text, style } = &self.value else {
            return None;
        };
        let core = self.tag.as_deref().and_then(|t| {
            t.strip_prefix("tag:yaml.org,2002:")
                .or_else(|| t.strip_prefix("!!"))
        });
        match (core, resolve_plain(text)) {
            (Some("null"), _) => return Some(Resolved::Null),
            (Some("int"), Resolved::Int(i)) => return Some(Resolved::Int(i)),
            (Some("float"), Resolved::Float(f)) => return Some(Resolved::Float(f)),
            #[allow(clippy::cast_precision_loss)]
            (Some("float"), Resolved::Int(i)) => return Some(Resolved::Float(i as f64)),
            (Some("bool"), Resolved::Bool(b)) => return Some(Resolved::Bool(b)),
            (Some("int" | "float" | "bool" | "str"), _) => return Some(Resolved::Str(text)),
            _ => {}
        }
        if *style != Style::Plain || self.tag.as_deref().is_some_and(|t| t.ends_with("str")) {
            return Some(Resolved::Str(text));
        }
        Some(resolve_plain(text))
    }

    /// True for a null scalar (`~`, `null`, or nothing).
    pub fn is_null(&self) -> bool {
        matches!(self.resolve(), Some(Resolved::Null))
    }

    /// A scalar as a string, or each scalar item of a sequence — the shape of
    /// fields like `tags` that may be written either way.
    pub fn strings(&self) -> Vec<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => vec![text.as_str()],
            Value::Sequence(items) => items.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The node as JSON (plain scalars resolved as by [`Node::resolve`];
    /// non-string mapping keys rendered as text). For metadata that is kept
    /// as is rather than modelled.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Sequence(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Mapping(items) => J::Object(
                items
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str()
                                .map_or_else(|| k.to_json().to_string(), str::to_string),
                            v.to_json(),
                        )
                    })
                    .collect(),
            ),
            Value::Scalar { .. } => match self.resolve() {
                Some(Resolved::Null) | None => J::Null,
                Some(Resolved::Bool(b)) => J::Bool(b),
                Some(Resolved::Int(i)) => J::from(i),
                Some(Resolved::Float(f)) => {
                    serde_json::Number::from_f64(f).map_or(J::Null, J::Number)
                }
                Some(Resolved::Str(s)) => J::String(s.to_string()),
            },
        }
    }

    /// Map offsets in this scalar's text back to the file.
    ///
    /// Block scalars and multi-line quoted scalars are located line by line
    /// (indentation stripped, escapes best effort); single-line scalars map
    /// linearly after their opening quote.
    pub fn text_map(&self, file: &str) -> OffsetMap {
        let Value::Scalar { text, style } = &self.value else {
            return OffsetMap::shifted(self.span.start);
        };
        match style {
            Style::Literal | Style::Folded => {
                // The node's span may start at the `|` indicator or at the
                // content; either way the content starts on a line of its
                // own, searched from the start of that line.
                let start = (self.span.start as usize).min(file.len());
                let from = if matches!(file.as_bytes().get(start), Some(b'|' | b'>')) {
                    file[start..]
                        .find('\n')
                        .map_or(file.len(), |i| start + i + 1)
                } else {
                    file[..start].rfind('\n').map_or(0, |i| i + 1)
                };
                OffsetMap::locate_lines(file, from as u32, text)
            }
            Style::SingleQuoted => single_quoted_map(file, self.span.start + 1),
            Style::DoubleQuoted if text.contains('\n') => {
                OffsetMap::locate_lines(file, self.span.start + 1, text)
            }
            Style::DoubleQuoted => OffsetMap::shifted(self.span.start + 1),
            Style::Plain => OffsetMap::shifted(self.span.start),
        }
    }
}

/// The map of a single-quoted scalar whose content starts at `start`:
/// `''` is one quote, and a line break with the blanks around it folds to
/// one space (or to one line break per extra empty line), so every line of
/// a long folded search maps exactly.
fn single_quoted_map(file: &str, start: u32) -> OffsetMap {
    let bytes = file.as_bytes();
    let mut segments = vec![(0u32, start)];
    let mut i = start as usize;
    let mut j = 0u32;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => {
                i += 2;
                j += 1;
                segments.push((j, i as u32));
            }
            b'\'' => break,
            b' ' | b'\t' | b'\r' | b'\n' => {
                let mut k = i;
                let mut breaks = 0u32;
                while k < bytes.len() && matches!(bytes[k], b' ' | b'\t' | b'\r' | b'\n') {
                    breaks += u32::from(bytes[k] == b'\n');
                    k += 1;
                }
                j += match breaks {
                    0 => (k - i) as u32,
                    1 => 1,
                    n => n - 1,
                };
                i = k;
                if breaks > 0 {
                    segments.push((j, i as u32));
                }
            }
            _ => {
                i += 1;
                j += 1;
            }
        }
    }
    OffsetMap::from_segments(segments)
}

/// Resolve a plain scalar the way PyYAML's YAML 1.1 resolver does.
pub fn resolve_plain(text: &str) -> Resolved<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" | "y" | "Y" => {
            // PyYAML does not resolve single `y`/`Y`; keep them strings.
            if text.eq_ignore_ascii_case("y") {
                return Resolved::Str(text);
            }
            return Resolved::Bool(true);
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = resolve_int(text) {
        return Resolved::Int(i);
    }
    if let Some(f) = resolve_float(text) {
        return Resolved::Float(f);
    }
    Resolved::Str(text)
}

fn resolve_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() || !body.as_bytes()[0].is_ascii_digit() {
        // Every YAML 1.1 integer starts with a digit after its sign; checking
        // first avoids building a string for each plain scalar.
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

fn resolve_float(text: &str) -> Option<f64> {
    // PyYAML 1.1 floats need a dot: [-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let dot = mantissa.find('.')?;
    let (int_part, frac) = (&mantissa[..dot], &mantissa[dot + 1..]);
    let int_ok = int_part.is_empty()
        || (int_part.as_bytes()[0].is_ascii_digit()
            && int_part.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
    let frac_ok = frac.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let exp_ok = exponent.is_none_or(|e| {
        e.len() > 1
            && matches!(e.as_bytes()[0], b'-' | b'+')
            && e[1..].bytes().all(|b| b.is_ascii_digit())
    });
    if !(int_ok && frac_ok && exp_ok) || (int_part.is_empty() && frac.is_empty()) {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// Converts saphyr's character-based markers to byte offsets.
///
/// Markers carry a character index; for ASCII text that is the byte offset.
/// Other text gets a table of character start offsets, so positions stay
/// right whatever saphyr counts as a line break (a lone `\r` is one for
/// YAML, not for [`LineIndex`]).
struct Positions<'a> {
    text: &'a str,
    char_starts: Vec<u32>,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        let char_starts = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i as u32).collect()
        };
        Positions { text, char_starts }
    }

    fn byte(&self, marker: &saphyr_parser::Marker) -> u32 {
        let len = self.text.len() as u32;
        if self.char_starts.is_empty() {
            return (marker.index() as u32).min(len);
        }
        self.char_starts.get(marker.index()).copied().unwrap_or(len)
    }

    fn span(&self, span: &saphyr_parser::Span) -> Span {
        Span::new(self.byte(&span.start), self.byte(&span.end))
    }
}

enum Frame {
    Sequence {
        start: u32,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Mapping {
        start: u32,
        anchor: usize,
        tag: Option<String>,
        items: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Parse every document of a YAML stream.
///
/// Errors carry a byte span pointing at the offending position.
///
/// Like PyYAML (which the rule formats' own tools use), a quoted scalar may
/// continue on lines indented less than YAML 1.2 requires, down to column
/// 0 under a top-level key; its value folds the same either way:
///
/// ```
/// let text = "description: 'A long\ndescription'\nlevel: high\n";
/// let docs = ruledex_yaml::parse(text).unwrap();
/// let d = docs[0].get("description").unwrap();
/// assert_eq!(d.as_str(), Some("A long description"));
/// assert_eq!(d.span.slice(text), "'A long\ndescription'");
/// ```
///
/// So may a flow collection, whose indentation PyYAML does not check:
///
/// ```
/// let text = "sel:\n  Image: [a.exe,\nb.exe]\n";
/// let docs = ruledex_yaml::parse(text).unwrap();
/// let image = docs[0].get("sel").unwrap().get("Image").unwrap();
/// assert_eq!(image.strings(), ["a.exe", "b.exe"]);
/// assert_eq!(image.items()[1].span.slice(text), "b.exe");
/// ```
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    // PyYAML skips a byte order mark at the start of the stream only; one
    // further on is a character like any other, which saphyr refuses. Such
    // marks are swapped for a same-sized stand-in for the parse and put
    // back in the scalars (spans are unchanged).
    let inner_bom = text.strip_prefix(BOM).unwrap_or(text).contains(BOM);
    if inner_bom && !text.contains(BOM_STAND_IN) {
        let first = text.starts_with(BOM);
        let mut masked: String = text
            .chars()
            .skip(usize::from(first))
            .map(|c| if c == BOM { BOM_STAND_IN } else { c })
            .collect();
        if first {
            masked.insert(0, BOM);
        }
        let mut docs = parse_unmasked(&masked)?;
        for doc in &mut docs {
            restore_boms(doc);
        }
        return Ok(docs);
    }
    parse_unmasked(text)
}

const BOM: char = '\u{FEFF}';
/// A noncharacter with a byte order mark's UTF-8 length.
const BOM_STAND_IN: char = '\u{FDD0}';

fn restore_boms(node: &mut Node) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &mut n.value {
            Value::Scalar { text, .. } => {
                if text.contains(BOM_STAND_IN) {
                    *text = text.replace(BOM_STAND_IN, "\u{FEFF}");
                }
            }
            Value::Sequence(items) => stack.extend(items.iter_mut()),
            Value::Mapping(items) => {
                for (k, v) in items.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
}

fn parse_unmasked(text: &str) -> Result<Vec<Node>, YamlError> {
    match parse_stream(text) {
        Ok(docs) => Ok(docs),
        Err(error) => {
            // Read as PyYAML does: indent the continuation lines of quoted
            // scalars and flow collections, parse that, and map the spans
            // back to `text`.
            let Some(relaxed) = RelaxedText::indent_continuations(text) else {
                return Err(error);
            };
            match parse_stream(&relaxed.text) {
                Ok(mut docs) => {
                    for doc in &mut docs {
                        relaxed.map_spans(doc);
                    }
                    Ok(docs)
                }
                Err(_) => Err(error),
            }
        }
    }
}

/// A copy of a text with spaces inserted at the start of some lines, and
/// the way back to the original's offsets.
struct RelaxedText {
    text: String,
    /// `(offset in the copy, offset in the original, spaces inserted)`,
    /// in order.
    insertions: Vec<(u32, u32, u32)>,
}

impl RelaxedText {
    /// Indent every continuation line of a multi-line quoted scalar or
    /// flow collection (`[...]`, `{...}`, where PyYAML checks no
    /// indentation at all) that is not indented more than the line the
    /// scalar or outermost collection starts on. `None` when there is
    /// nothing to indent, or when a continuation line is a document marker
    /// (`---`, `...`), which PyYAML rejects too.
    fn indent_continuations(text: &str) -> Option<RelaxedText> {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len() + 64);
        let mut insertions = Vec::new();
        let mut i = 0;
        let mut line_start = 0;
        // Inside a quoted scalar: its quote and the indentation of the
        // line it started on.
        let mut quoted: Option<(u8, usize)> = None;
        // Skipping a block scalar's lines: lines indented more than this.
        let mut block: Option<usize> = None;
        // Inside flow collections: how deep, and the indentation of the
        // line the outermost one started on.
        let mut flow: Option<(usize, usize)> = None;
        let indent_of = |from: usize| bytes[from..].iter().take_while(|b| **b == b' ').count();
        while i < bytes.len() {
            let b = bytes[i];
            if i == line_start {
                let indent = indent_of(i);
                let rest = &text[i + indent..];
                let blank = rest.starts_with('\n') || rest.starts_with("\r\n") || rest.is_empty();
                if let Some(limit) = block {
                    if blank || indent > limit {
                        // Block scalar content: copied as it is.
                        let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                        out.push_str(&text[i..end]);
                        i = end;
                        line_start = end;
                        continue;
                    }
                    block = None;
                }
                let open = match (quoted, flow) {
                    (Some((_, q)), Some((_, f))) => Some(q.max(f)),
                    (Some((_, q)), None) => Some(q),
                    (None, Some((_, f))) => Some(f),
                    (None, None) => None,
                };
                if let Some(start_indent) = open {
                    if !blank && indent <= start_indent {
                        if indent == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
                            return None;
                        }
                        let add = start_indent + 1 - indent;
                        insertions.push((
                            u32::try_from(out.len()).ok()?,
                            u32::try_from(i).ok()?,
                            u32::try_from(add).ok()?,
                        ));
                        out.extend(std::iter::repeat_n(' ', add));
                    }
                }
            }
            match quoted {
                Some((b'\'', _)) if b == b'\'' => {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        out.push_str("''");
                        i += 2;
                        continue;
                    }
                    quoted = None;
                }
                Some((b'"', _)) if b == b'\\' => {
                    // An escape: the next character is content.
                    let len = text[i + 1..].chars().next().map_or(0, char::len_utf8);
                    out.push_str(&text[i..i + 1 + len]);
                    i += 1 + len;
                    if len == 1 && bytes[i - 1] == b'\n' {
                        line_start = i;
                    }
                    continue;
                }
                Some((b'"', _)) if b == b'"' => quoted = None,
                Some(_) => {}
                None => match b {
                    b'#' if i == line_start || bytes[i - 1].is_ascii_whitespace() => {
                        // A comment: up to the line end.
                        let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                        out.push_str(&text[i..end]);
                        i = end;
                        continue;
                    }
                    b'\'' | b'"' if starts_scalar(bytes, line_start, i) => {
                        quoted = Some((b, indent_of(line_start)));
                    }
                    b'[' | b'{' if flow.is_some() || starts_scalar(bytes, line_start, i) => {
                        flow = Some(match flow {
                            Some((depth, start)) => (depth + 1, start),
                            None => (1, indent_of(line_start)),
                        });
                    }
                    b']' | b'}' if flow.is_some() => {
                        flow = match flow {
                            Some((depth, start)) if depth > 1 => Some((depth - 1, start)),
                            _ => None,
                        };
                    }
                    b'|' | b'>' if flow.is_none() && starts_scalar(bytes, line_start, i) => {
                        block = Some(indent_of(line_start));
                    }
                    _ => {}
                },
            }
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + len]);
            if b == b'\n' {
                line_start = i + 1;
            }
            i += len;
        }
        (!insertions.is_empty()).then_some(RelaxedText {
            text: out,
            insertions,
        })
    }

    /// The original offset of `offset` in the copy (inside inserted spaces:
    /// where they were inserted).
    fn original(&self, offset: u32) -> u32 {
        let mut shift = 0;
        for &(copy, original, added) in &self.insertions {
            if offset < copy {
                break;
            }
            if offset < copy + added {
                return original;
            }
            shift += added;
        }
        offset - shift
    }

    /// Map every span of `node` back to the original text.
    fn map_spans(&self, node: &mut Node) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            n.span = Span::new(self.original(n.span.start), self.original(n.span.end));
            match &mut n.value {
                Value::Sequence(items) => stack.extend(items.iter_mut()),
                Value::Mapping(items) => {
                    for (k, v) in items.iter_mut() {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                Value::Scalar { .. } => {}
            }
        }
    }
}

/// Whether the character at `at` starts a scalar: only spaces, or a `:`,
/// `-`, `?`, `[`, `{` or `,` indicator with spaces, before it on its line.
fn starts_scalar(bytes: &[u8], line_start: usize, at: usize) -> bool {
    let before = &bytes[line_start..at];
    let trimmed = before.iter().rposition(|b| *b != b' ' && *b != b'\t');
    match trimmed {
        None => true,
        Some(p) => {
            let c = before[p];
            (matches!(c, b':' | b'-' | b'?') && p + 1 < before.len())
                || matches!(c, b'[' | b'{' | b',')
        }
    }
}

fn parse_stream(text: &str) -> Result<Vec<Node>, YamlError> {
    let positions = Positions::new(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut nodes = 0usize;

    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            message: format!("invalid YAML: {}", e.info()),
            span: Span::empty(positions.byte(e.marker())),
        })?;
        let here = positions.span(&span);
        let completed = match event {
            Event::DocumentStart(_) | Event::DocumentEnd => None,
            Event::Scalar(value, style, anchor, tag) => {
                let node = Node {
                    span: here,
                    value: Value::Scalar {
                        text: value.into_owned(),
                        style: style_of(style),
                    },
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                };
                Some((node, anchor))
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias to an unknown anchor".into(),
                        span: here,
                    });
                };
                nodes += count_nodes(target);
                if nodes > MAX_NODES {
                    return Err(YamlError {
                        message: format!(
                            "document expands to more than {MAX_NODES} nodes (alias bomb?)"
                        ),
                        span: here,
                    });
                }
                let mut copy = target.clone();
                copy.span = here;
                Some((copy, 0))
            }
            Event::SequenceStart(anchor, tag) => {
                open_collection(
                    &mut stack,
                    here,
                    anchor,
                    tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    true,
                )?;
                None
            }
            Event::MappingStart(anchor, tag) => {
                open_collection(
                    &mut stack,
                    here,
                    anchor,
                    tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    false,
                )?;
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Sequence {
                    start,
                    anchor,
                    tag,
                    items,
                }) => {
                    let end = items.last().map_or(here.end, |n| n.span.end).max(start);
                    Some((
                        Node {
                            span: Span::new(start, end),
                            value: Value::Sequence(items),
                            tag,
                        },
                        anchor,
                    ))
                }
                Some(Frame::Mapping {
                    start,
                    anchor,
                    tag,
                    items,
                    ..
                }) => {
                    let items = merge_keys(items)?;
                    let end = items
                        .last()
                        .map_or(here.end, |(_, v)| v.span.end)
                        .max(start);
                    Some((
                        Node {
                            span: Span::new(start, end),
                            value: Value::Mapping(items),
                            tag,
                        },
                        anchor,
                    ))
                }
                None => None,
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
        };
        let Some((node, anchor)) = completed else {
            continue;
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(YamlError {
                message: format!("document has more than {MAX_NODES} nodes"),
                span: node.span,
            });
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping { items, key, .. }) => match key.take() {
                Some(k) => items.push((k, node)),
                None => *key = Some(node),
            },
            None => docs.push(node),
        }
    }
    Ok(docs)
}

/// Whether a mapping key is YAML 1.1's merge key: a plain `<<` (or one
/// tagged `!!merge`).
fn is_merge_key(key: &Node) -> bool {
    match &key.value {
        Value::Scalar { text, style } => match key.tag.as_deref() {
            Some(tag) => tag.ends_with(":merge") || tag == "!!merge",
            None => *style == Style::Plain && text == "<<",
        },
        _ => false,
    }
}

/// Apply the merge keys of a mapping as PyYAML (6.0.4, what pySigma runs
/// on) does: `<<: *base` (or a sequence of aliases) brings in the entries
/// of the merged mappings before the mapping's own, an own key overriding
/// a merged one and, in a sequence, a later mapping an earlier one.
/// Merged mappings had their own merge keys applied when they were
/// completed. (PyYAML before 6.0.2 let the earlier mapping of a sequence
/// win.)
fn merge_keys(items: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, YamlError> {
    if !items.iter().any(|(k, _)| is_merge_key(k)) {
        return Ok(items);
    }
    let mut merged = Vec::new();
    let mut own = Vec::with_capacity(items.len());
    for (key, value) in items {
        if !is_merge_key(&key) {
            own.push((key, value));
            continue;
        }
        let not_mergeable = |node: &Node| YamlError {
            message: "expected a mapping or a list of mappings for merging (`<<`)".into(),
            span: node.span,
        };
        match value.value {
            Value::Mapping(entries) => merged.extend(entries),
            Value::Sequence(list) => {
                let mut parts = Vec::with_capacity(list.len());
                for item in list {
                    match item.value {
                        Value::Mapping(entries) => parts.push(entries),
                        _ => return Err(not_mergeable(&item)),
                    }
                }
                for entries in parts {
                    merged.extend(entries);
                }
            }
            Value::Scalar { .. } => return Err(not_mergeable(&value)),
        }
    }
    // Later entries override earlier ones at the earlier one's place, as
    // in the dict PyYAML builds; duplicates among the own keys stay for
    // the loaders to report.
    let mut out: Vec<(Node, Node)> = Vec::with_capacity(merged.len() + own.len());
    let mut from_merge: HashMap<String, usize> = HashMap::new();
    for (key, value) in merged {
        match key.as_str().and_then(|k| from_merge.get(k).copied()) {
            Some(at) => out[at].1 = value,
            None => {
                if let Some(k) = key.as_str() {
                    from_merge.insert(k.to_string(), out.len());
                }
                out.push((key, value));
            }
        }
    }
    for (key, value) in own {
        match key.as_str().and_then(|k| from_merge.remove(k)) {
            Some(at) => out[at] = (key, value),
            None => out.push((key, value)),
        }
    }
    Ok(out)
}

fn open_collection(
    stack: &mut Vec<Frame>,
    here: Span,
    anchor: usize,
    tag: Option<String>,
    is_sequence: bool,
) -> Result<(), YamlError> {
    if stack.len() >= MAX_DEPTH {
        return Err(YamlError {
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
            span: here,
        });
    }
    stack.push(if is_sequence {
        Frame::Sequence {
            start: here.start,
            anchor,
            tag,
            items: Vec::with_capacity(4),
        }
    } else {
        Frame::Mapping {
            start: here.start,
            anchor,
            tag,
            items: Vec::with_capacity(4),
            key: None,
        }
    });
    Ok(())
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Sequence(items) => stack.extend(items),
            Value::Mapping(items) => {
                for (k, v) in items {
                    stack.push(k);
                    stack.push(v);
                }
            }
            Value::Scalar { .. } => {}
        }
    }
    count
}

fn style_of(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_single_quoted_scalars_map_every_line() {
        let text = "search: 'a | b\n  it''s `m` | c\n\n  d'\nnext: 1\n";
        let docs = parse(text).unwrap();
        let node = docs[0].get("search").unwrap();
        let value = node.as_str().unwrap();
        assert_eq!(value, "a | b it's `m` | c\nd");
        let map = node.text_map(text);
        for needle in ["`m`", "c", "d", "b"] {
            let at = value.find(needle).unwrap() as u32;
            let span = map.span_to_file(ruledex_ir::Span::new(at, at + needle.len() as u32));
            assert_eq!(span.slice(text), needle);
        }
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_text() {
        let text = "title: Détection\nlevel: high\n";
        let docs = parse(text).unwrap();
        let level = docs[0].get("level").unwrap();
        assert_eq!(level.span.slice(text), "high");
        let (key, _) = docs[0].entry("level").unwrap();
        assert_eq!(key.span.slice(text), "level");
    }

    #[test]
    fn spans_survive_carriage_returns_before_multibyte_text() {
        let text = "a: x\r\r\rb: 'é'\nc: ok\n";
        let docs = parse(text).unwrap();
        let c = docs[0].get("c").unwrap();
        assert_eq!(c.span.slice(text), "ok");
        let b = docs[0].get("b").unwrap();
        assert_eq!(b.span.slice(text), "'é'");
    }

    #[test]
    fn plain_scalars_resolve_like_pyyaml() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("4624"), Resolved::Int(4624));
        assert_eq!(resolve_plain("0x10"), Resolved::Int(16));
        assert_eq!(resolve_plain("010"), Resolved::Int(8));
        assert_eq!(resolve_plain("1.5"), Resolved::Float(1.5));
        assert_eq!(resolve_plain("1e5"), Resolved::Str("1e5"));
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain("cmd.exe"), Resolved::Str("cmd.exe"));
        assert_eq!(resolve_plain("-"), Resolved::Str("-"));
    }

    #[test]
    fn byte_order_marks_after_the_start_are_text_like_in_pyyaml() {
        let text = "\u{FEFF}a: x\u{FEFF}y\nb: [\u{FEFF}]\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs[0].get("a").unwrap().as_str(), Some("x\u{FEFF}y"));
        assert_eq!(docs[0].get("a").unwrap().span.slice(text), "x\u{FEFF}y");
        assert_eq!(docs[0].get("b").unwrap().strings(), ["\u{FEFF}"]);
    }

    #[test]
    fn core_tags_type_their_scalars_like_pyyaml() {
        let text =
            "a: !!int '5'\nb: !!float 2\nc: !!bool \"yes\"\nd: !!null x\ne: !!str 5\nf: !!int x\n";
        let docs = parse(text).unwrap();
        let r = |k: &str| docs[0].get(k).unwrap().resolve().unwrap();
        assert_eq!(r("a"), Resolved::Int(5));
        assert_eq!(r("b"), Resolved::Float(2.0));
        assert_eq!(r("c"), Resolved::Bool(true));
        assert_eq!(r("d"), Resolved::Null);
        assert_eq!(r("e"), Resolved::Str("5"));
        assert_eq!(r("f"), Resolved::Str("x"));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let docs = parse("a: 'yes'\nb: \"5\"\nc: !!str 7\n").unwrap();
        assert_eq!(
            docs[0].get("a").unwrap().resolve(),
            Some(Resolved::Str("yes"))
        );
        assert_eq!(
            docs[0].get("b").unwrap().resolve(),
            Some(Resolved::Str("5"))
        );
        assert_eq!(
            docs[0].get("c").unwrap().resolve(),
            Some(Resolved::Str("7"))
        );
    }

    #[test]
    fn to_json_keeps_types() {
        let docs = parse("a: [1, 'x', yes, ~]\nb: {c: 1.5}\n").unwrap();
        assert_eq!(
            docs[0].to_json().to_string(),
            r#"{"a":[1,"x",true,null],"b":{"c":1.5}}"#
        );
    }

    #[test]
    fn block_scalars_map_their_first_line_too() {
        // (file, key, where the value's first byte is in the file)
        for (text, key, at) in [
            ("id: x\nquery: |\n  126\n", "query", 17),
            ("query: |-\n  T\n  | x\nname: y\n", "query", 12),
            // Folded lines join, so the first line is not found as such: the
            // map falls back to the start of its line in the file.
            ("q: >\n  a\n  b\n", "q", 5),
        ] {
            let docs = parse(text).unwrap();
            let node = docs[0].get(key).unwrap();
            assert_eq!(node.text_map(text).to_file(0), at, "{text:?}");
        }
    }

    /// Quoted scalars continued at column 0 (or less indented than YAML
    /// 1.2 wants), read as PyYAML reads them: the values below are what
    /// `yaml.safe_load` gives.
    #[test]
    fn quoted_scalars_continue_on_lines_indented_less_like_pyyaml() {
        let text = "description: 'This is a long\nline that continues\n\n  and a paragraph'\nlevel: high\n";
        let docs = parse(text).unwrap();
        let d = docs[0].get("description").unwrap();
        assert_eq!(
            d.as_str(),
            Some("This is a long line that continues\nand a paragraph")
        );
        assert_eq!(d.span.slice(text), &text[13..text.find("\nlevel").unwrap()]);
        assert_eq!(docs[0].get("level").unwrap().span.slice(text), "high");

        let text = "a:\n  b: 'x\ny'\n  c: \"p\nq\"\n";
        let docs = parse(text).unwrap();
        let a = docs[0].get("a").unwrap();
        assert_eq!(a.get("b").unwrap().as_str(), Some("x y"));
        assert_eq!(a.get("c").unwrap().as_str(), Some("p q"));
        assert_eq!(a.get("c").unwrap().span.slice(text), "\"p\nq\"");

        // Quotes in comments, plain scalars and block scalars are not
        // quoted scalars.
        let text = "# it's a comment\ntitle: it's plain\nbody: |\n  don't\nnote: 'a\nb'\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs[0].get("title").unwrap().as_str(), Some("it's plain"));
        assert_eq!(docs[0].get("body").unwrap().as_str(), Some("don't\n"));
        assert_eq!(docs[0].get("note").unwrap().as_str(), Some("a b"));

        // A document marker inside a quoted scalar ends it for PyYAML too.
        assert!(parse("a: 'x\n---\ny'\n").is_err());
    }

    #[test]
    fn flow_collections_continue_on_lines_indented_less_like_pyyaml() {
        let text = "d:\n  sel:\n    Image: [a,\nb]\n    User: {x: 1,\n  y: 2}\n  c: sel\n";
        let docs = parse(text).unwrap();
        let sel = docs[0].get("d").unwrap().get("sel").unwrap();
        assert_eq!(sel.get("Image").unwrap().strings(), ["a", "b"]);
        assert_eq!(sel.get("Image").unwrap().items()[1].span.slice(text), "b");
        assert_eq!(pairs(sel.get("User").unwrap()).len(), 2);
        assert_eq!(
            docs[0].get("d").unwrap().get("c").unwrap().as_str(),
            Some("sel")
        );

        // Nested collections, a closing bracket in column 0, a quoted item
        // and a comment inside.
        let text = "a:\n  b: [\n    [x, 'y,\nz'], # note ]\n{k: v}\n]\nc: 1\n";
        let docs = parse(text).unwrap();
        let b = docs[0].get("a").unwrap().get("b").unwrap();
        assert_eq!(b.items().len(), 2);
        assert_eq!(b.items()[0].items()[1].as_str(), Some("y, z"));
        assert_eq!(docs[0].get("c").unwrap().as_str(), Some("1"));

        // Brackets inside a plain scalar start nothing; a document marker
        // inside a collection is an error for PyYAML too.
        assert!(parse("a: x[1\nb: [1,\n2]\n").is_ok());
        assert!(parse("a:\n  b: [1,\n---\n2]\n").is_err());
    }

    fn pairs(node: &Node) -> Vec<(String, String)> {
        node.entries()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap_or_default().to_string(),
                    v.as_str()
                        .map_or_else(|| v.to_json().to_string(), str::to_string),
                )
            })
            .collect()
    }

    #[test]
    fn merge_keys_bring_in_entries_like_pyyaml() {
        let text = "base: &b {a: 1, b: 2}\nsel:\n  <<: *b\n  b: 3\n  c: 4\n";
        let docs = parse(text).unwrap();
        let sel = docs[0].get("sel").unwrap();
        let want = [("a", "1"), ("b", "3"), ("c", "4")];
        let want: Vec<_> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs(sel), want);
        // The merged entries keep their place in the file.
        let (a_key, _) = sel.entry("a").unwrap();
        assert_eq!(a_key.span.slice(text), "a");
        assert!(a_key.span.start < 20);
    }

    #[test]
    fn merge_key_lists_let_the_later_mapping_win() {
        let text = "x: &x {ab: 1, bc: 1}\ny: &y {bc: 2, cd: 2}\nz:\n  <<: [*x, *y]\n  cd: 3\n";
        let docs = parse(text).unwrap();
        let z = docs[0].get("z").unwrap();
        let want = [("bc", "2"), ("cd", "3"), ("ab", "1")];
        let got = pairs(z);
        for (k, v) in want {
            assert!(got.contains(&(k.to_string(), v.to_string())), "{got:?}");
        }
        assert_eq!(got.len(), 3);
        // Nested merges are applied before the outer one.
        let text = "a: &a {k: 1}\nb: &b {<<: *a, l: 2}\nc: {<<: *b}\n";
        let docs = parse(text).unwrap();
        assert_eq!(pairs(docs[0].get("c").unwrap()).len(), 2);
    }

    #[test]
    fn merge_keys_keep_own_duplicates_and_quoted_keys() {
        // A duplicate among the mapping's own keys stays for the loader
        // to report; a quoted '<<' is an ordinary key.
        let text = "b: &b {a: 1}\nm:\n  <<: *b\n  a: 2\n  a: 3\n  '<<': x\n";
        let docs = parse(text).unwrap();
        let got = pairs(docs[0].get("m").unwrap());
        let keys: Vec<_> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "a", "<<"]);
        assert_eq!(got[0].1, "2");
    }

    #[test]
    fn merging_a_scalar_is_an_error() {
        for text in ["m:\n  <<: 1\n", "m:\n  <<:\n", "m:\n  <<: [1]\n"] {
            let error = parse(text).unwrap_err();
            assert!(error.message.contains("merging"), "{text}: {error:?}");
            assert!(error.span.start >= 4, "{text}: {error:?}");
        }
    }

    #[test]
    fn multiple_documents() {
        let docs = parse("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[1].get("b").is_some());
    }

    #[test]
    fn errors_point_into_the_file() {
        let text = "a: 1\nb: [1, 2\nc: 3\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(err.span.start as usize <= text.len());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("more than"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("nesting") || err.message.starts_with("invalid YAML"),
            "{}",
            err.message
        );
    }

    #[test]
    fn folded_and_quoted_maps_stay_near_their_lines() {
        let text = "q: \"A\n  | where B\"\n";
        let docs = parse(text).unwrap();
        let q = docs[0].get("q").unwrap();
        assert_eq!(q.as_str(), Some("A | where B"));
        let map = q.text_map(text);
        assert_eq!(map.to_file(0), 4);
    }
}
