//! Recursive-descent parser for kuery, with recovery and a depth limit.
//!
//! Precedence follows Kibana: `not` binds tightest, then `and`, then `or`.
//! There is no implicit operator: consecutive unquoted words are one value
//! (`message: hello world` matches the value `hello world`).

use crate::ast::{Expr, Field, Literal, Part, Query, ValueExpr};
use crate::error::{ErrorCode, ParseError};
use crate::lexer::{tokenize, Token, TokenKind};
use crate::MAX_DEPTH;
use ruledex_ir::QueryErrorCode as _;
use ruledex_ir::Span;

/// The result of parsing: a tree (possibly partial) and every error found.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The syntax tree. Parts that did not parse are [`Expr::Error`] nodes.
    pub query: Query,
    /// All errors and warnings ([`QueryErrorCode::is_warning`](ruledex_ir::QueryErrorCode::is_warning)), sorted by
    /// position.
    pub errors: Vec<ParseError>,
}

impl Parsed {
    /// True when the query parsed without error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.iter().all(|e| e.code.is_warning())
    }
}

/// Parse a kuery query. Never fails and never panics: errors are collected
/// in [`Parsed::errors`] next to the best tree that could be built.
pub fn parse(text: &str) -> Parsed {
    let mut errors = Vec::new();
    let tokens = tokenize(text, &mut errors);
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        depth: 0,
        too_deep: false,
        errors,
        text_len: text.len(),
    };
    let expr = parser.parse_top();
    let mut errors = parser.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parsed {
        query: Query {
            expr,
            span: Span::from_range(0..text.len()),
        },
        errors,
    }
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    too_deep: bool,
    errors: Vec<ParseError>,
    text_len: usize,
}

fn describe(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::LParen => "`(`",
        TokenKind::RParen => "`)`",
        TokenKind::LBrace => "`{`",
        TokenKind::RBrace => "`}`",
        TokenKind::Colon => "`:`",
        TokenKind::Range(_) => "a range operator",
        TokenKind::And => "`and`",
        TokenKind::Or => "`or`",
        TokenKind::Not => "`not`",
        TokenKind::Word => "a value",
        TokenKind::Quoted => "a quoted string",
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<TokenKind> {
        self.tokens.get(self.pos).map(|t| t.kind)
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.peek() == Some(kind)
    }

    fn bump(&mut self) -> Span {
        let span = self.current_span();
        self.pos += 1;
        span
    }

    fn current_span(&self) -> Span {
        self.tokens.get(self.pos).map_or_else(
            || Span::from_range(self.text_len..self.text_len),
            |t| t.span,
        )
    }

    fn prev_end(&self) -> u32 {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(0, |t| t.span.end)
    }

    fn error(&mut self, code: ErrorCode, message: impl Into<String>, span: Span) {
        self.errors.push(ParseError::new(code, message, span));
    }

    /// Enter one level of nesting; false (after reporting once) when the
    /// limit is reached, in which case the rest of the input is skipped so
    /// the parse stays linear.
    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let span = self.current_span();
                self.error(
                    ErrorCode::TooDeep,
                    format!("query is nested more than {MAX_DEPTH} levels deep"),
                    span,
                );
            }
            self.pos = self.tokens.len();
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn parse_top(&mut self) -> Option<Expr> {
        if self.tokens.is_empty() {
            return None;
        }
        let mut first = None;
        loop {
            if self.peek().is_some_and(starts_expr) {
                let expr = self.parse_or();
                first.get_or_insert(expr);
            }
            match self.peek() {
                None => break,
                Some(kind) => {
                    let span = self.bump();
                    self.error(
                        ErrorCode::UnexpectedToken,
                        format!("unexpected {}", describe(kind)),
                        span,
                    );
                }
            }
        }
        first
    }

    fn parse_or(&mut self) -> Expr {
        let first = self.parse_and();
        if !self.at(TokenKind::Or) {
            return first;
        }
        let mut items = vec![first];
        while self.at(TokenKind::Or) {
            let op = self.bump();
            items.push(self.operand_after(op, "or", Self::parse_and));
        }
        let span = cover(&items, |e| e.span());
        Expr::Or { items, span }
    }

    fn parse_and(&mut self) -> Expr {
        let first = self.parse_not();
        if !self.at(TokenKind::And) {
            return first;
        }
        let mut items = vec![first];
        while self.at(TokenKind::And) {
            let op = self.bump();
            items.push(self.operand_after(op, "and", Self::parse_not));
        }
        let span = cover(&items, |e| e.span());
        Expr::And { items, span }
    }

    /// The operand after a binary operator, or an error node when missing.
    fn operand_after(&mut self, op: Span, word: &str, parse: fn(&mut Self) -> Expr) -> Expr {
        if self.peek().is_some_and(starts_expr) {
            parse(self)
        } else {
            let span = self.current_span();
            self.error(
                ErrorCode::UnexpectedToken,
                format!("expected a query after `{word}`"),
                span,
            );
            Expr::Error {
                span: Span::empty(op.end),
            }
        }
    }

    fn parse_not(&mut self) -> Expr {
        if self.at(TokenKind::Not) {
            let start = self.bump();
            if !self.enter() {
                return Expr::Error { span: start };
            }
            let inner = if self.peek().is_some_and(starts_expr) {
                self.parse_not()
            } else {
                let span = self.current_span();
                self.error(
                    ErrorCode::UnexpectedToken,
                    "expected a query after `not`",
                    span,
                );
                Expr::Error {
                    span: Span::empty(start.end),
                }
            };
            self.leave();
            let span = start.cover(inner.span());
            return Expr::Not {
                expr: Box::new(inner),
                span,
            };
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> Expr {
        match self.peek() {
            Some(TokenKind::LParen) => {
                let open = self.bump();
                if !self.enter() {
                    return Expr::Error { span: open };
                }
                let inner = if self.peek().is_some_and(starts_expr) {
                    self.parse_or()
                } else {
                    let span = self.current_span();
                    self.error(
                        ErrorCode::UnexpectedToken,
                        "expected a query after `(`",
                        span,
                    );
                    Expr::Error {
                        span: Span::empty(open.end),
                    }
                };
                self.leave();
                let end = self.close(TokenKind::RParen, open, "(", ")");
                Expr::Group {
                    expr: Box::new(inner),
                    span: Span::new(open.start, end),
                }
            }
            Some(TokenKind::Word | TokenKind::Quoted) => self.parse_field_or_value(),
            Some(kind) => {
                let span = self.bump();
                self.error(
                    ErrorCode::UnexpectedToken,
                    format!("expected a query, found {}", describe(kind)),
                    span,
                );
                Expr::Error { span }
            }
            None => {
                let span = self.current_span();
                self.error(ErrorCode::UnexpectedToken, "expected a query", span);
                Expr::Error { span }
            }
        }
    }

    /// Expect the closing token of a group; report the opener if missing.
    /// Returns the end offset of the group.
    fn close(&mut self, kind: TokenKind, open: Span, opener: &str, closer: &str) -> u32 {
        if self.at(kind) {
            return self.bump().end;
        }
        let end = self.prev_end();
        self.error(
            ErrorCode::Unclosed,
            format!("`{opener}` is never closed with `{closer}`"),
            open,
        );
        end
    }

    fn parse_literal(&mut self) -> Literal {
        // Callers check that a word or quoted string is next.
        let Some(first) = self.tokens.get(self.pos) else {
            return Literal {
                quoted: false,
                parts: Vec::new(),
                span: self.current_span(),
            };
        };
        if first.kind == TokenKind::Quoted {
            let lit = Literal {
                quoted: true,
                parts: first.parts.clone(),
                span: first.span,
            };
            self.pos += 1;
            return lit;
        }
        let mut parts: Vec<Part> = Vec::new();
        let start = first.span.start;
        let mut end = first.span.end;
        let mut gap_from = None;
        while let Some(tok) = self.tokens.get(self.pos) {
            if tok.kind != TokenKind::Word {
                break;
            }
            if let Some(from) = gap_from {
                // Keep the whitespace written between words; a single space
                // when the gap holds nothing (cannot happen between words).
                let gap = Span::new(from, tok.span.start).slice(self.text);
                push_text(&mut parts, gap.to_string());
            }
            for part in &tok.parts {
                match part {
                    Part::Text(t) => push_text(&mut parts, t.clone()),
                    Part::Wildcard => parts.push(Part::Wildcard),
                }
            }
            end = tok.span.end;
            gap_from = Some(tok.span.end);
            self.pos += 1;
        }
        Literal {
            quoted: false,
            parts,
            span: Span::new(start, end),
        }
    }

    fn parse_field_or_value(&mut self) -> Expr {
        let literal = self.parse_literal();
        match self.peek() {
            Some(TokenKind::Colon) => {
                let colon = self.bump();
                let field = Field {
                    name: literal.text(),
                    span: literal.span,
                };
                match self.peek() {
                    Some(TokenKind::LBrace) => {
                        let open = self.bump();
                        if !self.enter() {
                            return Expr::Error { span: open };
                        }
                        let inner = if self.peek().is_some_and(starts_expr) {
                            self.parse_or()
                        } else {
                            let span = self.current_span();
                            self.error(
                                ErrorCode::MissingValue,
                                "expected a query inside `{ }`",
                                span,
                            );
                            Expr::Error {
                                span: Span::empty(open.end),
                            }
                        };
                        self.leave();
                        let end = self.close(TokenKind::RBrace, open, "{", "}");
                        Expr::Nested {
                            span: Span::new(field.span.start, end),
                            field,
                            expr: Box::new(inner),
                        }
                    }
                    Some(
                        TokenKind::LParen | TokenKind::Word | TokenKind::Quoted | TokenKind::Not,
                    ) => {
                        // Without parentheses a field takes one value: the
                        // `and`/`or` after it belong to the query.
                        let values = self.parse_value_not();
                        Expr::Field {
                            span: field.span.cover(values.span()),
                            field,
                            values,
                        }
                    }
                    _ => {
                        let span = self.current_span();
                        self.error(
                            ErrorCode::MissingValue,
                            format!("expected a value after `{}:`", field.name),
                            span,
                        );
                        Expr::Field {
                            span: field.span.cover(colon),
                            values: ValueExpr::Error {
                                span: Span::empty(colon.end),
                            },
                            field,
                        }
                    }
                }
            }
            Some(TokenKind::Range(op)) => {
                let op_span = self.bump();
                let field = Field {
                    name: literal.text(),
                    span: literal.span,
                };
                if matches!(self.peek(), Some(TokenKind::Word | TokenKind::Quoted)) {
                    // A range bound is one word or one quoted string.
                    let tok = &self.tokens[self.pos];
                    let value = Literal {
                        quoted: tok.kind == TokenKind::Quoted,
                        parts: tok.parts.clone(),
                        span: tok.span,
                    };
                    self.pos += 1;
                    // A `*` in a range bound is a literal character: a
                    // range has no wildcards.
                    Expr::Range {
                        span: field.span.cover(value.span),
                        field,
                        op,
                        value,
                    }
                } else {
                    let span = self.current_span();
                    self.error(
                        ErrorCode::MissingValue,
                        format!("expected a value after `{}`", op.as_str()),
                        span,
                    );
                    Expr::Error {
                        span: field.span.cover(op_span),
                    }
                }
            }
            _ => Expr::Value { value: literal },
        }
    }

    fn parse_value_or(&mut self) -> ValueExpr {
        let first = self.parse_value_and();
        if !self.at(TokenKind::Or) {
            return first;
        }
        let mut items = vec![first];
        while self.at(TokenKind::Or) {
            let op = self.bump();
            items.push(self.value_after(op, "or", Self::parse_value_and));
        }
        let span = cover(&items, |e| e.span());
        ValueExpr::Or { items, span }
    }

    fn parse_value_and(&mut self) -> ValueExpr {
        let first = self.parse_value_not();
        if !self.at(TokenKind::And) {
            return first;
        }
        let mut items = vec![first];
        while self.at(TokenKind::And) {
            let op = self.bump();
            items.push(self.value_after(op, "and", Self::parse_value_not));
        }
        let span = cover(&items, |e| e.span());
        ValueExpr::And { items, span }
    }

    fn value_after(
        &mut self,
        op: Span,
        word: &str,
        parse: fn(&mut Self) -> ValueExpr,
    ) -> ValueExpr {
        if matches!(
            self.peek(),
            Some(TokenKind::LParen | TokenKind::Word | TokenKind::Quoted | TokenKind::Not)
        ) {
            parse(self)
        } else {
            let span = self.current_span();
            self.error(
                ErrorCode::MissingValue,
                format!("expected a value after `{word}`"),
                span,
            );
            ValueExpr::Error {
                span: Span::empty(op.end),
            }
        }
    }

    fn parse_value_not(&mut self) -> ValueExpr {
        if self.at(TokenKind::Not) {
            let start = self.bump();
            if !self.enter() {
                return ValueExpr::Error { span: start };
            }
            let inner = self.value_after(start, "not", Self::parse_value_not);
            self.leave();
            let span = start.cover(inner.span());
            return ValueExpr::Not {
                expr: Box::new(inner),
                span,
            };
        }
        self.parse_value_primary()
    }

    fn parse_value_primary(&mut self) -> ValueExpr {
        match self.peek() {
            Some(TokenKind::LParen) => {
                let open = self.bump();
                if !self.enter() {
                    return ValueExpr::Error { span: open };
                }
                let inner = self.value_after(open, "(", Self::parse_value_or);
                self.leave();
                let end = self.close(TokenKind::RParen, open, "(", ")");
                ValueExpr::Group {
                    expr: Box::new(inner),
                    span: Span::new(open.start, end),
                }
            }
            Some(TokenKind::Word | TokenKind::Quoted) => ValueExpr::Literal(self.parse_literal()),
            _ => {
                let span = self.current_span();
                self.error(ErrorCode::MissingValue, "expected a value", span);
                ValueExpr::Error { span }
            }
        }
    }
}

fn starts_expr(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::LParen | TokenKind::Word | TokenKind::Quoted | TokenKind::Not
    )
}

fn push_text(parts: &mut Vec<Part>, text: String) {
    if let Some(Part::Text(t)) = parts.last_mut() {
        t.push_str(&text);
    } else {
        parts.push(Part::Text(text));
    }
}

fn cover<T>(items: &[T], span: impl Fn(&T) -> Span) -> Span {
    match (items.first(), items.last()) {
        (Some(a), Some(b)) => span(a).cover(span(b)),
        _ => Span::default(),
    }
}
