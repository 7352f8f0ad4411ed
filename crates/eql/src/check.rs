//! Checks after parsing: what Elasticsearch's EQL (and the `eql` reference
//! package in its Elasticsearch mode) rejects although the grammar accepts
//! it — types that do not fit, field-to-field comparisons, known functions
//! with wrong arguments, reserved words as names, bad `maxspan`, `runs`,
//! pipes and sequence shapes.
//!
//! Fields have no schema here, so their type is unknown and fits anything;
//! literals and known functions have types, which is enough to catch what
//! the reference catches without a schema.

use crate::ast::*;
use crate::diag::{Code, QueryDiagnostic};
use crate::lexer::StringForm;
use crate::parser::is_keyword;
use ruledex_ir::Span;

/// Type of an expression, as far as it is known without a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Unknown,
    Bool,
    Str,
    Num,
    Null,
}

impl Ty {
    fn fits(self, other: Ty) -> bool {
        self == other
            || matches!(self, Ty::Unknown | Ty::Null)
            || matches!(other, Ty::Unknown | Ty::Null)
    }

    fn name(self) -> &'static str {
        match self {
            Ty::Unknown => "unknown",
            Ty::Bool => "boolean",
            Ty::Str => "string",
            Ty::Num => "number",
            Ty::Null => "null",
        }
    }
}

/// What the checker learned about an expression.
#[derive(Clone, Copy, Debug)]
struct Info {
    ty: Ty,
    literal: bool,
    has_field: bool,
}

impl Info {
    fn of(ty: Ty) -> Info {
        Info {
            ty,
            literal: false,
            has_field: false,
        }
    }
}

/// Tallest expression tree the checker and lowering walk recursively; a
/// taller one is replaced by an error node first.
pub const MAX_HEIGHT: usize = 256;

/// Height of an expression tree, computed without recursion.
pub fn height(expr: &Expr) -> usize {
    let mut max = 0;
    let mut stack = vec![(expr, 1usize)];
    while let Some((e, h)) = stack.pop() {
        max = max.max(h);
        for child in children(e) {
            stack.push((child, h + 1));
        }
    }
    max
}

fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Call { args, .. } => args.iter().collect(),
        ExprKind::Logical { operands, .. } => operands.iter().collect(),
        ExprKind::Not(inner) | ExprKind::Paren(inner) => vec![inner],
        ExprKind::Sign { operand, .. } => vec![operand],
        ExprKind::Binary { left, right, .. } => vec![left, right],
        ExprKind::In { value, list, .. } => std::iter::once(&**value).chain(list).collect(),
        ExprKind::Match {
            value, patterns, ..
        } => std::iter::once(&**value).chain(patterns).collect(),
        ExprKind::NamedSubquery { query, .. } => vec![&query.condition],
        ExprKind::Literal(_) | ExprKind::Field(_) | ExprKind::Variable(_) | ExprKind::Error => {
            Vec::new()
        }
    }
}

/// Replace expressions taller than [`MAX_HEIGHT`] by error nodes, so later
/// passes can recurse safely.
pub fn limit_height(query: &mut Query, diagnostics: &mut Vec<QueryDiagnostic>) {
    let mut fix = |e: &mut Expr| {
        if height(e) > MAX_HEIGHT {
            diagnostics.push(QueryDiagnostic::new(
                Code::TooDeep,
                format!("expression nested deeper than {MAX_HEIGHT} levels"),
                e.span,
            ));
            let span = e.span;
            // Dismantle iteratively so dropping cannot recurse deeply.
            let old = std::mem::replace(e, Expr::new(ExprKind::Error, span));
            drop_iteratively(old);
        }
    };
    for_each_top_expr(query, &mut fix);
}

fn drop_iteratively(e: Expr) {
    let mut stack = vec![e];
    while let Some(mut e) = stack.pop() {
        match &mut e.kind {
            ExprKind::Call { args, .. } => stack.append(args),
            ExprKind::Logical { operands, .. } => stack.append(operands),
            ExprKind::Not(inner) | ExprKind::Paren(inner) => stack.push(std::mem::replace(
                &mut **inner,
                Expr::new(ExprKind::Error, e.span),
            )),
            ExprKind::Sign { operand, .. } => stack.push(std::mem::replace(
                &mut **operand,
                Expr::new(ExprKind::Error, e.span),
            )),
            ExprKind::Binary { left, right, .. } => {
                stack.push(std::mem::replace(
                    &mut **left,
                    Expr::new(ExprKind::Error, e.span),
                ));
                stack.push(std::mem::replace(
                    &mut **right,
                    Expr::new(ExprKind::Error, e.span),
                ));
            }
            ExprKind::In { value, list, .. } => {
                stack.push(std::mem::replace(
                    &mut **value,
                    Expr::new(ExprKind::Error, e.span),
                ));
                stack.append(list);
            }
            ExprKind::Match {
                value, patterns, ..
            } => {
                stack.push(std::mem::replace(
                    &mut **value,
                    Expr::new(ExprKind::Error, e.span),
                ));
                stack.append(patterns);
            }
            ExprKind::NamedSubquery { query, .. } => stack.push(std::mem::replace(
                &mut query.condition,
                Expr::new(ExprKind::Error, e.span),
            )),
            _ => {}
        }
    }
}

fn for_each_top_expr(query: &mut Query, f: &mut impl FnMut(&mut Expr)) {
    let step = |s: &mut Step, f: &mut dyn FnMut(&mut Expr)| {
        f(&mut s.query.condition);
        s.by.iter_mut().for_each(&mut *f);
    };
    match &mut query.base {
        Some(BaseQuery::Event(e)) => f(&mut e.condition),
        Some(BaseQuery::Sequence(s)) | Some(BaseQuery::Join(s)) => {
            s.by.iter_mut().for_each(&mut *f);
            for st in s.steps.iter_mut().chain(s.until.as_mut()) {
                step(st, f);
            }
        }
        Some(BaseQuery::Sample(s)) => {
            s.by.iter_mut().for_each(&mut *f);
            for st in &mut s.steps {
                step(st, f);
            }
        }
        None => {}
    }
    for pipe in &mut query.pipes {
        pipe.args.iter_mut().for_each(&mut *f);
    }
}

/// Run every check on a parsed query.
pub fn check(query: &Query, diagnostics: &mut Vec<QueryDiagnostic>) {
    check_dialect(query, crate::Dialect::Elasticsearch, diagnostics);
}

/// [`check`] for a query in `dialect`: the endpoint dialect also takes
/// `_arraysearch(array, $var, condition)` and its variables.
pub fn check_dialect(
    query: &Query,
    dialect: crate::Dialect,
    diagnostics: &mut Vec<QueryDiagnostic>,
) {
    let mut checker = Checker {
        diagnostics,
        dialect,
        bound: Vec::new(),
    };
    match &query.base {
        Some(BaseQuery::Event(e)) => checker.event_query(e),
        Some(BaseQuery::Sequence(s)) => checker.sequence(s, SeqKind::Sequence),
        Some(BaseQuery::Join(s)) => checker.sequence(s, SeqKind::Join),
        Some(BaseQuery::Sample(s)) => checker.sample(s),
        None => {}
    }
    for pipe in &query.pipes {
        checker.pipe(pipe);
    }
}

/// `_arraysearch` as the endpoint spells it (case does not matter to it).
pub(crate) fn is_array_search(name: &str) -> bool {
    name.eq_ignore_ascii_case("_arraysearch") || name.eq_ignore_ascii_case("arraysearch")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SeqKind {
    Sequence,
    Join,
    Sample,
}

struct Checker<'d> {
    diagnostics: &'d mut Vec<QueryDiagnostic>,
    dialect: crate::Dialect,
    /// Variables bound by the enclosing `_arraysearch` calls.
    bound: Vec<String>,
}

/// What a function argument accepts.
#[derive(Clone, Copy)]
struct Arg {
    /// Accepted types (`Unknown` fits anything).
    types: &'static [Ty],
    literal: Literalness,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Literalness {
    Any,
    Literal,
    Field,
}

const PRIMITIVES: &[Ty] = &[Ty::Str, Ty::Num, Ty::Bool, Ty::Null];
const STR: &[Ty] = &[Ty::Str];
const NUM: &[Ty] = &[Ty::Num];
const BOOL: &[Ty] = &[Ty::Bool];
const ANY: &[Ty] = &[Ty::Unknown];

const fn arg(types: &'static [Ty]) -> Arg {
    Arg {
        types,
        literal: Literalness::Any,
    }
}

const fn literal(types: &'static [Ty]) -> Arg {
    Arg {
        types,
        literal: Literalness::Literal,
    }
}

/// A known function: its arguments, how many are required, what extra
/// arguments may follow, and its result type.
struct Signature {
    name: &'static str,
    args: &'static [Arg],
    min: usize,
    more: Option<Arg>,
    returns: Ty,
}

const VAR: Arg = Arg {
    types: ANY,
    literal: Literalness::Field,
};

/// The functions of EQL with their signatures (names are case-sensitive;
/// unknown functions are accepted and have an unknown type).
const FUNCTIONS: &[Signature] = &[
    Signature {
        name: "add",
        args: &[arg(NUM), arg(NUM)],
        min: 2,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "subtract",
        args: &[arg(NUM), arg(NUM)],
        min: 2,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "multiply",
        args: &[arg(NUM), arg(NUM)],
        min: 2,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "divide",
        args: &[arg(NUM), arg(NUM)],
        min: 2,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "modulo",
        args: &[arg(NUM), arg(NUM)],
        min: 2,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "arrayContains",
        args: &[arg(ANY), arg(PRIMITIVES)],
        min: 2,
        more: Some(arg(PRIMITIVES)),
        returns: Ty::Bool,
    },
    Signature {
        name: "arrayCount",
        args: &[arg(ANY), VAR, arg(BOOL)],
        min: 3,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "arraySearch",
        args: &[arg(ANY), VAR, arg(BOOL)],
        min: 3,
        more: None,
        returns: Ty::Bool,
    },
    Signature {
        name: "between",
        args: &[arg(STR), arg(STR), arg(STR), arg(BOOL)],
        min: 3,
        more: None,
        returns: Ty::Str,
    },
    Signature {
        name: "cidrMatch",
        args: &[arg(STR), literal(STR)],
        min: 2,
        more: Some(literal(STR)),
        returns: Ty::Bool,
    },
    Signature {
        name: "concat",
        args: &[],
        min: 1,
        more: Some(arg(PRIMITIVES)),
        returns: Ty::Str,
    },
    Signature {
        name: "endsWith",
        args: &[arg(STR), arg(STR)],
        min: 2,
        more: None,
        returns: Ty::Bool,
    },
    Signature {
        name: "indexOf",
        args: &[arg(STR), arg(STR), arg(NUM)],
        min: 2,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "length",
        args: &[arg(&[Ty::Str, Ty::Unknown])],
        min: 1,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "match",
        args: &[arg(STR), literal(STR)],
        min: 2,
        more: Some(literal(STR)),
        returns: Ty::Bool,
    },
    Signature {
        name: "matchLite",
        args: &[arg(STR), literal(STR)],
        min: 2,
        more: Some(literal(STR)),
        returns: Ty::Bool,
    },
    Signature {
        name: "safe",
        args: &[arg(ANY)],
        min: 1,
        more: None,
        returns: Ty::Unknown,
    },
    Signature {
        name: "startsWith",
        args: &[arg(STR), arg(STR)],
        min: 2,
        more: None,
        returns: Ty::Bool,
    },
    Signature {
        name: "stringContains",
        args: &[arg(STR), arg(STR)],
        min: 2,
        more: None,
        returns: Ty::Bool,
    },
    Signature {
        name: "substring",
        args: &[arg(STR), arg(NUM), arg(NUM)],
        min: 2,
        more: None,
        returns: Ty::Str,
    },
    Signature {
        name: "number",
        args: &[arg(STR), arg(NUM)],
        min: 1,
        more: None,
        returns: Ty::Num,
    },
    Signature {
        name: "string",
        args: &[arg(PRIMITIVES)],
        min: 1,
        more: None,
        returns: Ty::Str,
    },
    Signature {
        name: "wildcard",
        args: &[arg(STR), literal(STR)],
        min: 2,
        more: Some(literal(STR)),
        returns: Ty::Bool,
    },
];

impl Checker<'_> {
    fn error(&mut self, code: Code, message: impl Into<String>, span: Span) {
        self.diagnostics
            .push(QueryDiagnostic::new(code, message, span));
    }

    fn event_query(&mut self, e: &EventQuery) {
        if let Some(category) = &e.category {
            if is_keyword(&category.name) {
                self.error(
                    Code::KeywordAsName,
                    format!(
                        "`{}` is a reserved word, not an event category",
                        category.name
                    ),
                    category.span,
                );
            }
        }
        self.condition(&e.condition);
    }

    /// An expression that must be a boolean.
    fn condition(&mut self, e: &Expr) {
        let info = self.expr(e);
        self.require_bool(e, info);
    }

    fn require_bool(&mut self, e: &Expr, info: Info) {
        if !info.ty.fits(Ty::Bool) {
            self.error(
                Code::TypeMismatch,
                format!("expected a boolean condition, found a {}", info.ty.name()),
                e.span,
            );
        }
    }

    fn expr(&mut self, e: &Expr) -> Info {
        match &e.kind {
            ExprKind::Literal(lit) => self.literal(lit, e.span),
            ExprKind::Field(field) => {
                for part in &field.parts {
                    if let FieldPart::Name(name) = part {
                        if is_keyword(name) {
                            self.error(
                                Code::KeywordAsName,
                                format!("`{name}` is a reserved word; quote it as `` `{name}` `` to use it as a field name"),
                                e.span,
                            );
                            break;
                        }
                    }
                }
                Info {
                    ty: Ty::Unknown,
                    literal: false,
                    has_field: true,
                }
            }
            ExprKind::Variable(name) => {
                let root = name.split('.').next().unwrap_or(name);
                if self.bound.iter().any(|b| b == root) {
                    return Info {
                        ty: Ty::Unknown,
                        literal: false,
                        has_field: true,
                    };
                }
                let message = match self.dialect {
                    crate::Dialect::Elasticsearch => {
                        format!("`${name}`: variables are not supported by Elasticsearch EQL")
                    }
                    crate::Dialect::Endpoint => format!(
                        "`${name}`: no `_arraysearch(array, ${root}, ...)` binds this variable"
                    ),
                };
                self.error(Code::Variable, message, e.span);
                Info::of(Ty::Unknown)
            }
            ExprKind::Call { name, args, .. } => self.call(name, args, e.span),
            ExprKind::Not(inner) => {
                let info = self.expr(inner);
                self.require_bool(inner, info);
                Info {
                    ty: Ty::Bool,
                    ..info
                }
            }
            ExprKind::Sign { operand, .. } => {
                let info = self.expr(operand);
                if !info.ty.fits(Ty::Num) {
                    self.error(
                        Code::TypeMismatch,
                        format!("a sign applied to a {}", info.ty.name()),
                        e.span,
                    );
                }
                Info {
                    ty: Ty::Num,
                    ..info
                }
            }
            ExprKind::Logical { operands, .. } => {
                let mut has_field = false;
                for operand in operands {
                    let info = self.expr(operand);
                    self.require_bool(operand, info);
                    has_field |= info.has_field;
                }
                Info {
                    ty: Ty::Bool,
                    literal: false,
                    has_field,
                }
            }
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right, e.span),
            ExprKind::In { value, list, .. } => {
                let outer = self.expr(value);
                let mut has_field = outer.has_field;
                for item in list {
                    let info = self.expr(item);
                    has_field |= info.has_field;
                    if !info.ty.fits(outer.ty) {
                        self.error(
                            Code::TypeMismatch,
                            format!(
                                "cannot compare a {} with a {}",
                                outer.ty.name(),
                                info.ty.name()
                            ),
                            item.span,
                        );
                    }
                }
                Info {
                    ty: Ty::Bool,
                    literal: false,
                    has_field,
                }
            }
            ExprKind::Match {
                value,
                op,
                insensitive,
                patterns,
                ..
            } => {
                let info = self.expr(value);
                let written = op.written(*insensitive);
                if !info.ty.fits(Ty::Str) {
                    self.error(
                        Code::TypeMismatch,
                        format!(
                            "`{written}` needs a string on its left, found a {}",
                            info.ty.name()
                        ),
                        value.span,
                    );
                }
                for pattern in patterns {
                    let p = self.expr(pattern);
                    if p.ty != Ty::Str {
                        self.error(
                            Code::TypeMismatch,
                            format!("`{written}` needs string patterns, found a {}", p.ty.name()),
                            pattern.span,
                        );
                    }
                }
                Info {
                    ty: Ty::Bool,
                    literal: false,
                    has_field: info.has_field,
                }
            }
            ExprKind::NamedSubquery { relation, query } => {
                if !matches!(relation.name.as_str(), "descendant" | "child" | "event") {
                    self.error(
                        Code::UnknownParameter,
                        format!(
                            "unknown subquery `{} of` (use `descendant`, `child` or `event`)",
                            relation.name
                        ),
                        relation.span,
                    );
                }
                self.event_query(query);
                Info::of(Ty::Bool)
            }
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Error => Info::of(Ty::Unknown),
        }
    }

    fn literal(&mut self, lit: &Literal, span: Span) -> Info {
        let ty = match lit {
            Literal::String(_, form) => {
                if matches!(form, StringForm::Single | StringForm::Raw) {
                    self.error(
                        Code::UnsupportedString,
                        "Elasticsearch EQL strings use `\"...\"` or `\"\"\"...\"\"\"`",
                        span,
                    );
                }
                Ty::Str
            }
            Literal::Integer(_) | Literal::Float(_) => Ty::Num,
            Literal::Bool(_) => Ty::Bool,
            Literal::Null => Ty::Null,
        };
        Info {
            ty,
            literal: true,
            has_field: false,
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: Span) -> Info {
        let l = self.expr(left);
        let r = self.expr(right);
        let has_field = l.has_field || r.has_field;
        if op.is_arithmetic() {
            for (side, info) in [(left, l), (right, r)] {
                if !info.ty.fits(Ty::Num) {
                    self.error(
                        Code::TypeMismatch,
                        format!(
                            "`{}` needs numbers, found a {}",
                            op.as_str(),
                            info.ty.name()
                        ),
                        side.span,
                    );
                }
            }
            return Info {
                ty: Ty::Num,
                literal: l.literal && r.literal,
                has_field,
            };
        }
        let result = Info {
            ty: Ty::Bool,
            literal: false,
            has_field,
        };
        if op == BinaryOp::SingleEq {
            self.error(
                Code::SingleEquals,
                "use `==` to compare (`=` is not a comparison in EQL)",
                span,
            );
            return result;
        }
        let null_test = matches!(op, BinaryOp::Eq | BinaryOp::Ne)
            && (l.ty == Ty::Null && l.literal || r.ty == Ty::Null && r.literal);
        if null_test {
            return result;
        }
        if !l.ty.fits(r.ty) {
            self.error(
                Code::TypeMismatch,
                format!("cannot compare a {} with a {}", l.ty.name(), r.ty.name()),
                span,
            );
            return result;
        }
        if matches!(
            op,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        ) {
            let ordered = |t: Ty| matches!(t, Ty::Num | Ty::Str | Ty::Unknown | Ty::Null);
            if !ordered(l.ty) || !ordered(r.ty) {
                self.error(
                    Code::TypeMismatch,
                    format!(
                        "`{}` orders numbers or strings, not a {}",
                        op.as_str(),
                        if ordered(l.ty) {
                            r.ty.name()
                        } else {
                            l.ty.name()
                        }
                    ),
                    span,
                );
                return result;
            }
        }
        // The endpoint compares fields with fields (often with a field of
        // an earlier step, `event0.process.pid != process.pid`).
        if l.has_field && r.has_field && self.dialect == crate::Dialect::Elasticsearch {
            self.error(
                Code::FieldComparison,
                "comparing a field with another field is not supported by Elasticsearch EQL",
                span,
            );
        }
        result
    }

    /// `_arraysearch(array, $var, condition)`: true when an element of
    /// `array` satisfies `condition`, in which `$var.field` reads the
    /// element's field.
    fn array_search(&mut self, name: &Ident, args: &[Expr], span: Span) -> Info {
        let [array, variable, condition] = args else {
            self.error(
                Code::BadArguments,
                format!(
                    "`{}` takes three arguments: an array field, a `$variable` and a condition",
                    name.name
                ),
                span,
            );
            for a in args {
                self.expr(a);
            }
            return Info::of(Ty::Bool);
        };
        let array_info = self.expr(array);
        let ExprKind::Variable(var) = &variable.kind else {
            self.error(
                Code::BadArguments,
                format!(
                    "the second argument of `{}` names the element: `$entry`",
                    name.name
                ),
                variable.span,
            );
            self.expr(condition);
            return Info::of(Ty::Bool);
        };
        self.bound.push(var.clone());
        let info = self.expr(condition);
        self.bound.pop();
        self.require_bool(condition, info);
        Info {
            ty: Ty::Bool,
            literal: false,
            has_field: array_info.has_field,
        }
    }

    fn call(&mut self, name: &Ident, args: &[Expr], span: Span) -> Info {
        if self.dialect == crate::Dialect::Endpoint && is_array_search(&name.name) {
            return self.array_search(name, args, span);
        }
        let infos: Vec<Info> = args.iter().map(|a| self.expr(a)).collect();
        let has_field = infos.iter().any(|i| i.has_field);
        if is_keyword(&name.name) {
            self.error(
                Code::KeywordAsName,
                format!("`{}` is a reserved word, not a function", name.name),
                name.span,
            );
        }
        let Some(sig) = FUNCTIONS.iter().find(|s| s.name == name.name) else {
            return Info {
                ty: Ty::Unknown,
                literal: false,
                has_field,
            };
        };
        let result = Info {
            ty: sig.returns,
            literal: false,
            has_field,
        };
        // `match("pattern", field)`: the reference accepts the old order.
        let swapped;
        let (args, infos): (Vec<&Expr>, Vec<Info>) = if matches!(sig.name, "match" | "matchLite")
            && args.len() == 2
            && is_string_literal(&args[0])
            && !is_string_literal(&args[1])
        {
            swapped = vec![(&args[1], infos[1]), (&args[0], infos[0])];
            swapped.into_iter().unzip()
        } else {
            args.iter().zip(infos).unzip()
        };
        if args.len() < sig.min {
            self.error(
                Code::BadArguments,
                format!(
                    "`{}` needs at least {} argument{}",
                    sig.name,
                    sig.min,
                    if sig.min == 1 { "" } else { "s" }
                ),
                span,
            );
            return result;
        }
        if sig.more.is_none() && args.len() > sig.args.len() {
            let extra = args[sig.args.len()].span;
            self.error(
                Code::BadArguments,
                format!(
                    "`{}` takes at most {} argument{}",
                    sig.name,
                    sig.args.len(),
                    if sig.args.len() == 1 { "" } else { "s" }
                ),
                extra,
            );
            return result;
        }
        for (i, (arg_expr, info)) in args.iter().zip(&infos).enumerate() {
            let spec = sig.args.get(i).copied().or(sig.more);
            let Some(spec) = spec else { continue };
            let type_ok = matches!(info.ty, Ty::Unknown | Ty::Null)
                || spec.types.contains(&Ty::Unknown)
                || spec.types.contains(&info.ty);
            let literal_ok = match spec.literal {
                Literalness::Any => true,
                Literalness::Literal => info.literal,
                Literalness::Field => matches!(arg_expr.kind, ExprKind::Field(_)),
            };
            if !type_ok || !literal_ok {
                let wanted = match spec.literal {
                    Literalness::Literal => "a literal ",
                    _ => "",
                };
                let types: Vec<&str> = spec.types.iter().map(|t| t.name()).collect();
                self.error(
                    Code::BadArguments,
                    format!(
                        "argument {} of `{}` must be {wanted}{}",
                        i + 1,
                        sig.name,
                        types.join(" or ")
                    ),
                    arg_expr.span,
                );
                return result;
            }
        }
        if sig.name == "cidrMatch" {
            for arg_expr in args.iter().skip(1) {
                if let ExprKind::Literal(Literal::String(text, _)) = &arg_expr.kind {
                    if !is_cidr(text.trim()) {
                        self.error(
                            Code::BadArguments,
                            format!(
                                "`{text}` is neither a CIDR range such as `10.0.0.0/8` nor an IP address"
                            ),
                            arg_expr.span,
                        );
                        return result;
                    }
                }
            }
        }
        result
    }

    fn sequence(&mut self, s: &Sequence, kind: SeqKind) {
        for key in &s.by {
            self.expr(key);
        }
        if let Some(span) = &s.maxspan {
            self.maxspan(span);
        }
        self.steps(&s.steps, s.until.as_ref(), kind, s.maxspan.is_some());
    }

    fn sample(&mut self, s: &Sample) {
        for key in &s.by {
            self.expr(key);
        }
        self.steps(&s.steps, None, SeqKind::Sample, false);
        if s.steps.len() == 1 {
            self.error(
                Code::BadSubqueries,
                "a sample needs at least two steps",
                s.span,
            );
        }
    }

    fn maxspan(&mut self, t: &TimeSpan) {
        if t.quantity.contains('.') || t.quantity.contains('e') {
            self.error(
                Code::BadMaxspan,
                "`maxspan` must be a whole number with a unit (`ms`, `s`, `m`, `h`, `d`)",
                t.span,
            );
            return;
        }
        match &t.unit {
            None => self.error(
                Code::BadMaxspan,
                format!(
                    "`maxspan` needs a time unit (did you mean `{}s`?)",
                    t.quantity
                ),
                t.span,
            ),
            Some(unit) if !matches!(unit.name.as_str(), "ms" | "s" | "m" | "h" | "d") => self
                .error(
                    Code::BadMaxspan,
                    format!(
                        "unknown time unit `{}` (use `ms`, `s`, `m`, `h` or `d`)",
                        unit.name
                    ),
                    unit.span,
                ),
            Some(_) => {}
        }
    }

    fn steps(&mut self, steps: &[Step], until: Option<&Step>, kind: SeqKind, has_maxspan: bool) {
        let keys = steps.first().map_or(0, |s| s.by.len());
        let mut aliases: Vec<&str> = Vec::new();
        let all = steps
            .iter()
            .map(|s| (s, false))
            .chain(until.map(|s| (s, true)));
        for (position, (step, is_until)) in all.enumerate() {
            self.event_query(&step.query);
            for key in &step.by {
                self.expr(key);
            }
            if step.by.len() != keys {
                let span = step.by.get(keys).map_or(step.span, |k| k.span);
                self.error(
                    Code::JoinKeyCount,
                    format!(
                        "expected {keys} `by` key{} on this step, like the first step, found {}",
                        if keys == 1 { "" } else { "s" },
                        step.by.len()
                    ),
                    span,
                );
            }
            if let Some(runs) = &step.runs {
                if is_until || kind != SeqKind::Sequence {
                    self.error(
                        Code::BadRuns,
                        "`with runs` is only allowed on sequence steps",
                        runs.span,
                    );
                } else if runs.count.is_none_or(|n| n <= 1) {
                    self.error(Code::BadRuns, "`runs` must be greater than 1", runs.span);
                }
            }
            if let Some(fork) = step.fork {
                if position == 0 || is_until || kind == SeqKind::Join {
                    self.error(Code::BadSubqueries, "`fork` is not allowed here", fork);
                }
            }
            if let Some(alias) = &step.alias {
                if self.dialect == crate::Dialect::Elasticsearch {
                    self.error(
                        Code::BadSubqueries,
                        "step aliases (`as name`) are not supported by Elasticsearch EQL",
                        alias.span,
                    );
                } else if is_until || kind != SeqKind::Sequence {
                    self.error(
                        Code::BadSubqueries,
                        "step aliases (`as name`) are only allowed on sequence steps",
                        alias.span,
                    );
                } else if aliases.contains(&alias.name.as_str()) {
                    self.error(
                        Code::BadSubqueries,
                        format!("the step alias `{}` is already taken", alias.name),
                        alias.span,
                    );
                } else {
                    aliases.push(alias.name.as_str());
                }
            }
            if step.missing {
                match kind {
                    SeqKind::Sequence if !has_maxspan => self.error(
                        Code::BadSubqueries,
                        "a missing-event step `![...]` needs `with maxspan`",
                        step.span,
                    ),
                    SeqKind::Sample | SeqKind::Join => self.error(
                        Code::BadSubqueries,
                        "missing-event steps `![...]` are only allowed in sequences",
                        step.span,
                    ),
                    SeqKind::Sequence => {}
                }
            }
        }
    }

    fn pipe(&mut self, pipe: &Pipe) {
        let infos: Vec<Info> = pipe.args.iter().map(|a| self.expr(a)).collect();
        let name = pipe.name.name.as_str();
        let bad = |message: String| (Code::BadPipeArguments, message);
        let problem = match name {
            "" => None,
            "head" | "tail" => match (pipe.args.first(), infos.first()) {
                _ if pipe.args.len() > 1 => Some(bad(format!("`{name}` takes one count"))),
                (Some(a), Some(i)) => {
                    let positive = match &a.kind {
                        ExprKind::Literal(Literal::Integer(n)) => n.is_none_or(|n| n > 0),
                        ExprKind::Literal(Literal::Float(f)) => *f > 0.0,
                        _ => false,
                    };
                    (!(i.literal && i.ty == Ty::Num && positive))
                        .then(|| bad(format!("`{name}` takes a positive number literal")))
                }
                _ => None,
            },
            "filter" => {
                if pipe.args.len() != 1 {
                    Some(bad("`filter` takes exactly one condition".into()))
                } else {
                    None
                }
            }
            "unique" | "sort" | "unique_count" | "count" => {
                if pipe.args.is_empty() && name != "count" {
                    Some(bad(format!("`{name}` needs at least one field")))
                } else if infos.iter().any(|i| i.literal) {
                    Some(bad(format!("`{name}` takes fields or expressions, not literals")))
                } else {
                    None
                }
            }
            _ => Some((
                Code::UnknownPipe,
                format!("unknown pipe `{name}` (EQL pipes: head, tail, filter, unique, unique_count, count, sort)"),
            )),
        };
        if let Some((code, message)) = problem {
            let span = if code == Code::UnknownPipe {
                pipe.name.span
            } else {
                pipe.span
            };
            self.error(code, message, span);
        }
    }
}

fn is_string_literal(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Literal(Literal::String(..)))
}

/// `address/prefix` for IPv4 or IPv6, or a single address (which
/// Elasticsearch and the endpoint match as a range of one: `"::1"`).
pub fn is_cidr(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return text.parse::<std::net::IpAddr>().is_ok();
    };
    let Ok(prefix) = prefix.parse::<u8>() else {
        return false;
    };
    if let Ok(v4) = address.parse::<std::net::Ipv4Addr>() {
        let _ = v4;
        prefix <= 32
    } else if let Ok(v6) = address.parse::<std::net::Ipv6Addr>() {
        let _ = v6;
        prefix <= 128
    } else {
        false
    }
}
