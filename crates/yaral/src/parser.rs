//! Recursive descent over the sections, Pratt parsing for expressions.
//!
//! Recovery: a statement with an error is skipped up to the next line that
//! starts a statement; an unknown section up to the next section header;
//! nesting deeper than [`crate::MAX_DEPTH`] is reported once per statement
//! and the statement skipped, so no input overflows the stack.

use crate::ast::*;
use crate::diag::{Code, QueryDiagnostic};
use crate::functions;
use crate::lexer::{self, Kind, Lexer, Token};
use ruledex_ir::Span;

/// Binding powers, loosest first.
const BP_OR: u8 = 1;
const BP_AND: u8 = 2;
/// Operands of `not`, `any`, `all`: comparisons and tighter.
const BP_NOT_OPERAND: u8 = 3;
const BP_COMPARE: u8 = 4;
const BP_ADD: u8 = 6;
const BP_MUL: u8 = 8;
const BP_PREFIX: u8 = 10;

pub(crate) struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    tok: Token,
    pub(crate) diagnostics: Vec<QueryDiagnostic>,
    depth: usize,
    /// Set when the current statement went deeper than the limit: parsing
    /// unwinds and the statement is skipped.
    too_deep: bool,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut lexer = Lexer::new(text);
        let mut diagnostics = Vec::new();
        let tok = lexer.next(&mut diagnostics);
        Parser {
            text,
            lexer,
            tok,
            diagnostics,
            depth: 0,
            too_deep: false,
        }
    }

    fn error(&mut self, code: Code, message: impl Into<String>, span: Span) {
        self.diagnostics
            .push(QueryDiagnostic::new(code, message, span));
    }

    fn slice(&self, span: Span) -> &'a str {
        span.slice(self.text)
    }

    fn bump(&mut self) -> Token {
        let tok = self.tok;
        self.tok = self.lexer.next(&mut self.diagnostics);
        tok
    }

    /// The token after the current one, without consuming anything.
    fn peek(&self) -> Token {
        let mut lexer = Lexer::new(self.text);
        lexer.seek(self.lexer.pos());
        lexer.next(&mut Vec::new())
    }

    fn at(&self, kind: Kind) -> bool {
        self.tok.kind == kind
    }

    fn word(&self) -> Option<&'a str> {
        (self.tok.kind == Kind::Ident).then(|| self.slice(self.tok.span))
    }

    fn at_word(&self, w: &str) -> bool {
        self.word() == Some(w)
    }

    fn at_word_ci(&self, w: &str) -> bool {
        self.word().is_some_and(|t| t.eq_ignore_ascii_case(w))
    }

    fn foreign(&self) -> Option<&'a str> {
        (self.tok.kind == Kind::Foreign).then(|| self.slice(self.tok.span))
    }

    fn found(&self) -> String {
        match self.tok.kind {
            Kind::Eof => "the end of the rule".to_string(),
            _ => format!("`{}`", self.slice(self.tok.span)),
        }
    }

    /// A section header: a section keyword followed by `:` (any word with
    /// `:` at the start of a line counts, so an unknown section is found).
    fn at_section(&self) -> bool {
        let Some(w) = self.word() else {
            return false;
        };
        (SectionKind::from_keyword(w).is_some() || self.tok.line_start)
            && self.peek().kind == Kind::Colon
    }

    fn at_section_end(&self) -> bool {
        matches!(self.tok.kind, Kind::RBrace | Kind::Eof) || self.at_section()
    }

    /// Skip to the next token that starts a line (or ends the section).
    fn skip_line(&mut self) {
        loop {
            self.bump();
            if self.tok.line_start || self.at_section_end() {
                break;
            }
        }
    }

    // ------------------------------------------------------------ file

    pub(crate) fn file(&mut self) -> File {
        let mut file = File::default();
        let mut reported = false;
        while !self.at(Kind::Eof) {
            if self.at_word("rule") {
                file.rules.push(self.rule());
                continue;
            }
            if !reported {
                reported = true;
                let found = self.found();
                let span = self.tok.span;
                self.error(
                    Code::UnexpectedToken,
                    format!("expected `rule name {{ … }}`, found {found}"),
                    span,
                );
            }
            self.bump();
        }
        if file.rules.is_empty() && !reported {
            let end = self.text.len();
            self.error(
                Code::NoRule,
                "the file holds no `rule name { … }`",
                Span::from_range(end..end),
            );
        }
        file
    }

    fn rule(&mut self) -> RuleDef {
        let start = self.bump().span;
        let (name, name_span) = if self.at(Kind::Ident) {
            let t = self.bump();
            (self.slice(t.span).to_string(), t.span)
        } else {
            let found = self.found();
            let span = self.tok.span;
            self.error(
                Code::UnexpectedToken,
                format!("expected the rule's name after `rule`, found {found}"),
                span,
            );
            (String::new(), span)
        };
        let mut rule = RuleDef {
            name,
            name_span,
            span: start,
            sections: Vec::new(),
        };
        let open = if self.at(Kind::LBrace) {
            self.bump().span
        } else {
            let found = self.found();
            let span = self.tok.span;
            self.error(
                Code::UnexpectedToken,
                format!("expected `{{` after the rule's name, found {found}"),
                span,
            );
            span
        };
        let mut last_end = open.end;
        loop {
            if self.at(Kind::RBrace) {
                last_end = self.bump().span.end;
                break;
            }
            if self.at(Kind::Eof) {
                self.error(Code::Unclosed, "the rule's `{` has no closing `}`", open);
                break;
            }
            if self.at_section() {
                if let Some(section) = self.section() {
                    last_end = section.span.end.max(last_end);
                    rule.sections.push(section);
                }
                continue;
            }
            let found = self.found();
            let span = self.tok.span;
            self.error(
                Code::UnexpectedToken,
                format!("expected a section (`events:`, `condition:`, …), found {found}"),
                span,
            );
            self.bump();
            while !self.at_section_end() {
                self.bump();
            }
        }
        rule.span = Span::new(start.start, last_end);
        self.check_sections(&rule);
        rule
    }

    fn check_sections(&mut self, rule: &RuleDef) {
        for needed in [SectionKind::Events, SectionKind::Condition] {
            if rule.section(needed).is_none() {
                self.error(
                    Code::MissingSection,
                    format!("the rule has no `{}:` section", needed.keyword()),
                    rule.name_span,
                );
            }
        }
        let mut last: Option<SectionKind> = None;
        for section in &rule.sections {
            if let Some(prev) = last {
                if section.kind <= prev {
                    let what = if section.kind == prev {
                        format!("a second `{}:` section", section.kind.keyword())
                    } else {
                        format!(
                            "`{}:` after `{}:`: sections go in the order meta, events, match, outcome, condition, options",
                            section.kind.keyword(),
                            prev.keyword()
                        )
                    };
                    let span = Span::new(
                        section.span.start,
                        section.span.start + section.kind.keyword().len() as u32,
                    );
                    self.error(Code::SectionOrder, what, span);
                }
            }
            last = Some(section.kind);
        }
    }

    /// A section from its header; `None` for an unknown one (skipped).
    fn section(&mut self) -> Option<Section> {
        let header = self.bump();
        let word = self.slice(header.span);
        self.bump(); // `:`
        let Some(kind) = SectionKind::from_keyword(word) else {
            self.error(
                Code::UnknownSection,
                format!("`{word}:` is not a YARA-L section (meta, events, match, outcome, condition, options)"),
                header.span,
            );
            while !self.at_section_end() {
                self.bump();
            }
            return None;
        };
        let colon_end = header.span.end + 1;
        let body_start = if self.at_section_end() {
            colon_end
        } else {
            self.tok.span.start
        };
        let mut end = colon_end;
        let body = match kind {
            SectionKind::Meta | SectionKind::Options => {
                let entries = self.entries(&mut end);
                SectionBody::Entries(entries)
            }
            SectionKind::Events => SectionBody::Events(self.statements(&mut end)),
            SectionKind::Match => SectionBody::Match(self.match_spec(header.span, &mut end)),
            SectionKind::Outcome => SectionBody::Outcome(self.assignments(&mut end)),
            SectionKind::Condition => SectionBody::Condition(self.condition(&mut end)),
        };
        Some(Section {
            kind,
            span: Span::new(header.span.start, end),
            body_span: Span::new(body_start, end.max(body_start)),
            body,
        })
    }

    // ------------------------------------------------------------ sections

    fn entries(&mut self, end: &mut u32) -> Vec<Entry> {
        self.bindings(Kind::Ident, "`key = \"value\"`", end, |p, key, value| {
            Entry {
                key: p.slice(key.span).to_string(),
                span: Span::new(key.span.start, value.span.end),
                value,
            }
        })
    }

    /// The statements of a section written `NAME = expression` (`meta:`
    /// entries, `outcome:` assignments), NAME a token of kind `name`
    /// (`expected` says what for the error), each built by `make`. A
    /// statement that does not start so is reported and its line skipped.
    fn bindings<T>(
        &mut self,
        name: Kind,
        expected: &str,
        end: &mut u32,
        make: impl Fn(&Self, Token, Expr) -> T,
    ) -> Vec<T> {
        let mut out = Vec::new();
        while !self.at_section_end() {
            let before = self.errors();
            let start = self.tok.span.start;
            if !self.at(name) {
                let found = self.found();
                let span = self.tok.span;
                self.error(
                    Code::UnexpectedToken,
                    format!("expected {expected}, found {found}"),
                    span,
                );
                self.skip_line();
                continue;
            }
            let name = self.bump();
            if self.at(Kind::Eq) || self.foreign().is_some() {
                let eq = self.bump();
                // The value may start on the next line, not in the next
                // section.
                if self.at_section_end() {
                    self.error(
                        Code::MissingOperand,
                        format!("expected a value after `{} =`", self.slice(name.span)),
                        eq.span,
                    );
                    continue;
                }
            } else {
                let found = self.found();
                // A name alone on its line: point at it, and keep the
                // next line, which is a statement of its own.
                let alone = self.tok.line_start || self.at_section_end();
                let span = if alone { name.span } else { self.tok.span };
                self.error(
                    Code::UnexpectedToken,
                    format!(
                        "expected `=` after `{}`, found {found}",
                        self.slice(name.span)
                    ),
                    span,
                );
                if !alone {
                    self.skip_line();
                }
                continue;
            }
            let value = self.statement_expr(0);
            *end = value.span.end;
            out.push(make(self, name, value));
            self.after_statement(before, start);
        }
        out
    }

    fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// After a statement: skip the rest of its line when it had errors or
    /// something that cannot start a statement follows.
    fn after_statement(&mut self, errors_before: usize, start: u32) {
        // Every statement consumes at least one token.
        if self.tok.span.start == start && !self.at_section_end() {
            self.bump();
        }
        if self.at_section_end() {
            return;
        }
        if self.errors() > errors_before {
            if !self.tok.line_start {
                self.skip_line();
            }
            return;
        }
        if !self.can_start_expr() {
            let found = self.found();
            let span = self.tok.span;
            self.error(
                Code::UnexpectedToken,
                format!("unexpected {found} after the end of a statement"),
                span,
            );
            self.skip_line();
        }
    }

    /// One statement at binding power `bp`, with the depth state reset.
    fn statement_expr(&mut self, bp: u8) -> Expr {
        self.too_deep = false;
        self.depth = 0;
        let e = self.expr(bp);
        self.too_deep = false;
        e
    }

    fn statements(&mut self, end: &mut u32) -> Vec<Expr> {
        let mut out = Vec::new();
        while !self.at_section_end() {
            let before = self.errors();
            let start = self.tok.span.start;
            let e = self.statement_expr(0);
            *end = (*end).max(e.span.end);
            out.push(e);
            self.after_statement(before, start);
        }
        out
    }

    fn condition(&mut self, end: &mut u32) -> Option<Expr> {
        if self.at_section_end() {
            let span = self.tok.span;
            self.error(
                Code::MissingOperand,
                "the `condition:` section is empty",
                span,
            );
            return None;
        }
        let before = self.errors();
        let e = self.statement_expr(0);
        *end = e.span.end;
        if !self.at_section_end() && self.errors() == before {
            let found = self.found();
            let span = self.tok.span;
            self.error(
                Code::UnexpectedToken,
                format!("expected `and` or `or` between conditions, found {found}"),
                span,
            );
        }
        while !self.at_section_end() {
            self.bump();
        }
        Some(e)
    }

    fn assignments(&mut self, end: &mut u32) -> Vec<Assignment> {
        self.bindings(
            Kind::Var,
            "an outcome variable (`$name = …`)",
            end,
            |p, name, value| Assignment {
                name: p.slice(name.span).to_string(),
                name_span: name.span,
                span: Span::new(name.span.start, value.span.end),
                value,
            },
        )
    }

    fn match_spec(&mut self, header: Span, end: &mut u32) -> Option<MatchSpec> {
        let mut variables = Vec::new();
        while self.at(Kind::Var) {
            let t = self.bump();
            let mut span = t.span;
            // `$e.field`: search and dashboards group by UDM fields, rules
            // only by placeholders; read it whole and say so.
            let mut is_field = false;
            while self.at(Kind::Dot) {
                self.bump();
                is_field = true;
                if self.at(Kind::Ident) {
                    span = span.cover(self.bump().span);
                }
            }
            if is_field {
                let field = self.slice(span).to_string();
                self.error(
                    Code::InvalidMatch,
                    format!("a rule's match section groups by placeholder variables, not UDM fields: assign `$name = {field}` in `events` and match on `$name`"),
                    span,
                );
            }
            variables.push((self.slice(span).to_string(), span));
            *end = span.end;
            if self.at(Kind::Comma) {
                self.bump();
            } else {
                break;
            }
        }
        let spec = (|| {
            if variables.is_empty() {
                return Err("expected the grouping variables (`$user over 5m`)".to_string());
            }
            let window = if self.at_word_ci("over") {
                WindowKind::Over
            } else if self.at_word_ci("by") {
                WindowKind::By
            } else {
                return Err(format!(
                    "expected `over` or `by` and a window after the match variables, found {}",
                    self.found()
                ));
            };
            self.bump();
            if !self.at(Kind::Duration) {
                return Err(format!(
                    "expected a window (`5m`, `1h`, `1d`), found {}",
                    self.found()
                ));
            }
            let d = self.bump();
            *end = d.span.end;
            let duration = self.slice(d.span).to_string();
            let mut pivot = None;
            for (word, which) in [("before", Pivot::Before), ("after", Pivot::After)] {
                if self.at_word(word) {
                    self.bump();
                    self.too_deep = false;
                    self.depth = 0;
                    let e = self.expr(BP_ADD);
                    *end = e.span.end;
                    pivot = Some((which, e));
                    break;
                }
            }
            Ok(MatchSpec {
                variables,
                window,
                duration,
                duration_span: d.span,
                pivot,
            })
        })();
        match spec {
            Ok(spec) => {
                if let Some(seconds) = duration_seconds(&spec.duration) {
                    if !(60..=48 * 3600).contains(&seconds) {
                        self.error(
                            Code::WindowOutOfRange,
                            format!(
                                "a match window of {} is outside YARA-L's limits (1m to 48h)",
                                spec.duration
                            ),
                            spec.duration_span,
                        );
                    }
                }
                if !self.at_section_end() {
                    let found = self.found();
                    let span = self.tok.span;
                    self.error(
                        Code::UnexpectedToken,
                        format!("unexpected {found} after the match window"),
                        span,
                    );
                    while !self.at_section_end() {
                        self.bump();
                    }
                }
                Some(spec)
            }
            Err(message) => {
                let span = if self.at_section_end() {
                    header
                } else {
                    self.tok.span
                };
                self.error(Code::InvalidMatch, message, span);
                while !self.at_section_end() {
                    self.bump();
                }
                None
            }
        }
    }

    // ------------------------------------------------------------ expressions

    fn can_start_expr(&self) -> bool {
        match self.tok.kind {
            Kind::Var
            | Kind::Count
            | Kind::List
            | Kind::String
            | Kind::RawString
            | Kind::Number
            | Kind::Duration
            | Kind::LParen
            | Kind::LBracket
            | Kind::Minus
            | Kind::Bang
            | Kind::Slash => true,
            Kind::Ident => !self.at_section(),
            _ => false,
        }
    }

    /// Enter one level of nesting; false (reported once) past the limit.
    fn enter(&mut self) -> bool {
        if self.too_deep {
            return false;
        }
        self.depth += 1;
        if self.depth > crate::MAX_DEPTH {
            self.too_deep = true;
            let span = self.tok.span;
            self.error(
                Code::TooDeep,
                format!(
                    "nesting deeper than {} levels; the rest of the statement is skipped",
                    crate::MAX_DEPTH
                ),
                span,
            );
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn error_expr(&self) -> Expr {
        Expr::new(ExprKind::Error, Span::empty(self.tok.span.start))
    }

    pub(crate) fn expr(&mut self, min_bp: u8) -> Expr {
        if !self.enter() {
            return self.error_expr();
        }
        let e = self.expr_inner(min_bp);
        self.leave();
        e
    }

    fn expr_inner(&mut self, min_bp: u8) -> Expr {
        let mut lhs = self.prefix();
        let mut chain = 0usize;
        loop {
            if self.too_deep {
                return lhs;
            }
            let Some((op, lbp)) = self.infix() else {
                if self.at_word_ci("nocase") && min_bp <= BP_COMPARE {
                    let t = self.bump();
                    let span = lhs.span.cover(t.span);
                    lhs = Expr::new(ExprKind::Nocase(Box::new(lhs)), span);
                    continue;
                }
                if self.at_word_ci("in") && min_bp <= BP_COMPARE {
                    lhs = self.in_list(lhs);
                    continue;
                }
                return lhs;
            };
            if lbp < min_bp {
                return lhs;
            }
            let op_tok = self.bump();
            let rbp = lbp + 1;
            let chained = matches!(&lhs.kind, ExprKind::Binary { op: o, .. } if o.is_comparison())
                && self.text.as_bytes().get(lhs.span.start as usize) != Some(&b'(');
            if op.is_comparison() && chained {
                self.error(
                    Code::UnexpectedToken,
                    format!(
                        "comparisons do not chain: `{}` after a comparison (join them with `and`)",
                        self.slice(op_tok.span)
                    ),
                    op_tok.span,
                );
            }
            if self.at_section_end() || !self.can_start_expr() && !self.at_word_ci("not") {
                let found = self.found();
                self.error(
                    Code::MissingOperand,
                    format!(
                        "`{}` without its right operand, found {found}",
                        self.slice(op_tok.span)
                    ),
                    op_tok.span,
                );
                let span = lhs.span.cover(op_tok.span);
                return Expr::new(
                    ExprKind::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(Expr::new(ExprKind::Error, Span::empty(op_tok.span.end))),
                    },
                    span,
                );
            }
            // Comparisons do not chain: `a = b = c` is an error.
            let rhs = self.expr(if op.is_comparison() {
                BP_COMPARE + 1
            } else {
                rbp
            });
            let span = lhs.span.cover(rhs.span);
            if matches!(op, BinOp::And | BinOp::Or) {
                lhs = match lhs.kind {
                    ExprKind::Logical { op: o, mut items } if o == op => {
                        items.push(rhs);
                        Expr::new(ExprKind::Logical { op, items }, span)
                    }
                    kind => Expr::new(
                        ExprKind::Logical {
                            op,
                            items: vec![Expr::new(kind, lhs.span), rhs],
                        },
                        span,
                    ),
                };
                continue;
            }
            // Arithmetic chains nest to the left: bounded like nesting.
            chain += 1;
            if chain > crate::MAX_DEPTH {
                self.too_deep = true;
                self.error(
                    Code::TooDeep,
                    format!(
                        "more than {} operators in one expression; the rest of the statement is skipped",
                        crate::MAX_DEPTH
                    ),
                    op_tok.span,
                );
                return lhs;
            }
            lhs = Expr::new(
                ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            );
        }
    }

    /// The binary operator at the current token and its binding power.
    fn infix(&self) -> Option<(BinOp, u8)> {
        let op = match self.tok.kind {
            Kind::Ident => {
                let w = self.slice(self.tok.span);
                if w.eq_ignore_ascii_case("or") {
                    BinOp::Or
                } else if w.eq_ignore_ascii_case("and") {
                    BinOp::And
                } else {
                    return None;
                }
            }
            Kind::Foreign => match self.slice(self.tok.span) {
                "&&" => BinOp::And,
                "||" => BinOp::Or,
                ":=" | "==" | "=~" => BinOp::Eq,
                _ => return None,
            },
            Kind::Eq => BinOp::Eq,
            Kind::Ne => BinOp::Ne,
            Kind::Lt => BinOp::Lt,
            Kind::Le => BinOp::Le,
            Kind::Gt => BinOp::Gt,
            Kind::Ge => BinOp::Ge,
            Kind::Plus => BinOp::Add,
            Kind::Minus => BinOp::Sub,
            Kind::Star => BinOp::Mul,
            Kind::Slash => BinOp::Div,
            _ => return None,
        };
        let bp = match op {
            BinOp::Or => BP_OR,
            BinOp::And => BP_AND,
            BinOp::Add | BinOp::Sub => BP_ADD,
            BinOp::Mul | BinOp::Div => BP_MUL,
            _ => BP_COMPARE,
        };
        Some((op, bp))
    }

    /// `lhs in [regex|cidr] %list` (or an array literal).
    fn in_list(&mut self, lhs: Expr) -> Expr {
        let in_tok = self.bump();
        let kind = if self.at_word_ci("regex") {
            self.bump();
            InKind::Regex
        } else if self.at_word_ci("cidr") {
            self.bump();
            InKind::Cidr
        } else {
            InKind::Plain
        };
        let list = match self.tok.kind {
            Kind::List => self.list_ref(),
            Kind::LBracket => self.primary(),
            _ => {
                // A malformed `%…` was reported by the lexer already.
                if !self.at(Kind::Invalid) {
                    let found = self.found();
                    let span = self.tok.span;
                    self.error(
                        Code::MissingOperand,
                        format!("expected a reference list (`%name`) after `in`, found {found}"),
                        span,
                    );
                }
                Expr::new(ExprKind::Error, Span::empty(in_tok.span.end))
            }
        };
        let span = lhs.span.cover(list.span).cover(in_tok.span);
        Expr::new(
            ExprKind::In {
                lhs: Box::new(lhs),
                kind,
                list: Box::new(list),
            },
            span,
        )
    }

    /// `%name` or `%table.column` (a data table column), at a
    /// [`Kind::List`] token.
    fn list_ref(&mut self) -> Expr {
        let t = self.bump();
        let name = self.slice(t.span)[1..].to_string();
        let mut span = t.span;
        let mut column = None;
        if self.at(Kind::Dot)
            && self.tok.span.start == t.span.end
            && self.peek().kind == Kind::Ident
        {
            self.bump();
            let c = self.bump();
            column = Some(self.slice(c.span).to_string());
            span = span.cover(c.span);
        }
        Expr::new(ExprKind::List { name, column }, span)
    }

    fn prefix(&mut self) -> Expr {
        if self.at_word_ci("not") {
            let t = self.bump();
            let inner = self.operand_of(t, BP_NOT_OPERAND);
            let span = t.span.cover(inner.span);
            return Expr::new(ExprKind::Not(Box::new(inner)), span);
        }
        if (self.at_word_ci("any") || self.at_word_ci("all"))
            && matches!(self.peek().kind, Kind::Var | Kind::Ident | Kind::LParen)
        {
            let t = self.bump();
            let all = self.slice(t.span).eq_ignore_ascii_case("all");
            let inner = self.operand_of(t, BP_NOT_OPERAND);
            let span = t.span.cover(inner.span);
            return Expr::new(
                ExprKind::Quantified {
                    all,
                    expr: Box::new(inner),
                },
                span,
            );
        }
        match self.tok.kind {
            Kind::Minus => {
                let t = self.bump();
                let inner = self.operand_of(t, BP_PREFIX);
                let span = t.span.cover(inner.span);
                Expr::new(ExprKind::Neg(Box::new(inner)), span)
            }
            Kind::Bang => {
                let t = self.bump();
                let inner = self.operand_of(t, BP_PREFIX);
                let span = t.span.cover(inner.span);
                Expr::new(ExprKind::Bang(Box::new(inner)), span)
            }
            _ => self.primary(),
        }
    }

    /// The operand of the prefix operator `op`.
    fn operand_of(&mut self, op: Token, bp: u8) -> Expr {
        if self.at_section_end() || !self.can_start_expr() && !self.at_word_ci("not") {
            let found = self.found();
            self.error(
                Code::MissingOperand,
                format!(
                    "`{}` without its operand, found {found}",
                    self.slice(op.span)
                ),
                op.span,
            );
            return Expr::new(ExprKind::Error, Span::empty(op.span.end));
        }
        self.expr(bp)
    }

    fn primary(&mut self) -> Expr {
        let t = self.tok;
        match t.kind {
            Kind::Var => {
                self.bump();
                let var = self.slice(t.span).to_string();
                if self.at(Kind::Dot) || self.foreign() == Some("?.") {
                    return self.field(var, t.span);
                }
                Expr::new(ExprKind::Var(var), t.span)
            }
            Kind::Count => {
                self.bump();
                Expr::new(ExprKind::Count(self.slice(t.span).to_string()), t.span)
            }
            Kind::List => self.list_ref(),
            Kind::String => {
                self.bump();
                Expr::new(ExprKind::Str(lexer::unquote(self.slice(t.span))), t.span)
            }
            Kind::RawString => {
                self.bump();
                Expr::new(
                    ExprKind::Str(lexer::strip_delimiters(self.slice(t.span), '`')),
                    t.span,
                )
            }
            Kind::Slash => {
                self.lexer.seek(t.span.start as usize);
                let r =
                    self.lexer
                        .regex(t.span.start as usize, t.line_start, &mut self.diagnostics);
                self.tok = r;
                self.bump();
                if r.kind == Kind::Regex
                    && self.at(Kind::Ident)
                    && self.tok.span.start == r.span.end
                {
                    let flags = self.bump();
                    let written = self.slice(flags.span).to_string();
                    self.error(
                        Code::ForeignSyntax,
                        format!("`/…/{written}`: YARA-L regular expressions take no flags; write `nocase` after the comparison"),
                        flags.span,
                    );
                }
                Expr::new(
                    ExprKind::Regex(lexer::strip_delimiters(self.slice(r.span), '/')),
                    r.span,
                )
            }
            Kind::Number => {
                self.bump();
                Expr::new(ExprKind::Number(self.slice(t.span).to_string()), t.span)
            }
            Kind::Duration => {
                self.bump();
                Expr::new(ExprKind::Duration(self.slice(t.span).to_string()), t.span)
            }
            Kind::LParen => {
                self.bump();
                let inner = self.expr(0);
                if self.at(Kind::RParen) {
                    let close = self.bump();
                    Expr::new(inner.kind, t.span.cover(close.span))
                } else {
                    if !self.too_deep {
                        let found = self.found();
                        self.error(
                            Code::Unclosed,
                            format!("`(` without its closing `)`, found {found}"),
                            t.span,
                        );
                    }
                    let span = t.span.cover(inner.span);
                    Expr::new(inner.kind, span)
                }
            }
            Kind::LBracket => {
                self.bump();
                let (items, end) = self.list_items(Kind::RBracket, t.span, None);
                Expr::new(ExprKind::Array(items), Span::new(t.span.start, end))
            }
            Kind::Ident => self.word_expr(),
            _ => {
                let found = self.found();
                self.error(
                    Code::UnexpectedToken,
                    format!("expected an expression, found {found}"),
                    t.span,
                );
                if !matches!(t.kind, Kind::Eof | Kind::RBrace | Kind::RParen) {
                    self.bump();
                }
                Expr::new(ExprKind::Error, t.span)
            }
        }
    }

    /// Comma-separated expressions up to `close`; returns them and the end
    /// offset (after `close`, or of the last item when it is missing).
    /// `named` is `None` for an array literal and, for a call's
    /// arguments, whether the function takes named arguments.
    fn list_items(&mut self, close: Kind, open: Span, named: Option<bool>) -> (Vec<Expr>, u32) {
        let mut items = Vec::new();
        let mut end = open.end;
        if self.at(close) {
            return (items, self.bump().span.end);
        }
        loop {
            let e = match named {
                Some(allowed) if self.at_named_argument() => self.named_argument(allowed),
                _ => self.expr(0),
            };
            end = end.max(e.span.end);
            items.push(e);
            if self.too_deep {
                return (items, end);
            }
            if self.at(Kind::Comma) {
                self.bump();
                continue;
            }
            if self.at(close) {
                return (items, self.bump().span.end);
            }
            let found = self.found();
            let what = if close == Kind::RParen { ")" } else { "]" };
            self.error(
                Code::Unclosed,
                format!("expected `,` or `{what}`, found {found}"),
                open,
            );
            return (items, end);
        }
    }

    /// At `name:` or `a.b.c:`, the start of a named argument.
    fn at_named_argument(&self) -> bool {
        if !self.at(Kind::Ident) {
            return false;
        }
        let mut lexer = Lexer::new(self.text);
        lexer.seek(self.lexer.pos());
        let mut sink = Vec::new();
        loop {
            match lexer.next(&mut sink).kind {
                Kind::Colon => return true,
                Kind::Dot if lexer.next(&mut sink).kind == Kind::Ident => {}
                _ => return false,
            }
        }
    }

    /// `name:value`, as the `metrics.*` functions take their parameters;
    /// the value may be a bare word (`window:today`, `agg:max`).
    fn named_argument(&mut self, allowed: bool) -> Expr {
        let first = self.bump();
        let mut name_span = first.span;
        while self.at(Kind::Dot) {
            self.bump();
            name_span = name_span.cover(self.bump().span);
        }
        let name = self.slice(name_span).to_string();
        self.bump(); // `:`
        if !allowed {
            self.error(
                Code::UnexpectedToken,
                format!("named argument `{name}:` outside a `metrics.*` function; other functions take positional arguments"),
                name_span,
            );
        }
        let value = if self.at(Kind::Ident) && !matches!(self.peek().kind, Kind::LParen | Kind::Dot)
        {
            let t = self.bump();
            match self.slice(t.span) {
                "true" | "TRUE" => Expr::new(ExprKind::Bool(true), t.span),
                "false" | "FALSE" => Expr::new(ExprKind::Bool(false), t.span),
                word => Expr::new(ExprKind::Word(word.to_string()), t.span),
            }
        } else {
            self.expr(0)
        };
        let span = name_span.cover(value.span);
        Expr::new(
            ExprKind::Named {
                name,
                name_span,
                value: Box::new(value),
            },
            span,
        )
    }

    fn field(&mut self, var: String, start: Span) -> Expr {
        let mut path = Vec::new();
        let mut end = start.end;
        loop {
            if self.at(Kind::Dot) || self.foreign() == Some("?.") {
                let dot = self.bump();
                if self.at(Kind::Ident) {
                    let t = self.bump();
                    path.push(Segment::Name(self.slice(t.span).to_string()));
                    end = t.span.end;
                } else {
                    let found = self.found();
                    self.error(
                        Code::UnexpectedToken,
                        format!("expected a field name after `.`, found {found}"),
                        dot.span,
                    );
                    end = dot.span.end;
                    break;
                }
            } else if self.at(Kind::LBracket) {
                let open = self.bump();
                let segment = match self.tok.kind {
                    Kind::String | Kind::RawString | Kind::Number => {
                        let t = self.bump();
                        let text = self.slice(t.span);
                        match t.kind {
                            Kind::String => Segment::Key(lexer::unquote(text)),
                            Kind::RawString => Segment::Key(lexer::strip_delimiters(text, '`')),
                            _ => Segment::Index(text.to_string()),
                        }
                    }
                    _ => {
                        let found = self.found();
                        let span = self.tok.span;
                        self.error(
                            Code::UnexpectedToken,
                            format!("expected a quoted map key after `[`, found {found}"),
                            span,
                        );
                        Segment::Key(String::new())
                    }
                };
                if self.at(Kind::RBracket) {
                    end = self.bump().span.end;
                } else {
                    self.error(Code::Unclosed, "`[` without its closing `]`", open.span);
                    end = open.span.end;
                    path.push(segment);
                    break;
                }
                path.push(segment);
            } else {
                break;
            }
        }
        Expr::new(ExprKind::Field { var, path }, Span::new(start.start, end))
    }

    /// A word in operand position: a literal keyword or a function call.
    fn word_expr(&mut self) -> Expr {
        let t = self.bump();
        let word = self.slice(t.span);
        match word {
            "true" | "TRUE" => return Expr::new(ExprKind::Bool(true), t.span),
            "false" | "FALSE" => return Expr::new(ExprKind::Bool(false), t.span),
            "null" => return Expr::new(ExprKind::Null, t.span),
            _ => {}
        }
        let mut namespace = None;
        let mut name = word.to_string();
        let mut name_span = t.span;
        if self.at(Kind::Dot) && self.peek().kind == Kind::Ident {
            self.bump();
            let n = self.bump();
            namespace = Some(word.to_string());
            name = self.slice(n.span).to_string();
            name_span = n.span;
        }
        if !self.at(Kind::LParen) {
            let shown = self.slice(Span::new(t.span.start, name_span.end));
            self.error(
                Code::UnexpectedToken,
                format!(
                    "expected an expression, found `{shown}` (UDM fields start with an event variable: `$e.{shown}`)"
                ),
                Span::new(t.span.start, name_span.end),
            );
            return Expr::new(ExprKind::Error, Span::new(t.span.start, name_span.end));
        }
        self.check_function(namespace.as_deref(), &name, t.span, name_span);
        let open = self.bump();
        let named = namespace.as_deref() == Some("metrics");
        let (args, end) = self.list_items(Kind::RParen, open.span, Some(named));
        Expr::new(
            ExprKind::Call {
                namespace,
                name,
                args,
            },
            Span::new(t.span.start, end),
        )
    }

    fn check_function(
        &mut self,
        namespace: Option<&str>,
        name: &str,
        first: Span,
        name_span: Span,
    ) {
        match namespace {
            Some(ns) => match functions::namespace(ns) {
                None => self.error(
                    Code::UnknownFunction,
                    format!(
                        "`{ns}` is not a YARA-L function namespace ({})",
                        functions::NAMESPACES.join(", ")
                    ),
                    first,
                ),
                Some(known) => {
                    if let Some(names) = known {
                        if !names.contains(&name) {
                            self.error(
                                Code::UnknownNamespaceFunction,
                                format!("`{ns}.{name}` is not a documented YARA-L function"),
                                Span::new(first.start, name_span.end),
                            );
                        }
                    }
                }
            },
            None => {
                if !functions::BARE.contains(&name) {
                    self.error(
                        Code::UnknownFunction,
                        format!("`{name}` is not a YARA-L function; functions have a namespace (`strings.to_lower`) or are aggregates (`max`, `count_distinct`, `array_distinct`, …)"),
                        first,
                    );
                }
            }
        }
    }
}

/// Seconds of a duration literal (`5m` → 300).
pub(crate) fn duration_seconds(text: &str) -> Option<u64> {
    let unit = text.chars().last()?;
    let number: f64 = text[..text.len() - 1].parse().ok()?;
    let factor = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86400.0,
        _ => return None,
    };
    Some((number * factor) as u64)
}
