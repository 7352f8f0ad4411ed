//! Log sources read off a rule's fields, for rules that do not say theirs.
//!
//! A Lucene query, an EQL `any where`, a Splunk search without `sourcetype`
//! or an ES|QL `from *` names no log source, or so many that none of them
//! means anything. Their field names still do: `EventLog` and `OpNum` are the
//! RPC Firewall's, `eventSource` and `eventName` CloudTrail's. Field meaning
//! depends on the log source, so without one such a rule shares no key with
//! the rules on the same events. Here the catalog votes: every rule that
//! does name a log source tells which log sources each field name is used
//! on, and a rule without one is read on the log source its fields point to.
//! Votes are counted per field vocabulary: the same name means different
//! things in different languages (ASIM's `EventType` is not Okta's
//! `eventType`), so a rule hears only the vocabularies its own field lookup
//! tries ([`Vocabulary::lookup_order`]: an Elastic query, its own and
//! Sigma's, whose names pySigma's backends pass through).
//!
//! The inferred log source is used for behaviour keys only (see
//! [`crate::behaviour::rule_keys`]): pages and statistics show what the rule
//! itself says.
//!
//! ```
//! use ruledex_catalog::infer::FieldVotes;
//! use ruledex_logsource::Vocabulary;
//!
//! let mut votes = FieldVotes::default();
//! let sigma = Vocabulary::Sigma;
//! votes.add(sigma, ["EventLog", "OpNum"], &["windows.rpc_firewall".to_string()]);
//! votes.add(sigma, ["CommandLine", "Image"], &["windows.process_creation".to_string()]);
//! votes.add(Vocabulary::Sentinel, ["EventType"], &["asim.process".to_string()]);
//! votes.add(sigma, ["eventType"], &["okta.system".to_string()]);
//!
//! // An Elastic query reads ECS names and the Sigma names backends pass through.
//! let ecs = Vocabulary::Ecs;
//! assert_eq!(votes.infer(ecs, ["OpNum", "InterfaceUuid"], &[]), ["windows.rpc_firewall"]);
//! assert_eq!(votes.infer(ecs, ["eventType"], &[]), ["okta.system"]);
//! assert!(votes.infer(ecs, ["Unheard"], &[]).is_empty());
//! // Splunk's CIM vocabulary does not hear Sentinel's columns.
//! assert_eq!(votes.infer(Vocabulary::Cim, ["EventType"], &[]), ["okta.system"]);
//!
//! // A field written on two log sources alike is read on both.
//! votes.add(sigma, ["operationName"], &["azure.activity".to_string()]);
//! votes.add(sigma, ["operationName"], &["azure.audit".to_string()]);
//! votes.add(sigma, ["operationName"], &["azure.audit".to_string()]);
//! votes.add(sigma, ["operationName", "ActivityType"], &["azure.pim".to_string()]);
//! votes.add(sigma, ["operationName"], &["azure.audit".to_string()]);
//! votes.add(sigma, ["operationName"], &["azure.audit".to_string()]);
//! votes.add(sigma, ["operationName"], &["azure.audit".to_string()]);
//! votes.add(sigma, ["operationName"], &["azure.activity".to_string()]);
//! // Five votes for audit logs, two for activity logs, one for PIM (too few).
//! assert_eq!(votes.infer(ecs, ["operationName"], &[]), ["azure.audit", "azure.activity"]);
//! ```

use crate::entry::Entry;
use crate::normalize::Normalizer;
use ruledex_ir::DataSourceKind;
use ruledex_logsource::Vocabulary;
use std::collections::HashMap;

/// A rule resolving to more log sources than this (`from *`, a default
/// list of index patterns) is read as if its log source were unknown: one of
/// them picked at random would map its fields on the wrong source.
pub const MAX_LOGSOURCES: usize = 4;

/// The most log sources a rule's fields are read on when none names them.
pub const MAX_INFERRED: usize = 3;

/// The share of the best log source's votes a runner-up needs to be read
/// on as well.
pub const RUNNER_UP: f32 = 0.25;

/// For each vocabulary and field name (case-folded), how many rules use it
/// on each log source, counted over the rules that name between one and
/// [`MAX_LOGSOURCES`] log sources.
#[derive(Debug, Default)]
pub struct FieldVotes {
    /// Log-source ids, interned.
    logsources: Vec<String>,
    ids: HashMap<String, u32>,
    /// (vocabulary, field name) → (log source, weight), summing to the
    /// rules using it.
    fields: HashMap<(Vocabulary, String), HashMap<u32, f32>>,
}

impl FieldVotes {
    /// The votes of every entry that names its log sources.
    pub fn from_entries(entries: &[Entry]) -> FieldVotes {
        let mut votes = FieldVotes::default();
        for entry in entries {
            if !open_logsource(entry) {
                let vocabulary = Vocabulary::for_platform(entry.rule.platform);
                votes.add(vocabulary, field_names(entry), &entry.logsources);
            }
        }
        votes
    }

    /// Count one rule writing `fields` in `vocabulary` on `logsources` (a
    /// rule on several log sources splits its vote).
    pub fn add<'a>(
        &mut self,
        vocabulary: Vocabulary,
        fields: impl IntoIterator<Item = &'a str>,
        logsources: &[String],
    ) {
        if logsources.is_empty() {
            return;
        }
        let share = 1.0 / logsources.len() as f32;
        let ids: Vec<u32> = logsources.iter().map(|l| self.intern(l)).collect();
        let mut seen: Vec<String> = Vec::new();
        for field in fields {
            let field = field.to_ascii_lowercase();
            if seen.contains(&field) {
                continue;
            }
            let counts = self.fields.entry((vocabulary, field.clone())).or_default();
            for &id in &ids {
                *counts.entry(id).or_default() += share;
            }
            seen.push(field);
        }
    }

    fn intern(&mut self, logsource: &str) -> u32 {
        if let Some(&id) = self.ids.get(logsource) {
            return id;
        }
        let id = self.logsources.len() as u32;
        self.logsources.push(logsource.to_string());
        self.ids.insert(logsource.to_string(), id);
        id
    }

    /// The log source `fields`, written in `vocabulary`, point to: each
    /// known field votes for the log sources it is used on, in proportion
    /// to how often (a field used on one log source only gives it a whole
    /// vote), as the vocabularies `vocabulary` looks names up in count it.
    /// When `candidates` is not empty, only those are eligible.
    ///
    /// The answer is the fewest log sources, best first, that together win
    /// at least half of the known fields' votes, followed by the runners-up
    /// that win at least [`RUNNER_UP`] of the best one's votes, at most
    /// [`MAX_INFERRED`] in all. Fields shared by related log sources
    /// (Azure's `operationName` is written on activity and audit logs) then
    /// key the rule's operation on each, and an operation keyed on a log
    /// source the rule does not read matches no rule that does not also
    /// name it there. Empty when no field is known or more than
    /// [`MAX_INFERRED`] log sources would be needed for half the votes.
    pub fn infer<'a>(
        &self,
        vocabulary: Vocabulary,
        fields: impl IntoIterator<Item = &'a str>,
        candidates: &[String],
    ) -> Vec<String> {
        let eligible: Vec<u32> = candidates
            .iter()
            .filter_map(|c| self.ids.get(c).copied())
            .collect();
        if !candidates.is_empty() && eligible.is_empty() {
            return Vec::new();
        }
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let mut known = 0usize;
        let mut seen: Vec<String> = Vec::new();
        for field in fields {
            let field = field.to_ascii_lowercase();
            if seen.contains(&field) {
                continue;
            }
            let mut counts: Vec<(u32, f32)> = Vec::new();
            for &heard in vocabulary.lookup_order() {
                let Some(votes) = self.fields.get(&(heard, field.clone())) else {
                    continue;
                };
                for (&id, &n) in votes {
                    if eligible.is_empty() || eligible.contains(&id) {
                        counts.push((id, n));
                    }
                }
            }
            seen.push(field);
            let total: f32 = counts.iter().map(|(_, n)| n).sum();
            if total <= 0.0 {
                continue;
            }
            known += 1;
            for (id, n) in counts {
                *scores.entry(id).or_default() += n / total;
            }
        }
        // Ties go to the log source with the smaller id: the first seen.
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(_, best)) = ranked.first() else {
            return Vec::new();
        };
        let mut chosen = Vec::new();
        let mut share = 0.0;
        for (id, score) in ranked.into_iter().take(MAX_INFERRED) {
            let enough = share * 2.0 >= known as f32;
            if enough && score < best * RUNNER_UP {
                break;
            }
            chosen.push(self.logsources[id as usize].clone());
            share += score;
        }
        if share * 2.0 >= known as f32 {
            chosen
        } else {
            Vec::new()
        }
    }
}

/// True when `entry` names no log source, more than [`MAX_LOGSOURCES`], or
/// reads index patterns that resolve to none (`logs-*` beside
/// `traces-apm*`): what it names then is not all it reads.
pub fn open_logsource(entry: &Entry) -> bool {
    entry.logsources.is_empty()
        || entry.logsources.len() > MAX_LOGSOURCES
        || entry.rule.data_sources.iter().any(|d| {
            d.kind == DataSourceKind::Index
                && d.logsource.is_none()
                && d.name.contains('*')
                // `-pattern` takes indices away; it adds none.
                && !d.name.starts_with('-')
        })
}

/// The field names of `entry`'s indicators, as written, but for the
/// Windows event fields ECS keeps under `winlog.event_data.`, named as the
/// event names them (so they meet the Sigma rules' votes).
pub fn field_names(entry: &Entry) -> impl Iterator<Item = &str> {
    entry
        .rule
        .indicators
        .iter()
        .map(|i| crate::normalize::event_data_name(&entry.rule, &i.field))
}

/// The log sources behaviour keys read `entry` on: its own, unless they are
/// open ([`open_logsource`]); then those its filters name (`event.dataset`,
/// `winlog.channel`, `sourcetype`: a default index list beside them says
/// nothing more), else the one its fields point to, chosen among its own
/// when it names too many; else none.
pub fn keyed_logsources(entry: &Entry, votes: &FieldVotes, normalizer: &Normalizer) -> Vec<String> {
    if !open_logsource(entry) {
        return entry.logsources.clone();
    }
    let named = normalizer.filter_logsources(&entry.rule);
    if !named.is_empty() && named.len() <= MAX_LOGSOURCES {
        return named;
    }
    // A rule naming every index (`from *`) says nothing about which log
    // source it reads, not even that it is one with an index pattern of its
    // own: its fields choose among all.
    let reads_everything =
        entry.rule.data_sources.iter().any(|d| {
            d.kind == DataSourceKind::Index && d.name.trim_start_matches("*:").trim() == "*"
        });
    let candidates: &[String] = if entry.logsources.len() > MAX_LOGSOURCES && !reads_everything {
        &entry.logsources
    } else {
        &[]
    };
    // A field that means the same on every log source (ECS
    // `process.executable`) and names no operation reads the same without
    // one: it tells nothing about which log source the rule reads, and in a
    // catalog where few rules of its vocabulary name one, its votes would
    // be a few rules' accident.
    let fields = field_names(entry).filter(|f| normalizer.field_needs_logsource(&entry.rule, f));
    let vocabulary = Vocabulary::for_platform(entry.rule.platform);
    votes.infer(vocabulary, fields, candidates)
}
