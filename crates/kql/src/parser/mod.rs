//! The recursive-descent parser.
//!
//! - [`mod@self`]: the token cursor, error reporting, recovery and depth
//!   limits, and statements (`let`, `set`, `declare`, queries).
//! - `tabular`: tabular expressions and every tabular operator.
//! - `expr`: scalar expressions (a Pratt parser) and literals.
//!
//! Recovery: an operator that goes wrong reports one error and the parser
//! skips to the next `|` or `;` at the same bracket level (or to the bracket
//! closing the current one), so the following operators and statements are
//! still parsed. Every loop consumes at least one token per turn, and every
//! recursive entry goes through [`Parser::enter`], which stops at
//! [`crate::MAX_DEPTH`] and skips the too-deep part without recursing.
//! The functions that call it are `#[recursive]`: a debug build spends
//! tens of kilobytes of stack per nesting level, so they move to a fresh
//! stack segment when the thread's runs low rather than rely on its size.

pub(crate) mod expr;
mod keywords;
mod tabular;

use crate::ast::*;
use crate::error::{codes, ParseError};
use crate::lexer::{lex, Token, TokenKind};
use crate::{Parsed, MAX_DEPTH, MAX_HEIGHT};
use expr::BP_POSTFIX;
use ruledex_ir::Span;

/// Parse a whole script. See [`crate::parse`].
pub(crate) fn parse_script(text: &str) -> Parsed {
    // Spans are u32; a text beyond 4 GiB cannot be addressed. Such inputs do
    // not exist for rules, so refuse them with one error instead of
    // producing wrong spans.
    if u32::try_from(text.len()).is_err() {
        return Parsed {
            script: Script {
                statements: Vec::new(),
                span: Span::new(0, u32::MAX),
            },
            errors: vec![ParseError::new(
                codes::TOO_DEEP,
                "query text too large (over 4 GiB)",
                Span::new(0, 0),
            )],
            warnings: Vec::new(),
        };
    }
    let lexed = lex(text);
    let mut lexical_error_starts: Vec<u32> = lexed.errors.iter().map(|e| e.span.start).collect();
    lexical_error_starts.sort_unstable();
    let mut parser = Parser {
        lexical_error_starts,
        text,
        tokens: lexed.tokens,
        pos: 0,
        errors: lexed.errors,
        warnings: Vec::new(),
        nesting: 0,
        height: 0,
        too_deep_reported: false,
        search_mode: false,
        star_ok: false,
    };
    let statements = parser.parse_statements(None);
    let script = Script {
        statements,
        span: Span::from_range(0..text.len()),
    };
    let mut errors = parser.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parsed {
        script,
        errors,
        warnings: parser.warnings,
    }
}

pub(crate) struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    errors: Vec<ParseError>,
    /// Problems of a query that parses (see [`Parsed::warnings`]).
    warnings: Vec<ParseError>,
    /// Current recursion depth (bounded by `MAX_DEPTH`).
    nesting: usize,
    /// Current tree height estimate: recursion plus operator chains
    /// (bounded by `MAX_HEIGHT`), so deep left-leaning trees cannot overflow
    /// the stack of whoever walks or drops them.
    height: usize,
    too_deep_reported: bool,
    /// Inside a `search`/`find` predicate, where `Col:"text"` is allowed.
    search_mode: bool,
    /// Where the lexer reported errors (sorted), so the parser does not
    /// pile a second error onto the same place.
    lexical_error_starts: Vec<u32>,
    /// Where `*` may stand for "any column" (`where * has "x"`, call
    /// arguments).
    star_ok: bool,
}

/// Keywords that are values of some operator options (`kind=relaxed`,
/// `toscalar(kind=nooptimization ...)`).
const OPTION_VALUE_KEYWORDS: &[&str] =
    &["simple", "relaxed", "regex", "nooptimization", "hotcache"];

/// The scalar type names Kusto accepts in schemas and parameters.
const SCALAR_TYPES: &[&str] = &[
    "bool", "boolean", "int", "long", "int64", "real", "double", "decimal", "string", "datetime",
    "date", "time", "timespan", "guid", "uniqueid", "dynamic",
];

/// Words that start a tabular operator (after `|`, or first in an
/// implicit-source subquery).
pub(crate) const OPERATOR_NAMES: &[&str] = &[
    "where",
    "filter",
    "extend",
    "summarize",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "join",
    "lookup",
    "union",
    "mv-expand",
    "mvexpand",
    "mv-apply",
    "mvapply",
    "parse",
    "parse-where",
    "parse-kv",
    "make-series",
    "evaluate",
    "top",
    "top-nested",
    "top-hitters",
    "sort",
    "order",
    "distinct",
    "count",
    "take",
    "limit",
    "sample",
    "sample-distinct",
    "as",
    "invoke",
    "serialize",
    "scan",
    "render",
    "search",
    "find",
    "getschema",
    "facet",
    "reduce",
    "fork",
    "partition",
    "consume",
    "print",
    "range",
    "make-graph",
    "graph-match",
    "graph-shortest-paths",
    "graph-to-table",
    "graph-mark-components",
    "macro-expand",
    "project-by-names",
    "assert-schema",
];

impl<'a> Parser<'a> {
    // ----- token cursor -------------------------------------------------

    fn tok(&self) -> Token {
        self.nth(0)
    }

    fn nth(&self, n: usize) -> Token {
        let last = self.tokens.len() - 1;
        self.tokens[(self.pos + n).min(last)]
    }

    fn kind(&self) -> TokenKind {
        self.tok().kind
    }

    fn nth_kind(&self, n: usize) -> TokenKind {
        self.nth(n).kind
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.kind() == kind
    }

    fn text_of(&self, token: Token) -> &'a str {
        token.span.slice(self.text)
    }

    /// True when the current token is the identifier `word`.
    fn at_word(&self, word: &str) -> bool {
        self.nth_is_word(0, word)
    }

    fn nth_is_word(&self, n: usize, word: &str) -> bool {
        let t = self.nth(n);
        t.kind == TokenKind::Ident && self.text_of(t) == word
    }

    /// True when token `n` (relative to the cursor) starts exactly where
    /// the token before it ends: no space between them.
    fn nth_touches_previous(&self, n: usize) -> bool {
        let index = self.pos + n;
        match (
            self.tokens.get(index),
            index.checked_sub(1).and_then(|i| self.tokens.get(i)),
        ) {
            (Some(t), Some(prev)) => t.kind != TokenKind::Eof && t.span.start == prev.span.end,
            _ => false,
        }
    }

    /// The text between the `n`th token from here and the one before it.
    fn nth_gap(&self, n: usize) -> &'a str {
        let index = self.pos + n;
        match (
            self.tokens.get(index),
            index.checked_sub(1).and_then(|i| self.tokens.get(i)),
        ) {
            (Some(t), Some(prev)) => self
                .text
                .get(prev.span.end as usize..t.span.start as usize)
                .unwrap_or(""),
            _ => "",
        }
    }

    fn bump(&mut self) -> Token {
        let t = self.tok();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        if self.at(kind) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn eat_word(&mut self, word: &str) -> Option<Token> {
        if self.at_word(word) {
            Some(self.bump())
        } else {
            None
        }
    }

    /// End of the last consumed token (or start of the text).
    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            0
        } else {
            self.tokens[self.pos - 1].span.end
        }
    }

    /// Span from `start` to the end of the last consumed token.
    fn span_from(&self, start: u32) -> Span {
        Span::new(start, self.prev_end().max(start))
    }

    /// A short description of the current token for messages.
    fn describe_current(&self) -> String {
        let t = self.tok();
        match t.kind {
            TokenKind::Eof => "end of query".to_string(),
            TokenKind::String => "a string".to_string(),
            _ => {
                let text = self.text_of(t);
                let short: String = text.chars().take(30).collect();
                format!("`{short}`")
            }
        }
    }

    // ----- errors ---------------------------------------------------------

    fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        // One error per place: a second complaint at the same offset is
        // nearly always a consequence of the first (or of a lexical error
        // already reported there).
        if self
            .errors
            .last()
            .is_some_and(|e| e.span.start == span.start)
            || self.lexical_error_starts.binary_search(&span.start).is_ok()
        {
            return;
        }
        self.errors.push(ParseError::new(code, message, span));
    }

    /// A problem that does not stop the query from parsing.
    fn warn(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.warnings.push(ParseError::new(code, message, span));
    }

    /// `expected X, found Y` at the current token.
    fn error_expected(&mut self, what: &str) {
        let found = self.describe_current();
        let span = self.tok().span;
        self.error(
            codes::UNEXPECTED_TOKEN,
            format!("expected {what}, found {found}"),
            span,
        );
    }

    /// `item`, then another after each `,`; stops at an item that takes no
    /// token, so a malformed list cannot loop.
    fn comma_separated<T>(&mut self, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let mut out = Vec::new();
        loop {
            let before = self.pos;
            out.push(item(self));
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
        }
        out
    }

    /// Like [`Self::comma_separated`] inside brackets: items until `close`
    /// (possibly none), then `close` itself, or an error naming `open`.
    fn comma_separated_until<T>(
        &mut self,
        open: Token,
        close: TokenKind,
        mut item: impl FnMut(&mut Self) -> T,
    ) -> Vec<T> {
        let mut out = Vec::new();
        while !self.at(close) && !self.at(TokenKind::Eof) {
            let before = self.pos;
            out.push(item(self));
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
        }
        self.expect_close(close, open);
        out
    }

    /// Consume a token of `kind` or report `expected {what}`.
    fn expect(&mut self, kind: TokenKind, what: &str) -> Option<Token> {
        if let Some(t) = self.eat(kind) {
            Some(t)
        } else {
            self.error_expected(what);
            None
        }
    }

    /// Consume the keyword `word` or report it missing.
    fn expect_word(&mut self, word: &str) -> Option<Token> {
        if let Some(t) = self.eat_word(word) {
            Some(t)
        } else {
            self.error_expected(&format!("`{word}`"));
            None
        }
    }

    /// Consume a closing bracket, or report the opening one unclosed.
    fn expect_close(&mut self, kind: TokenKind, open: Token) -> bool {
        if self.eat(kind).is_some() {
            return true;
        }
        let close = match kind {
            TokenKind::RParen => ")",
            TokenKind::RBracket => "]",
            _ => "}",
        };
        let found = self.describe_current();
        let span = self.tok().span;
        let (line, column) = self.line_col(open.span.start);
        self.error(
            codes::UNCLOSED_BRACKET,
            format!(
                "expected `{close}` to close the `{}` opened at line {line}, column {column}, found {found}",
                self.text_of(open),
            ),
            span,
        );
        // Skip what is left inside the brackets so the caller continues
        // after them.
        self.skip_until_close(kind);
        true
    }

    /// 1-based line and column of `offset` in the query (for messages that
    /// point at a second place; only computed on error paths).
    fn line_col(&self, offset: u32) -> (usize, usize) {
        let before = self.text.get(..offset as usize).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    // ----- recovery -----------------------------------------------------

    /// Skip tokens up to and including the closing bracket `kind` at this
    /// level; stop without consuming at a closing bracket of another kind
    /// or, outside braces, at a `;` (a statement boundary).
    fn skip_until_close(&mut self, kind: TokenKind) {
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                k @ (TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace) => {
                    if depth == 0 {
                        if k == kind {
                            self.bump();
                        }
                        return;
                    }
                    depth -= 1;
                }
                TokenKind::Semicolon if depth == 0 && kind != TokenKind::RBrace => return,
                _ => {}
            }
            self.bump();
        }
    }

    /// Skip to the next `|` or `;` at this bracket level, or to a closing
    /// bracket of an enclosing level (not consumed).
    fn skip_to_sync(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::Pipe | TokenKind::Semicolon if depth == 0 => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// True at a token that ends an operator: `|`, `;`, a closing bracket or
    /// the end.
    fn at_operator_end(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Pipe
                | TokenKind::Semicolon
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::RBrace
                | TokenKind::Eof
        )
    }

    // ----- depth limits -------------------------------------------------

    /// Enter one recursion level. When the limit is reached, report it
    /// (once), skip the rest of the nested construct without recursing, and
    /// return false; the caller then returns an error node.
    fn enter(&mut self) -> bool {
        if self.nesting >= MAX_DEPTH || self.height >= MAX_HEIGHT {
            if !self.too_deep_reported {
                self.too_deep_reported = true;
                let span = self.tok().span;
                self.errors.push(ParseError::new(
                    codes::TOO_DEEP,
                    format!("nesting too deep (the limit is {MAX_DEPTH} levels)"),
                    span,
                ));
            }
            self.skip_nested_construct();
            return false;
        }
        self.nesting += 1;
        self.height += 1;
        true
    }

    fn leave(&mut self) {
        self.nesting -= 1;
        self.height -= 1;
    }

    /// Skip the construct at the cursor: tokens up to the first `,`, `|`,
    /// `;` or unmatched closing bracket at this level, counting brackets
    /// iteratively.
    fn skip_nested_construct(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                TokenKind::Comma | TokenKind::Pipe | TokenKind::Semicolon if depth == 0 => return,
                _ => {}
            }
            self.bump();
        }
    }

    // ----- names ----------------------------------------------------------

    /// True when a name starts here: an identifier, `['quoted']` (the
    /// quoted name may be several adjacent strings, `['a' 'b']`), or a
    /// client parameter `{name}`.
    fn at_name(&self) -> bool {
        self.kind() == TokenKind::Ident || self.nth_name_at(0)
    }

    /// The number of tokens of the name starting at token `n`, if one does.
    fn name_len(&self, n: usize) -> Option<usize> {
        if self.nth_kind(n) == TokenKind::Ident {
            return Some(1);
        }
        if self.client_parameter_at(n) {
            return Some(3);
        }
        self.bracketed_name_len(n)
    }

    /// True when token `n` starts a `['quoted']` name or a `{name}`.
    fn nth_name_at(&self, n: usize) -> bool {
        self.bracketed_name_len(n).is_some() || self.client_parameter_at(n)
    }

    /// The number of tokens of a `['quoted']` name starting at token `n`.
    fn bracketed_name_len(&self, n: usize) -> Option<usize> {
        if self.nth_kind(n) != TokenKind::LBracket {
            return None;
        }
        let mut len = 1;
        while self.nth_kind(n + len) == TokenKind::String {
            len += 1;
        }
        (len > 1 && self.nth_kind(n + len) == TokenKind::RBracket).then_some(len + 1)
    }

    /// `{name}` at token `n`, written without spaces: a parameter that the
    /// client (Kusto Explorer, a dashboard) replaces before running.
    fn client_parameter_at(&self, n: usize) -> bool {
        self.nth_kind(n) == TokenKind::LBrace
            && self.nth_kind(n + 1) == TokenKind::Ident
            && self.nth_kind(n + 2) == TokenKind::RBrace
            && self.nth_touches_previous(n + 1)
            && self.nth_touches_previous(n + 2)
    }

    /// Parse a name (identifier, `['quoted']` or `{parameter}`), if one is
    /// here. A client parameter keeps its braces in the name.
    fn parse_name(&mut self) -> Option<Ident> {
        match self.kind() {
            TokenKind::Ident => {
                let t = self.bump();
                Some(Ident {
                    name: self.text_of(t).to_string(),
                    span: t.span,
                    quoted: false,
                })
            }
            TokenKind::LBracket => {
                let len = self.bracketed_name_len(0)?;
                let open = self.bump();
                let mut name = String::new();
                for _ in 1..len - 1 {
                    let s = self.bump();
                    name.push_str(&crate::lexer::decode_string(self.text_of(s)));
                }
                let close = self.bump();
                Some(Ident {
                    name,
                    span: open.span.cover(close.span),
                    quoted: true,
                })
            }
            TokenKind::LBrace if self.client_parameter_at(0) => {
                let open = self.bump();
                self.bump();
                let close = self.bump();
                let span = open.span.cover(close.span);
                Some(Ident {
                    name: self.text[span.start as usize..span.end as usize].to_string(),
                    span,
                    quoted: false,
                })
            }
            _ => None,
        }
    }

    /// A name, or an error node name (empty) after reporting.
    fn expect_name(&mut self, what: &str) -> Ident {
        match self.parse_name() {
            Some(name) => name,
            None => {
                self.error_expected(what);
                Ident {
                    name: String::new(),
                    span: Span::empty(self.tok().span.start),
                    quoted: false,
                }
            }
        }
    }

    /// Report a keyword used as a declared name (`let between = ...`,
    /// `extend asc = ...`); `is_let` adds the words only `let` rejects.
    fn check_declared_name(&mut self, name: &Ident, is_let: bool) {
        let word = name.name.as_str();
        if name.quoted || word.is_empty() {
            return;
        }
        let reserved = if is_let {
            keywords::reserved_in_let(word)
        } else {
            keywords::reserved_in_declaration(word)
        };
        // `@` is a name only where it is read (`print @`), never a new one;
        // `true` and `false` are literals.
        if reserved || matches!(word, "@" | "true" | "false") {
            self.error(
                codes::RESERVED_NAME,
                format!("`{word}` is a keyword; write ['{word}'] to use it as a name"),
                name.span,
            );
        }
    }

    /// An option's value (`kind=inner`, `isfuzzy=true`, `hint.spread=2`)
    /// or a parameter default: a literal (a number signed without a space,
    /// `dynamic(...)`, `typeof(...)`), or a word that is not a keyword
    /// (the keywords some options take as values, `kind=relaxed`, too).
    fn parse_param_value(&mut self) -> Expr {
        let t = self.tok();
        match t.kind {
            TokenKind::Ident => {
                let word = self.text_of(t);
                if matches!(word, "true" | "false" | "typeof")
                    || (word == "dynamic" && self.nth_kind(1) == TokenKind::LParen)
                {
                    return self.parse_expr_bp(BP_POSTFIX);
                }
                if keywords::reserved_in_expression(word) && !OPTION_VALUE_KEYWORDS.contains(&word)
                {
                    self.error(
                        codes::RESERVED_NAME,
                        format!("`{word}` is a keyword, not a value here"),
                        t.span,
                    );
                }
                let name = self.parse_name().unwrap_or_else(|| Ident {
                    name: String::new(),
                    span: t.span,
                    quoted: false,
                });
                Expr {
                    span: name.span,
                    kind: ExprKind::Name(name),
                }
            }
            TokenKind::Int
            | TokenKind::Real
            | TokenKind::Timespan
            | TokenKind::String
            | TokenKind::TypedLiteral => self.parse_expr_bp(BP_POSTFIX),
            TokenKind::Minus | TokenKind::Plus
                if matches!(self.nth_kind(1), TokenKind::Int | TokenKind::Real)
                    && self.nth_touches_previous(1) =>
            {
                self.parse_expr_bp(BP_POSTFIX)
            }
            TokenKind::LBrace | TokenKind::LBracket if self.nth_name_at(0) => {
                self.parse_expr_bp(BP_POSTFIX)
            }
            _ => {
                self.error_expected("a value (a literal or a name)");
                Expr {
                    kind: ExprKind::Error,
                    span: Span::empty(self.prev_end()),
                }
            }
        }
    }

    /// A dotted name: `hint.strategy`, `query_results_cache_max_age`.
    fn parse_dotted_name(&mut self) -> Option<Ident> {
        let mut name = self.parse_name()?;
        while self.at(TokenKind::Dot) && self.nth_kind(1) == TokenKind::Ident {
            self.bump();
            let part = self.bump();
            name.name.push('.');
            name.name.push_str(self.text_of(part));
            name.span = name.span.cover(part.span);
        }
        Some(name)
    }

    /// A type name (`string`, `dynamic`, …).
    fn parse_type_name(&mut self) -> Option<TypeName> {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            let name = self.text_of(t);
            if !SCALAR_TYPES.contains(&name) {
                self.error(
                    codes::UNKNOWN_TYPE,
                    format!("`{name}` is not a scalar type"),
                    t.span,
                );
            }
            Some(TypeName {
                name: self.text_of(t).to_string(),
                span: t.span,
            })
        } else {
            self.error_expected("a type name");
            None
        }
    }

    /// `Name: type`.
    fn parse_column_declaration(&mut self) -> Option<ColumnDeclaration> {
        let start = self.tok().span.start;
        let name = self.parse_name().or_else(|| {
            self.error_expected("a column name");
            None
        })?;
        self.check_declared_name(&name, false);
        self.expect(TokenKind::Colon, "`:` and a type")?;
        let ty = self.parse_type_name()?;
        Some(ColumnDeclaration {
            name,
            ty,
            span: self.span_from(start),
        })
    }

    /// `( Name: type, ... )` or `(*)` as a [`Schema`]; the cursor is on
    /// `(`.
    fn parse_schema_or_star(&mut self) -> Schema {
        let start = self.tok().span.start;
        if self.at(TokenKind::LParen)
            && self.nth_kind(1) == TokenKind::Star
            && self.nth_kind(2) == TokenKind::RParen
        {
            self.bump();
            self.bump();
            self.bump();
            return Schema {
                columns: Vec::new(),
                open: true,
                span: self.span_from(start),
            };
        }
        let columns = self.parse_schema();
        Schema {
            columns,
            open: false,
            span: self.span_from(start),
        }
    }

    /// `( Name: type, ... )` — the cursor is on `(`.
    fn parse_schema(&mut self) -> Vec<ColumnDeclaration> {
        let mut columns = Vec::new();
        let Some(open) = self.expect(TokenKind::LParen, "`(` and a schema") else {
            return columns;
        };
        while !self.at(TokenKind::RParen) && !self.at(TokenKind::Eof) {
            let before = self.pos;
            match self.parse_column_declaration() {
                Some(c) => columns.push(c),
                None => {
                    self.skip_nested_construct();
                }
            }
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
            if self.pos == before {
                self.bump();
            }
        }
        self.expect_close(TokenKind::RParen, open);
        columns
    }

    // ----- statements ---------------------------------------------------

    /// Statements up to the end, or up to the closing `}` of a function
    /// body when `body_open` is the `{`.
    fn parse_statements(&mut self, body_open: Option<Token>) -> Vec<Statement> {
        let mut statements = Vec::new();
        loop {
            // Statements are separated by exactly one `;` (a final one is
            // allowed); an empty statement is an error, as in Kusto.
            if self.at(TokenKind::Semicolon) {
                let span = self.tok().span;
                self.error(
                    codes::UNEXPECTED_TOKEN,
                    "unexpected `;`: empty statement",
                    span,
                );
                self.bump();
                continue;
            }
            match self.kind() {
                TokenKind::Eof => break,
                TokenKind::RBrace if body_open.is_some() => break,
                _ => {}
            }
            let before = self.pos;
            // In a function body `let` always starts a `let` statement
            // (elsewhere a lone `let` is a name).
            let statement = if body_open.is_some() && self.at_word("let") {
                self.parse_let()
            } else {
                self.parse_statement()
            };
            if body_open.is_some() {
                self.check_body_statement(&statement, &statements);
            }
            statements.push(statement);
            match self.kind() {
                TokenKind::Semicolon => {
                    self.bump();
                }
                TokenKind::Eof => break,
                TokenKind::RBrace if body_open.is_some() => break,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    let span = self.tok().span;
                    let close = self.text_of(self.tok());
                    self.error(
                        codes::UNMATCHED_CLOSE,
                        format!("unmatched `{close}`: there is no opening bracket for it"),
                        span,
                    );
                    self.skip_statement_rest(body_open.is_some());
                }
                _ => {
                    let found = self.describe_current();
                    let span = self.tok().span;
                    self.error(
                        codes::EXPECTED_SEMICOLON,
                        format!("expected `;` or the end of the query, found {found}"),
                        span,
                    );
                    self.skip_statement_rest(body_open.is_some());
                }
            }
            if self.pos == before {
                self.bump();
            }
        }
        statements
    }

    /// A function or view body is `let` and `declare query_parameters`
    /// statements, each ended by `;`, then at most one expression, last:
    /// report any other statement, anything after the expression, and a
    /// `let` that the `}` ends.
    fn check_body_statement(&mut self, statement: &Statement, before: &[Statement]) {
        if before.iter().any(|s| matches!(s, Statement::Query(_))) {
            self.error(
                codes::UNEXPECTED_TOKEN,
                "a function body ends with its expression; nothing may follow it",
                statement.span(),
            );
            return;
        }
        match statement {
            Statement::Let(_) | Statement::Declare(_) => {
                if self.at(TokenKind::RBrace) {
                    self.error(
                        codes::EXPECTED_SEMICOLON,
                        "expected `;` after the statement: in a function body each `let` ends with `;`",
                        self.tok().span,
                    );
                }
            }
            Statement::Query(_) | Statement::Error(_) => {}
            Statement::Set(_)
            | Statement::Alias(_)
            | Statement::Restrict(_)
            | Statement::Pattern(_) => self.error(
                codes::UNEXPECTED_TOKEN,
                "a function body holds only `let` and `declare query_parameters` statements and one expression",
                statement.span(),
            ),
        }
    }

    /// Skip to the next `;` at this level (or the `}` ending a body).
    fn skip_statement_rest(&mut self, in_body: bool) {
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::Semicolon if depth == 0 => return,
                TokenKind::RBrace if depth == 0 && in_body => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
            self.bump();
        }
    }

    fn parse_statement(&mut self) -> Statement {
        let next_is_name = self.nth_kind(1) == TokenKind::Ident || self.nth_name_at(1);
        if self.at_word("let") && next_is_name {
            return self.parse_let();
        }
        if self.at_word("set") && self.nth_kind(1) == TokenKind::Ident {
            return self.parse_set();
        }
        if self.at_word("declare") && self.nth_is_word(1, "query_parameters") {
            return self.parse_declare();
        }
        if self.at_word("alias") && self.nth_is_word(1, "database") {
            return self.parse_alias();
        }
        if self.at_word("declare") && self.nth_is_word(1, "pattern") {
            return self.parse_pattern();
        }
        if self.at_word("restrict") && self.nth_is_word(1, "access") {
            return self.parse_restrict();
        }
        Statement::Query(self.parse_tabular_or_implicit())
    }

    fn parse_let(&mut self) -> Statement {
        let start = self.bump().span.start;
        let name = self.expect_name("a name after `let`");
        self.check_declared_name(&name, true);
        if self
            .expect(TokenKind::Assign, "`=` after the let name")
            .is_none()
        {
            self.skip_statement_rest(false);
            return Statement::Error(self.span_from(start));
        }
        let value = if self.at_word("view") && self.nth_kind(1) == TokenKind::LParen {
            let view_start = self.bump().span.start;
            LetValue::View(self.parse_function_definition(view_start))
        } else if self.at(TokenKind::LParen) && self.parenthesis_followed_by_brace() {
            let fn_start = self.tok().span.start;
            LetValue::Function(self.parse_function_definition(fn_start))
        } else if self.at_word("materialize") && self.nth_kind(1) == TokenKind::LParen {
            // `materialize(...)` is only valid as the value of a `let`.
            let call_start = self.tok().span.start;
            let name = self.expect_name("materialize");
            let args = self.parse_arguments_of(true);
            let span = self.span_from(call_start);
            let source = Source {
                kind: SourceKind::Call(Call {
                    name,
                    target: None,
                    args,
                    span,
                }),
                span,
            };
            LetValue::Tabular(self.parse_pipes(source, call_start))
        } else {
            let tabular = self.parse_tabular_or_implicit();
            match tabular_into_scalar(tabular) {
                Classified::Scalar(expr) => LetValue::Expr(expr),
                Classified::Tabular(tabular) => LetValue::Tabular(tabular),
            }
        };
        Statement::Let(LetStatement {
            name,
            value,
            span: self.span_from(start),
        })
    }

    /// At `(`: does the matching `)` precede a `{` (a function definition)?
    fn parenthesis_followed_by_brace(&self) -> bool {
        let mut depth = 0usize;
        let mut i = self.pos;
        while let Some(t) = self.tokens.get(i) {
            match t.kind {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return self
                            .tokens
                            .get(i + 1)
                            .is_some_and(|t| t.kind == TokenKind::LBrace);
                    }
                }
                TokenKind::Eof | TokenKind::Semicolon | TokenKind::Pipe => return false,
                _ => {}
            }
            i += 1;
        }
        false
    }

    /// `(params) { body }`; the cursor is on `(`.
    #[recursive::recursive]
    fn parse_function_definition(&mut self, start: u32) -> FunctionDefinition {
        let params = self.parse_parameter_list();
        let mut body = Vec::new();
        if let Some(open) = self.expect(TokenKind::LBrace, "`{` and a function body") {
            if self.enter() {
                body = self.parse_statements(Some(open));
                self.leave();
            }
            self.expect_close(TokenKind::RBrace, open);
        }
        FunctionDefinition {
            params,
            body,
            span: self.span_from(start),
        }
    }

    /// `( name: type [= default], T: (*), ... )`; the cursor is on `(`.
    fn parse_parameter_list(&mut self) -> Vec<Parameter> {
        let mut params = Vec::new();
        let Some(open) = self.expect(TokenKind::LParen, "`(` and parameters") else {
            return params;
        };
        while !self.at(TokenKind::RParen) && !self.at(TokenKind::Eof) {
            let before = self.pos;
            match self.parse_parameter() {
                Some(p) => params.push(p),
                None => self.skip_nested_construct(),
            }
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
            // `(a: string, )`: a comma promises another parameter.
            if self.at(TokenKind::RParen) {
                self.error_expected("a parameter after `,`");
                break;
            }
            if self.pos == before {
                self.bump();
            }
        }
        self.expect_close(TokenKind::RParen, open);
        params
    }

    fn parse_parameter(&mut self) -> Option<Parameter> {
        let start = self.tok().span.start;
        let name = self.parse_name().or_else(|| {
            self.error_expected("a parameter name");
            None
        })?;
        self.check_declared_name(&name, false);
        self.expect(TokenKind::Colon, "`:` and a parameter type")?;
        let ty = if let Some(open) = self.eat(TokenKind::LParen) {
            let mut columns = Vec::new();
            let mut open_schema = false;
            while !self.at(TokenKind::RParen) && !self.at(TokenKind::Eof) {
                let before = self.pos;
                if let Some(star) = self.eat(TokenKind::Star) {
                    // `(*)` stands alone: Kusto rejects `(Col:type, *)`.
                    if !columns.is_empty() || !self.at(TokenKind::RParen) {
                        self.error(
                            codes::UNEXPECTED_TOKEN,
                            "`*` must be the only entry of a tabular parameter schema",
                            star.span,
                        );
                    }
                    open_schema = true;
                } else if let Some(c) = self.parse_column_declaration() {
                    columns.push(c);
                } else {
                    self.skip_nested_construct();
                }
                if self.eat(TokenKind::Comma).is_none() {
                    break;
                }
                if self.pos == before {
                    self.bump();
                }
            }
            self.expect_close(TokenKind::RParen, open);
            ParameterType::Tabular {
                columns,
                open: open_schema,
            }
        } else {
            ParameterType::Scalar(self.parse_type_name()?)
        };
        // A default is a literal or a name, not an expression.
        let default = if self.eat(TokenKind::Assign).is_some() {
            Some(self.parse_param_value())
        } else {
            None
        };
        Some(Parameter {
            name,
            ty,
            default,
            span: self.span_from(start),
        })
    }

    fn parse_set(&mut self) -> Statement {
        let start = self.bump().span.start;
        let name = self.parse_name().unwrap_or_else(|| Ident {
            name: String::new(),
            span: Span::empty(start),
            quoted: false,
        });
        self.check_declared_name(&name, true);
        let value = if self.eat(TokenKind::Assign).is_some() {
            Some(self.parse_expr())
        } else {
            None
        };
        Statement::Set(SetStatement {
            name,
            value,
            span: self.span_from(start),
        })
    }

    fn parse_declare(&mut self) -> Statement {
        let start = self.bump().span.start;
        self.bump(); // query_parameters
        let open = self.tok().span;
        let params = self.parse_parameter_list();
        if params.is_empty() {
            self.error(
                codes::UNEXPECTED_TOKEN,
                "`declare query_parameters` needs at least one parameter",
                open,
            );
        }
        Statement::Declare(DeclareStatement {
            params,
            span: self.span_from(start),
        })
    }

    /// `restrict access to (Table, Pattern*, ...)`.
    fn parse_restrict(&mut self) -> Statement {
        let start = self.bump().span.start;
        self.bump(); // access
        self.expect_word("to");
        let tables = self.parse_restricted_tables();
        Statement::Restrict(RestrictStatement {
            tables,
            span: self.span_from(start),
        })
    }

    /// `declare pattern Name [= (Params) [[Path: type]] { (Args)[.[Path]] =
    /// { Body }; ... }]`: the definition is checked for shape and not kept.
    #[recursive::recursive]
    fn parse_pattern(&mut self) -> Statement {
        let start = self.bump().span.start;
        self.bump(); // pattern
        let name = self.expect_name("a pattern name");
        if self.eat(TokenKind::Assign).is_some() {
            self.parse_parameter_list();
            if let Some(open) = self.eat(TokenKind::LBracket) {
                self.parse_parameter();
                self.expect_close(TokenKind::RBracket, open);
            }
            if let Some(open) = self.expect(TokenKind::LBrace, "`{` and the pattern's matches") {
                if self.enter() {
                    while self.at(TokenKind::LParen) {
                        let before = self.pos;
                        self.parse_pattern_match();
                        if self.pos == before {
                            break;
                        }
                    }
                    self.leave();
                }
                self.expect_close(TokenKind::RBrace, open);
            }
        }
        Statement::Pattern(PatternStatement {
            name,
            span: self.span_from(start),
        })
    }

    /// `(Args)[.[Path]] = { Body };` inside a pattern declaration.
    #[recursive::recursive]
    fn parse_pattern_match(&mut self) {
        let open = self.bump();
        self.comma_separated_until(open, TokenKind::RParen, Self::parse_expr);
        if self.eat(TokenKind::Dot).is_some() {
            if let Some(open) = self.expect(TokenKind::LBracket, "`[` and a path value") {
                self.parse_expr();
                self.expect_close(TokenKind::RBracket, open);
            }
        }
        self.expect(TokenKind::Assign, "`=` and the pattern's body");
        if let Some(open) = self.expect(TokenKind::LBrace, "`{` and the pattern's body") {
            if self.enter() {
                self.parse_statements(Some(open));
                self.leave();
            }
            self.expect_close(TokenKind::RBrace, open);
        }
        self.expect(TokenKind::Semicolon, "`;` after the pattern's body");
    }

    fn parse_alias(&mut self) -> Statement {
        let start = self.bump().span.start;
        self.bump(); // database
        let name = self.expect_name("an alias name");
        self.check_declared_name(&name, true);
        self.expect(TokenKind::Assign, "`=`");
        let value = self.parse_expr();
        Statement::Alias(AliasStatement {
            name,
            value,
            span: self.span_from(start),
        })
    }
}

/// What [`tabular_into_scalar`] found.
pub(crate) enum Classified {
    /// A plain expression, name or call.
    Scalar(Expr),
    /// A real tabular expression.
    Tabular(TabularExpression),
}

/// A tabular expression without operators whose source is a plain
/// expression, name or call becomes that expression; anything else stays
/// tabular.
pub(crate) fn tabular_into_scalar(tabular: TabularExpression) -> Classified {
    use Classified::{Scalar as Ok, Tabular as Err};
    if !tabular.operators.is_empty() {
        return Err(tabular);
    }
    let span = tabular.source.span;
    match tabular.source.kind {
        SourceKind::Expr(e) => Ok(e),
        SourceKind::Error => Ok(Expr {
            kind: ExprKind::Error,
            span,
        }),
        SourceKind::Name(ident) => Ok(Expr {
            kind: ExprKind::Name(ident),
            span,
        }),
        SourceKind::Call(call) if call.name.name != "materialize" => Ok(Expr {
            kind: ExprKind::Call(call),
            span,
        }),
        kind => Err(TabularExpression {
            source: Source { kind, span },
            operators: tabular.operators,
            span: tabular.span,
        }),
    }
}
