//! Which events of a dictionary a rule can match, and which event field a
//! rule's field is.

use crate::dictionary::Dictionary;
use ruledex_behaviour::Behaviour;
use ruledex_logsource::{FieldMap, LogSources, Vocabulary};
use serde::Serialize;
use std::collections::HashMap;

/// What a rule says about the events it reads, gathered by the catalog.
#[derive(Clone, Debug, Default)]
pub struct RuleSignals<'a> {
    /// The rule's normalized log sources (`windows.process_creation`).
    pub logsources: &'a [String],
    /// The Windows event provider of its event ids: a provider id of the
    /// behaviour table (`security`, `sysmon`) or a channel name, lower case.
    pub provider: Option<&'a str>,
    /// The event ids it selects (`EventID: 4688`, `event.code: "4688"`).
    pub event_ids: Vec<String>,
    /// Tables it reads (`DeviceProcessEvents`, `SigninLogs`).
    pub tables: Vec<&'a str>,
}

/// Why a rule matches an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatchReason {
    /// It reads the table the event is (`DeviceProcessEvents`).
    Table {
        /// The table as written.
        table: String,
    },
    /// It filters the event id on the event's provider.
    EventId {
        /// The provider (behaviour id or channel).
        provider: String,
        /// The id as normalized.
        id: String,
    },
    /// Its log source is carried by the event.
    LogSource {
        /// The log-source id.
        logsource: String,
    },
}

impl std::fmt::Display for MatchReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MatchReason::Table { table } => write!(f, "reads {table}"),
            MatchReason::EventId { provider, id } => write!(f, "event id {id} on {provider}"),
            MatchReason::LogSource { logsource } => write!(f, "log source {logsource}"),
        }
    }
}

/// One event a rule can match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventMatch {
    /// Index into [`Dictionary::events`].
    pub event: usize,
    /// Why.
    pub reason: MatchReason,
}

/// Maps rules to the events of one dictionary, with the log-source table
/// (`events` of each source), the behaviour provider table (`dictionary` of
/// each Windows provider) and the field table.
pub struct EventMapper<'d> {
    dictionary: &'d Dictionary,
    behaviour: &'static Behaviour,
    fields: &'static FieldMap,
    /// Event → the log sources listing it.
    event_logsources: Vec<Vec<String>>,
    /// Log source → its events.
    logsource_events: HashMap<String, Vec<usize>>,
    /// Per event: canonical field key → field index, and folded name →
    /// field index.
    field_keys: Vec<HashMap<String, usize>>,
}

/// Problems of the mapping tables against one dictionary: references to
/// events it does not have. Not errors (a partial checkout lacks events).
#[derive(Clone, Debug, Default, Serialize)]
pub struct MappingReport {
    /// `events` entries of the log-source table no event answers.
    pub unknown_events: Vec<String>,
}

impl<'d> EventMapper<'d> {
    /// A mapper over `dictionary` with the embedded tables.
    pub fn new(dictionary: &'d Dictionary) -> (EventMapper<'d>, MappingReport) {
        EventMapper::with_tables(
            dictionary,
            LogSources::embedded(),
            Behaviour::embedded(),
            FieldMap::embedded(),
        )
    }

    /// A mapper over `dictionary` with the given tables.
    pub fn with_tables(
        dictionary: &'d Dictionary,
        logsources: &'static LogSources,
        behaviour: &'static Behaviour,
        fields: &'static FieldMap,
    ) -> (EventMapper<'d>, MappingReport) {
        let mut report = MappingReport::default();
        let mut event_logsources = vec![Vec::new(); dictionary.events.len()];
        let mut logsource_events: HashMap<String, Vec<usize>> = HashMap::new();
        for source in logsources.iter() {
            for reference in &source.events {
                let Some((provider, id)) = reference.rsplit_once(':') else {
                    report.unknown_events.push(reference.clone());
                    continue;
                };
                let found = dictionary.find(provider, id);
                if found.is_empty() {
                    report.unknown_events.push(reference.clone());
                }
                for &e in found {
                    event_logsources[e].push(source.id.clone());
                    logsource_events
                        .entry(source.id.clone())
                        .or_default()
                        .push(e);
                }
            }
        }
        let mut mapper = EventMapper {
            dictionary,
            behaviour,
            fields,
            event_logsources,
            logsource_events,
            field_keys: Vec::new(),
        };
        mapper.field_keys = (0..dictionary.events.len())
            .map(|e| {
                let mut keys = HashMap::new();
                for (i, f) in dictionary.events[e].fields.iter().enumerate() {
                    keys.entry(mapper.event_field_key(e, &f.name)).or_insert(i);
                    keys.entry(fold_name(&f.name)).or_insert(i);
                }
                keys
            })
            .collect();
        (mapper, report)
    }

    /// The dictionary.
    pub fn dictionary(&self) -> &'d Dictionary {
        self.dictionary
    }

    /// The log sources whose `events` list `event`.
    pub fn logsources_of(&self, event: usize) -> &[String] {
        &self.event_logsources[event]
    }

    /// The vocabulary the dictionary writes an event's field names in:
    /// Windows event data names are Sigma's, Defender and Azure tables are
    /// Sentinel columns, the rest are the logs' own names.
    pub fn vocabulary(&self, event: usize) -> Vocabulary {
        let e = &self.dictionary.events[event];
        let p = &self.dictionary.providers[e.provider];
        if p.folder.contains("defender") || p.platform == "azure" {
            Vocabulary::Sentinel
        } else if p.platform == "windows" || p.folder.contains("sysmon") {
            Vocabulary::Sigma
        } else {
            Vocabulary::Native
        }
    }

    /// The key of field `name` of `event`: its canonical field when the
    /// field table knows it on the event's log source, else
    /// `<log source>:<name>` as the catalog keys unmapped fields.
    pub fn event_field_key(&self, event: usize, name: &str) -> String {
        let logsource = self.event_logsources[event].first().map(String::as_str);
        match self
            .fields
            .canonical(self.vocabulary(event), logsource, name)
        {
            Some(c) => c.to_string(),
            None => format!("{}:{name}", logsource.unwrap_or("-")),
        }
    }

    /// The field of `event` a rule's field is: by its key (canonical or
    /// scoped name, as the catalog computes it), else by its name
    /// case-insensitively (dots and `_` folded).
    pub fn field_of(&self, event: usize, key: &str, written: &str) -> Option<usize> {
        let keys = &self.field_keys[event];
        keys.get(key)
            .or_else(|| keys.get(&fold_name(written)))
            .or_else(|| {
                // `winlog.event_data.CommandLine`, `data.CommandLine`: the
                // last path segment.
                let last = written.rsplit('.').next()?;
                (last != written)
                    .then(|| keys.get(&fold_name(last)))
                    .flatten()
            })
            .copied()
    }

    /// The events a rule with `signals` can match. A table naming an event
    /// decides; else event ids on a known provider; else every event
    /// carrying one of its log sources.
    pub fn match_rule(&self, signals: &RuleSignals<'_>) -> Vec<EventMatch> {
        let mut out: Vec<EventMatch> = Vec::new();
        fn push(out: &mut Vec<EventMatch>, event: usize, reason: MatchReason) {
            if !out.iter().any(|m| m.event == event) {
                out.push(EventMatch { event, reason });
            }
        }
        for table in &signals.tables {
            for e in self.dictionary.find_table(table) {
                push(
                    &mut out,
                    e,
                    MatchReason::Table {
                        table: table.to_string(),
                    },
                );
            }
        }
        if !out.is_empty() {
            return out;
        }
        if !signals.event_ids.is_empty() {
            if let Some(provider) = signals.provider {
                for name in self.dictionary_names(provider) {
                    for id in &signals.event_ids {
                        for &e in self.dictionary.find(&name, id) {
                            push(
                                &mut out,
                                e,
                                MatchReason::EventId {
                                    provider: provider.to_string(),
                                    id: id.clone(),
                                },
                            );
                        }
                    }
                }
            }
            if !out.is_empty() {
                return out;
            }
        }
        for logsource in signals.logsources {
            let events = self.logsource_events.get(logsource).map_or(&[][..], |v| v);
            let narrowed: Vec<usize> = if signals.event_ids.is_empty() {
                events.to_vec()
            } else {
                // `EventID: 4104` on PowerShell: only the events with those
                // ids, when some have them.
                let with_id: Vec<usize> = events
                    .iter()
                    .copied()
                    .filter(|&e| {
                        signals
                            .event_ids
                            .iter()
                            .any(|id| id.eq_ignore_ascii_case(&self.dictionary.events[e].id))
                    })
                    .collect();
                if with_id.is_empty() {
                    events.to_vec()
                } else {
                    with_id
                }
            };
            for e in narrowed {
                push(
                    &mut out,
                    e,
                    MatchReason::LogSource {
                        logsource: logsource.clone(),
                    },
                );
            }
        }
        out
    }

    /// The dictionary provider names of a Windows provider id or channel.
    fn dictionary_names(&self, provider: &str) -> Vec<String> {
        let listed = self.behaviour.dictionary_providers(provider);
        if !listed.is_empty() {
            return listed.to_vec();
        }
        let lower = provider.to_lowercase();
        let base = lower
            .rsplit_once('/')
            .map_or(lower.as_str(), |(base, _)| base)
            .to_string();
        let mut names = vec![base.clone()];
        if !base.starts_with("microsoft-windows-") {
            names.push(format!("microsoft-windows-{base}"));
        }
        names
    }
}

/// A field name folded for comparison: lower case, without `_` and `.`.
fn fold_name(name: &str) -> String {
    // `~` keeps folded names apart from canonical keys in one map.
    let mut out = String::from("~");
    out.extend(
        name.chars()
            .filter(|c| *c != '_' && *c != '.' && *c != '-' && !c.is_whitespace())
            .flat_map(char::to_lowercase),
    );
    out
}
