//! Spans: every node points at its own text, operators cover their whole
//! `| op ...` segment, children lie inside their parents.

use ruledex_kql::ast::*;
use ruledex_kql::parse;
use ruledex_kql::visit::{walk_expr, walk_operator, walk_tabular, Visitor};

/// Checks, for every node reached, that its span is inside the span of the
/// node that contains it.
struct Nesting<'q> {
    query: &'q str,
    stack: Vec<ruledex_ir::Span>,
    operators: Vec<String>,
    exprs: usize,
}

impl Nesting<'_> {
    fn check(&self, span: ruledex_ir::Span, what: &str) {
        if let Some(parent) = self.stack.last() {
            assert!(
                parent.start <= span.start && span.end <= parent.end,
                "{what} {:?} ({:?}) escapes its parent {:?} ({:?})",
                span,
                span.slice(self.query),
                parent,
                parent.slice(self.query)
            );
        }
    }
}

impl Visitor for Nesting<'_> {
    fn visit_tabular(&mut self, t: &TabularExpression) {
        self.check(t.span, "tabular expression");
        self.stack.push(t.span);
        walk_tabular(self, t);
        self.stack.pop();
    }
    fn visit_operator(&mut self, op: &Operator) {
        self.check(op.span, "operator");
        self.operators.push(op.span.slice(self.query).to_string());
        self.stack.push(op.span);
        walk_operator(self, op);
        self.stack.pop();
    }
    fn visit_expr(&mut self, e: &Expr) {
        self.check(e.span, "expression");
        if !matches!(e.kind, ExprKind::Error) {
            assert!(!e.span.is_empty(), "empty span for {e:?}");
        }
        self.exprs += 1;
        self.stack.push(e.span);
        walk_expr(self, e);
        self.stack.pop();
    }
}

#[test]
fn children_are_inside_their_parents_in_every_fixture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("text");
        let parsed = parse(&text);
        let mut v = Nesting {
            query: &text,
            stack: Vec::new(),
            operators: Vec::new(),
            exprs: 0,
        };
        v.visit_script(&parsed.script);
        total += v.exprs;
    }
    assert!(total > 500, "only {total} expressions visited");
}

#[test]
fn operator_spans_cover_the_pipe_and_the_whole_stage() {
    let query = "SecurityEvent\n| where EventID == 4625\n    and Account !has \"$\"\n| summarize Failures = count() by Account, bin(TimeGenerated, 1h)\n| where Failures > 10";
    let parsed = parse(query);
    assert!(parsed.errors.is_empty());
    let mut v = Nesting {
        query,
        stack: Vec::new(),
        operators: Vec::new(),
        exprs: 0,
    };
    v.visit_script(&parsed.script);
    assert_eq!(
        v.operators,
        [
            "| where EventID == 4625\n    and Account !has \"$\"",
            "| summarize Failures = count() by Account, bin(TimeGenerated, 1h)",
            "| where Failures > 10",
        ]
    );
}

#[test]
fn expressions_render_back_as_written() {
    let query = "T | where tolower(Name) in~ ('a', \"b\") and Props.['x y'][0] != 1h";
    let parsed = parse(query);
    let pipeline = parsed.script.queries().next().expect("a query");
    let OperatorKind::Where { predicate, .. } = &pipeline.operators[0].kind else {
        panic!("where expected");
    };
    assert_eq!(
        predicate.text(query),
        "tolower(Name) in~ ('a', \"b\") and Props.['x y'][0] != 1h"
    );
    let ExprKind::Binary { op, left, right } = &predicate.kind else {
        panic!("and expected");
    };
    assert_eq!(*op, BinaryOp::And);
    assert_eq!(left.text(query), "tolower(Name) in~ ('a', \"b\")");
    assert_eq!(right.text(query), "Props.['x y'][0] != 1h");
    let ExprKind::In {
        case_insensitive,
        negated,
        list,
        ..
    } = &left.kind
    else {
        panic!("in~ expected");
    };
    assert!(*case_insensitive && !*negated);
    assert_eq!(list[1].as_string(), Some("b"));
    assert_eq!(
        ruledex_kql::sexpr::render_expr(right),
        "(!= ([] (. Props [\"x y\"]) 0) 1h)"
    );
}

#[test]
fn let_bound_names_and_calls_are_visible() {
    let query = "let Bad = dynamic(['1.2.3.4']);\nlet Recent = (days:int) { SigninLogs | where TimeGenerated > ago(days * 1d) };\nRecent(7) | where IPAddress in (Bad)";
    let parsed = parse(query);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let lets: Vec<_> = parsed.script.lets().map(|l| l.name.name.as_str()).collect();
    assert_eq!(lets, ["Bad", "Recent"]);
    assert!(matches!(
        parsed.script.lets().next().map(|l| &l.value),
        Some(LetValue::Expr(Expr {
            kind: ExprKind::Literal(Literal {
                kind: LiteralKind::Dynamic(_),
                ..
            }),
            ..
        }))
    ));
    let pipeline = parsed.script.queries().next().expect("a query");
    let SourceKind::Call(call) = &pipeline.source.kind else {
        panic!("call source expected");
    };
    assert_eq!(call.name.name, "Recent");
    assert_eq!(pipeline.source.span.slice(query), "Recent(7)");
}
