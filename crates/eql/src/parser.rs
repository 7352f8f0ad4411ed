//! Recursive-descent parser from tokens to the [`crate::ast`] tree.
//!
//! The grammar levels, loosest first (as in the reference grammar):
//! `or` → `and` → `not`* → term (one comparison, `in`, `:`/`like`/`regex`)
//! → `+ -` → `* / %` → named subquery / method chain → sign → atom.
//! Comparisons do not chain (`a < b < c` is an error), as in EQL.
//!
//! The parser never gives up: a token it cannot use becomes an
//! [`ExprKind::Error`] node and a diagnostic, and parsing resumes at the next
//! point the grammar can continue from (`)`, `]`, `|`, `and`, `or`, a new
//! step). Nesting is limited to [`MAX_DEPTH`].

use crate::ast::*;
use crate::diag::{Code, QueryDiagnostic};
use crate::lexer::{Token, TokenKind};
use ruledex_ir::Span;

/// Deepest nesting of parentheses, calls, lists, subqueries and `not`s
/// accepted; deeper input gets [`Code::TooDeep`] instead of a stack overflow.
pub const MAX_DEPTH: usize = 64;

/// Longest chain of arithmetic operators (`a + b + ...`) accepted; each link
/// nests the tree one level deeper.
const MAX_CHAIN: usize = 32;

/// Words EQL reserves; they cannot name fields, categories or functions.
pub const KEYWORDS: [&str; 17] = [
    "and", "by", "const", "false", "in", "join", "macro", "not", "null", "of", "or", "sample",
    "sequence", "true", "until", "with", "where",
];

/// True when `word` is reserved.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Parse tokens (ending with EOF) into a query, appending diagnostics.
pub fn parse_tokens(tokens: &[Token], diagnostics: &mut Vec<QueryDiagnostic>) -> Query {
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        quiet_until: 0,
        diagnostics,
    };
    parser.query()
}

struct Parser<'t, 'd> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
    /// Syntax errors starting before this offset are not reported: they
    /// are usually echoes of the error just reported.
    quiet_until: u32,
    diagnostics: &'d mut Vec<QueryDiagnostic>,
}

/// Where an expression may end, for recovery.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// The top-level condition: ends at `|` or EOF.
    Top,
    /// Inside `[ ... ]`.
    Step,
    /// A pipe's arguments.
    Pipe,
}

impl Parser<'_, '_> {
    // ----- token access -------------------------------------------------

    fn peek(&self) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[self.pos.min(last)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.pos + ahead).min(last)]
    }

    fn kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    fn at_eof(&self) -> bool {
        matches!(self.kind(), TokenKind::Eof)
    }

    fn bump(&mut self) -> Token {
        let token = self.peek().clone();
        if !self.at_eof() {
            self.pos += 1;
        }
        token
    }

    fn at_word(&self, word: &str) -> bool {
        self.peek().is_word(word)
    }

    /// End of the previous token (start of the query when none).
    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            self.peek().span.start
        } else {
            self.tokens[self.pos - 1].span.end
        }
    }

    /// True when the current token starts right where the previous ended.
    fn adjacent(&self) -> bool {
        self.pos > 0 && self.tokens[self.pos - 1].span.end == self.peek().span.start
    }

    fn error(&mut self, code: Code, message: impl Into<String>, span: Span) {
        if span.start < self.quiet_until {
            return;
        }
        self.quiet_until = span.end.max(span.start + 1);
        self.diagnostics
            .push(QueryDiagnostic::new(code, message, span));
    }

    fn unexpected(&mut self, expected: &str) {
        let token = self.peek().clone();
        let found = describe(&token.kind);
        self.error(
            Code::UnexpectedToken,
            format!("expected {expected}, found {found}"),
            token.span,
        );
    }

    fn expect(&mut self, kind: &TokenKind, expected: &str) -> bool {
        if self.kind() == kind {
            self.bump();
            true
        } else {
            self.unexpected(expected);
            false
        }
    }

    /// Skip to a token that `context` can continue from, keeping
    /// parentheses and brackets balanced.
    fn recover(&mut self, context: Context) {
        let mut parens = 0usize;
        let mut brackets = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::Pipe if parens == 0 && brackets == 0 => return,
                TokenKind::RBracket if brackets == 0 && context == Context::Step => return,
                TokenKind::LBracket | TokenKind::MissingOpen
                    if context == Context::Top && parens == 0 && brackets == 0 =>
                {
                    return
                }
                TokenKind::LParen => parens += 1,
                TokenKind::RParen => parens = parens.saturating_sub(1),
                TokenKind::LBracket | TokenKind::MissingOpen => brackets += 1,
                TokenKind::RBracket => brackets = brackets.saturating_sub(1),
                _ => {}
            }
            self.bump();
        }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.peek().span;
            // Always reported, even inside a quiet zone: it explains why
            // the rest of the query is skipped.
            self.quiet_until = 0;
            self.error(
                Code::TooDeep,
                format!("nesting deeper than {MAX_DEPTH} levels"),
                span,
            );
            false
        } else {
            true
        }
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- queries ------------------------------------------------------

    fn query(&mut self) -> Query {
        let start = self.peek().span.start;
        if self.at_eof() {
            self.error(Code::EmptyQuery, "the query is empty", self.peek().span);
            return Query {
                base: None,
                pipes: Vec::new(),
                span: self.peek().span,
            };
        }
        let base = if matches!(self.kind(), TokenKind::Pipe) {
            let span = self.peek().span;
            self.error(
                Code::MissingBaseQuery,
                "a pipe needs a query before it (`category where condition | ...`)",
                span,
            );
            None
        } else {
            Some(self.base_query())
        };
        let mut pipes = Vec::new();
        loop {
            match self.kind() {
                TokenKind::Eof => break,
                TokenKind::Pipe => pipes.push(self.pipe()),
                _ => {
                    self.unexpected("`|` or the end of the query");
                    self.bump();
                    self.recover(Context::Pipe);
                }
            }
        }
        Query {
            base,
            pipes,
            span: Span::new(start, self.prev_end().max(start)),
        }
    }

    fn base_query(&mut self) -> BaseQuery {
        if self.at_word("sequence") {
            BaseQuery::Sequence(self.sequence(false))
        } else if self.at_word("join") {
            BaseQuery::Join(self.sequence(true))
        } else if self.at_word("sample") {
            BaseQuery::Sample(self.sample())
        } else {
            let event = self.event_query(Context::Top);
            BaseQuery::Event(event)
        }
    }

    /// `category where condition`.
    fn event_query(&mut self, context: Context) -> EventQuery {
        let start = self.peek().span.start;
        let mut category = None;
        let first_is_name = matches!(self.kind(), TokenKind::Name { .. });
        if first_is_name && self.peek_at(1).is_word("where") {
            let token = self.bump();
            if let TokenKind::Name { text, .. } = token.kind {
                category = Some(Ident {
                    name: text,
                    span: token.span,
                });
            }
            self.bump();
        } else if self.at_word("where") {
            let span = self.bump().span;
            self.error(
                Code::MissingEventCategory,
                "missing event category before `where` (use `any where` for every category)",
                span,
            );
        } else {
            let span = self.peek().span;
            self.error(
                Code::MissingEventCategory,
                "expected `category where condition`",
                span,
            );
        }
        let condition = self.condition(context);
        EventQuery {
            category,
            span: Span::new(start, self.prev_end().max(start)),
            condition,
        }
    }

    /// A full condition, then a check that the context can continue.
    fn condition(&mut self, context: Context) -> Expr {
        let expr = self.expr();
        let fine = match context {
            Context::Top => matches!(self.kind(), TokenKind::Eof | TokenKind::Pipe),
            Context::Step => matches!(self.kind(), TokenKind::RBracket | TokenKind::Eof),
            Context::Pipe => true,
        };
        if !fine {
            let what = match context {
                Context::Step => "`and`, `or` or `]`",
                _ => "`and`, `or`, `|` or the end of the query",
            };
            self.unexpected(what);
            self.recover(context);
        }
        expr
    }

    fn sequence(&mut self, is_join: bool) -> Sequence {
        let start = self.bump().span.start;
        let mut by = Vec::new();
        let mut maxspan = None;
        // `by` and `with maxspan` once each, in either order.
        let (mut seen_by, mut seen_with) = (false, false);
        loop {
            if self.at_word("by") {
                if seen_by {
                    self.unexpected("`[` starting a step (`by` is given once)");
                }
                seen_by = true;
                self.bump();
                by = self.expressions();
            } else if self.at_word("with") {
                if seen_with {
                    self.unexpected("`[` starting a step (`with` is given once)");
                }
                seen_with = true;
                self.bump();
                maxspan = self.sequence_parameter();
            } else {
                break;
            }
        }
        let header_span = Span::new(start, self.prev_end().max(start));
        let steps = self.steps();
        let until = if self.at_word("until") {
            self.bump();
            if matches!(self.kind(), TokenKind::LBracket | TokenKind::MissingOpen) {
                Some(self.step())
            } else {
                self.unexpected("`[` after `until`");
                None
            }
        } else {
            None
        };
        let _ = is_join;
        Sequence {
            by,
            maxspan,
            header_span,
            steps,
            until,
            span: Span::new(start, self.prev_end().max(start)),
        }
    }

    /// After `with` in a sequence header: `maxspan = 5m`.
    fn sequence_parameter(&mut self) -> Option<TimeSpan> {
        let token = self.peek().clone();
        let TokenKind::Name { text, .. } = &token.kind else {
            self.unexpected("`maxspan`");
            return None;
        };
        self.bump();
        if text != "maxspan" {
            self.error(
                Code::UnknownParameter,
                format!("unknown sequence parameter `{text}` (only `maxspan`)"),
                token.span,
            );
        }
        self.equals();
        let time = self.time_span();
        if text == "maxspan" {
            time
        } else {
            None
        }
    }

    /// `==` or `=` between a parameter and its value.
    fn equals(&mut self) -> bool {
        if matches!(self.kind(), TokenKind::Eq | TokenKind::EqEq) {
            self.bump();
            true
        } else {
            self.unexpected("`=`");
            false
        }
    }

    fn time_span(&mut self) -> Option<TimeSpan> {
        let token = self.peek().clone();
        if !matches!(token.kind, TokenKind::Integer(_) | TokenKind::Float(_)) {
            self.unexpected("a time span such as `5m`");
            return None;
        }
        self.bump();
        let quantity = match token.kind {
            TokenKind::Integer(Some(i)) => i.to_string(),
            TokenKind::Float(f) => f.to_string(),
            _ => "0".to_string(),
        };
        let mut end = token.span.end;
        let unit = match self.kind() {
            TokenKind::Name { text, .. } if !is_keyword(text) => {
                let unit = Ident {
                    name: text.clone(),
                    span: self.peek().span,
                };
                end = unit.span.end;
                self.bump();
                Some(unit)
            }
            _ => None,
        };
        Some(TimeSpan {
            quantity,
            unit,
            span: Span::new(token.span.start, end),
        })
    }

    fn steps(&mut self) -> Vec<Step> {
        let mut steps = Vec::new();
        while matches!(self.kind(), TokenKind::LBracket | TokenKind::MissingOpen) {
            steps.push(self.step());
        }
        if steps.is_empty() {
            self.unexpected("`[` starting a step");
            self.recover(Context::Top);
            while matches!(self.kind(), TokenKind::LBracket | TokenKind::MissingOpen) {
                steps.push(self.step());
            }
        }
        steps
    }

    fn step(&mut self) -> Step {
        let open = self.bump();
        let missing = open.kind == TokenKind::MissingOpen;
        let start = open.span.start;
        let query = if self.enter() {
            let q = self.event_query(Context::Step);
            self.leave();
            q
        } else {
            self.leave();
            self.recover(Context::Step);
            EventQuery {
                category: None,
                condition: Expr::new(ExprKind::Error, open.span),
                span: open.span,
            }
        };
        if !self.expect(&TokenKind::RBracket, "`]` closing the step") {
            self.recover(Context::Step);
            if matches!(self.kind(), TokenKind::RBracket) {
                self.bump();
            }
        }
        let mut fork = None;
        if self.at_word("fork") {
            let span = self.bump().span;
            let mut end = span.end;
            if matches!(self.kind(), TokenKind::Eq | TokenKind::EqEq) {
                self.bump();
                if self.at_word("true") || self.at_word("false") {
                    end = self.bump().span.end;
                } else {
                    self.unexpected("`true` or `false` after `fork=`");
                }
            }
            fork = Some(Span::new(span.start, end));
        }
        let by = if self.at_word("by") {
            self.bump();
            self.expressions()
        } else {
            Vec::new()
        };
        let mut runs = None;
        if self.at_word("with") {
            let with = self.bump().span;
            if self.at_word("runs") {
                self.bump();
                self.equals();
                let token = self.peek().clone();
                let count = match token.kind {
                    TokenKind::Integer(n) => {
                        self.bump();
                        n
                    }
                    _ => {
                        self.unexpected("the number of runs");
                        None
                    }
                };
                runs = Some(Runs {
                    count,
                    span: Span::new(with.start, self.prev_end()),
                });
            } else {
                let span = self.peek().span;
                self.error(
                    Code::UnknownParameter,
                    "unknown step parameter (only `with runs=N`)",
                    span,
                );
                self.bump();
                if matches!(self.kind(), TokenKind::Eq | TokenKind::EqEq) {
                    self.bump();
                    self.bump();
                }
            }
        }
        let mut alias = None;
        if self.at_word("as") {
            self.bump();
            if let TokenKind::Name { text, .. } = self.kind().clone() {
                let span = self.bump().span;
                alias = Some(Ident { name: text, span });
            } else {
                self.unexpected("an alias name");
            }
        }
        Step {
            missing,
            query,
            fork,
            by,
            runs,
            alias,
            span: Span::new(start, self.prev_end().max(start)),
        }
    }

    fn sample(&mut self) -> Sample {
        let start = self.bump().span.start;
        let by = if self.at_word("by") {
            self.bump();
            self.expressions()
        } else {
            Vec::new()
        };
        let header_span = Span::new(start, self.prev_end().max(start));
        let steps = self.steps();
        Sample {
            by,
            header_span,
            steps,
            span: Span::new(start, self.prev_end().max(start)),
        }
    }

    fn pipe(&mut self) -> Pipe {
        let bar = self.bump().span;
        let token = self.peek().clone();
        let name = match token.kind {
            TokenKind::Name { text, .. } => {
                self.bump();
                Ident {
                    name: text,
                    span: token.span,
                }
            }
            _ => {
                self.unexpected("a pipe name such as `head`");
                self.recover(Context::Pipe);
                return Pipe {
                    name: Ident {
                        name: String::new(),
                        span: token.span,
                    },
                    args: Vec::new(),
                    span: Span::new(bar.start, self.prev_end().max(bar.start)),
                };
            }
        };
        let mut args = Vec::new();
        if !matches!(self.kind(), TokenKind::Pipe | TokenKind::Eof) {
            args = self.expressions();
            // Legacy space-separated arguments (`| unique a b`).
            while starts_atom(self.kind()) {
                args.push(self.expr());
            }
            if !matches!(self.kind(), TokenKind::Pipe | TokenKind::Eof) {
                self.unexpected("`,`, `|` or the end of the query");
                self.recover(Context::Pipe);
            }
        }
        Pipe {
            name,
            args,
            span: Span::new(bar.start, self.prev_end().max(bar.start)),
        }
    }

    // ----- expressions --------------------------------------------------

    /// `expr ("," expr)* [","]`.
    fn expressions(&mut self) -> Vec<Expr> {
        let mut items = vec![self.expr()];
        while matches!(self.kind(), TokenKind::Comma) {
            self.bump();
            if !starts_expr(self.kind()) {
                break;
            }
            items.push(self.expr());
        }
        items
    }

    fn expr(&mut self) -> Expr {
        if !self.enter() {
            self.leave();
            let span = self.peek().span;
            self.skip_nested();
            return Expr::new(ExprKind::Error, span);
        }
        let e = self.logical(false);
        self.leave();
        e
    }

    /// After a depth error, skip the rest of the nested input cheaply.
    fn skip_nested(&mut self) {
        let mut level = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::MissingOpen => level += 1,
                TokenKind::RParen | TokenKind::RBracket => {
                    if level == 0 {
                        return;
                    }
                    level -= 1;
                }
                TokenKind::Pipe if level == 0 => return,
                _ => {}
            }
            self.bump();
        }
    }

    /// `or` chains (when `and` is false) of `and` chains.
    fn logical(&mut self, and: bool) -> Expr {
        let word = if and { "and" } else { "or" };
        let first = if and {
            self.not_expr()
        } else {
            self.logical(true)
        };
        if !self.at_word(word) {
            return first;
        }
        let start = first.span.start;
        let mut operands = vec![first];
        while self.at_word(word) {
            self.bump();
            let next = if and {
                self.not_expr()
            } else {
                self.logical(true)
            };
            operands.push(next);
        }
        let end = operands.last().map_or(start, |e| e.span.end);
        Expr::new(ExprKind::Logical { and, operands }, Span::new(start, end))
    }

    fn not_expr(&mut self) -> Expr {
        let mut nots = Vec::new();
        while self.at_word("not") && !self.peek_at(1).is_word("in") {
            nots.push(self.bump().span.start);
            if self.depth + nots.len() > MAX_DEPTH {
                self.quiet_until = 0;
                let span = self.peek().span;
                self.error(
                    Code::TooDeep,
                    format!("nesting deeper than {MAX_DEPTH} levels"),
                    span,
                );
                while self.at_word("not") {
                    self.bump();
                }
                break;
            }
        }
        let mut e = self.term();
        for start in nots.into_iter().rev() {
            let span = Span::new(start, e.span.end);
            e = Expr::new(ExprKind::Not(Box::new(e)), span);
        }
        e
    }

    fn term(&mut self) -> Expr {
        let left = self.sum();
        let start = left.span.start;
        let op = match self.kind() {
            TokenKind::EqEq => Some(BinaryOp::Eq),
            TokenKind::Eq => Some(BinaryOp::SingleEq),
            TokenKind::NotEq => Some(BinaryOp::Ne),
            TokenKind::Lt => Some(BinaryOp::Lt),
            TokenKind::Le => Some(BinaryOp::Le),
            TokenKind::Gt => Some(BinaryOp::Gt),
            TokenKind::Ge => Some(BinaryOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let right = self.sum();
            let span = Span::new(start, right.span.end);
            return Expr::new(
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            );
        }
        if self.at_word("not") && self.peek_at(1).is_word("in") {
            self.bump();
            self.bump();
            return self.in_list(left, true, false);
        }
        if let TokenKind::Name { text, insensitive } = self.kind().clone() {
            match text.as_str() {
                "in" => {
                    self.bump();
                    return self.in_list(left, false, insensitive);
                }
                "like" => {
                    self.bump();
                    return self.string_match(left, StringOp::Like, insensitive);
                }
                "regex" => {
                    self.bump();
                    return self.string_match(left, StringOp::Regex, insensitive);
                }
                _ => {}
            }
        }
        if matches!(self.kind(), TokenKind::Colon) && !self.at_method() {
            self.bump();
            return self.string_match(left, StringOp::Colon, false);
        }
        left
    }

    fn in_list(&mut self, value: Expr, negated: bool, insensitive: bool) -> Expr {
        let start = value.span.start;
        let mut list = Vec::new();
        if self.expect(&TokenKind::LParen, "`(` starting the list") {
            if self.enter() {
                if matches!(self.kind(), TokenKind::RParen) {
                    self.unexpected("at least one value in the list");
                } else {
                    list = self.expressions();
                }
            }
            self.leave();
            if !self.expect(&TokenKind::RParen, "`,` or `)` closing the list") {
                self.skip_nested();
                if matches!(self.kind(), TokenKind::RParen) {
                    self.bump();
                }
            }
        }
        Expr::new(
            ExprKind::In {
                value: Box::new(value),
                list,
                negated,
                insensitive,
            },
            Span::new(start, self.prev_end().max(start)),
        )
    }

    /// After `:`, `like`, `regex`: a literal or a parenthesized list of
    /// literals.
    fn string_match(&mut self, value: Expr, op: StringOp, insensitive: bool) -> Expr {
        let start = value.span.start;
        let mut patterns = Vec::new();
        let list = matches!(self.kind(), TokenKind::LParen);
        if list {
            self.bump();
            loop {
                match self.literal() {
                    Some(l) => patterns.push(l),
                    None => {
                        self.unexpected("a literal pattern");
                        self.skip_nested();
                        break;
                    }
                }
                if matches!(self.kind(), TokenKind::Comma) {
                    self.bump();
                } else {
                    break;
                }
            }
            if !self.expect(&TokenKind::RParen, "`,` or `)` closing the patterns") {
                self.skip_nested();
                if matches!(self.kind(), TokenKind::RParen) {
                    self.bump();
                }
            }
        } else {
            match self.literal() {
                Some(l) => patterns.push(l),
                None => {
                    let op_text = op.written(insensitive);
                    self.unexpected(&format!("a literal pattern after `{op_text}`"));
                }
            }
        }
        Expr::new(
            ExprKind::Match {
                value: Box::new(value),
                op,
                insensitive,
                patterns,
                list,
            },
            Span::new(start, self.prev_end().max(start)),
        )
    }

    /// A literal token, consumed, or `None` (nothing consumed).
    fn literal(&mut self) -> Option<Expr> {
        let token = self.peek().clone();
        let lit = match token.kind {
            TokenKind::Str { value, form } => Literal::String(value, form),
            TokenKind::Integer(n) => Literal::Integer(n),
            TokenKind::Float(f) => Literal::Float(f),
            TokenKind::Name {
                text,
                insensitive: false,
            } => match text.as_str() {
                "true" => Literal::Bool(true),
                "false" => Literal::Bool(false),
                "null" => Literal::Null,
                _ => return None,
            },
            _ => return None,
        };
        self.bump();
        Some(Expr::new(ExprKind::Literal(lit), token.span))
    }

    fn sum(&mut self) -> Expr {
        let mut left = self.product();
        let mut links = 0;
        loop {
            let op = match self.kind() {
                TokenKind::Plus => BinaryOp::Add,
                TokenKind::Minus => BinaryOp::Sub,
                _ => return left,
            };
            links += 1;
            if links > MAX_CHAIN {
                self.chain_too_long();
                return left;
            }
            self.bump();
            let right = self.product();
            let span = Span::new(left.span.start, right.span.end);
            left = Expr::new(
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            );
        }
    }

    fn product(&mut self) -> Expr {
        let mut left = self.postfix();
        let mut links = 0;
        loop {
            let op = match self.kind() {
                TokenKind::Star => BinaryOp::Mul,
                TokenKind::Slash => BinaryOp::Div,
                TokenKind::Percent => BinaryOp::Mod,
                _ => return left,
            };
            links += 1;
            if links > MAX_CHAIN {
                self.chain_too_long();
                return left;
            }
            self.bump();
            let right = self.postfix();
            let span = Span::new(left.span.start, right.span.end);
            left = Expr::new(
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            );
        }
    }

    fn chain_too_long(&mut self) {
        self.quiet_until = 0;
        let span = self.peek().span;
        self.error(
            Code::TooDeep,
            format!("more than {MAX_CHAIN} arithmetic operators in a row"),
            span,
        );
        self.skip_nested();
    }

    /// `:name(` written without spaces starts a method call.
    fn at_method(&self) -> bool {
        matches!(self.kind(), TokenKind::Colon)
            && matches!(
                self.peek_at(1).kind,
                TokenKind::Name {
                    insensitive: false,
                    ..
                }
            )
            && self.peek_at(1).span.start == self.peek().span.end
            && matches!(self.peek_at(2).kind, TokenKind::LParen)
            && self.peek_at(2).span.start == self.peek_at(1).span.end
    }

    /// Named subqueries, then a value followed by method calls.
    fn postfix(&mut self) -> Expr {
        if let TokenKind::Name { text, .. } = self.kind() {
            if self.peek_at(1).is_word("of")
                && matches!(
                    self.peek_at(2).kind,
                    TokenKind::LBracket | TokenKind::MissingOpen
                )
            {
                let relation = Ident {
                    name: text.clone(),
                    span: self.peek().span,
                };
                self.bump();
                self.bump();
                let open = self.bump();
                if !self.enter() {
                    self.leave();
                    self.skip_nested();
                    return Expr::new(ExprKind::Error, open.span);
                }
                let query = self.event_query(Context::Step);
                self.leave();
                if !self.expect(&TokenKind::RBracket, "`]` closing the subquery") {
                    self.recover(Context::Step);
                    if matches!(self.kind(), TokenKind::RBracket) {
                        self.bump();
                    }
                }
                let span = Span::new(relation.span.start, self.prev_end());
                return Expr::new(
                    ExprKind::NamedSubquery {
                        relation,
                        query: Box::new(query),
                    },
                    span,
                );
            }
        }
        let mut value = self.signed();
        let mut links = 0;
        while self.at_method() {
            links += 1;
            if links > MAX_CHAIN {
                self.chain_too_long();
                break;
            }
            self.bump();
            let name_token = self.bump();
            let (name, insensitive) = match name_token.kind {
                TokenKind::Name { text, insensitive } => (text, insensitive),
                _ => (String::new(), false),
            };
            let start = value.span.start;
            let mut args = vec![value];
            args.extend(self.call_arguments());
            value = Expr::new(
                ExprKind::Call {
                    name: Ident {
                        name,
                        span: name_token.span,
                    },
                    insensitive,
                    args,
                    method: true,
                },
                Span::new(start, self.prev_end()),
            );
        }
        value
    }

    fn signed(&mut self) -> Expr {
        let negative = match self.kind() {
            TokenKind::Minus => true,
            TokenKind::Plus => false,
            _ => return self.atom(),
        };
        let start = self.bump().span.start;
        let operand = self.atom();
        let span = Span::new(start, operand.span.end);
        Expr::new(
            ExprKind::Sign {
                negative,
                operand: Box::new(operand),
            },
            span,
        )
    }

    /// `( args )` after a function name; the `(` is current.
    fn call_arguments(&mut self) -> Vec<Expr> {
        self.bump();
        let mut args = Vec::new();
        if !matches!(self.kind(), TokenKind::RParen) {
            if self.enter() {
                args = self.expressions();
            } else {
                self.skip_nested();
            }
            self.leave();
        }
        if !self.expect(&TokenKind::RParen, "`,` or `)` closing the arguments") {
            self.skip_nested();
            if matches!(self.kind(), TokenKind::RParen) {
                self.bump();
            }
        }
        args
    }

    fn atom(&mut self) -> Expr {
        if let Some(literal) = self.literal() {
            return literal;
        }
        let token = self.peek().clone();
        match &token.kind {
            TokenKind::Name { text, insensitive } => {
                if matches!(self.peek_at(1).kind, TokenKind::LParen) {
                    let name = Ident {
                        name: text.clone(),
                        span: token.span,
                    };
                    let insensitive = *insensitive;
                    self.bump();
                    let args = self.call_arguments();
                    return Expr::new(
                        ExprKind::Call {
                            name,
                            insensitive,
                            args,
                            method: false,
                        },
                        Span::new(token.span.start, self.prev_end()),
                    );
                }
                if *insensitive || is_keyword(text) && continues_expression(text) {
                    self.unexpected("a value");
                    return self.error_node();
                }
                // Other reserved words (`sequence`, `join`, …) read as a
                // field name here; the checker reports them (EQL101).
                self.field(false)
            }
            TokenKind::EscapedName(_) => self.field(false),
            TokenKind::Question => {
                let next = self.peek_at(1);
                let glued = next.span.start == token.span.end
                    && matches!(
                        next.kind,
                        TokenKind::Name { .. } | TokenKind::EscapedName(_)
                    );
                if glued {
                    self.bump();
                    self.field(true)
                } else {
                    self.unexpected("a field name right after `?`");
                    self.error_node()
                }
            }
            TokenKind::Dollar => {
                self.bump();
                let next = self.peek().clone();
                match next.kind {
                    TokenKind::Name { text, .. } => {
                        self.bump();
                        // `$a.b` keeps the path for the message.
                        let mut name = text;
                        while matches!(self.kind(), TokenKind::Dot) && self.adjacent() {
                            self.bump();
                            if let TokenKind::Name { text, .. } = self.kind().clone() {
                                self.bump();
                                name.push('.');
                                name.push_str(&text);
                            }
                        }
                        Expr::new(
                            ExprKind::Variable(name),
                            Span::new(token.span.start, self.prev_end()),
                        )
                    }
                    _ => {
                        self.unexpected("a variable name after `$`");
                        self.error_node()
                    }
                }
            }
            TokenKind::LParen => {
                self.bump();
                let inner = self.expr();
                if !self.expect(&TokenKind::RParen, "`)`") {
                    self.skip_nested();
                    if matches!(self.kind(), TokenKind::RParen) {
                        self.bump();
                    }
                }
                Expr::new(
                    ExprKind::Paren(Box::new(inner)),
                    Span::new(token.span.start, self.prev_end()),
                )
            }
            _ => {
                self.unexpected("a value");
                self.error_node()
            }
        }
    }

    /// An error node at the current token, consuming it unless the
    /// surrounding construct can continue from it.
    fn error_node(&mut self) -> Expr {
        let span = self.peek().span;
        let keep = matches!(
            self.kind(),
            TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::Pipe
                | TokenKind::Comma
                | TokenKind::Eof
                | TokenKind::LBracket
                | TokenKind::MissingOpen
        ) || self.at_word("and")
            || self.at_word("or");
        if !keep {
            self.bump();
        }
        Expr::new(ExprKind::Error, span)
    }

    /// A field path; the first name is current.
    fn field(&mut self, optional: bool) -> Expr {
        let start = if optional {
            self.tokens[self.pos - 1].span.start
        } else {
            self.peek().span.start
        };
        let mut parts = Vec::new();
        let first = self.bump();
        parts.push(match first.kind {
            TokenKind::EscapedName(text) => FieldPart::Quoted(text),
            other => FieldPart::Name(part_name(&other)),
        });
        loop {
            match self.kind() {
                TokenKind::Dot if self.adjacent() => {
                    self.bump();
                    match self.kind().clone() {
                        TokenKind::Name {
                            text,
                            insensitive: false,
                        } => {
                            self.bump();
                            parts.push(FieldPart::Name(text));
                        }
                        TokenKind::EscapedName(text) => {
                            self.bump();
                            parts.push(FieldPart::Quoted(text));
                        }
                        _ => {
                            self.unexpected("a field name after `.`");
                            break;
                        }
                    }
                }
                TokenKind::LBracket if self.adjacent() => {
                    self.bump();
                    match self.kind().clone() {
                        TokenKind::Integer(Some(i)) if i >= 0 => {
                            self.bump();
                            parts.push(FieldPart::Index(i as u64));
                        }
                        _ => {
                            self.unexpected("an array index");
                            self.skip_nested();
                        }
                    }
                    if !self.expect(&TokenKind::RBracket, "`]` closing the index") {
                        self.skip_nested();
                        if matches!(self.kind(), TokenKind::RBracket) {
                            self.bump();
                        }
                    }
                }
                _ => break,
            }
        }
        Expr::new(
            ExprKind::Field(Field { optional, parts }),
            Span::new(start, self.prev_end()),
        )
    }
}

/// Reserved words that join or continue expressions rather than start a
/// value: seeing one where a value belongs means the value is missing.
fn continues_expression(word: &str) -> bool {
    matches!(
        word,
        "and" | "or" | "by" | "with" | "until" | "in" | "where" | "of" | "not"
    )
}

fn part_name(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Name { text, .. } | TokenKind::EscapedName(text) => text.clone(),
        _ => String::new(),
    }
}

fn starts_expr(kind: &TokenKind) -> bool {
    starts_atom(kind)
        || matches!(kind, TokenKind::Plus | TokenKind::Minus)
        || matches!(kind, TokenKind::Name { text, .. } if text == "not")
}

fn starts_atom(kind: &TokenKind) -> bool {
    match kind {
        TokenKind::Name { text, .. } => {
            !is_keyword(text) || matches!(text.as_str(), "true" | "false" | "null")
        }
        TokenKind::EscapedName(_)
        | TokenKind::Str { .. }
        | TokenKind::Integer(_)
        | TokenKind::Float(_)
        | TokenKind::LParen
        | TokenKind::Question
        | TokenKind::Dollar => true,
        _ => false,
    }
}

/// A short description of a token for messages.
fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Name { text, insensitive } => {
            format!("`{}{}`", text, if *insensitive { "~" } else { "" })
        }
        TokenKind::EscapedName(n) => format!("`` `{n}` ``"),
        TokenKind::Str { .. } => "a string".to_string(),
        TokenKind::Integer(_) | TokenKind::Float(_) => "a number".to_string(),
        TokenKind::Eof => "the end of the query".to_string(),
        other => format!("`{}`", punct_text(other)),
    }
}

fn punct_text(kind: &TokenKind) -> &'static str {
    match kind {
        TokenKind::LParen => "(",
        TokenKind::RParen => ")",
        TokenKind::LBracket => "[",
        TokenKind::MissingOpen => "![",
        TokenKind::RBracket => "]",
        TokenKind::Comma => ",",
        TokenKind::Dot => ".",
        TokenKind::Pipe => "|",
        TokenKind::Question => "?",
        TokenKind::Colon => ":",
        TokenKind::EqEq => "==",
        TokenKind::Eq => "=",
        TokenKind::NotEq => "!=",
        TokenKind::Lt => "<",
        TokenKind::Le => "<=",
        TokenKind::Gt => ">",
        TokenKind::Ge => ">=",
        TokenKind::Plus => "+",
        TokenKind::Minus => "-",
        TokenKind::Star => "*",
        TokenKind::Slash => "/",
        TokenKind::Percent => "%",
        TokenKind::Dollar => "$",
        _ => "?",
    }
}
