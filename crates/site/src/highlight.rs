//! A small, safe syntax highlighter for rule bodies and stage texts.
//!
//! It knows just enough of each notation to colour what a reader scans for:
//! strings, comments, numbers, keywords and operators of the query
//! languages, keys of YAML and TOML. It works line by line with a little
//! state (block comments, triple-quoted strings), never backtracks, and
//! escapes every byte it emits, so it is linear in the input and cannot be
//! tricked into writing markup.
//!
//! [`body_html`] renders a whole rule body with line numbers (`id="L12"`
//! per line, for deep links) and marks the ranges diagnostics point at.
//!
//! ```
//! use ruledex_site::highlight::{highlight, Syntax};
//! let html = highlight("SigninLogs | where X =~ \"<b>\" // note", Syntax::Kql);
//! assert!(html.contains("<span class=s>&quot;&lt;b&gt;&quot;</span>"));
//! assert!(html.contains("<span class=c>// note</span>"));
//! ```

use ruledex_ir::Language;
use std::fmt::Write as _;
use std::ops::Range;

/// The notations the highlighter knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Kusto.
    Kql,
    /// Splunk SPL.
    Spl,
    /// Elastic EQL.
    Eql,
    /// ES|QL.
    Esql,
    /// Lucene and Kibana query syntax.
    Lucene,
    /// YARA-L 2.0.
    Yaral,
    /// Python.
    Python,
    /// SQL (Panther's Snowflake queries).
    Sql,
    /// YAML (Sigma rules, Sentinel files).
    Yaml,
    /// TOML (Elastic rule files).
    Toml,
    /// Markdown (hunting query files).
    Markdown,
    /// No colouring.
    Plain,
}

impl Syntax {
    /// The syntax of a query language.
    pub fn for_language(language: Language) -> Syntax {
        match language {
            Language::Kql => Syntax::Kql,
            Language::Sigma => Syntax::Yaml,
            Language::Kuery | Language::Lucene => Syntax::Lucene,
            Language::Eql => Syntax::Eql,
            Language::Esql => Syntax::Esql,
            Language::Spl => Syntax::Spl,
            Language::Yaral => Syntax::Yaral,
            Language::Python => Syntax::Python,
            Language::Sql => Syntax::Sql,
        }
    }

    /// The syntax of a rule file, from its name.
    pub fn for_path(path: &str) -> Option<Syntax> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "yaml" | "yml" => Syntax::Yaml,
            "toml" => Syntax::Toml,
            "md" | "markdown" => Syntax::Markdown,
            "kql" | "csl" | "kusto" => Syntax::Kql,
            "py" => Syntax::Python,
            "sql" => Syntax::Sql,
            "yaral" => Syntax::Yaral,
            "spl" => Syntax::Spl,
            "eql" => Syntax::Eql,
            "esql" => Syntax::Esql,
            _ => return None,
        })
    }

    fn line_comment(self) -> &'static [&'static str] {
        match self {
            Syntax::Kql | Syntax::Eql | Syntax::Esql | Syntax::Yaral => &["//"],
            Syntax::Sql => &["--"],
            Syntax::Yaml | Syntax::Toml | Syntax::Python => &["#"],
            _ => &[],
        }
    }

    fn block_comment(self) -> Option<(&'static str, &'static str)> {
        match self {
            Syntax::Eql | Syntax::Esql | Syntax::Yaral | Syntax::Sql => Some(("/*", "*/")),
            Syntax::Spl => Some(("```", "```")),
            _ => None,
        }
    }

    fn keywords(self) -> &'static [&'static str] {
        match self {
            Syntax::Kql => &[
                "where",
                "extend",
                "project",
                "summarize",
                "join",
                "union",
                "let",
                "by",
                "on",
                "kind",
                "and",
                "or",
                "not",
                "in",
                "has",
                "has_any",
                "has_all",
                "contains",
                "startswith",
                "endswith",
                "matches",
                "regex",
                "between",
                "mv-expand",
                "mv-apply",
                "parse",
                "evaluate",
                "distinct",
                "top",
                "take",
                "limit",
                "sort",
                "order",
                "asc",
                "desc",
                "project-away",
                "project-rename",
                "project-reorder",
                "lookup",
                "externaldata",
                "with",
                "datatable",
                "materialize",
                "invoke",
                "make-series",
                "range",
                "print",
                "as",
                "count",
                "render",
                "search",
                "has_cs",
                "contains_cs",
                "startswith_cs",
                "endswith_cs",
                "in~",
                "true",
                "false",
            ],
            Syntax::Spl => &[
                "search",
                "where",
                "eval",
                "stats",
                "tstats",
                "table",
                "fields",
                "rename",
                "by",
                "as",
                "and",
                "or",
                "not",
                "in",
                "from",
                "datamodel",
                "lookup",
                "rex",
                "dedup",
                "sort",
                "head",
                "tail",
                "join",
                "append",
                "inputlookup",
                "outputlookup",
                "bin",
                "bucket",
                "count",
                "values",
                "dc",
                "min",
                "max",
                "latest",
                "earliest",
                "like",
                "match",
                "OR",
                "AND",
                "NOT",
                "IN",
                "BY",
                "AS",
            ],
            Syntax::Eql => &[
                "sequence", "by", "with", "maxspan", "until", "where", "and", "or", "not", "in",
                "any", "process", "file", "network", "registry", "library", "sample", "true",
                "false", "null", "like", "regex", "runs",
            ],
            Syntax::Esql => &[
                "FROM",
                "WHERE",
                "EVAL",
                "STATS",
                "BY",
                "KEEP",
                "DROP",
                "RENAME",
                "SORT",
                "LIMIT",
                "DISSECT",
                "GROK",
                "ENRICH",
                "MV_EXPAND",
                "AND",
                "OR",
                "NOT",
                "IN",
                "LIKE",
                "RLIKE",
                "IS",
                "NULL",
                "ASC",
                "DESC",
                "METADATA",
                "ON",
                "WITH",
                "from",
                "where",
                "eval",
                "stats",
                "by",
                "keep",
                "drop",
                "rename",
                "sort",
                "limit",
                "and",
                "or",
                "not",
                "in",
                "like",
                "rlike",
                "is",
                "null",
            ],
            Syntax::Lucene => &["AND", "OR", "NOT", "TO", "and", "or", "not"],
            Syntax::Sql => &[
                "select",
                "from",
                "where",
                "and",
                "or",
                "not",
                "in",
                "is",
                "null",
                "like",
                "ilike",
                "as",
                "join",
                "left",
                "right",
                "inner",
                "outer",
                "on",
                "group",
                "by",
                "having",
                "order",
                "limit",
                "with",
                "union",
                "all",
                "distinct",
                "case",
                "when",
                "then",
                "else",
                "end",
                "between",
                "exists",
                "qualify",
                "over",
                "partition",
                "rlike",
            ],
            Syntax::Yaral => &[
                "rule",
                "meta",
                "events",
                "match",
                "outcome",
                "condition",
                "options",
                "and",
                "or",
                "not",
                "over",
                "nocase",
                "re",
                "any",
                "all",
                "if",
                "true",
                "false",
            ],
            Syntax::Python => &[
                "def", "return", "if", "elif", "else", "for", "in", "not", "and", "or", "is",
                "None", "True", "False", "import", "from", "as", "class", "with", "try", "except",
                "lambda", "while", "break", "continue", "pass",
            ],
            _ => &[],
        }
    }

    /// Whether keyword matching ignores case.
    fn keywords_ignore_case(self) -> bool {
        matches!(
            self,
            Syntax::Spl | Syntax::Eql | Syntax::Lucene | Syntax::Sql
        )
    }

    fn is_query(self) -> bool {
        !matches!(
            self,
            Syntax::Yaml | Syntax::Toml | Syntax::Markdown | Syntax::Plain
        )
    }
}

/// Token classes, written as short CSS class names to keep pages small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Plain,
    /// `s`: a string.
    Str,
    /// `c`: a comment.
    Comment,
    /// `k`: a keyword.
    Keyword,
    /// `o`: an operator.
    Op,
    /// `n`: a number.
    Number,
    /// `y`: a key (YAML / TOML) or a heading (Markdown).
    Key,
}

impl Class {
    fn css(self) -> Option<&'static str> {
        match self {
            Class::Plain => None,
            Class::Str => Some("s"),
            Class::Comment => Some("c"),
            Class::Keyword => Some("k"),
            Class::Op => Some("o"),
            Class::Number => Some("n"),
            Class::Key => Some("y"),
        }
    }
}

/// Multi-line state carried from one line to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Carry {
    #[default]
    None,
    /// Inside a block comment ending with the given delimiter.
    Comment(&'static str),
    /// Inside a triple-quoted string ending with the given delimiter.
    Triple(&'static str),
}

/// Write `text` HTML-escaped (also quotes, so it is safe in attributes).
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Tokens of one line as (byte range, class), covering the line.
fn tokenize_line(line: &str, syntax: Syntax, carry: &mut Carry) -> Vec<(Range<usize>, Class)> {
    let bytes = line.as_bytes();
    let mut tokens: Vec<(Range<usize>, Class)> = Vec::new();
    let push = |tokens: &mut Vec<(Range<usize>, Class)>, range: Range<usize>, class: Class| {
        if range.is_empty() {
            return;
        }
        match tokens.last_mut() {
            Some((last, c)) if *c == class && last.end == range.start => last.end = range.end,
            _ => tokens.push((range, class)),
        }
    };
    let mut i = 0;
    // Continue a block comment or triple string from the previous line.
    match *carry {
        Carry::Comment(end) | Carry::Triple(end) => {
            let class = if matches!(carry, Carry::Comment(_)) {
                Class::Comment
            } else {
                Class::Str
            };
            match line.find(end) {
                Some(at) => {
                    push(&mut tokens, 0..at + end.len(), class);
                    i = at + end.len();
                    *carry = Carry::None;
                }
                None => {
                    push(&mut tokens, 0..line.len(), class);
                    return tokens;
                }
            }
        }
        Carry::None => {}
    }
    if syntax == Syntax::Markdown {
        let trimmed = line.trim_start();
        let class = if trimmed.starts_with('#') {
            Class::Key
        } else if trimmed.starts_with("```") {
            Class::Comment
        } else {
            Class::Plain
        };
        push(&mut tokens, i..line.len(), class);
        return tokens;
    }
    // YAML / TOML keys at the start of a line.
    if i == 0 && matches!(syntax, Syntax::Yaml | Syntax::Toml) {
        let indent = line.len() - line.trim_start().len();
        let mut start = indent;
        // What has been pushed so far, so nothing is pushed twice.
        let mut emitted = 0;
        if syntax == Syntax::Yaml && line[start..].starts_with("- ") {
            push(&mut tokens, 0..start + 1, Class::Op);
            emitted = start + 1;
            start += 2;
        } else if syntax == Syntax::Toml && line[start..].starts_with('[') {
            push(&mut tokens, 0..line.len(), Class::Key);
            return tokens;
        }
        let sep = if syntax == Syntax::Yaml { ':' } else { '=' };
        let rest = &line[start..];
        if let Some(at) = rest.find(sep) {
            let key = &rest[..at];
            let plausible = !key.is_empty()
                && !key.starts_with('#')
                && key.chars().all(|c| {
                    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '|' | ' ' | '"' | '\'')
                })
                && (syntax == Syntax::Toml
                    || rest[at + 1..].is_empty()
                    || rest[at + 1..].starts_with(' '));
            if plausible {
                push(&mut tokens, emitted..start, Class::Plain);
                push(&mut tokens, start..start + at, Class::Key);
                push(&mut tokens, start + at..start + at + 1, Class::Op);
                i = start + at + 1;
            }
        }
        i = i.max(emitted);
    }
    let comments = syntax.line_comment();
    let block = syntax.block_comment();
    let triple = matches!(syntax, Syntax::Python | Syntax::Toml);
    let mut plain_from = i;
    while i < bytes.len() {
        let rest = &line[i..];
        // Comments.
        if let Some(c) = comments.iter().find(|c| rest.starts_with(**c)) {
            // `#` starts a YAML comment only at a word boundary.
            let boundary =
                *c != "#" || syntax != Syntax::Yaml || i == 0 || bytes[i - 1].is_ascii_whitespace();
            if boundary {
                push(&mut tokens, plain_from..i, Class::Plain);
                push(&mut tokens, i..line.len(), Class::Comment);
                return tokens;
            }
        }
        if let Some((open, close)) = block {
            if rest.starts_with(open) {
                push(&mut tokens, plain_from..i, Class::Plain);
                match line[i + open.len()..].find(close) {
                    Some(at) => {
                        let end = i + open.len() + at + close.len();
                        push(&mut tokens, i..end, Class::Comment);
                        i = end;
                        plain_from = i;
                        continue;
                    }
                    None => {
                        push(&mut tokens, i..line.len(), Class::Comment);
                        *carry = Carry::Comment(close);
                        return tokens;
                    }
                }
            }
        }
        let b = bytes[i];
        // Strings.
        if b == b'"' || b == b'\'' || (b == b'`' && syntax != Syntax::Spl) {
            push(&mut tokens, plain_from..i, Class::Plain);
            if triple && (rest.starts_with("\"\"\"") || rest.starts_with("'''")) {
                let delim: &'static str = if b == b'"' { "\"\"\"" } else { "'''" };
                match line[i + 3..].find(delim) {
                    Some(at) => {
                        let end = i + 3 + at + 3;
                        push(&mut tokens, i..end, Class::Str);
                        i = end;
                    }
                    None => {
                        push(&mut tokens, i..line.len(), Class::Str);
                        *carry = Carry::Triple(delim);
                        return tokens;
                    }
                }
            } else {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b {
                    if bytes[j] == b'\\' && syntax != Syntax::Yaml {
                        j += 1;
                    }
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                push(&mut tokens, i..end, Class::Str);
                i = end;
            }
            plain_from = i;
            continue;
        }
        // Numbers (not inside identifiers): a word starting with a digit
        // that reads as a number; other such words (the parts of a UUID,
        // `87210ca1`) are plain.
        if b.is_ascii_digit() && (i == 0 || !is_word_byte(bytes[i - 1])) {
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_ascii_alphanumeric()
                    || bytes[j] == b'.'
                    || joins_data_word(bytes, j, syntax))
            {
                j += 1;
            }
            if is_number(&line[i..j]) {
                push(&mut tokens, plain_from..i, Class::Plain);
                push(&mut tokens, i..j, Class::Number);
                plain_from = j;
            }
            i = j;
            continue;
        }
        // Words: keywords.
        if is_word_byte(b) {
            let mut j = i;
            while j < bytes.len()
                && (is_word_byte(bytes[j])
                    || (bytes[j] == b'-' && syntax == Syntax::Kql)
                    || joins_data_word(bytes, j, syntax))
            {
                j += 1;
            }
            // `~` closes `in~`, `has_any~`, …
            if j < bytes.len() && bytes[j] == b'~' && syntax == Syntax::Kql {
                j += 1;
            }
            let word = &line[i..j];
            let keyword = syntax.is_query()
                && syntax.keywords().iter().any(|k| {
                    if syntax.keywords_ignore_case() {
                        k.eq_ignore_ascii_case(word)
                    } else {
                        *k == word
                    }
                });
            if keyword {
                push(&mut tokens, plain_from..i, Class::Plain);
                push(&mut tokens, i..j, Class::Keyword);
                plain_from = j;
            }
            i = j;
            continue;
        }
        // Operators.
        if syntax.is_query() && b"|=!<>~&+*/%-:".contains(&b) {
            let mut j = i + 1;
            while j < bytes.len() && b"=~<>&|".contains(&bytes[j]) && j - i < 3 {
                j += 1;
            }
            push(&mut tokens, plain_from..i, Class::Plain);
            push(&mut tokens, i..j, Class::Op);
            i = j;
            plain_from = i;
            continue;
        }
        // Any other character (whole UTF-8 sequence).
        i += utf8_len(b);
    }
    push(
        &mut tokens,
        plain_from..line.len().max(plain_from),
        Class::Plain,
    );
    tokens
}

/// Whether the `-` at `at` joins two parts of one plain value in a data
/// file (YAML, TOML: a UUID `87210ca1-49a4-…`, a date `2024-03-01`), where
/// no `-` is an operator.
fn joins_data_word(bytes: &[u8], at: usize, syntax: Syntax) -> bool {
    bytes[at] == b'-'
        && !syntax.is_query()
        && at > 0
        && bytes[at - 1].is_ascii_alphanumeric()
        && bytes.get(at + 1).is_some_and(u8::is_ascii_alphanumeric)
}

/// Whether a word starting with a digit is a number: decimal (`12`,
/// `0.5`, `1e6`, a version `1.0.3`), hexadecimal (`0x1F`), a number with a unit (`1h`,
/// `30d`, `10ms`), or numbers joined by `-` (a date). `87210ca1`, a part of
/// a UUID, is not.
fn is_number(word: &str) -> bool {
    word.split('-').all(|part| {
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
        }
        let digits = part
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let (number, rest) = part.split_at(digits);
        let numeric = number.bytes().next().is_some_and(|b| b.is_ascii_digit());
        // An exponent, or a unit: letters only after the number.
        let suffix_ok = match rest.strip_prefix(['e', 'E']) {
            Some(exponent) if !exponent.is_empty() => exponent.bytes().all(|b| b.is_ascii_digit()),
            _ => rest.bytes().all(|b| b.is_ascii_alphabetic()),
        };
        numeric && suffix_ok
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'@'
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Write tokens of one line, marking `marks` (byte ranges in the line).
fn write_tokens(
    out: &mut String,
    line: &str,
    tokens: &[(Range<usize>, Class)],
    marks: &[Range<usize>],
) {
    for (range, class) in tokens {
        // Split the token at mark boundaries.
        let mut cuts = vec![range.start, range.end];
        for m in marks {
            for p in [m.start, m.end] {
                if p > range.start && p < range.end && line.is_char_boundary(p) {
                    cuts.push(p);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let piece = &line[a..b];
            let marked = marks
                .iter()
                .any(|m| m.start <= a && b <= m.end && m.start < m.end);
            write_piece(out, piece, *class, marked);
        }
    }
}

fn write_piece(out: &mut String, text: &str, class: Class, marked: bool) {
    match (class.css(), marked) {
        (None, false) => escape_into(out, text),
        (Some(css), false) => {
            let _ = write!(out, "<span class={css}>");
            escape_into(out, text);
            out.push_str("</span>");
        }
        (css, true) => {
            out.push_str("<mark class=\"d ");
            out.push_str(css.unwrap_or(""));
            out.push_str("\">");
            escape_into(out, text);
            out.push_str("</mark>");
        }
    }
}

/// Highlight `text` (one or more lines) as `syntax`, without line numbers.
pub fn highlight(text: &str, syntax: Syntax) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut carry = Carry::None;
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let tokens = tokenize_line(line, syntax, &mut carry);
        write_tokens(&mut out, line, &tokens, &[]);
    }
    out
}

/// A range of the body a diagnostic points at.
#[derive(Clone, Debug)]
pub struct Mark {
    /// Byte range in the body (may be empty: then one character is marked).
    pub range: Range<usize>,
    /// The text shown when hovering the line (`error KQL001: …`).
    pub title: String,
}

/// What [`body_html`] needs to know about a body.
pub struct Body<'a> {
    /// The text.
    pub text: &'a str,
    /// The line number of the first line.
    pub first_line: u32,
    /// Syntax of the file around the query.
    pub file_syntax: Syntax,
    /// Syntax of the query, and the body lines (0-based, end exclusive)
    /// that hold it.
    pub query: Option<(Syntax, Range<usize>)>,
    /// Diagnostic ranges.
    pub marks: Vec<Mark>,
    /// Stop after the line that brings the HTML past this many bytes.
    pub max_html: usize,
}

/// The highlighted body, and how much of the text it shows.
pub struct BodyHtml {
    /// The HTML.
    pub html: String,
    /// Bytes of the text shown (all of it unless the HTML budget ran out).
    pub shown: usize,
}

/// Characters of one body line shown before it is cut.
pub const LINE_MAX_CHARS: usize = 2_000;

/// `line` cut at [`LINE_MAX_CHARS`] (at a character boundary), and whether
/// it was.
fn cut_line(line: &str) -> (&str, bool) {
    match line.char_indices().nth(LINE_MAX_CHARS) {
        Some((at, _)) => (&line[..at], true),
        None => (line, false),
    }
}

/// The body as `<span id=L{n} class=l>` lines with their numbers, query
/// lines highlighted in the query's syntax and the rest in the file's,
/// diagnostic ranges in `<mark>`; whole lines until [`Body::max_html`].
pub fn body_html(body: &Body<'_>) -> BodyHtml {
    let mut out = String::with_capacity(body.text.len().min(body.max_html) * 2 + 64);
    let mut carry_file = Carry::None;
    let mut carry_query = Carry::None;
    let mut offset = 0usize;
    let text = body.text.strip_suffix('\n').unwrap_or(body.text);
    for (index, raw_line) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw_line.len() + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        // A line of thousands of characters (a one-line list of hashes) is
        // shown up to a point; the page's plain-text copy has all of it.
        let (line, line_cut) = cut_line(line);
        let number = body.first_line as usize + index;
        let (syntax, carry) = match &body.query {
            Some((syntax, lines)) if lines.contains(&index) => (*syntax, &mut carry_query),
            _ => (body.file_syntax, &mut carry_file),
        };
        let tokens = tokenize_line(line, syntax, carry);
        let line_end = line_start + line.len();
        let mut marks = Vec::new();
        let mut titles: Vec<&str> = Vec::new();
        for m in &body.marks {
            let (start, end) = if m.range.is_empty() {
                // Point at one character (or the line end).
                let end = (m.range.start + 1).min(body.text.len());
                (m.range.start, end.max(m.range.start))
            } else {
                (m.range.start, m.range.end)
            };
            if start <= line_end && end > line_start || (start == line_end && start >= line_start) {
                let a = start.max(line_start) - line_start;
                let b = end.min(line_end).max(start.max(line_start)) - line_start;
                marks.push(a..b.max(a));
                titles.push(&m.title);
            }
        }
        let _ = write!(out, "<span id=L{number} class=l");
        if !titles.is_empty() {
            out.push_str(" title=\"");
            escape_into(&mut out, &titles.join("\n"));
            out.push_str("\" data-diag=1");
        }
        let _ = write!(out, "><i>{number}</i>");
        write_tokens(&mut out, line, &tokens, &marks);
        // A zero-width mark at the end of the line still shows.
        if marks.iter().any(|m| m.start >= line.len()) {
            out.push_str("<mark class=d> </mark>");
        }
        if line_cut {
            out.push_str("<span class=more> …</span>");
        }
        out.push_str("\n</span>");
        if line_cut {
            return BodyHtml {
                html: out,
                shown: line_start + line.len(),
            };
        }
        if out.len() > body.max_html {
            return BodyHtml {
                html: out,
                shown: offset.min(body.text.len()),
            };
        }
    }
    BodyHtml {
        html: out,
        shown: body.text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped() {
        let hostile = "<script>alert('x')</script> \"<img src=x onerror=alert(1)>\" // </pre>";
        for syntax in [
            Syntax::Kql,
            Syntax::Yaml,
            Syntax::Toml,
            Syntax::Markdown,
            Syntax::Plain,
            Syntax::Python,
            Syntax::Sql,
            Syntax::Spl,
        ] {
            let html = highlight(hostile, syntax);
            assert!(!html.contains("<script"), "{syntax:?}: {html}");
            assert!(!html.contains("<img"), "{syntax:?}: {html}");
            assert!(!html.contains("</pre"), "{syntax:?}: {html}");
        }
    }

    #[test]
    fn kql_tokens() {
        let html = highlight("T | where A =~ \"x\" and B in~ (1, 2) // c", Syntax::Kql);
        assert_eq!(
            html,
            "T <span class=o>|</span> <span class=k>where</span> A <span class=o>=~</span> \
             <span class=s>&quot;x&quot;</span> <span class=k>and</span> B <span class=k>in~</span> \
             (<span class=n>1</span>, <span class=n>2</span>) <span class=c>// c</span>"
        );
    }

    #[test]
    fn yaml_list_items_are_not_repeated() {
        for line in [
            "  - connectorId: AzureActiveDirectory",
            "  - InitialAccess",
            "- a: b",
        ] {
            let html = highlight(line, Syntax::Yaml);
            assert_eq!(strip_tags(&html), line, "{html}");
        }
    }

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
    }

    #[test]
    fn yaml_keys_and_comments() {
        let html = highlight("  - key: value # note\nurl: http://x#y", Syntax::Yaml);
        assert!(html.contains("<span class=y>key</span>"), "{html}");
        assert!(html.contains("<span class=c># note</span>"), "{html}");
        assert!(!html.contains("<span class=c>#y"), "{html}");
    }

    #[test]
    fn uuids_are_not_numbers_but_numbers_are() {
        let html = highlight("id: 87210ca1-49a4-4a7d-bb4a-4988752f978c", Syntax::Yaml);
        assert!(!html.contains("class=n"), "{html}");
        assert_eq!(
            strip_tags(&html),
            "id: 87210ca1-49a4-4a7d-bb4a-4988752f978c"
        );
        let html = highlight("id: bb4a1234-4988-4a7d-1111-222233334444", Syntax::Yaml);
        assert!(!html.contains("class=n"), "{html}");
        for (line, number) in [
            ("queryFrequency: 1h", "1h"),
            ("triggerThreshold: 0", "0"),
            ("version: 1.0.3", "1.0.3"),
            ("date: 2024-03-01", "2024-03-01"),
            ("mask: 0x1F", "0x1F"),
            ("ratio: 1e6", "1e6"),
        ] {
            let html = highlight(line, Syntax::Yaml);
            assert!(
                html.contains(&format!("<span class=n>{number}</span>")),
                "{html}"
            );
        }
        let html = highlight("T | where x == 42 and y > 1d", Syntax::Kql);
        assert!(html.contains("<span class=n>42</span>"), "{html}");
        assert!(html.contains("<span class=n>1d</span>"), "{html}");
        let html = highlight("T | where Id == 87210ca1", Syntax::Kql);
        assert!(!html.contains("class=n"), "{html}");
    }

    #[test]
    fn block_comments_span_lines() {
        let html = highlight("a /* one\ntwo */ b", Syntax::Eql);
        assert_eq!(
            html,
            "a <span class=c>/* one</span>\n<span class=c>two */</span> b"
        );
    }

    #[test]
    fn body_lines_numbers_and_marks() {
        let text = "query: |\n  T | where x ==\nend: 1\n";
        let body = Body {
            text,
            first_line: 1,
            file_syntax: Syntax::Yaml,
            query: Some((Syntax::Kql, 1..2)),
            marks: vec![Mark {
                range: 23..25,
                title: "error KQL006: expected <expr>".into(),
            }],
            max_html: usize::MAX,
        };
        let html = body_html(&body).html;
        assert!(html.contains("<span id=L2 class=l title=\"error KQL006: expected &lt;expr&gt;\" data-diag=1><i>2</i>"), "{html}");
        assert!(html.contains("<mark class=\"d o\">==</mark>"), "{html}");
        assert!(
            html.contains("<span id=L3 class=l><i>3</i><span class=y>end</span>"),
            "{html}"
        );
        assert_eq!(html.matches("class=l").count(), 3);
    }

    #[test]
    fn unicode_and_unterminated_strings_do_not_panic() {
        for text in [
            "\"é",
            "'ü\\",
            "é\"ü\"\u{1F600}",
            "`",
            "\"\"\"",
            "/*",
            "#",
            "```",
        ] {
            for syntax in [
                Syntax::Kql,
                Syntax::Python,
                Syntax::Yaml,
                Syntax::Spl,
                Syntax::Yaral,
                Syntax::Toml,
            ] {
                let _ = highlight(text, syntax);
                let body = Body {
                    text,
                    first_line: 1,
                    file_syntax: syntax,
                    query: None,
                    marks: vec![
                        Mark {
                            range: 0..text.len() + 5,
                            title: String::new(),
                        },
                        Mark {
                            range: 1..1,
                            title: String::new(),
                        },
                    ],
                    max_html: usize::MAX,
                };
                let _ = body_html(&body);
            }
        }
    }
}
