//! `.yaral` files: one or more YARA-L 2.0 rules, each a [`Rule`] with its
//! `meta:` as metadata.

use crate::diag::Code;
use crate::lower::{lower_rule, Lowered};
use ruledex_ir::{
    AttackKind, AttackRef, Language, LineIndex, OffsetMap, Platform, Query, Rule, RuleClass,
    RuleFormat, Severity, SourceFile,
};

/// Chronicle / Google SecOps rule files (`*.yaral`).
pub struct YaralFormat;

impl RuleFormat for YaralFormat {
    fn name(&self) -> &'static str {
        "yaral"
    }

    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        file.extension() == "yaral"
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        load_text(file, self.name())
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[Code::CODES]
    }
}

fn new_rule(file: &SourceFile<'_>, format: &str, index: Option<usize>) -> Rule {
    Rule {
        id: match index {
            Some(i) => format!("{}#{i}", file.path),
            None => file.path.to_string(),
        },
        title: file.stem().to_string(),
        platform: Platform::Chronicle,
        language: Language::Yaral,
        provenance: file.provenance(format, index),
        body: file.text.to_string(),
        ..Rule::default()
    }
}

fn load_text(file: &SourceFile<'_>, format: &str) -> Vec<Rule> {
    let parsed = crate::parse(file.text);
    let map = OffsetMap::identity();
    let several = parsed.file.rules.len() > 1;
    let mut rules: Vec<Rule> = Vec::new();
    let lines = LineIndex::new(file.text);
    for (i, def) in parsed.file.rules.iter().enumerate() {
        let mut rule = new_rule(file, format, several.then_some(i));
        if several {
            rule.body = def.span.slice(file.text).to_string();
            rule.body_offset = def.span.start;
        }
        if !def.name.is_empty() {
            rule.title = def.name.clone();
        }
        rule.query = Some(Query {
            language: Language::Yaral,
            text: def.span.slice(file.text).to_string(),
            line: lines.line_col(file.text, def.span.start).line,
        });
        let lowered = lower_rule(file.text, def, &map);
        apply(&mut rule, lowered, file.path);
        rules.push(rule);
    }
    if rules.is_empty() {
        rules.push(new_rule(file, format, None));
    }
    // Each diagnostic goes to the rule it is in (or the last one before it).
    for d in &parsed.diagnostics {
        let at = parsed
            .file
            .rules
            .iter()
            .rposition(|r| r.span.start <= d.span.start)
            .unwrap_or(0);
        rules[at].diagnostics.push(d.to_diagnostic(&map));
    }
    ruledex_ir::resolve_positions(&mut rules, file.text);
    rules
}

/// Take over a lowered rule: analysis, schedule, kind, metadata.
fn apply(rule: &mut Rule, lowered: Lowered, path: &str) {
    rule.absorb(lowered.analysis);
    rule.schedule = lowered.schedule;
    rule.kind = Some(lowered.kind.to_string());
    if path.split('/').any(|p| p == "_deprecated") {
        rule.add_class(RuleClass::Deprecated);
    }
    for (key, value) in lowered.meta {
        meta(rule, &key, value);
    }
    if !lowered.options.is_empty() {
        let options: serde_json::Map<String, serde_json::Value> = lowered
            .options
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        rule.properties
            .insert("options".to_string(), serde_json::Value::Object(options));
    }
}

/// One `meta:` entry into the rule's metadata; keys without a field of
/// their own become properties.
fn meta(rule: &mut Rule, key: &str, value: String) {
    let lower = key.to_ascii_lowercase();
    let owned = value.trim().to_string();
    let trimmed = owned.as_str();
    match lower.as_str() {
        "author" | "authors" => {
            if !trimmed.is_empty() && !rule.authors.iter().any(|a| a == trimmed) {
                rule.authors.push(trimmed.to_string());
            }
        }
        "description" => rule.description = Some(value),
        "rule_id" if !trimmed.is_empty() => {
            rule.id = trimmed.to_string();
            rule.properties
                .insert(key.to_string(), serde_json::Value::String(value));
        }
        "rule_name" | "name" | "title" if !trimmed.is_empty() => rule.title = trimmed.to_string(),
        "severity" => {
            rule.severity = Severity::parse(trimmed);
            rule.properties
                .insert("severity".to_string(), serde_json::Value::String(value));
        }
        "version" | "rule_version" => rule.version = Some(trimmed.to_string()),
        "created" | "date" | "creation_date" | "created_date" => {
            rule.created = Some(trimmed.to_string())
        }
        "modified" | "last_modified" | "updated" | "modified_date" => {
            rule.modified = Some(trimmed.to_string())
        }
        "status" => rule.status = Some(trimmed.to_string()),
        "tags" => {
            for tag in trimmed.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                rule.tags.push(tag.to_string());
            }
        }
        "false_positives" | "falsepositives" => rule.false_positives.push(value),
        "reference" | "references" | "url" => {
            for r in trimmed
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
            {
                rule.references.push(r.to_string());
            }
        }
        "mitre_attack_url" => {
            for id in technique_ids_in_url(trimmed) {
                push_attack(rule, AttackKind::Technique, Some(id), None);
            }
            rule.references.push(trimmed.to_string());
        }
        "mitre_attack_tactic" | "tactic" | "tactics" => {
            for part in trimmed.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if is_tactic_id(part) {
                    push_attack(rule, AttackKind::Tactic, Some(part.to_string()), None);
                } else {
                    push_attack(rule, AttackKind::Tactic, None, Some(part.to_string()));
                }
            }
        }
        "mitre_attack_technique"
        | "mitre_attack_technique_id"
        | "technique"
        | "techniques"
        | "mitre"
        | "mitre_attack" => {
            for part in trimmed
                .split([',', ' '])
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                let upper = part.to_ascii_uppercase();
                if is_technique_id(&upper) {
                    push_attack(rule, AttackKind::Technique, Some(upper), None);
                } else if is_tactic_id(&upper) {
                    push_attack(rule, AttackKind::Tactic, Some(upper), None);
                }
            }
            if lower == "mitre_attack_technique" && !trimmed.is_empty() && !is_technique_id(trimmed)
            {
                push_attack(rule, AttackKind::Technique, None, Some(trimmed.to_string()));
            }
            rule.properties
                .insert(key.to_string(), serde_json::Value::String(value));
        }
        _ => {
            rule.properties
                .insert(key.to_string(), serde_json::Value::String(value));
        }
    }
    if lower == "type" && owned.eq_ignore_ascii_case("hunt") {
        rule.add_class(RuleClass::Hunting);
    }
}

fn push_attack(rule: &mut Rule, kind: AttackKind, id: Option<String>, name: Option<String>) {
    let r = AttackRef { kind, id, name };
    if !rule.attack.contains(&r) {
        rule.attack.push(r);
    }
}

fn is_tactic_id(s: &str) -> bool {
    s.len() == 6 && s.starts_with("TA") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

fn is_technique_id(s: &str) -> bool {
    let b = s.as_bytes();
    let base = b.len() >= 5 && b[0] == b'T' && b[1..5].iter().all(u8::is_ascii_digit);
    base && (b.len() == 5
        || (b.len() == 9 && b[5] == b'.' && b[6..].iter().all(u8::is_ascii_digit)))
}

/// `https://attack.mitre.org/techniques/T1562/001/` → `T1562.001`.
fn technique_ids_in_url(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let parts: Vec<&str> = url.split('/').collect();
    for (i, p) in parts.iter().enumerate() {
        let upper = p.to_ascii_uppercase();
        if is_technique_id(&upper) && upper.len() == 5 {
            let sub = parts
                .get(i + 1)
                .filter(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()));
            out.push(match sub {
                Some(sub) => format!("{upper}.{sub}"),
                None => upper,
            });
        }
    }
    out
}
