//! The KQL syntax tree.
//!
//! The tree reads like the grammar: a [`Script`] is a list of
//! [`Statement`]s; a query is a [`TabularExpression`] — a [`Source`] followed
//! by piped [`Operator`]s; scalar logic is an [`Expr`] tree.
//!
//! Every node has a [`Span`]: a byte range into the query text that was
//! parsed. `span.slice(query)` gives the exact text of any node, which is
//! how a consumer shows a stage or an expression as written. An
//! [`Operator`]'s span covers its whole `| op ...` segment, pipe included.
//!
//! Names are decoded (`['Account Name']` becomes `Account Name`) and string
//! literals carry both their raw text (through the span) and their decoded
//! value. Where the parser met an error it still builds a node, using the
//! `Error` variants ([`ExprKind::Error`], [`SourceKind::Error`],
//! [`OperatorKind::Error`]) so the rest of the tree stays usable.

use ruledex_ir::Span;

/// A whole query text: statements separated by `;`.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// The statements in order. `let`, `set` and `declare` statements come
    /// before the query (or queries) that use them.
    pub statements: Vec<Statement>,
    /// The whole text.
    pub span: Span,
}

impl Script {
    /// The query statements (the tabular expressions that produce results),
    /// in order.
    pub fn queries(&self) -> impl Iterator<Item = &TabularExpression> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Query(q) => Some(q),
            _ => None,
        })
    }

    /// The `let` statements, in order.
    pub fn lets(&self) -> impl Iterator<Item = &LetStatement> {
        self.statements.iter().filter_map(|s| match s {
            Statement::Let(l) => Some(l),
            _ => None,
        })
    }
}

/// One statement of a script.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `let Name = ...` — a scalar, a tabular expression, a function or a view.
    Let(LetStatement),
    /// A query: a tabular expression (or, inside a function body, the final
    /// scalar expression, held as a source without operators).
    Query(TabularExpression),
    /// `set option [= value]`.
    Set(SetStatement),
    /// `declare query_parameters(...)`.
    Declare(DeclareStatement),
    /// `alias database Name = cluster(...).database(...)`.
    Alias(AliasStatement),
    /// `restrict access to (Table, ...)`: the only tables the rest may
    /// read.
    Restrict(RestrictStatement),
    /// `declare pattern Name [= (...) { ... }]`: a pattern the query
    /// defines (its body is kept as text).
    Pattern(PatternStatement),
    /// A statement that could not be parsed; its errors are in
    /// [`crate::Parsed::errors`].
    Error(Span),
}

impl Statement {
    /// The statement's text range (without the separating `;`).
    pub fn span(&self) -> Span {
        match self {
            Statement::Let(s) => s.span,
            Statement::Query(s) => s.span,
            Statement::Set(s) => s.span,
            Statement::Declare(s) => s.span,
            Statement::Alias(s) => s.span,
            Statement::Restrict(s) => s.span,
            Statement::Pattern(s) => s.span,
            Statement::Error(span) => *span,
        }
    }
}

/// `restrict access to (Table, ...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct RestrictStatement {
    /// The tables (names, patterns, calls).
    pub tables: Vec<TabularExpression>,
    /// The whole statement.
    pub span: Span,
}

/// `declare pattern Name [= ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternStatement {
    /// The pattern's name.
    pub name: Ident,
    /// The whole statement.
    pub span: Span,
}

/// `let name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct LetStatement {
    /// The bound name.
    pub name: Ident,
    /// What it is bound to.
    pub value: LetValue,
    /// From `let` to the end of the value.
    pub span: Span,
}

/// The right side of a `let`.
///
/// The parser cannot know whether a bare name refers to a table or a scalar
/// (`let T = SecurityEvent;` and `let x = y;` look alike), so a value that is
/// a single expression without any operator is [`LetValue::Expr`]; a name
/// there may still be a table alias.
#[derive(Clone, Debug, PartialEq)]
pub enum LetValue {
    /// A scalar expression, a single name or a single call (`ago(1d)`,
    /// `dynamic([...])`, `SecurityEvent`, `_GetWatchlist('x')`).
    Expr(Expr),
    /// A tabular expression with operators or a tabular source
    /// (`T | where ...`, `union ...`, `datatable(...)[...]`,
    /// `materialize(...)`).
    Tabular(TabularExpression),
    /// `(params) { body }` — a user function.
    Function(FunctionDefinition),
    /// `view (params) { body }` — a view (a function that acts as a table).
    View(FunctionDefinition),
}

/// A function or view definition: `(a:string, T:(*)) { let x = ...; body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDefinition {
    /// Declared parameters.
    pub params: Vec<Parameter>,
    /// The statements of the body; the last one is the result (a
    /// [`Statement::Query`], also for scalar functions).
    pub body: Vec<Statement>,
    /// From `(` (or `view`) to the closing `}`.
    pub span: Span,
}

/// A declared parameter: `name: type [= default]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Parameter name.
    pub name: Ident,
    /// Its type: a scalar type or a tabular schema.
    pub ty: ParameterType,
    /// `= default`, for optional scalar parameters.
    pub default: Option<Expr>,
    /// The whole declaration.
    pub span: Span,
}

/// A tabular schema: `(Col: type, ...)`, or `(*)` for any columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The declared columns.
    pub columns: Vec<ColumnDeclaration>,
    /// True for `(*)`, and for a plugin's `(*, Col: type, ...)`: the
    /// input's columns besides the declared ones.
    pub open: bool,
    /// From `(` to `)`.
    pub span: Span,
}

/// The type of a [`Parameter`].
#[derive(Clone, Debug, PartialEq)]
pub enum ParameterType {
    /// A scalar type (`string`, `long`, `dynamic`, …).
    Scalar(TypeName),
    /// A tabular parameter `(*)` or `(Col:type, ...)` or `(Col:type, *)`.
    Tabular {
        /// Required columns.
        columns: Vec<ColumnDeclaration>,
        /// True when `*` appears: any other columns are allowed.
        open: bool,
    },
}

/// A type name as written: `string`, `datetime`, `dynamic`, …
#[derive(Clone, Debug, PartialEq)]
pub struct TypeName {
    /// The name as written.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// `Name: type` in a schema (`datatable`, `externaldata`, tabular
/// parameters, `parse-kv`, `typeof(...)`).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDeclaration {
    /// Column name.
    pub name: Ident,
    /// Column type.
    pub ty: TypeName,
    /// `Name: type`.
    pub span: Span,
}

/// `set name [= value]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SetStatement {
    /// Option name (may be dotted).
    pub name: Ident,
    /// The value, when given.
    pub value: Option<Expr>,
    /// From `set` on.
    pub span: Span,
}

/// `declare query_parameters(name:type [= default], ...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeclareStatement {
    /// The declared parameters.
    pub params: Vec<Parameter>,
    /// From `declare` on.
    pub span: Span,
}

/// `alias database Name = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct AliasStatement {
    /// The alias name.
    pub name: Ident,
    /// What it stands for (`cluster(...).database(...)`).
    pub value: Expr,
    /// From `alias` on.
    pub span: Span,
}

/// A tabular expression: a source and the operators piped after it.
///
/// `SigninLogs | where ResultType == 0 | project UserPrincipalName` has
/// source `SigninLogs` and two operators.
#[derive(Clone, Debug, PartialEq)]
pub struct TabularExpression {
    /// Where the rows come from.
    pub source: Source,
    /// The operators, in pipe order.
    pub operators: Vec<Operator>,
    /// Source through the last operator.
    pub span: Span,
}

/// The start of a [`TabularExpression`].
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// What kind of source.
    pub kind: SourceKind,
    /// Its text range.
    pub span: Span,
}

/// The kinds of [`Source`].
#[derive(Clone, Debug, PartialEq)]
pub enum SourceKind {
    /// A table, or a name bound by `let` earlier (the parser does not know
    /// which; look the name up in the script's `let`s).
    Name(Ident),
    /// A table name pattern with `*` (`Device*Events`), in `union` and `find`.
    Pattern(NamePattern),
    /// A function call: a stored or let-bound function (`imAuthentication()`,
    /// `_GetWatchlist('x')`), `materialize(...)`, `table('T')`, `view`s, ….
    Call(Call),
    /// Any other expression: `database('x').T`, or a scalar expression in a
    /// function body or `let`.
    Expr(Expr),
    /// `( tabular expression )`.
    Parenthesized(Box<TabularExpression>),
    /// An operator that produces rows by itself: `union`, `datatable`,
    /// `externaldata`, `range`, `print`, `find`, `search`, `evaluate`.
    Operator(Box<Operator>),
    /// No source: the subquery of `mv-apply ... on (...)`, `fork (...)`,
    /// `partition by X (...)` and `facet ... with (...)` starts directly
    /// with an operator and reads the outer rows.
    Implicit,
    /// Not parseable (an error was reported).
    Error,
}

/// One tabular operator: `| where ...`, `| summarize ...`, or an operator
/// used as a source (`union ...`, `print ...`).
#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    /// The operator name as written (`where`, `filter`, `order`,
    /// `mv-expand`, `limit`), for display; `kind` says what it is.
    pub name: Ident,
    /// What the operator is, with its structured arguments.
    pub kind: OperatorKind,
    /// The whole `| op ...` segment including the pipe (for a source
    /// operator, from its keyword).
    pub span: Span,
}

impl Operator {
    /// The value of the `name=value` option `name` (`kind`,
    /// `hint.strategy`, `withsource`, …), when the operator has it.
    ///
    /// ```
    /// let parsed = ruledex_kql::parse("T | join kind=leftouter (U) on Id");
    /// let join = &parsed.script.queries().next().unwrap().operators[0];
    /// let kind = join.param("kind").and_then(|v| v.as_name()).unwrap();
    /// assert_eq!(kind.name, "leftouter");
    /// ```
    pub fn param(&self, name: &str) -> Option<&Expr> {
        self.params()
            .iter()
            .find(|p| p.name.name == name)
            .map(|p| &p.value)
    }

    /// All `name=value` options written before the operator's arguments.
    pub fn params(&self) -> &[NamedParameter] {
        use OperatorKind::*;
        match &self.kind {
            Summarize { params, .. }
            | Join { params, .. }
            | Lookup { params, .. }
            | Union { params, .. }
            | MvExpand { params, .. }
            | MvApply { params, .. }
            | MakeSeries { params, .. }
            | Evaluate { params, .. }
            | Sort { params, .. }
            | As { params, .. }
            | Search { params, .. }
            | Find { params, .. }
            | Reduce { params, .. }
            | Partition { params, .. }
            | MakeGraph { params, .. }
            | GraphMatch { params, .. }
            | GraphMarkComponents { params }
            | MacroExpand { params, .. }
            | Consume { params } => params,
            Parse(p) | ParseWhere(p) => &p.params,
            Scan(scan) => &scan.params,
            _ => &[],
        }
    }
}

/// A `name=value` option written before an operator's arguments:
/// `kind=inner`, `hint.strategy=shuffle`, `withsource=Table`,
/// `isfuzzy=true`, `bagexpansion=array`, `with_itemindex=i`, `flags=U`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedParameter {
    /// The parameter name (dotted names such as `hint.strategy` are one
    /// name).
    pub name: Ident,
    /// The value: usually a name ([`ExprKind::Name`]) or a literal.
    pub value: Expr,
    /// `name=value`.
    pub span: Span,
}

/// `[Name =] expression` or `(A, B) = expression`: a column produced by
/// `extend`, `project`, `summarize`, `print`, `serialize`, `project-rename`,
/// … An empty `names` means the name is implicit (derived from the
/// expression: `count()` gives `count_`).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnAssignment {
    /// Assigned names: none (implicit), one, or several for a tuple.
    pub names: Vec<Ident>,
    /// The value.
    pub expr: Expr,
    /// The whole item.
    pub span: Span,
}

/// A column name that may contain `*` wildcards (`project-away Foo*`,
/// `union Device*`).
#[derive(Clone, Debug, PartialEq)]
pub struct NamePattern {
    /// The pattern as written (quoted names decoded).
    pub text: String,
    /// Where.
    pub span: Span,
}

impl NamePattern {
    /// True when the pattern has a `*`.
    pub fn is_wildcard(&self) -> bool {
        self.text.contains('*')
    }
}

/// A sort key: `expr [asc|desc] [nulls first|last]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    /// What to sort by.
    pub expr: Expr,
    /// `asc` or `desc` when written.
    pub order: Option<SortOrder>,
    /// `nulls first` or `nulls last` when written.
    pub nulls: Option<NullsPosition>,
    /// The whole key.
    pub span: Span,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    /// `asc`
    Ascending,
    /// `desc`
    Descending,
}

/// Where nulls sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullsPosition {
    /// `nulls first`
    First,
    /// `nulls last`
    Last,
}

/// Every tabular operator, with its arguments.
// A query holds a handful of operators, so the size of the largest variant
// (`make-series`) costs nothing worth an extra box and a less readable tree.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum OperatorKind {
    /// `where Predicate` (also spelled `filter`).
    Where {
        /// Known operator options (`hint.*=`, …), rarely written.
        params: Vec<NamedParameter>,
        /// The filter condition.
        predicate: Expr,
    },
    /// `extend [Name =] Expr, ...`.
    Extend {
        /// The computed columns.
        columns: Vec<ColumnAssignment>,
    },
    /// `summarize [hints] [Name =] Aggregate, ... [by [Name =] Expr, ...]`.
    Summarize {
        /// `hint.strategy=...` and friends.
        params: Vec<NamedParameter>,
        /// The aggregations (may be empty: `summarize by X`).
        aggregates: Vec<ColumnAssignment>,
        /// The group-by columns (often `bin(TimeGenerated, 1h)`).
        by: Vec<ColumnAssignment>,
    },
    /// `project [Name =] Expr, ...`.
    Project {
        /// The kept or computed columns.
        columns: Vec<ColumnAssignment>,
    },
    /// `project-away Col, Pattern*, ...`.
    ProjectAway {
        /// Removed columns.
        columns: Vec<NamePattern>,
    },
    /// `project-keep Col, Pattern*, ...`.
    ProjectKeep {
        /// Kept columns.
        columns: Vec<NamePattern>,
    },
    /// `project-rename NewName = OldName, ...`.
    ProjectRename {
        /// Each new name with the old column as a name expression.
        columns: Vec<ColumnAssignment>,
    },
    /// `project-reorder Col [asc|desc|granny-asc|granny-desc], ...`.
    ProjectReorder {
        /// Columns (patterns allowed) in their new order (a sort keyword
        /// after a pattern is accepted but not kept).
        columns: Vec<NamePattern>,
    },
    /// `join [kind=...] [hint.*=...] Right on Conditions` or
    /// `... on Conditions` / `... where Predicate`.
    Join {
        /// `kind=`, `hint.*=`, `withsource=`.
        params: Vec<NamedParameter>,
        /// The right side.
        right: Box<TabularExpression>,
        /// `on` conditions: a plain column name (`ExprKind::Name`, same name
        /// on both sides) or a comparison between `$left.X` and `$right.Y`
        /// (`ExprKind::Binary`, paths with a `$left`/`$right` name).
        on: Vec<Expr>,
        /// The `where` form's predicate, when written instead of `on`.
        where_clause: Option<Expr>,
    },
    /// `lookup [kind=...] Right on Conditions`.
    Lookup {
        /// `kind=`.
        params: Vec<NamedParameter>,
        /// The lookup table.
        right: Box<TabularExpression>,
        /// As for [`OperatorKind::Join`].
        on: Vec<Expr>,
    },
    /// `union [kind=...] [withsource=...] [isfuzzy=...] Table, ...`.
    Union {
        /// `kind=`, `withsource=`, `isfuzzy=`, `hint.*=`.
        params: Vec<NamedParameter>,
        /// The unioned tables: names, patterns, calls, subqueries.
        sources: Vec<TabularExpression>,
    },
    /// `mv-expand [bagexpansion=...] [with_itemindex=...] Items [limit N]`
    /// (also `mvexpand`).
    MvExpand {
        /// `bagexpansion=`, `with_itemindex=`, `kind=`.
        params: Vec<NamedParameter>,
        /// The expanded columns.
        items: Vec<ExpandItem>,
        /// `limit N`.
        limit: Option<Expr>,
    },
    /// `mv-apply [with_itemindex=...] Items [limit N] [id Expr] on (Subquery)`.
    MvApply {
        /// `with_itemindex=`, `kind=`.
        params: Vec<NamedParameter>,
        /// The expanded columns.
        items: Vec<ExpandItem>,
        /// `limit N`.
        limit: Option<Expr>,
        /// `id Expr`: the context id handed to the subquery.
        context_id: Option<Expr>,
        /// The subquery applied to each expanded set (implicit source).
        on: Box<TabularExpression>,
    },
    /// `parse [kind=...] [flags=...] Expr with Pattern`.
    Parse(ParseOperator),
    /// `parse-where ...` (same shape as `parse`; keeps only matching rows).
    ParseWhere(ParseOperator),
    /// `parse-kv Expr as (Key:type, ...) [with (options)]`.
    ParseKv {
        /// The parsed text.
        source: Expr,
        /// The extracted keys and their types.
        keys: Vec<ColumnDeclaration>,
        /// `with (pair_delimiter=..., kv_delimiter=..., ...)`.
        options: Vec<NamedParameter>,
    },
    /// `make-series [kind=...] Aggregates on Axis [from X] [to Y] step Z
    /// [by ...]` (or `... on Axis in range(start, stop, step) ...`).
    MakeSeries {
        /// `kind=`, `hint.*=`.
        params: Vec<NamedParameter>,
        /// The series columns, each with an optional `default=`.
        aggregates: Vec<MakeSeriesAggregate>,
        /// The axis column.
        on: Expr,
        /// `from`.
        from: Option<Expr>,
        /// `to`.
        to: Option<Expr>,
        /// `step`.
        step: Option<Expr>,
        /// The legacy `in range(start, stop, step)` form.
        range: Option<Expr>,
        /// The group-by columns.
        by: Vec<ColumnAssignment>,
    },
    /// `evaluate [hint.*=...] plugin(args) [: (Col: type, ...)]`.
    Evaluate {
        /// `hint.*=`.
        params: Vec<NamedParameter>,
        /// The plugin call (an [`ExprKind::Call`]).
        plugin: Expr,
        /// The output schema declared after `:` (`bag_unpack(x) : (A:
        /// string)`), which fixes the plugin's columns.
        schema: Option<Schema>,
    },
    /// `top N by Expr [asc|desc] [nulls ...]`.
    Top {
        /// Known operator options (`hint.progressive_top=`, …).
        params: Vec<NamedParameter>,
        /// How many rows.
        count: Expr,
        /// The ranking key(s).
        by: Vec<SortKey>,
    },
    /// `top-nested N of Expr by Aggregate, top-nested ...`.
    TopNested {
        /// One level per `top-nested` clause.
        levels: Vec<TopNestedLevel>,
    },
    /// `top-hitters N of Expr [by Expr]`.
    TopHitters {
        /// How many values.
        count: Expr,
        /// The counted value.
        of: Expr,
        /// The summed weight, when given.
        by: Option<Expr>,
    },
    /// `sort by Keys` (also `order by`).
    Sort {
        /// `hint.*=`.
        params: Vec<NamedParameter>,
        /// The sort keys.
        keys: Vec<SortKey>,
    },
    /// `distinct [Name =] Expr, ...` or `distinct *`.
    Distinct {
        /// Known operator options (`hint.strategy=`, …).
        params: Vec<NamedParameter>,
        /// The columns (an [`ExprKind::Star`] expression for `*`).
        columns: Vec<ColumnAssignment>,
    },
    /// `count [as Name]`.
    Count {
        /// The name of the count column (`count` when not given).
        name: Option<Ident>,
    },
    /// `take N` (also `limit N`).
    Take {
        /// Known operator options, rarely written.
        params: Vec<NamedParameter>,
        /// How many rows.
        count: Expr,
    },
    /// `sample N`.
    Sample {
        /// Known operator options, rarely written.
        params: Vec<NamedParameter>,
        /// How many rows.
        count: Expr,
    },
    /// `sample-distinct N of Expr`.
    SampleDistinct {
        /// Known operator options, rarely written.
        params: Vec<NamedParameter>,
        /// How many values.
        count: Expr,
        /// The column.
        of: Expr,
    },
    /// `as [hint.materialized=true] Name`.
    As {
        /// `hint.materialized=`.
        params: Vec<NamedParameter>,
        /// The name given to the rows so far.
        name: Ident,
    },
    /// `invoke function(args)`.
    Invoke {
        /// The invoked function (an [`ExprKind::Call`]).
        function: Expr,
    },
    /// `serialize [Name = Expr, ...]`.
    Serialize {
        /// Known operator options, rarely written.
        params: Vec<NamedParameter>,
        /// Columns computed while serializing.
        columns: Vec<ColumnAssignment>,
    },
    /// `scan [with_match_id=...] [declare (...)] with (step ...;)`.
    Scan(ScanOperator),
    /// `render Visualization [with (Property = Value, ...)]`.
    Render {
        /// The chart type (`timechart`, `piechart`, …).
        chart: Ident,
        /// The `with (...)` properties.
        properties: Vec<RenderProperty>,
    },
    /// `range Column from Start to Stop step Step` (a source).
    Range {
        /// The generated column.
        column: Ident,
        /// First value.
        from: Expr,
        /// Last value.
        to: Expr,
        /// Increment.
        step: Expr,
    },
    /// `print [Name =] Expr, ...` (a source).
    Print {
        /// The printed columns.
        columns: Vec<ColumnAssignment>,
    },
    /// `search [kind=...] [in (Tables)] Predicate`.
    Search {
        /// `kind=`.
        params: Vec<NamedParameter>,
        /// `in (...)` tables, when given.
        tables: Vec<TabularExpression>,
        /// What to search for (`"text"`, `Col has "x"`, `Col:"x"`, `*`).
        predicate: Expr,
    },
    /// `find [withsource=...] [in (Tables)] where Predicate [project ...]`.
    Find {
        /// `withsource=`, `datascope=`, ….
        params: Vec<NamedParameter>,
        /// `in (...)` tables, when given.
        tables: Vec<TabularExpression>,
        /// The predicate.
        predicate: Expr,
        /// `project Cols` (or `project-smart`, an empty list with
        /// `project_smart`).
        project: Vec<Expr>,
        /// True for `project-smart`.
        project_smart: bool,
    },
    /// `getschema`.
    Getschema,
    /// `datatable (Schema) [Values]` (a source).
    Datatable {
        /// Known operator options, rarely written.
        params: Vec<NamedParameter>,
        /// The columns.
        columns: Vec<ColumnDeclaration>,
        /// The values, row after row, flattened.
        values: Vec<Expr>,
    },
    /// `externaldata (Schema) [URLs] [with (Properties)]` (a source).
    Externaldata {
        /// Known operator options, rarely written.
        params: Vec<NamedParameter>,
        /// The columns.
        columns: Vec<ColumnDeclaration>,
        /// The storage URLs (string literals).
        uris: Vec<Expr>,
        /// `with (format="csv", ...)`.
        properties: Vec<NamedParameter>,
    },
    /// `facet by Col, ... [with (Subquery)]` (or `with Operator`).
    Facet {
        /// The faceted columns.
        columns: Vec<Expr>,
        /// The `with` subquery (implicit source; a single operator when
        /// written without parentheses).
        with: Option<Box<TabularExpression>>,
    },
    /// `reduce [kind=...] by Expr [with threshold=..., characters=...]`.
    Reduce {
        /// `kind=`.
        params: Vec<NamedParameter>,
        /// The reduced expression.
        by: Expr,
        /// `with` options.
        options: Vec<NamedParameter>,
    },
    /// `fork [name=](Subquery) ...`.
    Fork {
        /// The branches.
        branches: Vec<ForkBranch>,
    },
    /// `partition [hint.*=...] by Col (Subquery)` or `{ Subquery }`.
    Partition {
        /// `hint.*=`.
        params: Vec<NamedParameter>,
        /// The partition column.
        by: Expr,
        /// The subquery run per partition.
        subquery: Box<TabularExpression>,
    },
    /// `consume [decodeblocks=...]`.
    Consume {
        /// Options.
        params: Vec<NamedParameter>,
    },
    /// `make-graph Source --> Target [with Nodes on Key, ... | with_node_id=Name]`
    /// (`--` for an undirected graph): a graph built from an edges table.
    MakeGraph {
        /// The column naming each edge's source node.
        source: Expr,
        /// `-->` (directed) rather than `--`.
        directed: bool,
        /// The column naming each edge's target node.
        target: Expr,
        /// `with Nodes on Key, ...`: node tables and their key columns.
        nodes: Vec<GraphNodes>,
        /// `with_node_id=`.
        params: Vec<NamedParameter>,
    },
    /// `graph-match [cycles=...] Pattern, ... [where Predicate] [project Columns]`,
    /// and `graph-shortest-paths` with the same arguments.
    GraphMatch {
        /// True for `graph-shortest-paths`.
        shortest_paths: bool,
        /// `cycles=`, `output=`.
        params: Vec<NamedParameter>,
        /// The patterns, each a chain of nodes and edges.
        patterns: Vec<GraphPattern>,
        /// `where` over node and edge properties.
        predicate: Option<Expr>,
        /// `project` columns.
        project: Vec<ColumnAssignment>,
    },
    /// `graph-to-table nodes|edges [options] [as Name], ...`.
    GraphToTable {
        /// The tables made, one per `nodes` or `edges`.
        outputs: Vec<GraphTableOutput>,
    },
    /// `graph-mark-components [kind=...] [with_component_id=Name]`.
    GraphMarkComponents {
        /// Options.
        params: Vec<NamedParameter>,
    },
    /// `macro-expand [options] EntityGroup as Name (Subquery)`: the
    /// subquery run over each member of an entity group.
    MacroExpand {
        /// `kind=`, `isfuzzy=`.
        params: Vec<NamedParameter>,
        /// The members of `entity_group [T, ...]`, or the one named group.
        members: Vec<TabularExpression>,
        /// The name the subquery uses for each member.
        name: Ident,
        /// The subquery.
        body: Box<TabularExpression>,
    },
    /// `project-by-names Name, ...` (columns named by strings or names).
    ProjectByNames {
        /// The columns.
        columns: Vec<Expr>,
    },
    /// `assert-schema (Schema)`: fails the query unless the input has these
    /// columns.
    AssertSchema {
        /// The expected columns.
        columns: Vec<ColumnDeclaration>,
    },
    /// An operator that could not be parsed; its errors are in
    /// [`crate::Parsed::errors`].
    Error,
}

/// `parse` and `parse-where` arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseOperator {
    /// `kind=`, `flags=`.
    pub params: Vec<NamedParameter>,
    /// The parsed expression.
    pub source: Expr,
    /// The pattern after `with`, in order.
    pub pattern: Vec<ParsePatternPart>,
}

/// One piece of a `parse` pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum ParsePatternPart {
    /// A literal string to match (a [`LiteralKind::String`] literal).
    Text(Literal),
    /// `*`: skip any text.
    Star(Span),
    /// A column to extract: `Name` or `Name: type`.
    Column {
        /// The new column.
        name: Ident,
        /// Its type, when written.
        ty: Option<TypeName>,
    },
}

/// One column of `mv-expand` / `mv-apply`: `[Name =] Expr [to typeof(T)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpandItem {
    /// The expanded column (named or not).
    pub column: ColumnAssignment,
    /// `to typeof(type)`.
    pub to_type: Option<TypeName>,
    /// The whole item.
    pub span: Span,
}

/// One column of `make-series`: `[Name =] Aggregate [default = Value]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MakeSeriesAggregate {
    /// The aggregate.
    pub column: ColumnAssignment,
    /// `default = value`.
    pub default: Option<Expr>,
    /// The whole item.
    pub span: Span,
}

/// One `top-nested` level.
#[derive(Clone, Debug, PartialEq)]
pub struct TopNestedLevel {
    /// How many values (absent: all).
    pub count: Option<Expr>,
    /// The grouped value (`of Expr`, possibly named).
    pub of: ColumnAssignment,
    /// `with others = Value`.
    pub others: Option<Expr>,
    /// The ranking aggregate (`by [Name =] Aggregate`).
    pub by: ColumnAssignment,
    /// `asc` / `desc`.
    pub order: Option<SortOrder>,
    /// The clause.
    pub span: Span,
}

/// `scan` arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanOperator {
    /// `with_match_id=`, `hint.*=`.
    pub params: Vec<NamedParameter>,
    /// `order by` keys, when written.
    pub order_by: Vec<SortKey>,
    /// `partition by` columns, when written.
    pub partition_by: Vec<Expr>,
    /// `declare (Name:type [= default], ...)`.
    pub declare: Vec<Parameter>,
    /// The steps.
    pub steps: Vec<ScanStep>,
}

/// `step Name [output=all|last|none]: Condition [=> Col = Expr, ...];`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanStep {
    /// Step name.
    pub name: Ident,
    /// `optional`: the sequence may skip this step.
    pub optional: bool,
    /// `output=...`.
    pub params: Vec<NamedParameter>,
    /// When the step matches.
    pub condition: Expr,
    /// What it assigns when it does.
    pub assignments: Vec<ColumnAssignment>,
    /// The whole step.
    pub span: Span,
}

/// `Property = Value[, Value...]` in `render ... with (...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderProperty {
    /// Property name (`title`, `ycolumns`, `kind`, …).
    pub name: Ident,
    /// One value, or several for list properties such as `ycolumns`.
    pub values: Vec<Expr>,
    /// The whole property.
    pub span: Span,
}

/// A node table of `make-graph`: `Nodes on Key`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNodes {
    /// The nodes.
    pub table: TabularExpression,
    /// The column matching edge ends.
    pub key: Expr,
    /// The whole clause.
    pub span: Span,
}

/// One `graph-match` pattern: `(a)-[e*1..3]->(b)<--(c)`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphPattern {
    /// Nodes and edges, alternating, starting with a node.
    pub elements: Vec<GraphElement>,
    /// The whole pattern.
    pub span: Span,
}

/// A node `(name)` or an edge (`-->`, `<--`, `--`, `-[name*1..3]->`) of a
/// graph pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphElement {
    /// True for a node.
    pub node: bool,
    /// The variable the pattern binds it to, when named.
    pub name: Option<Ident>,
    /// The element as written.
    pub span: Span,
}

/// One table made by `graph-to-table`: `nodes|edges [options] [as Name]`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphTableOutput {
    /// `nodes` or `edges`.
    pub entity: Ident,
    /// `with_node_id=`, `with_source_id=`, `with_target_id=`.
    pub params: Vec<NamedParameter>,
    /// `as Name`.
    pub name: Option<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// One `fork` branch: `[name =] (Subquery)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForkBranch {
    /// Branch name, when given.
    pub name: Option<Ident>,
    /// The subquery (implicit source).
    pub query: TabularExpression,
    /// The whole branch.
    pub span: Span,
}

/// A name: an identifier, or a bracketed `['quoted name']`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name, decoded (`['a b']` gives `a b`).
    pub name: String,
    /// The name as written, brackets included.
    pub span: Span,
    /// True for the bracketed form.
    pub quoted: bool,
}

impl Ident {
    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

/// A scalar expression (or, as [`ExprKind::Tabular`], a nested tabular
/// expression in expression position).
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Its text range; `span.slice(query)` is the expression as written.
    pub span: Span,
}

impl Expr {
    /// The expression's text in `query` (the text that was parsed).
    pub fn text<'q>(&self, query: &'q str) -> &'q str {
        self.span.slice(query)
    }

    /// The name, when this is a plain [`ExprKind::Name`].
    pub fn as_name(&self) -> Option<&Ident> {
        match &self.kind {
            ExprKind::Name(ident) => Some(ident),
            _ => None,
        }
    }

    /// The decoded string, when this is a string literal.
    pub fn as_string(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Literal(Literal {
                kind: LiteralKind::String(s),
                ..
            }) => Some(&s.value),
            _ => None,
        }
    }

    /// This expression without any enclosing parentheses.
    pub fn unparenthesized(&self) -> &Expr {
        let mut e = self;
        while let ExprKind::Paren(inner) = &e.kind {
            e = inner;
        }
        e
    }
}

/// The kinds of [`Expr`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal value.
    Literal(Literal),
    /// A column, a let-bound name, a table name or a parameter.
    Name(Ident),
    /// `*` where an expression may be a wildcard (`count(*)`-style
    /// arguments, `arg_max(T, *)`, `distinct *`, `search *`).
    Star,
    /// `target.member`: dynamic property access (`Props.Name`,
    /// `Props.['a b']`), `$left.Col` / `$right.Col`, `database('x').T`.
    Path {
        /// What is accessed.
        target: Box<Expr>,
        /// The member name.
        member: Ident,
    },
    /// `target[index]`: `Arr[0]`, `Bag["key"]`.
    Index {
        /// What is indexed.
        target: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
    /// A function call.
    Call(Call),
    /// `-x`, `+x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `left op right` for every binary operator (logical, comparison,
    /// string, arithmetic).
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `x in (a, b)`, `x !in (...)`, `x in~ (...)`, `x !in~ (...)`. The list
    /// may hold a single tabular subquery or a let-bound name.
    In {
        /// `!in`, `!in~`.
        negated: bool,
        /// `in~`, `!in~`.
        case_insensitive: bool,
        /// The tested value.
        left: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
    },
    /// `x has_any (a, b)` / `x has_all (...)`.
    HasAny {
        /// `has_all` (else `has_any`).
        all: bool,
        /// The searched value.
        left: Box<Expr>,
        /// The terms.
        list: Vec<Expr>,
    },
    /// `x between (low .. high)` / `x !between (...)`.
    Between {
        /// `!between`.
        negated: bool,
        /// The tested value.
        left: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
    },
    /// `( expr )` — kept so rendering stays faithful.
    Paren(Box<Expr>),
    /// A tabular expression where a value is expected: `(T | where ...)` in
    /// `in (...)`, `toscalar(T | ...)`, `materialize(T | ...)`.
    Tabular(Box<TabularExpression>),
    /// `typeof(type)` or `typeof(Col:type, ...)`.
    TypeOf(Vec<TypeOfItem>),
    /// The `:` string operator, `Col:"text"` (a term match, written
    /// mostly in `search` and `find`).
    ColumnMatch {
        /// The column.
        column: Box<Expr>,
        /// The searched text.
        value: Box<Expr>,
    },
    /// `[expr]` standing alone where a name may stand: Kusto's parser
    /// accepts it (`print [a]`); it names nothing ruledex can resolve.
    Bracketed(Box<Expr>),
    /// Not parseable (an error was reported).
    Error,
}

/// A function call: `name(args)`, or `target.name(args)` for the
/// `cluster('c').database('d')` chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The function name.
    pub name: Ident,
    /// For method-style calls, what precedes the dot.
    pub target: Option<Box<Expr>>,
    /// The arguments.
    pub args: Vec<Argument>,
    /// Name through the closing parenthesis.
    pub span: Span,
}

/// A call argument: positional, or `name = value` (plugin options).
#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    /// The parameter name, for named arguments.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// The whole argument.
    pub span: Span,
}

/// An item of `typeof(...)`.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeOfItem {
    /// A plain type: `typeof(long)`.
    Type(TypeName),
    /// A column: `typeof(Name:string)`. The type may be any name here
    /// (`typeof(x:int16)`): Kusto's parser accepts it, the engine checks it.
    Column(ColumnDeclaration),
    /// A tabular column: `typeof(Name:(Col:type, ...))`.
    Table {
        /// The column.
        name: Ident,
        /// Its schema.
        schema: Schema,
    },
    /// `*`.
    Star(Span),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Negate,
    /// `+x`
    Plus,
}

/// A literal with its decoded value. The raw text is `span.slice(query)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// The value.
    pub kind: LiteralKind,
    /// The literal as written.
    pub span: Span,
}

/// Literal values.
#[derive(Clone, Debug, PartialEq)]
pub enum LiteralKind {
    /// A string, possibly several adjacent string tokens concatenated.
    String(StringLiteral),
    /// An integer (`42`, `0x1F`).
    Long(i64),
    /// A real (`1.5`, `1e3`).
    Real(f64),
    /// `true` / `false`.
    Bool(bool),
    /// A timespan written with a unit (`30m`, `1.5h`), with its length in
    /// ticks (100 ns) when representable.
    Timespan(Option<i64>),
    /// A typed literal `type(text)`: `datetime(2024-01-01)`,
    /// `timespan(1.00:00:00)`, `guid(...)`, `int(null)`, `real(+inf)`,
    /// `bool(true)`, `datetime("2024-01-01")`.
    Typed(TypedLiteral),
    /// `dynamic(...)`.
    Dynamic(Box<DynamicValue>),
}

/// A string literal.
#[derive(Clone, Debug, PartialEq)]
pub struct StringLiteral {
    /// The decoded value (escapes applied, pieces concatenated).
    pub value: String,
    /// True when any piece is an obfuscated `h'...'` string.
    pub obfuscated: bool,
    /// True when any piece is a verbatim `@'...'` string.
    pub verbatim: bool,
}

/// A `type(text)` literal.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedLiteral {
    /// The type as written (`datetime`, `date`, `timespan`, `time`, `guid`,
    /// `int`, `long`, `real`, `double`, `decimal`, `bool`, `boolean`).
    pub ty: String,
    /// The inside of the parentheses, trimmed (`2024-01-01 10:00`, `null`;
    /// a quoted value such as `"8:00 AM"` keeps its quotes).
    pub text: String,
}

impl TypedLiteral {
    /// True for `type(null)`.
    pub fn is_null(&self) -> bool {
        self.text == "null"
    }
}

/// A value inside `dynamic(...)`: JSON plus KQL literals.
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicValue {
    /// The value.
    pub kind: DynamicKind,
    /// Its text range.
    pub span: Span,
}

/// The kinds of [`DynamicValue`].
#[derive(Clone, Debug, PartialEq)]
pub enum DynamicKind {
    /// `null`.
    Null,
    /// `[a, b, ...]`.
    Array(Vec<DynamicValue>),
    /// `{"key": value, ...}`.
    Object(Vec<(StringLiteral, DynamicValue)>),
    /// Any scalar literal (string, number, bool, timespan, datetime, …).
    Literal(Literal),
    /// A client parameter `{name}` standing for a value.
    Parameter(Ident),
}

/// Binary operators, each string operator with its negation and case
/// sensitivity spelled out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `=` used as a comparison (`where x = 1`): Kusto accepts it as `==`.
    Equals,
    /// `!=`
    NotEq,
    /// `<>`
    LtGt,
    /// `=~` (case-insensitive equality)
    EqTilde,
    /// `!~`
    NotEqTilde,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `has`
    Has,
    /// `!has`
    NotHas,
    /// `has_cs`
    HasCs,
    /// `!has_cs`
    NotHasCs,
    /// `hasprefix`
    HasPrefix,
    /// `!hasprefix`
    NotHasPrefix,
    /// `hasprefix_cs`
    HasPrefixCs,
    /// `!hasprefix_cs`
    NotHasPrefixCs,
    /// `hassuffix`
    HasSuffix,
    /// `!hassuffix`
    NotHasSuffix,
    /// `hassuffix_cs`
    HasSuffixCs,
    /// `!hassuffix_cs`
    NotHasSuffixCs,
    /// `contains`
    Contains,
    /// `!contains` (also the legacy `notcontains`)
    NotContains,
    /// `contains_cs` (also the legacy `containscs`)
    ContainsCs,
    /// `!contains_cs` (also the legacy `notcontainscs`)
    NotContainsCs,
    /// `startswith`
    StartsWith,
    /// `!startswith`
    NotStartsWith,
    /// `startswith_cs`
    StartsWithCs,
    /// `!startswith_cs`
    NotStartsWithCs,
    /// `endswith`
    EndsWith,
    /// `!endswith`
    NotEndsWith,
    /// `endswith_cs`
    EndsWithCs,
    /// `!endswith_cs`
    NotEndsWithCs,
    /// `matches regex`
    MatchesRegex,
    /// `like` (legacy wildcard match)
    Like,
    /// `notlike`
    NotLike,
    /// `likecs`
    LikeCs,
    /// `notlikecs`
    NotLikeCs,
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `%`
    Modulo,
}

impl BinaryOp {
    /// The operator as KQL spells it.
    pub fn as_str(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "==",
            Equals => "=",
            NotEq => "!=",
            LtGt => "<>",
            EqTilde => "=~",
            NotEqTilde => "!~",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Has => "has",
            NotHas => "!has",
            HasCs => "has_cs",
            NotHasCs => "!has_cs",
            HasPrefix => "hasprefix",
            NotHasPrefix => "!hasprefix",
            HasPrefixCs => "hasprefix_cs",
            NotHasPrefixCs => "!hasprefix_cs",
            HasSuffix => "hassuffix",
            NotHasSuffix => "!hassuffix",
            HasSuffixCs => "hassuffix_cs",
            NotHasSuffixCs => "!hassuffix_cs",
            Contains => "contains",
            NotContains => "!contains",
            ContainsCs => "contains_cs",
            NotContainsCs => "!contains_cs",
            StartsWith => "startswith",
            NotStartsWith => "!startswith",
            StartsWithCs => "startswith_cs",
            NotStartsWithCs => "!startswith_cs",
            EndsWith => "endswith",
            NotEndsWith => "!endswith",
            EndsWithCs => "endswith_cs",
            NotEndsWithCs => "!endswith_cs",
            MatchesRegex => "matches regex",
            Like => "like",
            NotLike => "notlike",
            LikeCs => "likecs",
            NotLikeCs => "notlikecs",
            Add => "+",
            Subtract => "-",
            Multiply => "*",
            Divide => "/",
            Modulo => "%",
        }
    }

    /// True for the negated forms (`!=`, `!~`, `!has`, `!contains`, …).
    pub fn is_negated(self) -> bool {
        use BinaryOp::*;
        matches!(
            self,
            NotEq
                | LtGt
                | NotEqTilde
                | NotHas
                | NotHasCs
                | NotHasPrefix
                | NotHasPrefixCs
                | NotHasSuffix
                | NotHasSuffixCs
                | NotContains
                | NotContainsCs
                | NotStartsWith
                | NotStartsWithCs
                | NotEndsWith
                | NotEndsWithCs
                | NotLike
                | NotLikeCs
        )
    }

    /// Whether a string comparison is case-sensitive: `Some(true)` for `==`,
    /// `has_cs`, `matches regex`, …; `Some(false)` for `=~`, `has`,
    /// `contains`, …; `None` for logical and arithmetic operators and
    /// ordering comparisons.
    pub fn case_sensitive(self) -> Option<bool> {
        use BinaryOp::*;
        match self {
            Eq | Equals | NotEq | LtGt | HasCs | NotHasCs | HasPrefixCs | NotHasPrefixCs
            | HasSuffixCs | NotHasSuffixCs | ContainsCs | NotContainsCs | StartsWithCs
            | NotStartsWithCs | EndsWithCs | NotEndsWithCs | MatchesRegex | LikeCs | NotLikeCs => {
                Some(true)
            }
            EqTilde | NotEqTilde | Has | NotHas | HasPrefix | NotHasPrefix | HasSuffix
            | NotHasSuffix | Contains | NotContains | StartsWith | NotStartsWith | EndsWith
            | NotEndsWith | Like | NotLike => Some(false),
            Or | And | Lt | Le | Gt | Ge | Add | Subtract | Multiply | Divide | Modulo => None,
        }
    }
}

impl std::fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
