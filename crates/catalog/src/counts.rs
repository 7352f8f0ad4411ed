//! Corpus counts: for every indicator value, how many *other* rules match
//! the same normalized (field, kind, value).

use crate::catalog::Entry;
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
