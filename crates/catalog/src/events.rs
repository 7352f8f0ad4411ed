//! Rules × events: which dictionary events each rule can match, and per
//! event field the rules that filter it and their most common values.

use crate::entry::Entry;
use crate::normalize::Normalizer;
use rayon::prelude::*;
use ruledex_behaviour::Behaviour;
use ruledex_events::{Dictionary, EventMapper, EventMatch, MappingReport, RuleSignals};
use ruledex_ir::{DataSourceKind, IndicatorKind, Op, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How many of a field's most common values the index keeps.
pub const TOP_VALUES: usize = 10;

/// One event a rule can match, with the event fields it filters.
#[derive(Clone, Debug)]
pub struct RuleEvent {
    /// The event and why the rule matches it.
    pub matched: EventMatch,
    /// Fields of the event the rule filters: (field index, indicator
    /// positions).
    pub fields: Vec<(usize, Vec<usize>)>,
}

/// The rules filtering one event field.
#[derive(Clone, Debug, Default)]
pub struct FieldUse {
    /// Rule positions, ascending, each once.
    pub rules: Vec<usize>,
    /// The most common values the rules compare it with (value as written,
    /// lower case; rules using it), most common first.
    pub values: Vec<(String, usize)>,
}

/// The rules of one event.
#[derive(Clone, Debug, Default)]
pub struct EventUse {
    /// Rules that can match the event, ascending positions.
    pub rules: Vec<usize>,
    /// Per field of the event (same order as its fields).
    pub fields: Vec<FieldUse>,
}

/// Every rule mapped onto the events of a dictionary.
pub struct EventIndex {
    dictionary: Arc<Dictionary>,
    report: MappingReport,
    per_rule: Vec<Vec<RuleEvent>>,
    per_event: Vec<EventUse>,
    windows: Vec<bool>,
}

impl EventIndex {
    /// Map every entry onto `dictionary`.
    pub fn build(
        dictionary: Arc<Dictionary>,
        entries: &[Entry],
        normalizer: &Normalizer,
    ) -> EventIndex {
        let behaviour = Behaviour::embedded();
        let (mapper, report) = EventMapper::new(&dictionary);
        let per_rule: Vec<Vec<RuleEvent>> = entries
            .par_iter()
            .map(|entry| rule_events(entry, normalizer, behaviour, &mapper))
            .collect();
        let windows: Vec<bool> = entries
            .iter()
            .map(|e| is_windows(e, normalizer, behaviour))
            .collect();
        let mut per_event: Vec<EventUse> = dictionary
            .events
            .iter()
            .map(|e| EventUse {
                rules: Vec::new(),
                fields: vec![FieldUse::default(); e.fields.len()],
            })
            .collect();
        let mut values: Vec<Vec<HashMap<String, usize>>> = dictionary
            .events
            .iter()
            .map(|e| vec![HashMap::new(); e.fields.len()])
            .collect();
        for (position, events) in per_rule.iter().enumerate() {
            let rule = &entries[position].rule;
            for re in events {
                let event = re.matched.event;
                per_event[event].rules.push(position);
                for (field, indicators) in &re.fields {
                    per_event[event].fields[*field].rules.push(position);
                    let mut seen: Vec<String> = Vec::new();
                    for &i in indicators {
                        let indicator = &rule.indicators[i];
                        if matches!(indicator.kind, IndicatorKind::Field(_)) {
                            continue;
                        }
                        for v in &indicator.values {
                            let text = value_text(v);
                            if !text.is_empty() && !seen.contains(&text) {
                                seen.push(text);
                            }
                        }
                    }
                    for text in seen {
                        *values[event][*field].entry(text).or_default() += 1;
                    }
                }
            }
        }
        for (event, fields) in values.into_iter().enumerate() {
            for (field, counts) in fields.into_iter().enumerate() {
                let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
                counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                counts.truncate(TOP_VALUES);
                per_event[event].fields[field].values = counts;
            }
        }
        EventIndex {
            dictionary,
            report,
            per_rule,
            per_event,
            windows,
        }
    }

    /// The dictionary.
    pub fn dictionary(&self) -> &Dictionary {
        &self.dictionary
    }

    /// Log-source table entries naming events the dictionary lacks.
    pub fn report(&self) -> &MappingReport {
        &self.report
    }

    /// The events the rule at `position` can match.
    pub fn of_rule(&self, position: usize) -> &[RuleEvent] {
        self.per_rule.get(position).map_or(&[], Vec::as_slice)
    }

    /// The rules of event `event`.
    pub fn of_event(&self, event: usize) -> &EventUse {
        &self.per_event[event]
    }

    /// True when the rule at `position` reads Windows events (a `windows.`
    /// log source, a Windows event provider, or a Defender device table).
    pub fn is_windows(&self, position: usize) -> bool {
        self.windows.get(position).copied().unwrap_or(false)
    }
}

/// A value as pages show it: strings as written, lower case.
fn value_text(value: &Value) -> String {
    let text = match value.as_str() {
        Some(s) => s.to_string(),
        None => value.to_string(),
    };
    let text: String = text.chars().take(120).collect();
    text.to_lowercase()
}

fn is_windows(entry: &Entry, normalizer: &Normalizer, behaviour: &Behaviour) -> bool {
    entry
        .logsources
        .iter()
        .any(|l| l.starts_with("windows.") || l.starts_with("defender.device"))
        || (entry.logsources.is_empty()
            && crate::behaviour::event_provider(entry, normalizer, behaviour).is_some())
}

/// Event ids the rule selects (`event.code` equal to or in values).
fn event_ids(entry: &Entry, normalizer: &Normalizer) -> Vec<String> {
    let rule = &entry.rule;
    let mut ids = Vec::new();
    for indicator in &rule.indicators {
        if indicator.exclusion
            || indicator.negated
            || !matches!(indicator.kind, IndicatorKind::Value(Op::Eq | Op::In))
        {
            continue;
        }
        if normalizer.field_key(rule, &entry.logsources, &indicator.field) != "event.code" {
            continue;
        }
        for v in &indicator.values {
            let text = match v {
                Value::Integer(i) => i.to_string(),
                other => match other.as_str() {
                    Some(s) => s.trim().to_string(),
                    None => continue,
                },
            };
            if !text.is_empty() && !ids.contains(&text) {
                ids.push(text);
            }
        }
    }
    ids
}

fn rule_events(
    entry: &Entry,
    normalizer: &Normalizer,
    behaviour: &Behaviour,
    mapper: &EventMapper<'_>,
) -> Vec<RuleEvent> {
    let rule = &entry.rule;
    let provider = crate::behaviour::event_provider(entry, normalizer, behaviour);
    let tables: Vec<&str> = rule
        .data_sources
        .iter()
        .filter(|d| matches!(d.kind, DataSourceKind::Table))
        .map(|d| d.name.as_str())
        .collect();
    let signals = RuleSignals {
        logsources: &entry.logsources,
        provider: provider.as_deref(),
        event_ids: event_ids(entry, normalizer),
        tables,
    };
    let matched = mapper.match_rule(&signals);
    if matched.is_empty() {
        return Vec::new();
    }
    // Each indicator's field (and the other side of a field comparison),
    // keyed as the catalog keys fields.
    let mut written: Vec<(usize, String, String)> = Vec::new();
    for (i, indicator) in rule.indicators.iter().enumerate() {
        let key = normalizer.field_key(rule, &entry.logsources, &indicator.field);
        written.push((i, key, indicator.field.clone()));
        if let IndicatorKind::Field(_) = indicator.kind {
            if let Some(other) = indicator.values.first().and_then(Value::as_str) {
                let key = normalizer.field_key(rule, &entry.logsources, other);
                written.push((i, key, other.to_string()));
            }
        }
    }
    matched
        .into_iter()
        .map(|m| {
            let mut fields: Vec<(usize, Vec<usize>)> = Vec::new();
            for (i, key, name) in &written {
                if let Some(f) = mapper.field_of(m.event, key, name) {
                    match fields.iter_mut().find(|(x, _)| *x == f) {
                        Some((_, list)) => {
                            if !list.contains(i) {
                                list.push(*i);
                            }
                        }
                        None => fields.push((f, vec![*i])),
                    }
                }
            }
            fields.sort_by_key(|(f, _)| *f);
            RuleEvent { matched: m, fields }
        })
        .collect()
}
