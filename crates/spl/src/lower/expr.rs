//! `where`/`eval` conditions to predicates.
//!
//! Unlike `search`, `where` compares exactly and with case: `=`/`==` is
//! `eq` with `*` as a literal character, a bare name on the right side is
//! another field (`user=src_user` is `field_eq`), `like(f, "a%")` and
//! `f LIKE "a%"` are patterns with `%` and `_`, `match(f, "re")` a regular
//! expression, `cidrmatch("10.0.0.0/8", f)` a range, `isnull`/`isnotnull`
//! existence; `lower(f)`/`upper(f)` make a comparison case-insensitive.

use super::Lower;
use crate::ast::{BinaryOp, Expr, ExprKind};
use ruledex_ir::{
    Call, Comparison, FieldComparison, FieldRef, Op, Pattern, PatternPart, Predicate, Value,
};

/// One side of a comparison.
enum Operand {
    /// A field, traced; `folds_case` when `lower`/`upper` wraps it.
    Field(FieldRef, bool),
    /// A literal.
    Literal(Value),
    /// Anything else.
    Other,
}

impl Lower<'_> {
    /// Lower a condition.
    pub(crate) fn where_predicate(&self, expr: &Expr) -> Predicate {
        match &expr.kind {
            ExprKind::Paren(inner) => self.where_predicate(inner),
            ExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                ..
            } => {
                // Flatten the chain without recursion per link.
                let mut items = Vec::new();
                let mut stack = vec![expr];
                while let Some(e) = stack.pop() {
                    match &e.kind {
                        ExprKind::Binary {
                            op: inner,
                            left,
                            right,
                        } if inner == op => {
                            stack.push(right);
                            stack.push(left);
                        }
                        ExprKind::Paren(inner_expr) if matches!(&inner_expr.kind, ExprKind::Binary { op: i, .. } if i == op) =>
                        {
                            stack.push(inner_expr);
                        }
                        _ => items.push(self.where_predicate(e)),
                    }
                }
                if *op == BinaryOp::And {
                    Predicate::and(items)
                } else {
                    Predicate::or(items)
                }
            }
            ExprKind::Not(inner) => Predicate::not(self.where_predicate(inner)),
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right, expr),
            ExprKind::In {
                left,
                list,
                negated,
            } => self.list(left, list, *negated, expr),
            ExprKind::Call { name, args } => self.call(&name.text, args, expr),
            _ => self.opaque(expr),
        }
    }

    fn opaque(&self, expr: &Expr) -> Predicate {
        Predicate::opaque(
            expr.span.slice(self.expanded),
            Some(self.file_span(expr.span)),
        )
    }

    fn operand(&self, expr: &Expr) -> Operand {
        match &expr.kind {
            ExprKind::Paren(inner) => self.operand(inner),
            ExprKind::Field(name) => {
                let (field, folds) = self.field_ref(name);
                Operand::Field(field, folds)
            }
            ExprKind::Str(s) => Operand::Literal(Value::String(s.clone())),
            ExprKind::Number(n) => Operand::Literal(number(n)),
            ExprKind::Negate(inner) => match &inner.kind {
                ExprKind::Number(n) => Operand::Literal(number(&format!("-{n}"))),
                _ => Operand::Other,
            },
            ExprKind::Call { name, args } => {
                let lower = name.text.to_ascii_lowercase();
                match (lower.as_str(), args.as_slice()) {
                    ("lower" | "upper", [inner]) => match self.operand(inner) {
                        Operand::Field(f, _) => Operand::Field(f, true),
                        other => other,
                    },
                    ("trim" | "ltrim" | "rtrim" | "tostring", [inner, ..]) => self.operand(inner),
                    ("true", []) => Operand::Literal(Value::Bool(true)),
                    ("false", []) => Operand::Literal(Value::Bool(false)),
                    ("null", []) => Operand::Literal(Value::Null),
                    _ => Operand::Other,
                }
            }
            _ => Operand::Other,
        }
    }

    fn binary(&self, op: BinaryOp, left: &Expr, right: &Expr, whole: &Expr) -> Predicate {
        let base = match op {
            BinaryOp::Eq => Op::Eq,
            BinaryOp::Ne => Op::Ne,
            BinaryOp::Lt => Op::Lt,
            BinaryOp::Le => Op::Le,
            BinaryOp::Gt => Op::Gt,
            BinaryOp::Ge => Op::Ge,
            BinaryOp::Like => return self.like(left, right, whole),
            _ => return self.opaque(whole),
        };
        if let (ExprKind::Field(name), Operand::Literal(v), Op::Eq | Op::Ne) =
            (&left.kind, self.operand(right), base)
        {
            let text = match &v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let Some(p) = self.condition_comparison(name, base == Op::Ne, &text, whole.span) {
                return p;
            }
        }
        match (self.operand(left), self.operand(right)) {
            (Operand::Field(field, folds), Operand::Literal(value)) => {
                self.literal(field, folds, base, value, whole)
            }
            (Operand::Literal(value), Operand::Field(field, folds)) => {
                self.literal(field, folds, flipped(base), value, whole)
            }
            (Operand::Field(l, lf), Operand::Field(r, rf)) => {
                let mut c = FieldComparison {
                    left: l,
                    op: base,
                    right: r,
                    case_sensitive: matches!(base, Op::Eq | Op::Ne).then_some(!(lf || rf)),
                    written_op: None,
                    span: Some(self.file_span(whole.span)),
                };
                if matches!(base, Op::Lt | Op::Le | Op::Gt | Op::Ge) {
                    c.case_sensitive = None;
                }
                Predicate::FieldCompare(c)
            }
            _ => self.opaque(whole),
        }
    }

    fn literal(
        &self,
        field: FieldRef,
        folds: bool,
        op: Op,
        value: Value,
        whole: &Expr,
    ) -> Predicate {
        let op = match (&value, op) {
            (Value::Null, Op::Eq) => Op::NotExists,
            (Value::Null, Op::Ne) => Op::Exists,
            _ => op,
        };
        let values = if matches!(op, Op::Exists | Op::NotExists) {
            Vec::new()
        } else {
            vec![value]
        };
        self.placed(
            Comparison::new(field, op, values).case_sensitive(!folds),
            whole.span,
        )
    }

    /// `f LIKE "p"` / `like(f, "p")`: `%` any run, `_` one character.
    fn like(&self, left: &Expr, right: &Expr, whole: &Expr) -> Predicate {
        match (self.operand(left), self.operand(right)) {
            (Operand::Field(field, folds), Operand::Literal(Value::String(p))) => {
                let (op, value) = like_pattern(&p).lowered();
                self.placed(
                    Comparison::new(field, op, vec![value])
                        .case_sensitive(!folds)
                        .written("like()"),
                    whole.span,
                )
            }
            _ => self.opaque(whole),
        }
    }

    fn list(&self, left: &Expr, list: &[Expr], negated: bool, whole: &Expr) -> Predicate {
        let Operand::Field(field, folds) = self.operand(left) else {
            return self.opaque(whole);
        };
        let mut values = Vec::new();
        for item in list {
            match self.operand(item) {
                Operand::Literal(v) => values.push(v),
                _ => return self.opaque(whole),
            }
        }
        let op = if negated { Op::NotIn } else { Op::In };
        self.placed(
            Comparison::new(field, op, values).case_sensitive(!folds),
            whole.span,
        )
    }

    fn call(&self, name: &str, args: &[Expr], whole: &Expr) -> Predicate {
        let lower = name.to_ascii_lowercase();
        match (lower.as_str(), args) {
            ("like", [l, r]) => self.like(l, r, whole),
            ("match", [l, r]) => match (self.operand(l), self.operand(r)) {
                (Operand::Field(field, _), Operand::Literal(Value::String(re))) => {
                    let insensitive = re.starts_with("(?i)");
                    self.placed(
                        Comparison::new(field, Op::Regex, vec![Value::String(re)])
                            .case_sensitive(!insensitive)
                            .written("match()"),
                        whole.span,
                    )
                }
                _ => self.opaque(whole),
            },
            ("cidrmatch", [c, f]) => match (self.operand(c), self.operand(f)) {
                (Operand::Literal(v), Operand::Field(field, _)) => self.placed(
                    Comparison::new(field, Op::Cidr, vec![v]).written("cidrmatch()"),
                    whole.span,
                ),
                _ => self.opaque(whole),
            },
            ("in", [l, rest @ ..]) if !rest.is_empty() => self.list(l, rest, false, whole),
            ("isnull" | "isnotnull", [f]) => match self.operand(f) {
                Operand::Field(field, _) => {
                    let op = if lower == "isnull" {
                        Op::NotExists
                    } else {
                        Op::Exists
                    };
                    self.placed(Comparison::new(field, op, Vec::new()), whole.span)
                }
                _ => self.opaque(whole),
            },
            ("searchmatch", _) | ("if", _) | ("case", _) | ("coalesce", _) => {
                self.call_kept(name, args, whole)
            }
            _ => self.call_kept(name, args, whole),
        }
    }

    fn call_kept(&self, name: &str, args: &[Expr], whole: &Expr) -> Predicate {
        Predicate::Call(Call {
            name: name.to_string(),
            args: args.iter().map(|a| self.text_of(a.span)).collect(),
            span: Some(self.file_span(whole.span)),
        })
    }
}

fn number(text: &str) -> Value {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        if let Ok(n) = i64::from_str_radix(hex, 16) {
            return Value::Integer(n);
        }
    }
    Value::from_unquoted(text)
}

fn flipped(op: Op) -> Op {
    match op {
        Op::Lt => Op::Gt,
        Op::Le => Op::Ge,
        Op::Gt => Op::Lt,
        Op::Ge => Op::Le,
        other => other,
    }
}

/// A `like` pattern: `%` any run, `_` one character, `\` escapes.
fn like_pattern(text: &str) -> Pattern {
    let mut p = Pattern::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => p.push(PatternPart::AnyRun),
            '_' => p.push(PatternPart::AnyChar),
            '\\' => p.push_char(chars.next().unwrap_or('\\')),
            c => p.push_char(c),
        }
    }
    p
}

/// The fields an expression reads, in order, each once.
pub(crate) fn fields_of(expr: &Expr, out: &mut Vec<String>) {
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Field(name) if !out.contains(name) && name != "null" => {
                out.push(name.clone());
            }
            ExprKind::Call { args, .. } => stack.extend(args.iter().rev()),
            ExprKind::Binary { left, right, .. } => {
                stack.push(right);
                stack.push(left);
            }
            ExprKind::Not(inner) | ExprKind::Negate(inner) | ExprKind::Paren(inner) => {
                stack.push(inner)
            }
            ExprKind::In { left, list, .. } => {
                stack.extend(list.iter().rev());
                stack.push(left);
            }
            _ => {}
        }
    }
}

/// The field an `eval` copies (`x=F`, `x=lower(F)`, `x='F'`), and whether
/// the copy folds case.
pub(crate) fn copied_field(expr: &Expr) -> Option<(String, bool)> {
    match &expr.kind {
        ExprKind::Field(name) if name != "null" => Some((name.clone(), false)),
        ExprKind::Paren(inner) => copied_field(inner),
        ExprKind::Call { name, args } => {
            let lower = name.text.to_ascii_lowercase();
            match (lower.as_str(), args.as_slice()) {
                ("lower" | "upper", [inner]) => copied_field(inner).map(|(f, _)| (f, true)),
                ("trim" | "ltrim" | "rtrim" | "tostring", [inner, ..]) => copied_field(inner),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_classify_like_globs() {
        assert_eq!(
            like_pattern("%cmd%").lowered(),
            (Op::Contains, Value::from("cmd"))
        );
        assert_eq!(
            like_pattern("a_b%").lowered(),
            (Op::Wildcard, Value::from("a?b*"))
        );
        assert_eq!(
            like_pattern("100\\%").lowered(),
            (Op::Eq, Value::from("100%"))
        );
    }
}
