//! Tokens of the Lucene query-string syntax.
//!
//! A term starts with any character but whitespace and
//! `+ - ! ( ) : ^ [ ] " { } ~ /`, and may continue with `+` and `-` too
//! (`g+s`, `S-1-5-18`); `\` escapes the next character anywhere. Inside a
//! range (`[` … `]`) only whitespace, `TO` and the closing bracket are
//! special, so `[-5 TO 2024-01-01]` needs no escapes.

use crate::ast::{CompareOp, Part, Term};
use crate::error::{ErrorCode, ParseError};
use ruledex_ir::Span;

/// Kinds of tokens.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[` or `{` (true for the inclusive `[`).
    RangeOpen(bool),
    /// `]` or `}` (true for the inclusive `]`).
    RangeClose(bool),
    /// `TO` inside a range.
    To,
    /// `:`
    Colon,
    /// `+` before a clause.
    Plus,
    /// `-` before a clause.
    Minus,
    /// `!` before a clause.
    Bang,
    /// `AND` or `&&`.
    And,
    /// `OR` or `||`.
    Or,
    /// `NOT`.
    Not,
    /// `~` with the number after it, if any.
    Tilde(Option<String>),
    /// `^` with the number after it (empty when missing).
    Caret(String),
    /// `<`, `<=`, `>`, `>=`.
    Compare(CompareOp),
    /// A term.
    Term(Term),
    /// A `"phrase"`, decoded.
    Phrase(String),
    /// A `/regex/`, the pattern between the slashes.
    Regex(String),
}

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

fn ends_term(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | ')' | ':' | '^' | '[' | ']' | '"' | '{' | '}' | '~' | '!' | '/'
        )
}

/// Split `text` into tokens; lexical errors go to `errors`. Never fails.
pub fn tokenize(text: &str, errors: &mut Vec<ParseError>) -> Vec<Token> {
    let mut lexer = Lexer {
        text,
        pos: 0,
        tokens: Vec::new(),
        errors,
        range_depth: false,
    };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a, 'e> {
    text: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    errors: &'e mut Vec<ParseError>,
    /// Inside `[ … ]`: only `TO`, whitespace and the closer are special.
    range_depth: bool,
}

impl Lexer<'_, '_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.text[self.pos..].chars();
        it.next();
        it.next()
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::from_range(start..self.pos),
        });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            if self.range_depth {
                self.range_token(c, start);
                continue;
            }
            match c {
                '(' | ')' | ':' | '+' | '-' | '!' | '[' | '{' | ']' | '}' => {
                    self.pos += 1;
                    let kind = match c {
                        '(' => TokenKind::LParen,
                        ')' => TokenKind::RParen,
                        ':' => TokenKind::Colon,
                        '+' => TokenKind::Plus,
                        '-' => TokenKind::Minus,
                        '!' => TokenKind::Bang,
                        '[' | '{' => {
                            self.range_depth = true;
                            TokenKind::RangeOpen(c == '[')
                        }
                        ']' => TokenKind::RangeClose(true),
                        _ => TokenKind::RangeClose(false),
                    };
                    self.push(kind, start);
                }
                '&' if self.peek2() == Some('&') => {
                    self.pos += 2;
                    self.push(TokenKind::And, start);
                }
                '|' if self.peek2() == Some('|') => {
                    self.pos += 2;
                    self.push(TokenKind::Or, start);
                }
                '<' | '>' => {
                    self.pos += 1;
                    let eq = self.peek() == Some('=');
                    if eq {
                        self.pos += 1;
                    }
                    let op = match (c, eq) {
                        ('<', false) => CompareOp::Lt,
                        ('<', true) => CompareOp::Le,
                        ('>', false) => CompareOp::Gt,
                        _ => CompareOp::Ge,
                    };
                    self.push(TokenKind::Compare(op), start);
                }
                '~' | '^' => {
                    self.pos += 1;
                    let number = self.number();
                    let kind = if c == '~' {
                        TokenKind::Tilde(number)
                    } else {
                        TokenKind::Caret(number.unwrap_or_default())
                    };
                    self.push(kind, start);
                }
                '"' => {
                    let text = self.quoted('"', start);
                    self.push(TokenKind::Phrase(text), start);
                }
                '/' => {
                    let pattern = self.quoted('/', start);
                    self.push(TokenKind::Regex(pattern), start);
                }
                _ => {
                    let term = self.term(start, false);
                    let kind = match term.raw.as_str() {
                        "AND" => TokenKind::And,
                        "OR" => TokenKind::Or,
                        "NOT" => TokenKind::Not,
                        _ => TokenKind::Term(term),
                    };
                    self.push(kind, start);
                }
            }
        }
    }

    fn range_token(&mut self, c: char, start: usize) {
        match c {
            ']' | '}' => {
                self.pos += 1;
                self.range_depth = false;
                self.push(TokenKind::RangeClose(c == ']'), start);
            }
            '"' => {
                let text = self.quoted('"', start);
                self.push(TokenKind::Phrase(text), start);
            }
            _ => {
                let term = self.term(start, true);
                let kind = if term.raw == "TO" {
                    TokenKind::To
                } else {
                    TokenKind::Term(term)
                };
                self.push(kind, start);
            }
        }
    }

    /// Digits and dots after `~` or `^` (`~2`, `^0.5`).
    fn number(&mut self) -> Option<String> {
        let rest = &self.text[self.pos..];
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if len == 0 {
            return None;
        }
        self.pos += len;
        Some(rest[..len].to_string())
    }

    /// A phrase or regex body up to the unescaped `close`, decoded. In a
    /// phrase `\x` means `x`; in a regex only `\/` is decoded (other escapes
    /// belong to the regex).
    fn quoted(&mut self, close: char, start: usize) -> String {
        self.pos += 1;
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            if c == close {
                return out;
            }
            if c == '\\' {
                if let Some(e) = self.peek() {
                    self.pos += e.len_utf8();
                    if close == '/' && e != '/' {
                        out.push('\\');
                    }
                    out.push(e);
                    continue;
                }
            }
            out.push(c);
        }
        let what = if close == '"' {
            "phrase"
        } else {
            "regular expression"
        };
        self.errors.push(ParseError::new(
            ErrorCode::Unterminated,
            format!("{what} is never closed with `{close}`"),
            Span::from_range(start..self.text.len()),
        ));
        out
    }

    /// A term: in a range, up to whitespace or a closing bracket; elsewhere
    /// up to whitespace or a special character (`+`/`-` only end a term at
    /// its start, which the caller handles).
    fn term(&mut self, start: usize, in_range: bool) -> Term {
        let mut parts: Vec<Part> = Vec::new();
        let push_char = |parts: &mut Vec<Part>, c: char| {
            if let Some(Part::Text(t)) = parts.last_mut() {
                t.push(c);
            } else {
                parts.push(Part::Text(c.to_string()));
            }
        };
        while let Some(c) = self.peek() {
            let stop = if in_range {
                c.is_whitespace() || c == ']' || c == '}'
            } else {
                ends_term(c)
            };
            if stop {
                break;
            }
            self.pos += c.len_utf8();
            match c {
                '\\' => match self.peek() {
                    Some(e) => {
                        self.pos += e.len_utf8();
                        push_char(&mut parts, e);
                    }
                    None => {
                        self.errors.push(ParseError::new(
                            ErrorCode::DanglingEscape,
                            "a backslash at the end of the query escapes nothing",
                            Span::from_range(self.pos - 1..self.pos),
                        ));
                    }
                },
                '*' if !in_range => parts.push(Part::Star),
                '?' if !in_range => parts.push(Part::Question),
                c => push_char(&mut parts, c),
            }
        }
        if in_range && self.text[start..self.pos] == *"*" {
            parts = vec![Part::Star];
        }
        Term {
            parts,
            raw: self.text[start..self.pos].to_string(),
            span: Span::from_range(start..self.pos),
        }
    }
}
