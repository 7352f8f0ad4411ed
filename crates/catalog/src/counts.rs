//! Corpus counts: for every indicator value, how many *other* rules match
//! the same normalized (field, kind, value).

use crate::entry::Entry;
use crate::normalize::{kind_family, Normalizer};
use ruledex_ir::{Indicator, Language, Rule};
use std::collections::{BTreeMap, HashMap};

/// How many other rules share one indicator value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndicatorCounts {
    /// The normalized key `field|kind|value` (links to the indicator page).
    pub key: String,
    /// Other rules with the same key.
    pub total: usize,
    /// The same, per language.
    pub per_language: BTreeMap<Language, usize>,
}

/// The normalized key of every indicator value of every rule, and the rules
/// holding each key.
#[derive(Default)]
pub struct IndicatorIndex {
    /// `keys[rule][indicator][value]`.
    keys: Vec<Vec<Vec<String>>>,
    /// Key → rules (positions, ascending, each once) with their language.
    postings: HashMap<String, Vec<(u32, Language)>>,
}

impl IndicatorIndex {
    /// Index every indicator value of `entries`.
    pub fn build(entries: &[Entry], normalizer: &Normalizer) -> Self {
        let mut index = IndicatorIndex::default();
        for (position, entry) in entries.iter().enumerate() {
            let per_rule: Vec<Vec<String>> = entry
                .rule
                .indicators
                .iter()
                .map(|indicator| value_keys(&entry.rule, indicator, &entry.logsources, normalizer))
                .collect();
            for key in per_rule.iter().flatten() {
                let posting = index.postings.entry(key.clone()).or_default();
                if posting.last().is_none_or(|(p, _)| *p != position as u32) {
                    posting.push((position as u32, entry.rule.language));
                }
            }
            index.keys.push(per_rule);
        }
        index
    }

    /// Counts for each value of indicator `indicator` of the rule at
    /// `position` (empty when out of range).
    pub fn counts(&self, position: usize, indicator: usize) -> Vec<IndicatorCounts> {
        let Some(keys) = self.keys.get(position).and_then(|r| r.get(indicator)) else {
            return Vec::new();
        };
        keys.iter()
            .map(|key| {
                let mut counts = IndicatorCounts {
                    key: key.clone(),
                    ..IndicatorCounts::default()
                };
                for (other, language) in self
                    .postings
                    .get(key)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    if *other as usize != position {
                        counts.total += 1;
                        *counts.per_language.entry(*language).or_default() += 1;
                    }
                }
                counts
            })
            .collect()
    }

    /// The normalized keys (`field|kind|value`) of the values of indicator
    /// `indicator` of the rule at `position`, in value order; empty when out
    /// of range. Each is a key [`IndicatorIndex::rules_with`] accepts, so a
    /// page can link a value to the rules sharing it.
    pub fn keys_of(&self, position: usize, indicator: usize) -> &[String] {
        self.keys
            .get(position)
            .and_then(|r| r.get(indicator))
            .map_or(&[], Vec::as_slice)
    }

    /// How many rules (this one included) hold normalized key `key`.
    pub fn rule_count(&self, key: &str) -> usize {
        self.postings.get(key).map_or(0, Vec::len)
    }

    /// Rules (positions) holding normalized key `key`.
    pub fn rules_with(&self, key: &str) -> Vec<usize> {
        self.postings
            .get(key)
            .map_or_else(Vec::new, |p| p.iter().map(|(i, _)| *i as usize).collect())
    }

    /// Every key with the number of rules holding it.
    pub fn keys(&self) -> impl Iterator<Item = (&str, usize)> {
        self.postings.iter().map(|(k, v)| (k.as_str(), v.len()))
    }
}

/// `field|kind|value` for each value of `indicator`. Values are normalized
/// for case when the indicator is case-insensitive.
fn value_keys(
    rule: &Rule,
    indicator: &Indicator,
    logsources: &[String],
    normalizer: &Normalizer,
) -> Vec<String> {
    let field = normalizer.field_key(rule, logsources, &indicator.field);
    let kind = kind_family(indicator.kind);
    indicator
        .value_keys()
        .into_iter()
        .map(|value| format!("{field}|{kind}|{value}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruledex_ir::{collect_indicators, Comparison, Op, Predicate, Span, Stage, Value};

    fn entry(language: Language, values: &[&str]) -> Entry {
        let mut stage = Stage::new("where", "", Span::default());
        stage.predicate = Some(Predicate::Compare(
            Comparison::new(
                "AppDisplayName",
                Op::In,
                values.iter().map(|v| Value::from(*v)).collect(),
            )
            .case_sensitive(false),
        ));
        let stages = vec![stage];
        Entry {
            key: String::new(),
            rule: Rule {
                language,
                indicators: collect_indicators(&[], &stages),
                stages,
                ..Rule::default()
            },
            source: 0,
            logsources: vec!["azure.signin".into()],
            actions: Vec::new(),
            attack: Vec::new(),
            cells: Default::default(),
        }
    }

    #[test]
    fn keys_of_a_value_lead_to_the_rules_sharing_it() {
        let entries = vec![
            entry(Language::Kql, &["Azure Portal", "Graph"]),
            entry(Language::Sigma, &["azure portal"]),
        ];
        let index = IndicatorIndex::build(&entries, &Normalizer::new());
        let keys = index.keys_of(0, 0);
        assert_eq!(keys.len(), 2);
        // Case-insensitive values share a key across rules and languages.
        assert_eq!(keys[0], index.keys_of(1, 0)[0]);
        assert_eq!(index.rules_with(&keys[0]), vec![0, 1]);
        assert_eq!(index.rule_count(&keys[0]), 2);
        assert_eq!(index.rule_count(&keys[1]), 1);
        assert!(index.keys_of(0, 5).is_empty() && index.keys_of(9, 0).is_empty());
        let counts = index.counts(0, 0);
        assert_eq!(counts[0].total, 1);
        assert_eq!(counts[0].per_language.get(&Language::Sigma), Some(&1));
    }
}
