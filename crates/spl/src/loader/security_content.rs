//! Splunk security_content detections and their supporting files.

use super::{attach_search, new_rule, supporting_kind, unreadable, SplunkContext};
use crate::diag::Code;
use ruledex_ir::{
    AttackKind, AttackRef, DataSource, DataSourceKind, Diagnostic, Rule, RuleClass, RuleFormat,
    SourceContext, SourceFile,
};
use ruledex_yaml::Node;

/// security_content YAML: detections (`name`, `id`, `type`, `status`,
/// `search`, `data_source`, `tags.mitre_attack_id`, …) and the
/// `macros/*.yml` and `lookups/*.yml` files of the same source, which load
/// as no rules and define the detections' macros.
pub struct SecurityContentFormat;

/// The top-level keys of a line (`search:` → `search`).
fn top_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '#', '-']) {
        return None;
    }
    line.split_once(':').map(|(k, _)| k)
}

impl RuleFormat for SecurityContentFormat {
    fn name(&self) -> &'static str {
        "security-content-yaml"
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[crate::diag::Code::CODES]
    }

    /// A YAML file with top-level `name:`, `search:` and `type:` or `id:`
    /// and no Sigma `detection:`/`logsource:` (or, in the older
    /// `spec_version: 2` layout, `detect:` in place of `search:`); or a
    /// `macros/*.yml` with
    /// `definition:`, or a `lookups/*.yml` with `filename:`/`collection:`.
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        let ext = file.extension();
        if ext != "yml" && ext != "yaml" {
            return false;
        }
        let (mut name, mut search, mut typed, mut definition, mut lookup) =
            (false, false, false, false, false);
        let (mut detect, mut spec) = (false, false);
        for line in file.text.lines() {
            match top_key(line) {
                Some("name") => name = true,
                Some("search") => search = true,
                Some("detect") => detect = true,
                Some("spec_version") => spec = true,
                Some("type" | "id") => typed = true,
                Some("definition") => definition = true,
                Some("filename" | "collection") => lookup = true,
                Some("detection" | "logsource" | "query" | "logic_format" | "AnalysisType") => {
                    return false
                }
                _ => {}
            }
        }
        match supporting_kind(file.path) {
            Some(super::Supporting::Macro) => name && definition,
            Some(super::Supporting::Lookup) => name && lookup,
            // A Splunk app's file: the saved-searches format reads it.
            Some(super::Supporting::MacroConf) => false,
            None => name && (search || (detect && spec)) && typed,
        }
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        if supporting_kind(file.path).is_some() {
            return Vec::new();
        }
        let mut rule = new_rule(file, self.name(), None);
        let docs = match ruledex_yaml::parse(file.text) {
            Ok(docs) => docs,
            Err(e) => return unreadable(rule, Code::InvalidYaml.as_str(), e.message, Some(e.span)),
        };
        let Some(doc) = docs.first().filter(|d| d.is_mapping()) else {
            return unreadable(
                rule,
                Code::InvalidYaml.as_str(),
                "the file is not a YAML mapping".into(),
                None,
            );
        };
        metadata(&mut rule, doc, file.path);
        // `spec_version: 2` detections keep the search under
        // `detect.splunk.correlation_rule`.
        let search = doc.get("search").or_else(|| {
            doc.get("detect")?
                .get("splunk")?
                .get("correlation_rule")?
                .get("search")
        });
        match search {
            Some(s) if s.as_str().is_some_and(|t| !t.trim().is_empty()) => {
                let text = s.as_str().unwrap_or_default();
                attach_search(&mut rule, file, text, &s.text_map(file.text));
            }
            Some(s) => rule.diagnostics.push(
                Diagnostic::error(Code::MissingSearch.as_str(), "the search is empty")
                    .with_span(s.span),
            ),
            None => rule.diagnostics.push(Diagnostic::error(
                Code::MissingSearch.as_str(),
                "the detection has no `search`",
            )),
        }
        vec![rule]
    }

    fn context_path(&self, path: &str) -> bool {
        super::is_supporting_path(path)
    }

    fn build_context(&self, files: &[SourceFile<'_>]) -> Option<SourceContext> {
        Some(Box::new(SplunkContext::from_files(files)))
    }
}

fn metadata(rule: &mut Rule, doc: &Node, path: &str) {
    let text = |key: &str| {
        doc.get(key)
            .and_then(Node::as_str)
            .map(|s| s.trim().to_string())
    };
    match text("id") {
        Some(id) => rule.id = id,
        None => rule.diagnostics.push(Diagnostic::warning(
            Code::MissingMetadata.as_str(),
            "the detection has no `id`; using the path",
        )),
    }
    match text("name") {
        Some(name) => rule.title = name,
        None => rule.diagnostics.push(Diagnostic::warning(
            Code::MissingMetadata.as_str(),
            "the detection has no `name`; using the file name",
        )),
    }
    rule.description = text("description");
    rule.status = text("status");
    rule.version = text("version");
    rule.modified = text("date");
    rule.kind = text("type");
    if let Some(author) = text("author") {
        rule.authors.push(author);
    }
    rule.references = doc
        .get("references")
        .map(|r| r.strings().into_iter().map(str::to_string).collect())
        .unwrap_or_default();
    if let Some(fp) = text("known_false_positives") {
        rule.false_positives.push(fp);
    }
    let deprecated = rule
        .status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("deprecated"))
        || path.split('/').any(|p| p == "deprecated");
    if deprecated {
        rule.add_class(RuleClass::Deprecated);
    }
    match rule.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("hunting") => rule.add_class(RuleClass::Hunting),
        Some("correlation") => rule.add_class(RuleClass::Correlation),
        _ => {}
    }
    for source in doc
        .get("data_source")
        .or_else(|| doc.get("data_sources"))
        .map(Node::strings)
        .unwrap_or_default()
    {
        let mut ds = DataSource::new(DataSourceKind::Sourcetype, source.trim());
        ds.attributes.insert("type".into(), "data_source".into());
        rule.data_sources.push(ds);
    }
    if let Some(tags) = doc.get("tags") {
        for id in tags
            .get("mitre_attack_id")
            .map(Node::strings)
            .unwrap_or_default()
        {
            rule.attack.push(AttackRef {
                kind: AttackKind::Technique,
                id: Some(id.trim().to_string()),
                name: None,
            });
        }
        for story in tags
            .get("analytic_story")
            .map(Node::strings)
            .unwrap_or_default()
        {
            rule.tags.push(format!("analytic_story: {}", story.trim()));
        }
        for key in [
            "asset_type",
            "security_domain",
            "risk_score",
            "confidence",
            "impact",
            "product",
            "cve",
            "observable",
            "required_fields",
        ] {
            if let Some(node) = tags.get(key).filter(|n| !n.is_null()) {
                rule.properties.insert(key.to_string(), node.to_json());
            }
        }
    }
    for key in ["how_to_implement", "drilldown_searches", "rba", "datamodel"] {
        if let Some(node) = doc.get(key).filter(|n| !n.is_null()) {
            rule.properties.insert(key.to_string(), node.to_json());
        }
    }
}
