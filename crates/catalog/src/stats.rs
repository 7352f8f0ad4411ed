//! Coverage statistics of the catalog's normalization, per language.

use crate::entry::Entry;
use ruledex_ir::Language;
use ruledex_logsource::{Category, LogSources};
use std::collections::BTreeMap;

/// How far normalization got for one language.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LanguageStats {
    /// Language id.
    pub language: &'static str,
    /// Rules.
    pub rules: usize,
    /// Rules with no query to analyze and no error: machine-learning jobs,
    /// Panther specs whose program is not in the source. They are not
    /// counted as parsed (as in `ruledex check`): nothing of them was.
    pub without_query: usize,
    /// Rules with a query and without error diagnostics.
    pub parsed: usize,
    /// Rules with at least one resolved log source.
    pub with_logsource: usize,
    /// Rules with an operation-level action.
    pub with_action: usize,
    /// Parsed rules with at least one behaviour key finer than their log
    /// source that they select on (see [`crate::behaviour`]).
    pub with_behaviour: usize,
    /// Rules on cloud, identity or SaaS log sources.
    pub cloud_rules: usize,
    /// Of those, rules with an operation-level action or on a log source
    /// whose every event is the action (sign-ins).
    pub cloud_with_action: usize,
    /// Rules reading Windows events (a `windows.` log source, a Windows
    /// event provider or a Defender device table); counted only with an
    /// event dictionary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows_rules: Option<usize>,
    /// Of those, rules mapped to at least one dictionary event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows_with_event: Option<usize>,
}

/// Normalization coverage of `entries` per language, in language order.
pub fn language_stats(
    entries: &[Entry],
    table: &LogSources,
    related: &crate::related::RelatedIndex,
    events: Option<&crate::events::EventIndex>,
) -> Vec<LanguageStats> {
    let mut by_language: BTreeMap<Language, LanguageStats> = BTreeMap::new();
    for (position, entry) in entries.iter().enumerate() {
        let s = by_language
            .entry(entry.rule.language)
            .or_insert_with(|| LanguageStats {
                language: entry.rule.language.id(),
                ..LanguageStats::default()
            });
        s.rules += 1;
        if let Some(events) = events {
            let windows = events.is_windows(position);
            *s.windows_rules.get_or_insert(0) += usize::from(windows);
            *s.windows_with_event.get_or_insert(0) +=
                usize::from(windows && !events.of_rule(position).is_empty());
        }
        let without_query = entry.rule.query.is_none() && entry.rule.parsed();
        let parsed = entry.rule.parsed() && !without_query;
        s.without_query += usize::from(without_query);
        s.parsed += usize::from(parsed);
        s.with_behaviour +=
            usize::from(parsed && related.rule_keys(position).iter().any(|k| !k.exclusion));
        s.with_logsource += usize::from(!entry.logsources.is_empty());
        let has_operation = entry.actions.iter().any(|a| a.operation.is_some());
        s.with_action += usize::from(has_operation);
        let cloud: Vec<_> = entry
            .logsources
            .iter()
            .filter_map(|id| table.get(id))
            .filter(|ls| {
                matches!(
                    ls.category,
                    Category::Cloud | Category::Identity | Category::Saas
                )
            })
            .collect();
        if !cloud.is_empty() {
            s.cloud_rules += 1;
            let action_source = cloud.iter().any(|ls| ls.is_action());
            s.cloud_with_action += usize::from(has_operation || action_source);
        }
    }
    by_language.into_values().collect()
}
