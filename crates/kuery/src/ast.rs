//! The kuery syntax tree. Every node carries its byte span in the query text.
//!
//! The shapes follow Kibana's grammar: a query is `or` of `and` of `not` of
//! primaries; a primary is a parenthesized query, a nested query
//! `field:{ … }`, a range `field >= v`, a field query `field: values`, or a
//! field-less value. Values after `field:` form their own small boolean
//! language (`field:(a or (b and not c))`).

use ruledex_ir::Span;

/// A whole kuery query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The expression; `None` for an empty query (which matches everything).
    pub expr: Option<Expr>,
    /// The span of the whole text.
    pub span: Span,
}

/// A boolean query expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a or b or …` (two or more items).
    Or {
        /// The operands, in order.
        items: Vec<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `a and b and …` (two or more items).
    And {
        /// The operands, in order.
        items: Vec<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `not a`.
    Not {
        /// The negated query.
        expr: Box<Expr>,
        /// From `not` to the end of the operand.
        span: Span,
    },
    /// `( query )`.
    Group {
        /// The inner query.
        expr: Box<Expr>,
        /// Including the parentheses.
        span: Span,
    },
    /// `field:{ query }`: the inner fields are relative to `field`.
    Nested {
        /// The parent field.
        field: Field,
        /// The inner query.
        expr: Box<Expr>,
        /// Including the braces.
        span: Span,
    },
    /// `field < value` (also `<=`, `>`, `>=`).
    Range {
        /// The field.
        field: Field,
        /// The comparison.
        op: RangeOp,
        /// The bound.
        value: Literal,
        /// The whole expression.
        span: Span,
    },
    /// `field: value` or `field: (value list)`.
    Field {
        /// The field.
        field: Field,
        /// What it must match.
        values: ValueExpr,
        /// The whole expression.
        span: Span,
    },
    /// A value without a field: a full-text search over the default fields.
    Value {
        /// The value.
        value: Literal,
    },
    /// Something that did not parse; its error is in the error list.
    Error {
        /// The skipped text.
        span: Span,
    },
}

impl Expr {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            Expr::Or { span, .. }
            | Expr::And { span, .. }
            | Expr::Not { span, .. }
            | Expr::Group { span, .. }
            | Expr::Nested { span, .. }
            | Expr::Range { span, .. }
            | Expr::Field { span, .. }
            | Expr::Error { span } => *span,
            Expr::Value { value } => value.span,
        }
    }
}

/// The values a field must match: a literal or a boolean list of them.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueExpr {
    /// `a or b or …`.
    Or {
        /// The alternatives.
        items: Vec<ValueExpr>,
        /// The whole list.
        span: Span,
    },
    /// `a and b and …`.
    And {
        /// The values that must all match.
        items: Vec<ValueExpr>,
        /// The whole list.
        span: Span,
    },
    /// `not a`.
    Not {
        /// The negated values.
        expr: Box<ValueExpr>,
        /// From `not` to the end.
        span: Span,
    },
    /// `( values )`.
    Group {
        /// The inner list.
        expr: Box<ValueExpr>,
        /// Including the parentheses.
        span: Span,
    },
    /// One value.
    Literal(Literal),
    /// Something that did not parse.
    Error {
        /// The skipped text.
        span: Span,
    },
}

impl ValueExpr {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            ValueExpr::Or { span, .. }
            | ValueExpr::And { span, .. }
            | ValueExpr::Not { span, .. }
            | ValueExpr::Group { span, .. }
            | ValueExpr::Error { span } => *span,
            ValueExpr::Literal(l) => l.span,
        }
    }
}

/// A range comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl RangeOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Le => "<=",
            RangeOp::Gt => ">",
            RangeOp::Ge => ">=",
        }
    }
}

/// A field name.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The name, escapes decoded (`*` kept for field wildcards such as
    /// `process.*`).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// A piece of a literal: text or an unescaped `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Literal text, escapes decoded (an escaped `\*` is a literal star here).
    Text(String),
    /// An unescaped `*` in an unquoted literal: any run of characters.
    Wildcard,
}

/// A literal value: one or more unquoted words, or a quoted string.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// True for `"quoted"` strings (no wildcards, no keywords).
    pub quoted: bool,
    /// The decoded content. Consecutive unquoted words form one literal
    /// (`field: foo bar` matches the value `foo bar`), joined by the
    /// whitespace written between them.
    pub parts: Vec<Part>,
    /// Where it is (quotes included).
    pub span: Span,
}

impl Literal {
    /// True when the literal has at least one unescaped `*`.
    pub fn is_wildcard(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Wildcard))
    }

    /// True for a lone `*` (after `field:` it tests that the field exists).
    pub fn is_star(&self) -> bool {
        self.parts == [Part::Wildcard]
    }

    /// The decoded text with wildcards shown as `*` (literal stars and
    /// wildcards look alike here; see [`Literal::pattern`], which keeps them apart).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Wildcard => out.push('*'),
            }
        }
        out
    }

    /// The literal as a wildcard pattern (unescaped `*` is a wildcard).
    pub fn pattern(&self) -> ruledex_ir::Pattern {
        let mut pattern = ruledex_ir::Pattern::new();
        for part in &self.parts {
            pattern.push(match part {
                Part::Text(t) => ruledex_ir::PatternPart::Text(t.clone()),
                Part::Wildcard => ruledex_ir::PatternPart::AnyRun,
            });
        }
        pattern
    }
}
