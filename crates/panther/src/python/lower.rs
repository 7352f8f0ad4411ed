//! Lowering a Panther program's `rule(event)` (or `policy(resource)`) to
//! stages and predicates.
//!
//! # What a rule function means
//!
//! The function's truth value is computed statement by statement, as
//! Python runs it: `if C: return False` contributes `not(C)` and the rest,
//! `if C: return True` contributes `C or rest`, `if C: return E` contributes
//! `(C and E) or (not(C) and rest)`, a final `return E` contributes `E`.
//! Assignments bind local names the later statements read
//! (`user_agent = event.deep_get("properties", "userAgent")`).
//!
//! # Stages
//!
//! Leading guards (`if C: return False`) become one `guard` stage each,
//! whose predicate is what the event must satisfy to get past it
//! (`not(C)`): an indicator in a guard is an exclusion unless the guard
//! was written `if not …`. The remaining statements become one `return`
//! stage. The rule fires when every stage holds.
//!
//! # Values
//!
//! `event.get("a")`, `event["a"]`, `event.deep_get("a", "b")`,
//! `deep_get(event, "a", "b")`, `event.deep_walk(...)` and chains
//! (`event.get("a", {}).get("b")`) are the field `a.b` (the event's JSON
//! path joined with `.`); `event.udm("x")` is resolved through the data
//! models of the rule's log types. Module-level literals are folded, also
//! when imported from a global helper. `.lower()` makes a comparison
//! case-insensitive.
//!
//! # Calls
//!
//! Helpers known by name keep their meaning (`deep_get`, `deep_walk`,
//! `is_ip_in_network`, `pattern_match`, `aws_cloudtrail_success`, …);
//! other functions of the program, or of a global helper module of the
//! source, are followed one level deep. A `for` loop that returns is
//! unrolled over a literal collection, and read once for an array of the
//! event whose elements' fields are the array's (when its body only
//! accepts or only rejects). `event.udm("x") == K`, where a data-model
//! method computes `x`, is the conditions under which the method returns
//! `K`. Anything else (loops over computed values, external lookups,
//! dynamic keys) becomes an opaque condition with a warning `PAN104`
//! naming the construct: nothing is dropped silently.

use crate::codes;
use crate::context::{PantherContext, UdmMapping};
use crate::python::module::{dotted, ignores_case, literal_of, number, Constant, Module};
use ruff_python_ast::{BoolOp, CmpOp, Expr, Stmt, StmtFunctionDef, UnaryOp};
use ruff_text_size::Ranged;
use ruledex_ir::{
    AlertTemplate, Comparison, Dependency, DependencyKind, Derivation, Diagnostic, FieldComparison,
    FieldRef, Op, OutputField, Pattern, Predicate, Span, Stage, StageRef, Value,
};
use std::collections::{BTreeMap, HashMap};

/// Deepest expression or helper nesting the lowering follows.
const MAX_DEPTH: usize = 64;
/// Work budget per program (expressions and statements visited), so a
/// pathological program cannot make lowering slow.
const BUDGET: usize = 50_000;

/// The functions a Panther program may define besides its entry point,
/// and what they give the alert.
const ALERT_FUNCTIONS: [&str; 8] = [
    "title",
    "alert_context",
    "dedup",
    "severity",
    "description",
    "reference",
    "runbook",
    "destinations",
];

/// The lowering of one program.
#[derive(Debug, Default)]
pub struct Lowered {
    /// `guard` stages, then the `return` stage.
    pub stages: Vec<Stage>,
    /// `title`, `dedup`, `severity` and the keys of `alert_context`.
    pub outputs: Vec<OutputField>,
    /// Helper functions the program calls.
    pub dependencies: Vec<Dependency>,
    /// The alert title template, when `title()` returns a string.
    pub alert: Option<AlertTemplate>,
    /// The dynamic alert functions the program defines, with the
    /// expression each returns (`{"severity": "\"HIGH\" if … else …"}`).
    pub functions: BTreeMap<String, String>,
    /// Problems and constructs kept opaque.
    pub diagnostics: Vec<Diagnostic>,
}

/// Lower the program `module` whose entry function is `entry` (`rule` or
/// `policy`). `log_types` select the data models of `event.udm(...)`;
/// `anchor` is where the spec names the program (every stage and
/// diagnostic is placed there, and messages give the program's own line
/// and column).
pub fn lower_program(
    module: &Module,
    entry: &str,
    ctx: Option<&PantherContext>,
    log_types: &[String],
    anchor: Span,
) -> Lowered {
    let mut lowerer = Lowerer {
        ctx,
        log_types,
        anchor,
        out: Lowered::default(),
        budget: BUDGET,
        depth: 0,
        falsy_returns: false,
        in_loop: 0,
        return_values: None,
    };
    let Some(def) = module.function(entry) else {
        lowerer.out.diagnostics.push(
            Diagnostic::error(
                codes::NO_ENTRY_FUNCTION,
                format!("{} defines no `{entry}()` function", module.path),
            )
            .with_span(anchor),
        );
        return lowerer.out;
    };
    lowerer.entry(module, def);
    for name in ALERT_FUNCTIONS {
        if let Some(def) = module.function(name) {
            lowerer.alert_function(module, name, def);
        }
    }
    lowerer.out
}

/// A condition folded as far as literals allow. Conditions are built and
/// moved a few times per comparison; boxing the predicate would cost more
/// allocations than the size difference saves.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
enum Cond {
    True,
    False,
    Pred(Predicate),
}

impl Cond {
    fn and(items: Vec<Cond>) -> Cond {
        let mut preds = Vec::new();
        for item in items {
            match item {
                Cond::False => return Cond::False,
                Cond::True => {}
                Cond::Pred(p) => preds.push(p),
            }
        }
        if preds.is_empty() {
            return Cond::True;
        }
        Cond::Pred(merge(Predicate::and(preds), true))
    }

    fn or(items: Vec<Cond>) -> Cond {
        let mut preds = Vec::new();
        for item in items {
            match item {
                Cond::True => return Cond::True,
                Cond::False => {}
                Cond::Pred(p) => preds.push(p),
            }
        }
        if preds.is_empty() {
            return Cond::False;
        }
        Cond::Pred(merge(Predicate::or(preds), false))
    }

    fn not(self) -> Cond {
        match self {
            Cond::True => Cond::False,
            Cond::False => Cond::True,
            Cond::Pred(p) => Cond::Pred(negate(p)),
        }
    }
}

/// `not(p)`, with a comparison's operator flipped where Python wrote a
/// negative test (`not x.startswith("a")` stays a negation of a positive
/// test: the author wrote `not`).
fn negate(p: Predicate) -> Predicate {
    Predicate::not(p)
}

/// Join comparisons of one field and operator that an `or` (or, for
/// negative operators, an `and`) lists one by one, the way
/// `any(x.startswith(p) for p in PREFIXES)` unrolls: one comparison with
/// several values.
fn merge(p: Predicate, conjunction: bool) -> Predicate {
    let items = match p {
        Predicate::And(items) if conjunction => items,
        Predicate::Or(items) if !conjunction => items,
        other => return other,
    };
    let mergeable = |op: Op| {
        if conjunction {
            matches!(op, Op::Ne | Op::NotIn)
        } else {
            matches!(
                op,
                Op::Eq
                    | Op::In
                    | Op::StartsWith
                    | Op::EndsWith
                    | Op::Contains
                    | Op::Regex
                    | Op::Wildcard
                    | Op::Cidr
            )
        }
    };
    let family = |op: Op| match op {
        Op::Eq => Op::In,
        Op::Ne => Op::NotIn,
        other => other,
    };
    let mut out: Vec<Predicate> = Vec::with_capacity(items.len());
    for item in items {
        if let Predicate::Compare(c) = &item {
            if mergeable(c.op) && c.values_from.is_none() && c.field.derived.is_none() {
                let target = out.iter_mut().find_map(|o| match o {
                    Predicate::Compare(t)
                        if t.field.name == c.field.name
                            && family(t.op) == family(c.op)
                            && t.case_sensitive == c.case_sensitive
                            && t.written_op == c.written_op
                            && t.values_from.is_none()
                            && t.field.derived.is_none() =>
                    {
                        Some(t)
                    }
                    _ => None,
                });
                if let Some(t) = target {
                    for v in &c.values {
                        if !t.values.contains(v) {
                            t.values.push(v.clone());
                        }
                    }
                    t.op = match family(t.op) {
                        Op::In | Op::NotIn if t.values.len() > 1 => family(t.op),
                        _ => t.op,
                    };
                    t.span = match (t.span, c.span) {
                        (Some(a), Some(b)) => Some(a.cover(b)),
                        (a, b) => a.or(b),
                    };
                    continue;
                }
            }
        }
        out.push(item);
    }
    if conjunction {
        Predicate::and(out)
    } else {
        Predicate::or(out)
    }
}

/// A field of the event: its JSON path, and whether the program
/// lower-cased it before comparing.
#[derive(Clone, Debug, PartialEq)]
struct Field {
    path: Vec<String>,
    folded: bool,
    /// The data-model name when the field came from `event.udm(name)` and
    /// no data model mapped it.
    untraced: Option<String>,
}

impl Field {
    fn event() -> Field {
        Field {
            path: Vec::new(),
            folded: false,
            untraced: None,
        }
    }

    fn is_event(&self) -> bool {
        self.path.is_empty() && self.untraced.is_none()
    }

    fn child(&self, keys: impl IntoIterator<Item = String>) -> Field {
        let mut path = self.path.clone();
        path.extend(keys);
        Field {
            path,
            folded: false,
            untraced: self.untraced.clone(),
        }
    }

    fn field_ref(&self) -> FieldRef {
        let name = self.path.join(".");
        match &self.untraced {
            Some(udm) => FieldRef {
                name: if name.is_empty() { udm.clone() } else { name },
                derived: Some(Derivation {
                    column: format!("udm({udm})"),
                    expression: format!("event.udm(\"{udm}\")"),
                    traced: false,
                    aggregate: false,
                }),
            },
            None => FieldRef::new(name),
        }
    }
}

/// What an expression evaluates to, as far as the analysis knows.
#[derive(Clone, Debug, PartialEq)]
enum Sym {
    /// A value read from the event.
    Field(Field),
    /// A literal.
    Const(Value),
    /// A collection of literals.
    List(Vec<Value>),
    /// A compiled regular expression: pattern, ignores case.
    Regex(String, bool),
    /// A boolean condition.
    Cond(Cond),
    /// Several fields, one per data model, that one `event.udm(...)` names.
    Fields(Vec<Field>),
    /// Not modelled: what it is (`call to lookup()`).
    Unknown(String),
}

impl From<Constant> for Sym {
    fn from(c: Constant) -> Self {
        match c {
            Constant::Value(v) => Sym::Const(v),
            Constant::List(l) => Sym::List(l),
            Constant::Regex(p, i) => Sym::Regex(p, i),
        }
    }
}

/// Names bound while lowering one function body.
#[derive(Clone)]
struct Scope<'m> {
    module: &'m Module,
    locals: HashMap<String, Sym>,
    /// The items of a local bound to a list display of computed values
    /// (`fields = [event.get("a"), event.get("b")]`), which a `for` loop
    /// over the name unrolls.
    items: HashMap<String, Vec<Sym>>,
    /// 0 in the program's own functions, 1 inside a followed helper.
    level: usize,
}

struct Lowerer<'a> {
    ctx: Option<&'a PantherContext>,
    log_types: &'a [String],
    anchor: Span,
    out: Lowered,
    budget: usize,
    depth: usize,
    /// When set, a block's value is whether it returns a *falsy* value
    /// (or raises), not whether it returns a truthy one: how an unrolled
    /// loop learns that an iteration rejects the event.
    falsy_returns: bool,
    /// Unrolled loops around the statements being lowered (`continue`
    /// ends an iteration there).
    in_loop: usize,
    /// When set, a block's value is whether it returns one of these
    /// values: how `event.udm("x") == K` reads a data-model method.
    return_values: Option<Vec<Value>>,
}

/// How a function's result is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Truth,
    Value,
}

impl<'a> Lowerer<'a> {
    // ------------------------------------------------------------ stages

    fn entry(&mut self, module: &'a Module, def: &StmtFunctionDef) {
        let mut scope = Scope {
            module,
            locals: HashMap::new(),
            items: HashMap::new(),
            level: 0,
        };
        if let Some(param) = def.parameters.args.first() {
            scope.locals.insert(
                param.parameter.name.id.to_string(),
                Sym::Field(Field::event()),
            );
        }
        let body: Vec<&Stmt> = def.body.iter().collect();
        let mut i = 0;
        while i < body.len() {
            let stmt = body[i];
            match stmt {
                Stmt::Expr(_)
                | Stmt::Pass(_)
                | Stmt::Global(_)
                | Stmt::Import(_)
                | Stmt::ImportFrom(_) => {
                    i += 1;
                    continue;
                }
                Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => {
                    self.assign(stmt, &mut scope);
                    i += 1;
                    continue;
                }
                Stmt::If(if_stmt)
                    if if_stmt.elif_else_clauses.is_empty() && returns_falsy(&if_stmt.body) =>
                {
                    let cond = self.truth(&if_stmt.test, &mut scope);
                    match cond.not() {
                        Cond::True => {}
                        Cond::False => self.push_stage("guard", module.slice(stmt), Some(never())),
                        Cond::Pred(p) => self.push_stage("guard", module.slice(stmt), Some(p)),
                    }
                    i += 1;
                    continue;
                }
                Stmt::If(if_stmt) if !contains_return(std::slice::from_ref(stmt)) => {
                    // A branch that only rebinds names (mock handling,
                    // defaults): take it when its test folds, else forget
                    // what it assigns.
                    let cond = self.truth(&if_stmt.test, &mut scope);
                    self.branch_assignments(if_stmt, cond, &mut scope);
                    i += 1;
                    continue;
                }
                _ => break,
            }
        }
        let rest = &body[i..];
        if rest.is_empty() {
            // Falls off the end: returns None.
            self.push_stage("return", "", Some(never()));
            return;
        }
        let start = rest[0].range().start();
        let end = rest[rest.len() - 1].range().end();
        let text = module
            .text
            .get(start.to_usize()..end.to_usize())
            .unwrap_or("")
            .to_string();
        let cond = self.block(rest, &mut scope);
        let predicate = match cond {
            Cond::True => None,
            Cond::False => Some(never()),
            Cond::Pred(p) => Some(p),
        };
        self.push_stage("return", &text, predicate);
    }

    fn push_stage(&mut self, kind: &str, text: &str, predicate: Option<Predicate>) {
        let mut stage = Stage::new(kind, text, self.anchor);
        stage.predicate = predicate;
        self.out.stages.push(stage);
    }

    /// The truth value of a statement sequence.
    fn block(&mut self, stmts: &[&Stmt], scope: &mut Scope<'a>) -> Cond {
        let Some((first, rest)) = stmts.split_first() else {
            return Cond::False;
        };
        if !self.spend() {
            return self.unknown("a program too large to analyze", scope.module, *first);
        }
        match first {
            Stmt::Return(ret) if self.return_values.is_some() => {
                let values = self.return_values.clone().unwrap_or_default();
                let returned = match &ret.value {
                    Some(value) => self.value(value, scope),
                    None => Sym::Const(Value::Null),
                };
                let module = scope.module;
                match ret.value.as_deref() {
                    Some(value) => {
                        self.compare(returned, CmpOp::In, Sym::List(values), value, module)
                    }
                    None => bool_cond(values.contains(&Value::Null)),
                }
            }
            Stmt::Return(ret) => {
                let truth = match &ret.value {
                    Some(value) => self.truth(value, scope),
                    None => Cond::False,
                };
                if self.falsy_returns {
                    truth.not()
                } else {
                    truth
                }
            }
            Stmt::Raise(_) => bool_cond(self.falsy_returns),
            // The iteration ends without returning.
            Stmt::Continue(_) if self.in_loop > 0 => Cond::False,
            Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => {
                self.assign(first, scope);
                self.block(rest, scope)
            }
            Stmt::Expr(_)
            | Stmt::Pass(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::Assert(_)
            | Stmt::Delete(_)
            | Stmt::FunctionDef(_)
            | Stmt::ClassDef(_) => self.block(rest, scope),
            Stmt::If(if_stmt) => {
                let cond = self.truth(&if_stmt.test, scope);
                if !contains_return(std::slice::from_ref(*first)) {
                    self.branch_assignments(if_stmt, cond, scope);
                    return self.block(rest, scope);
                }
                // The branches, each followed by the rest.
                let then: Vec<&Stmt> = if_stmt.body.iter().chain(rest.iter().copied()).collect();
                let mut otherwise: Vec<&Stmt> = Vec::new();
                if let Some((clause, more)) = if_stmt.elif_else_clauses.split_first() {
                    match &clause.test {
                        None => otherwise.extend(clause.body.iter()),
                        Some(_) => {
                            // `elif` is an `if` in the `else`: lowered the
                            // same way, through a synthesized chain.
                            return self.elif_chain(
                                cond,
                                &then,
                                &if_stmt.elif_else_clauses,
                                rest,
                                scope,
                            );
                        }
                    }
                    debug_assert!(more.is_empty());
                }
                otherwise.extend(rest.iter().copied());
                self.fork(cond, &then, &otherwise, scope)
            }
            Stmt::With(with) => {
                let inner: Vec<&Stmt> = with.body.iter().chain(rest.iter().copied()).collect();
                self.block(&inner, scope)
            }
            Stmt::Try(try_stmt) => {
                if !try_stmt.handlers.is_empty() {
                    self.warn(
                        scope.module,
                        *first,
                        "the `except` handlers of a `try` are not analyzed; its body is",
                    );
                }
                let inner: Vec<&Stmt> = try_stmt
                    .body
                    .iter()
                    .chain(try_stmt.orelse.iter())
                    .chain(try_stmt.finalbody.iter())
                    .chain(rest.iter().copied())
                    .collect();
                self.block(&inner, scope)
            }
            Stmt::For(_) | Stmt::While(_) | Stmt::Match(_) => {
                if let Stmt::For(f) = first {
                    if let Some(unrolled) = self.unroll(f, rest, scope) {
                        return unrolled;
                    }
                }
                let what = match first {
                    Stmt::For(f) => format!(
                        "a `for` loop over `{}`",
                        collapse(scope.module.slice(&*f.iter))
                    ),
                    Stmt::While(_) => "a `while` loop".to_string(),
                    _ => "a `match` statement".to_string(),
                };
                let opaque = self.unknown(&what, scope.module, *first);
                if contains_return(std::slice::from_ref(*first)) {
                    let after = self.block(rest, scope);
                    // The opaque condition stands for "the loop returns
                    // early". A loop that can only return false (or
                    // raise) lets the event through when it does not; one
                    // that can only return true matches when it does.
                    let (truthy, falsy) = loop_returns(std::slice::from_ref(*first));
                    match (truthy, falsy) {
                        (false, _) => Cond::and(vec![opaque.not(), after]),
                        (true, false) => Cond::or(vec![opaque, after]),
                        (true, true) => {
                            Cond::or(vec![opaque.clone(), Cond::and(vec![opaque.not(), after])])
                        }
                    }
                } else {
                    self.forget_assigned(std::slice::from_ref(*first), scope);
                    let after = self.block(rest, scope);
                    // The loop only computes names the rest reads; what
                    // they hold is unknown, and said so.
                    Cond::and(vec![after])
                }
            }
            _ => {
                let opaque = self.unknown("this statement", scope.module, *first);
                let after = self.block(rest, scope);
                Cond::or(vec![opaque, after])
            }
        }
    }

    /// A `for` loop over a literal collection (`for t in ["a", "b"]:`, a
    /// module constant) whose body returns: unrolled, one iteration per
    /// item with the loop variable bound to it. Iteration `i` returns a
    /// truthy value when `T(i)`, a falsy one when `F(i)`, else goes on, so
    /// the loop and what follows it is `T(1) or (not F(1) and (T(2) or …
    /// rest))`. A loop over an array of the event is one iteration (see
    /// below). `None` (the loop stays opaque) for loops over computed
    /// values, with `break`, an `else:` clause or an unpacking target.
    fn unroll(
        &mut self,
        f: &ruff_python_ast::StmtFor,
        rest: &[&Stmt],
        scope: &mut Scope<'a>,
    ) -> Option<Cond> {
        const MAX_ITEMS: usize = 64;
        let Expr::Name(var) = &*f.target else {
            return None;
        };
        if f.is_async
            || !f.orelse.is_empty()
            || breaks(&f.body)
            || !contains_return(&f.body)
            || self.return_values.is_some()
        {
            return None;
        }
        let diagnostics = self.out.diagnostics.len();
        let listed = match &*f.iter {
            Expr::Name(n) if matches!(scope.locals.get(n.id.as_str()), Some(Sym::Unknown(_))) => {
                scope.items.get(n.id.as_str()).cloned()
            }
            _ => None,
        };
        let items: Vec<Sym> = match listed.filter(|l| l.len() <= MAX_ITEMS) {
            // A local list of computed values: one iteration per value.
            Some(listed) => listed,
            None => match self.value(&f.iter, scope) {
                Sym::List(items) if items.len() <= MAX_ITEMS => {
                    items.into_iter().map(Sym::Const).collect()
                }
                // A loop over an array of the event whose body can only
                // accept (or only reject) the event: one iteration, the loop
                // variable standing for the array's elements, whose fields are
                // the array's (`for auth in authorizationInfo: if
                // auth.get("granted")` reads `authorizationInfo.granted`, as
                // `deep_walk` does). Which element returns first matters when
                // the body can do both; such a loop stays opaque.
                Sym::Field(field) if !field.is_event() && loop_returns(&f.body) != (true, true) => {
                    vec![Sym::Field(field)]
                }
                _ => {
                    self.out.diagnostics.truncate(diagnostics);
                    return None;
                }
            },
        };
        let body: Vec<&Stmt> = f.body.iter().collect();
        let outer = self.falsy_returns;
        self.in_loop += 1;
        let mut iterations = Vec::with_capacity(items.len());
        for item in items {
            let mut bound = scope.clone();
            bound.locals.insert(var.id.to_string(), item);
            self.falsy_returns = false;
            let truthy = self.block(&body, &mut bound.clone());
            self.falsy_returns = true;
            let falsy = self.block(&body, &mut bound);
            iterations.push((truthy, falsy));
        }
        self.in_loop -= 1;
        self.falsy_returns = outer;
        // Each iteration lowers the same statements: say each thing once.
        let mut seen = std::collections::HashSet::new();
        let mut index = 0;
        self.out.diagnostics.retain(|d| {
            index += 1;
            index <= diagnostics || seen.insert(d.message.clone())
        });
        self.forget_assigned(&f.body, scope);
        let mut value = self.block(rest, scope);
        for (truthy, falsy) in iterations.into_iter().rev() {
            let (returns, rejects) = if outer {
                (falsy, truthy)
            } else {
                (truthy, falsy)
            };
            value = Cond::or(vec![returns, Cond::and(vec![rejects.not(), value])]);
        }
        Some(value)
    }

    /// `if c: then else: otherwise`, with folding and the short forms of
    /// guards.
    fn fork(
        &mut self,
        cond: Cond,
        then: &[&Stmt],
        otherwise: &[&Stmt],
        scope: &mut Scope<'a>,
    ) -> Cond {
        match cond {
            Cond::True => self.block(then, scope),
            Cond::False => self.block(otherwise, scope),
            Cond::Pred(p) => {
                let mut then_scope = scope.clone();
                let then_value = self.block(then, &mut then_scope);
                let otherwise_value = self.block(otherwise, scope);
                let c = Cond::Pred(p);
                match (then_value, otherwise_value) {
                    (Cond::False, rest) => Cond::and(vec![c.not(), rest]),
                    (Cond::True, rest) => Cond::or(vec![c, rest]),
                    (value, Cond::False) => Cond::and(vec![c, value]),
                    (value, rest) => Cond::or(vec![
                        Cond::and(vec![c.clone(), value]),
                        Cond::and(vec![c.not(), rest]),
                    ]),
                }
            }
        }
    }

    fn elif_chain(
        &mut self,
        cond: Cond,
        then: &[&Stmt],
        clauses: &[ruff_python_ast::ElifElseClause],
        rest: &[&Stmt],
        scope: &mut Scope<'a>,
    ) -> Cond {
        match cond {
            Cond::True => self.block(then, scope),
            _ => {
                let mut then_scope = scope.clone();
                let then_value = if cond == Cond::False {
                    Cond::False
                } else {
                    self.block(then, &mut then_scope)
                };
                let otherwise_value = match clauses.split_first() {
                    None => self.block(rest, scope),
                    Some((clause, more)) => {
                        let body: Vec<&Stmt> =
                            clause.body.iter().chain(rest.iter().copied()).collect();
                        match &clause.test {
                            None => self.block(&body, scope),
                            Some(test) => {
                                let c = self.truth(test, scope);
                                self.elif_chain(c, &body, more, rest, scope)
                            }
                        }
                    }
                };
                match cond {
                    Cond::False => otherwise_value,
                    c => match (then_value, otherwise_value) {
                        (Cond::False, rest) => Cond::and(vec![c.not(), rest]),
                        (Cond::True, rest) => Cond::or(vec![c, rest]),
                        (value, Cond::False) => Cond::and(vec![c, value]),
                        (value, rest) => Cond::or(vec![
                            Cond::and(vec![c.clone(), value]),
                            Cond::and(vec![c.not(), rest]),
                        ]),
                    },
                }
            }
        }
    }

    /// Bind the names an `if` without `return` assigns: the branch's
    /// values when its test folded, unknown otherwise.
    fn branch_assignments(
        &mut self,
        if_stmt: &ruff_python_ast::StmtIf,
        cond: Cond,
        scope: &mut Scope<'a>,
    ) {
        let taken: Option<&[Stmt]> = match cond {
            Cond::True => Some(&if_stmt.body),
            Cond::False => match if_stmt.elif_else_clauses.first() {
                Some(c) if c.test.is_none() => Some(&c.body),
                Some(_) => None,
                None => Some(&[]),
            },
            Cond::Pred(_) => None,
        };
        match taken {
            Some(stmts) => {
                for s in stmts {
                    if matches!(s, Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_)) {
                        self.assign(s, scope);
                    }
                }
            }
            None => {
                self.forget_assigned(&if_stmt.body, scope);
                for clause in &if_stmt.elif_else_clauses {
                    self.forget_assigned(&clause.body, scope);
                }
            }
        }
    }

    /// Mark every name assigned in `stmts` as unknown.
    fn forget_assigned(&mut self, stmts: &[Stmt], scope: &mut Scope<'a>) {
        let mut names = Vec::new();
        assigned_names(stmts, &mut names, 0);
        for name in names {
            scope.locals.insert(
                name.clone(),
                Sym::Unknown(format!("`{name}`, assigned conditionally")),
            );
        }
    }

    fn assign(&mut self, stmt: &Stmt, scope: &mut Scope<'a>) {
        match stmt {
            Stmt::Assign(a) => {
                let value = self.value(&a.value, scope);
                let items = match (&value, &*a.value) {
                    (Sym::Unknown(_), Expr::List(l)) => Some(&l.elts),
                    (Sym::Unknown(_), Expr::Tuple(t)) => Some(&t.elts),
                    _ => None,
                };
                let items: Option<Vec<Sym>> =
                    items.map(|elts| elts.iter().map(|e| self.value(e, scope)).collect());
                for target in &a.targets {
                    match target {
                        Expr::Name(n) => {
                            scope.locals.insert(n.id.to_string(), value.clone());
                            match &items {
                                Some(items) => {
                                    scope.items.insert(n.id.to_string(), items.clone());
                                }
                                None => {
                                    scope.items.remove(n.id.as_str());
                                }
                            }
                        }
                        Expr::Tuple(t) => {
                            for e in &t.elts {
                                if let Expr::Name(n) = e {
                                    scope.locals.insert(
                                        n.id.to_string(),
                                        Sym::Unknown(format!("`{}`, unpacked from a tuple", n.id)),
                                    );
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(v)) = (&*a.target, &a.value) {
                    let value = self.value(v, scope);
                    scope.locals.insert(n.id.to_string(), value);
                }
            }
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    scope.locals.insert(
                        n.id.to_string(),
                        Sym::Unknown(format!("`{}`, updated in place", n.id)),
                    );
                }
            }
            _ => {}
        }
    }

    // ------------------------------------------------------- expressions

    /// An expression in a boolean context.
    fn truth(&mut self, expr: &Expr, scope: &mut Scope<'a>) -> Cond {
        let sym = self.value(expr, scope);
        self.truth_of(sym, expr, scope.module)
    }

    fn truth_of(&mut self, sym: Sym, expr: &Expr, module: &Module) -> Cond {
        match sym {
            Sym::Cond(c) => c,
            Sym::Field(f) if f.is_event() => Cond::True,
            Sym::Field(f) => Cond::Pred(exists(&f, expr)),
            Sym::Fields(fs) => Cond::or(fs.iter().map(|f| Cond::Pred(exists(f, expr))).collect()),
            Sym::Const(v) => bool_cond(truthy(&v)),
            Sym::List(l) => bool_cond(!l.is_empty()),
            Sym::Regex(..) => Cond::True,
            Sym::Unknown(what) => self.unknown(&what, module, expr),
        }
    }

    /// What an expression evaluates to.
    #[recursive::recursive]
    fn value(&mut self, expr: &Expr, scope: &mut Scope<'a>) -> Sym {
        if !self.spend() {
            return Sym::Unknown("a program too large to analyze".into());
        }
        if self.depth >= MAX_DEPTH {
            self.out.diagnostics.push(
                Diagnostic::warning(
                    codes::TOO_DEEP,
                    format!(
                        "{}: expressions nest deeper than {MAX_DEPTH} levels; the rest is kept opaque",
                        scope.module.position(expr)
                    ),
                )
                .with_span(self.anchor),
            );
            return Sym::Cond(Cond::Pred(Predicate::opaque(
                scope.module.slice(expr),
                None,
            )));
        }
        self.depth += 1;
        let result = self.value_inner(expr, scope);
        self.depth -= 1;
        result
    }

    fn value_inner(&mut self, expr: &Expr, scope: &mut Scope<'a>) -> Sym {
        let module = scope.module;
        match expr {
            Expr::StringLiteral(s) => Sym::Const(Value::String(s.value.to_str().to_string())),
            Expr::NumberLiteral(n) => match number(&n.value) {
                Some(v) => Sym::Const(v),
                None => Sym::Unknown("a complex number".into()),
            },
            Expr::BooleanLiteral(b) => Sym::Const(Value::Bool(b.value)),
            Expr::NoneLiteral(_) => Sym::Const(Value::Null),
            Expr::Name(n) => self.name(n.id.as_str(), scope),
            Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_) => {
                let locals = scope.locals.clone();
                let ctx = self.ctx;
                let lookup = |name: &str| -> Option<Constant> {
                    match locals.get(name) {
                        Some(Sym::Const(v)) => Some(Constant::Value(v.clone())),
                        Some(Sym::List(l)) => Some(Constant::List(l.clone())),
                        Some(_) => None,
                        None => constant_of(module, ctx, name),
                    }
                };
                match literal_of(expr, &lookup, 0) {
                    Some(c) => c.into(),
                    None => Sym::Unknown("a collection of computed values".into()),
                }
            }
            Expr::BoolOp(b) => {
                let mut items = Vec::with_capacity(b.values.len());
                for v in &b.values {
                    items.push(self.truth(v, scope));
                }
                Sym::Cond(match b.op {
                    BoolOp::And => Cond::and(items),
                    BoolOp::Or => Cond::or(items),
                })
            }
            Expr::UnaryOp(u) => match u.op {
                UnaryOp::Not => Sym::Cond(self.truth(&u.operand, scope).not()),
                UnaryOp::USub => match self.value(&u.operand, scope) {
                    Sym::Const(Value::Integer(i)) => Sym::Const(Value::Integer(-i)),
                    Sym::Const(Value::Float(f)) => Sym::Const(Value::Float(-f)),
                    _ => Sym::Unknown("a negated computed value".into()),
                },
                _ => Sym::Unknown(format!("the operator `{}`", u.op.as_str())),
            },
            Expr::Compare(c) => {
                if let ([op], [right_expr]) = (&*c.ops, &*c.comparators) {
                    if let Some(cond) = self.split_compare(&c.left, *op, right_expr, expr, scope) {
                        return Sym::Cond(cond);
                    }
                    if let Some(name) = self.udm_name(&c.left, scope) {
                        let right = self.value(right_expr, scope);
                        if let Some(cond) = self.udm_compare(&name, *op, &right, expr, module) {
                            return Sym::Cond(cond);
                        }
                    }
                }
                let mut conds = Vec::new();
                let mut left = self.value(&c.left, scope);
                for (op, right_expr) in c.ops.iter().zip(c.comparators.iter()) {
                    let right = self.value(right_expr, scope);
                    conds.push(self.compare(left, *op, right.clone(), expr, module));
                    left = right;
                }
                Sym::Cond(Cond::and(conds))
            }
            Expr::Call(call) => self.call(call, expr, scope),
            Expr::Subscript(s) => {
                let base = self.value(&s.value, scope);
                let key = self.value(&s.slice, scope);
                match (base, key) {
                    (Sym::Field(f), Sym::Const(Value::String(k))) => Sym::Field(f.child([k])),
                    (Sym::Field(f), Sym::Const(Value::Integer(_))) => Sym::Field(f),
                    _ => Sym::Unknown(format!("the subscript `{}`", collapse(module.slice(expr)))),
                }
            }
            Expr::If(i) => {
                let test = self.truth(&i.test, scope);
                match test {
                    Cond::True => self.value(&i.body, scope),
                    Cond::False => self.value(&i.orelse, scope),
                    Cond::Pred(p) => {
                        let body = self.value(&i.body, scope);
                        let orelse = self.value(&i.orelse, scope);
                        // In a boolean context `a if c else b` is
                        // `(c and a) or (not c and b)`.
                        let body = self.truth_of(body, &i.body, module);
                        let orelse = self.truth_of(orelse, &i.orelse, module);
                        let c = Cond::Pred(p);
                        Sym::Cond(Cond::or(vec![
                            Cond::and(vec![c.clone(), body]),
                            Cond::and(vec![c.not(), orelse]),
                        ]))
                    }
                }
            }
            Expr::BinOp(b) => {
                let (l, r) = (self.value(&b.left, scope), self.value(&b.right, scope));
                match (l, b.op, r) {
                    (Sym::List(mut a), ruff_python_ast::Operator::Add, Sym::List(b)) => {
                        a.extend(b);
                        Sym::List(a)
                    }
                    (
                        Sym::Const(Value::String(a)),
                        ruff_python_ast::Operator::Add,
                        Sym::Const(Value::String(b)),
                    ) => Sym::Const(Value::String(a + &b)),
                    _ => Sym::Unknown(format!("the arithmetic `{}`", collapse(module.slice(expr)))),
                }
            }
            Expr::Named(n) => {
                let value = self.value(&n.value, scope);
                if let Expr::Name(target) = &*n.target {
                    scope.locals.insert(target.id.to_string(), value.clone());
                }
                value
            }
            Expr::FString(_) => Sym::Unknown("an f-string".into()),
            // `helpers.CONSTANT` of an imported module.
            Expr::Attribute(a)
                if dotted(&a.value).is_some_and(|d| module.modules.contains_key(&d)) =>
            {
                let alias = dotted(&a.value).unwrap_or_default();
                let imported = module.modules.get(&alias).cloned().unwrap_or_default();
                match self
                    .ctx
                    .and_then(|c| c.constant(&imported, a.attr.id.as_str()))
                {
                    Some(c) => c.into(),
                    None => Sym::Unknown(format!(
                        "the constant `{imported}.{}` (its module is not in the source)",
                        a.attr.id
                    )),
                }
            }
            Expr::Attribute(a) => match self.value(&a.value, scope) {
                Sym::Field(f) if !f.is_event() => {
                    Sym::Unknown(format!("the attribute `.{}` of a field value", a.attr.id))
                }
                _ => Sym::Unknown(format!("the attribute `{}`", collapse(module.slice(expr)))),
            },
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::Generator(_) | Expr::DictComp(_) => {
                Sym::Unknown(format!(
                    "the comprehension `{}`",
                    collapse(module.slice(expr))
                ))
            }
            Expr::Lambda(_) => Sym::Unknown("a lambda".into()),
            _ => Sym::Unknown(format!("`{}`", collapse(module.slice(expr)))),
        }
    }

    fn name(&mut self, name: &str, scope: &Scope<'a>) -> Sym {
        if let Some(sym) = scope.locals.get(name) {
            return sym.clone();
        }
        match constant_of(scope.module, self.ctx, name) {
            Some(c) => c.into(),
            None => Sym::Unknown(format!("the name `{name}`")),
        }
    }

    // ------------------------------------------------------- comparisons

    fn compare(&mut self, left: Sym, op: CmpOp, right: Sym, expr: &Expr, module: &Module) -> Cond {
        use CmpOp as C;
        let span = None;
        let cmp = |f: &Field, op: Op, values: Vec<Value>| -> Cond {
            let mut c = Comparison::new(f.field_ref(), op, values);
            if f.folded {
                c = c.case_sensitive(false);
            }
            c.span = span;
            Cond::Pred(Predicate::Compare(c))
        };
        match (left, op, right) {
            (Sym::Fields(fs), op, right) => Cond::or(
                fs.into_iter()
                    .map(|f| self.compare(Sym::Field(f), op, right.clone(), expr, module))
                    .collect(),
            ),
            (left, op, Sym::Fields(fs)) => Cond::or(
                fs.into_iter()
                    .map(|f| self.compare(left.clone(), op, Sym::Field(f), expr, module))
                    .collect(),
            ),
            (Sym::Field(a), op, Sym::Field(b)) if !a.is_event() && !b.is_event() => {
                let (left, op, right) = match op {
                    C::Eq | C::Is => (a, Op::Eq, b),
                    C::NotEq | C::IsNot => (a, Op::Ne, b),
                    C::Lt => (a, Op::Lt, b),
                    C::LtE => (a, Op::Le, b),
                    C::Gt => (a, Op::Gt, b),
                    C::GtE => (a, Op::Ge, b),
                    C::In => (b, Op::Contains, a),
                    C::NotIn => (b, Op::NotContains, a),
                };
                let case = (left.folded || right.folded).then_some(false);
                Cond::Pred(Predicate::FieldCompare(FieldComparison {
                    left: left.field_ref(),
                    op,
                    right: right.field_ref(),
                    case_sensitive: case,
                    written_op: None,
                    span,
                }))
            }
            (Sym::Field(f), op, Sym::Const(v)) if !f.is_event() => match (op, &v) {
                (C::Eq | C::Is, Value::Null) => cmp(&f, Op::NotExists, vec![]),
                (C::NotEq | C::IsNot, Value::Null) => cmp(&f, Op::Exists, vec![]),
                (C::Eq | C::Is, _) => cmp(&f, Op::Eq, vec![v]),
                (C::NotEq | C::IsNot, _) => cmp(&f, Op::Ne, vec![v]),
                (C::Lt, _) => cmp(&f, Op::Lt, vec![v]),
                (C::LtE, _) => cmp(&f, Op::Le, vec![v]),
                (C::Gt, _) => cmp(&f, Op::Gt, vec![v]),
                (C::GtE, _) => cmp(&f, Op::Ge, vec![v]),
                (C::In | C::NotIn, _) => {
                    self.unknown("a field tested as a substring of a literal", module, expr)
                }
            },
            (Sym::Const(v), op, Sym::Field(f)) if !f.is_event() => match op {
                C::In => cmp(&f, Op::Contains, vec![v]),
                C::NotIn => cmp(&f, Op::NotContains, vec![v]),
                C::Lt => self.compare(Sym::Field(f), C::Gt, Sym::Const(v), expr, module),
                C::LtE => self.compare(Sym::Field(f), C::GtE, Sym::Const(v), expr, module),
                C::Gt => self.compare(Sym::Field(f), C::Lt, Sym::Const(v), expr, module),
                C::GtE => self.compare(Sym::Field(f), C::LtE, Sym::Const(v), expr, module),
                other => self.compare(Sym::Field(f), other, Sym::Const(v), expr, module),
            },
            (Sym::Field(f), op @ (C::In | C::NotIn), Sym::List(values)) if !f.is_event() => {
                match (op, values.is_empty()) {
                    (C::In, true) => Cond::False,
                    (_, true) => Cond::True,
                    (C::In, false) => cmp(&f, Op::In, values),
                    _ => cmp(&f, Op::NotIn, values),
                }
            }
            (Sym::Const(a), op, Sym::Const(b)) => match fold_compare(&a, op, &b) {
                Some(result) => bool_cond(result),
                None => self.unknown("a comparison of literals of different types", module, expr),
            },
            (Sym::Const(a), op @ (C::In | C::NotIn), Sym::List(l)) => {
                bool_cond(l.contains(&a) == (op == C::In))
            }
            (Sym::Cond(c), C::Eq | C::Is, Sym::Const(Value::Bool(b)))
            | (Sym::Const(Value::Bool(b)), C::Eq | C::Is, Sym::Cond(c)) => {
                if b {
                    c
                } else {
                    c.not()
                }
            }
            (Sym::Cond(c), C::NotEq | C::IsNot, Sym::Const(Value::Bool(b))) => {
                if b {
                    c.not()
                } else {
                    c
                }
            }
            // Membership in an empty collection (an exception list left
            // empty for users to fill) never holds, whatever the value.
            (_, C::In, Sym::List(l)) if l.is_empty() => Cond::False,
            (_, C::NotIn, Sym::List(l)) if l.is_empty() => Cond::True,
            (Sym::Unknown(what), ..) | (.., Sym::Unknown(what)) => {
                self.unknown(&what, module, expr)
            }
            _ => self.unknown(
                &format!("the comparison `{}`", collapse(module.slice(expr))),
                module,
                expr,
            ),
        }
    }

    // ------------------------------------------------------------- calls

    fn call(
        &mut self,
        call: &ruff_python_ast::ExprCall,
        expr: &Expr,
        scope: &mut Scope<'a>,
    ) -> Sym {
        let module = scope.module;
        let args: &[Expr] = &call.arguments.args;
        let keyword = |name: &str| call.arguments.find_keyword(name).map(|k| &k.value);
        // Method calls: on the event or a field, on a regex, on a module.
        if let Expr::Attribute(attr) = &*call.func {
            let method = attr.attr.id.as_str();
            if let Some(module_name) = dotted(&attr.value).filter(|d| {
                module.modules.contains_key(d) || matches!(d.as_str(), "re" | "fnmatch")
            }) {
                let target = module
                    .modules
                    .get(&module_name)
                    .cloned()
                    .unwrap_or(module_name);
                return self.module_call(&target, method, args, call, expr, scope);
            }
            let receiver = self.value(&attr.value, scope);
            return self.method(receiver, method, args, call, expr, scope);
        }
        let Expr::Name(name) = &*call.func else {
            return Sym::Unknown(format!("the call `{}`", collapse(module.slice(expr))));
        };
        let name = name.id.as_str();
        // A name imported from a module: `from re import search`.
        let imported = module.imports.get(name).cloned();
        let original = imported.as_ref().map_or(name, |(_, n)| n.as_str());
        if let Some((from, _)) = &imported {
            if matches!(from.as_str(), "re" | "fnmatch") {
                return self.module_call(from, original, args, call, expr, scope);
            }
        }
        match original {
            "deep_get" | "deep_walk" if !args.is_empty() => {
                let base = self.value(&args[0], scope);
                return self.path(base, &args[1..], expr, scope);
            }
            "any" | "all" if args.len() == 1 => {
                return Sym::Cond(self.any_all(original == "any", &args[0], expr, scope));
            }
            "str" | "int" | "float" | "set" | "frozenset" | "list" | "tuple" | "sorted"
                if args.len() == 1 =>
            {
                return self.value(&args[0], scope);
            }
            "bool" if args.len() == 1 => return Sym::Cond(self.truth(&args[0], scope)),
            "isinstance" if args.len() == 2 => {
                let class = dotted(&args[1]).unwrap_or_default();
                if class.ends_with("MagicMock") || class.ends_with("Mock") {
                    // Test scaffolding: never a mock when the rule runs.
                    return Sym::Cond(Cond::False);
                }
                return Sym::Unknown(format!("a type test against `{class}`"));
            }
            "is_ip_in_network" if args.len() == 2 => {
                let ip = self.value(&args[0], scope);
                let nets = self.value(&args[1], scope);
                return match (ip, nets) {
                    (Sym::Field(f), Sym::List(nets)) => Sym::Cond(Cond::Pred(Predicate::Compare(
                        Comparison::new(f.field_ref(), Op::Cidr, nets),
                    ))),
                    (Sym::Field(f), Sym::Const(net @ Value::String(_))) => Sym::Cond(Cond::Pred(
                        Predicate::Compare(Comparison::new(f.field_ref(), Op::Cidr, vec![net])),
                    )),
                    _ => Sym::Unknown("`is_ip_in_network` over computed networks".into()),
                };
            }
            "pattern_match" | "pattern_match_list" if args.len() == 2 => {
                let value = self.value(&args[0], scope);
                let patterns = match self.value(&args[1], scope) {
                    Sym::Const(Value::String(p)) => vec![p],
                    Sym::List(l) => l
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    _ => return Sym::Unknown(format!("`{original}` over computed patterns")),
                };
                let Sym::Field(f) = value else {
                    return Sym::Unknown(format!("`{original}` on a computed value"));
                };
                return Sym::Cond(Cond::or(patterns.iter().map(|p| glob(&f, p)).collect()));
            }
            _ => {}
        }
        let _ = keyword;
        // A function of this program, or of a helper module: followed.
        if let Some(def) = module.function(name) {
            return self.follow(name, module, def, args, call, scope);
        }
        if let Some((from, original)) = &imported {
            if let Some(helper) = self.ctx.and_then(|c| c.module(from)) {
                if let Some(def) = helper.function(original) {
                    self.depend(original);
                    return self.follow(original, helper, def, args, call, scope);
                }
            }
            self.depend(original);
        }
        if let Some(known) = self.known_helper(original, args, scope) {
            return known;
        }
        Sym::Unknown(format!("a call to `{name}()`"))
    }

    /// Helpers of Panther's global helpers whose meaning is known by name,
    /// for sources that do not ship the helper modules.
    fn known_helper(&mut self, name: &str, args: &[Expr], scope: &mut Scope<'a>) -> Option<Sym> {
        let event = match args.first().map(|a| self.value(a, scope)) {
            Some(Sym::Field(f)) if f.is_event() => f,
            _ => return None,
        };
        let field = |path: &str| event.child(path.split('.').map(str::to_string));
        let cmp = |f: Field, op: Op, values: Vec<Value>| {
            Cond::Pred(Predicate::Compare(Comparison::new(
                f.field_ref(),
                op,
                values,
            )))
        };
        Some(Sym::Cond(match name {
            // Succeeded when neither error field is set.
            "aws_cloudtrail_success" => Cond::and(vec![
                cmp(field("errorCode"), Op::Exists, vec![]).not(),
                cmp(field("errorMessage"), Op::Exists, vec![]).not(),
            ]),
            "is_sign_in_event" => cmp(
                field("operationName"),
                Op::Eq,
                vec![Value::from("Sign-in activity")],
            ),
            _ => return None,
        }))
    }

    fn module_call(
        &mut self,
        module_name: &str,
        function: &str,
        args: &[Expr],
        call: &ruff_python_ast::ExprCall,
        expr: &Expr,
        scope: &mut Scope<'a>,
    ) -> Sym {
        let flags = args
            .get(2)
            .or_else(|| call.arguments.find_keyword("flags").map(|k| &k.value));
        match (module_name, function) {
            ("re", "search" | "match" | "fullmatch") if args.len() >= 2 => {
                let pattern = match self.value(&args[0], scope) {
                    Sym::Const(Value::String(p)) => p,
                    Sym::Regex(p, _) => p,
                    _ => return Sym::Unknown("a regular expression computed at run time".into()),
                };
                let subject = self.value(&args[1], scope);
                let ignore = flags.is_some_and(ignores_case);
                regex(subject, anchored(&pattern, function), ignore)
            }
            ("fnmatch", "fnmatch" | "fnmatchcase") if args.len() == 2 => {
                let subject = self.value(&args[0], scope);
                match (subject, self.value(&args[1], scope)) {
                    (Sym::Field(f), Sym::Const(Value::String(p))) => Sym::Cond(glob(&f, &p)),
                    _ => Sym::Unknown("`fnmatch` on computed values".into()),
                }
            }
            _ => {
                let _ = expr;
                Sym::Unknown(format!("a call to `{module_name}.{function}()`"))
            }
        }
    }

    fn method(
        &mut self,
        receiver: Sym,
        method: &str,
        args: &[Expr],
        call: &ruff_python_ast::ExprCall,
        expr: &Expr,
        scope: &mut Scope<'a>,
    ) -> Sym {
        let module = scope.module;
        match (receiver, method) {
            (Sym::Field(f), "get" | "deep_get" | "deep_walk") if !args.is_empty() => {
                let keys = if method == "get" { &args[..1] } else { args };
                self.path(Sym::Field(f), keys, expr, scope)
            }
            (Sym::Field(f), "udm") if f.is_event() && !args.is_empty() => {
                match self.value(&args[0], scope) {
                    Sym::Const(Value::String(name)) => self.udm(&name, expr, module),
                    _ => Sym::Unknown("`event.udm()` with a computed name".into()),
                }
            }
            (Sym::Field(mut f), "lower" | "upper" | "casefold") if !f.is_event() => {
                f.folded = true;
                Sym::Field(f)
            }
            (Sym::Field(f), "strip" | "lstrip" | "rstrip") if args.is_empty() => Sym::Field(f),
            (Sym::Fields(fs), "lower" | "upper" | "casefold") => Sym::Fields(
                fs.into_iter()
                    .map(|mut f| {
                        f.folded = true;
                        f
                    })
                    .collect(),
            ),
            (subject @ (Sym::Field(_) | Sym::Fields(_)), "startswith" | "endswith")
                if args.len() == 1 =>
            {
                let op = if method == "startswith" {
                    Op::StartsWith
                } else {
                    Op::EndsWith
                };
                let values = match self.value(&args[0], scope) {
                    Sym::Const(v @ Value::String(_)) => vec![v],
                    Sym::List(l) => l,
                    _ => return Sym::Unknown(format!("`.{method}()` with a computed argument")),
                };
                let fields = match subject {
                    Sym::Field(f) => vec![f],
                    Sym::Fields(fs) => fs,
                    _ => Vec::new(),
                };
                Sym::Cond(Cond::or(
                    fields
                        .iter()
                        .map(|f| {
                            let mut c = Comparison::new(f.field_ref(), op, values.clone());
                            if f.folded {
                                c = c.case_sensitive(false);
                            }
                            Cond::Pred(Predicate::Compare(c))
                        })
                        .collect(),
                ))
            }
            (Sym::Const(Value::String(s)), "lower" | "casefold") => {
                Sym::Const(Value::String(s.to_lowercase()))
            }
            (Sym::Const(Value::String(s)), "upper") => Sym::Const(Value::String(s.to_uppercase())),
            (Sym::Const(Value::String(s)), "startswith" | "endswith") if args.len() == 1 => {
                match self.value(&args[0], scope) {
                    Sym::Const(Value::String(p)) => bool_sym(if method == "startswith" {
                        s.starts_with(&p)
                    } else {
                        s.ends_with(&p)
                    }),
                    _ => Sym::Unknown(format!("`.{method}()` of a literal on a computed value")),
                }
            }
            (Sym::Regex(pattern, ignore), "search" | "match" | "fullmatch") if !args.is_empty() => {
                let subject = self.value(&args[0], scope);
                regex(subject, anchored(&pattern, method), ignore)
            }
            // A literal dict is the list of its keys.
            (Sym::List(l), "keys") if args.is_empty() => Sym::List(l),
            (Sym::List(l), "get") if !args.is_empty() => {
                let _ = l;
                Sym::Unknown("a lookup in a literal mapping".into())
            }
            (_, _) => {
                let _ = call;
                Sym::Unknown(format!(
                    "the method call `{}`",
                    collapse(module.slice(expr))
                ))
            }
        }
    }

    /// `base` followed by the keys `args` (string literals; a `default=`
    /// keyword is ignored).
    fn path(&mut self, base: Sym, keys: &[Expr], expr: &Expr, scope: &mut Scope<'a>) -> Sym {
        let mut names = Vec::with_capacity(keys.len());
        for key in keys {
            match self.value(key, scope) {
                Sym::Const(Value::String(k)) => names.push(k),
                Sym::Const(Value::Integer(_)) => {}
                _ => {
                    return Sym::Unknown(format!(
                        "a dynamic key in `{}`",
                        collapse(scope.module.slice(expr))
                    ))
                }
            }
        }
        match base {
            Sym::Field(f) => Sym::Field(f.child(names)),
            Sym::Fields(fs) => {
                Sym::Fields(fs.into_iter().map(|f| f.child(names.clone())).collect())
            }
            _ => Sym::Unknown(format!(
                "a lookup in a computed value (`{}`)",
                collapse(scope.module.slice(expr))
            )),
        }
    }

    /// `event.udm(name)` through the data models of the rule's log types.
    fn udm(&mut self, name: &str, expr: &Expr, module: &Module) -> Sym {
        let mappings = self
            .ctx
            .map(|c| c.udm(self.log_types, name))
            .unwrap_or_default();
        let mut fields: Vec<Field> = Vec::new();
        for (model, mapping) in mappings {
            let field = match mapping {
                UdmMapping::Path(path) => Some(Field {
                    path: path.split('.').map(str::to_string).collect(),
                    folded: false,
                    untraced: None,
                }),
                UdmMapping::Method(method) => self.udm_method(model, method),
            };
            match field {
                Some(f) if !fields.contains(&f) => fields.push(f),
                Some(_) => {}
                None => {
                    return Sym::Unknown(format!(
                        "`event.udm(\"{name}\")`, computed by `{method}()` of data model `{}`",
                        model.id,
                        method = match mapping {
                            UdmMapping::Method(m) => m.as_str(),
                            UdmMapping::Path(p) => p.as_str(),
                        }
                    ))
                }
            }
        }
        match fields.len() {
            0 => {
                self.out.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNRESOLVED_UDM,
                        format!(
                            "{}: no data model of {} maps `{name}`; the field keeps its data-model name",
                            module.position(expr),
                            if self.log_types.is_empty() {
                                "the rule".to_string()
                            } else {
                                self.log_types.join(", ")
                            }
                        ),
                    )
                    .with_span(self.anchor),
                );
                Sym::Field(Field {
                    path: Vec::new(),
                    folded: false,
                    untraced: Some(name.to_string()),
                })
            }
            1 => Sym::Field(fields.pop().expect("one field")),
            _ => Sym::Fields(fields),
        }
    }

    /// `F.split(SEP)[-1] == K` (the last part, a file name or a domain)
    /// and `F.split(SEP)[0] == K` (the first part), with `!=`, `in` and
    /// `not in` a literal, where `F` is a field and no `K` contains `SEP`:
    /// the last part is `K` when `F` is `K` or ends with `SEP` `K`, the
    /// first when `F` is `K` or starts with `K` `SEP`. `None` for other
    /// shapes (the subscript stays opaque).
    fn split_compare(
        &mut self,
        left: &Expr,
        op: CmpOp,
        right: &Expr,
        expr: &Expr,
        scope: &mut Scope<'a>,
    ) -> Option<Cond> {
        let Expr::Subscript(sub) = left else {
            return None;
        };
        let last = match &*sub.slice {
            Expr::NumberLiteral(n) if n.value.as_int().and_then(|i| i.as_u64()) == Some(0) => false,
            Expr::UnaryOp(u)
                if u.op == ruff_python_ast::UnaryOp::USub
                    && matches!(&*u.operand, Expr::NumberLiteral(n) if n.value.as_int().and_then(|i| i.as_u64()) == Some(1)) =>
            {
                true
            }
            _ => return None,
        };
        let Expr::Call(call) = &*sub.value else {
            return None;
        };
        let Expr::Attribute(attr) = &*call.func else {
            return None;
        };
        if attr.attr.id.as_str() != "split"
            || call.arguments.args.len() != 1
            || !call.arguments.keywords.is_empty()
        {
            return None;
        }
        let Expr::StringLiteral(sep) = &call.arguments.args[0] else {
            return None;
        };
        let sep = sep.value.to_str().to_string();
        if sep.is_empty() {
            return None;
        }
        let negated = matches!(op, CmpOp::NotEq | CmpOp::NotIn);
        let values = match (op, self.value(right, scope)) {
            (CmpOp::Eq | CmpOp::NotEq, Sym::Const(Value::String(k))) => vec![k],
            (CmpOp::In | CmpOp::NotIn, Sym::List(l)) => l
                .into_iter()
                .map(|v| match v {
                    Value::String(k) => Some(k),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?,
            _ => return None,
        };
        if values.is_empty() || values.iter().any(|k| k.contains(&sep)) {
            return None;
        }
        let diagnostics = self.out.diagnostics.len();
        let Sym::Field(field) = self.value(&attr.value, scope) else {
            self.out.diagnostics.truncate(diagnostics);
            return None;
        };
        if field.is_event() {
            return None;
        }
        let module = scope.module;
        let whole = self.compare(
            Sym::Field(field.clone()),
            CmpOp::In,
            Sym::List(values.iter().cloned().map(Value::String).collect()),
            expr,
            module,
        );
        let (affix, affixed): (Op, Vec<Value>) = if last {
            (
                Op::EndsWith,
                values
                    .iter()
                    .map(|k| Value::String(format!("{sep}{k}")))
                    .collect(),
            )
        } else {
            (
                Op::StartsWith,
                values
                    .iter()
                    .map(|k| Value::String(format!("{k}{sep}")))
                    .collect(),
            )
        };
        let mut c = Comparison::new(field.field_ref(), affix, affixed);
        if field.folded {
            c = c.case_sensitive(false);
        }
        let part = Cond::or(vec![whole, Cond::Pred(Predicate::Compare(c))]);
        Some(if negated { part.not() } else { part })
    }

    /// `name` when `expr` is `event.udm("name")`.
    fn udm_name(&mut self, expr: &Expr, scope: &mut Scope<'a>) -> Option<String> {
        let Expr::Call(call) = expr else { return None };
        let Expr::Attribute(attr) = &*call.func else {
            return None;
        };
        if attr.attr.id.as_str() != "udm" || call.arguments.args.len() != 1 {
            return None;
        }
        let Expr::StringLiteral(name) = &call.arguments.args[0] else {
            return None;
        };
        match self.value(&attr.value, scope) {
            Sym::Field(f) if f.is_event() => Some(name.value.to_str().to_string()),
            _ => None,
        }
    }

    /// `event.udm("name") == K` (or `!=`, `in`, `not in` a literal) when a
    /// data model computes `name` with a method that is not one field
    /// (`get_event_type()` returning `event_type.FAILED_LOGIN` on some
    /// paths): the method is lowered with each `return E` read as
    /// `E == K`, so the comparison becomes the conditions under which the
    /// method gives `K`, or'ed over the data models of the rule's log
    /// types. `None` when no such method is involved (the ordinary
    /// lowering applies).
    fn udm_compare(
        &mut self,
        name: &str,
        op: CmpOp,
        right: &Sym,
        expr: &Expr,
        module: &Module,
    ) -> Option<Cond> {
        let ctx = self.ctx?;
        let values = match right {
            Sym::Const(v) if matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot) => {
                vec![v.clone()]
            }
            Sym::List(l) if matches!(op, CmpOp::In | CmpOp::NotIn) => l.clone(),
            _ => return None,
        };
        let negated = matches!(op, CmpOp::NotEq | CmpOp::IsNot | CmpOp::NotIn);
        let mappings = ctx.udm(self.log_types, name);
        let computed: Vec<_> = mappings
            .iter()
            .filter_map(|(model, mapping)| match mapping {
                UdmMapping::Method(m) => Some((*model, m.clone())),
                UdmMapping::Path(_) => None,
            })
            .collect();
        if computed.is_empty() || self.return_values.is_some() {
            return None;
        }
        let mut parts = Vec::new();
        for (model, mapping) in mappings {
            let part = match mapping {
                UdmMapping::Path(path) => {
                    let field = Field {
                        path: path.split('.').map(str::to_string).collect(),
                        folded: false,
                        untraced: None,
                    };
                    self.compare(Sym::Field(field), op, right.clone(), expr, module)
                }
                UdmMapping::Method(method) => {
                    if let Some(field) = self.udm_method(model, method) {
                        self.compare(Sym::Field(field), op, right.clone(), expr, module)
                    } else {
                        match self.method_gives(model, method, &values) {
                            Some(gives) if negated => gives.not(),
                            Some(gives) => gives,
                            None => self.unknown(
                                &format!(
                                    "`event.udm(\"{name}\")`, computed by `{method}()` of data model `{}` (its program is not in the source)",
                                    model.id
                                ),
                                module,
                                expr,
                            ),
                        }
                    }
                }
            };
            parts.push(part);
        }
        Some(Cond::or(parts))
    }

    /// The data-model method `method` and a scope to read its body in, its
    /// first parameter bound to the event; `None` when its program is
    /// missing.
    fn method_scope(
        &self,
        model: &crate::context::DataModel,
        method: &str,
    ) -> Option<(&'a StmtFunctionDef, Scope<'a>)> {
        let module = self.ctx?.data_model_module(model)?;
        let def = module.function(method)?;
        let mut scope = Scope {
            module,
            locals: HashMap::new(),
            items: HashMap::new(),
            level: 1,
        };
        if let Some(param) = def.parameters.args.first() {
            scope.locals.insert(
                param.parameter.name.id.to_string(),
                Sym::Field(Field::event()),
            );
        }
        Some((def, scope))
    }

    /// The conditions under which the data-model method `method` returns
    /// one of `values`; `None` when its program is missing.
    fn method_gives(
        &mut self,
        model: &crate::context::DataModel,
        method: &str,
        values: &[Value],
    ) -> Option<Cond> {
        let (def, mut scope) = self.method_scope(model, method)?;
        let saved = (
            std::mem::replace(&mut self.falsy_returns, false),
            std::mem::replace(&mut self.in_loop, 0),
            self.return_values.replace(values.to_vec()),
        );
        let body: Vec<&Stmt> = def.body.iter().collect();
        let gives = self.block(&body, &mut scope);
        (self.falsy_returns, self.in_loop, self.return_values) = saved;
        Some(gives)
    }

    /// The field a data-model method returns, when it returns one field.
    fn udm_method(&mut self, model: &crate::context::DataModel, method: &str) -> Option<Field> {
        let (def, mut scope) = self.method_scope(model, method)?;
        let diagnostics = self.out.diagnostics.len();
        let saved = (
            std::mem::replace(&mut self.falsy_returns, false),
            std::mem::replace(&mut self.in_loop, 0),
            self.return_values.take(),
        );
        let value = self.returned_value(def, &mut scope);
        (self.falsy_returns, self.in_loop, self.return_values) = saved;
        // A method that is not one field stays unknown; its inner
        // diagnostics would only repeat that.
        self.out.diagnostics.truncate(diagnostics);
        match value {
            Sym::Field(f) if !f.is_event() => Some(f),
            _ => None,
        }
    }

    /// `any(...)` / `all(...)`: over a literal list of conditions, or a
    /// generator over a literal collection.
    fn any_all(&mut self, any: bool, arg: &Expr, expr: &Expr, scope: &mut Scope<'a>) -> Cond {
        let combine = |items: Vec<Cond>| {
            if any {
                Cond::or(items)
            } else {
                Cond::and(items)
            }
        };
        match arg {
            Expr::List(l) => {
                let items = l.elts.iter().map(|e| self.truth(e, scope)).collect();
                combine(items)
            }
            Expr::Tuple(t) => {
                let items = t.elts.iter().map(|e| self.truth(e, scope)).collect();
                combine(items)
            }
            Expr::Generator(ruff_python_ast::ExprGenerator {
                elt, generators, ..
            })
            | Expr::ListComp(ruff_python_ast::ExprListComp {
                elt, generators, ..
            }) if generators.len() == 1 => {
                let generator = &generators[0];
                let Expr::Name(var) = &generator.target else {
                    return self.unknown("a comprehension unpacking its items", scope.module, expr);
                };
                let items = match self.value(&generator.iter, scope) {
                    Sym::List(items) => items,
                    Sym::Field(_) | Sym::Fields(_) => {
                        return self.unknown(
                            &format!(
                                "a loop over event data (`for {} in {}`)",
                                var.id,
                                collapse(scope.module.slice(&generator.iter))
                            ),
                            scope.module,
                            expr,
                        )
                    }
                    _ => {
                        return self.unknown(
                            &format!(
                                "a loop over `{}`",
                                collapse(scope.module.slice(&generator.iter))
                            ),
                            scope.module,
                            expr,
                        )
                    }
                };
                let mut conds = Vec::with_capacity(items.len());
                let saved = scope.locals.get(var.id.as_str()).cloned();
                for item in items {
                    scope.locals.insert(var.id.to_string(), Sym::Const(item));
                    let mut parts: Vec<Cond> =
                        generator.ifs.iter().map(|f| self.truth(f, scope)).collect();
                    let body = self.truth(elt, scope);
                    // A filtered-out item counts as absent: `false` for
                    // `any`, `true` for `all`.
                    parts.push(body);
                    let c = Cond::and(parts.clone());
                    conds.push(if any {
                        c
                    } else {
                        let filters = Cond::and(parts[..parts.len() - 1].to_vec());
                        Cond::or(vec![filters.not(), c])
                    });
                }
                match saved {
                    Some(s) => {
                        scope.locals.insert(var.id.to_string(), s);
                    }
                    None => {
                        scope.locals.remove(var.id.as_str());
                    }
                }
                combine(conds)
            }
            other => {
                let sym = self.value(other, scope);
                match sym {
                    Sym::List(l) => bool_cond(if any {
                        l.iter().any(truthy)
                    } else {
                        l.iter().all(truthy)
                    }),
                    _ => self.unknown(
                        &format!(
                            "`{}(...)` over a computed collection",
                            if any { "any" } else { "all" }
                        ),
                        scope.module,
                        expr,
                    ),
                }
            }
        }
    }

    /// Follow a call to `def` (of `module`) one level deep.
    fn follow(
        &mut self,
        name: &str,
        module: &'a Module,
        def: &'a StmtFunctionDef,
        args: &[Expr],
        call: &ruff_python_ast::ExprCall,
        scope: &mut Scope<'a>,
    ) -> Sym {
        if scope.level >= 1 {
            if let Some(known) = self.known_helper(name, args, scope) {
                return known;
            }
            return Sym::Unknown(format!(
                "a call to `{name}()` inside a helper (helpers are followed one level)"
            ));
        }
        let mut inner = Scope {
            module,
            locals: HashMap::new(),
            items: HashMap::new(),
            level: scope.level + 1,
        };
        // Bind parameters: positional, then keywords, then defaults.
        let params: Vec<&ruff_python_ast::ParameterWithDefault> = def
            .parameters
            .posonlyargs
            .iter()
            .chain(def.parameters.args.iter())
            .chain(def.parameters.kwonlyargs.iter())
            .collect();
        for (i, param) in params.iter().enumerate() {
            let pname = param.parameter.name.id.to_string();
            let bound = if let Some(arg) = args.get(i) {
                self.value(arg, scope)
            } else if let Some(kw) = call.arguments.find_keyword(&pname) {
                self.value(&kw.value, scope)
            } else if let Some(default) = &param.default {
                self.value(default, &mut inner)
            } else {
                Sym::Unknown(format!("the missing argument `{pname}`"))
            };
            inner.locals.insert(pname, bound);
        }
        // Used as a value (`actor_user(event) in EXCEPTIONS`) a helper must
        // return one expression; used as a condition its truth is lowered
        // like the rule's own.
        self.follow_as(def, &mut inner)
    }

    fn follow_as(&mut self, def: &'a StmtFunctionDef, scope: &mut Scope<'a>) -> Sym {
        // A helper's returns are its own, whatever loop calls it.
        let saved = (
            std::mem::replace(&mut self.falsy_returns, false),
            std::mem::replace(&mut self.in_loop, 0),
            self.return_values.take(),
        );
        let value = self.follow_as_inner(def, scope);
        (self.falsy_returns, self.in_loop, self.return_values) = saved;
        value
    }

    fn follow_as_inner(&mut self, def: &'a StmtFunctionDef, scope: &mut Scope<'a>) -> Sym {
        match uses_of(def) {
            Use::Value => self.returned_value(def, scope),
            Use::Truth => {
                let body: Vec<&Stmt> = def.body.iter().collect();
                Sym::Cond(self.block(&body, scope))
            }
        }
    }

    /// The value a function returns when its body is assignments and one
    /// `return`; its truth value otherwise.
    fn returned_value(&mut self, def: &'a StmtFunctionDef, scope: &mut Scope<'a>) -> Sym {
        for stmt in &def.body {
            match stmt {
                Stmt::Return(ret) => {
                    return match &ret.value {
                        Some(v) => self.value(v, scope),
                        None => Sym::Const(Value::Null),
                    }
                }
                Stmt::Assign(_) | Stmt::AnnAssign(_) => self.assign(stmt, scope),
                Stmt::Expr(_) | Stmt::Pass(_) => {}
                _ => {
                    let body: Vec<&Stmt> = def.body.iter().collect();
                    return Sym::Cond(self.block(&body, scope));
                }
            }
        }
        Sym::Const(Value::Null)
    }

    fn depend(&mut self, name: &str) {
        if !self.out.dependencies.iter().any(|d| d.name == name) {
            self.out.dependencies.push(Dependency {
                kind: DependencyKind::Function,
                name: name.to_string(),
                span: Some(self.anchor),
            });
        }
    }

    // ------------------------------------------------- alert functions

    fn alert_function(&mut self, module: &'a Module, name: &str, def: &'a StmtFunctionDef) {
        let returned: Vec<&Expr> = returns(&def.body);
        let text = returned
            .iter()
            .map(|e| collapse(module.slice(*e)))
            .collect::<Vec<_>>()
            .join(" | ");
        match name {
            "alert_context" => {
                let mut keys = Vec::new();
                self.context_keys(module, def, 0, &mut keys);
                for key in keys {
                    if !self.out.outputs.iter().any(|o| o.name == key) {
                        self.out.outputs.push(OutputField {
                            name: key,
                            source: "alert_context".into(),
                            stage: None,
                        });
                    }
                }
            }
            "title" | "dedup" | "severity" => {
                self.out.outputs.push(OutputField {
                    name: name.into(),
                    source: name.into(),
                    stage: Some(StageRef::main(self.out.stages.len().saturating_sub(1))),
                });
            }
            _ => {}
        }
        if name == "title" && !text.is_empty() {
            self.out
                .alert
                .get_or_insert_with(AlertTemplate::default)
                .title = Some(text.clone());
        }
        if name == "description" && !text.is_empty() {
            self.out
                .alert
                .get_or_insert_with(AlertTemplate::default)
                .description = Some(text.clone());
        }
        self.out.functions.insert(name.to_string(), text);
    }

    /// The keys of the mapping `alert_context` returns: literal keys,
    /// keys assigned (`ctx["k"] = …`), and the keys of a helper's mapping
    /// followed one level.
    fn context_keys(
        &mut self,
        module: &'a Module,
        def: &'a StmtFunctionDef,
        level: usize,
        keys: &mut Vec<String>,
    ) {
        let push = |k: String, keys: &mut Vec<String>| {
            if !keys.contains(&k) {
                keys.push(k);
            }
        };
        let visit_expr = |this: &mut Self, e: &Expr, keys: &mut Vec<String>| match e {
            Expr::Dict(d) => {
                for item in &d.items {
                    if let Some(Expr::StringLiteral(s)) = &item.key {
                        push(s.value.to_str().to_string(), keys);
                    }
                }
            }
            Expr::Call(c) => {
                let Some(name) = dotted(&c.func) else { return };
                if level > 0 {
                    return;
                }
                if let Some(def) = module.function(&name) {
                    this.context_keys(module, def, level + 1, keys);
                } else if let Some((from, original)) = module.imports.get(&name) {
                    this.depend(original);
                    if let Some(helper) = this.ctx.and_then(|c| c.module(from)) {
                        if let Some(def) = helper.function(original) {
                            this.context_keys(helper, def, level + 1, keys);
                            return;
                        }
                    }
                    push(format!("{original}()"), keys);
                }
            }
            _ => {}
        };
        let mut stack: Vec<&Stmt> = def.body.iter().rev().collect();
        while let Some(stmt) = stack.pop() {
            match stmt {
                Stmt::Return(r) => {
                    if let Some(v) = &r.value {
                        visit_expr(self, v, keys);
                    }
                }
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Subscript(s) = t {
                            if let Expr::StringLiteral(k) = &*s.slice {
                                push(k.value.to_str().to_string(), keys);
                            }
                        }
                    }
                    visit_expr(self, &a.value, keys);
                }
                Stmt::If(i) => {
                    stack.extend(i.body.iter().rev());
                    for c in &i.elif_else_clauses {
                        stack.extend(c.body.iter().rev());
                    }
                }
                Stmt::Expr(e) => {
                    // `ctx.update({...})`
                    if let Expr::Call(c) = &*e.value {
                        if let Some(arg) = c.arguments.args.first() {
                            visit_expr(self, arg, keys);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    // ---------------------------------------------------------- helpers

    /// An opaque condition for a construct the analysis does not model,
    /// with the warning that names it.
    fn unknown(&mut self, what: &str, module: &Module, node: &impl Ranged) -> Cond {
        self.warn(
            module,
            node,
            &format!("{what} is kept as an opaque condition"),
        );
        Cond::Pred(Predicate::opaque(module.slice(node), None))
    }

    fn warn(&mut self, module: &Module, node: &impl Ranged, message: &str) {
        let message = format!("{}: {message}", module.position(node));
        if self.out.diagnostics.iter().any(|d| d.message == message) {
            return;
        }
        self.out
            .diagnostics
            .push(Diagnostic::warning(codes::NOT_LOWERED, message).with_span(self.anchor));
    }

    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }
}

/// A module-level literal of `module`, or one it imports from a global
/// helper of the source.
fn constant_of(module: &Module, ctx: Option<&PantherContext>, name: &str) -> Option<Constant> {
    if let Some(c) = module.constants.get(name) {
        return Some(c.clone());
    }
    let (from, original) = module.imports.get(name)?;
    ctx?.constant(from, original)
}

/// A condition that never holds (a rule whose every path returns false).
fn never() -> Predicate {
    Predicate::opaque("False", None)
}

fn bool_cond(b: bool) -> Cond {
    if b {
        Cond::True
    } else {
        Cond::False
    }
}

fn bool_sym(b: bool) -> Sym {
    Sym::Cond(bool_cond(b))
}

fn exists(f: &Field, _expr: &Expr) -> Predicate {
    Predicate::Compare(Comparison::new(f.field_ref(), Op::Exists, vec![]))
}

fn glob(f: &Field, pattern: &str) -> Cond {
    let (op, value) = Pattern::parse(pattern, None).lowered();
    let mut c = Comparison::new(f.field_ref(), op, vec![value]);
    if f.folded {
        c = c.case_sensitive(false);
    }
    Cond::Pred(Predicate::Compare(c))
}

/// A regex match of `subject`.
fn regex(subject: Sym, pattern: String, ignore_case: bool) -> Sym {
    let fields = match subject {
        Sym::Field(f) if !f.is_event() => vec![f],
        Sym::Fields(fs) => fs,
        Sym::Const(Value::String(_)) => {
            return Sym::Unknown("a regular expression applied to a literal".into())
        }
        _ => return Sym::Unknown("a regular expression applied to a computed value".into()),
    };
    Sym::Cond(Cond::or(
        fields
            .into_iter()
            .map(|f| {
                let c = Comparison::new(
                    f.field_ref(),
                    Op::Regex,
                    vec![Value::String(pattern.clone())],
                )
                .case_sensitive(!(ignore_case || f.folded));
                Cond::Pred(Predicate::Compare(c))
            })
            .collect(),
    ))
}

/// `re.match` anchors at the start and `re.fullmatch` at both ends;
/// indicators carry the pattern with those anchors so it means what
/// `re.search` would.
fn anchored(pattern: &str, function: &str) -> String {
    match function {
        "match" if !pattern.starts_with('^') => format!("^(?:{pattern})"),
        "fullmatch" => format!("^(?:{pattern})$"),
        _ => pattern.to_string(),
    }
}

/// Python truthiness of a literal.
fn truthy(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.is_empty(),
        Value::Integer(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Timespan { .. } | Value::Datetime { .. } => true,
    }
}

/// Python's comparison of two literals, where the types allow it.
fn fold_compare(a: &Value, op: CmpOp, b: &Value) -> Option<bool> {
    use std::cmp::Ordering;
    let ordering = match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Integer(x), Value::Integer(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Integer(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Integer(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    };
    Some(match op {
        CmpOp::Eq | CmpOp::Is => ordering == Some(Ordering::Equal),
        CmpOp::NotEq | CmpOp::IsNot => ordering != Some(Ordering::Equal),
        CmpOp::Lt => ordering? == Ordering::Less,
        CmpOp::LtE => ordering? != Ordering::Greater,
        CmpOp::Gt => ordering? == Ordering::Greater,
        CmpOp::GtE => ordering? != Ordering::Less,
        CmpOp::In | CmpOp::NotIn => {
            let (Value::String(x), Value::String(y)) = (a, b) else {
                return None;
            };
            y.contains(x.as_str()) == (op == CmpOp::In)
        }
    })
}

/// True when every path through `body` ends in a return of a falsy
/// literal (`return False`, `return`, `return None`) or a `raise`.
fn returns_falsy(body: &[Stmt]) -> bool {
    match body.last() {
        Some(Stmt::Return(r)) => match r.value.as_deref() {
            None => true,
            Some(Expr::BooleanLiteral(b)) => !b.value,
            Some(Expr::NoneLiteral(_)) => true,
            _ => false,
        },
        Some(Stmt::Raise(_)) => true,
        _ => false,
    }
}

/// Every statement in `stmts` and in the blocks nested in them (`if`,
/// loops, `with`, `try`, `match`), nested functions excluded.
fn nested_statements(stmts: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::new();
    let mut stack: Vec<&Stmt> = stmts.iter().collect();
    while let Some(s) = stack.pop() {
        out.push(s);
        match s {
            Stmt::If(i) => {
                stack.extend(i.body.iter());
                for c in &i.elif_else_clauses {
                    stack.extend(c.body.iter());
                }
            }
            Stmt::For(f) => stack.extend(f.body.iter().chain(f.orelse.iter())),
            Stmt::While(w) => stack.extend(w.body.iter().chain(w.orelse.iter())),
            Stmt::With(w) => stack.extend(w.body.iter()),
            Stmt::Try(t) => {
                stack.extend(
                    t.body
                        .iter()
                        .chain(t.orelse.iter())
                        .chain(t.finalbody.iter()),
                );
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    stack.extend(h.body.iter());
                }
            }
            Stmt::Match(m) => {
                for case in &m.cases {
                    stack.extend(case.body.iter());
                }
            }
            _ => {}
        }
    }
    out
}

/// True when `stmts` contain a `break` of the loop they are the body of
/// (nested loops' own `break`s excluded).
fn breaks(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Break(_) => true,
        Stmt::If(i) => breaks(&i.body) || i.elif_else_clauses.iter().any(|c| breaks(&c.body)),
        Stmt::With(w) => breaks(&w.body),
        Stmt::Try(t) => {
            breaks(&t.body)
                || breaks(&t.orelse)
                || breaks(&t.finalbody)
                || t.handlers.iter().any(|h| match h {
                    ruff_python_ast::ExceptHandler::ExceptHandler(h) => breaks(&h.body),
                })
        }
        Stmt::Match(m) => m.cases.iter().any(|c| breaks(&c.body)),
        _ => false,
    })
}

/// True when `stmts` contain a `return` or `raise` anywhere (nested
/// blocks included; nested functions excluded).
fn contains_return(stmts: &[Stmt]) -> bool {
    nested_statements(stmts)
        .into_iter()
        .any(|s| matches!(s, Stmt::Return(_) | Stmt::Raise(_)))
}

/// Whether the `return`s in `stmts` (nested blocks included) can give a
/// value other than a falsy literal, and whether they can give a falsy one
/// (`return False`, `return`, `return None`, or a `raise`).
fn loop_returns(stmts: &[Stmt]) -> (bool, bool) {
    let (mut truthy, mut falsy) = (false, false);
    for s in nested_statements(stmts) {
        match s {
            Stmt::Return(r) => match r.value.as_deref() {
                None | Some(Expr::NoneLiteral(_)) => falsy = true,
                Some(Expr::BooleanLiteral(b)) if !b.value => falsy = true,
                Some(_) => truthy = true,
            },
            Stmt::Raise(_) => falsy = true,
            _ => {}
        }
    }
    (truthy, falsy)
}

/// Names assigned anywhere in `stmts`.
fn assigned_names(stmts: &[Stmt], out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for s in stmts {
        match s {
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        out.push(n.id.to_string());
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    out.push(n.id.to_string());
                }
            }
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    out.push(n.id.to_string());
                }
            }
            Stmt::For(f) => {
                if let Expr::Name(n) = &*f.target {
                    out.push(n.id.to_string());
                }
                assigned_names(&f.body, out, depth + 1);
            }
            Stmt::If(i) => {
                assigned_names(&i.body, out, depth + 1);
                for c in &i.elif_else_clauses {
                    assigned_names(&c.body, out, depth + 1);
                }
            }
            Stmt::While(w) => assigned_names(&w.body, out, depth + 1),
            Stmt::With(w) => assigned_names(&w.body, out, depth + 1),
            Stmt::Try(t) => assigned_names(&t.body, out, depth + 1),
            _ => {}
        }
    }
}

/// The expressions a function body returns (nested blocks included).
fn returns(body: &[Stmt]) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack: Vec<&Stmt> = body.iter().rev().collect();
    while let Some(s) = stack.pop() {
        match s {
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    out.push(&**v);
                }
            }
            Stmt::If(i) => {
                for c in i.elif_else_clauses.iter().rev() {
                    stack.extend(c.body.iter().rev());
                }
                stack.extend(i.body.iter().rev());
            }
            Stmt::With(w) => stack.extend(w.body.iter().rev()),
            Stmt::Try(t) => stack.extend(t.body.iter().rev()),
            _ => {}
        }
    }
    out
}

/// Whether a helper's result is a value (a field it reads, a single
/// returned expression) or a condition.
fn uses_of(def: &StmtFunctionDef) -> Use {
    let returned = returns(&def.body);
    let is_condition = |e: &Expr| {
        matches!(
            e,
            Expr::Compare(_) | Expr::BoolOp(_) | Expr::BooleanLiteral(_)
        ) || matches!(e, Expr::UnaryOp(u) if matches!(u.op, UnaryOp::Not))
    };
    if returned.len() == 1 && !is_condition(returned[0]) && straight(&def.body) {
        Use::Value
    } else {
        Use::Truth
    }
}

/// A body of assignments and one return, no branches.
fn straight(body: &[Stmt]) -> bool {
    body.iter().all(|s| {
        matches!(
            s,
            Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::Expr(_) | Stmt::Return(_) | Stmt::Pass(_)
        )
    })
}

/// Whitespace collapsed, for messages.
fn collapse(text: &str) -> String {
    let collapsed = ruledex_ir::collapse_whitespace(text);
    if collapsed.chars().count() > 80 {
        let cut: String = collapsed.chars().take(77).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}
