//! The YARA-L syntax tree. Every node has its byte span in the parsed text.

use ruledex_ir::Span;

/// A parsed file: its rules, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// Every `rule name { … }` of the file.
    pub rules: Vec<RuleDef>,
}

/// One `rule name { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDef {
    /// The rule's name.
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// From `rule` to the closing `}` (or the end of the text).
    pub span: Span,
    /// The sections, in the order written.
    pub sections: Vec<Section>,
}

impl RuleDef {
    /// The first section of `kind`.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}

/// The six sections of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SectionKind {
    /// `meta:` key-value pairs.
    Meta,
    /// `events:` the filters, declarations and joins.
    Events,
    /// `match:` grouping variables and window.
    Match,
    /// `outcome:` computed variables.
    Outcome,
    /// `condition:` what makes a detection.
    Condition,
    /// `options:` engine switches.
    Options,
}

impl SectionKind {
    /// Every section, in the order a rule must have them.
    pub const ALL: [SectionKind; 6] = [
        SectionKind::Meta,
        SectionKind::Events,
        SectionKind::Match,
        SectionKind::Outcome,
        SectionKind::Condition,
        SectionKind::Options,
    ];

    /// The keyword (`events`).
    pub fn keyword(self) -> &'static str {
        match self {
            SectionKind::Meta => "meta",
            SectionKind::Events => "events",
            SectionKind::Match => "match",
            SectionKind::Outcome => "outcome",
            SectionKind::Condition => "condition",
            SectionKind::Options => "options",
        }
    }

    /// The section named `word`.
    pub fn from_keyword(word: &str) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

/// A section: header, body and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Which section.
    pub kind: SectionKind,
    /// From the keyword to the end of the last statement.
    pub span: Span,
    /// From the first statement to the end of the last (empty after the
    /// `:` when the section is).
    pub body_span: Span,
    /// What the section holds.
    pub body: SectionBody,
}

/// The content of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum SectionBody {
    /// `meta:` or `options:` entries.
    Entries(Vec<Entry>),
    /// `events:`: statements, implicitly joined by `and`.
    Events(Vec<Expr>),
    /// `match:`, when its window parsed.
    Match(Option<MatchSpec>),
    /// `outcome:` assignments.
    Outcome(Vec<Assignment>),
    /// `condition:`, when it parsed.
    Condition(Option<Expr>),
}

/// `key = value` of `meta:` or `options:`.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The value, as a literal expression.
    pub value: Expr,
    /// The whole entry.
    pub span: Span,
}

/// `$a, $b over 5m [before|after $e]` or `$a by 5m`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchSpec {
    /// The grouping variables (with their spans).
    pub variables: Vec<(String, Span)>,
    /// `over` (hop window) or `by` (tumbling window).
    pub window: WindowKind,
    /// The duration as written (`5m`).
    pub duration: String,
    /// Where the duration is.
    pub duration_span: Span,
    /// A sliding window's pivot: `before`/`after` and the expression.
    pub pivot: Option<(Pivot, Expr)>,
}

/// Hop or tumbling windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    /// `over`: hop window (sliding when a pivot follows).
    Over,
    /// `by`: tumbling window.
    By,
}

/// The direction of a sliding window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pivot {
    /// `before $e`.
    Before,
    /// `after $e`.
    After,
}

/// `$var = expression` of `outcome:`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// The variable, with its `$`.
    pub name: String,
    /// Where the variable is.
    pub name_span: Span,
    /// The value.
    pub value: Expr,
    /// The whole assignment.
    pub span: Span,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// Binary operators, from the loosest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinOp {
    /// True for `=`, `!=`, `<`, `<=`, `>`, `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// How `in` matches a reference list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InKind {
    /// `in %list`: equal to a line of the list.
    Plain,
    /// `in regex %list`: matches a regular expression of the list.
    Regex,
    /// `in cidr %list`: in a CIDR range of the list.
    Cidr,
}

/// One step of a UDM path after the event variable.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `.name`.
    Name(String),
    /// `["key"]` (map access).
    Key(String),
    /// `[0]` (an element of a repeated field).
    Index(String),
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `a and b and …` / `a or b or …`, flattened (so a long chain is
    /// wide, not deep).
    Logical {
        /// [`BinOp::And`] or [`BinOp::Or`].
        op: BinOp,
        /// The operands, two or more.
        items: Vec<Expr>,
    },
    /// `a op b` for comparisons and arithmetic.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `not x`.
    Not(Box<Expr>),
    /// `!x` (in conditions: `!$e`, no such event).
    Bang(Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `x nocase`.
    Nocase(Box<Expr>),
    /// `any x` / `all x` over a repeated field.
    Quantified {
        /// True for `all`.
        all: bool,
        /// The comparison.
        expr: Box<Expr>,
    },
    /// `x in %list`, `x in regex %list`, `x in cidr %list`, `x in [..]`.
    In {
        /// The value tested.
        lhs: Box<Expr>,
        /// How it is matched.
        kind: InKind,
        /// The list or data table column (`ExprKind::List`) or an array
        /// literal.
        list: Box<Expr>,
    },
    /// `ns.name(args)` or `name(args)`.
    Call {
        /// The namespace (`strings`), if any.
        namespace: Option<String>,
        /// The function.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `$e.a.b["k"]`: a UDM path of an event (or entity) variable.
    Field {
        /// The event variable, with its `$`.
        var: String,
        /// The path after it.
        path: Vec<Segment>,
    },
    /// `$x`: an event, placeholder, match or outcome variable.
    Var(String),
    /// `#x`.
    Count(String),
    /// `%name`, a reference list, or `%table.column`, a data table's
    /// column.
    List {
        /// The list or data table, without the `%`.
        name: String,
        /// The data table column, if any.
        column: Option<String>,
    },
    /// A `"…"` or `` `…` `` string, unescaped.
    Str(String),
    /// A `/…/` regular expression, without its slashes.
    Regex(String),
    /// A number as written.
    Number(String),
    /// A duration as written (`5m`).
    Duration(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `[a, b]`.
    Array(Vec<Expr>),
    /// `name:value`, a named argument of a `metrics.*` call
    /// (`period:1d`, `metric:value_sum`, `principal.asset.ip:$ip`).
    Named {
        /// The parameter name, dotted when it is a UDM path.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// The value.
        value: Box<Expr>,
    },
    /// A bare word as a named argument's value (`today`, `value_sum`,
    /// `max`).
    Word(String),
    /// A part that did not parse (reported).
    Error,
}

impl Expr {
    /// An expression of `kind` at `span`.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

impl Segment {
    /// Append this segment to a path being rendered (`.name` or `["key"]`).
    pub fn write(&self, out: &mut String) {
        match self {
            Segment::Name(n) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(n);
            }
            Segment::Key(k) => {
                out.push_str("[\"");
                out.push_str(k);
                out.push_str("\"]");
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(i);
                out.push(']');
            }
        }
    }
}

/// A UDM path without its event variable (`principal.process.command_line`,
/// `additional.fields["key"]`).
pub fn path_text(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        segment.write(&mut out);
    }
    out
}
