//! Tokens of kuery.
//!
//! Kuery has few special characters: `\():<>"*{}` and whitespace. Everything
//! else belongs to an unquoted literal, which is why field names such as
//! `gcp.audit.labels.authorization.k8s.io/decision` or values such as
//! `S-1-5-21-*` need no quoting.

use crate::ast::{Part, RangeOp};
use crate::error::{ErrorCode, ParseError};
use ruledex_ir::Span;

/// Kinds of tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `:`
    Colon,
    /// `<`, `<=`, `>`, `>=`
    Range(RangeOp),
    /// `and`, any case.
    And,
    /// `or`, any case.
    Or,
    /// `not`, any case.
    Not,
    /// An unquoted word (no whitespace; escapes decoded into `parts`).
    Word,
    /// A `"quoted string"` (escapes decoded into `parts`).
    Quoted,
}

/// One token with its decoded content.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is in the query text.
    pub span: Span,
    /// Decoded text of words and quoted strings (empty for punctuation).
    pub parts: Vec<Part>,
}

fn is_special(c: char) -> bool {
    matches!(
        c,
        '\\' | '(' | ')' | ':' | '<' | '>' | '"' | '*' | '{' | '}'
    )
}

/// Split `text` into tokens; lexical errors go to `errors`. Never fails.
pub fn tokenize(text: &str, errors: &mut Vec<ParseError>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    let span = |a: usize, b: usize| Span::from_range(a..b);
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let punct = match c {
            '(' => Some(TokenKind::LParen),
            ')' => Some(TokenKind::RParen),
            '{' => Some(TokenKind::LBrace),
            '}' => Some(TokenKind::RBrace),
            ':' => Some(TokenKind::Colon),
            _ => None,
        };
        if let Some(kind) = punct {
            chars.next();
            tokens.push(Token {
                kind,
                span: span(start, start + 1),
                parts: Vec::new(),
            });
            continue;
        }
        if c == '<' || c == '>' {
            chars.next();
            let eq = bytes.get(start + 1) == Some(&b'=');
            if eq {
                chars.next();
            }
            let op = match (c, eq) {
                ('<', false) => RangeOp::Lt,
                ('<', true) => RangeOp::Le,
                ('>', false) => RangeOp::Gt,
                _ => RangeOp::Ge,
            };
            let end = start + 1 + usize::from(eq);
            tokens.push(Token {
                kind: TokenKind::Range(op),
                span: span(start, end),
                parts: Vec::new(),
            });
            continue;
        }
        if c == '"' {
            chars.next();
            let mut parts = Parts::default();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    '\\' => match chars.peek().map(|&(_, c)| c) {
                        // Only `\"` and `\\` are escapes in quoted strings
                        // (plus whitespace and unicode); any other backslash
                        // is a literal one, as in Kibana (`"C:\Windows"`).
                        Some('"') | Some('\\') => {
                            let (_, e) = chars.next().unwrap_or((i, '\\'));
                            parts.push_char(e);
                        }
                        Some('t') => {
                            chars.next();
                            parts.push_char('\t');
                            warn_whitespace_escape(text, i, errors);
                        }
                        Some('n') => {
                            chars.next();
                            parts.push_char('\n');
                            warn_whitespace_escape(text, i, errors);
                        }
                        Some('r') => {
                            chars.next();
                            parts.push_char('\r');
                            warn_whitespace_escape(text, i, errors);
                        }
                        Some('u') => match unicode_escape(text, i) {
                            Some((ch, len)) => {
                                for _ in 0..len - 1 {
                                    chars.next();
                                }
                                parts.push_char(ch);
                            }
                            None => parts.push_char('\\'),
                        },
                        _ => parts.push_char('\\'),
                    },
                    c => parts.push_char(c),
                }
            }
            let end = match end {
                Some(end) => end,
                None => {
                    errors.push(ParseError::new(
                        ErrorCode::UnterminatedString,
                        "quoted string is never closed with `\"`",
                        span(start, text.len()),
                    ));
                    text.len()
                }
            };
            tokens.push(Token {
                kind: TokenKind::Quoted,
                span: span(start, end),
                parts: parts.finish(),
            });
            continue;
        }
        // An unquoted word: up to whitespace or a special character other
        // than `*` (a wildcard) and `\` (an escape).
        let mut parts = Parts::default();
        let mut end = start;
        let mut plain = true;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() || (is_special(c) && c != '*' && c != '\\') {
                break;
            }
            chars.next();
            end = i + c.len_utf8();
            match c {
                '*' => {
                    plain = false;
                    parts.push_wildcard();
                }
                '\\' => {
                    plain = false;
                    let Some(&(j, e)) = chars.peek() else {
                        errors.push(ParseError::new(
                            ErrorCode::InvalidEscape,
                            "a backslash at the end of the query escapes nothing",
                            span(i, i + 1),
                        ));
                        break;
                    };
                    if e == 'u' {
                        if let Some((ch, len)) = unicode_escape(text, i) {
                            for _ in 0..len - 1 {
                                chars.next();
                            }
                            end = i + len;
                            parts.push_char(ch);
                            continue;
                        }
                    }
                    if let Some(word) = escaped_keyword(text, j) {
                        for _ in 0..word.len() {
                            chars.next();
                        }
                        end = j + word.len();
                        parts.push_str(word);
                        continue;
                    }
                    chars.next();
                    end = j + e.len_utf8();
                    match e {
                        't' => parts.push_char('\t'),
                        'n' => parts.push_char('\n'),
                        'r' => parts.push_char('\r'),
                        e if is_special(e) => parts.push_char(e),
                        e => {
                            errors.push(ParseError::new(
                                ErrorCode::InvalidEscape,
                                format!("`\\{e}` is not an escape sequence of kuery"),
                                span(i, end),
                            ));
                            parts.push_char('\\');
                            parts.push_char(e);
                        }
                    }
                }
                c => parts.push_char(c),
            }
        }
        let word = &text[start..end];
        let kind = if !plain {
            TokenKind::Word
        } else if word.eq_ignore_ascii_case("and") {
            TokenKind::And
        } else if word.eq_ignore_ascii_case("or") {
            TokenKind::Or
        } else if word.eq_ignore_ascii_case("not") {
            TokenKind::Not
        } else {
            TokenKind::Word
        };
        let parts = if kind == TokenKind::Word {
            parts.finish()
        } else {
            Vec::new()
        };
        tokens.push(Token {
            kind,
            span: span(start, end),
            parts,
        });
    }
    tokens
}

/// Warn about `\t`, `\n` or `\r` at byte `at` of a quoted string when a
/// letter or digit follows: almost always a Windows path whose backslash
/// was meant literally (`"C:\Windows\temp"`).
fn warn_whitespace_escape(text: &str, at: usize, errors: &mut Vec<ParseError>) {
    let next = text.get(at + 2..).and_then(|rest| rest.chars().next());
    if next.is_some_and(|c| c.is_ascii_alphanumeric()) {
        let escape = text.get(at..at + 2).unwrap_or("\\");
        errors.push(ParseError::new(
            ErrorCode::WhitespaceEscape,
            format!(
                "`{escape}` in a quoted value is whitespace, not a backslash and `{letter}`; \
                 write `\\\\{letter}` if a backslash was meant",
                letter = escape.get(1..).unwrap_or_default()
            ),
            Span::from_range(at..at + 2),
        ));
    }
}

/// `\uXXXX` at byte `at` (the backslash): the character and the escape's
/// length in bytes.
fn unicode_escape(text: &str, at: usize) -> Option<(char, usize)> {
    let hex = text.get(at + 2..at + 6)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code).unwrap_or('\u{FFFD}'), 6))
}

/// An escaped keyword (`\and`, `\OR`, `\not`) right after a backslash:
/// the keyword as written. Checked before the whitespace escapes, so `\not`
/// is the word `not`, not a newline followed by `ot`.
fn escaped_keyword(text: &str, at: usize) -> Option<&str> {
    ["and", "not", "or"].iter().find_map(|k| {
        let word = text.get(at..at + k.len())?;
        word.eq_ignore_ascii_case(k).then_some(word)
    })
}

/// Builder that merges adjacent text into one [`Part::Text`].
#[derive(Default)]
struct Parts(Vec<Part>);

impl Parts {
    fn push_char(&mut self, c: char) {
        if let Some(Part::Text(s)) = self.0.last_mut() {
            s.push(c);
        } else {
            self.0.push(Part::Text(c.to_string()));
        }
    }

    fn push_str(&mut self, t: &str) {
        for c in t.chars() {
            self.push_char(c);
        }
    }

    fn push_wildcard(&mut self) {
        self.0.push(Part::Wildcard);
    }

    fn finish(self) -> Vec<Part> {
        self.0
    }
}
