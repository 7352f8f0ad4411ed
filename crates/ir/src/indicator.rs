//! Indicators: the (field, kind, values) a rule matches, extracted from its
//! predicates in one place for every language.

use crate::predicate::{Derivation, Op, Predicate, ValueSource};
use crate::span::Span;
use crate::value::Value;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What an indicator matches: a value operator (`eq`, `contains`, …) or a
/// comparison against another field (`field_eq`, `field_ne`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndicatorKind {
    /// Field against literal values.
    Value(Op),
    /// Field against another field; the other field is the indicator's only
    /// value.
    Field(Op),
}

impl IndicatorKind {
    /// The operator, whichever side it compares against.
    pub fn op(self) -> Op {
        match self {
            IndicatorKind::Value(op) | IndicatorKind::Field(op) => op,
        }
    }

    /// The name used in JSON and on pages: `eq`, `not_in`, `field_ne`, …
    pub fn name(self) -> String {
        match self {
            IndicatorKind::Value(op) => op.name().to_string(),
            IndicatorKind::Field(op) => format!("field_{}", op.name()),
        }
    }

    /// Parse a name produced by [`IndicatorKind::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        match name.strip_prefix("field_") {
            Some(rest) => Op::from_name(rest).map(IndicatorKind::Field),
            None => Op::from_name(name).map(IndicatorKind::Value),
        }
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for IndicatorKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for IndicatorKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        IndicatorKind::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown indicator kind `{name}`")))
    }
}

/// Which stage an indicator (or output) came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StageRef {
    /// The binding the stage belongs to; `None` for the main query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    /// 0-based index of the stage in its pipeline.
    pub index: usize,
}

/// One thing a rule matches on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// The field (traced to its source field when it was computed).
    pub field: String,
    /// What kind of match.
    pub kind: IndicatorKind,
    /// The values, each with its literal type. For `field_*` kinds, the
    /// other field's name.
    pub values: Vec<Value>,
    /// `true`/`false` for text matches; `null` where case does not apply.
    pub case_sensitive: Option<bool>,
    /// True under an odd number of enclosing negations (`not(...)`, Sigma
    /// `not selection`). A negative operator such as `!=` is the kind, not a
    /// negation.
    pub negated: bool,
    /// True when the rule *excludes* what this indicator matches: a negative
    /// comparison against values not cancelled by a negation, or any
    /// comparison under a negation. A field compared with another field is
    /// what the rule looks for, not what it leaves out (`HomeTenantId !=
    /// ResourceTenantId` selects cross-tenant sign-ins): it is an exclusion
    /// only under a negation.
    pub exclusion: bool,
    /// Set when the field was computed by the rule and traced back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derivation>,
    /// Set when the values come from a binding, watchlist or lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<ValueSource>,
    /// The stage the indicator belongs to.
    pub stage: StageRef,
    /// Where the comparison is, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The named definition (a Splunk macro) the comparison was written
    /// in, when it is not the rule's own text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Indicator {
    /// The normalized key `(field, kind, value)` for each value, used for
    /// corpus counts: values of case-insensitive indicators are lowercased.
    /// Field normalization across vocabularies is the catalog's job; this
    /// only lowercases nothing and keeps the field as written.
    pub fn value_keys(&self) -> Vec<String> {
        let cs = self.case_sensitive.unwrap_or(true);
        self.values.iter().map(|v| v.normalized(cs)).collect()
    }
}

/// Extract the indicators of a predicate that belongs to `stage`.
///
/// Every [`Predicate::Compare`] and [`Predicate::FieldCompare`] leaf becomes
/// one indicator; calls and opaque conditions become none.
pub fn indicators_of(predicate: &Predicate, stage: &StageRef) -> Vec<Indicator> {
    let mut out = Vec::new();
    predicate.visit_leaves(|leaf, negated| match leaf {
        Predicate::Compare(c) => out.push(Indicator {
            field: c.field.name.clone(),
            kind: IndicatorKind::Value(c.op),
            values: c.values.clone(),
            case_sensitive: c.case_sensitive,
            negated,
            exclusion: negated != c.op.is_negative(),
            derived: c.field.derived.clone(),
            values_from: c.values_from.clone(),
            stage: stage.clone(),
            span: c.span,
            via: c.via.clone(),
        }),
        Predicate::FieldCompare(c) => out.push(Indicator {
            field: c.left.name.clone(),
            kind: IndicatorKind::Field(c.op),
            values: vec![Value::String(c.right.name.clone())],
            case_sensitive: c.case_sensitive,
            negated,
            exclusion: negated,
            derived: c.left.derived.clone(),
            values_from: None,
            stage: stage.clone(),
            span: c.span,
            via: None,
        }),
        _ => {}
    });
    out
}

impl StageRef {
    /// Stage `index` of the main query.
    pub fn main(index: usize) -> Self {
        StageRef {
            binding: None,
            index,
        }
    }

    /// Stage `index` of binding `name`.
    pub fn binding(name: &str, index: usize) -> Self {
        StageRef {
            binding: Some(name.to_string()),
            index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predicate::{Comparison, FieldComparison};

    #[test]
    fn negation_and_exclusion() {
        let p = Predicate::and(vec![
            Predicate::Compare(Comparison::new("A", Op::Ne, vec!["x".into()])),
            Predicate::not(Predicate::Compare(Comparison::new(
                "B",
                Op::In,
                vec!["y".into()],
            ))),
            Predicate::not(Predicate::Compare(Comparison::new(
                "C",
                Op::NotIn,
                vec!["z".into()],
            ))),
            Predicate::FieldCompare(FieldComparison {
                left: "Home".into(),
                op: Op::Ne,
                right: "Resource".into(),
                case_sensitive: None,
                written_op: None,
                span: None,
            }),
        ]);
        let found = indicators_of(&p, &StageRef::main(2));
        let summary: Vec<_> = found
            .iter()
            .map(|i| (i.field.as_str(), i.kind.name(), i.negated, i.exclusion))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("A", "ne".to_string(), false, true),
                ("B", "in".to_string(), true, true),
                ("C", "not_in".to_string(), true, false),
                ("Home", "field_ne".to_string(), false, false),
            ]
        );
        assert_eq!(found[3].values, vec![Value::from("Resource")]);
    }

    #[test]
    fn field_comparisons_are_exclusions_only_when_negated() {
        let compare = |op| {
            Predicate::FieldCompare(FieldComparison {
                left: "Home".into(),
                op,
                right: "Resource".into(),
                case_sensitive: None,
                written_op: None,
                span: None,
            })
        };
        let p = Predicate::and(vec![
            compare(Op::Ne),
            compare(Op::Eq),
            Predicate::not(compare(Op::Eq)),
            Predicate::not(compare(Op::Ne)),
        ]);
        let exclusions: Vec<_> = indicators_of(&p, &StageRef::main(0))
            .iter()
            .map(|i| (i.kind.name(), i.negated, i.exclusion))
            .collect();
        assert_eq!(
            exclusions,
            vec![
                ("field_ne".to_string(), false, false),
                ("field_eq".to_string(), false, false),
                ("field_eq".to_string(), true, true),
                ("field_ne".to_string(), true, true),
            ]
        );
    }

    #[test]
    fn kind_names_round_trip() {
        for op in Op::ALL {
            for kind in [IndicatorKind::Value(op), IndicatorKind::Field(op)] {
                assert_eq!(IndicatorKind::from_name(&kind.name()), Some(kind));
            }
        }
    }
}
