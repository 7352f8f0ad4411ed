//! The KQL lexer: query text in, a flat list of [`Token`]s out.
//!
//! The lexer knows as little as possible about the grammar. Keywords are
//! plain [`TokenKind::Ident`] tokens (KQL keywords are contextual: `kind`,
//! `count` or `title` are also column names), and composite spellings such as
//! `!has`, `in~` or `mv-expand` are assembled by the parser from tokens that
//! touch (no space between them). Two things are decided here because they
//! change what the following characters mean:
//!
//! - Typed literals such as `datetime(2024-01-01 10:00)`, `guid(…)`,
//!   `timespan(1.02:03:04)` or `int(null)`: their inside is not KQL
//!   expression syntax, so the whole `name(...)` becomes one
//!   [`TokenKind::TypedLiteral`] token.
//! - Numbers glued to a unit (`30m`, `1.5h`, `100ms`, `1tick`) are
//!   [`TokenKind::Timespan`] tokens.
//!
//! Whitespace and `//` comments are skipped. Problems (an unterminated
//! string, a stray character) become [`ParseError`]s and the lexer goes on.

use crate::error::{codes, ParseError};
use ruledex_ir::Span;

/// What a token is. The text is always recovered from the query through the
/// token's span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A name or keyword: letters, digits and `_`, not starting with a digit;
    /// also `$left` and `$right`.
    Ident,
    /// An integer: `42`, `0x1F`.
    Int,
    /// A real number: `1.5`, `1.`, `1e3`, `2.5e-3` (not `.5`: Kusto wants a
    /// digit before the dot).
    Real,
    /// A number with a time unit: `1d`, `30m`, `1.5h`, `100ms`, `1tick`.
    Timespan,
    /// A string literal in any of its forms (`'…'`, `"…"`, `@'…'`, `h"…"`,
    /// and multi-line ```` ```…``` ```` or `~~~…~~~`).
    String,
    /// `type(raw text)` for the literal types whose inside is not an
    /// expression: `datetime`, `date`, `time`, `timespan`, `guid`, `int`,
    /// `long`, `real`, `double`, `decimal`, `bool` (Kusto has no
    /// `string(...)` or `boolean(...)` literal), written with the `(` right
    /// after the name.
    TypedLiteral,
    /// `|`
    Pipe,
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
    /// `;`
    Semicolon,
    /// `:`
    Colon,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `=`
    Assign,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<>`
    LtGt,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=~`
    EqTilde,
    /// `!~`
    BangTilde,
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
    /// `!` (only ever part of `!has`, `!in`, … in valid KQL)
    Bang,
    /// `~` (part of `in~`)
    Tilde,
    /// `=>` (scan steps)
    FatArrow,
    /// `?`
    Question,
    /// A character that starts no token (reported as an error).
    Unknown,
    /// End of input; always the last token.
    Eof,
}

/// One token: its kind and its byte range in the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Where it is, relative to the query text.
    pub span: Span,
}

/// The result of lexing: tokens (ending with [`TokenKind::Eof`]) and the
/// problems found.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    /// Every token in order; the last one is `Eof`.
    pub tokens: Vec<Token>,
    /// Lexical errors (unterminated strings, stray characters).
    pub errors: Vec<ParseError>,
}

/// Names that start a typed literal when directly followed by `(`.
const TYPED_LITERAL_NAMES: &[&str] = &[
    "datetime", "date", "time", "timespan", "guid", "int", "long", "real", "double", "decimal",
    "bool",
];

/// Suffixes that turn a number into a timespan (`1d`, `2hours`, `10ms`).
/// Case matters: `5Minutes` is an identifier to Kusto.
const TIMESPAN_UNITS: &[&str] = &[
    "d",
    "day",
    "days",
    "h",
    "hr",
    "hrs",
    "hour",
    "hours",
    "m",
    "min",
    "minute",
    "minutes",
    "s",
    "sec",
    "second",
    "seconds",
    "ms",
    "milli",
    "millis",
    "millisec",
    "millisecond",
    "milliseconds",
    "micro",
    "micros",
    "microsec",
    "microsecond",
    "microseconds",
    "nano",
    "nanos",
    "nanosec",
    "nanosecond",
    "nanoseconds",
    "tick",
    "ticks",
];

/// Split `query` into tokens.
///
/// ```
/// use ruledex_kql::lexer::{lex, TokenKind};
/// let lexed = lex("T | where x > 1h");
/// let kinds: Vec<_> = lexed.tokens.iter().map(|t| t.kind).collect();
/// assert_eq!(kinds, [TokenKind::Ident, TokenKind::Pipe, TokenKind::Ident,
///     TokenKind::Ident, TokenKind::Gt, TokenKind::Timespan, TokenKind::Eof]);
/// ```
pub fn lex(query: &str) -> Lexed {
    let mut lexer = Lexer {
        text: query,
        bytes: query.as_bytes(),
        pos: 0,
        out: Lexed {
            tokens: Vec::with_capacity(query.len() / 4 + 1),
            errors: Vec::new(),
        },
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Lexed,
}

/// Kusto names are ASCII: letters and `_`, then digits too; any other
/// letter (`é`, `π`) is an unexpected character to Kusto's parser.
fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// How many hex digits the escape `\x`, `\u` or `\U` takes.
fn hex_digits(escape: u8) -> usize {
    match escape {
        b'x' => 2,
        b'u' => 4,
        _ => 8,
    }
}

/// Whitespace to Kusto's lexer besides ASCII space, tab, form feed and the
/// line breaks: the Unicode spaces, and the zero-width space and byte order
/// mark that copy-paste leaves in queries. Not the vertical tab, U+0085,
/// U+2028 or U+2029, nor the zero-width (non-)joiners: those are
/// unexpected characters to it.
fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{a0}' | '\u{1680}' | '\u{180e}' | '\u{2000}'
            ..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

impl Lexer<'_> {
    fn peek_byte(&self, offset: usize) -> u8 {
        self.bytes.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos..).and_then(|s| s.chars().next())
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.out.tokens.push(Token {
            kind,
            span: Span::from_range(start..self.pos),
        });
    }

    fn error(&mut self, code: &'static str, message: String, start: usize, end: usize) {
        self.out
            .errors
            .push(ParseError::new(code, message, Span::from_range(start..end)));
    }

    fn run(&mut self) {
        self.skip_directives();
        loop {
            self.skip_trivia();
            let start = self.pos;
            let Some(c) = self.char_at(start) else {
                self.push(TokenKind::Eof, start);
                return;
            };
            if is_ident_start(c) {
                self.ident_or_prefixed(start);
                continue;
            }
            if c.is_ascii_digit() {
                self.number(start);
                continue;
            }
            match c {
                '\'' | '"' => self.quoted_string(start, false),
                '`' if self.text[start..].starts_with("```") => self.multiline_string(start, "```"),
                '~' if self.text[start..].starts_with("~~~") => self.multiline_string(start, "~~~"),
                '@' if matches!(self.peek_byte(1), b'\'' | b'"') => {
                    self.pos += 1;
                    self.quoted_string(start, true);
                }
                // `$left`, `$right`; a lone `$` or `@` is a (meaningless)
                // name to Kusto's parser too, left for semantic checks.
                '$' => {
                    self.pos += 1;
                    self.ident_tail();
                    self.push(TokenKind::Ident, start);
                }
                '@' => {
                    self.pos += 1;
                    self.push(TokenKind::Ident, start);
                }
                _ => self.punctuation(start, c),
            }
        }
    }

    /// Client directives (`#connect cluster('c').database('d')`): lines
    /// that start with `#`, before the first token of the text. Kusto
    /// Explorer acts on them; to the query they are trivia. A `#` anywhere
    /// later is an unexpected character.
    fn skip_directives(&mut self) {
        loop {
            self.skip_trivia();
            if self.peek_byte(0) != b'#' {
                return;
            }
            let rest = &self.text[self.pos..];
            self.pos += rest
                .find(['\n', '\r', '\u{2028}', '\u{2029}'])
                .unwrap_or(rest.len());
        }
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.peek_byte(0) {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c => self.pos += 1,
                b'/' if self.peek_byte(1) == b'/' => {
                    // A comment ends at any line break Kusto knows: `\n`,
                    // `\r`, or U+2028 or U+2029, which it takes with it (they
                    // are no whitespace elsewhere).
                    let rest = &self.text[self.pos..];
                    self.pos += match rest.find(['\n', '\r', '\u{2028}', '\u{2029}']) {
                        Some(end) if rest[end..].starts_with(['\u{2028}', '\u{2029}']) => end + 3,
                        Some(end) => end,
                        None => rest.len(),
                    };
                }
                b if b >= 0x80 => match self.char_at(self.pos) {
                    Some(c) if is_unicode_space(c) => self.pos += c.len_utf8(),
                    _ => return,
                },
                _ => return,
            }
        }
    }

    fn ident_tail(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b.is_ascii_alphanumeric() || b == b'_' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// An identifier, or one of the literal forms that start like one:
    /// `h'…'`/`H"…"` obfuscated strings and `datetime(…)`-style typed literals.
    fn ident_or_prefixed(&mut self, start: usize) {
        let first = self.peek_byte(0);
        if matches!(first, b'h' | b'H') {
            let next = self.peek_byte(1);
            if next == b'\'' || next == b'"' {
                self.pos += 1;
                self.quoted_string(start, false);
                return;
            }
            if next == b'@' && matches!(self.peek_byte(2), b'\'' | b'"') {
                self.pos += 2;
                self.quoted_string(start, true);
                return;
            }
        }
        self.ident_tail();
        let word = &self.text[start..self.pos];
        if TYPED_LITERAL_NAMES.contains(&word) && self.typed_literal_body(start) {
            self.push(TokenKind::TypedLiteral, start);
            return;
        }
        self.push(TokenKind::Ident, start);
    }

    /// After a typed-literal name: if `(` follows at once, the literal runs
    /// to the first `)`, whatever is between (Kusto checks the value when
    /// the query runs, not when it parses): `int(f(x))` is the literal
    /// `int(f(x)` and a stray `)`, as Kusto reads it. A line break before
    /// that `)` makes the literal malformed: reported here, and the token
    /// ends at the line break.
    fn typed_literal_body(&mut self, start: usize) -> bool {
        if self.bytes.get(self.pos) != Some(&b'(') {
            return false;
        }
        let mut p = self.pos + 1;
        loop {
            match self.bytes.get(p) {
                Some(b')') => {
                    self.pos = p + 1;
                    return true;
                }
                Some(b'\n' | b'\r') | None => {
                    self.pos = p;
                    self.error(
                        codes::INVALID_LITERAL,
                        format!(
                            "malformed `{}(...)` literal: its value runs to the first `)`, on the same line",
                            &self.text[start..self.pos].split('(').next().unwrap_or("")
                        ),
                        start,
                        p,
                    );
                    return true;
                }
                Some(_) => p += 1,
            }
        }
    }

    fn number(&mut self, start: usize) {
        let bytes = self.bytes;
        // `0x` with no digit is accepted by Kusto too (as 0).
        if bytes[self.pos] == b'0' && matches!(self.peek_byte(1), b'x' | b'X') {
            self.pos += 2;
            while self.pos < bytes.len() && bytes[self.pos].is_ascii_hexdigit() {
                self.pos += 1;
            }
            self.number_end(start, TokenKind::Int);
            return;
        }
        let mut kind = TokenKind::Int;
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        if self.peek_byte(0) == b'.' {
            let after = self.peek_byte(1);
            if after.is_ascii_digit() {
                kind = TokenKind::Real;
                self.pos += 1;
                while self.pos < bytes.len() && bytes[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
            } else if after != b'.' && !after.is_ascii_alphabetic() && after != b'_' {
                // `1000.` is a real; `1..2` stays `1` `..` `2`, and `1.x`
                // is a member access, as Kusto reads them.
                self.pos += 1;
                self.push(TokenKind::Real, start);
                return;
            }
        }
        if matches!(self.peek_byte(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek_byte(1), b'+' | b'-'));
            if self.peek_byte(1 + sign).is_ascii_digit() {
                kind = TokenKind::Real;
                self.pos += 1 + sign;
                while self.pos < bytes.len() && bytes[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
            }
        }
        // A unit glued to the number makes a timespan.
        let unit_start = self.pos;
        let mut unit_end = unit_start;
        while unit_end < bytes.len() && bytes[unit_end].is_ascii_alphabetic() {
            unit_end += 1;
        }
        if unit_end > unit_start {
            let unit = &self.text[unit_start..unit_end];
            let next_is_word = self.char_at(unit_end).is_some_and(is_ident_continue);
            if !next_is_word && TIMESPAN_UNITS.contains(&unit) {
                self.pos = unit_end;
                self.push(TokenKind::Timespan, start);
                return;
            }
        }
        self.number_end(start, kind);
    }

    /// The end of a number: digits running into letters (`5Minutebin`,
    /// `1.5x`, `1e1e`, `0x1g`) make one token with them, a name, as in
    /// Kusto; otherwise the number is a `kind` token.
    fn number_end(&mut self, start: usize, kind: TokenKind) {
        if self.char_at(self.pos).is_some_and(is_ident_start) {
            self.ident_tail();
            self.push(TokenKind::Ident, start);
            return;
        }
        self.push(kind, start);
    }

    /// `'…'` or `"…"` (with backslash escapes), or with `verbatim` the
    /// `@'…'` form where only a doubled quote escapes. The cursor is on the
    /// opening quote. Strings end at the end of the line.
    fn quoted_string(&mut self, start: usize, verbatim: bool) {
        let quote = self.bytes[self.pos];
        self.pos += 1;
        let bytes = self.bytes;
        loop {
            match bytes.get(self.pos) {
                None | Some(b'\n') => {
                    self.error(
                        codes::UNTERMINATED_STRING,
                        "unterminated string literal".to_string(),
                        start,
                        self.pos,
                    );
                    self.push(TokenKind::String, start);
                    return;
                }
                Some(b'\\') if !verbatim => {
                    self.pos += 1;
                    match bytes.get(self.pos) {
                        Some(
                            b'n'
                            | b't'
                            | b'r'
                            | b'\\'
                            | b'\''
                            | b'"'
                            | b'a'
                            | b'b'
                            | b'f'
                            | b'v'
                            | b'0'..=b'7',
                        ) => self.pos += 1,
                        // `\xHH`, `\uHHHH`, `\UHHHHHHHH`: exactly that many hex
                        // digits, or Kusto's lexer does not end the string.
                        Some(&b @ (b'x' | b'u' | b'U'))
                            if bytes
                                .get(self.pos + 1..self.pos + 1 + hex_digits(b))
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            self.pos += 1 + hex_digits(b);
                        }
                        Some(&b @ (b'x' | b'u' | b'U')) => {
                            let n = hex_digits(b);
                            self.error(
                                codes::INVALID_ESCAPE,
                                format!(
                                    "invalid escape sequence `\\{}`: it takes exactly {n} hex digits",
                                    char::from(b)
                                ),
                                self.pos - 1,
                                self.pos + 1,
                            );
                            self.pos += 1;
                        }
                        Some(&b) if b != b'\n' => {
                            let len = self.char_at(self.pos).map_or(1, char::len_utf8);
                            self.error(
                                codes::INVALID_ESCAPE,
                                format!(
                                    "invalid escape sequence `\\{}` (write `\\\\` for a backslash, or use a verbatim @'...' string)",
                                    self.text.get(self.pos..self.pos + len).unwrap_or("").escape_debug()
                                ),
                                self.pos - 1,
                                self.pos + len,
                            );
                            self.pos += len;
                        }
                        _ => {}
                    }
                }
                Some(&b) if b == quote => {
                    self.pos += 1;
                    if verbatim && bytes.get(self.pos) == Some(&quote) {
                        self.pos += 1; // doubled quote inside a verbatim string
                        continue;
                    }
                    self.push(TokenKind::String, start);
                    return;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// ```` ```…``` ```` or `~~~…~~~` (`fence`): may span lines, no
    /// escapes.
    fn multiline_string(&mut self, start: usize, fence: &str) {
        self.pos += 3;
        match self.text[self.pos..].find(fence) {
            Some(end) => {
                self.pos += end + 3;
            }
            None => {
                self.pos = self.bytes.len();
                self.error(
                    codes::UNTERMINATED_STRING,
                    format!("unterminated multi-line string literal (missing closing {fence})"),
                    start,
                    self.pos,
                );
            }
        }
        self.push(TokenKind::String, start);
    }

    fn punctuation(&mut self, start: usize, c: char) {
        let next = self.peek_byte(1);
        let (kind, len) = match (c, next) {
            ('|', _) => (TokenKind::Pipe, 1),
            ('(', _) => (TokenKind::LParen, 1),
            (')', _) => (TokenKind::RParen, 1),
            ('[', _) => (TokenKind::LBracket, 1),
            (']', _) => (TokenKind::RBracket, 1),
            ('{', _) => (TokenKind::LBrace, 1),
            ('}', _) => (TokenKind::RBrace, 1),
            (',', _) => (TokenKind::Comma, 1),
            (';', _) => (TokenKind::Semicolon, 1),
            (':', _) => (TokenKind::Colon, 1),
            ('.', b'.') => (TokenKind::DotDot, 2),
            ('.', _) => (TokenKind::Dot, 1),
            ('=', b'=') => (TokenKind::EqEq, 2),
            ('=', b'~') => (TokenKind::EqTilde, 2),
            ('=', b'>') => (TokenKind::FatArrow, 2),
            ('=', _) => (TokenKind::Assign, 1),
            ('!', b'=') => (TokenKind::NotEq, 2),
            ('!', b'~') => (TokenKind::BangTilde, 2),
            ('!', _) => (TokenKind::Bang, 1),
            ('<', b'>') => (TokenKind::LtGt, 2),
            ('<', b'=') => (TokenKind::Le, 2),
            ('<', _) => (TokenKind::Lt, 1),
            ('>', b'=') => (TokenKind::Ge, 2),
            ('>', _) => (TokenKind::Gt, 1),
            ('+', _) => (TokenKind::Plus, 1),
            ('-', _) => (TokenKind::Minus, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('/', _) => (TokenKind::Slash, 1),
            ('%', _) => (TokenKind::Percent, 1),
            ('~', _) => (TokenKind::Tilde, 1),
            ('?', _) => (TokenKind::Question, 1),
            _ => {
                self.pos += c.len_utf8();
                self.error(
                    codes::UNEXPECTED_CHARACTER,
                    format!("unexpected character `{}`", c.escape_debug()),
                    start,
                    self.pos,
                );
                self.push(TokenKind::Unknown, start);
                return;
            }
        };
        self.pos += len;
        self.push(kind, start);
    }
}

/// Decode the value of a string token's text (as lexed: quotes, prefixes
/// and all). Returns the decoded text; an unterminated string decodes to
/// what is there.
///
/// ```
/// use ruledex_kql::lexer::decode_string;
/// assert_eq!(decode_string(r#""a\"b\\n""#), "a\"b\\n");
/// assert_eq!(decode_string(r"@'C:\Windows'"), r"C:\Windows");
/// assert_eq!(decode_string("h'secret'"), "secret");
/// ```
pub fn decode_string(raw: &str) -> String {
    let mut rest = raw;
    if let Some(r) = rest.strip_prefix(['h', 'H']) {
        rest = r;
    }
    for fence in ["```", "~~~"] {
        if let Some(inner) = rest.strip_prefix(fence) {
            return inner.strip_suffix(fence).unwrap_or(inner).to_string();
        }
    }
    let verbatim = rest.starts_with('@');
    if verbatim {
        rest = &rest[1..];
    }
    let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
        return rest.to_string();
    };
    let body = &rest[1..];
    let body = if !body.is_empty() && body.ends_with(quote) && !ends_with_escape(body, verbatim) {
        &body[..body.len() - 1]
    } else {
        body
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if verbatim {
            out.push(c);
            if c == quote {
                chars.next(); // the second quote of a doubled pair
            }
            continue;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(d @ '0'..='7') => {
                // Up to three octal digits.
                let mut value = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.clone().next().and_then(|c| c.to_digit(8)) {
                        Some(v) => {
                            value = value * 8 + v;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            Some('x') => {
                let hex: String = chars
                    .clone()
                    .take(2)
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => {
                        out.push(ch);
                        for _ in 0..hex.len() {
                            chars.next();
                        }
                    }
                    None => out.push('x'),
                }
            }
            Some(u @ ('u' | 'U')) => {
                let n = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.clone().take(n).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == n => {
                        out.push(ch);
                        for _ in 0..n {
                            chars.next();
                        }
                    }
                    _ => out.push(u),
                }
            }
            Some(c @ ('\\' | '\'' | '"')) => out.push(c),
            // An escape Kusto does not know (reported by the lexer): keep
            // the text as written.
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Whether the final quote of `body` is escaped by a backslash (an
/// unterminated string such as `"abc\"`).
fn ends_with_escape(body: &str, verbatim: bool) -> bool {
    if verbatim {
        return false;
    }
    let before = &body.as_bytes()[..body.len() - 1];
    let backslashes = before.iter().rev().take_while(|b| **b == b'\\').count();
    backslashes % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<TokenKind> {
        lex(q).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn typed_literals_are_single_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("datetime(2020-01-01 10:00) guid(a-b) int(null)"),
            [TypedLiteral, TypedLiteral, TypedLiteral, Eof]
        );
        // a type name not followed by `(` stays a name
        assert_eq!(kinds("x:datetime)"), [Ident, Colon, Ident, RParen, Eof]);
    }

    #[test]
    fn numbers_and_timespans() {
        use TokenKind::*;
        assert_eq!(
            kinds("1 1.5 1e3 0x1F 1d 2.5h 100ms 1tick 1..2"),
            [Int, Real, Real, Int, Timespan, Timespan, Timespan, Timespan, Int, DotDot, Int, Eof]
        );
        // Digits running into letters make a name, as in Kusto; units are
        // lower case.
        assert_eq!(
            kinds("5dx 5Minutes 5minutes"),
            [Ident, Ident, Timespan, Eof]
        );
        // So do reals, exponents and hex numbers.
        assert_eq!(
            kinds("1.5x 1e1e 2e-1x 0x1g 0x100x10 1e1d"),
            [Ident, Ident, Ident, Ident, Ident, Timespan, Eof]
        );
    }

    #[test]
    fn strings_in_all_forms() {
        let lexed = lex(r#"'a' "b\"c" @'d''e' h"f" H@'g' ```x
y```"#);
        assert!(lexed.errors.is_empty());
        assert_eq!(lexed.tokens.len(), 7);
        assert!(lexed.tokens[..6]
            .iter()
            .all(|t| t.kind == TokenKind::String));
        assert_eq!(decode_string(r"@'d''e'"), "d'e");
        assert_eq!(decode_string("```x\ny```"), "x\ny");
    }

    #[test]
    fn unterminated_string_is_reported_and_lexing_goes_on() {
        let lexed = lex("'abc\nx");
        assert_eq!(lexed.errors.len(), 1);
        assert_eq!(lexed.errors[0].code, codes::UNTERMINATED_STRING);
        assert_eq!(lexed.tokens[1].kind, TokenKind::Ident);
    }

    #[test]
    fn comments_are_skipped() {
        assert_eq!(
            kinds("a // comment | where\n| b"),
            [
                TokenKind::Ident,
                TokenKind::Pipe,
                TokenKind::Ident,
                TokenKind::Eof
            ]
        );
    }
}
