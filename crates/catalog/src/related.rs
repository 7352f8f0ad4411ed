//! Related rules: rules in any language that watch the same action.
//!
//! Two rules are related when they share an action: the same log source and
//! operation (`aws.cloudtrail`, `signin.amazonaws.com:ConsoleLogin`), or,
//! ranked lower, the same log source where at least one of them filters no
//! operation. Every link says why.

use crate::entry::Entry;
use crate::normalize::Action;
use ruledex_logsource::LogSources;
use std::collections::HashMap;

/// How strongly two rules are related.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelatedRank {
    /// Both filter the same operation on the same log source.
    SameOperation,
    /// Both read the same log source; one of them filters no operation.
    SameLogSource,
}

/// One related rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Position of the related rule in the catalog.
    pub position: usize,
    /// How strongly.
    pub rank: RelatedRank,
    /// Why, in words: `both filter AWS CloudTrail eventName = ConsoleLogin`.
    pub reason: String,
}

/// Rules by action and by log source.
#[derive(Default)]
pub struct RelatedIndex {
    by_operation: HashMap<(String, String), Vec<usize>>,
    by_logsource: HashMap<String, Vec<usize>>,
}

impl RelatedIndex {
    /// Index the actions of `entries`.
    pub fn build(entries: &[Entry]) -> Self {
        let mut index = RelatedIndex::default();
        for (position, entry) in entries.iter().enumerate() {
            for action in &entry.actions {
                let list = index
                    .by_logsource
                    .entry(action.logsource.clone())
                    .or_default();
                if list.last() != Some(&position) {
                    list.push(position);
                }
                if let Some(op) = &action.operation {
                    let list = index
                        .by_operation
                        .entry((action.logsource.clone(), op.clone()))
                        .or_default();
                    if list.last() != Some(&position) {
                        list.push(position);
                    }
                }
            }
        }
        index
    }

    /// Rules (positions) filtering operation `operation` on `logsource`.
    pub fn with_operation(&self, logsource: &str, operation: &str) -> &[usize] {
        self.by_operation
            .get(&(logsource.to_string(), operation.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Rules (positions) reading `logsource`.
    pub fn with_logsource(&self, logsource: &str) -> &[usize] {
        self.by_logsource.get(logsource).map_or(&[], Vec::as_slice)
    }

    /// Every operation seen on `logsource`, with its rules.
    pub fn operations(&self, logsource: &str) -> Vec<(&str, &[usize])> {
        let mut ops: Vec<(&str, &[usize])> = self
            .by_operation
            .iter()
            .filter(|((ls, _), _)| ls == logsource)
            .map(|((_, op), rules)| (op.as_str(), rules.as_slice()))
            .collect();
        ops.sort();
        ops
    }

    /// Every rule related to the rule at `position`, strongest first, then
    /// other languages before the rule's own, then by title. Nothing is cut:
    /// callers that show a page decide how many to list and say how many more
    /// there are.
    pub fn related(
        &self,
        entries: &[Entry],
        position: usize,
        sources: &LogSources,
    ) -> Vec<Related> {
        let Some(me) = entries.get(position) else {
            return Vec::new();
        };
        let mut found: HashMap<usize, Related> = HashMap::new();
        let name = |ls: &str| {
            sources
                .get(ls)
                .map_or_else(|| ls.to_string(), |s| s.name.clone())
        };
        for action in &me.actions {
            if let Some(op) = &action.operation {
                for &other in self.with_operation(&action.logsource, op) {
                    if other == position
                        || found
                            .get(&other)
                            .is_some_and(|r| r.rank == RelatedRank::SameOperation)
                    {
                        continue;
                    }
                    let reason =
                        operation_reason(action, &entries[other], &name(&action.logsource));
                    found.insert(
                        other,
                        Related {
                            position: other,
                            rank: RelatedRank::SameOperation,
                            reason,
                        },
                    );
                }
            }
        }
        for action in &me.actions {
            let mine_has_op = action.operation.is_some();
            for &other in self.with_logsource(&action.logsource) {
                if other == position || found.contains_key(&other) {
                    continue;
                }
                // Two rules filtering *different* operations on one log
                // source watch different actions; a rule without an
                // operation filter watches them all.
                let theirs_have_op = entries[other]
                    .actions
                    .iter()
                    .filter(|a| a.logsource == action.logsource)
                    .all(|a| a.operation.is_some());
                if mine_has_op && theirs_have_op {
                    continue;
                }
                let reason = format!("both read {}", name(&action.logsource));
                found.insert(
                    other,
                    Related {
                        position: other,
                        rank: RelatedRank::SameLogSource,
                        reason,
                    },
                );
            }
        }
        let mut related: Vec<Related> = found.into_values().collect();
        related.sort_by(|a, b| {
            let same_lang = |r: &Related| entries[r.position].rule.language == me.rule.language;
            a.rank
                .cmp(&b.rank)
                .then(same_lang(a).cmp(&same_lang(b)))
                .then_with(|| {
                    entries[a.position]
                        .rule
                        .title
                        .cmp(&entries[b.position].rule.title)
                })
                .then(a.position.cmp(&b.position))
        });
        related
    }
}

/// `both filter AWS CloudTrail eventName = ConsoleLogin`, naming the other
/// rule's field too when it writes it differently.
fn operation_reason(mine: &Action, other: &Entry, logsource_name: &str) -> String {
    let field = mine.field.as_deref().unwrap_or("operation");
    let value = mine
        .operation_name()
        .or(mine.value.as_deref())
        .unwrap_or_default();
    let theirs = other
        .actions
        .iter()
        .find(|a| a.logsource == mine.logsource && a.operation == mine.operation)
        .and_then(|a| a.field.as_deref());
    match theirs {
        Some(f) if f != field => {
            format!("both filter {logsource_name} {field} = {value} ({f} there)")
        }
        _ => format!("both filter {logsource_name} {field} = {value}"),
    }
}
