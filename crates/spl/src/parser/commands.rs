//! One parse function per command with a structured form; every other
//! command is read as [`CommandKind::Generic`] arguments.

use super::{Parser, Tokens};
use crate::ast::{
    Aggregate, Arg, Command, CommandKind, CommandOption, EvalAssignment, Renaming, Spanned,
};
use crate::diag::Code;
use crate::lexer::{matching_bracket, Mode, Segment, Token, TokenKind};
use ruledex_ir::Span;

/// Commands parsed generically without a warning: real SPL commands whose
/// arguments carry no filter ruledex analyzes.
const KNOWN_GENERIC: &[&str] = &[
    "abstract",
    "accum",
    "addcoltotals",
    "addinfo",
    "addtotals",
    "analyzefields",
    "anomalies",
    "anomalousvalue",
    "anomalydetection",
    "append",
    "appendcols",
    "appendpipe",
    "apply",
    "arules",
    "associate",
    "audit",
    "autoregress",
    "bin",
    "bucket",
    "bucketdir",
    "cluster",
    "cofilter",
    "collect",
    "concurrency",
    "contingency",
    "correlate",
    "datamodel",
    "dbinspect",
    "dedup",
    "delete",
    "delta",
    "diff",
    "erex",
    "eventcount",
    "extract",
    "fieldformat",
    "fieldsummary",
    "filldown",
    "fillnull",
    "findtypes",
    "fit",
    "folderize",
    "foreach",
    "format",
    "from",
    "fromjson",
    "gauge",
    "gentimes",
    "geom",
    "geomfilter",
    "geostats",
    "head",
    "highlight",
    "history",
    "iconify",
    "inputcsv",
    "iplocation",
    "join",
    "kmeans",
    "kv",
    "kvform",
    "loadjob",
    "localize",
    "localop",
    "makecontinuous",
    "makemv",
    "makeresults",
    "map",
    "mcollect",
    "metadata",
    "metasearch",
    "meventcollect",
    "mpreview",
    "msearch",
    "multikv",
    "multisearch",
    "mvcombine",
    "mvexpand",
    "nomv",
    "outlier",
    "outputcsv",
    "outputtext",
    "overlap",
    "pivot",
    "predict",
    "rangemap",
    "rare",
    "redistribute",
    "reltime",
    "replace",
    "require",
    "rest",
    "return",
    "reverse",
    "rtorder",
    "savedsearch",
    "score",
    "script",
    "scrub",
    "searchtxn",
    "selfjoin",
    "sendalert",
    "sendemail",
    "set",
    "setfields",
    "sichart",
    "sirare",
    "sistats",
    "sitimechart",
    "sitop",
    "sort",
    "spath",
    "strcat",
    "summary",
    "tags",
    "tail",
    "tojson",
    "top",
    "transaction",
    "transpose",
    "trendline",
    "tscollect",
    "typeahead",
    "typelearner",
    "typer",
    "union",
    "uniq",
    "untable",
    "walklex",
    "x11",
    "xmlkv",
    "xmlunescape",
    "xpath",
    "xyseries",
    "ldapsearch",
    "ldapfilter",
    "ldapgroup",
    "inputintelligence",
    "processbuilder",
    "mvcombine",
    "rename",
    "timewrap",
    // From the search reference, absent from the corpus.
    "counttable",
    "ctable",
    "datamodelsimple",
    "mcatalog",
    "run",
];

impl Parser<'_, '_> {
    /// Parse one command whose text starts at `body` (after the `|` and
    /// blanks).
    pub(crate) fn command(&mut self, segment: Segment, body: usize, implicit: bool) -> Command {
        let end = segment.end as usize;
        let span = segment.span(self.text);
        if implicit {
            let mut tokens = Tokens::new(self.text, body, end, Mode::Search);
            let expr = self.search_expr(&mut tokens, end);
            return Command {
                name: Spanned {
                    text: "search".into(),
                    span: Span::empty(body as u32),
                },
                kind: CommandKind::Search { expr },
                span,
                implicit: true,
            };
        }
        let bytes = self.text.as_bytes();
        if bytes[body] == b'`' {
            let mut tokens = Tokens::new(self.text, body, end, Mode::Args);
            let t = tokens.next();
            let call = self.macro_call(&t);
            return Command {
                name: Spanned {
                    text: call.name.clone(),
                    span: t.span,
                },
                kind: CommandKind::Macro(call),
                span,
                implicit: false,
            };
        }
        let mut name_end = body;
        while name_end < end {
            let b = bytes[name_end];
            if b.is_ascii_whitespace()
                || matches!(b, b'(' | b'[' | b'=' | b'"' | b',' | b'`' | b'\'')
            {
                break;
            }
            name_end += 1;
        }
        while name_end < end && !self.text.is_char_boundary(name_end) {
            name_end += 1;
        }
        let name = Spanned {
            text: self.text[body..name_end].to_string(),
            span: Span::from_range(body..name_end),
        };
        let lower = name.text.to_ascii_lowercase();
        let kind = if name.text.is_empty() {
            self.error(
                Code::UnexpectedToken,
                "expected a command name after `|`",
                Span::from_range(body..body + 1),
            );
            CommandKind::Generic {
                args: self.generic_args(body, end, false),
            }
        } else {
            self.command_kind(&lower, &name, name_end, end)
        };
        Command {
            name,
            kind,
            span,
            implicit: false,
        }
    }

    fn command_kind(
        &mut self,
        lower: &str,
        name: &Spanned,
        start: usize,
        end: usize,
    ) -> CommandKind {
        match lower {
            "search" => {
                let mut tokens = Tokens::new(self.text, start, end, Mode::Search);
                CommandKind::Search {
                    expr: self.search_expr(&mut tokens, end),
                }
            }
            "where" => {
                let mut tokens = Tokens::new(self.text, start, end, Mode::Expr);
                let expr = self.expr(&mut tokens);
                if expr.is_none() {
                    self.error(
                        Code::MissingArgument,
                        "`where` needs a condition",
                        name.span,
                    );
                }
                self.expect_end(&tokens, "`where`");
                CommandKind::Where { expr }
            }
            "eval" => self.eval(name, start, end),
            "stats" | "eventstats" | "streamstats" | "chart" | "timechart" | "sistats" => {
                self.stats(start, end)
            }
            "tstats" | "mstats" => self.tstats(start, end),
            "rex" => self.rex(name, start, end),
            "regex" => self.regex(name, start, end),
            "lookup" => self.lookup(name, start, end),
            "inputlookup" | "outputlookup" => {
                self.inputlookup(lower == "outputlookup", name, start, end)
            }
            "rename" => self.rename(name, start, end),
            "table" => CommandKind::Fields {
                remove: false,
                fields: self.field_list(start, end).1,
            },
            "fields" => {
                let (remove, fields) = self.field_list(start, end);
                CommandKind::Fields { remove, fields }
            }
            "convert" => self.convert(start, end),
            _ => {
                if !KNOWN_GENERIC.contains(&lower) {
                    self.error(
                        Code::UnknownCommand,
                        format!(
                            "unknown command `{}`: read as its name and arguments",
                            name.text
                        ),
                        name.span,
                    );
                }
                CommandKind::Generic {
                    args: self.generic_args(start, end, lower == "foreach"),
                }
            }
        }
    }

    /// `name=value` at the cursor, if the tokens are a word and `=`.
    fn option(&mut self, tokens: &mut Tokens) -> Option<CommandOption> {
        let t = tokens.peek().clone();
        if !matches!(t.kind, TokenKind::Word) || tokens.peek_at(1).kind != TokenKind::Eq {
            return None;
        }
        tokens.next();
        let eq = tokens.next();
        let v = tokens.peek().clone();
        let value = match &v.kind {
            TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_) | TokenKind::Macro => {
                tokens.next();
                self.spanned(&v)
            }
            // `startswith=(EventCode=4624)`: a condition in parentheses.
            TokenKind::LParen => {
                tokens.next();
                let close = self.close_paren(tokens, v.span);
                let end = close.map_or(tokens.last_end(), |c| c.end);
                Spanned {
                    text: self.text[v.span.start as usize..end as usize].to_string(),
                    span: Span::new(v.span.start, end),
                }
            }
            _ => {
                self.error(
                    Code::MissingOperand,
                    format!("option `{}` has no value", t.text(self.text)),
                    eq.span,
                );
                Spanned {
                    text: String::new(),
                    span: Span::empty(eq.span.end),
                }
            }
        };
        Some(CommandOption {
            name: self.spanned(&t),
            value,
        })
    }

    fn eval(&mut self, name: &Spanned, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Expr);
        let mut assignments = Vec::new();
        loop {
            while tokens.eat(&TokenKind::Comma).is_some() {}
            if tokens.at_end() {
                break;
            }
            let target = tokens.next();
            if !matches!(
                target.kind,
                TokenKind::Word | TokenKind::Quoted(_) | TokenKind::Str(_)
            ) {
                let shown: String = target.text(self.text).chars().take(40).collect();
                self.error(
                    Code::UnexpectedToken,
                    format!("unexpected `{shown}`: expected `field = expression`"),
                    target.span,
                );
                skip_to_comma(&mut tokens);
                continue;
            }
            if tokens.eat(&TokenKind::Eq).is_none() {
                self.error(
                    Code::UnexpectedToken,
                    format!("expected `=` after `{}` in `eval`", target.text(self.text)),
                    tokens.peek().span,
                );
                skip_to_comma(&mut tokens);
                continue;
            }
            match self.expr(&mut tokens) {
                Some(value) => {
                    let span = target.span.cover(value.span);
                    assignments.push(EvalAssignment {
                        name: self.spanned(&target),
                        value,
                        span,
                    });
                }
                None => self.error(
                    Code::MissingOperand,
                    format!("`{}=` has no expression", target.text(self.text)),
                    target.span,
                ),
            }
            if !matches!(tokens.peek().kind, TokenKind::Comma | TokenKind::Eof) {
                let t = tokens.peek().clone();
                let shown: String = t.text(self.text).chars().take(40).collect();
                self.error(
                    Code::UnexpectedToken,
                    format!("unexpected `{shown}` in `eval`: expected `,`"),
                    t.span,
                );
                skip_to_comma(&mut tokens);
            }
        }
        if assignments.is_empty()
            && !self
                .diagnostics
                .iter()
                .any(|d| d.span.start >= name.span.start)
        {
            self.error(
                Code::MissingArgument,
                "`eval` needs `field = expression`",
                name.span,
            );
        }
        CommandKind::Eval { assignments }
    }

    /// An aggregation at the cursor: `f`, `f(arg)`, with `as alias`.
    fn aggregate(&mut self, tokens: &mut Tokens) -> Option<Aggregate> {
        let function = tokens.peek().clone();
        if function.kind != TokenKind::Word {
            return None;
        }
        tokens.next();
        let mut argument = None;
        let mut condition = None;
        let mut end = function.span.end;
        if tokens.peek().kind == TokenKind::LParen && tokens.peek().span.start == function.span.end
        {
            let open = tokens.next();
            let close = self.close_paren(tokens, open.span);
            end = close.map_or(tokens.last_end(), |c| c.end);
            let inner_end = close.map_or(end, |c| c.start);
            let raw = &self.text[open.span.end as usize..inner_end as usize];
            let trimmed = raw.trim();
            let inner_start = open.span.end as usize + (raw.len() - raw.trim_start().len());
            let text = trimmed
                .strip_prefix('\'')
                .and_then(|t| t.strip_suffix('\''))
                .or_else(|| trimmed.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
                .unwrap_or(trimmed);
            if !trimmed.is_empty() {
                argument = Some(Spanned {
                    text: text.to_string(),
                    span: Span::from_range(inner_start..inner_start + trimmed.len()),
                });
            }
            // `count(eval(cond))`: the condition counts.
            if let Some(rest) = trimmed.strip_prefix("eval(") {
                if rest.ends_with(')') {
                    let from = inner_start + 5;
                    let to = inner_start + trimmed.len() - 1;
                    if self.enter(open.span) {
                        let mut inner = Tokens::new(self.text, from, to, Mode::Expr);
                        condition = self.expr(&mut inner);
                        self.expect_end(&inner, "`eval(…)`");
                        self.leave();
                    }
                }
            }
        }
        let mut alias = None;
        if tokens.peek().is_keyword(self.text, "as") {
            let as_token = tokens.next();
            let t = tokens.peek().clone();
            if matches!(
                t.kind,
                TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_)
            ) {
                tokens.next();
                end = t.span.end;
                let mut name = self.spanned(&t);
                // `as aceFlags(inheritance)`: parentheses glued to the name
                // are part of it.
                if tokens.peek().kind == TokenKind::LParen && tokens.peek().span.start == t.span.end
                {
                    let open = tokens.next();
                    if let Some(close) = self.close_paren(tokens, open.span) {
                        end = close.end;
                        name.text = self.text[t.span.start as usize..end as usize].to_string();
                        name.span = Span::new(t.span.start, end);
                    }
                }
                alias = Some(name);
            } else {
                self.error(
                    Code::MissingOperand,
                    "`as` needs a name after it",
                    as_token.span,
                );
            }
        }
        Some(Aggregate {
            function: self.spanned(&function),
            argument,
            condition,
            alias,
            span: Span::new(function.span.start, end),
        })
    }

    /// Skip to the `)` matching a `(` just read; its span, or `None` (and
    /// an error) when it is never closed.
    fn close_paren(&mut self, tokens: &mut Tokens, open: Span) -> Option<Span> {
        let mut depth = 1usize;
        loop {
            let t = tokens.next();
            match t.kind {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(t.span);
                    }
                }
                TokenKind::Eof => {
                    self.error(Code::UnbalancedParen, "`(` is never closed", open);
                    return None;
                }
                _ => {}
            }
        }
    }

    fn stats(&mut self, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let mut options = Vec::new();
        let mut aggregates = Vec::new();
        let mut by = Vec::new();
        let mut in_by = false;
        loop {
            while tokens.eat(&TokenKind::Comma).is_some() {}
            if tokens.at_end() {
                break;
            }
            if let Some(option) = self.option(&mut tokens) {
                options.push(option);
                continue;
            }
            let t = tokens.peek().clone();
            if t.is_keyword(self.text, "by") || t.is_keyword(self.text, "over") {
                tokens.next();
                in_by = true;
                continue;
            }
            if in_by {
                tokens.next();
                match t.kind {
                    TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_) => {
                        by.push(self.spanned(&t))
                    }
                    TokenKind::Macro => {}
                    _ => self.unexpected(&t, "a `by` clause"),
                }
                continue;
            }
            if t.kind == TokenKind::Macro {
                tokens.next();
                continue;
            }
            match self.aggregate(&mut tokens) {
                Some(a) => aggregates.push(a),
                None => {
                    let t = tokens.next();
                    self.unexpected(&t, "an aggregation");
                }
            }
        }
        CommandKind::Stats {
            options,
            aggregates,
            by,
        }
    }

    fn unexpected(&mut self, t: &Token, what: &str) {
        let shown: String = t.text(self.text).chars().take(40).collect();
        self.error(
            Code::UnexpectedToken,
            format!("unexpected `{shown}` in {what}"),
            t.span,
        );
    }

    fn tstats(&mut self, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let mut options = Vec::new();
        let mut macros = Vec::new();
        let mut aggregates = Vec::new();
        let mut datamodel = None;
        let mut filter = None;
        let mut by = Vec::new();
        loop {
            while tokens.eat(&TokenKind::Comma).is_some() {}
            if tokens.at_end() {
                break;
            }
            let t = tokens.peek().clone();
            if t.is_keyword(self.text, "from") {
                tokens.next();
                let source = tokens.peek().clone();
                if source.is_keyword(self.text, "datamodel") {
                    tokens.next();
                    tokens.eat(&TokenKind::Eq);
                }
                let model = tokens.peek().clone();
                if matches!(model.kind, TokenKind::Word | TokenKind::Str(_))
                    && !model.is_keyword(self.text, "where")
                {
                    tokens.next();
                    let mut m = self.spanned(&model);
                    // `datamodel:Endpoint.Processes`
                    if let Some(rest) = m.text.strip_prefix("datamodel:") {
                        m.text = rest.to_string();
                    }
                    datamodel = Some(m);
                } else {
                    self.error(Code::MissingArgument, "`from` needs a data model", t.span);
                }
                continue;
            }
            if t.is_keyword(self.text, "where") {
                tokens.next();
                let clause_start = t.span.end as usize;
                let by_at = find_by(&tokens, self.text);
                let clause_end = by_at.map_or(end, |i| tokens.toks[i].span.start as usize);
                let mut inner = Tokens::new(self.text, clause_start, clause_end, Mode::Search);
                filter = self.search_expr(&mut inner, clause_end);
                if filter.is_none() {
                    self.error(Code::MissingArgument, "`where` needs a condition", t.span);
                }
                tokens.skip_to(clause_end as u32);
                continue;
            }
            if t.is_keyword(self.text, "by") {
                tokens.next();
                loop {
                    while tokens.eat(&TokenKind::Comma).is_some() {}
                    if tokens.at_end() {
                        break;
                    }
                    if let Some(option) = self.option(&mut tokens) {
                        options.push(option);
                        continue;
                    }
                    let f = tokens.next();
                    match f.kind {
                        TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_) => {
                            by.push(self.spanned(&f))
                        }
                        TokenKind::Macro => macros.push(self.macro_call(&f)),
                        _ => self.unexpected(&f, "a `by` clause"),
                    }
                }
                continue;
            }
            if t.kind == TokenKind::Macro {
                tokens.next();
                macros.push(self.macro_call(&t));
                continue;
            }
            if let Some(option) = self.option(&mut tokens) {
                options.push(option);
                continue;
            }
            match self.aggregate(&mut tokens) {
                Some(a) => aggregates.push(a),
                None => {
                    let t = tokens.next();
                    self.unexpected(&t, "`tstats`");
                }
            }
        }
        CommandKind::Tstats {
            options,
            macros,
            aggregates,
            datamodel,
            filter,
            by,
        }
    }

    fn rex(&mut self, name: &Spanned, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let mut field = None;
        let mut regex = None;
        let mut sed = false;
        while !tokens.at_end() {
            if let Some(option) = self.option(&mut tokens) {
                match option.name.text.as_str() {
                    "field" => field = Some(option.value),
                    "mode" => sed = option.value.text.eq_ignore_ascii_case("sed"),
                    _ => {}
                }
                continue;
            }
            let t = tokens.next();
            match &t.kind {
                TokenKind::Str(_) if regex.is_none() => regex = Some(self.spanned(&t)),
                _ => self.unexpected(&t, "`rex`"),
            }
        }
        if regex.is_none() {
            self.error(
                Code::MissingArgument,
                "`rex` needs a quoted regular expression",
                name.span,
            );
        }
        let captures = regex
            .as_ref()
            .map(|r| named_groups(&r.text))
            .unwrap_or_default();
        CommandKind::Rex {
            field,
            regex,
            captures: if sed { Vec::new() } else { captures },
            sed,
        }
    }

    fn regex(&mut self, name: &Spanned, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let mut field = None;
        let mut negated = false;
        if tokens.peek().kind == TokenKind::Word
            && matches!(tokens.peek_at(1).kind, TokenKind::Eq | TokenKind::Ne)
        {
            let f = tokens.next();
            field = Some(self.spanned(&f));
            negated = tokens.next().kind == TokenKind::Ne;
        }
        let t = tokens.peek().clone();
        let regex = match &t.kind {
            TokenKind::Str(_) | TokenKind::Word => {
                tokens.next();
                Some(self.spanned(&t))
            }
            _ => {
                self.error(
                    Code::MissingArgument,
                    "`regex` needs a regular expression",
                    name.span,
                );
                None
            }
        };
        self.expect_end(&tokens, "`regex`");
        CommandKind::Regex {
            field,
            negated,
            regex,
        }
    }

    /// `field [as alias]` items up to a keyword in `stop`.
    fn renamings(&mut self, tokens: &mut Tokens, stop: &[&str]) -> Vec<Renaming> {
        let mut out = Vec::new();
        loop {
            while tokens.eat(&TokenKind::Comma).is_some() {}
            let t = tokens.peek().clone();
            if t.kind == TokenKind::Eof || stop.iter().any(|s| t.is_keyword(self.text, s)) {
                break;
            }
            tokens.next();
            if !matches!(
                t.kind,
                TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_)
            ) {
                self.unexpected(&t, "a field list");
                continue;
            }
            let from = self.spanned(&t);
            let to = if tokens.peek().is_keyword(self.text, "as") {
                let as_token = tokens.next();
                let n = tokens.peek().clone();
                if matches!(
                    n.kind,
                    TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_)
                ) {
                    tokens.next();
                    self.spanned(&n)
                } else {
                    self.error(
                        Code::MissingOperand,
                        "`as` needs a name after it",
                        as_token.span,
                    );
                    from.clone()
                }
            } else {
                from.clone()
            };
            out.push(Renaming { from, to });
        }
        out
    }

    fn lookup(&mut self, name: &Spanned, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        while self.option(&mut tokens).is_some() {}
        let t = tokens.peek().clone();
        let table = match &t.kind {
            TokenKind::Word | TokenKind::Str(_) | TokenKind::Macro => {
                tokens.next();
                Some(self.spanned(&t))
            }
            _ => {
                self.error(
                    Code::MissingArgument,
                    "`lookup` needs a lookup table",
                    name.span,
                );
                None
            }
        };
        let inputs = self.renamings(&mut tokens, &["output", "outputnew"]);
        let mut outputs = Vec::new();
        if tokens.peek().is_keyword(self.text, "output")
            || tokens.peek().is_keyword(self.text, "outputnew")
        {
            tokens.next();
            outputs = self.renamings(&mut tokens, &[]);
        }
        CommandKind::Lookup {
            table,
            inputs,
            outputs,
        }
    }

    fn inputlookup(
        &mut self,
        output: bool,
        name: &Spanned,
        start: usize,
        end: usize,
    ) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        while self.option(&mut tokens).is_some() {}
        let t = tokens.peek().clone();
        let table = match &t.kind {
            TokenKind::Word | TokenKind::Str(_) | TokenKind::Macro
                if !t.is_keyword(self.text, "where") =>
            {
                tokens.next();
                Some(self.spanned(&t))
            }
            _ => {
                self.error(
                    Code::MissingArgument,
                    format!("`{}` needs a lookup table", name.text),
                    name.span,
                );
                None
            }
        };
        while self.option(&mut tokens).is_some() {}
        let mut filter = None;
        if tokens.peek().is_keyword(self.text, "where") {
            let w = tokens.next();
            let mut inner = Tokens::new(self.text, w.span.end as usize, end, Mode::Search);
            filter = self.search_expr(&mut inner, end);
        } else {
            self.expect_end(&tokens, "a lookup command");
        }
        CommandKind::InputLookup {
            output,
            table,
            filter,
        }
    }

    fn rename(&mut self, name: &Spanned, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let renamings = self.renamings(&mut tokens, &[]);
        if renamings.is_empty() {
            self.error(
                Code::MissingArgument,
                "`rename` needs `field as name`",
                name.span,
            );
        }
        for r in &renamings {
            if r.from.span == r.to.span {
                self.error(
                    Code::MissingArgument,
                    format!("`rename {}` needs `as` and a new name", r.from.text),
                    r.from.span,
                );
            }
        }
        CommandKind::Rename { renamings }
    }

    /// `[+|-] a, b c`: whether the list removes, and the fields.
    fn field_list(&mut self, start: usize, end: usize) -> (bool, Vec<Spanned>) {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let mut remove = false;
        let mut fields = Vec::new();
        let first = tokens.peek().clone();
        if first.kind == TokenKind::Word && matches!(first.text(self.text), "-" | "+") {
            tokens.next();
            remove = first.text(self.text) == "-";
        }
        while !tokens.at_end() {
            let t = tokens.next();
            match t.kind {
                TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_) => {
                    let raw = t.text(self.text);
                    // `fields -cn`
                    if fields.is_empty()
                        && !remove
                        && raw.len() > 1
                        && raw.starts_with('-')
                        && t.kind == TokenKind::Word
                    {
                        remove = true;
                        fields.push(Spanned {
                            text: raw[1..].to_string(),
                            span: Span::new(t.span.start + 1, t.span.end),
                        });
                    } else {
                        fields.push(self.spanned(&t));
                    }
                }
                TokenKind::Comma | TokenKind::Macro => {}
                _ => self.unexpected(&t, "a field list"),
            }
        }
        (remove, fields)
    }

    fn convert(&mut self, start: usize, end: usize) -> CommandKind {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let mut options = Vec::new();
        let mut conversions = Vec::new();
        loop {
            while tokens.eat(&TokenKind::Comma).is_some() {}
            if tokens.at_end() {
                break;
            }
            if let Some(option) = self.option(&mut tokens) {
                options.push(option);
                continue;
            }
            let f = tokens.next();
            let open = tokens.peek().clone();
            if f.kind != TokenKind::Word || open.kind != TokenKind::LParen {
                self.unexpected(&f, "`convert`");
                continue;
            }
            tokens.next();
            let field_token = tokens.peek().clone();
            let field = if matches!(
                field_token.kind,
                TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_)
            ) {
                tokens.next();
                self.spanned(&field_token)
            } else {
                Spanned {
                    text: "*".into(),
                    span: Span::empty(open.span.end),
                }
            };
            if tokens.eat(&TokenKind::RParen).is_none() {
                self.error(Code::UnbalancedParen, "`(` is never closed", open.span);
            }
            let mut alias = None;
            if tokens.peek().is_keyword(self.text, "as") {
                tokens.next();
                let a = tokens.next();
                alias = Some(self.spanned(&a));
            }
            conversions.push((self.spanned(&f), field, alias));
        }
        CommandKind::Convert {
            options,
            conversions,
        }
    }

    /// Arguments of any command, in order; subsearches are parsed unless
    /// `templates` (the body of `foreach` is a template, not a search).
    pub(crate) fn generic_args(&mut self, start: usize, end: usize, templates: bool) -> Vec<Arg> {
        let mut tokens = Tokens::new(self.text, start, end, Mode::Args);
        let mut args = Vec::new();
        while !tokens.at_end() {
            if let Some(option) = self.option(&mut tokens) {
                args.push(Arg::Option(option));
                continue;
            }
            let t = tokens.next();
            match &t.kind {
                TokenKind::LBracket => {
                    let close = matching_bracket(self.text, t.span.start as usize, end);
                    let inner_end = close.unwrap_or(end);
                    let after = close.map_or(end, |c| c + 1);
                    if templates {
                        args.push(Arg::Other(Spanned {
                            text: self.text[t.span.start as usize..after].to_string(),
                            span: Span::from_range(t.span.start as usize..after),
                        }));
                    } else if self.enter(t.span) {
                        let p = self.pipeline(t.span.end as usize, inner_end, false);
                        self.leave();
                        args.push(Arg::Subsearch(p));
                    }
                    tokens.skip_to(after as u32);
                }
                TokenKind::Macro => args.push(Arg::Macro(self.macro_call(&t))),
                TokenKind::Word | TokenKind::Str(_) | TokenKind::Quoted(_) => {
                    args.push(Arg::Value(self.spanned(&t)))
                }
                _ => args.push(Arg::Other(Spanned {
                    text: t.text(self.text).to_string(),
                    span: t.span,
                })),
            }
        }
        args
    }
}

/// The index of the first `by` at parenthesis depth 0 from the cursor.
fn find_by(tokens: &Tokens, text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.toks.iter().enumerate().skip(tokens.pos) {
        match t.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && t.is_keyword(text, "by") => return Some(i),
            _ => {}
        }
    }
    None
}

fn skip_to_comma(tokens: &mut Tokens) {
    while !matches!(tokens.peek().kind, TokenKind::Comma | TokenKind::Eof) {
        tokens.next();
    }
}

/// The names of `(?<name>…)` and `(?P<name>…)` groups of a regex.
pub(crate) fn named_groups(regex: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = regex;
    while let Some(at) = rest.find("(?") {
        let after = &rest[at + 2..];
        let after = after.strip_prefix('P').unwrap_or(after);
        if let Some(body) = after.strip_prefix('<') {
            if !body.starts_with('=') && !body.starts_with('!') {
                if let Some(close) = body.find('>') {
                    let name = &body[..close];
                    if !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        out.push(name.to_string());
                    }
                }
            }
        }
        rest = &rest[at + 2..];
    }
    out
}
