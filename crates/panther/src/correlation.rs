//! Correlation rules: sequences and groups of other rules' matches.
//!
//! Each `Detection` entry becomes a `sequence` or `group` stage whose
//! `uses` are the rule ids it correlates (also recorded as rule
//! dependencies), whose predicate joins the steps by id, and whose
//! `MatchCriteria` fields (what the steps must share) are outputs. The
//! lookback window is the rule's window.

use crate::codes;
use ruledex_ir::{
    Analysis, Dependency, DependencyKind, Diagnostic, OutputField, Predicate, Stage, StageRef,
};
use ruledex_yaml::Node;

/// Lower a correlation rule's `Detection`. Returns the window
/// (`LookbackWindowMinutes`) when one is set.
pub fn lower(text: &str, detection: &Node, analysis: &mut Analysis) -> Option<String> {
    let mut window = None;
    let entries = if detection.is_sequence() {
        detection.items().to_vec()
    } else {
        vec![detection.clone()]
    };
    for entry in &entries {
        let (kind, steps) = match (entry.get("Sequence"), entry.get("Group")) {
            (Some(s), _) => ("sequence", s),
            (None, Some(g)) => ("group", g),
            (None, None) => {
                analysis.diagnostics.push(
                    Diagnostic::error(
                        codes::INVALID_CORRELATION,
                        "a correlation detection needs a `Sequence` or a `Group`",
                    )
                    .with_span(entry.span),
                );
                continue;
            }
        };
        let index = analysis.stages.len();
        let mut stage = Stage::new(kind, entry.span.slice(text), entry.span);
        let mut steps_text = Vec::new();
        for step in steps.items() {
            let Some(rule_id) = step.get("RuleID").and_then(Node::as_str) else {
                analysis.diagnostics.push(
                    Diagnostic::error(
                        codes::INVALID_CORRELATION,
                        "a correlation step needs a `RuleID`",
                    )
                    .with_span(step.span),
                );
                continue;
            };
            let id = step.get("ID").and_then(Node::as_str).unwrap_or(rule_id);
            let absent = step
                .get("Absence")
                .and_then(|a| a.as_str())
                .is_some_and(|a| a.eq_ignore_ascii_case("true"));
            steps_text.push(if absent {
                format!("not({id})")
            } else {
                id.to_string()
            });
            if !stage.uses.iter().any(|u| u == rule_id) {
                stage.uses.push(rule_id.to_string());
            }
            if !analysis.dependencies.iter().any(|d| d.name == rule_id) {
                analysis.dependencies.push(Dependency {
                    kind: DependencyKind::Rule,
                    name: rule_id.to_string(),
                    span: step.get("RuleID").map(|n| n.span),
                });
            }
        }
        let joiner = if kind == "sequence" {
            " then "
        } else {
            " and "
        };
        if !steps_text.is_empty() {
            stage.predicate = Some(Predicate::opaque(
                &steps_text.join(joiner),
                Some(steps.span),
            ));
        }
        if let Some(criteria) = entry.get("MatchCriteria") {
            for (_, fields) in criteria.entries() {
                for item in fields.items() {
                    if let Some(field) = item.get("Match").and_then(Node::as_str) {
                        if !analysis.outputs.iter().any(|o| o.name == field) {
                            analysis.outputs.push(OutputField {
                                name: field.to_string(),
                                source: "match_criteria".into(),
                                stage: Some(StageRef::main(index)),
                            });
                        }
                    }
                }
            }
        }
        if let Some(minutes) = entry.get("LookbackWindowMinutes").and_then(Node::as_str) {
            window = Some(format!("{minutes}m"));
        }
        analysis.stages.push(stage);
    }
    window
}
