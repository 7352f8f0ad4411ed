//! Rule records that carry a query next to the language it is written in
//! (`logic_format: Splunk` with the search in `logic`), one record per
//! document or a list of records.

use super::{attach_search, new_rule};
use crate::diag::Code;
use ruledex_ir::{AttackKind, AttackRef, Diagnostic, Rule, RuleFormat, SourceFile};
use ruledex_yaml::Node;

/// YAML records with `logic_format` and `logic`: the Splunk ones are
/// analyzed; the others are listed, without a query, with warning
/// `SPL203`.
pub struct CollectionFormat;

impl RuleFormat for CollectionFormat {
    fn name(&self) -> &'static str {
        "splunk-collection"
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[crate::diag::Code::CODES]
    }

    /// A YAML file with a `logic_format:` key (top level, or in the items
    /// of a top-level list).
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        let ext = file.extension();
        (ext == "yml" || ext == "yaml")
            && file.text.lines().any(|l| {
                let l = l.trim_start_matches(['-', ' ']);
                l.starts_with("logic_format:")
            })
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let docs = match ruledex_yaml::parse(file.text) {
            Ok(docs) => docs,
            Err(e) => {
                let mut rule = new_rule(file, self.name(), None);
                rule.diagnostics.push(
                    Diagnostic::error(Code::InvalidYaml.as_str(), e.message).with_span(e.span),
                );
                return vec![rule];
            }
        };
        let mut records: Vec<&Node> = Vec::new();
        for doc in &docs {
            if doc.is_sequence() {
                records.extend(
                    doc.items()
                        .iter()
                        .filter(|i| i.get("logic_format").is_some()),
                );
            } else if doc.get("logic_format").is_some() {
                records.push(doc);
            }
        }
        let several = records.len() > 1;
        records
            .into_iter()
            .enumerate()
            .map(|(i, record)| self.record(file, record, several.then_some(i)))
            .collect()
    }
}

impl CollectionFormat {
    fn record(&self, file: &SourceFile<'_>, record: &Node, index: Option<usize>) -> Rule {
        let mut rule = new_rule(file, self.name(), index);
        let text = |key: &str| {
            record
                .get(key)
                .and_then(Node::as_str)
                .map(|s| s.trim().to_string())
        };
        if let Some(id) = text("id") {
            rule.id = id;
        }
        if let Some(title) = text("title").or_else(|| text("name")) {
            rule.title = title;
        }
        rule.description = text("description");
        rule.status = text("status");
        rule.references = record
            .get("references")
            .map(|r| r.strings().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        for key in ["technique_id", "mitre_attack_id"] {
            for id in record.get(key).map(Node::strings).unwrap_or_default() {
                rule.attack.push(AttackRef {
                    kind: AttackKind::Technique,
                    id: Some(id.trim().to_string()),
                    name: None,
                });
            }
        }
        let format = text("logic_format").unwrap_or_default();
        rule.kind = Some(format.clone());
        let splunk = matches!(format.to_ascii_lowercase().as_str(), "splunk" | "spl");
        let logic = record.get("logic").or_else(|| record.get("search"));
        match (splunk, logic) {
            (true, Some(node)) if node.as_str().is_some_and(|s| !s.trim().is_empty()) => {
                let search = node.as_str().unwrap_or_default();
                attach_search(&mut rule, file, search, &node.text_map(file.text));
            }
            (true, _) => rule.diagnostics.push(
                Diagnostic::error(Code::MissingSearch.as_str(), "the record has no `logic`")
                    .with_span(record.span),
            ),
            (false, _) => rule.diagnostics.push(
                Diagnostic::warning(
                    Code::NotSplunk.as_str(),
                    format!("the record's `logic_format` is `{format}`, not Splunk: listed, not analyzed"),
                )
                .with_span(record.get("logic_format").map_or(record.span, |n| n.span)),
            ),
        }
        rule
    }
}
