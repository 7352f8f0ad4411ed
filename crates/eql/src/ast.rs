//! The EQL syntax tree. Every node carries its byte span in the query text.
//!
//! The types follow the grammar: a [`Query`] is a base query (event query,
//! sequence, sample or join) followed by pipes; conditions are [`Expr`]
//! trees. Nodes the parser could not build are [`ExprKind::Error`], so a
//! tree always exists, even for broken input.

use ruledex_ir::Span;

/// A name with its place (event category, function, pipe, alias).
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name as written, without a trailing `~`.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// A whole EQL query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The base query; `None` when missing or unparseable.
    pub base: Option<BaseQuery>,
    /// `| pipe args` commands after the base query.
    pub pipes: Vec<Pipe>,
    /// The whole query.
    pub span: Span,
}

/// What the query searches for before its pipes.
#[derive(Clone, Debug, PartialEq)]
pub enum BaseQuery {
    /// `category where condition`.
    Event(EventQuery),
    /// `sequence [by keys] [with maxspan=T] [..] [..] [until [..]]`.
    Sequence(Sequence),
    /// `sample [by keys] [..] [..]`.
    Sample(Sample),
    /// `join [by keys] [..] [..] [until [..]]` (legacy EQL).
    Join(Sequence),
}

impl BaseQuery {
    /// Where the base query is.
    pub fn span(&self) -> Span {
        match self {
            BaseQuery::Event(e) => e.span,
            BaseQuery::Sequence(s) | BaseQuery::Join(s) => s.span,
            BaseQuery::Sample(s) => s.span,
        }
    }
}

/// `category where condition`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventQuery {
    /// The event category (`process`, `any`); `None` when missing.
    pub category: Option<Ident>,
    /// The condition.
    pub condition: Expr,
    /// The whole event query.
    pub span: Span,
}

/// A time span literal (`5m`), as in `with maxspan=5m`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSpan {
    /// The quantity as written (`5`, `1.5`).
    pub quantity: String,
    /// The unit (`ms`, `s`, `m`, `h`, `d`), if written.
    pub unit: Option<Ident>,
    /// The whole literal.
    pub span: Span,
}

impl TimeSpan {
    /// The literal as written without spaces (`5m`).
    pub fn text(&self) -> String {
        match &self.unit {
            Some(u) => format!("{}{}", self.quantity, u.name),
            None => self.quantity.clone(),
        }
    }
}

/// A sequence (or join): steps matched in order, joined on keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// Keys shared by every step (`sequence by host.id`).
    pub by: Vec<Expr>,
    /// `with maxspan=...`.
    pub maxspan: Option<TimeSpan>,
    /// The span of `sequence ... ` up to the first step.
    pub header_span: Span,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// `until [...]`: the event that ends a pending sequence.
    pub until: Option<Step>,
    /// The whole sequence.
    pub span: Span,
}

/// A sample: events sharing keys, in any order.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Keys shared by every step.
    pub by: Vec<Expr>,
    /// The span of `sample ... ` up to the first step.
    pub header_span: Span,
    /// The steps.
    pub steps: Vec<Step>,
    /// The whole sample.
    pub span: Span,
}

/// One bracketed step of a sequence, sample or join:
/// `[category where cond] by keys with runs=N`.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Written `![...]`: the sequence requires this event to be absent.
    pub missing: bool,
    /// The event query inside the brackets.
    pub query: EventQuery,
    /// `fork` / `fork=true` (legacy).
    pub fork: Option<Span>,
    /// The step's own keys.
    pub by: Vec<Expr>,
    /// `with runs=N`.
    pub runs: Option<Runs>,
    /// `as alias` (endpoint-only syntax).
    pub alias: Option<Ident>,
    /// The whole step with its keys and parameters.
    pub span: Span,
}

/// `with runs=N`.
#[derive(Clone, Debug, PartialEq)]
pub struct Runs {
    /// N (`None` when not a valid integer).
    pub count: Option<i64>,
    /// The whole `with runs=N`.
    pub span: Span,
}

/// `| name args`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipe {
    /// The pipe name (`head`, `filter`, …).
    pub name: Ident,
    /// Its arguments.
    pub args: Vec<Expr>,
    /// From the `|` to the last argument.
    pub span: Span,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string after escapes, with how it was written.
    String(String, crate::lexer::StringForm),
    /// An integer (`None` when too large for `i64`).
    Integer(Option<i64>),
    /// A decimal.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// One part of a field path.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldPart {
    /// A name (`process`).
    Name(String),
    /// A back-quoted name (`` `a b` ``), which may be a reserved word.
    Quoted(String),
    /// An array index (`[0]`).
    Index(u64),
}

/// A field reference such as `process.parent.name`, `?user.id` or `a[0].b`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Written with a leading `?` (optional field).
    pub optional: bool,
    /// The parts.
    pub parts: Vec<FieldPart>,
}

impl Field {
    /// The dotted name (`process.args[0]`), without `?`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                FieldPart::Name(n) | FieldPart::Quoted(n) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(n);
                }
                FieldPart::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

/// Binary operators: comparisons, then arithmetic (tighter binding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `==`
    Eq,
    /// `=` (rejected by Elasticsearch; kept to report it)
    SingleEq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::SingleEq => "=",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }

    /// True for `==`, `=`, `!=`, `<`, `<=`, `>`, `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::SingleEq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
        )
    }

    /// True for `+ - * / %`.
    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod
        )
    }
}

/// The string-matching operators written between a value and patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringOp {
    /// `:` — case-insensitive equality with `*`/`?` wildcards.
    Colon,
    /// `like` — case-sensitive wildcard match.
    Like,
    /// `regex` — case-sensitive regular expression.
    Regex,
}

impl StringOp {
    /// The operator as written (`like~` when insensitive).
    pub fn written(self, insensitive: bool) -> &'static str {
        match (self, insensitive) {
            (StringOp::Colon, _) => ":",
            (StringOp::Like, false) => "like",
            (StringOp::Like, true) => "like~",
            (StringOp::Regex, false) => "regex",
            (StringOp::Regex, true) => "regex~",
        }
    }
}

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is, in the query text.
    pub span: Span,
}

/// Expression kinds.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// A field.
    Field(Field),
    /// `$name` (endpoint-only variable syntax; reported).
    Variable(String),
    /// `name(args)`, `name~(args)`, or the method form `value:name(args)`
    /// (then the value is the first argument and `method` is set).
    Call {
        /// Function name.
        name: Ident,
        /// Written with `~` (case-insensitive variant).
        insensitive: bool,
        /// Arguments.
        args: Vec<Expr>,
        /// Written as a method (`x:length()`).
        method: bool,
    },
    /// `not x` (repeated `not`s nest).
    Not(Box<Expr>),
    /// `-x` / `+x`.
    Sign {
        /// True for `-`.
        negative: bool,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a and b and c` / `a or b or c`, kept flat so long chains need no
    /// deep recursion.
    Logical {
        /// True for `and`, false for `or`.
        and: bool,
        /// Two or more operands.
        operands: Vec<Expr>,
    },
    /// `left op right`.
    Binary {
        /// Operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `value in (list)`, `value in~ (list)`, `value not in (list)`.
    In {
        /// The tested value.
        value: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// `not in`.
        negated: bool,
        /// `in~`.
        insensitive: bool,
    },
    /// `value : "p"`, `value like~ ("a*", "b")`, `value regex "…"`.
    Match {
        /// The tested value.
        value: Box<Expr>,
        /// The operator.
        op: StringOp,
        /// `like~` / `regex~`.
        insensitive: bool,
        /// The patterns.
        patterns: Vec<Expr>,
        /// Written as a parenthesized list.
        list: bool,
    },
    /// `descendant of [event query]` and friends.
    NamedSubquery {
        /// `descendant`, `child`, `event`.
        relation: Ident,
        /// The subquery.
        query: Box<EventQuery>,
    },
    /// `( expr )`.
    Paren(Box<Expr>),
    /// A node the parser could not build (a diagnostic was reported).
    Error,
}

impl Expr {
    /// A new node.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// The expression without enclosing parentheses.
    pub fn unparen(&self) -> &Expr {
        let mut e = self;
        while let ExprKind::Paren(inner) = &e.kind {
            e = inner;
        }
        e
    }
}
