//! Normalization: what makes rules comparable across languages.
//!
//! - **Log sources**: a rule's tables, indexes, logsource blocks, sourcetypes
//!   and log types, and the filters that name data (`event.dataset`,
//!   `EventID`), resolve to log-source ids (`azure.signin`,
//!   `aws.cloudtrail`) through the tables of [`ruledex_logsource`]. A log
//!   type its filters leave ambiguous (Panther's `Azure.Audit`) is narrowed
//!   by the events the rule's own tests expect it to fire on.
//! - **Actions**: per log source, the operation values the rule filters on
//!   (`eventName = ConsoleLogin`), keyed so the same API call is one key in
//!   every language, whether or not the rule also filtered the provider.
//! - **Fields**: a field's canonical name when the field tables map it
//!   (`CommandLine`, `ProcessCommandLine`, `process.command_line` are one
//!   field), else the name as written, scoped to the log source.

use ruledex_ir::{IndicatorKind, Op, Platform, Rule};
use ruledex_logsource::{FieldMap, Filter, LogSources, Vocabulary};

/// An action a rule watches: a log source and, when the rule filters one,
/// an operation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Action {
    /// Log-source id.
    pub logsource: String,
    /// Operation key (`signin.amazonaws.com:ConsoleLogin`); `None` when the
    /// rule filters no operation (the log source alone).
    pub operation: Option<String>,
    /// The operation field as the rule wrote it (`eventName`).
    pub field: Option<String>,
    /// The operation value as the rule wrote it (`ConsoleLogin`).
    pub value: Option<String>,
    /// The rule's indicator the operation was read from.
    pub indicator: Option<usize>,
}

impl Action {
    /// The operation without its provider prefix, for display
    /// (`ConsoleLogin`).
    pub fn operation_name(&self) -> Option<&str> {
        self.operation
            .as_deref()
            .map(|op| op.rsplit_once(':').map_or(op, |(_, name)| name))
    }
}

/// Normalizes fields, log sources and actions of rules.
pub struct Normalizer {
    sources: &'static LogSources,
    fields: &'static FieldMap,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new()
    }
}

impl Normalizer {
    /// The normalizer with the embedded log-source and field tables.
    pub fn new() -> Self {
        Normalizer {
            sources: LogSources::embedded(),
            fields: FieldMap::embedded(),
        }
    }

    /// The log-source table.
    pub fn logsource_table(&self) -> &'static LogSources {
        self.sources
    }

    /// Identify the log sources of `rule`, record each on the data source
    /// that named it, and return their ids (table order, each once).
    pub fn identify_logsources(&self, rule: &mut Rule) -> Vec<String> {
        let filters = Filter::from_indicators(&rule.indicators);
        let declared = declared_integrations(rule);
        let sources: std::borrow::Cow<'_, [ruledex_ir::DataSource]> = if declared.is_empty() {
            std::borrow::Cow::Borrowed(&rule.data_sources)
        } else {
            let mut sources = rule.data_sources.clone();
            sources.extend(declared);
            std::borrow::Cow::Owned(sources)
        };
        let mut found = self.sources.identify(rule.platform, &sources, &filters);
        // A log type holding several log sources that the rule's own
        // filters do not narrow is narrowed by the events its tests expect
        // it to fire on, when they agree on fewer of them.
        let distinct = |found: &[ruledex_logsource::Identified<'_>]| {
            let mut ids: Vec<&str> = found.iter().map(|f| f.logsource.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        if distinct(&found) > 1 {
            let samples = sample_filters(rule);
            if !samples.is_empty() {
                let mut with_samples = filters.clone();
                with_samples.extend(samples);
                let narrowed = self
                    .sources
                    .identify(rule.platform, &sources, &with_samples);
                if !narrowed.is_empty() && distinct(&narrowed) < distinct(&found) {
                    found = narrowed;
                }
            }
        }
        drop(sources);
        let mut ids = Vec::new();
        for identified in &found {
            let id = identified.logsource.id.clone();
            for evidence in &identified.evidence {
                for source in rule
                    .data_sources
                    .iter_mut()
                    .filter(|d| d.name == evidence.written)
                {
                    source.logsource.get_or_insert_with(|| id.clone());
                }
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The log sources `rule`'s filters alone name (`event.dataset`,
    /// `winlog.channel`, `sourcetype`, …), in table order.
    pub fn filter_logsources(&self, rule: &Rule) -> Vec<String> {
        let filters = Filter::from_indicators(&rule.indicators);
        self.sources
            .resolve_from_indicators(rule.platform, &filters)
            .into_iter()
            .map(|l| l.id.clone())
            .collect()
    }

    /// The actions of `rule` on each of its log sources: one per operation
    /// value it filters, or the log source alone when it filters none.
    pub fn actions(&self, rule: &Rule, logsources: &[String]) -> Vec<Action> {
        let mut actions = Vec::new();
        for logsource in logsources {
            // A query keeping Sigma's field names (what pySigma's backends
            // write for fields their pipeline does not map) names the
            // operation as Sigma does: those count on every platform, as in
            // the field vocabularies' lookup order.
            let with_sigma = |of: &dyn Fn(Platform) -> &'static [String]| -> Vec<String> {
                let mut fields = of(rule.platform).to_vec();
                if rule.platform != Platform::Sigma {
                    for field in of(Platform::Sigma) {
                        if !fields.iter().any(|f| f.eq_ignore_ascii_case(field)) {
                            fields.push(field.clone());
                        }
                    }
                }
                fields
            };
            let operation_fields =
                with_sigma(&|platform| self.sources.operation_fields(logsource, platform));
            let provider_fields =
                with_sigma(&|platform| self.sources.provider_fields(logsource, platform));
            // `has` and `has_any` count: on an operation field they name whole
            // operations (`OperationName has "Consent to application"`).
            let positive = |field: &str, i: &ruledex_ir::Indicator| {
                !i.negated
                    && !i.exclusion
                    && matches!(
                        i.kind,
                        IndicatorKind::Value(Op::Eq | Op::In | Op::Has | Op::HasAny)
                    )
                    && i.field.eq_ignore_ascii_case(field)
            };
            let provider: Option<String> = provider_fields.iter().find_map(|f| {
                let values: Vec<&str> = rule
                    .indicators
                    .iter()
                    .filter(|i| positive(f, i))
                    .flat_map(|i| i.values.iter().filter_map(|v| v.as_str()))
                    .collect();
                // Only a single provider pins the operation's service.
                (values.len() == 1).then(|| values[0].to_string())
            });
            // On the catch-all of Windows channels an event id means nothing
            // without its channel: a rule that filters none gets the one its
            // data source names (a Sigma `windows/firewall-as` log source is
            // the firewall channel), as the behaviour tables spell it.
            // A channel is named by its provider's id, whichever spelling
            // the rule uses (`Microsoft-Windows-Sysmon/Operational`, a Sigma
            // `windows/sysmon` log source: both `sysmon`).
            let provider = if logsource == WINDOWS_OTHER_CHANNELS {
                let behaviour = ruledex_behaviour::Behaviour::embedded();
                provider
                    .map(|channel| behaviour.provider_of_channel(&channel))
                    .or_else(|| {
                        rule.data_sources
                            .iter()
                            .find_map(|d| behaviour.provider_of_data_source(&d.name))
                            .map(str::to_string)
                    })
            } else {
                provider
            };
            // An operation matched by prefix, suffix, substring or glob
            // (`OperationNameValue endswith "/roleAssignments/write"`,
            // `eventName|startswith: Invoke`) is a set of operations: its key
            // is the glob, so rules matching the same set link.
            let operation_match = |field: &str, i: &ruledex_ir::Indicator| {
                positive(field, i)
                    || (!i.negated
                        && !i.exclusion
                        && matches!(
                            i.kind,
                            IndicatorKind::Value(
                                Op::StartsWith | Op::EndsWith | Op::Contains | Op::Wildcard
                            )
                        )
                        && i.field.eq_ignore_ascii_case(field))
            };
            let mut found = false;
            for field in &operation_fields {
                for (position, indicator) in rule
                    .indicators
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| operation_match(field, i))
                {
                    for value in &indicator.values {
                        let text = match value {
                            ruledex_ir::Value::String(s) => s.clone(),
                            ruledex_ir::Value::Integer(n) => n.to_string(),
                            _ => continue,
                        };
                        let pattern = match indicator.kind {
                            IndicatorKind::Value(Op::StartsWith) => format!("{text}*"),
                            IndicatorKind::Value(Op::EndsWith) => format!("*{text}"),
                            IndicatorKind::Value(Op::Contains) => format!("*{text}*"),
                            _ => text.clone(),
                        };
                        if pattern.trim_matches(['*', '?', ' ']).is_empty() {
                            continue;
                        }
                        let key =
                            self.sources
                                .operation_key(logsource, provider.as_deref(), &pattern);
                        let action = Action {
                            logsource: logsource.clone(),
                            operation: Some(key),
                            field: Some(indicator.field.clone()),
                            value: Some(text),
                            indicator: Some(position),
                        };
                        if !actions.iter().any(|a: &Action| {
                            a.logsource == action.logsource && a.operation == action.operation
                        }) {
                            actions.push(action);
                        }
                        found = true;
                    }
                }
            }
            if !found {
                actions.push(Action {
                    logsource: logsource.clone(),
                    operation: None,
                    field: None,
                    value: None,
                    indicator: None,
                });
            }
        }
        actions
    }

    /// Mark rules that only forward alerts another product raised: every
    /// log source they read holds alerts (`SecurityAlert`, `AlertInfo`,
    /// GuardDuty findings), or they select `event.kind: alert` documents.
    pub fn classify(&self, rule: &mut Rule, logsources: &[String]) {
        let alert_sources = !logsources.is_empty()
            && logsources.iter().all(|id| {
                self.sources
                    .get(id)
                    .is_some_and(|s| s.category == ruledex_logsource::Category::Alert)
            });
        let alert_documents = rule.indicators.iter().any(|i| {
            i.field == "event.kind"
                && !i.negated
                && !i.exclusion
                && i.values
                    .iter()
                    .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("alert")))
        });
        if alert_sources || alert_documents {
            rule.add_class(ruledex_ir::RuleClass::AlertForwarding);
        }
    }

    /// True when `field` as written in `rule` means something only on some
    /// log source: the field tables know it on some log sources only, or
    /// some log source names its operations or their provider with it (in
    /// the rule's vocabulary or Sigma's, which converted queries keep).
    pub fn field_needs_logsource(&self, rule: &Rule, field: &str) -> bool {
        let vocabulary = Vocabulary::for_platform(rule.platform);
        if self.fields.canonical(vocabulary, None, field).is_none() {
            return true;
        }
        self.sources.iter().any(|source| {
            [rule.platform, Platform::Sigma].iter().any(|&platform| {
                source.platform(platform).is_some_and(|names| {
                    names
                        .operation
                        .iter()
                        .chain(&names.provider)
                        .any(|f| f.eq_ignore_ascii_case(field))
                })
            })
        })
    }

    /// The key of `field` as written in `rule`: its canonical name when the
    /// field tables know it, else the name scoped to the rule's first log
    /// source (`-` when it has none).
    ///
    /// A Windows event field ECS keeps under `winlog.event_data.` is the
    /// event's own field, as Sigma and the raw event name it: Elastic's
    /// `winlog.event_data.TargetName` and Sigma's `TargetName` are one key.
    pub fn field_key(&self, rule: &Rule, logsources: &[String], field: &str) -> String {
        let vocabulary = Vocabulary::for_platform(rule.platform);
        let logsource = logsources.first().map(String::as_str);
        if let Some(canonical) = self.fields.canonical(vocabulary, logsource, field) {
            return canonical.to_string();
        }
        let raw = event_data_name(rule, field);
        if raw != field {
            if let Some(canonical) = self.fields.canonical(Vocabulary::Sigma, logsource, raw) {
                return canonical.to_string();
            }
        }
        format!("{}:{raw}", logsource.unwrap_or("-"))
    }
}

/// Where ECS keeps the data fields of a Windows event
/// (`winlog.event_data.TargetName`).
const ECS_EVENT_DATA: &str = "winlog.event_data.";

/// The name the Windows event itself gives `field` as `rule` writes it:
/// the part after `winlog.event_data.` in an Elastic rule, else `field`.
pub fn event_data_name<'a>(rule: &Rule, field: &'a str) -> &'a str {
    match field.strip_prefix(ECS_EVENT_DATA) {
        Some(name) if rule.platform == Platform::Elastic && !name.is_empty() => name,
        _ => field,
    }
}

/// The integration packages an Elastic rule declares (`integration =
/// ["okta"]`), as declared connectors: the log-source table uses them only
/// when the rule names no index it can resolve (machine-learning rules).
fn declared_integrations(rule: &Rule) -> Vec<ruledex_ir::DataSource> {
    if rule.platform != ruledex_ir::Platform::Elastic {
        return Vec::new();
    }
    let names: Vec<&str> = match rule.properties.get("integration") {
        Some(serde_json::Value::String(name)) => vec![name.as_str()],
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    };
    names
        .into_iter()
        .map(|name| ruledex_ir::DataSource::new(ruledex_ir::DataSourceKind::Connector, name))
        .collect()
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

/// The log source of the Windows event log channels that have none of
/// their own.
const WINDOWS_OTHER_CHANNELS: &str = "windows.event_log";

/// Filters read from the events a rule's tests expect it to fire on: each
/// top-level text field present in every such event, with the values they
/// carry (`category` is `SignInLogs`). They narrow a log type that holds
/// several log sources (Panther's `Azure.Audit` holds sign-in, audit and
/// activity logs) when the rule's own filters do not, as when its program
/// is not in the source or checks the operation alone. Tests are the `tests` property
/// (entries with `expected_result` and a `log` or `resource` event, the
/// shape the Panther loader writes); events given as JSON text are read.
pub fn sample_filters(rule: &Rule) -> Vec<Filter> {
    let Some(serde_json::Value::Array(tests)) = rule.properties.get("tests") else {
        return Vec::new();
    };
    let parsed: Vec<serde_json::Value> = tests
        .iter()
        .filter(|t| t.get("expected_result") == Some(&serde_json::Value::Bool(true)))
        .filter_map(|t| t.get("log").or_else(|| t.get("resource")))
        .filter_map(|event| match event {
            serde_json::Value::String(text) => serde_json::from_str(text).ok(),
            other => Some(other.clone()),
        })
        .collect();
    let Some((first, rest)) = parsed.split_first() else {
        return Vec::new();
    };
    let Some(fields) = first.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in fields.keys() {
        let mut values: Vec<String> = Vec::new();
        for event in std::iter::once(first).chain(rest) {
            match event.get(field) {
                Some(serde_json::Value::String(text)) if !text.is_empty() => {
                    if !values.contains(text) {
                        values.push(text.clone());
                    }
                }
                _ => {
                    values.clear();
                    break;
                }
            }
        }
        if !values.is_empty() {
            out.push(Filter::new(field.as_str(), values));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruledex_ir::{
        collect_indicators, Comparison, DataSource, DataSourceKind, Platform, Predicate, Span,
        Stage,
    };

    fn rule(platform: Platform, source: DataSource, field: &str, value: &str) -> Rule {
        let mut stage = Stage::new("where", "", Span::default());
        stage.predicate = Some(Predicate::Compare(Comparison::new(
            field,
            Op::Eq,
            vec![value.into()],
        )));
        let stages = vec![stage];
        Rule {
            platform,
            indicators: collect_indicators(&[], &stages),
            stages,
            data_sources: vec![source],
            ..Rule::default()
        }
    }

    /// A Panther spec whose program is not in the source: its log type
    /// holds sign-in and audit records, and its tests say which.
    fn panther_spec(tests: serde_json::Value) -> Rule {
        let mut rule = Rule {
            platform: Platform::Panther,
            data_sources: vec![DataSource::new(DataSourceKind::LogType, "Azure.Audit")],
            ..Rule::default()
        };
        rule.properties.insert("tests".into(), tests);
        rule
    }

    #[test]
    fn a_spec_without_its_program_reads_what_its_firing_tests_carry() {
        let n = Normalizer::new();
        let mut sign_in = panther_spec(serde_json::json!([
            {"name": "fails", "expected_result": true,
             "log": {"category": "ServicePrincipalSignInLogs", "operationName": "Sign-in activity", "resultType": 7000215}},
            {"name": "succeeds", "expected_result": false,
             "log": {"category": "AuditLogs", "operationName": "Update policy"}},
        ]));
        assert_eq!(n.identify_logsources(&mut sign_in), ["azure.signin"]);
        // A test event given as JSON text reads the same.
        let mut audit = panther_spec(serde_json::json!([
            {"name": "changed", "expected_result": true,
             "log": "{\"category\": \"Policy\", \"operationName\": \"Update policy\"}"},
        ]));
        assert_eq!(n.identify_logsources(&mut audit), ["azure.audit"]);
        // Firing events that disagree keep every source they name.
        let mut both = panther_spec(serde_json::json!([
            {"expected_result": true, "log": {"category": "SignInLogs"}},
            {"expected_result": true, "log": {"category": "AuditLogs"}},
        ]));
        assert_eq!(
            n.identify_logsources(&mut both),
            ["azure.signin", "azure.audit"]
        );
        // A program that filters the operation alone leaves the log type
        // as wide: its tests narrow it the same way.
        let mut with_program = panther_spec(serde_json::json!([
            {"expected_result": true, "log": {"category": "AuditLogs", "operationName": "Update policy"}},
        ]));
        with_program.query = Some(ruledex_ir::Query {
            language: ruledex_ir::Language::Python,
            text: "def rule(event):\n    return event.get('operationName') == 'Update policy'\n"
                .into(),
            line: 1,
        });
        assert_eq!(n.identify_logsources(&mut with_program), ["azure.audit"]);
        // Without tests the log type stays as wide as it is.
        let mut untested = panther_spec(serde_json::json!([]));
        assert!(n.identify_logsources(&mut untested).len() >= 2);
    }

    #[test]
    fn sample_filters_keep_text_fields_every_firing_event_has() {
        let rule = panther_spec(serde_json::json!([
            {"expected_result": true, "log": {"category": "SignInLogs", "id": "a", "code": 0}},
            {"expected_result": true, "log": {"category": "SignInLogs", "id": "b"}},
            {"expected_result": false, "log": {"category": "AuditLogs", "id": "c"}},
        ]));
        let filters = sample_filters(&rule);
        assert_eq!(
            filters,
            [
                Filter::new("category", ["SignInLogs"]),
                Filter::new("id", ["a", "b"]),
            ]
        );
    }

    #[test]
    fn list_kinds_fold_into_their_single_value_family() {
        assert_eq!(kind_family(IndicatorKind::Value(Op::In)), "eq");
        assert_eq!(kind_family(IndicatorKind::Value(Op::HasAny)), "has");
        assert_eq!(kind_family(IndicatorKind::Value(Op::NotIn)), "ne");
        assert_eq!(kind_family(IndicatorKind::Field(Op::Ne)), "field_ne");
    }

    #[test]
    fn one_api_call_is_one_action_in_every_language() {
        let n = Normalizer::new();
        let mut sentinel = rule(
            Platform::Sentinel,
            DataSource::new(DataSourceKind::Table, "AWSCloudTrail"),
            "EventName",
            "ConsoleLogin",
        );
        let mut elastic = rule(
            Platform::Elastic,
            DataSource::new(DataSourceKind::Index, "logs-aws.cloudtrail-*"),
            "event.action",
            "ConsoleLogin",
        );
        let a = n.identify_logsources(&mut sentinel);
        let b = n.identify_logsources(&mut elastic);
        assert_eq!(a, ["aws.cloudtrail"]);
        assert_eq!(b, ["aws.cloudtrail"]);
        assert_eq!(
            sentinel.data_sources[0].logsource.as_deref(),
            Some("aws.cloudtrail")
        );
        let action_a = &n.actions(&sentinel, &a)[0];
        let action_b = &n.actions(&elastic, &b)[0];
        assert_eq!(
            action_a.operation.as_deref(),
            Some("signin.amazonaws.com:ConsoleLogin")
        );
        assert_eq!(action_a.operation, action_b.operation);
        assert_eq!(action_a.operation_name(), Some("ConsoleLogin"));
    }

    #[test]
    fn operation_patterns_are_actions_keyed_by_their_glob() {
        let n = Normalizer::new();
        let mut sentinel = rule(
            Platform::Sentinel,
            DataSource::new(DataSourceKind::Table, "AzureActivity"),
            "OperationNameValue",
            "",
        );
        let mut stage = Stage::new("where", "", Span::default());
        stage.predicate = Some(Predicate::Compare(Comparison::new(
            "OperationNameValue",
            Op::EndsWith,
            vec!["/roleAssignments/write".into()],
        )));
        sentinel.stages = vec![stage];
        sentinel.indicators = collect_indicators(&[], &sentinel.stages);
        let ls = n.identify_logsources(&mut sentinel);
        assert_eq!(ls, ["azure.activity"]);
        let actions = n.actions(&sentinel, &ls);
        assert_eq!(
            actions[0].operation.as_deref(),
            Some("*/roleassignments/write")
        );
        assert_eq!(actions[0].value.as_deref(), Some("/roleAssignments/write"));
        // A bare wildcard says the field exists, not which operation.
        let mut any = rule(
            Platform::Sigma,
            DataSource::new(DataSourceKind::Logsource, "aws/cloudtrail"),
            "eventName",
            "*",
        );
        any.data_sources[0]
            .attributes
            .insert("product".into(), "aws".into());
        any.data_sources[0]
            .attributes
            .insert("service".into(), "cloudtrail".into());
        any.stages[0].predicate = Some(Predicate::Compare(Comparison::new(
            "eventName",
            Op::Wildcard,
            vec!["*".into()],
        )));
        any.indicators = collect_indicators(&[], &any.stages);
        let ls = n.identify_logsources(&mut any);
        assert_eq!(ls, ["aws.cloudtrail"]);
        assert_eq!(n.actions(&any, &ls)[0].operation, None);
    }

    #[test]
    fn elastic_rules_without_an_index_resolve_through_their_integrations() {
        let n = Normalizer::new();
        let mut ml = Rule {
            platform: Platform::Elastic,
            ..Rule::default()
        };
        ml.properties
            .insert("integration".into(), serde_json::json!(["pad", "okta"]));
        assert_eq!(n.identify_logsources(&mut ml), ["okta.system"]);
        // The rule's own data sources are left as they were.
        assert!(ml.data_sources.is_empty());
        // Other platforms do not read the property.
        let mut other = Rule {
            platform: Platform::Sigma,
            ..Rule::default()
        };
        other
            .properties
            .insert("integration".into(), serde_json::json!("okta"));
        assert!(n.identify_logsources(&mut other).is_empty());
    }

    #[test]
    fn fields_map_across_vocabularies() {
        let n = Normalizer::new();
        let r = Rule {
            platform: Platform::Sigma,
            ..Rule::default()
        };
        let ls = vec!["windows.process_creation".to_string()];
        assert_eq!(n.field_key(&r, &ls, "CommandLine"), "process.command_line");
        let r = Rule {
            platform: Platform::DefenderXdr,
            ..Rule::default()
        };
        assert_eq!(
            n.field_key(&r, &ls, "ProcessCommandLine"),
            "process.command_line"
        );
        assert_eq!(
            n.field_key(&r, &ls, "SomethingLocal"),
            "windows.process_creation:SomethingLocal"
        );
    }
}
