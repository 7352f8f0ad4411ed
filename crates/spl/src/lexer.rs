//! The SPL lexer: cutting a search into commands, and commands into
//! tokens.
//!
//! SPL has no single token grammar: `a-b` is one search term in `search`
//! but a subtraction in `eval`, and `=` inside an unquoted search value is
//! part of the value. So lexing happens in two steps:
//!
//! 1. [`split_commands`] cuts a pipeline at its top-level `|`, skipping
//!    over `"…"` strings, `` `macro` `` calls, ```` ```comments``` ```` and
//!    `[subsearches]`. It reports the lexical errors (unterminated strings,
//!    macros and comments, unbalanced brackets) once, for the whole text.
//! 2. [`lex`] turns one command's text into [`Token`]s in the [`Mode`] the
//!    command's grammar needs: [`Mode::Search`] for search expressions,
//!    [`Mode::Expr`] for `eval`/`where` expressions, [`Mode::Args`] for
//!    command arguments.
//!
//! Both are iterative: no input can make them recurse.

use crate::diag::{Code, QueryDiagnostic};
use ruledex_ir::Span;

/// What a token is. Text-carrying tokens keep their raw text in the span;
/// strings carry their decoded value.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// A bare word: a field name, a search term, a keyword, a number, an
    /// option name or value. Its text is the span's text.
    Word,
    /// A `"…"` string, with `\\` and `\"` decoded.
    Str(String),
    /// A `'…'` field name (expressions and arguments only), decoded.
    Quoted(String),
    /// A `` `macro` `` or `` `macro(args)` `` call; its text is the span's
    /// text, backticks included.
    Macro,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `=`
    Eq,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+` (expressions)
    Plus,
    /// `-` (expressions)
    Minus,
    /// `*` (expressions)
    Star,
    /// `/` (expressions)
    Slash,
    /// `%` (expressions)
    Percent,
    /// `.` between spaces (string concatenation in expressions)
    Dot,
    /// `!` alone
    Bang,
    /// End of the command.
    Eof,
}

/// A token and its byte range in the search text.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

impl Token {
    /// The raw text of the token in `text`.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        self.span.slice(text)
    }

    /// True for the word `word`, ignoring ASCII case.
    pub fn is_keyword(&self, text: &str, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text(text).eq_ignore_ascii_case(word)
    }

    /// True for the word `word` written exactly so (search operators are
    /// uppercase).
    pub fn is_exactly(&self, text: &str, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text(text) == word
    }

    /// The string value of a word, string or quoted name.
    pub fn value(&self, text: &str) -> String {
        match &self.kind {
            TokenKind::Str(s) | TokenKind::Quoted(s) => s.clone(),
            _ => self.text(text).to_string(),
        }
    }
}

/// Which token grammar a command's text is read with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Search expressions: terms may hold `-`, `*`, `\`, `:`, `/`, `%`;
    /// after a comparison operator the value may hold `=` too.
    Search,
    /// `eval`/`where` expressions: arithmetic and concatenation operators
    /// are tokens of their own; `'…'` quotes a field name.
    Expr,
    /// Command arguments (`span=1h`, `count`, `as`, `by`, `-`).
    Args,
}

/// One command of a pipeline: its byte range (without the `|` before it)
/// and where its `|` is, if it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Start of the command text (at the `|` for piped commands' spans, see
    /// [`Segment::span`]).
    pub start: u32,
    /// End of the command text.
    pub end: u32,
    /// Offset of the `|` before the command.
    pub pipe: Option<u32>,
}

impl Segment {
    /// The span of the command as a stage shows it: from its `|` (when it
    /// has one) to its last non-blank byte.
    pub fn span(&self, text: &str) -> Span {
        let inner = Span::new(self.start, self.end).trimmed(text);
        match self.pipe {
            Some(p) => Span::new(p, inner.end.max(p + 1)),
            None => inner,
        }
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::from_range(start..end)
}

/// The end of a `"` string starting at `start` (one past the closing quote,
/// or `end` when unterminated, with `false`).
fn string_end(bytes: &[u8], start: usize, end: usize) -> (usize, bool) {
    let mut i = start + 1;
    while i < end {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return (i + 1, true),
            _ => i += 1,
        }
    }
    (end, false)
}

/// The end of the single-quoted name starting at `start`.
fn quoted_end(bytes: &[u8], start: usize, end: usize) -> (usize, bool) {
    match bytes[start + 1..end].iter().position(|b| *b == b'\'') {
        Some(p) => (start + 1 + p + 1, true),
        None => (end, false),
    }
}

/// True when a ```` ``` ```` comment starts at `i`.
fn comment_at(bytes: &[u8], i: usize, end: usize) -> bool {
    i + 3 <= end && &bytes[i..i + 3] == b"```"
}

/// The end of the comment starting at `start` (after its closing
/// backticks), or `end` when unterminated, with `false`.
fn comment_end(text: &str, start: usize, end: usize) -> (usize, bool) {
    match text[start + 3..end].find("```") {
        Some(p) => (start + 3 + p + 3, true),
        None => (end, false),
    }
}

/// The end of the macro call starting at `start`.
fn macro_end(bytes: &[u8], start: usize, end: usize) -> (usize, bool) {
    match bytes[start + 1..end].iter().position(|b| *b == b'`') {
        Some(p) => (start + 1 + p + 1, true),
        None => (end, false),
    }
}

/// Skip whitespace and complete or unterminated comments from `pos`.
pub fn skip_trivia(text: &str, mut pos: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < end {
        if bytes[pos].is_ascii_whitespace() {
            pos += 1;
        } else if comment_at(bytes, pos, end) {
            pos = comment_end(text, pos, end).0;
        } else {
            break;
        }
    }
    pos
}

/// Cut `text[start..end]` into commands at its top-level `|`. With
/// `report`, lexical errors are appended to `diagnostics` (the caller
/// reports them once for the whole search, nested subsearches are split
/// again without reporting).
pub fn split_commands(
    text: &str,
    start: usize,
    end: usize,
    report: bool,
    diagnostics: &mut Vec<QueryDiagnostic>,
) -> Vec<Segment> {
    let bytes = text.as_bytes();
    let mut segments = Vec::new();
    let mut seg_start = start;
    let mut pipe: Option<u32> = None;
    let mut open_brackets: Vec<usize> = Vec::new();
    let mut i = start;
    let mut error = |code: Code, message: &str, s: usize, e: usize| {
        if report {
            diagnostics.push(QueryDiagnostic::new(code, message, span(s, e)));
        }
    };
    while i < end {
        match bytes[i] {
            // `\"` outside a string is an escaped quote in a search term.
            b'\\' => i += 2,
            b'"' => {
                let (e, closed) = string_end(bytes, i, end);
                if !closed {
                    error(Code::UnterminatedString, "unterminated string", i, i + 1);
                }
                i = e;
            }
            b'`' if comment_at(bytes, i, end) => {
                let (e, closed) = comment_end(text, i, end);
                if !closed {
                    error(
                        Code::UnterminatedComment,
                        "unterminated ``` comment",
                        i,
                        i + 3,
                    );
                }
                i = e;
            }
            b'`' => {
                let (e, closed) = macro_end(bytes, i, end);
                if !closed {
                    error(
                        Code::UnterminatedMacro,
                        "unterminated macro call: no closing backtick",
                        i,
                        i + 1,
                    );
                }
                i = e;
            }
            b'[' => {
                open_brackets.push(i);
                i += 1;
            }
            b']' => {
                if open_brackets.pop().is_none() {
                    error(Code::UnbalancedBracket, "`]` closes no subsearch", i, i + 1);
                }
                i += 1;
            }
            b'|' if open_brackets.is_empty() => {
                segments.push(Segment {
                    start: seg_start as u32,
                    end: i as u32,
                    pipe,
                });
                pipe = Some(i as u32);
                seg_start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    if let Some(&open) = open_brackets.first() {
        error(
            Code::UnbalancedBracket,
            "subsearch `[` is never closed",
            open,
            open + 1,
        );
    }
    segments.push(Segment {
        start: seg_start as u32,
        end: end as u32,
        pipe,
    });
    segments
}

/// The matching `]` of the `[` at `open`, within `end`: the offset of the
/// `]`, or `None` when it is never closed.
pub fn matching_bracket(text: &str, open: usize, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < end {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => i = string_end(bytes, i, end).0,
            b'`' if comment_at(bytes, i, end) => i = comment_end(text, i, end).0,
            b'`' => i = macro_end(bytes, i, end).0,
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Decode a `"…"` string body: `\\` is a backslash and `\"` a quote; any
/// other backslash stays as written (regular expressions keep `\d`).
pub fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('\\' | '"')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that end a word in every mode.
fn always_breaks(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'(' | b')' | b'[' | b']' | b'|' | b'"' | b'`' | b',')
}

/// Split `text[start..end]` into tokens in `mode`; the last token is
/// [`TokenKind::Eof`] at `end`. Lexical errors were reported by
/// [`split_commands`]; here an unterminated string simply runs to `end`.
pub fn lex(text: &str, start: usize, end: usize, mode: Mode) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = start;
    // In search mode, the value after a comparison operator may hold `=`,
    // `<`, `>` and `!`.
    let mut value_next = false;
    while i < end {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if comment_at(bytes, i, end) {
            i = comment_end(text, i, end).0;
            continue;
        }
        let after_op = value_next;
        value_next = false;
        let s = i;
        let operand_before = match tokens.last() {
            Some(t) if t.kind == TokenKind::Word => !["and", "or", "not", "xor", "like", "in"]
                .iter()
                .any(|k| t.text(text).eq_ignore_ascii_case(k)),
            Some(t) => matches!(
                t.kind,
                TokenKind::RParen | TokenKind::Str(_) | TokenKind::Quoted(_)
            ),
            None => false,
        };
        let mut push = |kind: TokenKind, e: usize| {
            tokens.push(Token {
                kind,
                span: span(s, e),
            });
        };
        match b {
            b'"' => {
                let (e, closed) = string_end(bytes, i, end);
                let body_end = if closed { e - 1 } else { e };
                push(TokenKind::Str(unescape(&text[i + 1..body_end])), e);
                i = e;
            }
            b'\'' if mode != Mode::Search => {
                let (e, closed) = quoted_end(bytes, i, end);
                let body_end = if closed { e - 1 } else { e };
                push(TokenKind::Quoted(text[i + 1..body_end].to_string()), e);
                i = e;
            }
            b'`' => {
                let e = macro_end(bytes, i, end).0;
                push(TokenKind::Macro, e);
                i = e;
            }
            b'(' => {
                push(TokenKind::LParen, i + 1);
                i += 1;
            }
            b')' => {
                push(TokenKind::RParen, i + 1);
                i += 1;
            }
            b'[' => {
                push(TokenKind::LBracket, i + 1);
                i += 1;
            }
            b']' => {
                push(TokenKind::RBracket, i + 1);
                i += 1;
            }
            b',' => {
                push(TokenKind::Comma, i + 1);
                i += 1;
            }
            b'|' => {
                // Only inside a subsearch range handed to the wrong mode;
                // kept as a word so the parser reports it.
                push(TokenKind::Word, i + 1);
                i += 1;
            }
            b'=' if !after_op => {
                if bytes.get(i + 1) == Some(&b'=') && i + 1 < end {
                    push(TokenKind::EqEq, i + 2);
                    i += 2;
                } else {
                    push(TokenKind::Eq, i + 1);
                    i += 1;
                }
                value_next = mode == Mode::Search;
            }
            b'!' if !after_op && i + 1 < end && bytes[i + 1] == b'=' => {
                push(TokenKind::Ne, i + 2);
                i += 2;
                value_next = mode == Mode::Search;
            }
            b'<' | b'>' if !(after_op || mode == Mode::Args && bytes.get(i + 1) == Some(&b)) => {
                let eq = i + 1 < end && bytes[i + 1] == b'=';
                let kind = match (b, eq) {
                    (b'<', false) => TokenKind::Lt,
                    (b'<', true) => TokenKind::Le,
                    (_, false) => TokenKind::Gt,
                    (_, true) => TokenKind::Ge,
                };
                let e = i + 1 + usize::from(eq);
                push(kind, e);
                i = e;
                value_next = mode == Mode::Search;
            }
            _ if mode == Mode::Expr
                && expr_operator(b).is_some()
                && !starts_number(bytes, i, end, operand_before) =>
            {
                let kind = expr_operator(b).unwrap_or(TokenKind::Bang);
                push(kind, i + 1);
                i += 1;
            }
            _ => {
                let e = word_end(bytes, i, end, mode, after_op);
                let e = e.max(i + 1);
                // Keep multi-byte characters whole.
                let mut e = e.min(end);
                while e < end && !text.is_char_boundary(e) {
                    e += 1;
                }
                push(TokenKind::Word, e);
                i = e;
            }
        }
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        span: span(end, end),
    });
    tokens
}

/// The operator a byte is in expression mode (`.` only between spaces or
/// after a closing token; inside names it joins the parts).
fn expr_operator(b: u8) -> Option<TokenKind> {
    Some(match b {
        b'+' => TokenKind::Plus,
        b'-' => TokenKind::Minus,
        b'*' => TokenKind::Star,
        b'/' => TokenKind::Slash,
        b'%' => TokenKind::Percent,
        b'.' => TokenKind::Dot,
        b'!' => TokenKind::Bang,
        _ => return None,
    })
}

/// In expression mode, a `.` followed by a digit starts a number (`.5`),
/// unless it follows an operand.
fn starts_number(bytes: &[u8], i: usize, end: usize, operand_before: bool) -> bool {
    bytes[i] == b'.' && i + 1 < end && bytes[i + 1].is_ascii_digit() && !operand_before
}

/// The end of a word starting at `start`.
fn word_end(bytes: &[u8], start: usize, end: usize, mode: Mode, value: bool) -> usize {
    let mut i = start;
    while i < end {
        let b = bytes[i];
        if b == b'\\' && mode != Mode::Expr {
            i += 2;
            continue;
        }
        if always_breaks(b) {
            // A comma inside a search value (`a,b`) stays in the value.
            if !(b == b',' && mode == Mode::Search && value) {
                break;
            }
        }
        match mode {
            Mode::Search if !value => {
                if matches!(b, b'=' | b'<' | b'>') || (b == b'!' && bytes.get(i + 1) == Some(&b'='))
                {
                    break;
                }
            }
            Mode::Search => {}
            Mode::Args => {
                if b == b'=' || b == b'\'' || (b == b'!' && bytes.get(i + 1) == Some(&b'=')) {
                    break;
                }
                if matches!(b, b'<' | b'>') && bytes.get(i + 1) != Some(&b) && i == start {
                    break;
                }
            }
            Mode::Expr => {
                if matches!(
                    b,
                    b'=' | b'<' | b'>' | b'!' | b'+' | b'*' | b'/' | b'%' | b'\''
                ) {
                    break;
                }
                // `a.b` is one name; `a."x"` and `a. b` concatenate.
                if b == b'.'
                    && !bytes.get(i + 1).is_some_and(|n| {
                        n.is_ascii_alphanumeric() || matches!(n, b'_' | b'{' | b'@' | b'$')
                    })
                {
                    break;
                }
                // `-` breaks except in exponents (`1e-5`); `.` joins name
                // parts (`Processes.process_name`) and decimals.
                if b == b'-' {
                    let exponent = i > start
                        && matches!(bytes[i - 1], b'e' | b'E')
                        && bytes[start].is_ascii_digit();
                    if !exponent {
                        break;
                    }
                }
            }
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, mode: Mode) -> Vec<(TokenKind, &str)> {
        lex(text, 0, text.len(), mode)
            .into_iter()
            .map(|t| {
                let s = t.span.slice(text);
                (t.kind, s)
            })
            .collect()
    }

    #[test]
    fn search_values_keep_equals_signs() {
        let t = kinds("a=*x=y* b!=\"q\\\"\"", Mode::Search);
        assert_eq!(t[0], (TokenKind::Word, "a"));
        assert_eq!(t[1], (TokenKind::Eq, "="));
        assert_eq!(t[2], (TokenKind::Word, "*x=y*"));
        assert_eq!(t[4], (TokenKind::Ne, "!="));
        assert_eq!(t[5].0, TokenKind::Str("q\"".into()));
    }

    #[test]
    fn expressions_split_operators_but_not_dotted_names() {
        let t = kinds("x=a+b.c - 'd e'", Mode::Expr);
        let texts: Vec<&str> = t.iter().map(|(_, s)| *s).collect();
        assert_eq!(texts, ["x", "=", "a", "+", "b.c", "-", "'d e'", ""]);
        assert_eq!(t[6].0, TokenKind::Quoted("d e".into()));
    }

    #[test]
    fn pipes_split_outside_strings_macros_comments_and_subsearches() {
        let text = "a \"x|y\" `m(|)` ```c|``` [search b | head 1] | stats count | `f`";
        let mut d = Vec::new();
        let segs = split_commands(text, 0, text.len(), true, &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[1].span(text).slice(text), "| stats count");
    }

    #[test]
    fn lexical_errors_are_reported_once() {
        let text = "a [b \"c";
        let mut d = Vec::new();
        split_commands(text, 0, text.len(), true, &mut d);
        let codes: Vec<_> = d.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["SPL001", "SPL004"]);
    }

    #[test]
    fn unescape_keeps_unknown_escapes() {
        assert_eq!(unescape(r#"C:\\Windows\\x \d \""#), r#"C:\Windows\x \d ""#);
    }
}
