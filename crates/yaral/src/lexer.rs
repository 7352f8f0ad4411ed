//! The YARA-L tokenizer. The parser pulls tokens one at a time, because a
//! `/` is a regular expression in operand position and a division after
//! an operand; [`Lexer::regex`] re-reads a slash as a regular expression.

use crate::diag::{Code, QueryDiagnostic};
use ruledex_ir::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A word: identifier or keyword (`rule`, `and`, `nocase`, `over`).
    Ident,
    /// `$name`: an event, placeholder, match or outcome variable.
    Var,
    /// `#name`: the count of an event or placeholder variable.
    Count,
    /// `%name`: a reference list.
    List,
    /// `"…"`.
    String,
    /// `` `…` `` (no escapes).
    RawString,
    /// `/…/`, only from [`Lexer::regex`].
    Regex,
    /// An integer or decimal number.
    Number,
    /// A number with a time unit (`5m`, `48h`, `30s`, `1d`).
    Duration,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `[`.
    LBracket,
    /// `]`.
    RBracket,
    /// `{`.
    LBrace,
    /// `}`.
    RBrace,
    /// `,`.
    Comma,
    /// `.`.
    Dot,
    /// `:`.
    Colon,
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Plus,
    /// `-`.
    Minus,
    /// `*`.
    Star,
    /// `/` (division, or the start of a regular expression).
    Slash,
    /// `!`.
    Bang,
    /// Syntax of another language (`:=`, `?.`, `==`, `&&`, `||`); the
    /// lexer reported it and the parser reads it as the YARA-L token it
    /// stands for.
    Foreign,
    /// Something no token starts with (reported by the lexer).
    Invalid,
    /// The end of the text.
    Eof,
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Where it is, in the text.
    pub span: Span,
    /// True when a line break separates it from the previous token.
    pub line_start: bool,
}

/// A pull tokenizer over one text.
pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    /// The byte offset the next token is read from.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Continue reading at `pos`.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.text.len());
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn span(start: usize, end: usize) -> Span {
        Span::from_range(start..end)
    }

    /// Skip white space and comments; true when a line break was crossed.
    fn trivia(&mut self, diagnostics: &mut Vec<QueryDiagnostic>) -> bool {
        let bytes = self.bytes();
        let mut newline = false;
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b'\n' => {
                    newline = true;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0c => self.pos += 1,
                // A byte-order mark (editors on Windows write one).
                0xef if self.text[self.pos..].starts_with('\u{feff}') => self.pos += 3,
                b'/' if bytes.get(self.pos + 1) == Some(&b'/') => {
                    while self.pos < bytes.len() && bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'/' if bytes.get(self.pos + 1) == Some(&b'*') => {
                    let start = self.pos;
                    match self.text[self.pos + 2..].find("*/") {
                        Some(end) => {
                            let comment = &self.text[start..self.pos + 2 + end];
                            newline |= comment.contains('\n');
                            self.pos += 2 + end + 2;
                        }
                        None => {
                            diagnostics.push(QueryDiagnostic::new(
                                Code::UnterminatedComment,
                                "`/*` comment without its closing `*/`",
                                Self::span(start, start + 2),
                            ));
                            self.pos = bytes.len();
                        }
                    }
                }
                _ => break,
            }
        }
        newline
    }

    /// The next token (comments and white space skipped).
    pub fn next(&mut self, diagnostics: &mut Vec<QueryDiagnostic>) -> Token {
        let line_start = self.trivia(diagnostics);
        let bytes = self.bytes();
        let start = self.pos;
        let token = |kind: Kind, end: usize| Token {
            kind,
            span: Self::span(start, end),
            line_start,
        };
        let Some(&b) = bytes.get(start) else {
            return token(Kind::Eof, start);
        };
        let next = bytes.get(start + 1).copied();
        let (kind, end) = match b {
            b'$' | b'#' | b'%' => {
                let mut end = start + 1;
                while end < bytes.len() && is_ident(bytes[end]) {
                    end += 1;
                }
                if end == start + 1 {
                    if b == b'#' {
                        // `#` is no comment in YARA-L.
                        diagnostics.push(QueryDiagnostic::new(
                            Code::InvalidCharacter,
                            "`#` must be followed by a variable name (`#e`); comments are `//` and `/* */`",
                            Self::span(start, start + 1),
                        ));
                    } else {
                        diagnostics.push(QueryDiagnostic::new(
                            Code::InvalidCharacter,
                            format!("`{}` must be followed by a name", b as char),
                            Self::span(start, start + 1),
                        ));
                    }
                    (Kind::Invalid, start + 1)
                } else {
                    let kind = match b {
                        b'$' => Kind::Var,
                        b'#' => Kind::Count,
                        _ => Kind::List,
                    };
                    (kind, end)
                }
            }
            b'"' | b'`' => self.string(start, b, diagnostics),
            b'0'..=b'9' => {
                let mut end = start;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
                    end += 1;
                    while end < bytes.len() && bytes[end].is_ascii_digit() {
                        end += 1;
                    }
                }
                let unit = bytes.get(end).copied();
                let after = bytes.get(end + 1).copied();
                if matches!(unit, Some(b's' | b'm' | b'h' | b'd')) && !after.is_some_and(is_ident) {
                    (Kind::Duration, end + 1)
                } else {
                    (Kind::Number, end)
                }
            }
            b if is_ident_start(b) => {
                let mut end = start + 1;
                while end < bytes.len() && is_ident(bytes[end]) {
                    end += 1;
                }
                (Kind::Ident, end)
            }
            b'(' => (Kind::LParen, start + 1),
            b')' => (Kind::RParen, start + 1),
            b'[' => (Kind::LBracket, start + 1),
            b']' => (Kind::RBracket, start + 1),
            b'{' => (Kind::LBrace, start + 1),
            b'}' => (Kind::RBrace, start + 1),
            b',' => (Kind::Comma, start + 1),
            b'.' => (Kind::Dot, start + 1),
            b':' if next == Some(b'=') => self.foreign(
                start,
                2,
                "`:=` is not YARA-L: variables are assigned and compared with `=`",
                diagnostics,
            ),
            b':' => (Kind::Colon, start + 1),
            b'?' if next == Some(b'.') => self.foreign(
                start,
                2,
                "`?.` is not YARA-L: UDM paths are written with `.` (a missing field is empty)",
                diagnostics,
            ),
            b'=' if next == Some(b'=') => {
                self.foreign(start, 2, "`==` is not YARA-L: equality is `=`", diagnostics)
            }
            b'=' if next == Some(b'~') => self.foreign(
                start,
                2,
                "`=~` is not YARA-L: match a regular expression with `= /…/` or `re.regex()`",
                diagnostics,
            ),
            b'&' if next == Some(b'&') => {
                self.foreign(start, 2, "`&&` is not YARA-L: use `and`", diagnostics)
            }
            b'|' if next == Some(b'|') => {
                self.foreign(start, 2, "`||` is not YARA-L: use `or`", diagnostics)
            }
            b'=' => (Kind::Eq, start + 1),
            b'!' if next == Some(b'=') => (Kind::Ne, start + 2),
            b'!' => (Kind::Bang, start + 1),
            b'<' if next == Some(b'=') => (Kind::Le, start + 2),
            b'<' => (Kind::Lt, start + 1),
            b'>' if next == Some(b'=') => (Kind::Ge, start + 2),
            b'>' => (Kind::Gt, start + 1),
            b'+' => (Kind::Plus, start + 1),
            b'-' => (Kind::Minus, start + 1),
            b'*' => (Kind::Star, start + 1),
            b'/' => (Kind::Slash, start + 1),
            _ => {
                let width = self.text[start..].chars().next().map_or(1, char::len_utf8);
                diagnostics.push(QueryDiagnostic::new(
                    Code::InvalidCharacter,
                    format!(
                        "unexpected character `{}`",
                        self.text[start..start + width].escape_debug()
                    ),
                    Self::span(start, start + width),
                ));
                (Kind::Invalid, start + width)
            }
        };
        self.pos = end;
        token(kind, end)
    }

    fn foreign(
        &self,
        start: usize,
        len: usize,
        message: &str,
        diagnostics: &mut Vec<QueryDiagnostic>,
    ) -> (Kind, usize) {
        diagnostics.push(QueryDiagnostic::new(
            Code::ForeignSyntax,
            message,
            Self::span(start, start + len),
        ));
        (Kind::Foreign, start + len)
    }

    /// A `"` string (backslash escapes) or a `` ` `` raw string.
    fn string(
        &self,
        start: usize,
        quote: u8,
        diagnostics: &mut Vec<QueryDiagnostic>,
    ) -> (Kind, usize) {
        let bytes = self.bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if quote == b'"' => i += 2,
                b if b == quote => {
                    let kind = if quote == b'"' {
                        Kind::String
                    } else {
                        Kind::RawString
                    };
                    return (kind, i + 1);
                }
                _ => i += 1,
            }
        }
        diagnostics.push(QueryDiagnostic::new(
            Code::UnterminatedString,
            format!("string without its closing `{}`", quote as char),
            Self::span(start, start + 1),
        ));
        let kind = if quote == b'"' {
            Kind::String
        } else {
            Kind::RawString
        };
        (kind, bytes.len())
    }

    /// Re-read the `/` at `start` as a regular expression `/…/`; the token
    /// ends after the closing slash. Escaped slashes (`\/`) do not close
    /// it; a line break does (reported).
    pub fn regex(
        &mut self,
        start: usize,
        line_start: bool,
        diagnostics: &mut Vec<QueryDiagnostic>,
    ) -> Token {
        let bytes = self.bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'/' => {
                    self.pos = i + 1;
                    return Token {
                        kind: Kind::Regex,
                        span: Self::span(start, i + 1),
                        line_start,
                    };
                }
                b'\n' => break,
                _ => i += 1,
            }
        }
        let end = i.min(bytes.len());
        diagnostics.push(QueryDiagnostic::new(
            Code::UnterminatedRegex,
            "regular expression without its closing `/`",
            Self::span(start, start + 1),
        ));
        self.pos = end;
        Token {
            kind: Kind::Regex,
            span: Self::span(start, end),
            line_start,
        }
    }
}

/// The content of a `"` string token: escapes applied (`\"`, `\\`, `\n`,
/// `\t`; any other escaped character stands for itself with its
/// backslash, as RE2 patterns in strings need).
pub fn unquote(token_text: &str) -> String {
    let inner = token_text
        .strip_prefix('"')
        .map(|s| s.strip_suffix('"').unwrap_or(s))
        .unwrap_or(token_text);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The content of a raw `` ` `` string or a `/…/` regex token, delimiters
/// removed; the pattern is kept as written (an escaped slash stays `\/`,
/// which RE2 reads as `/`).
pub fn strip_delimiters(token_text: &str, delimiter: char) -> String {
    token_text
        .strip_prefix(delimiter)
        .map(|s| s.strip_suffix(delimiter).unwrap_or(s))
        .unwrap_or(token_text)
        .to_string()
}
