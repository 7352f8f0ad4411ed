//! The ES|QL syntax tree. Every node carries its byte span in the query.
//!
//! A query is a pipeline of [`Command`]s; expressions follow ES|QL's
//! precedence: `OR` < `AND` < `NOT` < comparisons and predicates (`==`,
//! `LIKE`, `IN`, `IS NULL`, `:`) < `+ -` < `* / %` < unary `-` < `::` casts.

use ruledex_ir::Span;

/// A whole query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The commands, in pipeline order (empty commands are left out).
    pub commands: Vec<Command>,
    /// The span of the whole text.
    pub span: Span,
}

/// A name: an identifier (dotted parts joined, backticks removed) or, in
/// `KEEP`/`DROP`, a pattern with `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The name.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// One command of the pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// The command keyword as written (`FROM`, `where`, `LOOKUP JOIN`).
    pub keyword: String,
    /// What the command does, with its arguments.
    pub kind: CommandKind,
    /// The command text between its pipes, without surrounding whitespace.
    pub span: Span,
}

impl Command {
    /// The stage kind of the command: its name in lower case with `_` for
    /// spaces (`from`, `where`, `lookup_join`, `inline_stats`).
    pub fn stage_kind(&self) -> String {
        match &self.kind {
            CommandKind::Stats { inline: true, .. } => "inline_stats".to_string(),
            CommandKind::LookupJoin { .. } => "lookup_join".to_string(),
            _ => self
                .keyword
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("_")
                .to_ascii_lowercase(),
        }
    }
}

/// `name = expression` (or an unnamed expression, whose column ES|QL names
/// after the expression text).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The column name when written.
    pub name: Option<Name>,
    /// The expression.
    pub expr: Expr,
    /// The whole item.
    pub span: Span,
}

/// One aggregate of `STATS`: `[name =] expression [WHERE condition]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// The column and expression.
    pub field: Field,
    /// The per-aggregate filter, when written.
    pub filter: Option<Expr>,
}

/// `old AS new` (or `new = old`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    /// The column renamed.
    pub old: Name,
    /// Its new name.
    pub new: Name,
}

/// One field of `ENRICH … WITH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrichField {
    /// The column name when renamed (`new = field`).
    pub name: Option<Name>,
    /// The enrich field.
    pub field: Name,
}

/// One key of `SORT`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    /// The sort expression.
    pub expr: Expr,
    /// `Some(true)` for `DESC`, `Some(false)` for `ASC`.
    pub descending: Option<bool>,
    /// `Some(true)` for `NULLS FIRST`, `Some(false)` for `NULLS LAST`.
    pub nulls_first: Option<bool>,
}

/// What a command does.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandKind {
    /// `FROM index, … [METADATA field, …]`, whose sources may also be
    /// subqueries: `FROM a, (FROM b | WHERE x), (FROM c | …)`.
    From {
        /// The index patterns.
        sources: Vec<Name>,
        /// The metadata fields.
        metadata: Vec<Name>,
        /// The parenthesized subqueries, in order.
        subqueries: Vec<Query>,
    },
    /// `ROW a = 1, …`.
    Row {
        /// The columns.
        fields: Vec<Field>,
    },
    /// `WHERE condition`.
    Where {
        /// The condition.
        condition: Expr,
    },
    /// `EVAL [name =] expr, …`.
    Eval {
        /// The computed columns.
        fields: Vec<Field>,
    },
    /// `STATS aggregates [BY groups]` (also `INLINE STATS`).
    Stats {
        /// True for `INLINE STATS` / `INLINESTATS` (keeps the rows).
        inline: bool,
        /// The aggregates.
        aggregates: Vec<Aggregate>,
        /// The grouping keys.
        groups: Vec<Field>,
    },
    /// `KEEP pattern, …`.
    Keep {
        /// Column names or patterns.
        patterns: Vec<Name>,
    },
    /// `DROP pattern, …`.
    Drop {
        /// Column names or patterns.
        patterns: Vec<Name>,
    },
    /// `RENAME old AS new, …`.
    Rename {
        /// The renames.
        renames: Vec<Rename>,
    },
    /// `DISSECT input "pattern" [APPEND_SEPARATOR = "…"]`.
    Dissect {
        /// The text dissected.
        input: Expr,
        /// The pattern (decoded).
        pattern: String,
        /// Where the pattern is.
        pattern_span: Span,
    },
    /// `GROK input "pattern"`.
    Grok {
        /// The text matched.
        input: Expr,
        /// The pattern (decoded).
        pattern: String,
        /// Where the pattern is.
        pattern_span: Span,
    },
    /// `ENRICH policy [ON field] [WITH …]`.
    Enrich {
        /// The enrich policy (with its `_mode:` prefix if written).
        policy: Name,
        /// The match field.
        on: Option<Name>,
        /// The fields added.
        with: Vec<EnrichField>,
    },
    /// `MV_EXPAND field`.
    MvExpand {
        /// The multi-valued column expanded.
        field: Name,
    },
    /// `LOOKUP JOIN index ON field, …`.
    LookupJoin {
        /// The lookup index.
        index: Name,
        /// The join fields.
        on: Vec<Name>,
    },
    /// `SORT key, …`.
    Sort {
        /// The keys.
        keys: Vec<SortKey>,
    },
    /// `LIMIT n`, or `LIMIT n BY key, …` (at most `n` rows per key).
    Limit {
        /// The row count.
        count: Expr,
        /// The grouping keys after `BY`.
        by: Vec<Expr>,
    },
    /// A command ES|QL has but this crate does not model (`SHOW`, `FORK`,
    /// `CHANGE_POINT`, …), or an unknown one; its text is the stage text.
    Other,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A decimal (also integers too large for `i64`).
    Decimal(f64),
    /// A string, decoded.
    String {
        /// The value.
        value: String,
        /// True for `"""…"""`.
        triple: bool,
        /// `(offset in value, offset in query)` pairs; see
        /// [`crate::lexer::Token::offsets`].
        offsets: Vec<(u32, u32)>,
    },
    /// A query parameter (`?`, `?name`).
    Param(String),
    /// A time span (`1 day`, `15 minutes`).
    TimeSpan {
        /// The number as written.
        amount: String,
        /// The unit as written.
        unit: String,
    },
}

/// Comparison and arithmetic operators (`AND`/`OR` are [`Expr::And`] and
/// [`Expr::Or`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `=~` (case-insensitive equality)
    EqCi,
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
    /// As written (keywords in upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::EqCi => "=~",
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
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal.
    Literal {
        /// The value.
        value: Literal,
        /// Where it is.
        span: Span,
    },
    /// A column reference.
    Column(Name),
    /// `[a, b, …]`.
    List {
        /// The items.
        items: Vec<Expr>,
        /// Including the brackets.
        span: Span,
    },
    /// `{"key": value, …}`: named options of a function or command.
    Map {
        /// The entries, keys decoded.
        entries: Vec<(String, Expr)>,
        /// Including the braces.
        span: Span,
    },
    /// `name(args)`; `COUNT(*)` has `star: true` and no arguments.
    Call {
        /// The function name as written.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
        /// True for `f(*)`.
        star: bool,
        /// The whole call.
        span: Span,
    },
    /// `-x` or `+x`.
    Negate {
        /// The operand.
        expr: Box<Expr>,
        /// True for `-`.
        minus: bool,
        /// Including the sign.
        span: Span,
    },
    /// `a OR b OR …` (two or more items).
    Or {
        /// The operands.
        items: Vec<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `a AND b AND …` (two or more items).
    And {
        /// The operands.
        items: Vec<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `NOT x`.
    Not {
        /// The operand.
        expr: Box<Expr>,
        /// Including `NOT`.
        span: Span,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `x [NOT] LIKE pattern` / `RLIKE`, or a list of patterns.
    Like {
        /// The matched expression.
        expr: Box<Expr>,
        /// `NOT LIKE`.
        negated: bool,
        /// `RLIKE` (regex) rather than `LIKE` (wildcards `*` and `?`).
        regex: bool,
        /// The patterns (string literals or parameters).
        patterns: Vec<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `x [NOT] IN (a, b, …)`.
    In {
        /// The tested expression.
        expr: Box<Expr>,
        /// `NOT IN`.
        negated: bool,
        /// The candidates.
        list: Vec<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `x IS [NOT] NULL`.
    IsNull {
        /// The tested expression.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
        /// The whole expression.
        span: Span,
    },
    /// `field : "query"` (full-text match).
    Match {
        /// The field.
        field: Box<Expr>,
        /// The query.
        query: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `x::type`.
    Cast {
        /// The converted expression.
        expr: Box<Expr>,
        /// The type as written.
        ty: String,
        /// The whole expression.
        span: Span,
    },
    /// `( x )`.
    Paren {
        /// The inner expression.
        expr: Box<Expr>,
        /// Including the parentheses.
        span: Span,
    },
    /// Something that did not parse.
    Error {
        /// The skipped text.
        span: Span,
    },
}

impl Expr {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            Expr::Literal { span, .. }
            | Expr::List { span, .. }
            | Expr::Map { span, .. }
            | Expr::Call { span, .. }
            | Expr::Negate { span, .. }
            | Expr::Not { span, .. }
            | Expr::Or { span, .. }
            | Expr::And { span, .. }
            | Expr::Binary { span, .. }
            | Expr::Like { span, .. }
            | Expr::In { span, .. }
            | Expr::IsNull { span, .. }
            | Expr::Match { span, .. }
            | Expr::Cast { span, .. }
            | Expr::Paren { span, .. }
            | Expr::Error { span } => *span,
            Expr::Column(name) => name.span,
        }
    }
}
