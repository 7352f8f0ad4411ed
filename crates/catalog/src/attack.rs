//! ATT&CK in the catalog: each rule's references resolved, their matrix
//! cells, coverage across rules, and Navigator layers.

use crate::entry::Entry;
use ruledex_attack::{Attack, Cell, Finding};
use ruledex_ir::{Rule, RuleClass};
use std::collections::{BTreeMap, BTreeSet};

/// Resolve every ATT&CK reference of `rule`, append the diagnostics the
/// findings deserve (unknown, revoked, deprecated, mismatched names), and
/// return the findings with the cells they cover.
pub fn resolve_rule(attack: &Attack, rule: &mut Rule) -> (Vec<Finding>, BTreeSet<Cell>) {
    let findings: Vec<Finding> = rule.attack.iter().map(|r| attack.resolve(r)).collect();
    for finding in &findings {
        rule.diagnostics.extend(attack.diagnostics(finding));
    }
    let cells = attack.coverage(&findings);
    (findings, cells)
}

/// Search terms for a rule: tactic ids and short names, technique and
/// sub-technique ids of its cells, and the ids as written (v19 ids too), all
/// lower case.
pub fn search_terms(
    attack: &Attack,
    findings: &[Finding],
    cells: &BTreeSet<Cell>,
) -> (Vec<String>, Vec<String>) {
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    for cell in cells {
        tactics.push(cell.tactic.to_lowercase());
        if let Some(t) = attack.tactic(&cell.tactic) {
            tactics.push(t.id.to_lowercase());
        }
        techniques.push(cell.technique.to_lowercase());
        if let Some(sub) = &cell.subtechnique {
            techniques.push(sub.to_lowercase());
        }
    }
    for finding in findings {
        if let Some(target) = finding.resolution.target() {
            let id = target.id.to_lowercase();
            match target.kind {
                ruledex_ir::AttackKind::Tactic => tactics.push(id),
                ruledex_ir::AttackKind::Technique => {
                    if let Some((parent, _)) = id.split_once('.') {
                        techniques.push(parent.to_string());
                    }
                    techniques.push(id);
                }
            }
        }
    }
    tactics.sort();
    tactics.dedup();
    techniques.sort();
    techniques.dedup();
    (tactics, techniques)
}

/// Whether a rule counts in coverage and browse views by default: hunting
/// queries, alert forwarders, building blocks, deprecated rules and filters
/// are searchable but not counted.
pub fn counts_in_coverage(entry: &Entry) -> bool {
    !entry.rule.classes.iter().any(|c| {
        matches!(
            c,
            RuleClass::Hunting
                | RuleClass::AlertForwarding
                | RuleClass::BuildingBlock
                | RuleClass::Deprecated
                | RuleClass::Filter
        )
    })
}

/// Rules (positions of `entries`) per technique cell id (techniques and
/// sub-techniques both, sub-techniques also counted on their parent), among
/// the rules `include` accepts.
pub fn coverage(
    entries: &[Entry],
    include: impl Fn(&Entry) -> bool,
) -> BTreeMap<String, Vec<usize>> {
    let mut coverage: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (position, entry) in entries.iter().enumerate() {
        if !include(entry) {
            continue;
        }
        let mut ids: BTreeSet<&str> = BTreeSet::new();
        for cell in &entry.cells {
            ids.insert(&cell.technique);
            if let Some(sub) = &cell.subtechnique {
                ids.insert(sub);
            }
        }
        for id in ids {
            coverage.entry(id.to_string()).or_default().push(position);
        }
    }
    coverage
}

/// An ATT&CK Navigator layer (format 4.5) of `entries` scoring each
/// technique by the number of rules covering it, with a per-language
/// breakdown as the comment.
pub fn navigator_layer(
    entries: &[Entry],
    attack: &Attack,
    include: impl Fn(&Entry) -> bool,
    name: &str,
) -> serde_json::Value {
    let coverage = coverage(entries, include);
    let scores: Vec<(String, f64, String)> = coverage
        .iter()
        .map(|(id, rules)| {
            let mut per: BTreeMap<&str, usize> = BTreeMap::new();
            for &p in rules {
                *per.entry(entries[p].rule.language.id()).or_default() += 1;
            }
            let comment = per
                .iter()
                .map(|(l, n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            (id.clone(), rules.len() as f64, comment)
        })
        .collect();
    let description = format!(
        "Rules per technique in the ruledex catalog ({} rules, {}).",
        entries.len(),
        attack.version_label()
    );
    attack.navigator_layer(
        scores
            .iter()
            .map(|(id, s, c)| (id.as_str(), *s, c.as_str())),
        name,
        &description,
    )
}
