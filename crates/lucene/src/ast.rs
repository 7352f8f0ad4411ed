//! The Lucene query-string syntax tree. Every node carries its byte span.
//!
//! Operator precedence is the one of `luqum` (the reference we test
//! against): clauses written side by side (implicit operator) bind loosest,
//! then `OR`, then `AND`, then the prefixes `NOT`/`!`/`+`/`-`, then the
//! suffixes `~` and `^`.

use ruledex_ir::Span;

/// A whole query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The expression; `None` for an empty query.
    pub node: Option<Node>,
    /// The span of the whole text.
    pub span: Span,
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Clauses side by side, joined by the default operator (`OR` in
    /// Elasticsearch), each possibly `+required` or `-prohibited`.
    Implicit {
        /// The clauses.
        items: Vec<Node>,
        /// The whole sequence.
        span: Span,
    },
    /// `a OR b` (`||`).
    Or {
        /// Operands.
        items: Vec<Node>,
        /// The whole expression.
        span: Span,
    },
    /// `a AND b` (`&&`).
    And {
        /// Operands.
        items: Vec<Node>,
        /// The whole expression.
        span: Span,
    },
    /// `NOT a` or `!a`.
    Not {
        /// The negated clause.
        expr: Box<Node>,
        /// Including the operator.
        span: Span,
    },
    /// `+a`: the clause must match.
    Required {
        /// The clause.
        expr: Box<Node>,
        /// Including the `+`.
        span: Span,
    },
    /// `-a`: the clause must not match.
    Prohibited {
        /// The clause.
        expr: Box<Node>,
        /// Including the `-`.
        span: Span,
    },
    /// `field:expr`.
    Field {
        /// The field name, escapes decoded.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// What the field must match.
        expr: Box<Node>,
        /// The whole expression.
        span: Span,
    },
    /// `( … )`.
    Group {
        /// The inner query.
        expr: Box<Node>,
        /// Including the parentheses.
        span: Span,
    },
    /// A single term (possibly with `*`/`?` wildcards).
    Term(Term),
    /// A `"quoted phrase"`.
    Phrase {
        /// The phrase, escapes decoded.
        text: String,
        /// Including the quotes.
        span: Span,
    },
    /// A `/regular expression/`.
    Regex {
        /// The pattern between the slashes (`\/` decoded to `/`).
        pattern: String,
        /// Including the slashes.
        span: Span,
    },
    /// `[a TO b]`, `{a TO b}` or mixed; `*` is an open bound.
    Range(Range),
    /// `>=10` and friends (Elasticsearch's one-sided range shorthand).
    Compare {
        /// The comparison.
        op: CompareOp,
        /// The bound.
        value: Term,
        /// Including the operator.
        span: Span,
    },
    /// `term~2` (fuzzy) or `"a phrase"~3` (proximity).
    Tilde {
        /// The term or phrase.
        expr: Box<Node>,
        /// The number after `~`, as written (`None` for a bare `~`).
        distance: Option<String>,
        /// Including the suffix.
        span: Span,
    },
    /// `clause^2`: scoring only.
    Boost {
        /// The boosted clause.
        expr: Box<Node>,
        /// The factor as written.
        factor: String,
        /// Including the suffix.
        span: Span,
    },
    /// Something that did not parse; its error is in the error list.
    Error {
        /// The skipped text.
        span: Span,
    },
}

impl Node {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            Node::Implicit { span, .. }
            | Node::Or { span, .. }
            | Node::And { span, .. }
            | Node::Not { span, .. }
            | Node::Required { span, .. }
            | Node::Prohibited { span, .. }
            | Node::Field { span, .. }
            | Node::Group { span, .. }
            | Node::Phrase { span, .. }
            | Node::Regex { span, .. }
            | Node::Compare { span, .. }
            | Node::Tilde { span, .. }
            | Node::Boost { span, .. }
            | Node::Error { span } => *span,
            Node::Term(t) => t.span,
            Node::Range(r) => r.span,
        }
    }
}

/// A piece of a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Literal text, escapes decoded.
    Text(String),
    /// `*`: any run of characters.
    Star,
    /// `?`: any one character.
    Question,
}

/// A term.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// The decoded pieces.
    pub parts: Vec<Part>,
    /// The term as written (escapes kept).
    pub raw: String,
    /// Where it is.
    pub span: Span,
}

impl Term {
    /// True when the term has an unescaped `*` or `?`.
    pub fn is_wildcard(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Text(_)))
    }

    /// True for a lone `*`.
    pub fn is_star(&self) -> bool {
        self.parts == [Part::Star]
    }

    /// The decoded text with wildcards shown as `*` and `?`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Star => out.push('*'),
                Part::Question => out.push('?'),
            }
        }
        out
    }

    /// The term as a wildcard pattern (`*` and `?` are wildcards).
    pub fn pattern(&self) -> ruledex_ir::Pattern {
        let mut pattern = ruledex_ir::Pattern::new();
        for part in &self.parts {
            pattern.push(match part {
                Part::Text(t) => ruledex_ir::PatternPart::Text(t.clone()),
                Part::Star => ruledex_ir::PatternPart::AnyRun,
                Part::Question => ruledex_ir::PatternPart::AnyChar,
            });
        }
        pattern
    }
}

/// One bound of a range.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    /// The value as written and decoded (quotes removed); `*` is open.
    pub value: String,
    /// True when the bound was quoted.
    pub quoted: bool,
    /// Where it is.
    pub span: Span,
}

impl Bound {
    /// True for an open bound (`*`).
    pub fn is_open(&self) -> bool {
        !self.quoted && self.value == "*"
    }
}

/// `[low TO high]` with inclusive `[ ]` or exclusive `{ }` ends.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// Lower bound.
    pub low: Bound,
    /// Upper bound.
    pub high: Bound,
    /// `[` rather than `{`.
    pub low_inclusive: bool,
    /// `]` rather than `}`.
    pub high_inclusive: bool,
    /// Including the brackets.
    pub span: Span,
}

/// A one-sided comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}
