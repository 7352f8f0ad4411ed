//! Normalization: what makes indicators and log sources comparable across
//! languages.

use ruledex_ir::{IndicatorKind, Op, Rule};

/// Normalizes fields, kinds and log sources of rules.
#[derive(Default)]
pub struct Normalizer {}

impl Normalizer {
    /// The normalizer with the embedded log-source and field tables.
    pub fn new() -> Self {
        Normalizer {}
    }

    /// The normalized log sources a rule reads.
    pub fn logsources(&self, rule: &Rule) -> Vec<String> {
        let mut ids: Vec<String> = rule
            .data_sources
            .iter()
            .filter_map(|d| d.logsource.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The key of `field` as written in `rule`: its canonical name when the
    /// field tables know it, else the name scoped to the rule's log source.
    pub fn field_key(&self, rule_logsources: &[String], field: &str) -> String {
        let scope = rule_logsources.first().map_or("-", String::as_str);
        format!("{scope}:{}", field.to_ascii_lowercase())
    }
}

/// The family of an indicator kind for cross-rule comparison: a list
/// membership is equality with each value (`in` ≈ `eq`), `has_any` is `has`
/// per term, and so on, so `X in ("a", "b")` and `X == "a"` share an
/// indicator.
pub fn kind_family(kind: IndicatorKind) -> String {
    let family = |op: Op| match op {
        Op::In => Op::Eq,
        Op::NotIn => Op::Ne,
        Op::HasAny | Op::HasAll => Op::Has,
        other => other,
    };
    match kind {
        IndicatorKind::Value(op) => IndicatorKind::Value(family(op)).name(),
        IndicatorKind::Field(op) => IndicatorKind::Field(op).name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_kinds_fold_into_their_single_value_family() {
        assert_eq!(kind_family(IndicatorKind::Value(Op::In)), "eq");
        assert_eq!(kind_family(IndicatorKind::Value(Op::HasAny)), "has");
        assert_eq!(kind_family(IndicatorKind::Value(Op::NotIn)), "ne");
        assert_eq!(kind_family(IndicatorKind::Field(Op::Ne)), "field_ne");
    }
}
