//! Tabular expressions (`Source | op | op`) and every tabular operator.

use super::expr::{BP_POSTFIX, BP_STRING};
use super::{keywords, tabular_into_scalar, Classified, Parser, OPERATOR_NAMES};
use crate::ast::*;
use crate::error::codes;
use crate::lexer::{Token, TokenKind};
use ruledex_ir::Span;

/// Hyphenated words that are not operators of their own: clause names.
const HYPHENATED_CLAUSES: &[&str] = &["project-smart"];

/// Every name written with hyphens: the hyphenated operators of
/// [`OPERATOR_NAMES`] and [`HYPHENATED_CLAUSES`].
fn hyphenated_names() -> impl Iterator<Item = &'static str> {
    OPERATOR_NAMES
        .iter()
        .chain(HYPHENATED_CLAUSES)
        .copied()
        .filter(|n| n.contains('-'))
}

/// Option names every operator that takes `name=value` options accepts
/// before its arguments (Kusto's parser knows them all everywhere; the
/// engine checks which apply).
const KNOWN_PARAMS: &[&str] = &[
    "kind",
    "withsource",
    "with_source",
    "isfuzzy",
    "hint.strategy",
    "hint.remote",
    "hint.shufflekey",
    "hint.num_partitions",
    "hint.concurrency",
    "hint.spread",
    "hint.materialized",
    "hint.distribution",
    "hint.progressive_top",
    "hint.pass_filters",
    "hint.pass_filters_column",
    "bagexpansion",
    "with_itemindex",
    "decodeblocks",
    "with_match_id",
    "with_step_name",
    "cycles",
];

/// Option names an operator accepts besides [`KNOWN_PARAMS`].
fn extra_params(op: &str) -> &'static [&'static str] {
    match op {
        "parse" | "parse-where" => &["flags"],
        "reduce" => &["threshold", "characters"],
        "make-graph" => &["with_node_id"],
        "graph-shortest-paths" => &["output"],
        "graph-to-table" => &["with_node_id", "with_source_id", "with_target_id"],
        "graph-mark-components" => &["with_component_id"],
        _ => &[],
    }
}

/// Operator words that Kusto's parser reads as a table name, not as an
/// operator, when they start a query (`take 1` alone is the table `take`
/// followed by a stray `1`), found by running each operator as a statement
/// through it (`tools/diff/kql/grammar_probes.py`).
const NAMES_AT_QUERY_START: &[&str] = &[
    "consume",
    "count",
    "distinct",
    "extend",
    "filter",
    "fork",
    "getschema",
    "join",
    "limit",
    "lookup",
    "mvapply",
    "mvexpand",
    "order",
    "parse",
    "scan",
    "serialize",
    "sort",
    "summarize",
    "take",
    "top",
];

/// The visualizations of `render` (keywords to Kusto's parser; any other
/// name that is no keyword is accepted too).
const CHART_TYPES: &[&str] = &[
    "table",
    "list",
    "barchart",
    "piechart",
    "ladderchart",
    "timechart",
    "linechart",
    "anomalychart",
    "pivotchart",
    "areachart",
    "stackedareachart",
    "scatterchart",
    "timepivot",
    "columnchart",
    "card",
    "treemap",
    "3Dchart",
    "plotly",
    "graph",
    "timeline",
];

/// The properties of `render ... with (...)`.
/// The options of `parse-kv ... with (...)` (case-sensitive).
const PARSE_KV_OPTIONS: &[&str] = &[
    "pair_delimiter",
    "kv_delimiter",
    "quote",
    "escape",
    "greedy",
    "regex",
];

/// The typed literals an `externaldata` storage property may be.
const STORAGE_LITERAL_TYPES: &[&str] = &[
    "bool", "date", "datetime", "double", "guid", "int64", "long", "real",
];

const RENDER_PROPERTIES: &[&str] = &[
    "kind",
    "title",
    "accumulate",
    "xcolumn",
    "ycolumns",
    "anomalycolumns",
    "series",
    "xtitle",
    "ytitle",
    "xaxis",
    "yaxis",
    "legend",
    "ysplit",
    "ymin",
    "ymax",
    "xmin",
    "xmax",
];

/// Render properties whose value is a list of column names.
const RENDER_COLUMN_LISTS: &[&str] = &["ycolumns", "anomalycolumns", "series"];

impl Parser<'_> {
    // ----- tabular expressions -------------------------------------------

    /// `Source | op | op ...`.
    pub(super) fn parse_tabular(&mut self) -> TabularExpression {
        let start = self.tok().span.start;
        let source = self.parse_source();
        self.parse_pipes(source, start)
    }

    /// A statement or parenthesized query: like [`Self::parse_tabular`],
    /// but most operator keywords (`where`, `project`, `mv-expand`,
    /// `render`, …) start a query without a source, as Kusto's parser
    /// reads them. The operator words that are also ordinary names there
    /// (`take`, `summarize`, `join`, … see [`NAMES_AT_QUERY_START`]) are
    /// table names, `count(` and `range(` are the functions, and the
    /// operators that make rows of their own (`union`, `print`, `range x
    /// from …`) are sources.
    pub(super) fn parse_tabular_or_implicit(&mut self) -> TabularExpression {
        if self.at_operator_start() {
            let (name, len) = self.peek_operator_name();
            // A word that can be a name, alone before `|`, is the table.
            let alone = len == 1
                && !keywords::reserved_in_expression(&name)
                && matches!(
                    self.nth_kind(1),
                    TokenKind::Pipe | TokenKind::Semicolon | TokenKind::RParen | TokenKind::Eof
                );
            let function = NAMES_AT_QUERY_START.contains(&name.as_str())
                || alone
                || (matches!(name.as_str(), "count" | "range")
                    && self.nth_kind(1) == TokenKind::LParen);
            let source = matches!(
                name.as_str(),
                "union"
                    | "print"
                    | "search"
                    | "find"
                    | "range"
                    | "evaluate"
                    | "datatable"
                    | "externaldata"
                    | "macro-expand"
            );
            if !function && !source {
                return self.parse_subquery();
            }
        }
        self.parse_tabular()
    }

    /// The `| op` chain after a source.
    pub(super) fn parse_pipes(&mut self, source: Source, start: u32) -> TabularExpression {
        let mut operators = Vec::new();
        while self.at(TokenKind::Pipe) {
            let before = self.pos;
            let pipe = self.bump();
            operators.push(self.parse_operator(Some(pipe)));
            if self.pos == before {
                self.bump();
            }
        }
        TabularExpression {
            source,
            operators,
            span: self.span_from(start),
        }
    }

    /// A tabular or scalar expression where either may appear (call
    /// arguments, parentheses, `in (...)` lists): a pipeline becomes
    /// [`ExprKind::Tabular`], anything else stays a plain expression.
    pub(super) fn parse_pipe_expr(&mut self) -> Expr {
        let tabular = self.parse_tabular();
        self.classify_pipe_expr(tabular)
    }

    /// [`Self::parse_pipe_expr`] for parentheses, where a query may also
    /// start with an operator.
    pub(super) fn parse_pipe_expr_or_implicit(&mut self) -> Expr {
        let tabular = self.parse_tabular_or_implicit();
        self.classify_pipe_expr(tabular)
    }

    fn classify_pipe_expr(&mut self, tabular: TabularExpression) -> Expr {
        match tabular_into_scalar(tabular) {
            Classified::Scalar(expr) => expr,
            Classified::Tabular(tabular) => Expr {
                span: tabular.span,
                kind: ExprKind::Tabular(Box::new(tabular)),
            },
        }
    }

    /// A subquery that may start directly with an operator (`mv-apply ...
    /// on (summarize ...)`, `fork (where ...)`); the rows come from the
    /// enclosing query then.
    fn parse_subquery(&mut self) -> TabularExpression {
        let start = self.tok().span.start;
        if self.at_operator_start() {
            let source = Source {
                kind: SourceKind::Implicit,
                span: Span::empty(start),
            };
            let first = self.parse_operator(None);
            let mut tabular = self.parse_pipes(source, start);
            tabular.operators.insert(0, first);
            return tabular;
        }
        self.parse_tabular()
    }

    /// Whether the cursor is on an operator name (for implicit-source
    /// subqueries).
    fn at_operator_start(&self) -> bool {
        if !self.at(TokenKind::Ident) {
            return false;
        }
        let (name, _) = self.peek_operator_name();
        OPERATOR_NAMES.contains(&name.as_str())
    }

    /// The operator name at the cursor, joining `project` `-` `away` when
    /// the pieces touch, and the number of tokens it spans.
    fn peek_operator_name(&self) -> (String, usize) {
        let first = self.tok();
        let mut name = self.text_of(first).to_string();
        let mut len = 1;
        while self.nth_kind(len) == TokenKind::Minus
            && self.nth_touches_previous(len)
            && self.nth_kind(len + 1) == TokenKind::Ident
            && self.nth_touches_previous(len + 1)
        {
            let joined = format!("{name}-{}", self.text_of(self.nth(len + 1)));
            // Only known hyphenated names join: `project-reo` is `project`
            // followed by `-reo`, as Kusto reads it; but a known name run
            // on into more letters (`project-awayt`) is one unknown word.
            if !hyphenated_names().any(|n| n.starts_with(joined.as_str())) {
                if hyphenated_names().any(|n| joined.starts_with(n) && joined.len() > n.len()) {
                    return (joined, len + 2);
                }
                break;
            }
            name = joined;
            len += 2;
        }
        if name.contains('-') && !hyphenated_names().any(|n| n == name) {
            // A prefix of a longer name only (never happens with today's
            // names); fall back to the first word.
            return (self.text_of(first).to_string(), 1);
        }
        (name, len)
    }

    /// The start of a tabular expression.
    fn parse_source(&mut self) -> Source {
        let t = self.tok();
        if t.kind == TokenKind::Ident {
            let word = self.text_of(t);
            let next = self.nth_kind(1);
            let is_source_operator = match word {
                "union" | "print" => true,
                "search" => next != TokenKind::LParen,
                // `find` is never a table name; `find "text"` and `find x
                // == 1` search without `where`.
                "find" => !matches!(
                    next,
                    TokenKind::Pipe | TokenKind::Semicolon | TokenKind::Eof
                ),
                "macro" => self.peek_operator_name().0 == "macro-expand",
                "datatable" | "externaldata" | "external_data" => {
                    matches!(next, TokenKind::LParen | TokenKind::Ident)
                }
                "range" => next == TokenKind::Ident && self.nth_is_word(2, "from"),
                "evaluate" => next == TokenKind::Ident,
                _ => false,
            };
            if is_source_operator {
                let op = self.parse_operator(None);
                return Source {
                    span: op.span,
                    kind: SourceKind::Operator(Box::new(op)),
                };
            }
        }
        let expr = self.parse_expr();
        let span = expr.span;
        let kind = match expr.kind {
            ExprKind::Name(ident) => SourceKind::Name(ident),
            ExprKind::Call(call) if call.target.is_none() => SourceKind::Call(call),
            ExprKind::Paren(inner) => match inner.kind {
                ExprKind::Tabular(tabular) => SourceKind::Parenthesized(tabular),
                kind => SourceKind::Expr(Expr {
                    kind: ExprKind::Paren(Box::new(Expr {
                        kind,
                        span: inner.span,
                    })),
                    span,
                }),
            },
            ExprKind::Error => SourceKind::Error,
            kind => SourceKind::Expr(Expr { kind, span }),
        };
        Source { kind, span }
    }

    /// A single table reference (join/lookup right side, union item): a
    /// name, a pattern, a call or a parenthesized query, without a pipe.
    fn parse_table_reference(&mut self, allow_pattern: bool) -> TabularExpression {
        let start = self.tok().span.start;
        if allow_pattern && self.at_pattern_with_star() {
            let pattern = self.parse_name_pattern();
            let span = pattern.span;
            return TabularExpression {
                source: Source {
                    kind: SourceKind::Pattern(pattern),
                    span,
                },
                operators: Vec::new(),
                span,
            };
        }
        if self.at(TokenKind::LParen) {
            let open = self.bump();
            let inner =
                self.enclosed_tabular(open, TokenKind::RParen, Self::parse_tabular_or_implicit);
            let span = self.span_from(start);
            return TabularExpression {
                source: Source {
                    kind: SourceKind::Parenthesized(Box::new(inner)),
                    span,
                },
                operators: Vec::new(),
                span,
            };
        }
        // A postfix-level expression: name, call, `database('x').T`.
        let mut expr = self.parse_expr_bp(BP_POSTFIX);
        if allow_pattern {
            expr = self.qualified_wildcard(expr);
        }
        let span = expr.span;
        let kind = match expr.kind {
            ExprKind::Name(ident) => SourceKind::Name(ident),
            ExprKind::Call(call) if call.target.is_none() => SourceKind::Call(call),
            ExprKind::Error => SourceKind::Error,
            kind @ (ExprKind::Path { .. } | ExprKind::Call(_) | ExprKind::Index { .. }) => {
                SourceKind::Expr(Expr { kind, span })
            }
            _ => {
                self.error(
                    codes::UNEXPECTED_TOKEN,
                    "expected a table name, a function call or a parenthesized query",
                    span,
                );
                SourceKind::Error
            }
        };
        TabularExpression {
            source: Source { kind, span },
            operators: Vec::new(),
            span,
        }
    }

    /// A plugin's output schema after `:`: `(Col: type, ...)`, `(*)`, or
    /// `(*, Col: type, ...)` — the input's columns and these.
    fn parse_plugin_schema(&mut self) -> Schema {
        if !(self.at(TokenKind::LParen)
            && self.nth_kind(1) == TokenKind::Star
            && self.nth_kind(2) == TokenKind::Comma)
        {
            return self.parse_schema_or_star();
        }
        let start = self.tok().span.start;
        let open = self.bump();
        self.bump(); // `*`
        self.bump(); // `,`
        let mut columns = Vec::new();
        while !self.at(TokenKind::RParen) && !self.at(TokenKind::Eof) {
            let before = self.pos;
            match self.parse_column_declaration() {
                Some(c) => columns.push(c),
                None => self.skip_nested_construct(),
            }
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
        }
        self.expect_close(TokenKind::RParen, open);
        Schema {
            columns,
            open: true,
            span: self.span_from(start),
        }
    }

    /// A qualified table name ending in a wildcard, as table lists take it
    /// (`database("S*").C*`, `database("x").*`, `db.T*`): the last
    /// member becomes the pattern, `*` included. Anything else is
    /// returned as it is.
    fn qualified_wildcard(&mut self, expr: Expr) -> Expr {
        let (target, mut member) = match expr.kind {
            // `X.C` followed by `*` (and maybe more of the pattern).
            ExprKind::Path { target, member }
                if self.at(TokenKind::Star) && self.nth_touches_previous(0) =>
            {
                (target, member)
            }
            // `X.*`
            ExprKind::Path { .. } | ExprKind::Call(_) | ExprKind::Name(_)
                if self.at(TokenKind::Dot)
                    && self.nth_kind(1) == TokenKind::Star
                    && self.nth_touches_previous(1) =>
            {
                let dot = self.bump();
                let target = Box::new(expr);
                let member = Ident {
                    name: String::new(),
                    span: Span::empty(dot.span.end),
                    quoted: false,
                };
                (target, member)
            }
            kind => {
                return Expr {
                    kind,
                    span: expr.span,
                }
            }
        };
        // The rest of the pattern: `*`, names and digits, written together.
        while matches!(
            self.kind(),
            TokenKind::Star | TokenKind::Ident | TokenKind::Int
        ) && self.nth_touches_previous(0)
        {
            let t = self.bump();
            member.name.push_str(self.text_of(t));
            member.span = member.span.cover(t.span);
        }
        let span = target.span.cover(member.span);
        Expr {
            kind: ExprKind::Path { target, member },
            span,
        }
    }

    // ----- name patterns ------------------------------------------------

    /// True when token `n` can be part of a name pattern: `*`, a name
    /// that may stand in a column list, or digits (`*1`, `Col2024*`).
    fn is_pattern_part(&self, n: usize) -> bool {
        match self.nth_kind(n) {
            TokenKind::Star | TokenKind::Int => true,
            TokenKind::Ident => !keywords::reserved_in_column_list(self.text_of(self.nth(n))),
            _ => false,
        }
    }

    /// Is a name pattern containing `*` at the cursor (`Device*`, `*Logs`,
    /// `*1`)? Its pieces touch, and it starts with a name or `*`.
    fn at_pattern_with_star(&self) -> bool {
        if !matches!(self.kind(), TokenKind::Ident | TokenKind::Star) {
            return false;
        }
        let mut n = 0;
        let mut saw_star = false;
        loop {
            if !self.is_pattern_part(n) {
                return saw_star;
            }
            saw_star |= self.nth_kind(n) == TokenKind::Star;
            n += 1;
            if !self.nth_touches_previous(n) {
                return saw_star;
            }
        }
    }

    /// A column or table name that may contain `*`, from touching names,
    /// digits and `*` tokens, or a `['quoted']` name.
    fn parse_name_pattern(&mut self) -> NamePattern {
        let start = self.tok().span.start;
        if self.nth_name_at(0) {
            if let Some(ident) = self.parse_name() {
                return NamePattern {
                    text: ident.name,
                    span: ident.span,
                };
            }
        }
        let mut text = String::new();
        if self.at_pattern_with_star() {
            let mut first = true;
            while self.is_pattern_part(0) && (first || self.nth_touches_previous(0)) {
                let t = self.bump();
                text.push_str(self.text_of(t));
                first = false;
            }
        } else if self.at(TokenKind::Ident) {
            let t = self.bump();
            text.push_str(self.text_of(t));
            if keywords::reserved_in_column_list(&text) || matches!(text.as_str(), "true" | "false")
            {
                let span = self.span_from(start);
                self.error(
                    codes::RESERVED_NAME,
                    format!("`{text}` is a keyword; write ['{text}'] to use it as a column name"),
                    span,
                );
            }
        } else {
            self.error_expected("a column name");
        }
        NamePattern {
            text,
            span: self.span_from(start),
        }
    }

    /// Column names and patterns; with `ordered` (`project-reorder`), each
    /// may be followed by `asc`, `desc`, `granny-asc` or `granny-desc`.
    fn parse_name_pattern_list(&mut self, ordered: bool) -> Vec<NamePattern> {
        let mut out = Vec::new();
        loop {
            let before = self.pos;
            out.push(self.parse_name_pattern());
            // `project-reorder` allows an order after each column: `asc`,
            // `desc`, `granny-asc`, `granny-desc`.
            if !ordered {
            } else if self.at_word("asc") || self.at_word("desc") {
                self.bump();
            } else if self.at_granny_order() {
                self.bump();
                self.bump();
                self.bump();
            }
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
        }
        out
    }

    // ----- shared argument forms ----------------------------------------

    /// `name=value` options before an operator's arguments. Only names the
    /// operator accepts (and `hint.*`) are taken, so `extend x = 1` is not
    /// mistaken for an option.
    fn parse_params(&mut self, op: &str) -> Vec<NamedParameter> {
        let mut params = Vec::new();
        while let Some(len) = self.param_name_len(op) {
            let start = self.tok().span.start;
            let first = self.bump();
            let mut name = Ident {
                name: self.text_of(first).to_string(),
                span: first.span,
                quoted: false,
            };
            for _ in 1..len {
                let t = self.bump();
                name.name.push_str(self.text_of(t));
                name.span = name.span.cover(t.span);
            }
            self.bump(); // `=`
                         // The options that name a new column take a name first, even
                         // a word such as `typeof`.
            let declares = matches!(
                name.name.as_str(),
                "withsource"
                    | "with_source"
                    | "with_itemindex"
                    | "with_match_id"
                    | "with_step_name"
                    | "with_node_id"
                    | "with_source_id"
                    | "with_target_id"
                    | "with_component_id"
            );
            let declared =
                if declares && (self.nth_kind(1) != TokenKind::LParen || self.at_word("typeof")) {
                    self.parse_name()
                } else {
                    None
                };
            let value = match declared {
                Some(declared) => {
                    self.check_declared_name(&declared, true);
                    Expr {
                        span: declared.span,
                        kind: ExprKind::Name(declared),
                    }
                }
                // A string is no name (`make-graph ... with_node_id="id"`);
                // the generic options take any value on other operators.
                None if declares
                    && extra_params(op).contains(&name.name.as_str())
                    && !self.at_name() =>
                {
                    self.error_expected("a name for the new column");
                    self.parse_param_value()
                }
                None => self.parse_param_value(),
            };
            params.push(NamedParameter {
                name,
                value,
                span: self.span_from(start),
            });
        }
        params
    }

    /// The number of tokens of an option name `op` takes (`kind`,
    /// `hint.strategy`), when one followed by `=` is at the cursor.
    fn param_name_len(&self, op: &str) -> Option<usize> {
        if !self.at(TokenKind::Ident) {
            return None;
        }
        let mut name = self.text_of(self.tok()).to_string();
        let mut len = 1;
        while self.nth_kind(len) == TokenKind::Dot
            && self.nth_kind(len + 1) == TokenKind::Ident
            && self.nth_touches_previous(len)
            && self.nth_touches_previous(len + 1)
        {
            name.push('.');
            name.push_str(self.text_of(self.nth(len + 1)));
            len += 2;
        }
        let known =
            KNOWN_PARAMS.contains(&name.as_str()) || extra_params(op).contains(&name.as_str());
        (known && self.nth_kind(len) == TokenKind::Assign).then_some(len)
    }

    /// `name = value, ...` (the inside of `with (...)` option lists);
    /// `value` reads one value.
    fn parse_named_list(&mut self, value: fn(&mut Self) -> Expr) -> Vec<NamedParameter> {
        let mut out = Vec::new();
        while self.at_name() {
            let before = self.pos;
            let start = self.tok().span.start;
            let Some(name) = self.parse_dotted_name() else {
                break;
            };
            if self.expect(TokenKind::Assign, "`=` and a value").is_none() {
                break;
            }
            let value = value(self);
            out.push(NamedParameter {
                name,
                value,
                span: self.span_from(start),
            });
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
            // `with (format="csv",)`: a comma promises another option.
            if !self.at_name() {
                self.error_expected("an option after `,`");
                break;
            }
        }
        out
    }

    /// `( name = value, ... )`.
    fn parse_parenthesized_named_list(
        &mut self,
        value: fn(&mut Self) -> Expr,
    ) -> Vec<NamedParameter> {
        let Some(open) = self.expect(TokenKind::LParen, "`(` and options") else {
            return Vec::new();
        };
        let list = self.parse_named_list(value);
        self.expect_close(TokenKind::RParen, open);
        list
    }

    /// The value of an `externaldata` storage property: a string, an
    /// unsigned number, one of the typed literals Kusto takes there
    /// (`long(1)`, `datetime(...)`, `guid(...)`, `bool(true)`, …), `true`,
    /// `false`, `null` or a name. Not a timespan, a sign, `dynamic(...)`
    /// or an expression.
    fn parse_storage_property_value(&mut self) -> Expr {
        let t = self.tok();
        let ok = match t.kind {
            TokenKind::String | TokenKind::Int | TokenKind::Real => true,
            TokenKind::TypedLiteral => {
                let text = self.text_of(t);
                let prefix = text.split('(').next().unwrap_or("");
                STORAGE_LITERAL_TYPES.contains(&prefix)
            }
            // `int64(1)` and `long(1)` are conversions that read as
            // literals there.
            TokenKind::Ident
                if STORAGE_LITERAL_TYPES.contains(&self.text_of(t))
                    && self.nth_kind(1) == TokenKind::LParen =>
            {
                return self.parse_expr_bp(BP_POSTFIX);
            }
            TokenKind::Ident => {
                let word = self.text_of(t);
                matches!(word, "true" | "false") || !keywords::reserved_in_declaration(word)
            }
            TokenKind::LBracket => self.nth_name_at(0),
            _ => false,
        };
        if !ok {
            self.error_expected("a literal value or a name for the property");
            self.skip_nested_construct();
            return self.error_expr();
        }
        self.parse_single_value()
    }

    /// A literal or a name, one token (a string literal may be several
    /// adjacent ones): no member access, call or operator after it.
    fn parse_single_value(&mut self) -> Expr {
        if self.at(TokenKind::Ident) || self.at(TokenKind::LBracket) {
            let t = self.tok();
            let name = self.parse_name().unwrap_or_else(|| Ident {
                name: String::new(),
                span: t.span,
                quoted: false,
            });
            return Expr {
                span: name.span,
                kind: ExprKind::Name(name),
            };
        }
        self.parse_primary_literal()
    }

    /// Whether a scalar literal starts here: a string, number, timespan or
    /// typed literal, or a sign right before a number or a timespan
    /// (`-1d`). Option values and datatable values both start so.
    fn at_scalar_literal(&self) -> bool {
        match self.kind() {
            TokenKind::String
            | TokenKind::Int
            | TokenKind::Real
            | TokenKind::Timespan
            | TokenKind::TypedLiteral => true,
            TokenKind::Minus | TokenKind::Plus => {
                matches!(
                    self.nth_kind(1),
                    TokenKind::Int | TokenKind::Real | TokenKind::Timespan
                ) && self.nth_touches_previous(1)
            }
            _ => false,
        }
    }

    /// The value of a `parse-kv` option: a literal (`dynamic(...)` too), a
    /// number or timespan with a sign right before it, or a name that is
    /// no keyword; not an expression.
    fn parse_kv_option_value(&mut self) -> Expr {
        let t = self.tok();
        let ok = match t.kind {
            _ if self.at_scalar_literal() => true,
            // `dynamic(...)` and the conversions that read as literals
            // (`int64(1)`).
            TokenKind::Ident
                if self.text_of(t) == "dynamic" || keywords::is_type_name(self.text_of(t)) =>
            {
                self.nth_kind(1) == TokenKind::LParen
            }
            TokenKind::Ident => !keywords::reserved_in_column_list(self.text_of(t)),
            TokenKind::LBracket => self.nth_name_at(0),
            _ => false,
        };
        if !ok {
            self.error_expected("a literal value for the option");
            self.skip_nested_construct();
            return self.error_expr();
        }
        match t.kind {
            TokenKind::Minus | TokenKind::Plus => self.parse_expr_bp(BP_POSTFIX),
            TokenKind::Ident
                if self.text_of(t) == "dynamic" || keywords::is_type_name(self.text_of(t)) =>
            {
                self.parse_expr_bp(BP_POSTFIX)
            }
            _ => self.parse_single_value(),
        }
    }

    /// Is `name =` (a single `=`) at the cursor?
    fn at_assignment(&self) -> bool {
        self.name_len(0)
            .is_some_and(|len| self.nth_kind(len) == TokenKind::Assign)
    }

    /// Is `(a, b) =` at the cursor?
    fn at_tuple_assignment(&self) -> bool {
        if !self.at(TokenKind::LParen) {
            return false;
        }
        let mut n = 1;
        loop {
            if self.nth_kind(n) != TokenKind::Ident {
                return false;
            }
            match self.nth_kind(n + 1) {
                TokenKind::Comma => n += 2,
                TokenKind::RParen => return self.nth_kind(n + 2) == TokenKind::Assign,
                _ => return false,
            }
        }
    }

    /// `[Name =] expr` or `(A, B) = expr`.
    fn parse_column_assignment(&mut self) -> ColumnAssignment {
        let start = self.tok().span.start;
        let mut names = Vec::new();
        if self.at_tuple_assignment() {
            self.bump();
            while let Some(name) = self.parse_name() {
                self.check_declared_name(&name, false);
                names.push(name);
                if self.eat(TokenKind::Comma).is_none() {
                    break;
                }
            }
            self.bump(); // `)`
            self.bump(); // `=`
        } else if self.at_assignment() {
            if let Some(name) = self.parse_name() {
                self.check_declared_name(&name, false);
                names.push(name);
            }
            self.bump(); // `=`
        }
        let expr = self.parse_expr();
        ColumnAssignment {
            names,
            expr,
            span: self.span_from(start),
        }
    }

    /// Column assignments, or none at the end of the operator.
    fn parse_column_assignments_or_none(&mut self) -> Vec<ColumnAssignment> {
        if self.at_operator_end() {
            Vec::new()
        } else {
            self.parse_column_assignments()
        }
    }

    /// Name patterns, or none at the end of the operator.
    fn parse_name_pattern_list_or_none(&mut self, ordered: bool) -> Vec<NamePattern> {
        if self.at_operator_end() {
            Vec::new()
        } else {
            self.parse_name_pattern_list(ordered)
        }
    }

    /// A comma-separated list of column assignments.
    fn parse_column_assignments(&mut self) -> Vec<ColumnAssignment> {
        self.comma_separated(Self::parse_column_assignment)
    }

    /// `distinct` columns: `[Name =] Expr` or `*`.
    fn parse_distinct_columns(&mut self) -> Vec<ColumnAssignment> {
        self.comma_separated(|p| {
            if p.at_lone_star() {
                let star = p.bump();
                ColumnAssignment {
                    names: Vec::new(),
                    expr: Expr {
                        kind: ExprKind::Star,
                        span: star.span,
                    },
                    span: star.span,
                }
            } else {
                p.parse_column_assignment()
            }
        })
    }

    /// An expression that may be written `Name = Expr` where the name
    /// means nothing (`take x = 10`, `sort by a = b`): Kusto's parser
    /// accepts the name and the engine ignores it; so does this parser.
    fn parse_named_expr_value(&mut self) -> Expr {
        if self.at_assignment() {
            if let Some(name) = self.parse_name() {
                self.check_declared_name(&name, false);
            }
            self.bump(); // `=`
        }
        self.parse_expr()
    }

    /// A comma-separated list of expressions.
    fn parse_expr_list(&mut self) -> Vec<Expr> {
        self.comma_separated(Self::parse_expr)
    }

    /// `expr [asc|desc] [nulls first|last]`.
    fn parse_sort_key(&mut self) -> SortKey {
        let start = self.tok().span.start;
        let expr = self.parse_named_expr_value();
        let order = if self.eat_word("asc").is_some() {
            Some(SortOrder::Ascending)
        } else if self.eat_word("desc").is_some() {
            Some(SortOrder::Descending)
        } else if self.at_granny_order() {
            // `granny-asc`/`granny-desc`: a legacy string ordering.
            self.bump();
            self.bump();
            let order = self.bump();
            Some(if self.text_of(order) == "asc" {
                SortOrder::Ascending
            } else {
                SortOrder::Descending
            })
        } else {
            None
        };
        let nulls = if self.eat_word("nulls").is_some() {
            if self.eat_word("first").is_some() {
                Some(NullsPosition::First)
            } else if self.expect_word("last").is_some() {
                Some(NullsPosition::Last)
            } else {
                None
            }
        } else {
            None
        };
        SortKey {
            expr,
            order,
            nulls,
            span: self.span_from(start),
        }
    }

    /// `granny-asc` or `granny-desc` at the cursor.
    fn at_granny_order(&self) -> bool {
        self.at_word("granny")
            && self.nth_kind(1) == TokenKind::Minus
            && (self.nth_is_word(2, "asc") || self.nth_is_word(2, "desc"))
            && self.nth_touches_previous(1)
            && self.nth_touches_previous(2)
    }

    fn parse_sort_keys(&mut self) -> Vec<SortKey> {
        self.comma_separated(Self::parse_sort_key)
    }

    /// `( subquery )` with an implicit source allowed.
    fn parse_parenthesized_subquery(&mut self) -> TabularExpression {
        let start = self.tok().span.start;
        let Some(open) = self.expect(TokenKind::LParen, "`(` and a subquery") else {
            return error_tabular(start);
        };
        self.enclosed_tabular(open, TokenKind::RParen, Self::parse_subquery)
    }

    /// The query between `open` (already taken) and its `close`, read by
    /// `parse` one nesting level deeper; past the depth limit, an error
    /// query (the limit reported it).
    #[recursive::recursive]
    fn enclosed_tabular(
        &mut self,
        open: Token,
        close: TokenKind,
        parse: fn(&mut Self) -> TabularExpression,
    ) -> TabularExpression {
        let inner = if self.enter() {
            let inner = parse(self);
            self.leave();
            inner
        } else {
            error_tabular(open.span.start)
        };
        self.expect_close(close, open);
        inner
    }

    /// `(T1, T2*, (subquery))` after `in` in `search`/`find`.
    fn parse_table_list_in_parens(&mut self) -> Vec<TabularExpression> {
        let Some(open) = self.expect(TokenKind::LParen, "`(` and a list of tables") else {
            return Vec::new();
        };
        // At least one table, and no trailing comma.
        let tables = self.comma_separated(|p| p.parse_table_reference(true));
        self.expect_close(TokenKind::RParen, open);
        tables
    }

    /// `(Table, Pattern*, ...)` of `restrict access to`.
    pub(super) fn parse_restricted_tables(&mut self) -> Vec<TabularExpression> {
        self.parse_table_list_in_parens()
    }

    /// Comma-separated table references after `open` (already taken), up
    /// to its `close`; `allow_pattern` admits wildcards such as `T*`.
    fn table_list_until(
        &mut self,
        open: Token,
        close: TokenKind,
        allow_pattern: bool,
    ) -> Vec<TabularExpression> {
        self.comma_separated_until(open, close, |p| p.parse_table_reference(allow_pattern))
    }

    /// `( Subquery )` whose subquery starts with an operator (`mv-apply`,
    /// `partition`, `facet`): Kusto's parser wants the operator there, not
    /// a table (`(T | take 1)` is rejected).
    fn parse_operator_subquery(&mut self) -> TabularExpression {
        let start = self.tok().span.start;
        let Some(open) = self.expect(TokenKind::LParen, "`(` and a subquery") else {
            return error_tabular(start);
        };
        if !self.at_operator_start() && !self.at(TokenKind::RParen) {
            let found = self.describe_current();
            let span = self.tok().span;
            self.error(
                codes::MISSING_OPERATOR,
                format!("expected a tabular operator to start the subquery, found {found}"),
                span,
            );
        }
        self.enclosed_tabular(open, TokenKind::RParen, Self::parse_subquery)
    }

    /// A column or a path to one (`a`, `a.b`, `['a'].b`): `facet by` and
    /// `partition by` take these, not expressions.
    fn parse_entity_path(&mut self) -> Expr {
        let start = self.tok().span.start;
        let Some(name) = self.parse_name() else {
            self.error_expected("a column name");
            return self.error_expr();
        };
        if !name.quoted && keywords::reserved_in_expression(&name.name) {
            self.error(
                codes::RESERVED_NAME,
                format!(
                    "`{0}` is a keyword; write ['{0}'] to use it as a column name",
                    name.name
                ),
                name.span,
            );
        }
        let mut expr = Expr {
            span: name.span,
            kind: ExprKind::Name(name),
        };
        while self.at(TokenKind::Dot) && self.nth_name_at(1)
            || self.at(TokenKind::Dot) && self.nth_kind(1) == TokenKind::Ident
        {
            self.bump();
            let Some(member) = self.parse_name() else {
                break;
            };
            expr = Expr {
                kind: ExprKind::Path {
                    target: Box::new(expr),
                    member,
                },
                span: self.span_from(start),
            };
        }
        expr
    }

    /// The plugin of `evaluate`: a call `name(args)`.
    fn parse_plugin_call(&mut self, op: &str) -> Expr {
        if self.at(TokenKind::Ident) && self.nth_kind(1) == TokenKind::LParen {
            return self.parse_expr_bp(BP_POSTFIX);
        }
        if self.at_operator_end() {
            return self.parse_required_expr(op);
        }
        self.error_expected("a plugin call such as `bag_unpack(Column)`");
        self.skip_to_sync();
        self.error_expr()
    }

    /// The function of `invoke`: a call, or a chain of calls
    /// (`f().g()`), starting with a call.
    fn parse_invoked_call(&mut self, op: &str) -> Expr {
        let starts_with_call = self
            .name_len(0)
            .is_some_and(|len| self.nth_kind(len) == TokenKind::LParen);
        if starts_with_call {
            return self.parse_expr_bp(BP_POSTFIX);
        }
        if self.at_operator_end() {
            return self.parse_required_expr(op);
        }
        self.error_expected("a function call after `invoke`");
        self.skip_to_sync();
        self.error_expr()
    }

    /// `datascope=hotcache|all|default` before `find` and `search`
    /// arguments, as a parameter.
    fn parse_datascope(&mut self) -> Option<NamedParameter> {
        if !(self.at_word("datascope") && self.nth_kind(1) == TokenKind::Assign) {
            return None;
        }
        let start = self.tok().span.start;
        let name = self.parse_name()?;
        self.bump(); // `=`
        let value = match self.kind() {
            TokenKind::Ident
                if matches!(self.text_of(self.tok()), "hotcache" | "all" | "default") =>
            {
                let t = self.bump();
                Expr {
                    span: t.span,
                    kind: ExprKind::Name(Ident {
                        name: self.text_of(t).to_string(),
                        span: t.span,
                        quoted: false,
                    }),
                }
            }
            _ => {
                self.error_expected("`hotcache`, `all` or `default` after `datascope=`");
                self.error_expr()
            }
        };
        Some(NamedParameter {
            name,
            value,
            span: self.span_from(start),
        })
    }

    /// A value of `datatable`: a literal (a signed number, `dynamic(...)`,
    /// `typeof(...)`, a client parameter), not an expression.
    fn parse_datatable_value(&mut self) -> Expr {
        let literal_start = match self.kind() {
            _ if self.at_scalar_literal() => true,
            TokenKind::Ident => matches!(
                self.text_of(self.tok()),
                "true" | "false" | "dynamic" | "typeof"
            ),
            TokenKind::LBrace => self.client_parameter_at(0),
            _ => false,
        };
        if !literal_start {
            self.error_expected("a literal value in the datatable");
            self.skip_nested_construct();
            return self.error_expr();
        }
        let value = self.parse_expr_bp(BP_POSTFIX);
        if !matches!(
            self.kind(),
            TokenKind::Comma | TokenKind::RBracket | TokenKind::Eof
        ) {
            self.error_expected("`,` or `]` after a datatable value (values are literals)");
            self.skip_nested_construct();
        }
        value
    }

    /// One `name = value` option of a `with` list. With `known_only`, only
    /// the names the operator takes (as for its leading options);
    /// otherwise any single name.
    fn parse_option(&mut self, op: &str, known_only: bool) -> Option<NamedParameter> {
        let start = self.tok().span.start;
        let len = if known_only {
            self.param_name_len(op)
        } else {
            self.name_len(0)
                .filter(|len| self.nth_kind(*len) == TokenKind::Assign)
        };
        let Some(len) = len else {
            self.error_expected("an option `name = value`");
            self.skip_nested_construct();
            return None;
        };
        let first = self.bump();
        let mut name = Ident {
            name: self.text_of(first).to_string(),
            span: first.span,
            quoted: false,
        };
        for _ in 1..len {
            let t = self.bump();
            name.name.push_str(self.text_of(t));
            name.span = name.span.cover(t.span);
        }
        self.bump(); // `=`
        let value = self.parse_param_value();
        Some(NamedParameter {
            name,
            value,
            span: self.span_from(start),
        })
    }

    // ----- operators ----------------------------------------------------

    /// An operator after `pipe` (or, with `None`, in source position or
    /// first in an implicit subquery).
    pub(super) fn parse_operator(&mut self, pipe: Option<Token>) -> Operator {
        let start = pipe.map_or(self.tok().span.start, |p| p.span.start);
        let errors_before = self.errors.len();
        if !self.at(TokenKind::Ident) {
            let span = match pipe {
                Some(p) => p.span,
                None => self.tok().span,
            };
            let found = self.describe_current();
            self.error(
                codes::MISSING_OPERATOR,
                format!("expected a tabular operator after `|`, found {found}"),
                span,
            );
            self.skip_to_sync();
            return Operator {
                name: Ident {
                    name: String::new(),
                    span: Span::empty(self.prev_end()),
                    quoted: false,
                },
                kind: OperatorKind::Error,
                span: self.span_from(start),
            };
        }
        let (name_text, len) = self.peek_operator_name();
        let name_start = self.tok().span.start;
        for _ in 0..len {
            self.bump();
        }
        let name = Ident {
            name: name_text,
            span: self.span_from(name_start),
            quoted: false,
        };
        let kind = self.parse_operator_body(&name);
        // Anything left before the next `|` was not understood.
        if !self.at_operator_end() {
            if self.errors.len() == errors_before {
                let found = self.describe_current();
                let span = self.tok().span;
                // A word starting a new line after a complete operator is
                // usually a second query without the `;` before it.
                let gap = self
                    .text
                    .get(self.prev_end() as usize..span.start as usize)
                    .unwrap_or("");
                let hint = if gap.contains('\n') && self.at(TokenKind::Ident) {
                    " (is a `;` missing before a new statement?)"
                } else {
                    ""
                };
                self.error(
                    codes::UNEXPECTED_TOKEN,
                    format!("unexpected {found} in the `{}` operator{hint}", name.name),
                    span,
                );
            }
            self.skip_to_sync();
        }
        Operator {
            name,
            kind,
            span: self.span_from(start),
        }
    }

    fn parse_operator_body(&mut self, name: &Ident) -> OperatorKind {
        let op = name.name.as_str();
        match op {
            "where" | "filter" => OperatorKind::Where {
                params: self.parse_params(op),
                predicate: self.parse_where_predicate(op),
            },
            "extend" => OperatorKind::Extend {
                columns: self.parse_column_assignments(),
            },
            // Kusto accepts the project family with no column at all.
            "project" => OperatorKind::Project {
                columns: self.parse_column_assignments_or_none(),
            },
            "project-away" => OperatorKind::ProjectAway {
                columns: self.parse_name_pattern_list_or_none(false),
            },
            "project-keep" => OperatorKind::ProjectKeep {
                columns: self.parse_name_pattern_list_or_none(false),
            },
            "project-reorder" => OperatorKind::ProjectReorder {
                columns: self.parse_name_pattern_list_or_none(true),
            },
            "project-rename" => OperatorKind::ProjectRename {
                columns: self.parse_column_assignments_or_none(),
            },
            "summarize" => self.parse_summarize(),
            "join" => self.parse_join(),
            "lookup" => {
                let params = self.parse_params(op);
                let right = Box::new(self.parse_table_reference(false));
                let on = if self.expect_word("on").is_some() {
                    self.parse_expr_list()
                } else {
                    Vec::new()
                };
                OperatorKind::Lookup { params, right, on }
            }
            "union" => {
                let params = self.parse_params(op);
                let sources = self.comma_separated(|p| p.parse_table_reference(true));
                OperatorKind::Union { params, sources }
            }
            "mv-expand" | "mvexpand" => {
                let params = self.parse_params(op);
                let items = self.parse_expand_items(false);
                let limit = self.eat_word("limit").map(|_| self.parse_expr());
                OperatorKind::MvExpand {
                    params,
                    items,
                    limit,
                }
            }
            "mv-apply" | "mvapply" => {
                let params = self.parse_params(op);
                let items = self.parse_expand_items(true);
                let limit = self.eat_word("limit").map(|_| self.parse_expr());
                let context_id = self.eat_word("id").map(|_| self.parse_expr());
                let on = if self.expect_word("on").is_some() {
                    self.parse_operator_subquery()
                } else {
                    error_tabular(self.tok().span.start)
                };
                OperatorKind::MvApply {
                    params,
                    items,
                    limit,
                    context_id,
                    on: Box::new(on),
                }
            }
            "parse" => OperatorKind::Parse(self.parse_parse(op)),
            "parse-where" => OperatorKind::ParseWhere(self.parse_parse(op)),
            "parse-kv" => {
                let source = self.parse_expr();
                let keys = if self.expect_word("as").is_some() {
                    self.parse_schema()
                } else {
                    Vec::new()
                };
                let options = if self.eat_word("with").is_some() {
                    self.parse_parenthesized_named_list(Self::parse_kv_option_value)
                } else {
                    Vec::new()
                };
                for o in &options {
                    if !PARSE_KV_OPTIONS.contains(&o.name.name.as_str()) {
                        self.error(
                            codes::UNEXPECTED_TOKEN,
                            format!(
                                "`{}` is not a parse-kv option (expected one of {})",
                                o.name.name,
                                PARSE_KV_OPTIONS.join(", ")
                            ),
                            o.name.span,
                        );
                    }
                }
                OperatorKind::ParseKv {
                    source,
                    keys,
                    options,
                }
            }
            "make-series" => self.parse_make_series(),
            "evaluate" => {
                let params = self.parse_params(op);
                let plugin = self.parse_plugin_call(op);
                // `: (Col: type, ...)` fixes the plugin's output columns.
                let schema = self
                    .eat(TokenKind::Colon)
                    .map(|_| self.parse_plugin_schema());
                OperatorKind::Evaluate {
                    params,
                    plugin,
                    schema,
                }
            }
            "top" => {
                let params = self.parse_params(op);
                let count = if self.at_operator_end() {
                    self.parse_required_expr(op)
                } else {
                    self.parse_named_expr_value()
                };
                // `top` ranks by one key only.
                let by = if self.expect_word("by").is_some() {
                    vec![self.parse_sort_key()]
                } else {
                    Vec::new()
                };
                OperatorKind::Top { params, count, by }
            }
            "top-nested" => self.parse_top_nested(),
            "top-hitters" => {
                let count = self.parse_required_expr(op);
                let of = if self.expect_word("of").is_some() {
                    self.parse_expr()
                } else {
                    self.error_expr()
                };
                let by = self.eat_word("by").map(|_| self.parse_expr());
                OperatorKind::TopHitters { count, of, by }
            }
            "sort" | "order" => {
                let params = self.parse_params(op);
                let keys = if self.expect_word("by").is_some() {
                    self.parse_sort_keys()
                } else {
                    Vec::new()
                };
                OperatorKind::Sort { params, keys }
            }
            "distinct" => OperatorKind::Distinct {
                params: self.parse_params(op),
                columns: self.parse_distinct_columns(),
            },
            "count" => OperatorKind::Count {
                // A plain identifier only (not `['quoted']`).
                name: self.eat_word("as").map(|_| {
                    if self.at(TokenKind::Ident) {
                        self.expect_name("a name")
                    } else {
                        self.error_expected("a name (an identifier) for the count after `as`");
                        Ident {
                            name: String::new(),
                            span: Span::empty(self.prev_end()),
                            quoted: false,
                        }
                    }
                }),
            },
            "take" | "limit" | "sample" => {
                let params = self.parse_params(op);
                let count = if self.at_operator_end() {
                    self.parse_required_expr(op)
                } else {
                    self.parse_named_expr_value()
                };
                if op == "sample" {
                    OperatorKind::Sample { params, count }
                } else {
                    OperatorKind::Take { params, count }
                }
            }
            "sample-distinct" => {
                let params = self.parse_params(op);
                let count = if self.at_operator_end() {
                    self.parse_required_expr(op)
                } else {
                    self.parse_named_expr_value()
                };
                let of = if self.expect_word("of").is_some() {
                    self.parse_named_expr_value()
                } else {
                    self.error_expr()
                };
                OperatorKind::SampleDistinct { params, count, of }
            }
            "as" => {
                let params = self.parse_params(op);
                let name = self.expect_name("a name after `as`");
                self.check_declared_name(&name, true);
                OperatorKind::As { params, name }
            }
            "invoke" => OperatorKind::Invoke {
                function: self.parse_invoked_call(op),
            },
            "serialize" => {
                let params = self.parse_params(op);
                OperatorKind::Serialize {
                    params,
                    columns: self.parse_column_assignments_or_none(),
                }
            }
            "scan" => self.parse_scan(),
            "render" => self.parse_render(),
            "range" => {
                let column = self.expect_name("a column name after `range`");
                let from = self.keyword_expr("from");
                let to = self.keyword_expr("to");
                let step = self.keyword_expr("step");
                OperatorKind::Range {
                    column,
                    from,
                    to,
                    step,
                }
            }
            "print" => OperatorKind::Print {
                columns: self.parse_column_assignments(),
            },
            "search" => {
                let mut params = self.parse_params(op);
                params.extend(self.parse_datascope());
                let tables = if self.eat_word("in").is_some() {
                    self.parse_table_list_in_parens()
                } else {
                    Vec::new()
                };
                let predicate = self.parse_search_predicate(op);
                OperatorKind::Search {
                    params,
                    tables,
                    predicate,
                }
            }
            "find" => self.parse_find(),
            "getschema" => OperatorKind::Getschema,
            "datatable" => {
                let params = self.parse_params(op);
                let columns = self.parse_schema();
                let mut values = Vec::new();
                if let Some(open) = self.expect(TokenKind::LBracket, "`[` and the table's values") {
                    // Kusto tolerates a comma before the first value.
                    self.eat(TokenKind::Comma);
                    values = self.comma_separated_until(
                        open,
                        TokenKind::RBracket,
                        Self::parse_datatable_value,
                    );
                }
                OperatorKind::Datatable {
                    params,
                    columns,
                    values,
                }
            }
            "externaldata" | "external_data" => {
                let params = self.parse_params(op);
                let columns = self.parse_schema();
                let mut uris = Vec::new();
                if let Some(open) = self.expect(TokenKind::LBracket, "`[` and storage URLs") {
                    uris = self.comma_separated_until(open, TokenKind::RBracket, Self::parse_expr);
                }
                let properties = if self.eat_word("with").is_some() {
                    self.parse_parenthesized_named_list(Self::parse_storage_property_value)
                } else {
                    Vec::new()
                };
                // Storage properties are plain names (`format`,
                // `ignoreFirstRecord`), not operator options or keywords
                // that cannot be declared (`by=` is one, `kind=` is not).
                for p in &properties {
                    let name = p.name.name.as_str();
                    if name.contains('.')
                        || KNOWN_PARAMS.contains(&name)
                        || keywords::reserved_in_declaration(name)
                    {
                        self.error(
                            codes::UNEXPECTED_TOKEN,
                            format!("`{name}` is not an externaldata property"),
                            p.name.span,
                        );
                    }
                }
                OperatorKind::Externaldata {
                    params,
                    columns,
                    uris,
                    properties,
                }
            }
            "facet" => {
                let columns = if self.expect_word("by").is_some() {
                    self.comma_separated(Self::parse_entity_path)
                } else {
                    Vec::new()
                };
                let with = if self.eat_word("with").is_some() {
                    if self.at(TokenKind::LParen) {
                        Some(Box::new(self.parse_operator_subquery()))
                    } else {
                        // `with Operator`: a one-operator subquery.
                        let start = self.tok().span.start;
                        let first = self.parse_operator(None);
                        Some(Box::new(TabularExpression {
                            source: Source {
                                kind: SourceKind::Implicit,
                                span: Span::empty(start),
                            },
                            operators: vec![first],
                            span: self.span_from(start),
                        }))
                    }
                } else {
                    None
                };
                OperatorKind::Facet { columns, with }
            }
            "reduce" => {
                let params = self.parse_params(op);
                let by = if self.expect_word("by").is_some() {
                    self.parse_named_expr_value()
                } else {
                    self.error_expr()
                };
                let options = if self.eat_word("with").is_some() && !self.at_operator_end() {
                    self.comma_separated(|p| p.parse_option(op, true))
                        .into_iter()
                        .flatten()
                        .collect()
                } else {
                    Vec::new()
                };
                OperatorKind::Reduce {
                    params,
                    by,
                    options,
                }
            }
            "fork" => {
                let mut branches = Vec::new();
                while self.at(TokenKind::LParen)
                    || (self.at(TokenKind::Ident)
                        && self.nth_kind(1) == TokenKind::Assign
                        && self.nth_kind(2) == TokenKind::LParen)
                {
                    let before = self.pos;
                    let start = self.tok().span.start;
                    let name = if self.at(TokenKind::Ident) {
                        let n = self.parse_name();
                        if let Some(n) = &n {
                            self.check_declared_name(n, true);
                        }
                        self.bump();
                        n
                    } else {
                        None
                    };
                    let query = self.parse_parenthesized_subquery();
                    branches.push(ForkBranch {
                        name,
                        query,
                        span: self.span_from(start),
                    });
                    if self.pos == before {
                        break;
                    }
                }
                if branches.is_empty() {
                    self.error_expected("`(` and a fork branch");
                }
                OperatorKind::Fork { branches }
            }
            "partition" => {
                let params = self.parse_params(op);
                let by = if self.expect_word("by").is_some() {
                    self.parse_entity_path()
                } else {
                    self.error_expr()
                };
                // `in (scope)` before the subquery: run it over these
                // partition values only.
                if self.eat_word("in").is_some() {
                    if self.at(TokenKind::Ident) && self.nth_kind(1) == TokenKind::LParen {
                        self.parse_expr_bp(BP_POSTFIX);
                    } else {
                        self.error_expected("a function call or `dynamic(...)` after `in`");
                    }
                }
                let subquery = if let Some(open) = self.eat(TokenKind::LBrace) {
                    // The braces hold a complete query, not an implicit one.
                    self.enclosed_tabular(open, TokenKind::RBrace, Self::parse_tabular)
                } else {
                    self.parse_operator_subquery()
                };
                OperatorKind::Partition {
                    params,
                    by,
                    subquery: Box::new(subquery),
                }
            }
            "consume" => OperatorKind::Consume {
                params: self.parse_params(op),
            },
            "make-graph" => self.parse_make_graph(),
            "graph-match" | "graph-shortest-paths" => self.parse_graph_match(op),
            "graph-to-table" => self.parse_graph_to_table(),
            "graph-mark-components" => OperatorKind::GraphMarkComponents {
                params: self.parse_params(op),
            },
            "macro-expand" => self.parse_macro_expand(),
            "project-by-names" => OperatorKind::ProjectByNames {
                columns: if self.at_operator_end() {
                    Vec::new()
                } else {
                    self.parse_expr_list()
                },
            },
            "assert-schema" => OperatorKind::AssertSchema {
                columns: self.parse_schema(),
            },
            _ => {
                let span = name.span;
                self.error(
                    codes::UNKNOWN_OPERATOR,
                    format!("unknown tabular operator `{}`", name.name),
                    span,
                );
                self.skip_to_sync();
                OperatorKind::Error
            }
        }
    }

    /// A `where` predicate. Kusto also accepts `Name = value` here and
    /// means `==`; that form becomes [`BinaryOp::Equals`].
    fn parse_where_predicate(&mut self, op: &str) -> Expr {
        // `where * has "x"` searches every column.
        let saved = self.star_ok;
        self.star_ok = true;
        let predicate = self.parse_where_predicate_inner(op);
        self.star_ok = saved;
        predicate
    }

    fn parse_where_predicate_inner(&mut self, op: &str) -> Expr {
        if self.at_assignment() {
            let start = self.tok().span.start;
            if let Some(name) = self.parse_name() {
                if !name.quoted && keywords::reserved_in_expression(&name.name) {
                    self.error(
                        codes::RESERVED_NAME,
                        format!(
                            "`{0}` is a keyword; write ['{0}'] to use it as a column name",
                            name.name
                        ),
                        name.span,
                    );
                }
                self.bump(); // `=`
                let left = Expr {
                    span: name.span,
                    kind: ExprKind::Name(name),
                };
                let right = self.parse_required_expr(op);
                return Expr {
                    kind: ExprKind::Binary {
                        op: BinaryOp::Equals,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    span: self.span_from(start),
                };
            }
        }
        self.parse_required_expr(op)
    }

    /// An expression that must be there (`where` needs a predicate).
    fn parse_required_expr(&mut self, op: &str) -> Expr {
        if self.at_operator_end() {
            let found = self.describe_current();
            let span = Span::empty(self.prev_end());
            self.error(
                codes::MISSING_EXPRESSION,
                format!("expected an expression after `{op}`, found {found}"),
                span,
            );
            return self.error_expr();
        }
        self.parse_expr()
    }

    fn error_expr(&self) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: Span::empty(self.tok().span.start),
        }
    }

    /// `keyword expr`, reporting a missing keyword.
    fn keyword_expr(&mut self, keyword: &str) -> Expr {
        self.keyword_expr_bp(keyword, 0)
    }

    fn keyword_expr_bp(&mut self, keyword: &str, bp: u8) -> Expr {
        if self.expect_word(keyword).is_some() {
            self.parse_expr_bp(bp)
        } else {
            self.error_expr()
        }
    }

    fn parse_summarize(&mut self) -> OperatorKind {
        let params = self.parse_params("summarize");
        let aggregates = if self.at_word("by") || self.at_operator_end() {
            Vec::new()
        } else {
            self.parse_column_assignments()
        };
        let by = if self.eat_word("by").is_some() {
            self.parse_column_assignments()
        } else {
            Vec::new()
        };
        // The legacy `by Col bin = size` form: the bin size of the
        // group-by columns, kept as an option.
        let mut params = params;
        if self.at_word("bin") && self.nth_kind(1) == TokenKind::Assign {
            let start = self.tok().span.start;
            if let Some(name) = self.parse_name() {
                self.bump(); // `=`
                let value = self.parse_expr();
                params.push(NamedParameter {
                    name,
                    value,
                    span: self.span_from(start),
                });
            }
        }
        OperatorKind::Summarize {
            params,
            aggregates,
            by,
        }
    }

    fn parse_join(&mut self) -> OperatorKind {
        let params = self.parse_params("join");
        let right = Box::new(self.parse_table_reference(false));
        let mut on = Vec::new();
        let mut where_clause = None;
        if self.eat_word("on").is_some() {
            on = self.parse_expr_list();
        } else if self.eat_word("where").is_some() {
            where_clause = Some(self.parse_expr());
        } else if !self.at_operator_end() {
            self.error_expected("`on` or `where` after the join's right side");
        }
        OperatorKind::Join {
            params,
            right,
            on,
            where_clause,
        }
    }

    /// `[Name =] expr [to typeof(type)], ...` of mv-expand / mv-apply.
    /// The columns of `mv-expand` and `mv-apply`; `mv-apply` also takes `to
    /// typeof(T)` alone (`type_only`), for an input of one column.
    fn parse_expand_items(&mut self, type_only: bool) -> Vec<ExpandItem> {
        let mut items = Vec::new();
        if type_only && self.at_word("to") && self.nth_is_word(1, "typeof") {
            let start = self.tok().span.start;
            self.bump();
            let to_type = self.parse_to_typeof();
            items.push(ExpandItem {
                column: ColumnAssignment {
                    names: Vec::new(),
                    expr: Expr {
                        kind: ExprKind::Error,
                        span: Span::empty(start),
                    },
                    span: Span::empty(start),
                },
                to_type,
                span: self.span_from(start),
            });
            if self.eat(TokenKind::Comma).is_none() {
                return items;
            }
        }
        loop {
            let before = self.pos;
            let start = self.tok().span.start;
            let column = self.parse_column_assignment();
            let to_type = if self.eat_word("to").is_some() {
                self.parse_to_typeof()
            } else {
                None
            };
            items.push(ExpandItem {
                column,
                to_type,
                span: self.span_from(start),
            });
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
        }
        items
    }

    /// `typeof(type)` after `to`.
    fn parse_to_typeof(&mut self) -> Option<TypeName> {
        self.expect_word("typeof")?;
        let open = self.expect(TokenKind::LParen, "`(` and a type")?;
        // Any name, as in `typeof(...)` elsewhere.
        let ty = if self.at(TokenKind::TypedLiteral) {
            None
        } else {
            self.parse_any_type_name()
        };
        self.expect_close(TokenKind::RParen, open);
        ty
    }

    fn parse_parse(&mut self, op: &str) -> ParseOperator {
        let params = self.parse_params(op);
        let source = self.parse_required_expr(op);
        let mut pattern = Vec::new();
        if self.expect_word("with").is_some() {
            while !self.at_operator_end() {
                let before = self.pos;
                match self.kind() {
                    TokenKind::String => {
                        let expr = self.parse_expr_bp(BP_POSTFIX);
                        if let ExprKind::Literal(literal) = expr.kind {
                            pattern.push(ParsePatternPart::Text(literal));
                        }
                    }
                    TokenKind::Star => pattern.push(ParsePatternPart::Star(self.bump().span)),
                    TokenKind::Ident | TokenKind::LBracket if self.at_name() => {
                        if self.at(TokenKind::Ident)
                            && (keywords::reserved_in_declaration(self.text_of(self.tok()))
                                || self.text_of(self.tok()) == "@")
                        {
                            let span = self.tok().span;
                            let word = self.text_of(self.tok());
                            self.error(
                                codes::RESERVED_NAME,
                                format!("`{word}` is a keyword; write ['{word}'] to use it as a column name"),
                                span,
                            );
                        }
                        let name = self.parse_name();
                        let ty = if self.eat(TokenKind::Colon).is_some() {
                            self.parse_type_name()
                        } else {
                            None
                        };
                        if let Some(name) = name {
                            pattern.push(ParsePatternPart::Column { name, ty });
                        }
                    }
                    _ => {
                        self.error_expected("a string, `*` or a column name in the parse pattern");
                        break;
                    }
                }
                if self.pos == before {
                    break;
                }
            }
        }
        ParseOperator {
            params,
            source,
            pattern,
        }
    }

    fn parse_make_series(&mut self) -> OperatorKind {
        let params = self.parse_params("make-series");
        let mut aggregates = Vec::new();
        loop {
            let before = self.pos;
            let start = self.tok().span.start;
            let column = self.parse_column_assignment();
            let default = if self.at_word("default") && self.nth_kind(1) == TokenKind::Assign {
                self.bump();
                self.bump();
                Some(self.parse_expr())
            } else {
                None
            };
            aggregates.push(MakeSeriesAggregate {
                column,
                default,
                span: self.span_from(start),
            });
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
        }
        // The axis binds tighter than `in`, so `on T in range(...)` works.
        let on = self.keyword_expr_bp("on", BP_STRING);
        let mut from = None;
        let mut to = None;
        let mut step = None;
        let mut range = None;
        if self.eat_word("in").is_some() {
            if !(self.at_word("range") && self.nth_kind(1) == TokenKind::LParen) {
                self.error_expected("`range(start, stop, step)` after `in`");
            }
            range = Some(self.parse_expr_bp(BP_POSTFIX));
        } else {
            if self.eat_word("from").is_some() {
                from = Some(self.parse_expr());
            }
            if self.eat_word("to").is_some() {
                to = Some(self.parse_expr());
            }
            step = Some(self.keyword_expr("step"));
        }
        let by = if self.eat_word("by").is_some() {
            self.parse_column_assignments()
        } else {
            Vec::new()
        };
        OperatorKind::MakeSeries {
            params,
            aggregates,
            on,
            from,
            to,
            step,
            range,
            by,
        }
    }

    fn parse_top_nested(&mut self) -> OperatorKind {
        let mut levels = Vec::new();
        let mut clause_start = self.prev_end();
        loop {
            let before = self.pos;
            let count = if self.at_word("of") {
                None
            } else {
                Some(self.parse_expr())
            };
            let of = if self.expect_word("of").is_some() {
                self.parse_column_assignment()
            } else {
                ColumnAssignment {
                    names: Vec::new(),
                    expr: self.error_expr(),
                    span: Span::empty(self.tok().span.start),
                }
            };
            let others = if self.at_word("with") && self.nth_is_word(1, "others") {
                self.bump();
                self.bump();
                self.expect(TokenKind::Assign, "`=` after `with others`");
                Some(self.parse_expr())
            } else {
                None
            };
            let by = if self.expect_word("by").is_some() {
                self.parse_column_assignment()
            } else {
                ColumnAssignment {
                    names: Vec::new(),
                    expr: self.error_expr(),
                    span: Span::empty(self.tok().span.start),
                }
            };
            let order = if self.eat_word("asc").is_some() {
                Some(SortOrder::Ascending)
            } else if self.eat_word("desc").is_some() {
                Some(SortOrder::Descending)
            } else {
                None
            };
            levels.push(TopNestedLevel {
                count,
                of,
                others,
                by,
                order,
                span: self.span_from(clause_start),
            });
            if self.at(TokenKind::Comma) && self.nth_is_word(1, "top") {
                self.bump();
                clause_start = self.tok().span.start;
                let (name, len) = self.peek_operator_name();
                if name != "top-nested" {
                    self.error_expected("`top-nested`");
                    break;
                }
                for _ in 0..len {
                    self.bump();
                }
            } else {
                break;
            }
            if self.pos == before {
                break;
            }
        }
        OperatorKind::TopNested { levels }
    }

    fn parse_scan(&mut self) -> OperatorKind {
        let params = self.parse_params("scan");
        let mut order_by = Vec::new();
        let mut partition_by = Vec::new();
        let mut declare = Vec::new();
        if self.at_word("order") && self.nth_is_word(1, "by") {
            self.bump();
            self.bump();
            order_by = self.parse_sort_keys();
        }
        if self.at_word("partition") && self.nth_is_word(1, "by") {
            self.bump();
            self.bump();
            partition_by = self.parse_expr_list();
        }
        if self.eat_word("declare").is_some() {
            declare = self.parse_parameter_list();
        }
        let mut steps = Vec::new();
        if self.expect_word("with").is_some() {
            if let Some(open) = self.expect(TokenKind::LParen, "`(` and scan steps") {
                while self.at_word("step") {
                    let before = self.pos;
                    let start = self.bump().span.start;
                    let name = self.expect_name("a step name");
                    self.check_declared_name(&name, false);
                    let mut optional = self.eat_word("optional").is_some();
                    let step_params =
                        if self.at_word("output") && self.nth_kind(1) == TokenKind::Assign {
                            let p_start = self.tok().span.start;
                            let pname = self.parse_name();
                            self.bump();
                            let value = self.parse_scan_output();
                            pname
                                .map(|name| NamedParameter {
                                    name,
                                    value,
                                    span: self.span_from(p_start),
                                })
                                .into_iter()
                                .collect()
                        } else {
                            Vec::new()
                        };
                    optional |= self.eat_word("optional").is_some();
                    self.expect(TokenKind::Colon, "`:` and the step condition");
                    let condition = self.parse_expr();
                    let assignments = if self.eat(TokenKind::FatArrow).is_some() {
                        // Each assignment names the column it sets.
                        self.comma_separated(|p| {
                            if !p.at_assignment() {
                                p.error_expected("`Column = value` after `=>`");
                            }
                            p.parse_column_assignment()
                        })
                    } else {
                        Vec::new()
                    };
                    self.expect(TokenKind::Semicolon, "`;` after the scan step");
                    steps.push(ScanStep {
                        name,
                        optional,
                        params: step_params,
                        condition,
                        assignments,
                        span: self.span_from(start),
                    });
                    if self.pos == before {
                        break;
                    }
                }
                self.expect_close(TokenKind::RParen, open);
            }
        }
        OperatorKind::Scan(ScanOperator {
            params,
            order_by,
            partition_by,
            declare,
            steps,
        })
    }

    fn parse_render(&mut self) -> OperatorKind {
        let chart_token = self.tok();
        let chart = self.expect_name("a visualization after `render`");
        // A chart type, or any name that is no keyword at all.
        if !chart.quoted
            && !CHART_TYPES.contains(&chart.name.as_str())
            && keywords::is_keyword(&chart.name)
        {
            self.error(
                codes::UNEXPECTED_TOKEN,
                format!(
                    "`{}` is not a visualization (expected one of {})",
                    chart.name,
                    CHART_TYPES.join(", ")
                ),
                chart_token.span,
            );
        }
        let mut properties = Vec::new();
        // The older form names properties without `with (...)`:
        // `render columnchart kind=stacked title="x" by Col, ...` (and
        // `with Col` for the series).
        loop {
            let start = self.tok().span.start;
            let word = self.text_of(self.tok());
            let single = matches!(word, "kind" | "title" | "accumulate")
                && self.at(TokenKind::Ident)
                && self.nth_kind(1) == TokenKind::Assign;
            let list = self.at(TokenKind::Ident)
                && (word == "by" || (word == "with" && self.nth_kind(1) != TokenKind::LParen));
            if single {
                let Some(name) = self.parse_name() else { break };
                self.bump(); // `=`
                let values = vec![self.parse_param_value()];
                properties.push(RenderProperty {
                    name,
                    values,
                    span: self.span_from(start),
                });
            } else if list {
                let Some(name) = self.parse_name() else { break };
                let mut values = Vec::new();
                loop {
                    let Some(column) = self.parse_name() else {
                        self.error_expected("a column name");
                        break;
                    };
                    if !column.quoted && keywords::reserved_in_expression(&column.name) {
                        self.error(
                            codes::RESERVED_NAME,
                            format!(
                                "`{}` is a keyword; write ['{}'] to use it as a column",
                                column.name, column.name
                            ),
                            column.span,
                        );
                    }
                    values.push(Expr {
                        span: column.span,
                        kind: ExprKind::Name(column),
                    });
                    if !self.at(TokenKind::Comma) {
                        break;
                    }
                    self.bump();
                }
                properties.push(RenderProperty {
                    name,
                    values,
                    span: self.span_from(start),
                });
            } else {
                break;
            }
        }
        if self.eat_word("with").is_some() {
            if let Some(open) = self.expect(TokenKind::LParen, "`(` and render properties") {
                while self.at_name() {
                    let before = self.pos;
                    let start = self.tok().span.start;
                    let name_token = self.tok();
                    let Some(name) = self.parse_name() else { break };
                    if !RENDER_PROPERTIES.contains(&name.name.as_str()) {
                        self.error(
                            codes::UNEXPECTED_TOKEN,
                            format!(
                                "`{}` is not a render property (expected one of {})",
                                name.name,
                                RENDER_PROPERTIES.join(", ")
                            ),
                            name_token.span,
                        );
                    }
                    if self.expect(TokenKind::Assign, "`=` and a value").is_none() {
                        break;
                    }
                    let mut values = vec![self.parse_render_value(&name.name)];
                    // Column lists (`ycolumns=a, b`) continue until the next
                    // `name =`.
                    while RENDER_COLUMN_LISTS.contains(&name.name.as_str())
                        && self.at(TokenKind::Comma)
                    {
                        let saved = self.pos;
                        self.bump();
                        if self.at_assignment() {
                            self.pos = saved;
                            break;
                        }
                        values.push(self.parse_render_value(&name.name));
                    }
                    properties.push(RenderProperty {
                        name,
                        values,
                        span: self.span_from(start),
                    });
                    if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                        break;
                    }
                    // `with (title="x",)`: a comma promises a property.
                    if !self.at_name() {
                        self.error_expected("a render property after `,`");
                        break;
                    }
                }
                self.expect_close(TokenKind::RParen, open);
            }
        }
        OperatorKind::Render { chart, properties }
    }

    /// The value of the render property `property`: column names for the
    /// column properties (`xcolumn` also takes a string), a value without
    /// a sign for the titles (`title=strcat("a", b)` is one), and for the
    /// others a value that takes a sign only right before a number or a
    /// timespan (`ymin=-1`, `xmin=-1d`) — never an operator expression.
    fn parse_render_value(&mut self, property: &str) -> Expr {
        let t = self.tok();
        let is_column = RENDER_COLUMN_LISTS.contains(&property) || property == "xcolumn";
        let ok = match t.kind {
            TokenKind::Ident if is_column => !keywords::reserved_in_declaration(self.text_of(t)),
            TokenKind::LBracket if is_column => self.nth_name_at(0),
            TokenKind::String if property == "xcolumn" => true,
            _ if is_column => false,
            TokenKind::Minus | TokenKind::Plus => {
                !matches!(property, "title" | "xtitle" | "ytitle")
                    && matches!(
                        self.nth_kind(1),
                        TokenKind::Int | TokenKind::Real | TokenKind::Timespan
                    )
                    && self.nth_touches_previous(1)
            }
            _ => true,
        };
        if !ok {
            self.error_expected(if is_column {
                "a column name"
            } else {
                "a value for the render property"
            });
            self.skip_nested_construct();
            return self.error_expr();
        }
        if is_column {
            self.parse_single_value()
        } else {
            self.parse_expr_bp(BP_POSTFIX)
        }
    }

    /// The value of a scan step's `output=`: `first`, `last`, `all` or
    /// `none` (`last` is otherwise a keyword).
    fn parse_scan_output(&mut self) -> Expr {
        let t = self.tok();
        if t.kind == TokenKind::Ident {
            let word = self.text_of(t);
            if matches!(word, "first" | "last" | "all" | "none") {
                self.bump();
                return Expr {
                    span: t.span,
                    kind: ExprKind::Name(Ident {
                        name: word.to_string(),
                        span: t.span,
                        quoted: false,
                    }),
                };
            }
        }
        self.error_expected("`first`, `last`, `all` or `none` after `output=`");
        if t.kind == TokenKind::Ident {
            // Take the wrong word, so the step's `:` still follows.
            self.bump();
        }
        self.error_expr()
    }

    /// `make-graph Source --> Target [with Nodes on Key, ... | with_node_id=Name]`.
    fn parse_make_graph(&mut self) -> OperatorKind {
        // Column names, read tightly: `a --> b` is not `a - (-b)`.
        let source = self.parse_expr_bp(BP_POSTFIX);
        // `-->` lexes as `-` `-` `>` and `--` as `-` `-`.
        let mut directed = false;
        if self.at(TokenKind::Minus)
            && self.nth_kind(1) == TokenKind::Minus
            && self.nth_touches_previous(1)
        {
            self.bump();
            self.bump();
            if self.at(TokenKind::Gt) && self.nth_touches_previous(0) {
                self.bump();
                directed = true;
            }
        } else {
            self.error_expected("`-->` or `--` between the edge columns");
            return OperatorKind::Error;
        }
        let target = self.parse_expr_bp(BP_POSTFIX);
        let params = self.parse_params("make-graph");
        let mut nodes = Vec::new();
        if params.is_empty() && self.eat_word("with").is_some() {
            nodes = self.comma_separated(|p| {
                let start = p.tok().span.start;
                let table = p.parse_table_reference(false);
                let key = p.keyword_expr("on");
                GraphNodes {
                    table,
                    key,
                    span: p.span_from(start),
                }
            });
        }
        OperatorKind::MakeGraph {
            source,
            directed,
            target,
            nodes,
            params,
        }
    }

    /// `graph-match` and `graph-shortest-paths`.
    fn parse_graph_match(&mut self, op: &str) -> OperatorKind {
        let params = self.parse_params(op);
        let patterns = self.comma_separated(Self::parse_graph_pattern);
        let predicate = self
            .eat_word("where")
            .map(|_| self.parse_required_expr("where"));
        let project = if self.eat_word("project").is_some() {
            self.parse_column_assignments()
        } else {
            Vec::new()
        };
        OperatorKind::GraphMatch {
            shortest_paths: op == "graph-shortest-paths",
            params,
            patterns,
            predicate,
            project,
        }
    }

    /// `(a)-[e*1..3]->(b)<--(c)`: nodes joined by edges.
    fn parse_graph_pattern(&mut self) -> GraphPattern {
        let start = self.tok().span.start;
        let mut elements = vec![self.parse_graph_node()];
        while matches!(self.kind(), TokenKind::Minus | TokenKind::Lt) {
            let before = self.pos;
            elements.push(self.parse_graph_edge());
            elements.push(self.parse_graph_node());
            if self.pos == before {
                break;
            }
        }
        GraphPattern {
            elements,
            span: self.span_from(start),
        }
    }

    /// `(name)` or `()`.
    fn parse_graph_node(&mut self) -> GraphElement {
        let start = self.tok().span.start;
        let mut name = None;
        if let Some(open) = self.expect(TokenKind::LParen, "`(` and a node of the pattern") {
            if self.at_name() {
                name = self.parse_name();
                if let Some(n) = &name {
                    self.check_declared_name(n, true);
                }
            }
            self.expect_close(TokenKind::RParen, open);
        }
        GraphElement {
            node: true,
            name,
            span: self.span_from(start),
        }
    }

    /// `-->`, `<--`, `--`, or `-[name*min..max]->` and its other
    /// directions.
    fn parse_graph_edge(&mut self) -> GraphElement {
        let start = self.tok().span.start;
        let left = self.eat(TokenKind::Lt).is_some();
        let mut name = None;
        self.expect(TokenKind::Minus, "`-` in an edge");
        if let Some(open) = self.eat(TokenKind::LBracket) {
            if self.at_name() {
                name = self.parse_name();
                if let Some(n) = &name {
                    self.check_declared_name(n, true);
                }
            }
            if let Some(star) = self.eat(TokenKind::Star) {
                // `*1..3`; the lexer may read `1..3` in several ways, so
                // the written text decides.
                let from = star.span.end;
                while !matches!(self.kind(), TokenKind::RBracket | TokenKind::Eof) {
                    self.bump();
                }
                let range = self
                    .text
                    .get(from as usize..self.tok().span.start as usize)
                    .unwrap_or("");
                let well_formed = range.split_once("..").is_some_and(|(a, b)| {
                    let digits = |s: &str| {
                        let s = s.trim();
                        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
                    };
                    digits(a) && digits(b)
                });
                if !well_formed {
                    self.error(
                        codes::UNEXPECTED_TOKEN,
                        "expected a length range such as `*1..3` in the edge",
                        Span::new(star.span.start, self.tok().span.start),
                    );
                }
            }
            self.expect_close(TokenKind::RBracket, open);
        }
        self.expect(TokenKind::Minus, "`-` in an edge");
        if !left && self.at(TokenKind::Gt) {
            self.bump();
        }
        GraphElement {
            node: false,
            name,
            span: self.span_from(start),
        }
    }

    /// `graph-to-table nodes|edges [options] [as Name], ...`.
    fn parse_graph_to_table(&mut self) -> OperatorKind {
        let mut outputs = Vec::new();
        loop {
            let before = self.pos;
            let start = self.tok().span.start;
            if !matches!(self.text_of(self.tok()), "nodes" | "edges") {
                self.error_expected("`nodes` or `edges` after `graph-to-table`");
                break;
            }
            let Some(entity) = self.parse_name() else {
                break;
            };
            // `edges as E with_source_id=s`: the options follow the name.
            let name = self
                .eat_word("as")
                .map(|_| self.expect_name("a table name after `as`"));
            if let Some(n) = &name {
                self.check_declared_name(n, true);
            }
            let params = self.parse_params("graph-to-table");
            outputs.push(GraphTableOutput {
                entity,
                params,
                name,
                span: self.span_from(start),
            });
            if self.eat(TokenKind::Comma).is_none() || self.pos == before {
                break;
            }
        }
        OperatorKind::GraphToTable { outputs }
    }

    /// `macro-expand [options] entity_group [T, ...] as Name (Subquery)`,
    /// or with the name of an entity group in place of the list.
    fn parse_macro_expand(&mut self) -> OperatorKind {
        let params = self.parse_params("macro-expand");
        let members = if self.at_word("entity_group") && self.nth_kind(1) == TokenKind::LBracket {
            self.bump();
            let open = self.bump();
            if self.at(TokenKind::RBracket) {
                self.error_expected("a member in the entity group");
            }
            self.table_list_until(open, TokenKind::RBracket, false)
        } else {
            // An entity group is `entity_group [...]` or the name of one.
            if !self
                .name_len(0)
                .is_some_and(|len| self.nth_is_word(len, "as"))
            {
                self.error_expected("an entity group: `entity_group [...]` or its name");
            }
            vec![self.parse_table_reference(false)]
        };
        self.expect_word("as");
        let name = self.expect_name("a name for each member after `as`");
        self.check_declared_name(&name, true);
        let start = self.tok().span.start;
        let body = match self.expect(TokenKind::LParen, "`(` and the query to expand") {
            // Kusto accepts an empty body.
            Some(open) if self.at(TokenKind::RParen) => {
                self.bump();
                error_tabular(open.span.end)
            }
            // A complete query, not an implicit one.
            Some(open) => self.enclosed_tabular(open, TokenKind::RParen, Self::parse_tabular),
            None => error_tabular(start),
        };
        OperatorKind::MacroExpand {
            params,
            members,
            name,
            body: Box::new(body),
        }
    }

    /// A `search`/`find` predicate, where `Col:"text"` is allowed.
    fn parse_search_predicate(&mut self, op: &str) -> Expr {
        let saved = self.search_mode;
        self.search_mode = true;
        let predicate = self.parse_required_expr(op);
        self.search_mode = saved;
        predicate
    }

    fn parse_find(&mut self) -> OperatorKind {
        let datascope = self.parse_datascope();
        let mut params = self.parse_params("find");
        let tables = if self.eat_word("in").is_some() {
            self.parse_table_list_in_parens()
        } else {
            Vec::new()
        };
        // Kusto reads `find "x"` and `find x == 1` without `where`, but
        // only when no options and no `in (...)` come first.
        let bare = params.is_empty() && tables.is_empty() && !self.at_word("where");
        let predicate = if bare {
            self.parse_search_predicate("find")
        } else if self.expect_word("where").is_some() {
            // `*` alone is a predicate of `search`, not of `find ... where`.
            let predicate = self.parse_search_predicate("where");
            if matches!(predicate.kind, ExprKind::Star) {
                self.error(
                    codes::MISSING_EXPRESSION,
                    "expected a predicate after `where` (`*` alone matches nothing here)",
                    predicate.span,
                );
            }
            predicate
        } else {
            self.error_expr()
        };
        params.extend(datascope);
        let mut project = Vec::new();
        let mut project_smart = false;
        if self.at_word("project") {
            let (name, len) = self.peek_operator_name();
            if name == "project-smart" {
                for _ in 0..len {
                    self.bump();
                }
                project_smart = true;
            } else if name == "project" {
                self.bump();
                project = self.comma_separated(Self::parse_find_column);
            }
        }
        OperatorKind::Find {
            params,
            tables,
            predicate,
            project,
            project_smart,
        }
    }

    /// A column of `find ... project`: `Name`, `Name: type` (the type is
    /// not kept), `*` or `pack(*)`.
    fn parse_find_column(&mut self) -> Expr {
        if self.at(TokenKind::Star) {
            let star = self.bump();
            return Expr {
                kind: ExprKind::Star,
                span: star.span,
            };
        }
        if self.at_word("pack") && self.nth_kind(1) == TokenKind::LParen {
            return self.parse_expr_bp(BP_POSTFIX);
        }
        let Some(name) = self.parse_name() else {
            self.error_expected("a column name");
            return self.error_expr();
        };
        if !name.quoted && keywords::reserved_in_column_list(&name.name) {
            self.error(
                codes::RESERVED_NAME,
                format!(
                    "`{}` is a keyword; write ['{}'] to use it as a column",
                    name.name, name.name
                ),
                name.span,
            );
        }
        // `Name: type` takes a type (`int32`, `float` too), not a name.
        if self.eat(TokenKind::Colon).is_some() {
            if let Some(ty) = self.parse_any_type_name() {
                if !keywords::is_type_keyword(&ty.name) && !keywords::is_keyword(&ty.name) {
                    self.error(
                        codes::UNKNOWN_TYPE,
                        format!("`{}` is not a scalar type", ty.name),
                        ty.span,
                    );
                }
            }
        }
        Expr {
            span: name.span,
            kind: ExprKind::Name(name),
        }
    }
}

fn error_tabular(at: u32) -> TabularExpression {
    TabularExpression {
        source: Source {
            kind: SourceKind::Error,
            span: Span::empty(at),
        },
        operators: Vec::new(),
        span: Span::empty(at),
    }
}
