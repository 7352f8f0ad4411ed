//! `eval`/`where` expressions, by precedence climbing.
//!
//! ```text
//! or      := xor ( "OR" xor )*            lowest
//! xor     := and ( "XOR" and )*
//! and     := not ( "AND" not )*
//! not     := "NOT" not | compare
//! compare := sum ( ("="|"=="|"!="|"<"|"<="|">"|">="|"LIKE") sum
//!                | ["NOT"] "IN" "(" list ")" )?
//! sum     := product ( ("+"|"-"|".") product )*
//! product := unary ( ("*"|"/"|"%") unary )*
//! unary   := "-" unary | "!" unary | primary
//! primary := number | "string" | 'field' | field | name "(" args ")"
//!          | "(" or ")" | macro
//! ```
//!
//! Keywords are case-insensitive here (`and` works in `eval`, unlike in
//! `search`). Binary chains are loops; only parentheses, calls and unary
//! operators recurse, each counted against [`crate::MAX_DEPTH`].

use super::{Parser, Tokens};
use crate::ast::{BinaryOp, Expr, ExprKind, Spanned};
use crate::diag::Code;
use crate::lexer::TokenKind;
use ruledex_ir::Span;

impl Parser<'_, '_> {
    /// Parse an expression from `tokens`; `None` when there is none.
    pub(crate) fn expr(&mut self, tokens: &mut Tokens) -> Option<Expr> {
        if tokens.at_end() || matches!(tokens.peek().kind, TokenKind::Comma | TokenKind::RParen) {
            return None;
        }
        Some(self.binary_level(tokens, 0))
    }

    fn keyword_op(&self, tokens: &Tokens, level: usize) -> Option<BinaryOp> {
        let t = tokens.peek();
        let text = self.text;
        match level {
            0 => t.is_keyword(text, "OR").then_some(BinaryOp::Or),
            1 => t.is_keyword(text, "XOR").then_some(BinaryOp::Xor),
            2 => t.is_keyword(text, "AND").then_some(BinaryOp::And),
            4 => match &t.kind {
                TokenKind::Plus => Some(BinaryOp::Add),
                TokenKind::Minus => Some(BinaryOp::Sub),
                TokenKind::Dot => Some(BinaryOp::Concat),
                _ => None,
            },
            5 => match &t.kind {
                TokenKind::Star => Some(BinaryOp::Mul),
                TokenKind::Slash => Some(BinaryOp::Div),
                TokenKind::Percent => Some(BinaryOp::Rem),
                _ => None,
            },
            _ => None,
        }
    }

    /// Levels 0–2 (`OR`, `XOR`, `AND`) and 4–5 (sums, products) are
    /// left-associative loops; level 3 is `NOT` and comparisons.
    fn binary_level(&mut self, tokens: &mut Tokens, level: usize) -> Expr {
        if level == 3 {
            return self.not_level(tokens);
        }
        if level >= 6 {
            return self.unary(tokens);
        }
        let mut left = self.binary_level(tokens, level + 1);
        while let Some(op) = self.keyword_op(tokens, level) {
            let op_token = tokens.next();
            let right = if self.operand_missing(tokens) {
                self.error(
                    Code::MissingOperand,
                    format!("`{}` needs an operand after it", op_token.text(self.text)),
                    op_token.span,
                );
                Expr {
                    kind: ExprKind::Error,
                    span: Span::empty(op_token.span.end),
                }
            } else {
                self.binary_level(tokens, level + 1)
            };
            let span = left.span.cover(right.span);
            left = Expr {
                kind: ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            };
        }
        left
    }

    fn operand_missing(&self, tokens: &Tokens) -> bool {
        matches!(
            tokens.peek().kind,
            TokenKind::Eof | TokenKind::RParen | TokenKind::Comma
        )
    }

    fn not_level(&mut self, tokens: &mut Tokens) -> Expr {
        if tokens.peek().is_keyword(self.text, "NOT")
            && !tokens.peek_at(1).is_keyword(self.text, "IN")
        {
            let not = tokens.next();
            if !self.enter(not.span) {
                while !tokens.at_end() {
                    tokens.next();
                }
                return Expr {
                    kind: ExprKind::Error,
                    span: not.span,
                };
            }
            let inner = if self.operand_missing(tokens) {
                self.error(
                    Code::MissingOperand,
                    "`NOT` needs an operand after it",
                    not.span,
                );
                Expr {
                    kind: ExprKind::Error,
                    span: Span::empty(not.span.end),
                }
            } else {
                self.not_level(tokens)
            };
            self.leave();
            let span = not.span.cover(inner.span);
            return Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            };
        }
        self.comparison(tokens)
    }

    fn comparison(&mut self, tokens: &mut Tokens) -> Expr {
        let left = self.binary_level(tokens, 4);
        let t = tokens.peek().clone();
        let op = match &t.kind {
            TokenKind::Eq | TokenKind::EqEq => Some(BinaryOp::Eq),
            TokenKind::Ne => Some(BinaryOp::Ne),
            TokenKind::Lt => Some(BinaryOp::Lt),
            TokenKind::Le => Some(BinaryOp::Le),
            TokenKind::Gt => Some(BinaryOp::Gt),
            TokenKind::Ge => Some(BinaryOp::Ge),
            _ if t.is_keyword(self.text, "LIKE") => Some(BinaryOp::Like),
            _ => None,
        };
        if let Some(op) = op {
            tokens.next();
            let right = if self.operand_missing(tokens) {
                self.error(
                    Code::MissingOperand,
                    format!("`{}` needs a value after it", t.text(self.text)),
                    t.span,
                );
                Expr {
                    kind: ExprKind::Error,
                    span: Span::empty(t.span.end),
                }
            } else {
                self.binary_level(tokens, 4)
            };
            let span = left.span.cover(right.span);
            return Expr {
                kind: ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            };
        }
        let negated_in =
            t.is_keyword(self.text, "NOT") && tokens.peek_at(1).is_keyword(self.text, "IN");
        if (t.is_keyword(self.text, "IN") || negated_in)
            && tokens.peek_at(if negated_in { 2 } else { 1 }).kind == TokenKind::LParen
        {
            tokens.next();
            if negated_in {
                tokens.next();
            }
            let open = tokens.next();
            let (list, close) = self.list(tokens, open.span);
            let span = Span::new(left.span.start, close);
            return Expr {
                kind: ExprKind::In {
                    left: Box::new(left),
                    list,
                    negated: negated_in,
                },
                span,
            };
        }
        left
    }

    /// Comma-separated expressions up to `)`; returns them and the end
    /// offset. The `(` was read.
    fn list(&mut self, tokens: &mut Tokens, open: Span) -> (Vec<Expr>, u32) {
        let mut items = Vec::new();
        if !self.enter(open) {
            while !tokens.at_end() {
                tokens.next();
            }
            return (items, tokens.last_end());
        }
        loop {
            match tokens.peek().kind {
                TokenKind::RParen => {
                    let close = tokens.next();
                    self.leave();
                    return (items, close.span.end);
                }
                TokenKind::Eof => {
                    self.error(Code::UnbalancedParen, "`(` is never closed", open);
                    self.leave();
                    return (items, tokens.last_end());
                }
                TokenKind::Comma => {
                    tokens.next();
                }
                _ => {
                    let before = tokens.pos;
                    match self.expr(tokens) {
                        Some(e) => items.push(e),
                        None => {
                            if tokens.pos == before {
                                let t = tokens.next();
                                let shown: String = t.text(self.text).chars().take(40).collect();
                                self.error(
                                    Code::UnexpectedToken,
                                    format!("unexpected `{shown}`"),
                                    t.span,
                                );
                            }
                        }
                    }
                    if !matches!(
                        tokens.peek().kind,
                        TokenKind::Comma | TokenKind::RParen | TokenKind::Eof
                    ) {
                        let t = tokens.next();
                        let shown: String = t.text(self.text).chars().take(40).collect();
                        self.error(
                            Code::UnexpectedToken,
                            format!("unexpected `{shown}`: expected `,` or `)`"),
                            t.span,
                        );
                    }
                }
            }
        }
    }

    fn unary(&mut self, tokens: &mut Tokens) -> Expr {
        let t = tokens.peek().clone();
        if matches!(t.kind, TokenKind::Minus | TokenKind::Bang) {
            tokens.next();
            if !self.enter(t.span) {
                while !tokens.at_end() {
                    tokens.next();
                }
                return Expr {
                    kind: ExprKind::Error,
                    span: t.span,
                };
            }
            let inner = if self.operand_missing(tokens) {
                self.error(Code::MissingOperand, "a sign needs an operand", t.span);
                Expr {
                    kind: ExprKind::Error,
                    span: Span::empty(t.span.end),
                }
            } else {
                self.unary(tokens)
            };
            self.leave();
            let span = t.span.cover(inner.span);
            let kind = if t.kind == TokenKind::Minus {
                ExprKind::Negate(Box::new(inner))
            } else {
                ExprKind::Not(Box::new(inner))
            };
            return Expr { kind, span };
        }
        self.primary(tokens)
    }

    fn primary(&mut self, tokens: &mut Tokens) -> Expr {
        let t = tokens.next();
        let kind = match &t.kind {
            TokenKind::Str(s) => ExprKind::Str(s.clone()),
            TokenKind::Quoted(s) => ExprKind::Field(s.clone()),
            TokenKind::Macro => ExprKind::Macro(self.macro_call(&t)),
            TokenKind::LParen => {
                if !self.enter(t.span) {
                    while !tokens.at_end() {
                        tokens.next();
                    }
                    return Expr {
                        kind: ExprKind::Error,
                        span: t.span,
                    };
                }
                let inner = self.expr(tokens).unwrap_or(Expr {
                    kind: ExprKind::Error,
                    span: t.span,
                });
                self.leave();
                let close = tokens.eat(&TokenKind::RParen);
                if close.is_none() {
                    self.error(Code::UnbalancedParen, "`(` is never closed", t.span);
                }
                let end = close.map_or(tokens.last_end(), |c| c.span.end);
                return Expr {
                    kind: ExprKind::Paren(Box::new(inner)),
                    span: Span::new(t.span.start, end),
                };
            }
            TokenKind::Word => {
                let raw = t.text(self.text);
                if tokens.peek().kind == TokenKind::LParen {
                    let open = tokens.next();
                    let (args, end) = self.list(tokens, open.span);
                    return Expr {
                        kind: ExprKind::Call {
                            name: Spanned {
                                text: raw.to_string(),
                                span: t.span,
                            },
                            args,
                        },
                        span: Span::new(t.span.start, end),
                    };
                }
                if looks_numeric(raw) {
                    ExprKind::Number(raw.to_string())
                } else {
                    ExprKind::Field(raw.to_string())
                }
            }
            TokenKind::Eof => {
                self.error(Code::MissingOperand, "an expression is missing", t.span);
                ExprKind::Error
            }
            _ => {
                let shown: String = t.text(self.text).chars().take(40).collect();
                self.error(
                    Code::UnexpectedToken,
                    format!("unexpected `{shown}` in an expression"),
                    t.span,
                );
                ExprKind::Error
            }
        };
        Expr { kind, span: t.span }
    }
}

/// True for number literals (`5`, `1.5`, `0x2A`, `1e3`).
pub(crate) fn looks_numeric(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    if bytes.is_empty() || !(bytes[0].is_ascii_digit() || (bytes[0] == b'.' && bytes.len() > 1)) {
        return false;
    }
    if let Some(hex) = raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X")) {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    raw.parse::<f64>().is_ok()
}
