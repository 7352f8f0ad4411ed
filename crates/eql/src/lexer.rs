//! The EQL lexer: query text in, tokens with byte spans out.
//!
//! Hand-written because EQL's tokens depend on adjacency (`a.b` is one field
//! path but `a .b` is not; `?"..."` is a raw string but `? "..."` is not), and
//! because every problem must become a diagnostic instead of stopping the
//! scan: an unterminated string or an unknown character is reported and the
//! lexer goes on.

use crate::diag::{Code, QueryDiagnostic};
use ruledex_ir::Span;

/// How a string literal was written. Elasticsearch accepts only the first
/// two; the others are legacy EQL forms reported by the checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringForm {
    /// `"..."` with backslash escapes.
    Double,
    /// `"""..."""`, verbatim.
    Triple,
    /// `'...'` (legacy EQL).
    Single,
    /// `?"..."` or `?'...'` raw string (legacy EQL).
    Raw,
}

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// A name: keyword, event category, field part, function, pipe.
    /// `insensitive` is set for a trailing `~` (`like~`, `startsWith~`).
    Name {
        /// The name without `~`.
        text: String,
        /// Written with a trailing `~`.
        insensitive: bool,
    },
    /// A back-quoted name (`` `a b` ``), without the quotes.
    EscapedName(String),
    /// A string literal with its escapes applied.
    Str {
        /// The value.
        value: String,
        /// How it was written.
        form: StringForm,
    },
    /// An unsigned integer literal (`None` when it does not fit in `i64`).
    Integer(Option<i64>),
    /// A decimal literal.
    Float(f64),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `![` (a missing-event step)
    MissingOpen,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `|`
    Pipe,
    /// `?` (optional field marker)
    Question,
    /// `:`
    Colon,
    /// `==`
    EqEq,
    /// `=`
    Eq,
    /// `!=`
    NotEq,
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
    /// `$`
    Dollar,
    /// End of the query.
    Eof,
}

/// A token and where it is in the query text.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte range in the query text.
    pub span: Span,
}

impl Token {
    /// True when this is the name `word` written without `~`.
    pub fn is_word(&self, word: &str) -> bool {
        matches!(&self.kind, TokenKind::Name { text, insensitive: false } if text == word)
    }
}

/// Split `text` into tokens; the last token is always [`TokenKind::Eof`].
/// Problems are appended to `diagnostics` and scanning continues.
pub fn tokenize(text: &str, diagnostics: &mut Vec<QueryDiagnostic>) -> Vec<Token> {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::with_capacity(text.len() / 3 + 1),
        diagnostics,
    };
    lexer.run();
    let end = span(text.len(), text.len());
    lexer.tokens.push(Token {
        kind: TokenKind::Eof,
        span: end,
    });
    lexer.tokens
}

fn span(start: usize, end: usize) -> Span {
    Span::from_range(start..end)
}

struct Lexer<'a, 'd> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    diagnostics: &'d mut Vec<QueryDiagnostic>,
}

impl Lexer<'_, '_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: span(start, self.pos),
        });
    }

    fn error(&mut self, code: Code, message: impl Into<String>, start: usize, end: usize) {
        self.diagnostics
            .push(QueryDiagnostic::new(code, message, span(start, end)));
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.peek(1) == b'/' => {
                    while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek(1) == b'*' => match self.text[self.pos + 2..].find("*/") {
                    Some(end) => self.pos += 2 + end + 2,
                    None => {
                        self.pos = self.bytes.len();
                        self.error(
                            Code::UnterminatedComment,
                            "unterminated `/*` comment",
                            start,
                            start + 2,
                        );
                    }
                },
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.name(start),
                b'0'..=b'9' => self.number(start),
                b'.' if self.peek(1).is_ascii_digit() => self.number(start),
                b'"' if self.text[self.pos..].starts_with("\"\"\"") => self.triple_string(start),
                b'"' => self.escaped_string(start, b'"', StringForm::Double),
                b'\'' => self.escaped_string(start, b'\'', StringForm::Single),
                b'?' if matches!(self.peek(1), b'"' | b'\'') => self.raw_string(start),
                b'`' => self.escaped_name(start),
                _ => self.punct(start, b),
            }
        }
    }

    fn name(&mut self, start: usize) {
        while self.pos < self.bytes.len()
            && (self.bytes[self.pos].is_ascii_alphanumeric() || self.bytes[self.pos] == b'_')
        {
            self.pos += 1;
        }
        let text = self.text[start..self.pos].to_string();
        let insensitive = self.peek(0) == b'~';
        if insensitive {
            self.pos += 1;
        }
        self.push(TokenKind::Name { text, insensitive }, start);
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while self.peek(0).is_ascii_digit() {
            self.pos += 1;
        }
        self.pos - from
    }

    /// `UNSIGNED_INTEGER` or `DECIMAL`: `1`, `1.5`, `.5`, `1e3`, `1.5E-3`.
    /// A unit after a number (`5m`) is a separate name token.
    fn number(&mut self, start: usize) {
        self.digits();
        let mut is_float = false;
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            self.pos += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.peek(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek(1), b'+' | b'-'));
            if self.peek(1 + sign).is_ascii_digit() {
                self.pos += 1 + sign;
                self.digits();
                is_float = true;
            }
        }
        let text = &self.text[start..self.pos];
        let kind = if is_float {
            TokenKind::Float(text.parse().unwrap_or(f64::NAN))
        } else {
            TokenKind::Integer(text.parse().ok())
        };
        self.push(kind, start);
    }

    fn escaped_name(&mut self, start: usize) {
        let rest = &self.text[start + 1..];
        let end = rest.find(['`', '\n', '\r']);
        match end {
            Some(len) if rest.as_bytes()[len] == b'`' && len > 0 => {
                self.pos = start + 1 + len + 1;
                let name = rest[..len].to_string();
                self.push(TokenKind::EscapedName(name), start);
            }
            _ => {
                self.pos = start + 1 + end.unwrap_or(rest.len());
                self.error(
                    Code::UnterminatedString,
                    "unterminated back-quoted name",
                    start,
                    self.pos,
                );
            }
        }
    }

    /// `"""..."""`: verbatim up to the first `"""` (one or two more quotes
    /// directly after it belong to the value, as in the reference grammar).
    fn triple_string(&mut self, start: usize) {
        let body_start = start + 3;
        let rest = &self.text[body_start..];
        match rest.find("\"\"\"") {
            Some(len) => {
                let mut close = body_start + len;
                // `""""` or `"""""` at the end: the extra quotes are content.
                let mut extra = 0;
                while extra < 2 && self.text[close + 3..].starts_with('"') {
                    close += 1;
                    extra += 1;
                }
                let value = &self.text[body_start..close];
                if value.contains(['\n', '\r']) {
                    self.error(
                        Code::UnterminatedString,
                        "a `\"\"\"` string cannot span lines",
                        start,
                        close + 3,
                    );
                }
                self.pos = close + 3;
                self.push(
                    TokenKind::Str {
                        value: value.to_string(),
                        form: StringForm::Triple,
                    },
                    start,
                );
            }
            None => {
                self.pos = self.bytes.len();
                self.error(
                    Code::UnterminatedString,
                    "unterminated `\"\"\"` string",
                    start,
                    start + 3,
                );
            }
        }
    }

    /// `"..."` / `'...'` with EQL escapes: `\b \t \n \f \r \" \' \\` and
    /// `\u{XX..XXXXXXXX}` (2 to 8 hex digits naming a Unicode scalar value).
    fn escaped_string(&mut self, start: usize, quote: u8, form: StringForm) {
        self.pos += 1;
        let mut value = String::new();
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                self.error(
                    Code::UnterminatedString,
                    "unterminated string",
                    start,
                    self.pos,
                );
                break;
            };
            if c == '\n' || c == '\r' {
                self.error(
                    Code::UnterminatedString,
                    "unterminated string (strings end on the same line)",
                    start,
                    self.pos,
                );
                break;
            }
            if c as u32 == u32::from(quote) {
                self.pos += 1;
                break;
            }
            if c != '\\' {
                value.push(c);
                self.pos += c.len_utf8();
                continue;
            }
            let escape_start = self.pos;
            let next = self.peek(1);
            self.pos += 2.min(self.bytes.len() - self.pos);
            match next {
                b'b' => value.push('\u{8}'),
                b't' => value.push('\t'),
                b'n' => value.push('\n'),
                b'f' => value.push('\u{c}'),
                b'r' => value.push('\r'),
                b'"' => value.push('"'),
                b'\'' => value.push('\''),
                b'\\' => value.push('\\'),
                b'u' if self.peek(0) == b'{' => {
                    let digits_start = self.pos + 1;
                    let len = self.bytes[digits_start..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric())
                        .count();
                    let closed = self.bytes.get(digits_start + len) == Some(&b'}');
                    let hex = &self.text[digits_start..digits_start + len];
                    let scalar = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                    match scalar {
                        Some(ch) if closed && (2..=8).contains(&len) => {
                            value.push(ch);
                            self.pos = digits_start + len + 1;
                        }
                        _ => {
                            let end = if closed {
                                digits_start + len + 1
                            } else {
                                digits_start + len
                            };
                            self.pos = end;
                            self.error(
                                Code::InvalidEscape,
                                "invalid unicode escape: use `\\u{XX}` with 2 to 8 hex digits of a valid code point",
                                escape_start,
                                end,
                            );
                        }
                    }
                }
                _ => {
                    // Keep the character so the value stays readable.
                    let shown = self.text[escape_start..]
                        .chars()
                        .take(2)
                        .collect::<String>();
                    let end = escape_start + shown.len();
                    self.pos = end;
                    value.push_str(&shown);
                    self.error(
                        Code::InvalidEscape,
                        format!(
                            "invalid escape `{shown}` (EQL allows \\b \\t \\n \\f \\r \\\" \\' \\\\ and \\u{{...}}; use `\"\"\"...\"\"\"` for backslashes)"
                        ),
                        escape_start,
                        end,
                    );
                }
            }
        }
        self.push(TokenKind::Str { value, form }, start);
    }

    /// `?"..."` / `?'...'`: only the quote can be escaped.
    fn raw_string(&mut self, start: usize) {
        let quote = self.bytes[start + 1];
        self.pos = start + 2;
        let mut value = String::new();
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                self.error(
                    Code::UnterminatedString,
                    "unterminated raw string",
                    start,
                    self.pos,
                );
                break;
            };
            if c == '\n' || c == '\r' {
                self.error(
                    Code::UnterminatedString,
                    "unterminated raw string",
                    start,
                    self.pos,
                );
                break;
            }
            if c as u32 == u32::from(quote) {
                self.pos += 1;
                break;
            }
            if c == '\\' && self.peek(1) == quote {
                value.push(quote as char);
                self.pos += 2;
                continue;
            }
            value.push(c);
            self.pos += c.len_utf8();
        }
        self.push(
            TokenKind::Str {
                value,
                form: StringForm::Raw,
            },
            start,
        );
    }

    fn punct(&mut self, start: usize, b: u8) {
        let two = (b, self.peek(1));
        let (kind, len) = match two {
            (b'=', b'=') => (TokenKind::EqEq, 2),
            (b'!', b'=') => (TokenKind::NotEq, 2),
            (b'<', b'=') => (TokenKind::Le, 2),
            (b'>', b'=') => (TokenKind::Ge, 2),
            (b'!', b'[') => (TokenKind::MissingOpen, 2),
            (b'=', _) => (TokenKind::Eq, 1),
            (b'<', _) => (TokenKind::Lt, 1),
            (b'>', _) => (TokenKind::Gt, 1),
            (b'(', _) => (TokenKind::LParen, 1),
            (b')', _) => (TokenKind::RParen, 1),
            (b'[', _) => (TokenKind::LBracket, 1),
            (b']', _) => (TokenKind::RBracket, 1),
            (b',', _) => (TokenKind::Comma, 1),
            (b'.', _) => (TokenKind::Dot, 1),
            (b'|', _) => (TokenKind::Pipe, 1),
            (b'?', _) => (TokenKind::Question, 1),
            (b':', _) => (TokenKind::Colon, 1),
            (b'+', _) => (TokenKind::Plus, 1),
            (b'-', _) => (TokenKind::Minus, 1),
            (b'*', _) => (TokenKind::Star, 1),
            (b'/', _) => (TokenKind::Slash, 1),
            (b'%', _) => (TokenKind::Percent, 1),
            (b'$', _) => (TokenKind::Dollar, 1),
            _ => {
                let ch = self.text[start..].chars().next().unwrap_or('\u{fffd}');
                self.pos += ch.len_utf8();
                self.error(
                    Code::UnexpectedCharacter,
                    format!("unexpected character `{}`", ch.escape_debug()),
                    start,
                    self.pos,
                );
                return;
            }
        };
        self.pos += len;
        self.push(kind, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> (Vec<TokenKind>, Vec<QueryDiagnostic>) {
        let mut d = Vec::new();
        let t = tokenize(text, &mut d);
        (t.into_iter().map(|t| t.kind).collect(), d)
    }

    #[test]
    fn strings_apply_escapes() {
        let (k, d) = kinds(r#""a\"b\\c\u{41}\t""#);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            k[0],
            TokenKind::Str {
                value: "a\"b\\cA\t".into(),
                form: StringForm::Double
            }
        );
    }

    #[test]
    fn triple_strings_are_verbatim() {
        let (k, _) = kinds(r#""""C:\Windows\*""""#);
        assert_eq!(
            k[0],
            TokenKind::Str {
                value: r"C:\Windows\*".into(),
                form: StringForm::Triple
            }
        );
        let (k, _) = kinds(r#""""x"""""#);
        assert_eq!(
            k[0],
            TokenKind::Str {
                value: "x\"".into(),
                form: StringForm::Triple
            }
        );
    }

    #[test]
    fn bad_escape_is_reported_and_scanning_goes_on() {
        let (k, d) = kinds(r#""a\d" x"#);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::InvalidEscape);
        assert!(
            k[1].clone()
                == TokenKind::Name {
                    text: "x".into(),
                    insensitive: false
                }
        );
    }

    #[test]
    fn numbers_and_units() {
        let (k, _) = kinds("5m 1.5e3 .5 10");
        assert_eq!(k[0], TokenKind::Integer(Some(5)));
        assert!(matches!(k[1], TokenKind::Name { .. }));
        assert_eq!(k[2], TokenKind::Float(1500.0));
        assert_eq!(k[3], TokenKind::Float(0.5));
        assert_eq!(k[4], TokenKind::Integer(Some(10)));
    }
}
