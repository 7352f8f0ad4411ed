//! `savedsearches.conf`: the saved searches of a Splunk app, each a stanza
//! with a `search` setting (how Splunk apps and Enterprise Security content
//! packs ship their correlation searches).

use super::{attach_search, new_rule};
use crate::conf::{self, Stanza};
use ruledex_ir::{AttackKind, AttackRef, Rule, RuleFormat, SourceContext, SourceFile};

/// `savedsearches.conf` files: one rule per stanza with a `search`. The
/// title is the stanza name (or `action.correlationsearch.label`), the
/// description `description`, ATT&CK the `mitre_attack` list of
/// `action.correlationsearch.annotations`; `disabled`, `cron_schedule`, the
/// dispatch window and the notable's title and security domain are kept as
/// properties. Macros come from the same source's `macros.conf` (and
/// security_content's `macros/*.yml`).
pub struct SavedSearchesFormat;

/// Settings kept as rule properties, under their own names.
const KEPT: [&str; 7] = [
    "disabled",
    "cron_schedule",
    "dispatch.earliest_time",
    "dispatch.latest_time",
    "action.notable.param.rule_title",
    "action.notable.param.security_domain",
    "action.notable.param.severity",
];

impl RuleFormat for SavedSearchesFormat {
    fn name(&self) -> &'static str {
        "splunk-savedsearches"
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[crate::diag::Code::CODES]
    }

    /// A file named `savedsearches.conf`, or `macros.conf` (which holds
    /// no rule: its macros are read into the source's context), at any
    /// depth.
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        is_savedsearches(file.path)
            || super::supporting_kind(file.path) == Some(super::Supporting::MacroConf)
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        if !is_savedsearches(file.path) {
            return Vec::new();
        }
        conf::parse(file.text)
            .iter()
            .filter(|stanza| stanza.name != "default")
            .filter(|stanza| stanza.get("search").is_some())
            .enumerate()
            .map(|(index, stanza)| rule(file, self.name(), index, stanza))
            .collect()
    }

    fn context_path(&self, path: &str) -> bool {
        super::is_supporting_path(path)
    }

    fn build_context(&self, files: &[SourceFile<'_>]) -> Option<SourceContext> {
        Some(Box::new(super::SplunkContext::from_files(files)))
    }
}

/// True for a path whose file name is `savedsearches.conf`.
pub(crate) fn is_savedsearches(path: &str) -> bool {
    path.rsplit(['/', '\\'])
        .next()
        .is_some_and(|name| name.eq_ignore_ascii_case("savedsearches.conf"))
}

fn rule(file: &SourceFile<'_>, format: &str, index: usize, stanza: &Stanza) -> Rule {
    let mut rule = new_rule(file, format, Some(index));
    rule.id = format!("{}#{}", file.path, stanza.name);
    rule.title = stanza
        .value("action.correlationsearch.label")
        .filter(|l| !l.is_empty())
        .unwrap_or(&stanza.name)
        .to_string();
    rule.description = stanza
        .value("description")
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    for key in KEPT {
        if let Some(value) = stanza.value(key) {
            rule.properties.insert(
                key.to_string(),
                serde_json::Value::String(value.to_string()),
            );
        }
    }
    if let Some(annotations) = stanza.value("action.correlationsearch.annotations") {
        attack(&mut rule, annotations);
    }
    if let Some(search) = stanza.get("search") {
        if search.value.is_empty() {
            rule.diagnostics.push(
                ruledex_ir::Diagnostic::error(
                    crate::diag::Code::MissingSearch.as_str(),
                    format!("the saved search `{}` is empty", stanza.name),
                )
                .with_span(search.key_span),
            );
        } else {
            attach_search(&mut rule, file, &search.value, &search.map);
        }
    }
    rule
}

/// ATT&CK ids from the annotations JSON (`{"mitre_attack": ["T1059.001"]}`).
fn attack(rule: &mut Rule, annotations: &str) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(annotations)
    else {
        return;
    };
    let Some(serde_json::Value::Array(ids)) = map.get("mitre_attack") else {
        return;
    };
    for id in ids.iter().filter_map(serde_json::Value::as_str) {
        let id = id.trim();
        let kind = if id.starts_with("TA") {
            AttackKind::Tactic
        } else if id.starts_with('T') {
            AttackKind::Technique
        } else {
            continue;
        };
        let r = AttackRef {
            kind,
            id: Some(id.to_string()),
            name: None,
        };
        if !rule.attack.contains(&r) {
            rule.attack.push(r);
        }
    }
}
