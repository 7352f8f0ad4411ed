//! Tokens of ES|QL, and the split of a query into its piped commands.
//!
//! Keywords are not reserved by the lexer: `where`, `and`, `by` … are
//! identifiers that the parser recognizes by position, case-insensitively.
//! Comments (`// …` and nestable `/* … */`) are skipped like whitespace.

use crate::error::{ErrorCode, ParseError};
use ruledex_ir::Span;

/// Kinds of tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An unquoted identifier or keyword (`process.name` is three tokens).
    Ident,
    /// A `` `quoted identifier` `` (never a keyword).
    QuotedIdent,
    /// A `"string"` or `"""triple-quoted string"""`.
    String,
    /// An integer literal.
    Integer,
    /// A decimal literal (`1.5`, `.5`, `1e3`).
    Decimal,
    /// A parameter (`?`, `?name`, `?1`).
    Param,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `=`
    Assign,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `=~` (case-insensitive equality)
    EqCi,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `::`
    Cast,
    /// `:`
    Colon,
}

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is in the query text.
    pub span: Span,
    /// Decoded text: identifier names (backticks removed), string values
    /// (escapes applied), literal and operator text as written.
    pub text: String,
    /// For strings: `(offset in the decoded value, offset in the query)`
    /// pairs from which the two advance together, so spans inside a string
    /// (a kuery query in `KQL("…")`) can be mapped back.
    pub offsets: Vec<(u32, u32)>,
    /// For strings: true when triple-quoted (no escapes are processed).
    pub triple: bool,
}

impl Token {
    /// True for an unquoted identifier equal to `word`, ignoring case.
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == TokenKind::Ident && self.text.eq_ignore_ascii_case(word)
    }
}

/// Split a query into the spans of its commands at every `|` outside
/// strings, quoted identifiers and comments. Unterminated strings and
/// comments are reported here (and extend to the end).
pub fn split_commands(text: &str, errors: &mut Vec<ParseError>) -> Vec<Span> {
    split_commands_in(text, Span::from_range(0..text.len()), errors)
}

/// [`split_commands`] for the part `range` of `text` (a subquery's
/// pipeline). A parenthesized subquery (`(FROM ... | ...)`) is one piece of
/// its command: its pipes do not split the outer pipeline.
pub fn split_commands_in(text: &str, range: Span, errors: &mut Vec<ParseError>) -> Vec<Span> {
    let bytes = text.as_bytes();
    let end = (range.end as usize).min(bytes.len());
    let mut out = Vec::new();
    let mut start = range.start as usize;
    let mut i = start;
    while i < end {
        match bytes[i] {
            b'|' => {
                out.push(Span::from_range(start..i));
                start = i + 1;
                i += 1;
            }
            b'(' if starts_subquery(text, i + 1, end) => {
                i = subquery_end(text, i, end).unwrap_or(end);
            }
            b'"' => i = skip_string(text, i, errors).0,
            b'`' => i = skip_quoted_ident(text, i, errors),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line_comment(text, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(text, i, errors),
            _ => i += 1,
        }
    }
    out.push(Span::from_range(start..end.max(start)));
    out
}

/// True when the text from `at` (just after a `(`), past whitespace and
/// comments, starts with the word `FROM`: a subquery.
pub fn starts_subquery(text: &str, at: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let mut i = at;
    while i < end {
        match bytes[i] {
            c if c.is_ascii_whitespace() => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line_comment(text, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(text, i, &mut Vec::new());
            }
            _ => break,
        }
    }
    let word = bytes.get(i..(i + 4).min(end)).unwrap_or_default();
    word.eq_ignore_ascii_case(b"from")
        && bytes
            .get(i + 4)
            .is_none_or(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
}

/// The offset just past the `)` closing the `(` at `open`, skipping strings,
/// quoted names, comments and nested parentheses; `None` when it is never
/// closed before `end`.
pub fn subquery_end(text: &str, open: usize, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    let mut quiet = Vec::new();
    while i < end {
        match bytes[i] {
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'"' => i = skip_string(text, i, &mut quiet).0,
            b'`' => i = skip_quoted_ident(text, i, &mut quiet),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line_comment(text, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(text, i, &mut quiet);
            }
            _ => i += 1,
        }
    }
    None
}

fn skip_line_comment(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |n| at + n + 1)
}

/// Skip a nestable block comment starting at `at`; report it if unclosed.
fn skip_block_comment(text: &str, at: usize, errors: &mut Vec<ParseError>) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    errors.push(ParseError::new(
        ErrorCode::Unterminated,
        "block comment is never closed with `*/`",
        Span::from_range(at..text.len()),
    ));
    text.len()
}

fn skip_quoted_ident(text: &str, at: usize, errors: &mut Vec<ParseError>) -> usize {
    let bytes = text.as_bytes();
    let mut i = at + 1;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            if bytes.get(i + 1) == Some(&b'`') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    errors.push(ParseError::new(
        ErrorCode::Unterminated,
        "quoted identifier is never closed with a backtick",
        Span::from_range(at..text.len()),
    ));
    text.len()
}

/// Skip a string starting at `at`: returns the end offset, the decoded
/// value, the offset pairs and whether it was triple-quoted.
fn skip_string(
    text: &str,
    at: usize,
    errors: &mut Vec<ParseError>,
) -> (usize, String, Vec<(u32, u32)>, bool) {
    let u = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    if text[at..].starts_with("\"\"\"") {
        // Triple-quoted: raw up to the first `"""`; up to two more quotes
        // right after it still belong to the string (`""""a""""`).
        let body = at + 3;
        return match text[body..].find("\"\"\"") {
            Some(n) => {
                let mut end = body + n + 3;
                let mut value_end = body + n;
                for _ in 0..2 {
                    if text.as_bytes().get(end) == Some(&b'"') {
                        end += 1;
                        value_end += 1;
                    }
                }
                (
                    end,
                    text[body..value_end].to_string(),
                    vec![(0, u(body))],
                    true,
                )
            }
            None => {
                errors.push(ParseError::new(
                    ErrorCode::Unterminated,
                    "string is never closed with `\"\"\"`",
                    Span::from_range(at..text.len()),
                ));
                (
                    text.len(),
                    text[body..].to_string(),
                    vec![(0, u(body))],
                    true,
                )
            }
        };
    }
    let mut value = String::new();
    let mut offsets = vec![(0, u(at + 1))];
    let mut chars = text[at + 1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let pos = at + 1 + i;
        match c {
            '"' => return (pos + 1, value, offsets, false),
            '\\' => {
                let Some(&(_, e)) = chars.peek() else { break };
                chars.next();
                let decoded = match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '"' | '\\' => e,
                    // Unknown escapes are kept as written: two bytes for
                    // two bytes, so the offsets stay aligned.
                    other => {
                        value.push('\\');
                        value.push(other);
                        continue;
                    }
                };
                // The decoded character maps to the escaped one (the byte
                // after the backslash), so a span ending on it ends after
                // the escape, and the text after it stays aligned.
                offsets.push((u(value.len()), u(pos + 1)));
                value.push(decoded);
            }
            '\n' | '\r' => {
                // A plain string cannot span lines: stop here and report.
                errors.push(ParseError::new(
                    ErrorCode::Unterminated,
                    "string is never closed with `\"` on its line",
                    Span::from_range(at..pos),
                ));
                return (pos, value, offsets, false);
            }
            c => value.push(c),
        }
    }
    errors.push(ParseError::new(
        ErrorCode::Unterminated,
        "string is never closed with `\"`",
        Span::from_range(at..text.len()),
    ));
    (text.len(), value, offsets, false)
}

/// Tokenize the command text `span` of `text`. Lexical errors already
/// reported by [`split_commands`] (unterminated strings and comments) are
/// not reported again.
pub fn tokenize(text: &str, span: Span, errors: &mut Vec<ParseError>) -> Vec<Token> {
    let mut sink = Vec::new();
    let bytes = text.as_bytes();
    let end = (span.end as usize).min(text.len());
    let mut i = span.start as usize;
    let mut tokens = Vec::new();
    let simple = |kind, from: usize, to: usize| Token {
        kind,
        span: Span::from_range(from..to),
        text: text[from..to].to_string(),
        offsets: Vec::new(),
        triple: false,
    };
    while i < end {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && next == Some(b'/') {
            i = skip_line_comment(text, i).min(end);
            continue;
        }
        if c == b'/' && next == Some(b'*') {
            i = skip_block_comment(text, i, &mut sink).min(end);
            continue;
        }
        if c == b'(' && starts_subquery(text, i + 1, end) {
            // A subquery is parsed on its own (by `FROM`); here it is
            // just its parentheses.
            tokens.push(simple(TokenKind::LParen, i, i + 1));
            match subquery_end(text, i, end) {
                Some(close) => {
                    tokens.push(simple(TokenKind::RParen, close - 1, close));
                    i = close;
                }
                None => i = end,
            }
            continue;
        }
        let two = |k| Some((k, 2));
        let one = |k| Some((k, 1));
        let punct = match (c, next) {
            (b'=', Some(b'=')) => two(TokenKind::Eq),
            (b'=', Some(b'~')) => two(TokenKind::EqCi),
            (b'!', Some(b'=')) => two(TokenKind::Ne),
            (b'<', Some(b'=')) => two(TokenKind::Le),
            (b'>', Some(b'=')) => two(TokenKind::Ge),
            (b':', Some(b':')) => two(TokenKind::Cast),
            (b'=', _) => one(TokenKind::Assign),
            (b'<', _) => one(TokenKind::Lt),
            (b'>', _) => one(TokenKind::Gt),
            (b':', _) => one(TokenKind::Colon),
            (b'(', _) => one(TokenKind::LParen),
            (b')', _) => one(TokenKind::RParen),
            (b'[', _) => one(TokenKind::LBracket),
            (b']', _) => one(TokenKind::RBracket),
            (b'{', _) => one(TokenKind::LBrace),
            (b'}', _) => one(TokenKind::RBrace),
            (b',', _) => one(TokenKind::Comma),
            (b'+', _) => one(TokenKind::Plus),
            (b'-', _) => one(TokenKind::Minus),
            (b'*', _) => one(TokenKind::Star),
            (b'/', _) => one(TokenKind::Slash),
            (b'%', _) => one(TokenKind::Percent),
            (b'.', Some(d)) if !d.is_ascii_digit() => one(TokenKind::Dot),
            (b'.', None) => one(TokenKind::Dot),
            _ => None,
        };
        if let Some((kind, len)) = punct {
            tokens.push(simple(kind, i, i + len));
            i += len;
            continue;
        }
        let start = i;
        match c {
            b'"' => {
                let (stop, value, offsets, triple) = skip_string(text, i, &mut sink);
                i = stop.min(end).max(i + 1);
                tokens.push(Token {
                    kind: TokenKind::String,
                    span: Span::from_range(start..i),
                    text: value,
                    offsets,
                    triple,
                });
            }
            b'`' => {
                i = skip_quoted_ident(text, i, &mut sink).min(end).max(i + 1);
                let inner = text[start + 1..i]
                    .strip_suffix('`')
                    .unwrap_or(&text[start + 1..i]);
                tokens.push(Token {
                    kind: TokenKind::QuotedIdent,
                    span: Span::from_range(start..i),
                    text: inner.replace("``", "`"),
                    offsets: Vec::new(),
                    triple: false,
                });
            }
            b'0'..=b'9' | b'.' => {
                let mut j = i;
                while j < end && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                let mut decimal = false;
                if j < end && bytes[j] == b'.' {
                    decimal = true;
                    j += 1;
                    while j < end && bytes[j].is_ascii_digit() {
                        j += 1;
                    }
                }
                if j < end && matches!(bytes[j], b'e' | b'E') {
                    let mut k = j + 1;
                    if k < end && matches!(bytes[k], b'+' | b'-') {
                        k += 1;
                    }
                    if k < end && bytes[k].is_ascii_digit() {
                        decimal = true;
                        j = k;
                        while j < end && bytes[j].is_ascii_digit() {
                            j += 1;
                        }
                    }
                }
                let kind = if decimal {
                    TokenKind::Decimal
                } else {
                    TokenKind::Integer
                };
                tokens.push(simple(kind, i, j));
                i = j;
            }
            b'?' => {
                let mut j = i + 1;
                while j < end && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                tokens.push(simple(TokenKind::Param, i, j));
                i = j;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'@' => {
                let mut j = i + 1;
                while j < end && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                tokens.push(simple(TokenKind::Ident, i, j));
                i = j;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('\u{FFFD}');
                let len = ch.len_utf8().max(1);
                errors.push(ParseError::new(
                    ErrorCode::InvalidCharacter,
                    format!("`{ch}` starts no ES|QL token"),
                    Span::from_range(i..i + len),
                ));
                i += len;
            }
        }
    }
    tokens
}

/// The source patterns of `FROM` (and the names after `ENRICH` and
/// `LOOKUP JOIN`): runs of characters up to whitespace, `,` or a comment,
/// so `logs-*`, `.alerts-security.*` and `remote:logs-*` are one name each.
/// Returns `(name, span)` pairs; keywords such as `METADATA` come out as
/// names too and are recognized by the parser.
pub fn source_names(text: &str, span: Span) -> Vec<(String, Span)> {
    let bytes = text.as_bytes();
    let end = (span.end as usize).min(text.len());
    let mut i = span.start as usize;
    let mut out = Vec::new();
    while i < end {
        let c = bytes[i];
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i = skip_line_comment(text, i).min(end);
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i = skip_block_comment(text, i, &mut Vec::new()).min(end);
            continue;
        }
        let start = i;
        if c == b'"' {
            let (stop, value, _, _) = skip_string(text, i, &mut Vec::new());
            i = stop.min(end).max(i + 1);
            out.push((value, Span::from_range(start..i)));
            continue;
        }
        while i < end && !bytes[i].is_ascii_whitespace() && bytes[i] != b',' {
            if bytes[i] == b'/' && matches!(bytes.get(i + 1), Some(b'/' | b'*')) {
                break;
            }
            i += 1;
        }
        // Stay on a character boundary whatever the bytes were.
        while !text.is_char_boundary(i) {
            i += 1;
        }
        out.push((text[start..i].to_string(), Span::from_range(start..i)));
    }
    out
}
