//! Predicate trees: the logic of a filtering stage, language-neutral.
//!
//! Every language lowers its filters (`where`, Sigma selections, EQL event
//! conditions, kuery queries, …) into a [`Predicate`]. Indicators are then
//! extracted from predicates in one place ([`crate::indicators_of`], called for every stage by [`crate::collect_indicators`]), so
//! negation, exclusions and case sensitivity mean the same thing in every
//! language.
//!
//! ```
//! use ruledex_ir::{Comparison, FieldRef, Op, Predicate, Value};
//!
//! let p = Predicate::and(vec![
//!     Predicate::Compare(Comparison::new("ResultType", Op::Eq, vec![Value::Integer(0)])),
//!     Predicate::Compare(
//!         Comparison::new("AppDisplayName", Op::Eq, vec!["Azure Portal".into()]).case_sensitive(false),
//!     ),
//! ]);
//! assert_eq!(p.to_string(), r#"ResultType == 0 and AppDisplayName =~ "Azure Portal""#);
//! ```

use crate::span::Span;
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};

/// What a comparison does with its values. A closed set shared by all
/// languages; the same names are the indicator kinds.
///
/// Negative operators (`ne`, `not_in`, …) are operators of their own, because
/// rule authors write them as such (`!=`, `!in`, `!has`); a `not(...)` around
/// a positive operator is kept as [`Predicate::Not`] instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Substring anywhere.
    Contains,
    /// No such substring.
    NotContains,
    /// Prefix.
    #[serde(rename = "startswith")]
    StartsWith,
    /// Not this prefix.
    #[serde(rename = "not_startswith")]
    NotStartsWith,
    /// Suffix.
    #[serde(rename = "endswith")]
    EndsWith,
    /// Not this suffix.
    #[serde(rename = "not_endswith")]
    NotEndsWith,
    /// Whole term (KQL `has`: the value is a complete token of the field).
    Has,
    /// Not this term.
    NotHas,
    /// Any of the terms.
    HasAny,
    /// All of the terms.
    HasAll,
    /// A term starting with the value.
    HasPrefix,
    /// No term starting with the value.
    NotHasPrefix,
    /// A term ending with the value.
    HasSuffix,
    /// No term ending with the value.
    NotHasSuffix,
    /// A glob pattern with `*` / `?` that is not a plain prefix, suffix or
    /// substring (those are classified as such).
    Wildcard,
    /// Does not match the glob pattern.
    NotWildcard,
    /// Matches a regular expression.
    Regex,
    /// Does not match the regular expression.
    NotRegex,
    /// One of the listed values.
    In,
    /// None of the listed values.
    NotIn,
    /// In the inclusive range `values[0] ..= values[1]`.
    Between,
    /// Outside the range.
    NotBetween,
    /// An IP address in one of the CIDR ranges.
    Cidr,
    /// An IP address in none of the CIDR ranges.
    NotCidr,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// The field is present and not empty.
    Exists,
    /// The field is absent or empty.
    NotExists,
}

impl Op {
    /// Every operator, in declaration order.
    pub const ALL: [Op; 32] = [
        Op::Eq,
        Op::Ne,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::NotStartsWith,
        Op::EndsWith,
        Op::NotEndsWith,
        Op::Has,
        Op::NotHas,
        Op::HasAny,
        Op::HasAll,
        Op::HasPrefix,
        Op::NotHasPrefix,
        Op::HasSuffix,
        Op::NotHasSuffix,
        Op::Wildcard,
        Op::NotWildcard,
        Op::Regex,
        Op::NotRegex,
        Op::In,
        Op::NotIn,
        Op::Between,
        Op::NotBetween,
        Op::Cidr,
        Op::NotCidr,
        Op::Gt,
        Op::Ge,
        Op::Lt,
        Op::Le,
        Op::Exists,
        Op::NotExists,
    ];

    /// The snake-case name used in JSON and on pages (`eq`, `not_in`, …).
    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Contains => "contains",
            Op::NotContains => "not_contains",
            Op::StartsWith => "startswith",
            Op::NotStartsWith => "not_startswith",
            Op::EndsWith => "endswith",
            Op::NotEndsWith => "not_endswith",
            Op::Has => "has",
            Op::NotHas => "not_has",
            Op::HasAny => "has_any",
            Op::HasAll => "has_all",
            Op::HasPrefix => "has_prefix",
            Op::NotHasPrefix => "not_has_prefix",
            Op::HasSuffix => "has_suffix",
            Op::NotHasSuffix => "not_has_suffix",
            Op::Wildcard => "wildcard",
            Op::NotWildcard => "not_wildcard",
            Op::Regex => "regex",
            Op::NotRegex => "not_regex",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Between => "between",
            Op::NotBetween => "not_between",
            Op::Cidr => "cidr",
            Op::NotCidr => "not_cidr",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Exists => "exists",
            Op::NotExists => "not_exists",
        }
    }

    /// The operator named `name` (as returned by [`Op::name`]).
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }

    /// True for operators that match when something is *absent*
    /// (`ne`, `not_in`, `not_contains`, `not_exists`, …).
    pub fn is_negative(self) -> bool {
        matches!(
            self,
            Op::Ne
                | Op::NotContains
                | Op::NotStartsWith
                | Op::NotEndsWith
                | Op::NotHas
                | Op::NotHasPrefix
                | Op::NotHasSuffix
                | Op::NotWildcard
                | Op::NotRegex
                | Op::NotIn
                | Op::NotBetween
                | Op::NotCidr
                | Op::NotExists
        )
    }

    /// The operator with the opposite meaning (`eq` ↔ `ne`, `in` ↔ `not_in`).
    /// Operators without a written opposite (`has_any`, `gt`, …) return `None`
    /// and stay under a [`Predicate::Not`].
    pub fn negated(self) -> Option<Op> {
        Some(match self {
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
            Op::Contains => Op::NotContains,
            Op::NotContains => Op::Contains,
            Op::StartsWith => Op::NotStartsWith,
            Op::NotStartsWith => Op::StartsWith,
            Op::EndsWith => Op::NotEndsWith,
            Op::NotEndsWith => Op::EndsWith,
            Op::Has => Op::NotHas,
            Op::NotHas => Op::Has,
            Op::HasPrefix => Op::NotHasPrefix,
            Op::NotHasPrefix => Op::HasPrefix,
            Op::HasSuffix => Op::NotHasSuffix,
            Op::NotHasSuffix => Op::HasSuffix,
            Op::Wildcard => Op::NotWildcard,
            Op::NotWildcard => Op::Wildcard,
            Op::Regex => Op::NotRegex,
            Op::NotRegex => Op::Regex,
            Op::In => Op::NotIn,
            Op::NotIn => Op::In,
            Op::Between => Op::NotBetween,
            Op::NotBetween => Op::Between,
            Op::Cidr => Op::NotCidr,
            Op::NotCidr => Op::Cidr,
            Op::Exists => Op::NotExists,
            Op::NotExists => Op::Exists,
            Op::HasAny | Op::HasAll | Op::Gt | Op::Ge | Op::Lt | Op::Le => return None,
        })
    }

    /// True for operators whose values are matched as text, so case
    /// sensitivity applies (`eq` on a string, `contains`, `regex`, …).
    pub fn is_textual(self) -> bool {
        !matches!(
            self,
            Op::Gt
                | Op::Ge
                | Op::Lt
                | Op::Le
                | Op::Between
                | Op::NotBetween
                | Op::Cidr
                | Op::NotCidr
                | Op::Exists
                | Op::NotExists
        )
    }

    /// The token used when rendering a comparison that does not carry the
    /// operator as written. KQL-like, because it is the most readable of the
    /// notations our users know.
    pub fn token(self, case_sensitive: Option<bool>) -> &'static str {
        let ci = case_sensitive == Some(false);
        let cs = case_sensitive == Some(true);
        match self {
            Op::Eq if ci => "=~",
            Op::Eq => "==",
            Op::Ne if ci => "!~",
            Op::Ne => "!=",
            Op::Contains if cs => "contains_cs",
            Op::Contains => "contains",
            Op::NotContains if cs => "!contains_cs",
            Op::NotContains => "!contains",
            Op::StartsWith if cs => "startswith_cs",
            Op::StartsWith => "startswith",
            Op::NotStartsWith if cs => "!startswith_cs",
            Op::NotStartsWith => "!startswith",
            Op::EndsWith if cs => "endswith_cs",
            Op::EndsWith => "endswith",
            Op::NotEndsWith if cs => "!endswith_cs",
            Op::NotEndsWith => "!endswith",
            Op::Has if cs => "has_cs",
            Op::Has => "has",
            Op::NotHas if cs => "!has_cs",
            Op::NotHas => "!has",
            Op::HasAny => "has_any",
            Op::HasAll => "has_all",
            Op::HasPrefix => "hasprefix",
            Op::NotHasPrefix => "!hasprefix",
            Op::HasSuffix => "hassuffix",
            Op::NotHasSuffix => "!hassuffix",
            Op::Wildcard if ci => "like~",
            Op::Wildcard => "like",
            Op::NotWildcard => "not like",
            Op::Regex => "matches regex",
            Op::NotRegex => "!matches regex",
            Op::In if ci => "in~",
            Op::In => "in",
            Op::NotIn if ci => "!in~",
            Op::NotIn => "!in",
            Op::Between => "between",
            Op::NotBetween => "!between",
            Op::Cidr => "in cidr",
            Op::NotCidr => "!in cidr",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Exists => "exists",
            Op::NotExists => "not exists",
        }
    }

    /// True for operators that take a list of values (`in`, `has_any`, …)
    /// and render it in parentheses even with one element.
    fn takes_list(self) -> bool {
        matches!(
            self,
            Op::In | Op::NotIn | Op::HasAny | Op::HasAll | Op::Cidr | Op::NotCidr
        )
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A field a predicate reads, with how it was derived when the rule computed
/// it from another field first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldRef {
    /// The field in the data source: the traced source field when the
    /// comparison is on a computed column and tracing succeeded, otherwise
    /// the column as written.
    pub name: String,
    /// Set when the comparison was on a column the rule computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derivation>,
}

impl FieldRef {
    /// The pseudo-field for field-less (keyword / full-text) matches.
    pub const ANY: &'static str = "*";

    /// A plain field.
    pub fn new(name: impl Into<String>) -> Self {
        FieldRef {
            name: name.into(),
            derived: None,
        }
    }

    /// The field-less reference used by keyword searches.
    pub fn any() -> Self {
        FieldRef::new(FieldRef::ANY)
    }

    /// The name as the rule wrote it at the comparison: the computed column
    /// for derived fields, the field otherwise.
    pub fn written(&self) -> &str {
        self.derived.as_ref().map_or(&self.name, |d| &d.column)
    }
}

impl From<&str> for FieldRef {
    fn from(s: &str) -> Self {
        FieldRef::new(s)
    }
}

/// How a computed column came from a source field (`extend x = tolower(F)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Derivation {
    /// The computed column the rule compares.
    pub column: String,
    /// The expression that computed it, as written (whitespace collapsed).
    pub expression: String,
    /// False when the column could not be traced to a single source field;
    /// then [`FieldRef::name`] is the column itself.
    pub traced: bool,
    /// True when the column is an aggregation result (`count_`,
    /// `dcount_User`): comparisons on it are thresholds, not indicators.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub aggregate: bool,
}

/// Where a comparison's values come from when they are not literals in the
/// comparison itself (a list built by a `let` binding, a watchlist, a lookup).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueSource {
    /// What provides the values.
    pub kind: ValueSourceKind,
    /// Its name (binding name, watchlist alias, lookup name, URL).
    pub name: String,
    /// The column of that source holding the values, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// Kinds of [`ValueSource`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSourceKind {
    /// A `let` binding (or another named sub-query) of the same rule.
    Binding,
    /// A Sentinel watchlist (`_GetWatchlist('alias')`).
    Watchlist,
    /// Data loaded from a URL at query time (`externaldata`).
    ExternalData,
    /// A lookup table or reference list (Splunk lookup, Chronicle list).
    Lookup,
    /// Another column of the same event.
    Column,
}

/// `field op values`: the leaf every indicator comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The field compared.
    pub field: FieldRef,
    /// The operator.
    pub op: Op,
    /// The literal values (one for `eq`, several for `in`, two for
    /// `between`, none for `exists` or when `values_from` provides them).
    pub values: Vec<Value>,
    /// `Some(true)` / `Some(false)` when the comparison is on text;
    /// `None` when case does not apply (numbers, ranges, existence).
    pub case_sensitive: Option<bool>,
    /// Set when the values come from a binding, watchlist or lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<ValueSource>,
    /// The operator as the rule wrote it (`=~`, `has_cs`, `|contains|all`),
    /// used when rendering so the text stays faithful. A function the rule
    /// called is written with `()` (`isnotnull()`, `ipv4_is_in_range()`) and
    /// rendered as a call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_op: Option<String>,
    /// Where the comparison is, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The named definition the comparison was written in, when it is not
    /// the rule's own text: the Splunk macro the search calls
    /// (`process_certutil`); `span` is then the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Comparison {
    /// A comparison with case sensitivity inferred: `Some(true)` when any
    /// value is a string and the operator is textual, else `None`. Use
    /// [`Comparison::case_sensitive`] to say otherwise.
    pub fn new(field: impl Into<FieldRef>, op: Op, values: Vec<Value>) -> Self {
        let textual = op.is_textual() && values.iter().any(Value::is_string);
        Comparison {
            field: field.into(),
            op,
            values,
            case_sensitive: textual.then_some(true),
            values_from: None,
            written_op: None,
            span: None,
            via: None,
        }
    }

    /// Set case sensitivity; ignored (kept `None`) when no value is a string
    /// and no `values_from` supplies strings, because numbers have no case.
    pub fn case_sensitive(mut self, sensitive: bool) -> Self {
        let textual = self.op.is_textual()
            && (self.values.iter().any(Value::is_string) || self.values_from.is_some());
        self.case_sensitive = textual.then_some(sensitive);
        self
    }

    /// Record the operator as written.
    pub fn written(mut self, op: impl Into<String>) -> Self {
        self.written_op = Some(op.into());
        self
    }

    /// Place the comparison in the file.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// The comparison comes from the named definition `name` (a macro).
    pub fn via(mut self, name: impl Into<String>) -> Self {
        self.via = Some(name.into());
        self
    }

    /// Values come from elsewhere.
    pub fn from_source(mut self, source: ValueSource) -> Self {
        self.values_from = Some(source);
        self
    }
}

/// `left op right` between two fields (`HomeTenantId != ResourceTenantId`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldComparison {
    /// Left field.
    pub left: FieldRef,
    /// Operator (`eq`, `ne`, `gt`, `contains`, …).
    pub op: Op,
    /// Right field.
    pub right: FieldRef,
    /// Case sensitivity when the fields are text and the language says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_sensitive: Option<bool>,
    /// The operator as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_op: Option<String>,
    /// Where the comparison is, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A function call used as a condition that the analysis keeps as a call
/// (no indicator is derived from it), with its arguments rendered as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// Function name as written.
    pub name: String,
    /// Arguments, each rendered as written (whitespace collapsed).
    pub args: Vec<String>,
    /// Where the call is, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A boolean condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Predicate {
    /// All must hold.
    And(Vec<Predicate>),
    /// Any must hold.
    Or(Vec<Predicate>),
    /// Must not hold.
    Not(Box<Predicate>),
    /// Field against literal values.
    Compare(Comparison),
    /// Field against field.
    FieldCompare(FieldComparison),
    /// A call kept as such.
    Call(Call),
    /// A condition the analysis does not model, as written.
    Opaque {
        /// The source text, whitespace collapsed.
        text: String,
        /// Where it is, in the file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
    },
}

impl Predicate {
    /// `And` of `items`, flattening nested `And`s; a single item is returned
    /// as is.
    pub fn and(items: Vec<Predicate>) -> Predicate {
        Predicate::join(items, true)
    }

    /// `Or` of `items`, flattening nested `Or`s; a single item is returned
    /// as is.
    pub fn or(items: Vec<Predicate>) -> Predicate {
        Predicate::join(items, false)
    }

    fn join(items: Vec<Predicate>, conjunction: bool) -> Predicate {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Predicate::And(inner) if conjunction => flat.extend(inner),
                Predicate::Or(inner) if !conjunction => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            return flat.pop().expect("one item");
        }
        if conjunction {
            Predicate::And(flat)
        } else {
            Predicate::Or(flat)
        }
    }

    /// `Not` of `p`; a double negation cancels.
    #[allow(clippy::should_implement_trait)]
    pub fn not(p: Predicate) -> Predicate {
        match p {
            Predicate::Not(inner) => *inner,
            other => Predicate::Not(Box::new(other)),
        }
    }

    /// An opaque condition from source text.
    pub fn opaque(text: &str, span: Option<Span>) -> Predicate {
        Predicate::Opaque {
            text: collapse_whitespace(text),
            span,
        }
    }

    /// Nesting depth (a leaf is 1). Useful to bound recursion in consumers.
    pub fn depth(&self) -> usize {
        match self {
            Predicate::And(items) | Predicate::Or(items) => {
                1 + items.iter().map(Predicate::depth).max().unwrap_or(0)
            }
            Predicate::Not(inner) => 1 + inner.depth(),
            _ => 1,
        }
    }

    /// Visit every comparison leaf with its negation parity (true under an
    /// odd number of `Not`s). Iterative, so any depth is safe.
    pub fn visit_leaves<'a>(&'a self, mut f: impl FnMut(&'a Predicate, bool)) {
        let mut stack: Vec<(&Predicate, bool)> = vec![(self, false)];
        while let Some((p, negated)) = stack.pop() {
            match p {
                Predicate::And(items) | Predicate::Or(items) => {
                    stack.extend(items.iter().rev().map(|i| (i, negated)));
                }
                Predicate::Not(inner) => stack.push((inner, !negated)),
                leaf => f(leaf, negated),
            }
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Predicate::Or(_) => 1,
            Predicate::And(_) => 2,
            _ => 3,
        }
    }

    fn write_child(&self, out: &mut String, parent: u8) {
        if self.precedence() < parent {
            out.push('(');
            self.write(out);
            out.push(')');
        } else {
            self.write(out);
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Predicate::And(items) | Predicate::Or(items) => {
                let (sep, prec) = if matches!(self, Predicate::And(_)) {
                    (" and ", 2)
                } else {
                    (" or ", 1)
                };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    // `a and (b and c)` cannot occur after flattening, but an
                    // `Or` under an `And` needs parentheses.
                    item.write_child(out, prec + 1);
                }
            }
            Predicate::Not(inner) => {
                out.push_str("not(");
                inner.write(out);
                out.push(')');
            }
            Predicate::Compare(c) => write_comparison(out, c),
            Predicate::FieldCompare(c) => {
                let token = c
                    .written_op
                    .as_deref()
                    .unwrap_or_else(|| c.op.token(c.case_sensitive));
                let _ = write!(out, "{} {} {}", c.left.written(), token, c.right.written());
            }
            Predicate::Call(call) => {
                let _ = write!(out, "{}({})", call.name, call.args.join(", "));
            }
            Predicate::Opaque { text, .. } => out.push_str(text),
        }
    }
}

fn write_comparison(out: &mut String, c: &Comparison) {
    let field = c.field.written();
    let token = c
        .written_op
        .as_deref()
        .unwrap_or_else(|| c.op.token(c.case_sensitive));
    // A written operator ending in `()` is a function the rule called:
    // render the call (`isnotnull(x)`, `ipv4_is_in_range(ip, "10.0.0.0/8")`).
    if let Some(function) = token.strip_suffix("()") {
        let _ = write!(out, "{function}({field}");
        // Values from a binding were written as the binding's name.
        if let Some(source) = &c.values_from {
            out.push_str(", ");
            write_source(out, source);
        } else {
            for v in &c.values {
                let _ = write!(out, ", {v}");
            }
        }
        out.push(')');
        return;
    }
    if matches!(c.op, Op::Exists | Op::NotExists) {
        let _ = write!(out, "{field} {token}");
        return;
    }
    let _ = write!(out, "{field} {token} ");
    if let Some(source) = &c.values_from {
        write_source(out, source);
        return;
    }
    match c.op {
        Op::Between | Op::NotBetween if c.values.len() == 2 => {
            let _ = write!(out, "({} .. {})", c.values[0], c.values[1]);
        }
        op if op.takes_list() || c.values.len() != 1 => {
            out.push('(');
            for (i, v) in c.values.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{v}");
            }
            out.push(')');
        }
        _ => {
            let _ = write!(out, "{}", c.values[0]);
        }
    }
}

/// `<column from binding name>`: values the rule takes from elsewhere.
fn write_source(out: &mut String, source: &ValueSource) {
    let _ = match (&source.column, source.kind) {
        (Some(col), ValueSourceKind::Binding) => {
            write!(out, "<{col} from binding {}>", source.name)
        }
        (Some(col), _) => write!(out, "<{col} from {}>", source.name),
        (None, ValueSourceKind::Binding) => write!(out, "<binding {}>", source.name),
        (None, _) => write!(out, "<{}>", source.name),
    };
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

/// Collapse runs of whitespace (including newlines) to single spaces and trim.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(field: &str, op: Op, v: Value) -> Predicate {
        Predicate::Compare(Comparison::new(field, op, vec![v]))
    }

    #[test]
    fn renders_precedence_with_parentheses() {
        let p = Predicate::and(vec![
            cmp("A", Op::Eq, 1.into()),
            Predicate::or(vec![
                cmp("B", Op::Has, "x".into()),
                cmp("C", Op::Gt, 2.into()),
            ]),
        ]);
        assert_eq!(p.to_string(), r#"A == 1 and (B has_cs "x" or C > 2)"#);
    }

    #[test]
    fn and_flattens_and_not_cancels() {
        let p = Predicate::and(vec![Predicate::and(vec![
            cmp("A", Op::Eq, 1.into()),
            cmp("B", Op::Eq, 2.into()),
        ])]);
        assert!(matches!(&p, Predicate::And(items) if items.len() == 2));
        let q = Predicate::not(Predicate::not(cmp("A", Op::Eq, 1.into())));
        assert!(matches!(q, Predicate::Compare(_)));
    }

    #[test]
    fn written_function_is_kept_for_existence() {
        let c = Comparison::new("isipv4", Op::Exists, vec![]).written("isnotnull()");
        assert_eq!(Predicate::Compare(c).to_string(), "isnotnull(isipv4)");
        let c = Comparison::new("ip", Op::Cidr, vec!["10.0.0.0/8".into()])
            .written("ipv4_is_in_range()");
        assert_eq!(
            Predicate::Compare(c).to_string(),
            r#"ipv4_is_in_range(ip, "10.0.0.0/8")"#
        );
        assert_eq!(
            Predicate::Compare(Comparison::new("x", Op::Exists, vec![])).to_string(),
            "x exists"
        );
    }

    #[test]
    fn numbers_have_no_case() {
        let c = Comparison::new("EventID", Op::Eq, vec![4624.into()]).case_sensitive(false);
        assert_eq!(c.case_sensitive, None);
        let c = Comparison::new("App", Op::Eq, vec!["x".into()]).case_sensitive(false);
        assert_eq!(c.case_sensitive, Some(false));
    }

    #[test]
    fn lists_render_in_parentheses() {
        let c = Comparison::new("X", Op::In, vec!["a".into(), "b".into()]).case_sensitive(false);
        assert_eq!(Predicate::Compare(c).to_string(), r#"X in~ ("a", "b")"#);
    }

    #[test]
    fn values_from_a_binding_name_their_source() {
        let c = Comparison::new("IPAddress", Op::Cidr, vec![]).from_source(ValueSource {
            kind: ValueSourceKind::Binding,
            name: "azure_ranges".into(),
            column: Some("list_values".into()),
        });
        assert_eq!(
            Predicate::Compare(c).to_string(),
            "IPAddress in cidr <list_values from binding azure_ranges>"
        );
    }

    #[test]
    fn op_names_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(op));
            assert_eq!(
                serde_json::to_string(&op).unwrap(),
                format!("\"{}\"", op.name())
            );
            if let Some(n) = op.negated() {
                assert_eq!(n.negated(), Some(op));
                assert_ne!(n.is_negative(), op.is_negative());
            }
        }
    }

    #[test]
    fn deep_trees_visit_without_recursion() {
        let mut p = cmp("A", Op::Eq, 1.into());
        for _ in 0..100_000 {
            p = Predicate::Not(Box::new(p));
        }
        let mut seen = 0;
        p.visit_leaves(|_, negated| {
            assert!(!negated);
            seen += 1;
        });
        assert_eq!(seen, 1);
        // Dropping a 100k-deep Box chain recursively could overflow; forget it.
        std::mem::forget(p);
    }
}
