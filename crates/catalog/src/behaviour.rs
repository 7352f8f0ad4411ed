//! The behaviour keys of each catalog entry: its indicators read through
//! the field tables (canonical field on the rule's log source) and the
//! behaviour tables of [`ruledex_behaviour`] (values normalized by what the
//! field means), plus its operations and field-to-field comparisons.

use crate::entry::Entry;
use crate::normalize::Normalizer;
use ruledex_behaviour::{Behaviour, Key, ValueContext};
use ruledex_ir::{IndicatorKind, Language, Op};

/// One behaviour key of a rule, with where the rule says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleKey {
    /// The key.
    pub key: Key,
    /// The indicator it was read from (position in `rule.indicators`).
    pub indicator: usize,
    /// The value of that indicator it was read from.
    pub value: usize,
    /// True when the rule excludes what the key matches.
    pub exclusion: bool,
    /// The log source the key was read on, when the rule has one.
    pub logsource: Option<String>,
    /// For a rule read on several log sources: the position of the key this
    /// one is another reading of (the same value, its field or operation
    /// read on another of them). A key and its other readings count once.
    pub alternative_of: Option<usize>,
}

/// The field of an indicator searching the whole event.
const FREE_TEXT: &str = "*";

/// Canonical fields naming a Windows event channel or provider.
const CHANNEL_FIELDS: [&str; 2] = ["winlog.channel", "event.provider"];

/// Every behaviour key of `entry` read on `logsources` (its own, or those
/// its fields point to: [`crate::infer::keyed_logsources`]), in indicator
/// order, each (key, exclusion) once.
pub fn rule_keys(
    entry: &Entry,
    logsources: &[String],
    normalizer: &Normalizer,
    behaviour: &Behaviour,
) -> Vec<RuleKey> {
    let rule = &entry.rule;
    // The scope of the rule's keys: its log source, or none when it reads
    // log sources of different kinds (a query whose fields are written on
    // proxy and web server logs alike): such a key is not "on another log
    // source" than either.
    let logsource = logsources.first().cloned().filter(|first| {
        let kind = crate::related::logsource_kind(first);
        logsources
            .iter()
            .all(|l| crate::related::logsource_kind(l) == kind)
    });
    let provider = event_provider(entry, normalizer, behaviour);
    let context = ValueContext {
        // Elastic's languages match a regex against the whole value.
        regex_anchored: matches!(
            rule.language,
            Language::Kuery | Language::Lucene | Language::Eql | Language::Esql
        ),
        event_provider: provider.as_deref(),
    };
    let mut keys: Vec<RuleKey> = Vec::new();
    // Adds `key` unless the rule has it already; `alternative` says which
    // earlier (indicator, value) reading it is another reading of.
    let push = |keys: &mut Vec<RuleKey>, mut key: RuleKey, alternative: bool| {
        if keys
            .iter()
            .any(|k| k.key == key.key && k.exclusion == key.exclusion)
        {
            return;
        }
        if alternative {
            key.alternative_of = keys
                .iter()
                .position(|k| k.indicator == key.indicator && k.value == key.value)
                .map(|first| keys[first].alternative_of.unwrap_or(first));
        }
        keys.push(key);
    };
    // Operations: the log-source table already normalized them (provider
    // and case), so the indicator they come from gives no other key.
    let mut operation_indicators = Vec::new();
    let inferred_actions;
    let actions = if logsources == entry.logsources.as_slice() {
        &entry.actions
    } else {
        inferred_actions = normalizer.actions(rule, logsources);
        &inferred_actions
    };
    for action in actions {
        let (Some(operation), Some(indicator)) = (&action.operation, action.indicator) else {
            continue;
        };
        operation_indicators.push(indicator);
        let Some(written) = rule.indicators.get(indicator) else {
            continue;
        };
        let value = written
            .values
            .iter()
            .position(|v| {
                action.value.as_deref() == v.as_str()
                    || matches!(v, ruledex_ir::Value::Integer(n) if Some(n.to_string()) == action.value)
            })
            .unwrap_or(0);
        push(
            &mut keys,
            RuleKey {
                key: Key::operation(&action.logsource, operation),
                indicator,
                value,
                exclusion: written.exclusion,
                logsource: Some(action.logsource.clone()),
                alternative_of: None,
            },
            true,
        );
    }
    for (position, indicator) in rule.indicators.iter().enumerate() {
        if operation_indicators.contains(&position)
            || indicator.values_from.is_some() && indicator.values.is_empty()
        {
            continue;
        }
        // `*`: a keyword searched in the whole event (Sigma `keywords`, a
        // bare Lucene or Splunk term). Its text is the same whatever the log
        // source calls its fields, and a keyword found as a whole value is
        // found within the event too: one "contains" key, on no log source.
        let free_text = indicator.field == FREE_TEXT;
        // The field as each log source the rule may read names it: one
        // reading when they agree, alternatives when they do not.
        let mut readings = vec![if free_text {
            FREE_TEXT.to_string()
        } else {
            normalizer.field_key(rule, logsources, &indicator.field)
        }];
        if !free_text {
            for other in logsources.iter().skip(1) {
                let reading =
                    normalizer.field_key(rule, std::slice::from_ref(other), &indicator.field);
                if !readings.contains(&reading) {
                    readings.push(reading);
                }
            }
        }
        let first_key = keys.len();
        for field in readings {
            let alternative = keys.len() > first_key;
            match indicator.kind {
                IndicatorKind::Field(op) => {
                    let Some(other) = indicator.values.first().and_then(|v| v.as_str()) else {
                        continue;
                    };
                    let other = normalizer.field_key(rule, logsources, other);
                    push(
                        &mut keys,
                        RuleKey {
                            key: Key::fields(op, &field, &other),
                            indicator: position,
                            value: 0,
                            exclusion: indicator.exclusion,
                            logsource: logsource.clone(),
                            alternative_of: None,
                        },
                        alternative,
                    );
                }
                IndicatorKind::Value(op) => {
                    // A presence test is one key, "the field is present": a
                    // rule requiring the field selects on it, a rule requiring
                    // its absence excludes it. `field: null` (Sigma) and
                    // `NOT _exists_:field` (Lucene) require absence; excluding
                    // them requires presence, as `_exists_:field` does.
                    let null_only = !indicator.values.is_empty()
                        && indicator
                            .values
                            .iter()
                            .all(|v| matches!(v, ruledex_ir::Value::Null));
                    let presence = match op {
                        Op::Exists => Some(false),
                        Op::NotExists => Some(true),
                        Op::Eq | Op::In if null_only => Some(true),
                        Op::Ne | Op::NotIn if null_only => Some(false),
                        _ => None,
                    };
                    if let Some(absent) = presence {
                        for key in
                            behaviour.keys(&field, Op::Exists, &ruledex_ir::Value::Null, &context)
                        {
                            push(
                                &mut keys,
                                RuleKey {
                                    key,
                                    indicator: position,
                                    value: 0,
                                    exclusion: indicator.exclusion != absent,
                                    logsource: logsource.clone(),
                                    alternative_of: None,
                                },
                                alternative,
                            );
                        }
                        continue;
                    }
                    // `field != x` selects; it is `x` the rule cares about.
                    let op = match op {
                        Op::Eq
                        | Op::Ne
                        | Op::In
                        | Op::NotIn
                        | Op::Has
                        | Op::NotHas
                        | Op::HasAny
                            if free_text =>
                        {
                            Op::Contains
                        }
                        op => op,
                    };
                    for (value_index, value) in indicator.values.iter().enumerate() {
                        for key in behaviour.keys(&field, op, value, &context) {
                            push(
                                &mut keys,
                                RuleKey {
                                    key,
                                    indicator: position,
                                    value: value_index,
                                    exclusion: indicator.exclusion,
                                    logsource: logsource.clone(),
                                    alternative_of: None,
                                },
                                alternative,
                            );
                        }
                    }
                }
            }
        }
    }
    keys
}

/// The Windows event provider of `entry`'s event ids: its channel or
/// provider filter, else a data source holding one provider's events, else
/// its log source.
pub(crate) fn event_provider(
    entry: &Entry,
    normalizer: &Normalizer,
    behaviour: &Behaviour,
) -> Option<String> {
    let rule = &entry.rule;
    for indicator in &rule.indicators {
        if indicator.exclusion || !matches!(indicator.kind, IndicatorKind::Value(Op::Eq | Op::In)) {
            continue;
        }
        let field = normalizer.field_key(rule, &entry.logsources, &indicator.field);
        if CHANNEL_FIELDS.contains(&field.as_str()) {
            if let Some(name) = indicator.values.iter().find_map(|v| v.as_str()) {
                return Some(behaviour.provider_of_channel(name));
            }
        }
    }
    rule.data_sources
        .iter()
        .find_map(|d| behaviour.provider_of_data_source(&d.name))
        .or_else(|| {
            entry
                .logsources
                .iter()
                .find_map(|l| behaviour.provider_of_logsource(l))
        })
        .map(str::to_string)
}
