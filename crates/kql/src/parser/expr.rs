//! Scalar expressions: a Pratt parser over the KQL operator table, plus
//! literals.
//!
//! Precedence, loosest first: `or`; `and`; comparisons, string operators,
//! `in`, `has_any`, `between` (one level, left-associative); `+ -`;
//! `* / %`; unary `-`/`+`; postfix `.member`, `[index]`, calls.

use super::{keywords, Parser};
use crate::ast::*;
use crate::error::codes;
use crate::lexer::{decode_string, TokenKind};
use crate::MAX_HEIGHT;
use ruledex_ir::Span;

/// Binding powers (higher binds tighter). Following Kusto, the three
/// comparison levels are non-associative: `a == b == c`, `a has b has c` and
/// `a < b < c` are errors, while `a has b == c` is `(a has b) == c`.
const BP_OR: u8 = 1;
const BP_AND: u8 = 2;
/// `==`, `!=`, `<>`, `in` and friends, `has_any`, `has_all`, `between`.
const BP_EQUALITY: u8 = 3;
/// `has`, `contains`, `startswith`, `endswith`, `like`, `matches regex`,
/// `=~`, `!~` and their variants.
pub(super) const BP_STRING: u8 = 4;
/// `<`, `<=`, `>`, `>=`.
const BP_RELATIONAL: u8 = 5;
const BP_ADD: u8 = 6;
const BP_MUL: u8 = 7;
/// Above every infix operator: only postfix forms follow (a unary sign
/// takes a postfix-level operand).
pub(super) const BP_POSTFIX: u8 = 9;

/// The infix operator at the cursor and how many tokens spell it.
#[derive(Clone, Copy)]
enum Infix {
    Binary(BinaryOp),
    In { negated: bool, ci: bool },
    HasAny { all: bool },
    Between { negated: bool },
    ColumnMatch,
}

impl Infix {
    fn binding_power(self) -> u8 {
        use BinaryOp::*;
        match self {
            Infix::Binary(Or) => BP_OR,
            Infix::Binary(And) => BP_AND,
            Infix::Binary(Eq | Equals | NotEq | LtGt) => BP_EQUALITY,
            Infix::In { .. } | Infix::HasAny { .. } | Infix::Between { .. } => BP_EQUALITY,
            Infix::Binary(Lt | Le | Gt | Ge) => BP_RELATIONAL,
            Infix::Binary(Add | Subtract) => BP_ADD,
            Infix::Binary(Multiply | Divide | Modulo) => BP_MUL,
            Infix::ColumnMatch => BP_STRING,
            Infix::Binary(_) => BP_STRING,
        }
    }
}

/// String operators spelled as one word, positive form.
fn word_operator(word: &str) -> Option<Infix> {
    use BinaryOp::*;
    let op = match word {
        "or" => Or,
        "and" => And,
        "has" => Has,
        "has_cs" => HasCs,
        "hasprefix" => HasPrefix,
        "hasprefix_cs" => HasPrefixCs,
        "hassuffix" => HasSuffix,
        "hassuffix_cs" => HasSuffixCs,
        "contains" => Contains,
        "contains_cs" | "containscs" => ContainsCs,
        "notcontains" => NotContains,
        "notcontainscs" => NotContainsCs,
        "startswith" => StartsWith,
        "startswith_cs" => StartsWithCs,
        "endswith" => EndsWith,
        "endswith_cs" => EndsWithCs,
        "like" => Like,
        "notlike" => NotLike,
        "likecs" => LikeCs,
        "notlikecs" => NotLikeCs,
        "has_any" => return Some(Infix::HasAny { all: false }),
        "has_all" => return Some(Infix::HasAny { all: true }),
        "between" => return Some(Infix::Between { negated: false }),
        "in" => {
            return Some(Infix::In {
                negated: false,
                ci: false,
            })
        }
        _ => return None,
    };
    Some(Infix::Binary(op))
}

/// String operators written with a leading `!`.
fn negated_word_operator(word: &str) -> Option<Infix> {
    use BinaryOp::*;
    let op = match word {
        "has" => NotHas,
        "has_cs" => NotHasCs,
        "hasprefix" => NotHasPrefix,
        "hasprefix_cs" => NotHasPrefixCs,
        "hassuffix" => NotHasSuffix,
        "hassuffix_cs" => NotHasSuffixCs,
        "contains" => NotContains,
        "contains_cs" => NotContainsCs,
        "startswith" => NotStartsWith,
        "startswith_cs" => NotStartsWithCs,
        "endswith" => NotEndsWith,
        "endswith_cs" => NotEndsWithCs,
        "between" => return Some(Infix::Between { negated: true }),
        "in" => {
            return Some(Infix::In {
                negated: true,
                ci: false,
            })
        }
        _ => return None,
    };
    Some(Infix::Binary(op))
}

impl Parser<'_> {
    /// Parse a full scalar expression.
    pub(super) fn parse_expr(&mut self) -> Expr {
        self.parse_expr_bp(0)
    }

    /// The infix operator at the cursor, with the number of tokens it uses.
    fn peek_infix(&self) -> Option<(Infix, usize)> {
        self.peek_infix_at(0)
    }

    /// The infix operator starting `n` tokens after the cursor.
    fn peek_infix_at(&self, n: usize) -> Option<(Infix, usize)> {
        use BinaryOp::*;
        let simple = |op| Some((Infix::Binary(op), 1));
        match self.nth_kind(n) {
            TokenKind::EqEq => simple(Eq),
            TokenKind::NotEq => simple(NotEq),
            TokenKind::LtGt => simple(LtGt),
            TokenKind::EqTilde => simple(EqTilde),
            TokenKind::BangTilde => simple(NotEqTilde),
            TokenKind::Lt => simple(Lt),
            TokenKind::Le => simple(Le),
            TokenKind::Gt => simple(Gt),
            TokenKind::Ge => simple(Ge),
            TokenKind::Plus => simple(Add),
            TokenKind::Minus => simple(Subtract),
            TokenKind::Star => simple(Multiply),
            TokenKind::Slash => simple(Divide),
            TokenKind::Percent => simple(Modulo),
            // `Col : "term"` is a string operator anywhere, not only in
            // `search`.
            TokenKind::Colon => Some((Infix::ColumnMatch, 1)),
            TokenKind::Ident => {
                let word = self.text_of(self.nth(n));
                if word == "matches" {
                    // One keyword to Kusto's lexer, written with exactly
                    // one space: `matches  regex` is not it.
                    return (self.nth_is_word(n + 1, "regex") && self.nth_gap(n + 1) == " ")
                        .then_some((Infix::Binary(MatchesRegex), 2));
                }
                let op = word_operator(word)?;
                if let Infix::In { .. } = op {
                    if self.nth_kind(n + 1) == TokenKind::Tilde && self.nth_touches_previous(n + 1)
                    {
                        return Some((
                            Infix::In {
                                negated: false,
                                ci: true,
                            },
                            2,
                        ));
                    }
                }
                Some((op, 1))
            }
            TokenKind::Bang
                if self.nth_kind(n + 1) == TokenKind::Ident && self.nth_touches_previous(n + 1) =>
            {
                let word = self.text_of(self.nth(n + 1));
                let op = negated_word_operator(word)?;
                if let Infix::In { .. } = op {
                    if self.nth_kind(n + 2) == TokenKind::Tilde && self.nth_touches_previous(n + 2)
                    {
                        return Some((
                            Infix::In {
                                negated: true,
                                ci: true,
                            },
                            3,
                        ));
                    }
                }
                Some((op, 2))
            }
            _ => None,
        }
    }

    /// The Pratt loop: a prefix expression, then infix operators binding at
    /// least as tightly as `min_bp`.
    #[recursive::recursive]
    pub(super) fn parse_expr_bp(&mut self, min_bp: u8) -> Expr {
        if !self.enter() {
            return self.error_expr_here();
        }
        let mut left = self.parse_prefix();
        let mut chain = 0usize;
        // The level of the last non-associative operator applied in this
        // loop: a following operator at that level or above is an error.
        let mut closed_level: Option<u8> = None;
        while let Some((op, len)) = self.peek_infix() {
            let bp = op.binding_power();
            if bp < min_bp {
                break;
            }
            let non_associative = matches!(bp, BP_EQUALITY | BP_STRING | BP_RELATIONAL);
            if let Some(level) = closed_level.filter(|level| bp >= *level) {
                let _ = level;
                let found = self.describe_current();
                let span = self.tok().span;
                self.error(
                    codes::UNEXPECTED_TOKEN,
                    format!("unexpected {found}: comparisons cannot be chained, add parentheses"),
                    span,
                );
            }
            if non_associative {
                closed_level = Some(bp);
            }
            if self.height >= MAX_HEIGHT {
                // A chain this long would make a tree too tall to walk or
                // drop recursively; report and skip the rest.
                self.enter();
                break;
            }
            for _ in 0..len {
                self.bump();
            }
            let start = left.span.start;
            let kind = match op {
                Infix::Binary(op) => {
                    let right = self.parse_operand(bp + 1);
                    ExprKind::Binary {
                        op,
                        left: Box::new(left),
                        right: Box::new(right),
                    }
                }
                Infix::ColumnMatch => {
                    let right = self.parse_operand(bp + 1);
                    ExprKind::ColumnMatch {
                        column: Box::new(left),
                        value: Box::new(right),
                    }
                }
                Infix::In { negated, ci } => ExprKind::In {
                    negated,
                    case_insensitive: ci,
                    left: Box::new(left),
                    list: self.parse_value_list(),
                },
                Infix::HasAny { all } => ExprKind::HasAny {
                    all,
                    left: Box::new(left),
                    list: self.parse_value_list(),
                },
                Infix::Between { negated } => {
                    let (low, high) = self.parse_between_range();
                    ExprKind::Between {
                        negated,
                        left: Box::new(left),
                        low: Box::new(low),
                        high: Box::new(high),
                    }
                }
            };
            left = Expr {
                kind,
                span: self.span_from(start),
            };
            chain += 1;
            self.height += 1;
        }
        self.height -= chain;
        self.leave();
        left
    }

    /// The right operand of a binary operator; reports a missing one.
    fn parse_operand(&mut self, bp: u8) -> Expr {
        self.parse_expr_bp(bp)
    }

    /// An error node at the cursor (after a reported error).
    fn error_expr_here(&self) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: Span::empty(self.tok().span.start),
        }
    }

    /// `( a, b, ... )` after `in` / `has_any`; the items may be subqueries.
    /// A single name or call without parentheses is accepted as a one-item
    /// list (`x in (list)` is usual, `x has_any (terms)` too).
    #[recursive::recursive]
    fn parse_value_list(&mut self) -> Vec<Expr> {
        let Some(open) = self.eat(TokenKind::LParen) else {
            self.error_expected("`(` and a list of values");
            return Vec::new();
        };
        let mut items = Vec::new();
        if !self.enter() {
            self.expect_close(TokenKind::RParen, open);
            return items;
        }
        // At least one item, and no trailing comma; no `*` here.
        let saved = self.star_ok;
        self.star_ok = false;
        items.extend(self.comma_separated(Self::parse_pipe_expr));
        self.star_ok = saved;
        self.leave();
        self.expect_close(TokenKind::RParen, open);
        items
    }

    /// `( low .. high )` after `between`.
    fn parse_between_range(&mut self) -> (Expr, Expr) {
        let Some(open) = self.expect(TokenKind::LParen, "`(` and a range `low .. high`") else {
            return (self.error_expr_here(), self.error_expr_here());
        };
        let low = self.parse_expr();
        let high = if self
            .expect(TokenKind::DotDot, "`..` between the bounds")
            .is_some()
        {
            self.parse_expr()
        } else {
            self.error_expr_here()
        };
        self.expect_close(TokenKind::RParen, open);
        (low, high)
    }

    #[recursive::recursive]
    fn parse_prefix(&mut self) -> Expr {
        let op = match self.kind() {
            TokenKind::Minus => Some(UnaryOp::Negate),
            TokenKind::Plus => Some(UnaryOp::Plus),
            _ => None,
        };
        if let Some(op) = op {
            let start = self.bump().span.start;
            // The operand is a primary with its postfix accesses: Kusto
            // rejects a sign after a sign (`--1`, `- -a`).
            let operand = if matches!(self.kind(), TokenKind::Minus | TokenKind::Plus) {
                let found = self.describe_current();
                let span = self.tok().span;
                self.error(
                    codes::MISSING_EXPRESSION,
                    format!("expected an expression after the sign, found {found}"),
                    span,
                );
                self.bump();
                self.error_expr_here()
            } else if self.enter() {
                let primary = self.parse_primary();
                let operand = self.parse_postfix(primary);
                self.leave();
                operand
            } else {
                self.error_expr_here()
            };
            return Expr {
                kind: ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
                span: self.span_from(start),
            };
        }
        let primary = self.parse_primary();
        self.parse_postfix(primary)
    }

    /// `.member`, `.['member']`, `[index]` and method calls after a primary.
    #[recursive::recursive]
    fn parse_postfix(&mut self, mut expr: Expr) -> Expr {
        let mut chain = 0usize;
        loop {
            if self.height >= MAX_HEIGHT {
                self.enter();
                break;
            }
            let start = expr.span.start;
            match self.kind() {
                // `a.[0]`, `a.["key"]`: an index written after a dot.
                TokenKind::Dot
                    if self.nth_kind(1) == TokenKind::LBracket && !self.nth_name_at(1) =>
                {
                    self.bump();
                    let open = self.bump();
                    let index = self.parse_expr();
                    self.expect_close(TokenKind::RBracket, open);
                    expr = Expr {
                        kind: ExprKind::Index {
                            target: Box::new(expr),
                            index: Box::new(index),
                        },
                        span: self.span_from(start),
                    };
                }
                TokenKind::Dot
                    if matches!(self.nth_kind(1), TokenKind::Ident | TokenKind::LBracket) =>
                {
                    self.bump();
                    let member_token = self.tok();
                    let Some(member) = self.parse_name() else {
                        self.error_expected("a member name after `.`");
                        break;
                    };
                    // After a dot, calls too (`x.dynamic(1)`): a keyword
                    // is never a member.
                    if !member.quoted && keywords::reserved_in_expression(&member.name) {
                        self.error(
                            codes::RESERVED_NAME,
                            format!(
                                "the keyword `{0}` cannot follow `.`; write ['{0}']",
                                member.name
                            ),
                            member_token.span,
                        );
                    }
                    if self.at(TokenKind::LParen) && !member.quoted {
                        let args = self.parse_arguments();
                        let span = self.span_from(start);
                        expr = Expr {
                            kind: ExprKind::Call(Call {
                                name: member,
                                target: Some(Box::new(expr)),
                                args,
                                span,
                            }),
                            span,
                        };
                    } else {
                        expr = Expr {
                            kind: ExprKind::Path {
                                target: Box::new(expr),
                                member,
                            },
                            span: self.span_from(start),
                        };
                    }
                }
                TokenKind::LBracket => {
                    let open = self.bump();
                    let index = self.parse_expr();
                    self.expect_close(TokenKind::RBracket, open);
                    expr = Expr {
                        kind: ExprKind::Index {
                            target: Box::new(expr),
                            index: Box::new(index),
                        },
                        span: self.span_from(start),
                    };
                }
                _ => break,
            }
            chain += 1;
            self.height += 1;
        }
        self.height -= chain;
        expr
    }

    #[recursive::recursive]
    fn parse_primary(&mut self) -> Expr {
        let t = self.tok();
        let start = t.span.start;
        match t.kind {
            TokenKind::Int
            | TokenKind::Real
            | TokenKind::Timespan
            | TokenKind::String
            | TokenKind::TypedLiteral => {
                let literal = self.parse_literal_token();
                Expr {
                    span: literal.span,
                    kind: ExprKind::Literal(literal),
                }
            }
            TokenKind::Ident => {
                let word = self.text_of(t);
                match word {
                    "true" | "false" => {
                        self.bump();
                        return Expr {
                            kind: ExprKind::Literal(Literal {
                                kind: LiteralKind::Bool(word == "true"),
                                span: t.span,
                            }),
                            span: t.span,
                        };
                    }
                    "dynamic" if self.nth_kind(1) == TokenKind::LParen => {
                        return self.parse_dynamic_literal();
                    }
                    "typeof" if self.nth_kind(1) == TokenKind::LParen => {
                        return self.parse_typeof();
                    }
                    _ => {}
                }
                // A type name calls only with the `(` right after it
                // (`int64(x)`); other callable words take spaces.
                let with_kind = matches!(word, "toscalar" | "totable")
                    && self.nth_is_word(1, "kind")
                    && self.nth_kind(2) == TokenKind::Assign;
                let is_call = with_kind
                    || (self.nth_kind(1) == TokenKind::LParen
                        && (self.nth_touches_previous(1) || !keywords::is_type_name(word)));
                let callable_keyword = matches!(word, "toscalar" | "totable") && is_call;
                if word == "hint" && self.at_hint_keyword() {
                    self.error(
                        codes::RESERVED_NAME,
                        "`hint.*` names are operator options, not columns (write ['hint'] for a column named hint)",
                        t.span,
                    );
                }
                let reserved = if is_call {
                    !keywords::callable(word)
                } else {
                    keywords::reserved_in_expression(word)
                };
                if reserved {
                    self.error(
                        codes::RESERVED_NAME,
                        format!(
                            "expected an expression, found the keyword `{word}` (write ['{word}'] to use it as a name)"
                        ),
                        t.span,
                    );
                }
                let name = self.parse_name().unwrap_or_else(|| Ident {
                    name: String::new(),
                    span: t.span,
                    quoted: false,
                });
                // `toscalar kind=nooptimization (...)`: the option before
                // the parenthesis.
                if matches!(word, "toscalar" | "totable")
                    && self.at_word("kind")
                    && self.nth_kind(1) == TokenKind::Assign
                {
                    self.bump();
                    self.bump();
                    self.parse_param_value();
                }
                if self.at(TokenKind::LParen) {
                    // Only `toscalar` and `totable` take a bare pipeline as
                    // argument.
                    let tabular_args = callable_keyword || matches!(word, "toscalar" | "totable");
                    let args = self.parse_arguments_of(tabular_args);
                    let span = self.span_from(start);
                    return Expr {
                        kind: ExprKind::Call(Call {
                            name,
                            target: None,
                            args,
                            span,
                        }),
                        span,
                    };
                }
                Expr {
                    span: name.span,
                    kind: ExprKind::Name(name),
                }
            }
            // `['name']`, and `{name}`, a parameter the client fills in.
            TokenKind::LBracket | TokenKind::LBrace if self.at_name() => {
                let name = self.parse_name().unwrap_or_else(|| Ident {
                    name: String::new(),
                    span: t.span,
                    quoted: true,
                });
                Expr {
                    span: name.span,
                    kind: ExprKind::Name(name),
                }
            }
            TokenKind::LBracket => {
                let open = self.bump();
                if !self.enter() {
                    self.expect_close(TokenKind::RBracket, open);
                    return self.error_expr_here();
                }
                let inner = self.parse_expr();
                self.leave();
                self.expect_close(TokenKind::RBracket, open);
                Expr {
                    kind: ExprKind::Bracketed(Box::new(inner)),
                    span: self.span_from(start),
                }
            }
            TokenKind::LParen => {
                let open = self.bump();
                if !self.enter() {
                    self.expect_close(TokenKind::RParen, open);
                    return Expr {
                        kind: ExprKind::Error,
                        span: self.span_from(start),
                    };
                }
                let inner = self.parse_pipe_expr_or_implicit();
                self.leave();
                self.expect_close(TokenKind::RParen, open);
                Expr {
                    kind: ExprKind::Paren(Box::new(inner)),
                    span: self.span_from(start),
                }
            }
            // `*` means "any column" only as the left side of `==` or a
            // string operator (`where * has "x"`), as in Kusto.
            TokenKind::Star
                if self.search_mode || (self.star_ok && self.star_comparison_follows()) =>
            {
                self.bump();
                Expr {
                    kind: ExprKind::Star,
                    span: t.span,
                }
            }
            _ => {
                // Point just after what precedes the gap (`where x ==|`),
                // not at the next line's token.
                let found = self.describe_current();
                let at = if self.pos == 0 {
                    t.span.start
                } else {
                    self.prev_end()
                };
                self.error(
                    codes::MISSING_EXPRESSION,
                    format!("expected an expression, found {found}"),
                    Span::empty(at),
                );
                self.error_expr_here()
            }
        }
    }

    /// `hint.strategy` and the other hint keywords at the cursor (Kusto
    /// reads each as one keyword, so they are no path).
    fn at_hint_keyword(&self) -> bool {
        self.at_word("hint")
            && self.nth_kind(1) == TokenKind::Dot
            && self.nth_touches_previous(1)
            && self.nth_touches_previous(2)
            && self.nth_kind(2) == TokenKind::Ident
            && matches!(
                self.text_of(self.nth(2)),
                "concurrency"
                    | "distribution"
                    | "materialized"
                    | "num_partitions"
                    | "shufflekey"
                    | "spread"
                    | "remote"
                    | "strategy"
                    | "progressive_top"
            )
    }

    /// After a `*` at the cursor: is the operator that follows `==` or a
    /// string operator?
    fn star_comparison_follows(&self) -> bool {
        match self.peek_infix_at(1) {
            Some((Infix::Binary(BinaryOp::Eq), _)) => true,
            Some((op, _)) => op.binding_power() == BP_STRING,
            None => false,
        }
    }

    /// A `*` standing alone as a list item (followed by `,` or `)`).
    pub(super) fn at_lone_star(&self) -> bool {
        self.at(TokenKind::Star)
            && matches!(
                self.nth_kind(1),
                TokenKind::Comma
                    | TokenKind::RParen
                    | TokenKind::Pipe
                    | TokenKind::Semicolon
                    | TokenKind::Eof
            )
    }

    /// `( [name =] value, ... )` of scalar values; the cursor is on `(`.
    pub(super) fn parse_arguments(&mut self) -> Vec<Argument> {
        self.parse_arguments_of(false)
    }

    /// `( [name =] value, ... )`; with `tabular`, the one argument of
    /// `toscalar(...)`, `totable(...)` or `materialize(...)`: a pipeline,
    /// unnamed and required.
    #[recursive::recursive]
    pub(super) fn parse_arguments_of(&mut self, tabular: bool) -> Vec<Argument> {
        let mut args = Vec::new();
        let Some(open) = self.eat(TokenKind::LParen) else {
            return args;
        };
        if tabular {
            if self.at(TokenKind::RParen) {
                self.error_expected("a query");
            } else if self.enter() {
                let start = self.tok().span.start;
                let value = self.parse_pipe_expr_or_implicit();
                self.leave();
                args.push(Argument {
                    name: None,
                    value,
                    span: self.span_from(start),
                });
            }
            self.expect_close(TokenKind::RParen, open);
            return args;
        }
        if !self.enter() {
            self.expect_close(TokenKind::RParen, open);
            return args;
        }
        let saved_star = self.star_ok;
        self.star_ok = true;
        let mut more = !self.at(TokenKind::RParen);
        while more {
            let before = self.pos;
            let start = self.tok().span.start;
            let name = if self.at(TokenKind::Ident) && self.nth_kind(1) == TokenKind::Assign {
                let n = self.parse_name();
                self.bump();
                n
            } else {
                None
            };
            let value = if self.at_lone_star() {
                // `arg_max(T, *)`, `count(*)`: a wildcard argument.
                let star = self.bump();
                Expr {
                    kind: ExprKind::Star,
                    span: star.span,
                }
            } else {
                self.parse_expr()
            };
            args.push(Argument {
                name,
                value,
                span: self.span_from(start),
            });
            // After a comma another argument is required.
            more = self.eat(TokenKind::Comma).is_some() && self.pos != before;
        }
        self.star_ok = saved_star;
        self.leave();
        self.expect_close(TokenKind::RParen, open);
        args
    }

    /// `typeof(type)` / `typeof(Name:type, ..., *)`. As in Kusto's parser,
    /// a lone type may be any name (`typeof(int16)`, checked by the
    /// engine), while the columns of a list take scalar types.
    fn parse_typeof(&mut self) -> Expr {
        let start = self.bump().span.start;
        let mut items = Vec::new();
        if let Some(open) = self.eat(TokenKind::LParen) {
            while !self.at(TokenKind::RParen) && !self.at(TokenKind::Eof) {
                let before = self.pos;
                if let Some(star) = self.eat(TokenKind::Star) {
                    items.push(TypeOfItem::Star(star.span));
                } else if self
                    .name_len(0)
                    .is_some_and(|len| self.nth_kind(len) == TokenKind::Colon)
                {
                    let item_start = self.tok().span.start;
                    let name = self.parse_name();
                    self.bump(); // `:`
                    if self.at(TokenKind::LParen) {
                        let schema = self.parse_schema_or_star();
                        if let Some(name) = name {
                            items.push(TypeOfItem::Table { name, schema });
                        }
                    } else if let Some(ty) = self.parse_type_name() {
                        if let Some(name) = name {
                            items.push(TypeOfItem::Column(ColumnDeclaration {
                                name,
                                ty,
                                span: self.span_from(item_start),
                            }));
                        }
                    }
                } else if items.is_empty() && self.nth_kind(1) == TokenKind::RParen {
                    if let Some(ty) = self.parse_any_type_name() {
                        items.push(TypeOfItem::Type(ty));
                    }
                } else {
                    self.error_expected("`Name: type` or `*` in a typeof list");
                    self.skip_nested_construct();
                }
                if self.eat(TokenKind::Comma).is_none() {
                    break;
                }
                // `typeof(*,)`: a comma promises another entry.
                if self.at(TokenKind::RParen) {
                    self.error_expected("`Name: type` or `*` after `,`");
                    break;
                }
                if self.pos == before {
                    self.bump();
                }
            }
            self.expect_close(TokenKind::RParen, open);
        }
        Expr {
            kind: ExprKind::TypeOf(items),
            span: self.span_from(start),
        }
    }

    /// Any identifier as a type name, or an error: a type, or a name that
    /// is no keyword (`typeof(float)`, `typeof(mytype)`, not
    /// `typeof(count)`).
    pub(super) fn parse_any_type_name(&mut self) -> Option<TypeName> {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            let word = self.text_of(t);
            if keywords::is_keyword(word) && !keywords::is_type_keyword(word) {
                self.error(
                    codes::UNKNOWN_TYPE,
                    format!("`{word}` is a keyword, not a type"),
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

    // ----- literals -----------------------------------------------------

    /// One literal token as an expression (a run of adjacent strings is
    /// one), with nothing after it; anything else is read as a postfix
    /// expression.
    pub(super) fn parse_primary_literal(&mut self) -> Expr {
        if matches!(
            self.kind(),
            TokenKind::Int
                | TokenKind::Real
                | TokenKind::Timespan
                | TokenKind::String
                | TokenKind::TypedLiteral
        ) {
            let literal = self.parse_literal_token();
            return Expr {
                span: literal.span,
                kind: ExprKind::Literal(literal),
            };
        }
        self.parse_expr_bp(BP_POSTFIX)
    }

    /// A literal token (or a run of adjacent string tokens).
    fn parse_literal_token(&mut self) -> Literal {
        let t = self.bump();
        let raw = self.text_of(t);
        let kind = match t.kind {
            TokenKind::Int => match parse_int(raw) {
                Some(v) => LiteralKind::Long(v),
                None => match raw.parse::<f64>() {
                    Ok(v) => LiteralKind::Real(v),
                    Err(_) => {
                        self.error(
                            codes::INVALID_NUMBER,
                            format!("invalid number `{raw}`"),
                            t.span,
                        );
                        LiteralKind::Long(0)
                    }
                },
            },
            TokenKind::Real => LiteralKind::Real(raw.parse().unwrap_or(f64::NAN)),
            TokenKind::Timespan => LiteralKind::Timespan(timespan_ticks(raw)),
            TokenKind::TypedLiteral => self.typed_literal(raw, t.span),
            _ => {
                let mut value = decode_string(raw);
                let mut obfuscated = raw.starts_with(['h', 'H']);
                let mut verbatim = raw.trim_start_matches(['h', 'H']).starts_with('@');
                let mut end = t.span.end;
                while self.at(TokenKind::String) {
                    let next = self.bump();
                    let raw = self.text_of(next);
                    value.push_str(&decode_string(raw));
                    obfuscated |= raw.starts_with(['h', 'H']);
                    verbatim |= raw.trim_start_matches(['h', 'H']).starts_with('@');
                    end = next.span.end;
                }
                return Literal {
                    kind: LiteralKind::String(StringLiteral {
                        value,
                        obfuscated,
                        verbatim,
                    }),
                    span: Span::new(t.span.start, end),
                };
            }
        };
        Literal { kind, span: t.span }
    }

    /// `type(text)`: split, and check the inside. Kusto's parser takes any
    /// text there and the engine rejects a bad value when the query runs,
    /// so a bad value is a warning ([`codes::INVALID_LITERAL_VALUE`]), not
    /// an error. A literal the lexer found malformed (no `)`) was reported
    /// there.
    fn typed_literal(&mut self, raw: &str, span: Span) -> LiteralKind {
        let (ty, rest) = raw.split_once('(').unwrap_or((raw, ""));
        let ty = ty.trim().to_string();
        let closed = rest.ends_with(')');
        let text = rest.strip_suffix(')').unwrap_or(rest).trim().to_string();
        let quoted = text.starts_with(['\'', '"']);
        let unsigned = text
            .strip_prefix(['+', '-'])
            .map_or(text.as_str(), str::trim_start);
        let valid = text == "null"
            || quoted
            || match ty.as_str() {
                "int" | "long" => {
                    parse_int(unsigned).is_some()
                        || (text.starts_with('-')
                            && unsigned.parse::<i128>().is_ok_and(|v| v <= 1 << 63))
                }
                "real" | "double" | "decimal" => {
                    unsigned == "inf" || unsigned == "nan" || unsigned.parse::<f64>().is_ok()
                }
                "bool" => text == "true" || text == "false",
                _ => !text.is_empty(),
            };
        if closed && !valid {
            self.warn(
                codes::INVALID_LITERAL_VALUE,
                format!("`{text}` is not a valid {ty} value (Kusto parses the query, but rejects it when it runs)"),
                span,
            );
        }
        LiteralKind::Typed(TypedLiteral { ty, text })
    }

    /// `dynamic( value )`.
    fn parse_dynamic_literal(&mut self) -> Expr {
        let start = self.bump().span.start;
        let open = self.bump();
        let value = if self.at(TokenKind::RParen) {
            self.error(
                codes::INVALID_DYNAMIC,
                "empty dynamic literal (write `dynamic(null)`)",
                self.tok().span,
            );
            DynamicValue {
                kind: DynamicKind::Null,
                span: Span::empty(self.tok().span.start),
            }
        } else {
            self.parse_dynamic_value()
        };
        self.expect_close(TokenKind::RParen, open);
        let span = self.span_from(start);
        Expr {
            kind: ExprKind::Literal(Literal {
                kind: LiteralKind::Dynamic(Box::new(value)),
                span,
            }),
            span,
        }
    }

    /// A JSON-like value inside `dynamic(...)`.
    #[recursive::recursive]
    fn parse_dynamic_value(&mut self) -> DynamicValue {
        let t = self.tok();
        let start = t.span.start;
        if !self.enter() {
            return DynamicValue {
                kind: DynamicKind::Null,
                span: Span::empty(start),
            };
        }
        let kind = match t.kind {
            TokenKind::LBrace if self.client_parameter_at(0) => match self.parse_name() {
                Some(name) => DynamicKind::Parameter(name),
                None => DynamicKind::Null,
            },
            // A nested `dynamic(...)` is its value.
            TokenKind::Ident
                if self.text_of(t) == "dynamic" && self.nth_kind(1) == TokenKind::LParen =>
            {
                self.bump();
                let open = self.bump();
                let inner = if self.at(TokenKind::RParen) {
                    DynamicKind::Null
                } else {
                    self.parse_dynamic_value().kind
                };
                self.expect_close(TokenKind::RParen, open);
                inner
            }
            TokenKind::LBracket => {
                let open = self.bump();
                let mut items = Vec::new();
                let mut more = !self.at(TokenKind::RBracket);
                while more {
                    let before = self.pos;
                    items.push(self.parse_dynamic_value());
                    more = self.eat(TokenKind::Comma).is_some() && self.pos != before;
                }
                self.expect_close(TokenKind::RBracket, open);
                DynamicKind::Array(items)
            }
            TokenKind::LBrace => {
                let open = self.bump();
                let mut members = Vec::new();
                let mut more = !self.at(TokenKind::RBrace);
                while more {
                    let before = self.pos;
                    if self.at(TokenKind::String) {
                        // One string token: adjacent strings do not join
                        // into a key.
                        let key_token = self.tok();
                        let key = match self.parse_literal_token().kind {
                            LiteralKind::String(s) => s,
                            _ => StringLiteral {
                                value: String::new(),
                                obfuscated: false,
                                verbatim: false,
                            },
                        };
                        let last = self.tokens[self.pos - 1].span;
                        if last != key_token.span {
                            // parse_literal_token joined several strings.
                            self.error(
                                codes::INVALID_DYNAMIC,
                                "a key of a dynamic object is one string, not several joined",
                                key_token.span.cover(last),
                            );
                        }
                        if self.expect(TokenKind::Colon, "`:` after the key").is_some() {
                            let value = self.parse_dynamic_value();
                            members.push((key, value));
                        }
                    } else {
                        let span = self.tok().span;
                        self.error(
                            codes::INVALID_DYNAMIC,
                            format!(
                                "expected a string key in a dynamic object, found {}",
                                self.describe_current()
                            ),
                            span,
                        );
                        self.skip_nested_construct();
                    }
                    more = self.eat(TokenKind::Comma).is_some() && self.pos != before;
                }
                self.expect_close(TokenKind::RBrace, open);
                DynamicKind::Object(members)
            }
            TokenKind::Ident if self.text_of(t) == "null" => {
                self.bump();
                DynamicKind::Null
            }
            TokenKind::Ident if matches!(self.text_of(t), "true" | "false") => {
                self.bump();
                DynamicKind::Literal(Literal {
                    kind: LiteralKind::Bool(self.text_of(t) == "true"),
                    span: t.span,
                })
            }
            // Every typed literal but `int(...)`, as in Kusto's JSON values.
            TokenKind::TypedLiteral if self.text_of(t).starts_with("int(") => {
                self.error(
                    codes::INVALID_DYNAMIC,
                    "an `int(...)` literal cannot stand in a dynamic value (write the number)",
                    t.span,
                );
                self.bump();
                DynamicKind::Null
            }
            TokenKind::Int
            | TokenKind::Real
            | TokenKind::Timespan
            | TokenKind::String
            | TokenKind::TypedLiteral => DynamicKind::Literal(self.parse_literal_token()),
            // Only numbers take a sign in a dynamic value (not `-1d`).
            TokenKind::Minus if matches!(self.nth_kind(1), TokenKind::Int | TokenKind::Real) => {
                let sign = self.bump();
                let mut literal = self.parse_literal_token();
                {
                    literal.kind = match literal.kind {
                        LiteralKind::Long(v) => LiteralKind::Long(v.wrapping_neg()),
                        LiteralKind::Real(v) => LiteralKind::Real(-v),
                        LiteralKind::Timespan(v) => LiteralKind::Timespan(v.map(i64::wrapping_neg)),
                        other => other,
                    };
                }
                literal.span = sign.span.cover(literal.span);
                DynamicKind::Literal(literal)
            }
            _ => {
                let found = self.describe_current();
                self.error(
                    codes::INVALID_DYNAMIC,
                    format!("expected a value in a dynamic literal, found {found}"),
                    t.span,
                );
                self.skip_nested_construct();
                DynamicKind::Null
            }
        };
        self.leave();
        DynamicValue {
            kind,
            span: self.span_from(start),
        }
    }
}

/// Decimal or `0x` hexadecimal integer.
fn parse_int(raw: &str) -> Option<i64> {
    if let Some(hex) = raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X")) {
        if hex.is_empty() {
            return Some(0); // `0x`, which Kusto reads as 0
        }
        return u64::from_str_radix(hex, 16).ok().map(|v| v as i64);
    }
    raw.parse().ok()
}

/// Ticks (100 ns) of a `<number><unit>` timespan, when representable.
fn timespan_ticks(raw: &str) -> Option<i64> {
    let split = raw.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = raw.split_at(split);
    let value: f64 = number.parse().ok()?;
    let ticks_per_unit: f64 = match unit {
        "d" | "day" | "days" => 864_000_000_000.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 36_000_000_000.0,
        "m" | "min" | "minute" | "minutes" => 600_000_000.0,
        "s" | "sec" | "second" | "seconds" => 10_000_000.0,
        "ms" | "milli" | "millis" | "millisec" | "millisecond" | "milliseconds" => 10_000.0,
        "micro" | "micros" | "microsec" | "microsecond" | "microseconds" => 10.0,
        "nano" | "nanos" | "nanosec" | "nanosecond" | "nanoseconds" => 0.01,
        "tick" | "ticks" => 1.0,
        _ => return None,
    };
    let ticks = value * ticks_per_unit;
    (ticks.is_finite() && ticks.abs() < 9.2e18).then_some(ticks.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_convert_to_ticks() {
        assert_eq!(timespan_ticks("1d"), Some(864_000_000_000));
        assert_eq!(timespan_ticks("1.5h"), Some(54_000_000_000));
        assert_eq!(timespan_ticks("100ms"), Some(1_000_000));
        assert_eq!(timespan_ticks("1tick"), Some(1));
    }

    #[test]
    fn integers_decimal_and_hex() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("abc"), None);
    }
}
