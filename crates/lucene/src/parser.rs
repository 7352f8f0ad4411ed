//! Recursive-descent parser for the Lucene query-string syntax, with
//! recovery and a depth limit.

use crate::ast::{Bound, Node, Query, Range};
use crate::error::{ErrorCode, ParseError};
use crate::lexer::{tokenize, Token, TokenKind};
use crate::MAX_DEPTH;
use ruledex_ir::Span;

/// The result of parsing: a tree (possibly partial) and every error found.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The syntax tree. Parts that did not parse are [`Node::Error`] nodes.
    pub query: Query,
    /// All errors, sorted by position. Empty when the query is valid.
    pub errors: Vec<ParseError>,
}

impl Parsed {
    /// True when the query parsed without error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Parse a Lucene query string. Never fails and never panics.
pub fn parse(text: &str) -> Parsed {
    let mut errors = Vec::new();
    let tokens = tokenize(text, &mut errors);
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        too_deep: false,
        errors,
        text_len: text.len(),
    };
    let node = parser.parse_top();
    let mut errors = parser.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parsed {
        query: Query {
            node,
            span: Span::from_range(0..text.len()),
        },
        errors,
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    too_deep: bool,
    errors: Vec<ParseError>,
    text_len: usize,
}

fn describe(kind: &TokenKind) -> &'static str {
    match kind {
        TokenKind::LParen => "`(`",
        TokenKind::RParen => "`)`",
        TokenKind::RangeOpen(_) => "a range",
        TokenKind::RangeClose(_) => "a closing bracket",
        TokenKind::To => "`TO`",
        TokenKind::Colon => "`:`",
        TokenKind::Plus => "`+`",
        TokenKind::Minus => "`-`",
        TokenKind::Bang => "`!`",
        TokenKind::And => "`AND`",
        TokenKind::Or => "`OR`",
        TokenKind::Not => "`NOT`",
        TokenKind::Tilde(_) => "`~`",
        TokenKind::Caret(_) => "`^`",
        TokenKind::Compare(_) => "a comparison",
        TokenKind::Term(_) => "a term",
        TokenKind::Phrase(_) => "a phrase",
        TokenKind::Regex(_) => "a regular expression",
    }
}

/// Tokens that can begin a clause.
fn starts_clause(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::LParen
            | TokenKind::RangeOpen(_)
            | TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Bang
            | TokenKind::Not
            | TokenKind::Term(_)
            | TokenKind::Phrase(_)
            | TokenKind::Regex(_)
            | TokenKind::Compare(_)
    )
}

impl Parser {
    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.pos).map(|t| &t.kind)
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

    fn parse_top(&mut self) -> Option<Node> {
        let mut items = Vec::new();
        loop {
            if self.peek().is_some_and(starts_clause) {
                items.push(self.parse_implicit());
            }
            match self.peek() {
                None => break,
                Some(kind) => {
                    let message = format!("unexpected {}", describe(kind));
                    let span = self.current_span();
                    self.pos += 1;
                    self.error(ErrorCode::UnexpectedToken, message, span);
                }
            }
        }
        match items.len() {
            0 => None,
            1 => items.pop(),
            _ => {
                let span = items[0].span().cover(items[items.len() - 1].span());
                Some(Node::Implicit { items, span })
            }
        }
    }

    /// Clauses side by side until something that cannot start a clause.
    fn parse_implicit(&mut self) -> Node {
        let first = self.parse_or();
        if !self.peek().is_some_and(starts_clause) {
            return first;
        }
        let mut items = vec![first];
        while self.peek().is_some_and(starts_clause) {
            items.push(self.parse_or());
        }
        let span = items[0].span().cover(items[items.len() - 1].span());
        Node::Implicit { items, span }
    }

    fn parse_or(&mut self) -> Node {
        let first = self.parse_and();
        if self.peek() != Some(&TokenKind::Or) {
            return first;
        }
        let mut items = vec![first];
        while self.peek() == Some(&TokenKind::Or) {
            let op = self.current_span();
            self.pos += 1;
            items.push(self.operand_after(op, "OR", Self::parse_and));
        }
        let span = items[0].span().cover(items[items.len() - 1].span());
        Node::Or { items, span }
    }

    fn parse_and(&mut self) -> Node {
        let first = self.parse_unary();
        if self.peek() != Some(&TokenKind::And) {
            return first;
        }
        let mut items = vec![first];
        while self.peek() == Some(&TokenKind::And) {
            let op = self.current_span();
            self.pos += 1;
            items.push(self.operand_after(op, "AND", Self::parse_unary));
        }
        let span = items[0].span().cover(items[items.len() - 1].span());
        Node::And { items, span }
    }

    fn operand_after(&mut self, op: Span, word: &str, parse: fn(&mut Self) -> Node) -> Node {
        if self.peek().is_some_and(starts_clause) {
            parse(self)
        } else {
            let span = self.current_span();
            self.error(
                ErrorCode::MissingValue,
                format!("expected a clause after `{word}`"),
                span,
            );
            Node::Error {
                span: Span::empty(op.end),
            }
        }
    }

    fn parse_unary(&mut self) -> Node {
        let wrap: Option<fn(Box<Node>, Span) -> Node> = match self.peek() {
            Some(TokenKind::Not | TokenKind::Bang) => Some(|expr, span| Node::Not { expr, span }),
            Some(TokenKind::Plus) => Some(|expr, span| Node::Required { expr, span }),
            Some(TokenKind::Minus) => Some(|expr, span| Node::Prohibited { expr, span }),
            _ => None,
        };
        let Some(wrap) = wrap else {
            return self.parse_postfix();
        };
        let op = self.current_span();
        let word = self.peek().map_or("", describe);
        self.pos += 1;
        if !self.enter() {
            return Node::Error { span: op };
        }
        let inner = self.operand_after(op, word.trim_matches('`'), Self::parse_unary);
        self.leave();
        let span = op.cover(inner.span());
        wrap(Box::new(inner), span)
    }

    fn parse_postfix(&mut self) -> Node {
        let mut node = self.parse_primary();
        // Each suffix nests the tree one level (`a^1^1^1…`), so each counts
        // toward the depth limit.
        let mut levels = 0;
        loop {
            if matches!(self.peek(), Some(TokenKind::Tilde(_) | TokenKind::Caret(_))) {
                if !self.enter() {
                    break;
                }
                levels += 1;
            }
            match self.peek() {
                Some(TokenKind::Tilde(distance)) => {
                    let distance = distance.clone();
                    let span = node.span().cover(self.current_span());
                    self.pos += 1;
                    node = Node::Tilde {
                        expr: Box::new(node),
                        distance,
                        span,
                    };
                }
                Some(TokenKind::Caret(factor)) => {
                    let factor = factor.clone();
                    let caret = self.current_span();
                    self.pos += 1;
                    if factor.is_empty() || factor.parse::<f64>().is_err() {
                        self.error(ErrorCode::BadNumber, "a boost `^` needs a number", caret);
                    }
                    let span = node.span().cover(caret);
                    node = Node::Boost {
                        expr: Box::new(node),
                        factor,
                        span,
                    };
                }
                _ => break,
            }
        }
        self.depth -= levels;
        node
    }

    fn parse_primary(&mut self) -> Node {
        let Some(token) = self.tokens.get(self.pos).cloned() else {
            let span = self.current_span();
            self.error(ErrorCode::MissingValue, "expected a clause", span);
            return Node::Error { span };
        };
        match token.kind {
            TokenKind::LParen => self.parse_group(token.span),
            TokenKind::RangeOpen(inclusive) => {
                self.pos += 1;
                Node::Range(self.parse_range(token.span, inclusive))
            }
            TokenKind::Term(term) => {
                self.pos += 1;
                if self.peek() == Some(&TokenKind::Colon) {
                    let colon = self.current_span();
                    self.pos += 1;
                    return self.parse_field(term.text(), term.span, colon);
                }
                Node::Term(term)
            }
            TokenKind::Phrase(text) => {
                self.pos += 1;
                Node::Phrase {
                    text,
                    span: token.span,
                }
            }
            TokenKind::Regex(pattern) => {
                self.pos += 1;
                Node::Regex {
                    pattern,
                    span: token.span,
                }
            }
            TokenKind::Compare(op) => {
                self.pos += 1;
                match self.tokens.get(self.pos).cloned() {
                    Some(Token {
                        kind: TokenKind::Term(value),
                        ..
                    }) => {
                        self.pos += 1;
                        Node::Compare {
                            op,
                            span: token.span.cover(value.span),
                            value,
                        }
                    }
                    _ => {
                        let span = self.current_span();
                        self.error(
                            ErrorCode::MissingValue,
                            format!("expected a value after `{}`", op.as_str()),
                            span,
                        );
                        Node::Error { span: token.span }
                    }
                }
            }
            ref kind => {
                let message = format!("expected a clause, found {}", describe(kind));
                self.pos += 1;
                self.error(ErrorCode::UnexpectedToken, message, token.span);
                Node::Error { span: token.span }
            }
        }
    }

    fn parse_group(&mut self, open: Span) -> Node {
        self.pos += 1;
        if !self.enter() {
            return Node::Error { span: open };
        }
        let inner = if self.peek().is_some_and(starts_clause) {
            self.parse_implicit()
        } else {
            let span = self.current_span();
            self.error(ErrorCode::MissingValue, "expected a clause after `(`", span);
            Node::Error {
                span: Span::empty(open.end),
            }
        };
        self.leave();
        let end = if self.peek() == Some(&TokenKind::RParen) {
            self.pos += 1;
            self.prev_end()
        } else {
            self.error(ErrorCode::Unclosed, "`(` is never closed with `)`", open);
            self.prev_end().max(open.end)
        };
        Node::Group {
            expr: Box::new(inner),
            span: Span::new(open.start, end),
        }
    }

    fn parse_field(&mut self, name: String, name_span: Span, colon: Span) -> Node {
        if !self.peek().is_some_and(starts_clause) {
            let span = self.current_span();
            self.error(
                ErrorCode::MissingValue,
                format!("expected a value after `{name}:`"),
                span,
            );
            return Node::Field {
                name,
                name_span,
                expr: Box::new(Node::Error {
                    span: Span::empty(colon.end),
                }),
                span: name_span.cover(colon),
            };
        }
        if !self.enter() {
            return Node::Error { span: name_span };
        }
        // The value binds like a clause of its own: `f:-x` is `f:(-x)`, and
        // suffixes apply to the value (`f:x^2`).
        let value = self.parse_unary();
        self.leave();
        Node::Field {
            name,
            name_span,
            span: name_span.cover(value.span()),
            expr: Box::new(value),
        }
    }

    fn bound(&mut self) -> Option<Bound> {
        let token = self.tokens.get(self.pos)?;
        let bound = match &token.kind {
            TokenKind::Term(t) => Bound {
                value: t.text(),
                quoted: false,
                span: t.span,
            },
            TokenKind::Phrase(p) => Bound {
                value: p.clone(),
                quoted: true,
                span: token.span,
            },
            _ => return None,
        };
        self.pos += 1;
        Some(bound)
    }

    fn parse_range(&mut self, open: Span, low_inclusive: bool) -> Range {
        let missing = |at: Span| Bound {
            value: "*".to_string(),
            quoted: false,
            span: Span::empty(at.start),
        };
        let low = self.bound();
        let to = self.peek() == Some(&TokenKind::To);
        if to {
            self.pos += 1;
        }
        let high = self.bound();
        if low.is_none() || high.is_none() || !to {
            let span = self.current_span();
            self.error(
                ErrorCode::MalformedRange,
                "a range is written `[low TO high]`",
                open.cover(span),
            );
            // Skip to the closing bracket so the rest parses normally.
            while let Some(kind) = self.peek() {
                if matches!(kind, TokenKind::RangeClose(_)) {
                    break;
                }
                self.pos += 1;
            }
        }
        let (high_inclusive, end) = match self.peek() {
            Some(TokenKind::RangeClose(inclusive)) => {
                let inclusive = *inclusive;
                self.pos += 1;
                (inclusive, self.prev_end())
            }
            _ => {
                self.error(
                    ErrorCode::Unclosed,
                    "range is never closed with `]` or `}`",
                    open,
                );
                (true, self.prev_end().max(open.end))
            }
        };
        let here = self.current_span();
        Range {
            low: low.unwrap_or_else(|| missing(open)),
            high: high.unwrap_or_else(|| missing(here)),
            low_inclusive,
            high_inclusive,
            span: Span::new(open.start, end),
        }
    }
}
