//! Search expressions: the `search` command's own grammar.
//!
//! ```text
//! and     := or ( ["AND"] or )*          implicit AND binds loosest
//! or      := unary ( "OR" unary )*
//! unary   := "NOT" unary | primary        NOT binds the next term only
//! primary := "(" and ")" | "[" pipeline "]" | macro
//!          | name op value | name "IN" "(" value ("," value)* ")"
//!                                       (name: a word, or a quoted field name)
//!          | value                        a term matched against the event
//! ```
//!
//! Boolean operators are uppercase: a lowercase `or` is a search term
//! (warning `SPL105` when it stands between terms).

use super::{Parser, Tokens};
use crate::ast::{SearchExpr, SearchOp, SearchValue};
use crate::diag::Code;
use crate::lexer::{matching_bracket, unescape, Token, TokenKind};
use ruledex_ir::Span;

impl Parser<'_, '_> {
    /// Parse the whole token stream as a search expression; `None` when
    /// it is empty. Leftover tokens are reported.
    pub(crate) fn search_expr(&mut self, tokens: &mut Tokens, end: usize) -> Option<SearchExpr> {
        let expr = self.search_and(tokens, end, false);
        self.expect_end(tokens, "the search");
        expr
    }

    fn search_and(&mut self, tokens: &mut Tokens, end: usize, grouped: bool) -> Option<SearchExpr> {
        let mut items: Vec<SearchExpr> = Vec::new();
        loop {
            while tokens.eat(&TokenKind::Comma).is_some() {}
            let t = tokens.peek().clone();
            match &t.kind {
                TokenKind::Eof => break,
                TokenKind::RParen if grouped => break,
                TokenKind::RParen | TokenKind::RBracket => {
                    tokens.next();
                    let (code, message) = if t.kind == TokenKind::RParen {
                        (Code::UnbalancedParen, "`)` closes no parenthesis")
                    } else {
                        (Code::UnbalancedBracket, "`]` closes no subsearch")
                    };
                    self.error(code, message, t.span);
                    continue;
                }
                _ => {}
            }
            // Splunk rejects an `OR` with nothing on its left ("missing a
            // term on the left hand side"), as it does such an `AND`.
            if t.is_exactly(self.text, "OR") {
                tokens.next();
                self.error(
                    Code::MissingOperand,
                    "`OR` needs a term on each side",
                    t.span,
                );
                continue;
            }
            if t.is_exactly(self.text, "AND") {
                tokens.next();
                if items.is_empty() || self.search_operand_missing(tokens, grouped) {
                    self.error(
                        Code::MissingOperand,
                        "`AND` needs a term on each side",
                        t.span,
                    );
                }
                continue;
            }
            if let Some(item) = self.search_or(tokens, end, grouped) {
                items.push(item);
            }
        }
        self.warn_lowercase_operators(&items);
        match items.len() {
            0 => None,
            1 => items.pop(),
            _ => {
                let span = items[0].span().cover(items[items.len() - 1].span());
                Some(SearchExpr::And(items, span))
            }
        }
    }

    /// True when no term follows (end, or `)` in a group).
    fn search_operand_missing(&self, tokens: &Tokens, grouped: bool) -> bool {
        match tokens.peek().kind {
            TokenKind::Eof => true,
            TokenKind::RParen => grouped,
            _ => {
                tokens.peek().is_exactly(self.text, "OR")
                    || tokens.peek().is_exactly(self.text, "AND")
            }
        }
    }

    fn search_or(&mut self, tokens: &mut Tokens, end: usize, grouped: bool) -> Option<SearchExpr> {
        let first = self.search_unary(tokens, end, grouped)?;
        let mut items = vec![first];
        while tokens.peek().is_exactly(self.text, "OR") {
            let or = tokens.next();
            if self.search_operand_missing(tokens, grouped) {
                self.error(
                    Code::MissingOperand,
                    "`OR` needs a term on each side",
                    or.span,
                );
                break;
            }
            if let Some(next) = self.search_unary(tokens, end, grouped) {
                items.push(next);
            }
        }
        if items.len() == 1 {
            return items.pop();
        }
        let span = items[0].span().cover(items[items.len() - 1].span());
        Some(SearchExpr::Or(items, span))
    }

    fn search_unary(
        &mut self,
        tokens: &mut Tokens,
        end: usize,
        grouped: bool,
    ) -> Option<SearchExpr> {
        // NOT chains are counted against the depth limit one by one.
        let mut nots: Vec<Span> = Vec::new();
        while tokens.peek().is_exactly(self.text, "NOT") {
            let not = tokens.next();
            if !self.enter(not.span) {
                for _ in 0..nots.len() {
                    self.leave();
                }
                while !tokens.at_end() {
                    tokens.next();
                }
                return None;
            }
            nots.push(not.span);
        }
        let inner = if nots.is_empty() {
            self.search_primary(tokens, end, grouped)
        } else if self.search_operand_missing(tokens, grouped) {
            let last = nots[nots.len() - 1];
            self.error(Code::MissingOperand, "`NOT` needs a term after it", last);
            None
        } else {
            self.search_primary(tokens, end, grouped)
        };
        let mut expr = inner;
        for not in nots.into_iter().rev() {
            self.leave();
            expr = expr.map(|e| {
                let span = not.cover(e.span());
                SearchExpr::Not(Box::new(e), span)
            });
        }
        expr
    }

    fn search_primary(
        &mut self,
        tokens: &mut Tokens,
        end: usize,
        _grouped: bool,
    ) -> Option<SearchExpr> {
        let t = tokens.peek().clone();
        match &t.kind {
            TokenKind::LParen => {
                tokens.next();
                if !self.enter(t.span) {
                    while !tokens.at_end() {
                        tokens.next();
                    }
                    return None;
                }
                let inner = self.search_and(tokens, end, true);
                self.leave();
                let close = tokens.eat(&TokenKind::RParen);
                if close.is_none() {
                    self.error(Code::UnbalancedParen, "`(` is never closed", t.span);
                }
                let end_at = close.map_or(tokens.last_end(), |c| c.span.end);
                let span = Span::new(t.span.start, end_at);
                inner.map(|e| SearchExpr::Group(Box::new(e), span))
            }
            TokenKind::LBracket => {
                tokens.next();
                let close = matching_bracket(self.text, t.span.start as usize, end);
                let inner_end = close.unwrap_or(end);
                let pipeline = if self.enter(t.span) {
                    let p = self.pipeline(t.span.end as usize, inner_end, false);
                    self.leave();
                    Some(p)
                } else {
                    None
                };
                let after = close.map_or(end, |c| c + 1);
                tokens.skip_to(after as u32);
                pipeline.map(|p| {
                    SearchExpr::Subsearch(p, Span::from_range(t.span.start as usize..after))
                })
            }
            TokenKind::Macro => {
                tokens.next();
                Some(SearchExpr::Macro(self.macro_call(&t)))
            }
            TokenKind::Word | TokenKind::Str(_) => {
                let next = tokens.peek_at(1).clone();
                if let Some(op) = search_op(&next.kind) {
                    tokens.next();
                    tokens.next();
                    return Some(self.search_comparison(tokens, &t, op, &next));
                }
                let is_in = next.kind == TokenKind::Word
                    && next.text(self.text).eq_ignore_ascii_case("IN")
                    && tokens.peek_at(2).kind == TokenKind::LParen;
                // A quoted field name (`"c-uri" IN (…)`) as in `"c-uri"=…`.
                if is_in {
                    tokens.next();
                    tokens.next();
                    return Some(self.search_in(tokens, &t));
                }
                tokens.next();
                self.search_value_token(tokens, &t).map(SearchExpr::Term)
            }
            TokenKind::Eq
            | TokenKind::Ne
            | TokenKind::Lt
            | TokenKind::Le
            | TokenKind::Gt
            | TokenKind::Ge => {
                tokens.next();
                self.error(
                    Code::MissingOperand,
                    "a comparison needs a field before its operator",
                    t.span,
                );
                // Skip the value too.
                if matches!(tokens.peek().kind, TokenKind::Word | TokenKind::Str(_)) {
                    tokens.next();
                }
                None
            }
            _ => {
                tokens.next();
                let shown: String = t.text(self.text).chars().take(40).collect();
                self.error(
                    Code::UnexpectedToken,
                    format!("unexpected `{shown}` in a search"),
                    t.span,
                );
                None
            }
        }
    }

    /// `field op value`, the operator already read.
    fn search_comparison(
        &mut self,
        tokens: &mut Tokens,
        field: &Token,
        op: SearchOp,
        op_token: &Token,
    ) -> SearchExpr {
        let value_token = tokens.peek().clone();
        let value = match &value_token.kind {
            TokenKind::Word | TokenKind::Str(_) => {
                tokens.next();
                self.search_value_token(tokens, &value_token)
            }
            TokenKind::Macro => {
                // `field=`macro`` : the value comes from the macro.
                tokens.next();
                Some(SearchValue {
                    text: value_token.text(self.text).to_string(),
                    quoted: false,
                    directive: Some("macro".into()),
                    span: value_token.span,
                })
            }
            _ => None,
        };
        let value = value.unwrap_or_else(|| {
            self.error(
                Code::MissingOperand,
                format!("`{}` has no value", field.text(self.text)),
                op_token.span,
            );
            SearchValue {
                text: String::new(),
                quoted: false,
                directive: None,
                span: Span::empty(op_token.span.end),
            }
        });
        let span = field.span.cover(value.span).cover(op_token.span);
        SearchExpr::Compare {
            field: self.spanned(field),
            op,
            value,
            span,
        }
    }

    /// `field IN ( v, … )`, field and `IN` already read.
    fn search_in(&mut self, tokens: &mut Tokens, field: &Token) -> SearchExpr {
        let open = tokens.next();
        let mut values = Vec::new();
        let mut close = None;
        loop {
            let t = tokens.peek().clone();
            match &t.kind {
                TokenKind::RParen => {
                    close = Some(tokens.next());
                    break;
                }
                TokenKind::Comma => {
                    tokens.next();
                }
                TokenKind::Word | TokenKind::Str(_) => {
                    tokens.next();
                    if let Some(v) = self.search_value_token(tokens, &t) {
                        values.push(v);
                    }
                }
                // A macro naming a list of values.
                TokenKind::Macro => {
                    tokens.next();
                    values.push(SearchValue {
                        text: t.text(self.text).to_string(),
                        quoted: false,
                        directive: Some("macro".into()),
                        span: t.span,
                    });
                }
                TokenKind::Eof => break,
                _ => {
                    tokens.next();
                    let shown: String = t.text(self.text).chars().take(40).collect();
                    self.error(
                        Code::UnexpectedToken,
                        format!("unexpected `{shown}` in an `IN` list"),
                        t.span,
                    );
                }
            }
        }
        if close.is_none() {
            self.error(
                Code::UnbalancedParen,
                "the `IN` list is never closed",
                open.span,
            );
        }
        let end = close.map_or(tokens.last_end(), |c| c.span.end);
        SearchExpr::In {
            field: self.spanned(field),
            values,
            span: Span::new(field.span.start, end),
        }
    }

    /// A value token (already consumed), with `CASE(…)`/`TERM(…)`
    /// directives.
    fn search_value_token(&mut self, tokens: &mut Tokens, t: &Token) -> Option<SearchValue> {
        if let TokenKind::Str(s) = &t.kind {
            return Some(SearchValue {
                text: s.clone(),
                quoted: true,
                directive: None,
                span: t.span,
            });
        }
        let raw = t.text(self.text);
        let directive = ["CASE", "TERM"].into_iter().find(|d| raw == *d);
        if let Some(directive) = directive {
            if tokens.peek().kind == TokenKind::LParen && tokens.peek().span.start == t.span.end {
                tokens.next();
                let inner = tokens.peek().clone();
                let value = match &inner.kind {
                    TokenKind::Word | TokenKind::Str(_) => {
                        tokens.next();
                        Some(inner)
                    }
                    _ => None,
                };
                let close = tokens.eat(&TokenKind::RParen);
                if close.is_none() {
                    self.error(
                        Code::UnbalancedParen,
                        format!("`{directive}(` is never closed"),
                        t.span,
                    );
                }
                let end = close.map_or(tokens.last_end(), |c| c.span.end);
                let (text, quoted) = match value.as_ref().map(|v| &v.kind) {
                    Some(TokenKind::Str(s)) => (s.clone(), true),
                    Some(_) => (
                        unescape(value.as_ref().map_or("", |v| v.text(self.text))),
                        false,
                    ),
                    None => (String::new(), false),
                };
                return Some(SearchValue {
                    text,
                    quoted,
                    directive: Some(directive.to_string()),
                    span: Span::new(t.span.start, end),
                });
            }
        }
        Some(SearchValue {
            text: unescape(raw),
            quoted: false,
            directive: None,
            span: t.span,
        })
    }

    /// Warn about lowercase `and`/`or`/`not` standing between terms of one
    /// conjunction.
    fn warn_lowercase_operators(&mut self, items: &[SearchExpr]) {
        if items.len() < 3 {
            return;
        }
        for item in &items[1..items.len() - 1] {
            if let SearchExpr::Term(v) = item {
                if !v.quoted && matches!(v.text.as_str(), "and" | "or" | "not") {
                    self.error(
                        Code::LowercaseOperator,
                        format!(
                            "lowercase `{}` is searched as a term; the operator is `{}`",
                            v.text,
                            v.text.to_uppercase()
                        ),
                        v.span,
                    );
                }
            }
        }
    }
}

fn search_op(kind: &TokenKind) -> Option<SearchOp> {
    Some(match kind {
        TokenKind::Eq | TokenKind::EqEq => SearchOp::Eq,
        TokenKind::Ne => SearchOp::Ne,
        TokenKind::Lt => SearchOp::Lt,
        TokenKind::Le => SearchOp::Le,
        TokenKind::Gt => SearchOp::Gt,
        TokenKind::Ge => SearchOp::Ge,
        _ => return None,
    })
}
