//! Recursive-descent parser for ES|QL with recovery at every `|` and a
//! depth limit on expressions.

use crate::ast::{
    Aggregate, BinaryOp, Command, CommandKind, EnrichField, Expr, Field, Literal, Name, Query,
    Rename, SortKey,
};
use crate::error::{ErrorCode, ParseError};
use crate::lexer::{
    source_names, split_commands_in, starts_subquery, subquery_end, tokenize, Token, TokenKind,
};
use crate::MAX_DEPTH;
use ruledex_ir::QueryErrorCode as _;
use ruledex_ir::Span;

/// The result of parsing: a tree (possibly partial) and every problem found.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The syntax tree; commands that did not parse keep what did, with
    /// [`Expr::Error`] nodes in place of the rest.
    pub query: Query,
    /// All problems, sorted by position. Warnings
    /// ([`QueryErrorCode::is_warning`](ruledex_ir::QueryErrorCode::is_warning)) do not make the query invalid.
    pub errors: Vec<ParseError>,
}

impl Parsed {
    /// True when the query parsed without error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.iter().all(|e| e.code.is_warning())
    }
}

/// Commands that start a pipeline.
const SOURCE_COMMANDS: [&str; 5] = ["from", "row", "show", "ts", "metrics"];

/// Commands ES|QL has that this crate keeps as opaque stages.
const UNMODELED_COMMANDS: [&str; 16] = [
    "show",
    "ts",
    "metrics",
    "fork",
    "change_point",
    "completion",
    "sample",
    "rerank",
    "fuse",
    "rrf",
    "explain",
    "lookup",
    "insist_🐔",
    "set",
    "uri_parts",
    "registered_domain",
];

/// Units that turn an integer into a time span (`1 day`, `15 minutes`,
/// and glued to it, `5m`, `1h`), as current Elasticsearch spells them,
/// case-insensitively.
const TIME_UNITS: [&str; 30] = [
    "millisecond",
    "milliseconds",
    "ms",
    "second",
    "seconds",
    "sec",
    "s",
    "minute",
    "minutes",
    "min",
    "m",
    "hour",
    "hours",
    "h",
    "day",
    "days",
    "d",
    "week",
    "weeks",
    "w",
    "month",
    "months",
    "mo",
    "quarter",
    "quarters",
    "q",
    "year",
    "years",
    "yr",
    "y",
];

/// Parse an ES|QL query. Never fails and never panics.
pub fn parse(text: &str) -> Parsed {
    let mut errors = Vec::new();
    let query = parse_pipeline(text, Span::from_range(0..text.len()), 0, &mut errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parsed { query, errors }
}

/// Deepest nesting of `FROM` subqueries accepted.
const MAX_SUBQUERY_DEPTH: usize = 8;

/// Parse the pipeline in `range` of `text`: the whole query, or a
/// subquery (`nesting` levels deep) inside its parentheses.
fn parse_pipeline(text: &str, range: Span, nesting: usize, errors: &mut Vec<ParseError>) -> Query {
    let segments = split_commands_in(text, range, errors);
    let mut commands = Vec::new();
    let mut too_deep = false;
    let several = segments.len() > 1;
    for (index, segment) in segments.iter().enumerate() {
        let tokens = tokenize(text, *segment, errors);
        if tokens.is_empty() {
            if several {
                // Point at the pipe after the empty command, or before it
                // when it is the last one (a trailing pipe).
                let at = if index + 1 < segments.len() {
                    segment.end
                } else {
                    segment.start.saturating_sub(1)
                };
                errors.push(ParseError::new(
                    ErrorCode::EmptyCommand,
                    "empty command between pipes",
                    Span::new(at, at + 1),
                ));
            } else if nesting == 0 {
                errors.push(ParseError::new(
                    ErrorCode::EmptyCommand,
                    "empty query",
                    Span::empty(0),
                ));
            } else {
                errors.push(ParseError::new(
                    ErrorCode::EmptyCommand,
                    "empty subquery",
                    Span::new(range.start.saturating_sub(1), range.end + 1),
                ));
            }
            continue;
        }
        let mut parser = CommandParser {
            text,
            tokens,
            pos: 0,
            depth: 0,
            too_deep,
            nesting,
            errors: &mut *errors,
            end: segment.end,
        };
        let command = parser.command(commands.is_empty());
        too_deep = parser.too_deep;
        commands.push(command);
    }
    Query {
        commands,
        span: range,
    }
}

struct CommandParser<'a, 'e> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    too_deep: bool,
    /// How many subqueries deep this command is (0 for the query itself).
    nesting: usize,
    errors: &'e mut Vec<ParseError>,
    /// End of the command's text.
    end: u32,
}

/// A part of the text after `FROM`.
enum SourcePiece {
    /// Index patterns (and `METADATA` fields).
    Names(Span),
    /// `( FROM ... )`: where the `(` is and the text inside.
    Subquery { open: Span, inner: Span },
}

fn describe(token: &Token) -> String {
    match token.kind {
        TokenKind::String => "a string".to_string(),
        TokenKind::Integer | TokenKind::Decimal => format!("number `{}`", token.text),
        _ => format!("`{}`", token.text),
    }
}

impl CommandParser<'_, '_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }

    fn at_kind(&self, kind: TokenKind) -> bool {
        self.peek_kind() == Some(kind)
    }

    fn at_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(word))
    }

    fn at_word_n(&self, offset: usize, word: &str) -> bool {
        self.tokens
            .get(self.pos + offset)
            .is_some_and(|t| t.is_word(word))
    }

    fn bump(&mut self) -> Span {
        let span = self.current_span();
        self.pos += 1;
        span
    }

    fn eat_kind(&mut self, kind: TokenKind) -> bool {
        if self.at_kind(kind) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.at_word(word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn current_span(&self) -> Span {
        self.peek().map_or(Span::empty(self.end), |t| t.span)
    }

    fn prev_end(&self) -> u32 {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(self.end, |t| t.span.end)
    }

    fn error(&mut self, code: ErrorCode, message: impl Into<String>, span: Span) {
        self.errors.push(ParseError::new(code, message, span));
    }

    /// Report what is found instead of `expected`, pointing at it.
    fn expected(&mut self, expected: &str) {
        let (message, span) = match self.peek() {
            Some(t) => (
                format!("expected {expected}, found {}", describe(t)),
                t.span,
            ),
            None => (
                format!("expected {expected} before the end of the command"),
                Span::empty(self.end),
            ),
        };
        let code = if self.peek().is_some() {
            ErrorCode::UnexpectedToken
        } else {
            ErrorCode::MissingOperand
        };
        self.error(code, message, span);
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let span = self.current_span();
                self.error(
                    ErrorCode::TooDeep,
                    format!("expression is nested more than {MAX_DEPTH} levels deep"),
                    span,
                );
            }
            self.pos = self.tokens.len();
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn command(&mut self, first: bool) -> Command {
        let start = self.current_span();
        let Some(head) = self.peek().cloned() else {
            return Command {
                keyword: String::new(),
                kind: CommandKind::Other,
                span: start,
            };
        };
        self.pos += 1;
        let mut keyword = head.text.clone();
        let word = head.text.to_ascii_lowercase();
        let lower = word.as_str();
        if first && head.kind == TokenKind::Ident && !SOURCE_COMMANDS.contains(&lower) {
            self.error(
                ErrorCode::NoSourceCommand,
                format!("a query starts with `FROM` or `ROW`, not `{}`", head.text),
                head.span,
            );
        }
        let kind = match (head.kind, lower) {
            (TokenKind::Ident, "from") => self.from(head.span),
            (TokenKind::Ident, "row") => CommandKind::Row {
                fields: self.fields(),
            },
            (TokenKind::Ident, "where") => CommandKind::Where {
                condition: self.required_expr("a condition"),
            },
            (TokenKind::Ident, "eval") => CommandKind::Eval {
                fields: self.fields(),
            },
            (TokenKind::Ident, "stats") => self.stats(false),
            (TokenKind::Ident, "inlinestats") => self.stats(true),
            (TokenKind::Ident, "inline") if self.at_word("stats") => {
                self.pos += 1;
                keyword = format!("{keyword} {}", self.tokens[self.pos - 1].text);
                self.stats(true)
            }
            (TokenKind::Ident, "keep") => CommandKind::Keep {
                patterns: self.patterns(),
            },
            (TokenKind::Ident, "drop") => CommandKind::Drop {
                patterns: self.patterns(),
            },
            (TokenKind::Ident, "rename") => self.rename(),
            (TokenKind::Ident, "dissect") | (TokenKind::Ident, "grok") => {
                self.dissect_or_grok(lower == "grok")
            }
            (TokenKind::Ident, "enrich") => self.enrich(head.span),
            (TokenKind::Ident, "mv_expand") => CommandKind::MvExpand {
                field: self.required_name("a column to expand"),
            },
            (TokenKind::Ident, "lookup") if self.at_word("join") => {
                self.pos += 1;
                keyword = format!("{keyword} {}", self.tokens[self.pos - 1].text);
                self.lookup_join()
            }
            (TokenKind::Ident, "sort") => self.sort(),
            (TokenKind::Ident, "limit") => self.limit(),
            (TokenKind::Ident, name) if UNMODELED_COMMANDS.contains(&name) => {
                self.error(
                    ErrorCode::UnsupportedCommand,
                    format!("`{}` is not analyzed; its stage has no details", head.text),
                    head.span,
                );
                self.pos = self.tokens.len();
                CommandKind::Other
            }
            _ => {
                self.error(
                    ErrorCode::UnknownCommand,
                    format!("`{}` is not an ES|QL command", head.text),
                    head.span,
                );
                self.pos = self.tokens.len();
                CommandKind::Other
            }
        };
        if let Some(extra) = self.peek().cloned() {
            self.error(
                ErrorCode::UnexpectedToken,
                format!("unexpected {} after the command", describe(&extra)),
                extra.span,
            );
        }
        let last = self.tokens.last().map_or(start.end, |t| t.span.end);
        Command {
            keyword,
            kind,
            span: Span::new(start.start, last),
        }
    }

    fn from(&mut self, keyword: Span) -> CommandKind {
        let rest = Span::new(keyword.end, self.end);
        let mut sources = Vec::new();
        let mut metadata = Vec::new();
        let mut subqueries = Vec::new();
        let mut in_metadata = false;
        for piece in self.source_pieces(rest) {
            let (names, subquery) = match piece {
                SourcePiece::Names(span) => (source_names(self.text, span), None),
                SourcePiece::Subquery { open, inner } => (Vec::new(), Some((open, inner))),
            };
            if let Some((open, inner)) = subquery {
                if self.nesting >= MAX_SUBQUERY_DEPTH {
                    self.error(
                        ErrorCode::TooDeep,
                        format!("subqueries are nested more than {MAX_SUBQUERY_DEPTH} levels deep"),
                        open,
                    );
                } else {
                    subqueries.push(parse_pipeline(
                        self.text,
                        inner,
                        self.nesting + 1,
                        self.errors,
                    ));
                }
            }
            for (name, span) in names {
                if !in_metadata && name.eq_ignore_ascii_case("metadata") {
                    in_metadata = true;
                    continue;
                }
                let item = Name { name, span };
                if in_metadata {
                    metadata.push(item);
                } else {
                    sources.push(item);
                }
            }
        }
        if sources.is_empty() && subqueries.is_empty() {
            self.error(
                ErrorCode::MissingOperand,
                "`FROM` needs at least one index pattern",
                keyword,
            );
        }
        self.pos = self.tokens.len();
        CommandKind::From {
            sources,
            metadata,
            subqueries,
        }
    }

    /// Cut the text after `FROM` into runs of index patterns and
    /// parenthesized subqueries; an unclosed subquery is reported and runs
    /// to the end of the command.
    fn source_pieces(&mut self, rest: Span) -> Vec<SourcePiece> {
        let text = self.text;
        let bytes = text.as_bytes();
        let end = (rest.end as usize).min(bytes.len());
        let mut pieces = Vec::new();
        let mut start = rest.start as usize;
        let mut i = start;
        while i < end {
            match bytes[i] {
                b'(' if starts_subquery(text, i + 1, end) => {
                    pieces.push(SourcePiece::Names(Span::from_range(start..i)));
                    let open = Span::from_range(i..i + 1);
                    let close = subquery_end(text, i, end);
                    if close.is_none() {
                        self.error(
                            ErrorCode::Unclosed,
                            "this subquery's `(` is never closed",
                            open,
                        );
                    }
                    let after = close.unwrap_or(end);
                    let inner_end = close.map_or(end, |c| c - 1);
                    pieces.push(SourcePiece::Subquery {
                        open,
                        inner: Span::from_range(i + 1..inner_end),
                    });
                    i = after;
                    start = i;
                }
                b'"' => {
                    let stop = text[i + 1..end].find('"').map_or(end, |n| i + n + 2);
                    i = stop;
                }
                _ => i += 1,
            }
        }
        pieces.push(SourcePiece::Names(Span::from_range(start..end.max(start))));
        pieces
    }

    /// `LIMIT n [BY key, …]`.
    fn limit(&mut self) -> CommandKind {
        let count = if self.at_word("by") {
            self.expected("a row count");
            Expr::Error {
                span: self.current_span(),
            }
        } else {
            self.required_expr("a row count")
        };
        let mut by = Vec::new();
        if self.eat_word("by") {
            loop {
                by.push(self.required_expr("a grouping key"));
                if !self.eat_kind(TokenKind::Comma) {
                    break;
                }
            }
        }
        CommandKind::Limit { count, by }
    }

    fn required_expr(&mut self, what: &str) -> Expr {
        if self.peek().is_none() {
            self.expected(what);
            return Expr::Error {
                span: Span::empty(self.end),
            };
        }
        self.expr()
    }

    /// A dotted name (`process.parent.name`, `` `a b`.c ``), or `None`
    /// without consuming anything.
    fn qualified_name(&mut self, allow_star: bool) -> Option<Name> {
        let start = self.pos;
        let mut name = String::new();
        let mut span: Option<Span> = None;
        while let Some(token) = self.peek() {
            let part = match token.kind {
                TokenKind::Ident | TokenKind::QuotedIdent => true,
                TokenKind::Star if allow_star => true,
                _ => false,
            };
            // Parts must touch (`a.b`, `aws.*`, `*_id`): a space ends the name.
            let touches = span.is_none_or(|s| s.end == token.span.start);
            if !part || !touches {
                break;
            }
            name.push_str(&token.text);
            span = Some(span.map_or(token.span, |s| s.cover(token.span)));
            self.pos += 1;
            let dot = self.peek().is_some_and(|t| {
                t.kind == TokenKind::Dot && span.is_some_and(|s| s.end == t.span.start)
            });
            if dot {
                name.push('.');
                span = span.map(|s| s.cover(self.current_span()));
                self.pos += 1;
            } else if !(allow_star
                && self.peek().is_some_and(|t| {
                    matches!(t.kind, TokenKind::Star | TokenKind::Ident)
                        && span.is_some_and(|s| s.end == t.span.start)
                }))
            {
                break;
            }
        }
        match span {
            Some(span) => Some(Name { name, span }),
            None => {
                self.pos = start;
                None
            }
        }
    }

    fn required_name(&mut self, what: &str) -> Name {
        match self.qualified_name(false) {
            Some(name) => name,
            None => {
                self.expected(what);
                Name {
                    name: String::new(),
                    span: self.current_span(),
                }
            }
        }
    }

    /// `[name =] expr, …` until the end or a word in `stop`.
    fn fields_until(&mut self, stop: &[&str]) -> Vec<Field> {
        let mut fields = Vec::new();
        loop {
            if self.peek().is_none() || stop.iter().any(|w| self.at_word(w)) {
                if fields.is_empty()
                    || self
                        .tokens
                        .get(self.pos.wrapping_sub(1))
                        .is_some_and(|t| t.kind == TokenKind::Comma)
                {
                    self.expected("an expression");
                }
                break;
            }
            let start = self.pos;
            let name = match self.qualified_name(false) {
                Some(name) if self.at_kind(TokenKind::Assign) => {
                    self.pos += 1;
                    Some(name)
                }
                _ => {
                    self.pos = start;
                    None
                }
            };
            let expr = self.required_expr("an expression");
            let span = name
                .as_ref()
                .map_or(expr.span(), |n| n.span.cover(expr.span()));
            fields.push(Field { name, expr, span });
            if !self.eat_kind(TokenKind::Comma) {
                break;
            }
        }
        fields
    }

    fn fields(&mut self) -> Vec<Field> {
        self.fields_until(&[])
    }

    fn stats(&mut self, inline: bool) -> CommandKind {
        let mut aggregates = Vec::new();
        if !self.at_word("by") {
            loop {
                let before = self.pos;
                let mut fields = self.fields_until_one(&["by", "where"]);
                let Some(field) = fields.pop() else { break };
                let filter = if self.eat_word("where") {
                    Some(self.required_expr("a condition"))
                } else {
                    None
                };
                aggregates.push(Aggregate { field, filter });
                if self.pos == before || !self.eat_kind(TokenKind::Comma) {
                    break;
                }
            }
        }
        let groups = if self.eat_word("by") {
            self.fields()
        } else {
            Vec::new()
        };
        CommandKind::Stats {
            inline,
            aggregates,
            groups,
        }
    }

    /// One `[name =] expr` (for `STATS`, whose items may carry `WHERE`).
    fn fields_until_one(&mut self, stop: &[&str]) -> Vec<Field> {
        if self.peek().is_none() || stop.iter().any(|w| self.at_word(w)) {
            self.expected("an aggregate");
            return Vec::new();
        }
        let start = self.pos;
        let name = match self.qualified_name(false) {
            Some(name) if self.at_kind(TokenKind::Assign) => {
                self.pos += 1;
                Some(name)
            }
            _ => {
                self.pos = start;
                None
            }
        };
        let expr = self.required_expr("an aggregate");
        let span = name
            .as_ref()
            .map_or(expr.span(), |n| n.span.cover(expr.span()));
        vec![Field { name, expr, span }]
    }

    fn patterns(&mut self) -> Vec<Name> {
        let mut out = Vec::new();
        loop {
            match self.qualified_name(true) {
                Some(name) => out.push(name),
                None => {
                    self.expected("a column name or pattern");
                    break;
                }
            }
            if !self.eat_kind(TokenKind::Comma) {
                break;
            }
        }
        out
    }

    fn rename(&mut self) -> CommandKind {
        let mut renames = Vec::new();
        loop {
            let Some(first) = self.qualified_name(true) else {
                self.expected("a column to rename");
                break;
            };
            if self.eat_word("as") {
                let new = self.required_pattern("the new column name");
                renames.push(Rename { old: first, new });
            } else if self.eat_kind(TokenKind::Assign) {
                let old = self.required_pattern("the column to rename");
                renames.push(Rename { old, new: first });
            } else {
                self.expected("`AS`");
                break;
            }
            if !self.eat_kind(TokenKind::Comma) {
                break;
            }
        }
        CommandKind::Rename { renames }
    }

    fn required_pattern(&mut self, what: &str) -> Name {
        match self.qualified_name(true) {
            Some(name) => name,
            None => {
                self.expected(what);
                Name {
                    name: String::new(),
                    span: self.current_span(),
                }
            }
        }
    }

    fn dissect_or_grok(&mut self, grok: bool) -> CommandKind {
        let input = self.required_expr("the text to match");
        let (pattern, pattern_span) = match self.peek() {
            Some(t) if t.kind == TokenKind::String => {
                let found = (t.text.clone(), t.span);
                self.pos += 1;
                found
            }
            _ => {
                self.expected("a pattern string");
                (String::new(), self.current_span())
            }
        };
        if grok {
            // Later ES versions accept several patterns: keep the first.
            while self.eat_kind(TokenKind::Comma) {
                if !self.eat_kind(TokenKind::String) {
                    self.expected("a pattern string");
                    break;
                }
            }
            return CommandKind::Grok {
                input,
                pattern,
                pattern_span,
            };
        }
        // `APPEND_SEPARATOR = "…"` changes how keys join, not which exist.
        while self.peek().is_some_and(|t| t.kind == TokenKind::Ident) {
            self.pos += 1;
            if !self.eat_kind(TokenKind::Assign) {
                self.expected("`=`");
                break;
            }
            let _ = self.required_expr("an option value");
        }
        CommandKind::Dissect {
            input,
            pattern,
            pattern_span,
        }
    }

    /// A policy or index name after a keyword: raw text up to whitespace or
    /// a comma (`_any:policy`, `threat-intel-*`).
    fn raw_name(&mut self, after: Span, what: &str) -> Name {
        let rest = Span::new(after.end, self.end);
        match source_names(self.text, rest).into_iter().next() {
            Some((name, span)) => {
                while self.peek().is_some_and(|t| t.span.start < span.end) {
                    self.pos += 1;
                }
                Name { name, span }
            }
            None => {
                self.expected(what);
                Name {
                    name: String::new(),
                    span: Span::empty(self.end),
                }
            }
        }
    }

    fn enrich(&mut self, keyword: Span) -> CommandKind {
        let policy = self.raw_name(keyword, "an enrich policy");
        let on = if self.eat_word("on") {
            Some(self.required_name("the match field"))
        } else {
            None
        };
        let mut with = Vec::new();
        if self.eat_word("with") {
            loop {
                let Some(first) = self.qualified_name(false) else {
                    self.expected("an enrich field");
                    break;
                };
                if self.eat_kind(TokenKind::Assign) {
                    let field = self.required_name("an enrich field");
                    with.push(EnrichField {
                        name: Some(first),
                        field,
                    });
                } else {
                    with.push(EnrichField {
                        name: None,
                        field: first,
                    });
                }
                if !self.eat_kind(TokenKind::Comma) {
                    break;
                }
            }
        }
        CommandKind::Enrich { policy, on, with }
    }

    fn lookup_join(&mut self) -> CommandKind {
        let after = self
            .pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(Span::empty(self.end), |t| t.span);
        let index = self.raw_name(after, "a lookup index");
        let mut on = Vec::new();
        if self.eat_word("on") {
            loop {
                on.push(self.required_name("a join field"));
                if !self.eat_kind(TokenKind::Comma) {
                    break;
                }
            }
        } else {
            self.expected("`ON`");
        }
        CommandKind::LookupJoin { index, on }
    }

    fn sort(&mut self) -> CommandKind {
        let mut keys = Vec::new();
        loop {
            let expr = self.required_expr("a sort key");
            let descending = if self.eat_word("desc") {
                Some(true)
            } else if self.eat_word("asc") {
                Some(false)
            } else {
                None
            };
            let nulls_first = if self.eat_word("nulls") {
                if self.eat_word("first") {
                    Some(true)
                } else if self.eat_word("last") {
                    Some(false)
                } else {
                    self.expected("`FIRST` or `LAST`");
                    None
                }
            } else {
                None
            };
            keys.push(SortKey {
                expr,
                descending,
                nulls_first,
            });
            if !self.eat_kind(TokenKind::Comma) {
                break;
            }
        }
        CommandKind::Sort { keys }
    }

    // ----- expressions -------------------------------------------------

    fn expr(&mut self) -> Expr {
        self.or()
    }

    fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
        let span = left.span().cover(right.span());
        Expr::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
            span,
        }
    }

    fn or(&mut self) -> Expr {
        let first = self.and();
        if !self.at_word("or") {
            return first;
        }
        let mut items = vec![first];
        while self.eat_word("or") {
            items.push(self.and());
        }
        let span = items[0].span().cover(items[items.len() - 1].span());
        Expr::Or { items, span }
    }

    fn and(&mut self) -> Expr {
        let first = self.not();
        if !self.at_word("and") {
            return first;
        }
        let mut items = vec![first];
        while self.eat_word("and") {
            items.push(self.not());
        }
        let span = items[0].span().cover(items[items.len() - 1].span());
        Expr::And { items, span }
    }

    fn not(&mut self) -> Expr {
        if !self.at_word("not") {
            return self.predicate();
        }
        let start = self.bump();
        if !self.enter() {
            return Expr::Error { span: start };
        }
        let inner = self.not();
        self.leave();
        let span = start.cover(inner.span());
        Expr::Not {
            expr: Box::new(inner),
            span,
        }
    }

    fn predicate(&mut self) -> Expr {
        let left = self.additive();
        let compare = match self.peek_kind() {
            Some(TokenKind::Eq) => Some(BinaryOp::Eq),
            Some(TokenKind::Ne) => Some(BinaryOp::Ne),
            Some(TokenKind::EqCi) => Some(BinaryOp::EqCi),
            Some(TokenKind::Lt) => Some(BinaryOp::Lt),
            Some(TokenKind::Le) => Some(BinaryOp::Le),
            Some(TokenKind::Gt) => Some(BinaryOp::Gt),
            Some(TokenKind::Ge) => Some(BinaryOp::Ge),
            _ => None,
        };
        if let Some(op) = compare {
            self.pos += 1;
            let right = self.additive();
            return Self::binary(op, left, right);
        }
        if self.at_kind(TokenKind::Colon) {
            self.pos += 1;
            let query = self.additive();
            let span = left.span().cover(query.span());
            return Expr::Match {
                field: Box::new(left),
                query: Box::new(query),
                span,
            };
        }
        let negated = self.at_word("not")
            && (self.at_word_n(1, "like") || self.at_word_n(1, "rlike") || self.at_word_n(1, "in"));
        let offset = usize::from(negated);
        if self.at_word_n(offset, "like") || self.at_word_n(offset, "rlike") {
            let regex = self.at_word_n(offset, "rlike");
            self.pos += offset + 1;
            let patterns = if self.at_kind(TokenKind::LParen) {
                self.list("a pattern")
            } else {
                vec![self.additive()]
            };
            if !regex {
                for pattern in &patterns {
                    if let Expr::Literal {
                        value: Literal::String { value, .. },
                        span,
                    } = pattern
                    {
                        if let Some(escaped) = invalid_like_escape(value) {
                            self.error(
                                ErrorCode::InvalidLikePattern,
                                format!(
                                    "invalid LIKE pattern: `\\{escaped}` escapes no wildcard \
                                     (only `\\*`, `\\?` and `\\\\` are allowed); a literal \
                                     backslash is `\\\\\\\\` in a string, `\\\\` in a \
                                     triple-quoted one"
                                ),
                                *span,
                            );
                        }
                    }
                }
            }
            let end = patterns.last().map_or(self.prev_end(), |p| p.span().end);
            return Expr::Like {
                span: Span::new(left.span().start, end.max(self.prev_end())),
                expr: Box::new(left),
                negated,
                regex,
                patterns,
            };
        }
        if self.at_word_n(offset, "in") {
            self.pos += offset + 1;
            let list = if self.at_kind(TokenKind::LParen) {
                self.list("a value")
            } else {
                self.expected("`(`");
                Vec::new()
            };
            return Expr::In {
                span: Span::new(left.span().start, self.prev_end().max(left.span().end)),
                expr: Box::new(left),
                negated,
                list,
            };
        }
        if self.at_word("is") {
            self.pos += 1;
            let negated = self.eat_word("not");
            if !self.eat_word("null") {
                self.expected("`NULL`");
            }
            return Expr::IsNull {
                span: Span::new(left.span().start, self.prev_end().max(left.span().end)),
                expr: Box::new(left),
                negated,
            };
        }
        left
    }

    /// `( item, … )` at a `(`; the closing parenthesis is required.
    fn list(&mut self, what: &str) -> Vec<Expr> {
        let open = self.bump();
        let mut items = Vec::new();
        if !self.enter() {
            return items;
        }
        if !self.at_kind(TokenKind::RParen) {
            loop {
                if self.peek().is_none() {
                    break;
                }
                let before = self.pos;
                items.push(self.expr());
                if self.pos == before {
                    self.expected(what);
                    break;
                }
                if !self.eat_kind(TokenKind::Comma) {
                    break;
                }
            }
        }
        self.leave();
        self.close(TokenKind::RParen, open, "(", ")");
        items
    }

    fn close(&mut self, kind: TokenKind, open: Span, opener: &str, closer: &str) {
        if self.eat_kind(kind) {
            return;
        }
        if self.peek().is_some() {
            self.expected(&format!("`{closer}`"));
        } else {
            self.error(
                ErrorCode::Unclosed,
                format!("`{opener}` is never closed with `{closer}`"),
                open,
            );
        }
    }

    /// Left-nested chains (`a + b + c`, `x::t::u`) deepen the tree one
    /// level per operator, so each operator counts toward the depth limit.
    fn chain_depth(&mut self, levels: &mut usize) -> bool {
        if !self.enter() {
            return false;
        }
        *levels += 1;
        true
    }

    fn unwind(&mut self, levels: usize) {
        self.depth -= levels;
    }

    fn additive(&mut self) -> Expr {
        let mut left = self.multiplicative();
        let mut levels = 0;
        loop {
            let op = match self.peek_kind() {
                Some(TokenKind::Plus) => BinaryOp::Add,
                Some(TokenKind::Minus) => BinaryOp::Sub,
                _ => break,
            };
            if !self.chain_depth(&mut levels) {
                break;
            }
            self.pos += 1;
            let right = self.multiplicative();
            left = Self::binary(op, left, right);
        }
        self.unwind(levels);
        left
    }

    fn multiplicative(&mut self) -> Expr {
        let mut left = self.unary();
        let mut levels = 0;
        loop {
            let op = match self.peek_kind() {
                Some(TokenKind::Star) => BinaryOp::Mul,
                Some(TokenKind::Slash) => BinaryOp::Div,
                Some(TokenKind::Percent) => BinaryOp::Mod,
                _ => break,
            };
            if !self.chain_depth(&mut levels) {
                break;
            }
            self.pos += 1;
            let right = self.unary();
            left = Self::binary(op, left, right);
        }
        self.unwind(levels);
        left
    }

    fn unary(&mut self) -> Expr {
        let minus = match self.peek_kind() {
            Some(TokenKind::Minus) => true,
            Some(TokenKind::Plus) => false,
            _ => return self.postfix(),
        };
        let start = self.bump();
        if !self.enter() {
            return Expr::Error { span: start };
        }
        let inner = self.unary();
        self.leave();
        let span = start.cover(inner.span());
        Expr::Negate {
            expr: Box::new(inner),
            minus,
            span,
        }
    }

    fn postfix(&mut self) -> Expr {
        let mut expr = self.primary();
        let mut levels = 0;
        while self.at_kind(TokenKind::Cast) {
            if !self.chain_depth(&mut levels) {
                break;
            }
            self.pos += 1;
            let ty = match self.peek() {
                Some(t) if t.kind == TokenKind::Ident => {
                    let ty = t.text.clone();
                    self.pos += 1;
                    ty
                }
                _ => {
                    self.expected("a type name");
                    String::new()
                }
            };
            let span = expr.span().cover(Span::empty(self.prev_end()));
            expr = Expr::Cast {
                expr: Box::new(expr),
                ty,
                span,
            };
        }
        self.unwind(levels);
        expr
    }

    fn primary(&mut self) -> Expr {
        let Some(token) = self.peek().cloned() else {
            self.expected("an expression");
            return Expr::Error {
                span: Span::empty(self.end),
            };
        };
        let literal = |value, span| Expr::Literal { value, span };
        match token.kind {
            TokenKind::String => {
                self.pos += 1;
                literal(
                    Literal::String {
                        value: token.text,
                        triple: token.triple,
                        offsets: token.offsets,
                    },
                    token.span,
                )
            }
            TokenKind::Integer | TokenKind::Decimal => {
                self.pos += 1;
                // Only an integer takes a unit (`1.5 hours` is no time
                // span to Elasticsearch).
                if let Some(unit) = self.peek().filter(|t| {
                    token.kind == TokenKind::Integer
                        && t.kind == TokenKind::Ident
                        && TIME_UNITS.iter().any(|u| t.text.eq_ignore_ascii_case(u))
                }) {
                    let unit = unit.clone();
                    self.pos += 1;
                    return literal(
                        Literal::TimeSpan {
                            amount: token.text,
                            unit: unit.text,
                        },
                        token.span.cover(unit.span),
                    );
                }
                let value = match (token.kind, token.text.parse::<i64>()) {
                    (TokenKind::Integer, Ok(i)) => Literal::Integer(i),
                    _ => Literal::Decimal(token.text.parse::<f64>().unwrap_or(f64::NAN)),
                };
                literal(value, token.span)
            }
            TokenKind::Param => {
                self.pos += 1;
                literal(Literal::Param(token.text), token.span)
            }
            TokenKind::LParen => {
                let open = self.bump();
                if !self.enter() {
                    return Expr::Error { span: open };
                }
                let inner = self.expr();
                self.leave();
                self.close(TokenKind::RParen, open, "(", ")");
                Expr::Paren {
                    expr: Box::new(inner),
                    span: Span::new(open.start, self.prev_end()),
                }
            }
            TokenKind::LBracket => {
                let open = self.bump();
                let mut items = Vec::new();
                if !self.enter() {
                    return Expr::Error { span: open };
                }
                while !self.at_kind(TokenKind::RBracket) && self.peek().is_some() {
                    let before = self.pos;
                    items.push(self.expr());
                    if self.pos == before || !self.eat_kind(TokenKind::Comma) {
                        break;
                    }
                }
                self.leave();
                self.close(TokenKind::RBracket, open, "[", "]");
                Expr::List {
                    items,
                    span: Span::new(open.start, self.prev_end()),
                }
            }
            TokenKind::LBrace => self.map(),
            TokenKind::Ident if token.is_word("null") => {
                self.pos += 1;
                literal(Literal::Null, token.span)
            }
            TokenKind::Ident if token.is_word("true") || token.is_word("false") => {
                self.pos += 1;
                literal(Literal::Bool(token.is_word("true")), token.span)
            }
            TokenKind::Ident | TokenKind::QuotedIdent => {
                let is_call = token.kind == TokenKind::Ident
                    && self
                        .tokens
                        .get(self.pos + 1)
                        .is_some_and(|t| t.kind == TokenKind::LParen);
                if is_call {
                    return self.call(token);
                }
                match self.qualified_name(false) {
                    Some(name) => Expr::Column(name),
                    None => {
                        self.pos += 1;
                        Expr::Error { span: token.span }
                    }
                }
            }
            _ => {
                let closing = matches!(
                    token.kind,
                    TokenKind::RParen | TokenKind::RBracket | TokenKind::Comma
                );
                self.expected("an expression");
                if closing {
                    Expr::Error {
                        span: Span::empty(token.span.start),
                    }
                } else {
                    self.pos += 1;
                    Expr::Error { span: token.span }
                }
            }
        }
    }

    /// `{"key": value, …}`.
    fn map(&mut self) -> Expr {
        let open = self.bump();
        if !self.enter() {
            return Expr::Error { span: open };
        }
        let mut entries = Vec::new();
        while let Some(key) = self.peek().filter(|t| t.kind == TokenKind::String).cloned() {
            self.pos += 1;
            if !self.eat_kind(TokenKind::Colon) {
                self.expected("`:`");
                break;
            }
            let value = self.expr();
            entries.push((key.text, value));
            if !self.eat_kind(TokenKind::Comma) {
                break;
            }
        }
        self.leave();
        self.close(TokenKind::RBrace, open, "{", "}");
        Expr::Map {
            entries,
            span: Span::new(open.start, self.prev_end()),
        }
    }

    fn call(&mut self, name: Token) -> Expr {
        self.pos += 1;
        let open = self.bump();
        if !self.enter() {
            return Expr::Error { span: name.span };
        }
        let mut args = Vec::new();
        let mut star = false;
        if self.at_kind(TokenKind::Star)
            && self
                .tokens
                .get(self.pos + 1)
                .is_some_and(|t| t.kind == TokenKind::RParen)
        {
            self.pos += 1;
            star = true;
        } else if !self.at_kind(TokenKind::RParen) {
            loop {
                if self.peek().is_none() {
                    break;
                }
                let before = self.pos;
                args.push(self.expr());
                if self.pos == before || !self.eat_kind(TokenKind::Comma) {
                    break;
                }
            }
        }
        self.leave();
        self.close(TokenKind::RParen, open, "(", ")");
        Expr::Call {
            name: name.text,
            args,
            star,
            span: Span::new(name.span.start, self.prev_end()),
        }
    }
}

/// The first character a `LIKE` pattern's backslash escapes that is not a
/// wildcard or a backslash (empty for a backslash ending the pattern):
/// Elasticsearch rejects such a pattern.
pub(crate) fn invalid_like_escape(pattern: &str) -> Option<String> {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('*' | '?' | '\\') => {}
                Some(other) => return Some(other.to_string()),
                None => return Some(String::new()),
            }
        }
    }
    None
}
