//! Filters: what a rule requires a field to be, as the log-source table
//! needs it.

use crate::text::value_text;
use ruledex_ir::{Indicator, IndicatorKind, Op};

/// A positive filter of a rule: `field` equals one of `values`.
///
/// Built from a rule's indicators with [`Filter::from_indicators`], or by
/// hand (the catalog may add what a language implies, such as EQL's
/// `process where` meaning `event.category == "process"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// The field as the rule writes it.
    pub field: String,
    /// Values the field is required to have (any of them).
    pub values: Vec<String>,
}

impl Filter {
    /// `field` is one of `values`.
    pub fn new<I, S>(field: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Filter {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// The positive filters among `indicators` that the rule does not
    /// exclude: `eq`, `in`, `has`, `has_any` and wildcard matches as
    /// written; `contains`, `startswith` and `endswith` as the globs they
    /// mean (`*squid*`, `Microsoft.*`, `*/write`), which table conditions
    /// compare like any wildcard value. Negated indicators and exclusions
    /// say what the rule does *not* look at, so they never pick a log
    /// source.
    pub fn from_indicators(indicators: &[Indicator]) -> Vec<Filter> {
        let mut out: Vec<Filter> = Vec::new();
        for indicator in indicators {
            let IndicatorKind::Value(op) = indicator.kind else {
                continue;
            };
            if indicator.negated || indicator.exclusion {
                continue;
            }
            let pattern: fn(String) -> String = match op {
                Op::Eq | Op::In | Op::Has | Op::HasAny | Op::Wildcard => |v| v,
                Op::Contains => |v| format!("*{v}*"),
                Op::StartsWith => |v| format!("{v}*"),
                Op::EndsWith => |v| format!("*{v}"),
                _ => continue,
            };
            let values: Vec<String> = indicator
                .values
                .iter()
                .filter_map(value_text)
                .filter(|v| !v.is_empty())
                .map(pattern)
                .collect();
            if values.is_empty() {
                continue;
            }
            match out.iter_mut().find(|f| f.field == indicator.field) {
                Some(existing) => existing.values.extend(values),
                None => out.push(Filter {
                    field: indicator.field.clone(),
                    values,
                }),
            }
        }
        out
    }
}
