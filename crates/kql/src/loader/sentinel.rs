//! Microsoft Sentinel analytics rules and hunting queries (YAML).

use crate::codes;
use ruledex_ir::{
    AlertTemplate, AttackKind, AttackRef, DataSource, DataSourceKind, Diagnostic, EntityField,
    EntityMapping, Platform, Rule, RuleClass, RuleFormat, Severity, SourceFile,
};
use ruledex_yaml::Node;

/// Sentinel rule YAML: analytics rules (`kind: Scheduled`, `NRT`) and hunting
/// queries (no schedule), as in the Azure-Sentinel repository.
pub struct SentinelFormat;

impl RuleFormat for SentinelFormat {
    fn name(&self) -> &'static str {
        "sentinel-yaml"
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[crate::codes::ALL]
    }

    /// A YAML file with top-level `query:` and `name:` or `id:` keys and no
    /// Sigma `detection:`.
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        let ext = file.extension();
        if ext != "yaml" && ext != "yml" {
            return false;
        }
        let mut query = false;
        let mut named = false;
        for line in file.text.lines() {
            query |= line.starts_with("query:");
            named |= line.starts_with("name:") || line.starts_with("id:");
            if line.starts_with("detection:")
                || line.starts_with("search:")
                || line.starts_with("AnalysisType:")
            {
                return false;
            }
        }
        query && named
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let mut rule = Rule {
            id: file.stem().to_string(),
            title: file.stem().to_string(),
            platform: Platform::Sentinel,
            provenance: file.provenance(self.name(), None),
            body: file.text.to_string(),
            ..Rule::default()
        };
        let docs = match ruledex_yaml::parse(file.text) {
            Ok(docs) => docs,
            Err(e) => {
                rule.diagnostics
                    .push(Diagnostic::error(codes::INVALID_RULE_FILE, e.message).with_span(e.span));
                return vec![rule];
            }
        };
        let Some(doc) = docs.first().filter(|d| d.is_mapping()) else {
            rule.diagnostics.push(Diagnostic::error(
                codes::INVALID_RULE_FILE,
                "the file is not a YAML mapping",
            ));
            return vec![rule];
        };
        read_metadata(&mut rule, doc);
        match doc.get("query") {
            Some(q) if q.as_str().is_some_and(|s| !s.trim().is_empty()) => {
                let text = q.as_str().unwrap_or_default();
                super::attach_query(&mut rule, text, &q.text_map(file.text), file.text);
            }
            Some(q) => rule.diagnostics.push(
                Diagnostic::error(codes::MISSING_QUERY, "the query is empty").with_span(q.span),
            ),
            None => rule.diagnostics.push(Diagnostic::error(
                codes::MISSING_QUERY,
                "the rule has no `query`",
            )),
        }
        vec![rule]
    }
}

fn read_metadata(rule: &mut Rule, doc: &Node) {
    let text = |key: &str| doc.get(key).and_then(Node::as_str).map(str::to_string);
    match text("id") {
        Some(id) => rule.id = id,
        None => rule.diagnostics.push(Diagnostic::warning(
            codes::MISSING_ID,
            "the rule has no `id`; using the file name",
        )),
    }
    match text("name") {
        Some(name) => rule.title = name.trim().to_string(),
        None => rule.diagnostics.push(Diagnostic::warning(
            codes::MISSING_NAME,
            "the rule has no `name`; using the file name",
        )),
    }
    rule.description = text("description").map(|d| unquote(&d));
    if let Some(node) = doc.get("severity") {
        let written = node.as_str().unwrap_or_default();
        rule.severity = Severity::parse(written);
        if rule.severity.is_none() {
            rule.diagnostics.push(
                Diagnostic::warning(
                    codes::UNKNOWN_SEVERITY,
                    format!("unknown severity `{written}`"),
                )
                .with_span(node.span)
                .with_note("expected Informational, Low, Medium or High"),
            );
        }
    }
    rule.status = text("status");
    rule.version = text("version");
    rule.kind = text("kind");
    let scheduled = rule.kind.is_some() || doc.get("queryFrequency").is_some();
    if !scheduled {
        rule.kind = Some("Hunting".to_string());
        rule.add_class(RuleClass::Hunting);
    }
    rule.schedule.frequency = text("queryFrequency");
    rule.schedule.lookback = text("queryPeriod");
    if let (Some(op), Some(threshold)) = (text("triggerOperator"), text("triggerThreshold")) {
        let symbol = match op.to_ascii_lowercase().as_str() {
            "gt" | "greaterthan" => ">",
            "lt" | "lessthan" => "<",
            "eq" | "equal" => "==",
            "ne" | "notequal" => "!=",
            _ => op.as_str(),
        };
        rule.schedule.trigger = Some(format!("result count {symbol} {threshold}"));
    }
    for tactic in doc.get("tactics").map(Node::strings).unwrap_or_default() {
        rule.attack.push(AttackRef {
            kind: AttackKind::Tactic,
            id: None,
            name: Some(tactic.trim().to_string()),
        });
    }
    for key in ["relevantTechniques", "techniques"] {
        for technique in doc.get(key).map(Node::strings).unwrap_or_default() {
            rule.attack.push(AttackRef {
                kind: AttackKind::Technique,
                id: Some(technique.trim().to_string()),
                name: None,
            });
        }
    }
    for connector in doc
        .get("requiredDataConnectors")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(id) = connector.get("connectorId").and_then(Node::as_str) {
            let mut source = DataSource::new(DataSourceKind::Connector, id);
            let types = connector
                .get("dataTypes")
                .map(Node::strings)
                .unwrap_or_default();
            if !types.is_empty() {
                source
                    .attributes
                    .insert("dataTypes".to_string(), types.join(", "));
            }
            rule.data_sources.push(source);
        }
    }
    for mapping in doc
        .get("entityMappings")
        .map(Node::items)
        .unwrap_or_default()
    {
        let Some(entity_type) = mapping.get("entityType").and_then(Node::as_str) else {
            continue;
        };
        let fields = mapping
            .get("fieldMappings")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| {
                Some(EntityField {
                    identifier: f.get("identifier")?.as_str()?.to_string(),
                    column: f.get("columnName")?.as_str()?.to_string(),
                })
            })
            .collect();
        rule.entities.push(EntityMapping {
            entity_type: entity_type.to_string(),
            fields,
        });
    }
    if let Some(details) = doc.get("customDetails") {
        for (key, value) in details.entries() {
            if let (Some(k), Some(v)) = (key.as_str(), value.as_str()) {
                rule.custom_details.insert(k.to_string(), v.to_string());
            }
        }
    }
    if let Some(overrides) = doc.get("alertDetailsOverride").filter(|n| n.is_mapping()) {
        let mut alert = AlertTemplate::default();
        for (key, value) in overrides.entries() {
            let (Some(k), Some(v)) = (key.as_str(), value.as_str()) else {
                if let (Some(k), false) = (key.as_str(), value.is_null()) {
                    alert
                        .other
                        .insert(k.to_string(), value.to_json().to_string());
                }
                continue;
            };
            match k {
                "alertDisplayNameFormat" => alert.title = Some(v.trim().to_string()),
                "alertDescriptionFormat" => alert.description = Some(v.trim().to_string()),
                _ => {
                    alert.other.insert(k.to_string(), v.to_string());
                }
            }
        }
        rule.alert = Some(alert);
    }
    if let Some(metadata) = doc.get("metadata") {
        if let Some(author) = metadata
            .get("author")
            .and_then(|a| a.get("name"))
            .and_then(Node::as_str)
        {
            rule.authors.push(author.to_string());
        }
    }
    for tag in doc.get("tags").map(Node::items).unwrap_or_default() {
        match tag.as_str() {
            Some(t) => rule.tags.push(t.to_string()),
            None => rule.tags.push(compact_json(&tag.to_json())),
        }
    }
    for key in [
        "requiredDataConnectors",
        "eventGroupingSettings",
        "incidentConfiguration",
        "suppressionEnabled",
        "suppressionDuration",
        "sentinelEntitiesMappings",
        "metadata",
    ] {
        if let Some(node) = doc.get(key).filter(|n| !n.is_null()) {
            rule.properties.insert(key.to_string(), node.to_json());
        }
    }
}

/// Descriptions in the Sentinel repository are often wrapped in quotes
/// inside a block scalar (`description: |\n  'text'`); the quotes are not
/// part of the text.
fn unquote(text: &str) -> String {
    let t = text.trim();
    for q in ['\'', '"'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return t[1..t.len() - 1].trim().to_string();
        }
    }
    t.to_string()
}

/// `{"Schema":"ASimDns"}` → `Schema: ASimDns`, for dictionary tags.
fn compact_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}: {}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}
