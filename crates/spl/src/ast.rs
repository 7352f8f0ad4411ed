//! The SPL syntax tree. Every node has a [`Span`] into the parsed text.
//!
//! A [`Pipeline`] is a list of [`Command`]s. The commands whose arguments
//! carry the logic a rule is about have a structured form
//! ([`CommandKind`]); every other command keeps its name and its
//! [`Arg`]uments, so any search parses.
//!
//! Two expression grammars live side by side, as in SPL itself:
//! [`SearchExpr`] for the `search` command (and `tstats … where`), where
//! `OR` binds tighter than the implicit `AND` and values may hold
//! wildcards, and [`Expr`] for `eval`/`where`, with the usual precedence
//! (`AND` before `OR`) and typed literals.

use ruledex_ir::Span;

/// A name or value as written, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned {
    /// The text (decoded when it was a quoted string).
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// A pipeline: the commands separated by `|`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    /// The commands, in order. The first command of a search that does not
    /// start with `|` is an implicit `search`.
    pub commands: Vec<Command>,
    /// The whole pipeline.
    pub span: Span,
}

/// One command of a pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// The command name as written (lowercase for an implicit `search`:
    /// `search`), or the macro call for a command that is a macro.
    pub name: Spanned,
    /// What the command does, with its arguments.
    pub kind: CommandKind,
    /// The command from its `|` (when it has one) to its end.
    pub span: Span,
    /// True for the implicit `search` of a search that starts with terms.
    pub implicit: bool,
}

/// A stats-style aggregation: `count`, `dc(x) as n`, `values(x)`,
/// `count(eval(a="b")) as c`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// The function (`count`, `dc`, `values`).
    pub function: Spanned,
    /// Its argument as written (`Processes.process`, `eval(...)`), if any.
    pub argument: Option<Spanned>,
    /// The condition of a `count(eval(cond))`-style argument.
    pub condition: Option<Expr>,
    /// The `as` name, if any.
    pub alias: Option<Spanned>,
    /// The whole aggregation.
    pub span: Span,
}

impl Aggregate {
    /// The output name: the alias, else `function(argument)` as Splunk
    /// names it (`count`, `dc(user)`).
    pub fn output_name(&self) -> String {
        match (&self.alias, &self.argument) {
            (Some(a), _) => a.text.clone(),
            (None, Some(arg)) => format!("{}({})", self.function.text, arg.text),
            (None, None) => self.function.text.clone(),
        }
    }
}

/// `name = value` option of a command (`span=1h`, `summariesonly=true`).
#[derive(Clone, Debug, PartialEq)]
pub struct CommandOption {
    /// The option name.
    pub name: Spanned,
    /// Its value (decoded when quoted).
    pub value: Spanned,
}

/// `old as new`.
#[derive(Clone, Debug, PartialEq)]
pub struct Renaming {
    /// The field (or `*` pattern) renamed.
    pub from: Spanned,
    /// The new name.
    pub to: Spanned,
}

/// `name = expression` of `eval`.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalAssignment {
    /// The field computed.
    pub name: Spanned,
    /// The expression.
    pub value: Expr,
    /// The whole assignment.
    pub span: Span,
}

/// A generic command argument.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// `name=value`.
    Option(CommandOption),
    /// A word, string or quoted name.
    Value(Spanned),
    /// A `[subsearch]`.
    Subsearch(Pipeline),
    /// A macro call left unexpanded.
    Macro(MacroCall),
    /// Anything else (operators, parentheses), as written.
    Other(Spanned),
}

/// A `` `name(args)` `` macro call as written.
#[derive(Clone, Debug, PartialEq)]
pub struct MacroCall {
    /// The macro name.
    pub name: String,
    /// The arguments as written (split at top-level commas).
    pub args: Vec<String>,
    /// The call, backticks included.
    pub span: Span,
}

/// What a command is.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandKind {
    /// `search <expr>` (also the implicit first command), `regex`-less.
    Search {
        /// The condition; `None` for a bare `search`.
        expr: Option<SearchExpr>,
    },
    /// `where <expr>`.
    Where {
        /// The condition.
        expr: Option<Expr>,
    },
    /// `eval a=x, b=y`.
    Eval {
        /// The assignments.
        assignments: Vec<EvalAssignment>,
    },
    /// `stats`, `eventstats`, `streamstats`, `chart`, `timechart`, `top`,
    /// `rare`: aggregations and `by` fields.
    Stats {
        /// Options (`allnum=t`, `span=1h`).
        options: Vec<CommandOption>,
        /// The aggregations.
        aggregates: Vec<Aggregate>,
        /// The `by` fields.
        by: Vec<Spanned>,
    },
    /// `tstats`/`mstats`: options, aggregations, `from datamodel=X.Y`,
    /// `where <search expr>`, `by` fields.
    Tstats {
        /// Options (`summariesonly=true`, `prestats=t`).
        options: Vec<CommandOption>,
        /// Macros among the options (`` `security_content_summariesonly` ``).
        macros: Vec<MacroCall>,
        /// The aggregations.
        aggregates: Vec<Aggregate>,
        /// The data model and dataset (`Endpoint.Processes`).
        datamodel: Option<Spanned>,
        /// The `where` condition, in search syntax.
        filter: Option<SearchExpr>,
        /// The `by` fields (`span=` options among them are in `options`).
        by: Vec<Spanned>,
    },
    /// `rex [field=F] [mode=sed] "regex"`.
    Rex {
        /// The field read (`_raw` when absent).
        field: Option<Spanned>,
        /// The regular expression (decoded).
        regex: Option<Spanned>,
        /// Named groups: the fields the command extracts.
        captures: Vec<String>,
        /// `mode=sed`: a substitution, not an extraction.
        sed: bool,
    },
    /// `regex [field](=|!=)"regex"`: keep (or drop) events matching.
    Regex {
        /// The field (`_raw` when absent).
        field: Option<Spanned>,
        /// True for `!=`.
        negated: bool,
        /// The regular expression (decoded).
        regex: Option<Spanned>,
    },
    /// `lookup [options] table in [as f] [OUTPUT|OUTPUTNEW out [as o]]`.
    Lookup {
        /// The lookup table.
        table: Option<Spanned>,
        /// Input fields (lookup field, event field).
        inputs: Vec<Renaming>,
        /// Output fields (lookup field, event field).
        outputs: Vec<Renaming>,
    },
    /// `inputlookup`/`outputlookup [options] table [where <search expr>]`.
    InputLookup {
        /// True for `outputlookup`.
        output: bool,
        /// The lookup table or file.
        table: Option<Spanned>,
        /// A `where` condition (`inputlookup` only).
        filter: Option<SearchExpr>,
    },
    /// `rename a as b, c as d`.
    Rename {
        /// The renamings.
        renamings: Vec<Renaming>,
    },
    /// `table a b c` and `fields [+|-] a, b`.
    Fields {
        /// True for `fields - …`.
        remove: bool,
        /// The fields (may hold `*`).
        fields: Vec<Spanned>,
    },
    /// `convert [timeformat=…] ctime(f) [as g] …`.
    Convert {
        /// Options.
        options: Vec<CommandOption>,
        /// `function(field) [as alias]`: (function, field, alias).
        conversions: Vec<(Spanned, Spanned, Option<Spanned>)>,
    },
    /// A command that is a macro call (`` | `security_content_ctime(t)` ``)
    /// left unexpanded.
    Macro(MacroCall),
    /// `join`, `append`, `appendpipe`, `multisearch`, `union`, `map`,
    /// `foreach` and every other command: options, values and
    /// subsearches, in order.
    Generic {
        /// The arguments.
        args: Vec<Arg>,
    },
}

/// A search expression (`search`, `tstats … where`).
#[derive(Clone, Debug, PartialEq)]
pub enum SearchExpr {
    /// Terms side by side or with `AND`: all must match.
    And(Vec<SearchExpr>, Span),
    /// `a OR b`.
    Or(Vec<SearchExpr>, Span),
    /// `NOT a`.
    Not(Box<SearchExpr>, Span),
    /// `( … )`.
    Group(Box<SearchExpr>, Span),
    /// `field op value`.
    Compare {
        /// The field.
        field: Spanned,
        /// The operator.
        op: SearchOp,
        /// The value.
        value: SearchValue,
        /// The whole comparison.
        span: Span,
    },
    /// `field IN (v1, v2, …)`.
    In {
        /// The field.
        field: Spanned,
        /// The values.
        values: Vec<SearchValue>,
        /// The whole term.
        span: Span,
    },
    /// A term without a field: matched against the raw event.
    Term(SearchValue),
    /// A `[subsearch]`, whose results become a condition.
    Subsearch(Pipeline, Span),
    /// A macro call left unexpanded.
    Macro(MacroCall),
}

impl SearchExpr {
    /// Where the expression is.
    pub fn span(&self) -> Span {
        match self {
            SearchExpr::And(_, s)
            | SearchExpr::Or(_, s)
            | SearchExpr::Not(_, s)
            | SearchExpr::Group(_, s)
            | SearchExpr::Subsearch(_, s) => *s,
            SearchExpr::Compare { span, .. } | SearchExpr::In { span, .. } => *span,
            SearchExpr::Term(v) => v.span,
            SearchExpr::Macro(m) => m.span,
        }
    }
}

/// Comparison operators of the search command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchOp {
    /// `=` (wildcards allowed in the value).
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
}

/// A value in a search expression.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchValue {
    /// The value with escapes decoded (wildcards kept).
    pub text: String,
    /// True when written in double quotes.
    pub quoted: bool,
    /// The directive around it (`CASE`, `TERM`), or `macro` for a value
    /// that is an unexpanded macro call.
    pub directive: Option<String>,
    /// Where it is.
    pub span: Span,
}

/// An `eval`/`where` expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

impl Drop for Expr {
    /// Chains like `a AND b AND c …` are left-deep trees as long as the
    /// search; the derived drop would recurse once per link and overflow
    /// the stack on a long flat search. Children are moved to a heap stack
    /// and dropped from there, each with its own children already taken.
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_children(&mut self.kind, &mut pending);
        while let Some(mut expr) = pending.pop() {
            take_children(&mut expr.kind, &mut pending);
        }
    }
}

/// Move the sub-expressions of `kind` onto `into`, leaving leaves behind.
fn take_children(kind: &mut ExprKind, into: &mut Vec<Expr>) {
    match std::mem::replace(kind, ExprKind::Error) {
        ExprKind::Call { args, .. } => into.extend(args),
        ExprKind::Binary { left, right, .. } => {
            into.push(*left);
            into.push(*right);
        }
        ExprKind::Not(inner) | ExprKind::Negate(inner) | ExprKind::Paren(inner) => {
            into.push(*inner)
        }
        ExprKind::In { left, list, .. } => {
            into.push(*left);
            into.extend(list);
        }
        ExprKind::Field(_)
        | ExprKind::Str(_)
        | ExprKind::Number(_)
        | ExprKind::Macro(_)
        | ExprKind::Error => {}
    }
}

/// Binary operators of expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`.
    Or,
    /// `XOR`.
    Xor,
    /// `AND`.
    And,
    /// `=` or `==`.
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
    /// `LIKE`.
    Like,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
    /// `.` (concatenation).
    Concat,
}

/// What an expression is.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A field name (bare or `'quoted'`).
    Field(String),
    /// A `"string"`.
    Str(String),
    /// A number as written.
    Number(String),
    /// `true()`/`false()` are calls; bare `true`/`false` are fields in SPL,
    /// but `null` is parsed as a field too.
    /// A function call (`if`, `match`, `lower`).
    Call {
        /// The function name as written.
        name: Spanned,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left side.
        left: Box<Expr>,
        /// Right side.
        right: Box<Expr>,
    },
    /// `NOT a`.
    Not(Box<Expr>),
    /// `-a`.
    Negate(Box<Expr>),
    /// `a [NOT] IN (v, …)`.
    In {
        /// The value tested.
        left: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// True for `NOT IN`.
        negated: bool,
    },
    /// `( … )`.
    Paren(Box<Expr>),
    /// A macro call left unexpanded.
    Macro(MacroCall),
    /// A part that did not parse.
    Error,
}
