//! How each rule format writes ATT&CK references, turned into
//! [`AttackRef`]s (no knowledge base needed; resolve them with
//! [`crate::Attack::resolve`]).
//!
//! | format | where | example |
//! |---|---|---|
//! | Sigma | `tags` | `attack.t1059.001`, `attack.initial-access`, `attack.defense_evasion`, `attack.stealth` |
//! | Sentinel | `tactics`, `relevantTechniques` | `InitialAccess`, `CommandAndControl`, `T1078.004` |
//! | Defender hunting queries | Markdown coverage table | `Initial access`, `Command and control` |
//! | Elastic | `[[rule.threat]]` | tactic `TA0005` + `Defense Evasion`, technique `T1562` + `Impair Defenses` |
//! | Splunk | `tags.mitre_attack_id` | `T1059.001` |
//! | Panther | `Reports: {MITRE ATT&CK: [...]}` | `TA0002:T1059` |
//! | Chronicle | `meta:` | `mitre_attack_tactic = "Defense Evasion, Persistence"`, `technique = "T1003.001"`, `mitre = "execution, t1059"`, `mitre_attack_url = "https://attack.mitre.org/techniques/T1078/004/"` |

use crate::resolve::{tactic_ref, technique_ref, TechniqueEntry, ThreatEntry};
use crate::text::{parse_id, AttackId, MAX_REFERENCE_LEN};
use ruledex_ir::{AttackKind, AttackRef};

/// Most references taken from one comma-separated value.
const MAX_LIST_ITEMS: usize = 64;
/// Most references taken from all the fields of one rule.
const MAX_RULE_REFERENCES: usize = 1024;

/// An id written alone (Sentinel `relevantTechniques`, Splunk
/// `mitre_attack_id`, Chronicle `technique`): a technique unless it has the
/// shape of a tactic id. The text is kept as written; resolution accepts any
/// case and spacing.
pub fn id(text: &str) -> AttackRef {
    let kind = match parse_id(text) {
        Some(AttackId::Tactic(_)) => AttackKind::Tactic,
        _ => AttackKind::Technique,
    };
    AttackRef {
        kind,
        id: Some(text.trim().to_string()),
        name: None,
    }
}

/// A tactic written by name or id (Sentinel `tactics`, Defender's table,
/// Chronicle `mitre_attack_tactic`).
pub fn tactic(text: &str) -> AttackRef {
    let text = text.trim();
    match parse_id(text) {
        Some(_) => tactic_ref(Some(text), None),
        None => tactic_ref(None, Some(text)),
    }
}

/// A technique written by name or id (Chronicle `mitre_attack_technique`,
/// which writes `Valid Accounts: Cloud Accounts` for sub-techniques).
pub fn technique(text: &str) -> AttackRef {
    let text = text.trim();
    match parse_id(text) {
        Some(_) => technique_ref(Some(text), None),
        None => technique_ref(None, Some(text)),
    }
}

/// A Sigma tag. `None` for tags outside the `attack.` namespace and for
/// ATT&CK objects that are not tactics or techniques (`attack.g0069`,
/// `attack.s0002`, `attack.ds0005`: they stay plain tags).
///
/// `attack.t1059.001` → technique `T1059.001`; `attack.initial-access`,
/// `attack.initial_access`, `attack.stealth` → tactic by name.
pub fn sigma_tag(tag: &str) -> Option<AttackRef> {
    let tag = tag.trim();
    let rest = strip_prefix_ignore_case(tag, "attack.")?;
    if rest.is_empty() || rest.len() > MAX_REFERENCE_LEN {
        return None;
    }
    match parse_id(rest) {
        Some(AttackId::Technique(id)) => Some(technique_ref(Some(&id), None)),
        Some(AttackId::Tactic(id)) => Some(tactic_ref(Some(&id), None)),
        Some(AttackId::Other(..)) => None,
        None => Some(tactic_ref(None, Some(rest))),
    }
}

/// One Panther `Reports: {MITRE ATT&CK: [...]}` entry: `TA0002:T1059`
/// (tactic and technique), or either alone.
pub fn panther_report(entry: &str) -> ThreatEntry {
    let entry = entry.trim();
    let (tactic_part, technique_part) = match entry.split_once(':') {
        Some((tactic, technique)) => (Some(tactic.trim()), Some(technique.trim())),
        None => match parse_id(entry) {
            Some(AttackId::Tactic(_)) => (Some(entry), None),
            _ => (None, Some(entry)),
        },
    };
    ThreatEntry {
        tactic: tactic_part
            .filter(|t| !t.is_empty())
            .map(|t| tactic_ref(Some(t), None)),
        techniques: technique_part
            .filter(|t| !t.is_empty())
            .map(|t| TechniqueEntry::new(technique_ref(Some(t), None)))
            .into_iter()
            .collect(),
    }
}

/// The references of one Chronicle (YARA-L) `meta:` entry or outcome
/// variable (`$mitre_attack_tactic`). Keys are matched without case and
/// without a leading `$`; keys that hold no ATT&CK reference give nothing.
///
/// - `mitre_attack_tactic`, `tactic`: tactic names or ids, comma-separated.
/// - `mitre_attack_technique`, `technique`: technique names (`Parent: Sub`)
///   or ids, comma-separated.
/// - `mitre_attack_technique_id`, `mitre_attack_id`, `technique_id`: ids.
/// - `mitre_attack_url`: attack.mitre.org URLs.
/// - `mitre`, `mitre_attack`: a free mix (`execution, t1059`,
///   `credential_access, t1003`); tokens of other frameworks (`car.…`,
///   `ISO …`, `PCI DSS …`, `NIST …`, `tool.…`) and ATT&CK objects that are
///   not tactics or techniques (`s0029`) are skipped.
pub fn chronicle_meta(key: &str, value: &str) -> Vec<AttackRef> {
    let key = key.trim().trim_start_matches('$').to_ascii_lowercase();
    let items = || {
        value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .take(MAX_LIST_ITEMS)
    };
    match key.as_str() {
        "mitre_attack_tactic" | "mitre_tactic" | "tactic" | "tactics" => {
            items().map(tactic).collect()
        }
        "mitre_attack_technique" | "mitre_technique" | "technique" | "techniques" => {
            items().map(technique).collect()
        }
        "mitre_attack_technique_id" | "mitre_attack_id" | "technique_id" | "mitre_technique_id" => {
            items().map(id).collect()
        }
        "mitre_attack_url" | "mitre_url" => items()
            .filter(|url| url.contains("attack.mitre.org/"))
            .map(id)
            .collect(),
        "mitre" | "mitre_attack" => items().filter_map(chronicle_mitre_token).collect(),
        _ => Vec::new(),
    }
}

/// The references of all `meta:` entries and outcome variables of one
/// Chronicle rule, merged: duplicates (the same value in `meta:` and in
/// `$mitre_attack_tactic`, an id given both as `technique_id` and as a URL)
/// count once, and when the rule gives exactly one technique (or tactic) id
/// and exactly one name in separate fields, they become one reference with
/// both, so that resolution checks that they agree.
pub fn chronicle_meta_all<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<AttackRef> {
    let mut refs: Vec<AttackRef> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    'entries: for (key, value) in entries {
        for reference in chronicle_meta(key, value) {
            if refs.len() >= MAX_RULE_REFERENCES {
                break 'entries;
            }
            if seen.insert(reference_key(&reference)) {
                refs.push(reference);
            }
        }
    }
    for kind in [AttackKind::Technique, AttackKind::Tactic] {
        let ids: Vec<usize> = (0..refs.len())
            .filter(|&i| refs[i].kind == kind && refs[i].id.is_some() && refs[i].name.is_none())
            .collect();
        let names: Vec<usize> = (0..refs.len())
            .filter(|&i| refs[i].kind == kind && refs[i].id.is_none() && refs[i].name.is_some())
            .collect();
        if let ([id_at], [name_at]) = (ids.as_slice(), names.as_slice()) {
            let name = refs[*name_at].name.take();
            refs[*id_at].name = name;
            refs.remove(*name_at);
        }
    }
    refs
}

/// What makes two references the same: kind, canonical id, name key.
fn reference_key(reference: &AttackRef) -> (AttackKind, Option<String>, Option<String>) {
    let id = reference
        .id
        .as_deref()
        .map(|id| parse_id(id).map_or(id.trim().to_string(), |p| p.as_str().to_string()));
    let name = reference.name.as_deref().map(crate::text::name_key);
    (reference.kind, id, name)
}

/// One token of Chronicle's free-form `mitre` key.
fn chronicle_mitre_token(token: &str) -> Option<AttackRef> {
    let lower = token.to_ascii_lowercase();
    const OTHER_FRAMEWORKS: [&str; 8] =
        ["car.", "iso", "pci", "nist", "gdpr", "csc", "cis", "tool."];
    if OTHER_FRAMEWORKS
        .iter()
        .any(|prefix| lower.starts_with(prefix))
    {
        return None;
    }
    // `attack.t1059` and the misspelled `attck.persistence` occur too.
    let bare = strip_prefix_ignore_case(token, "attack.")
        .or_else(|| strip_prefix_ignore_case(token, "attck."))
        .unwrap_or(token);
    match parse_id(bare) {
        Some(AttackId::Technique(_)) => Some(technique_ref(Some(bare), None)),
        Some(AttackId::Tactic(_)) => Some(tactic_ref(Some(bare), None)),
        Some(AttackId::Other(..)) => None,
        None => Some(tactic_ref(None, Some(bare))),
    }
}

/// An Elastic `[[rule.threat]]` block as the TOML gives it: the tactic's id
/// and name, and each technique's id and name with its sub-techniques'.
pub fn elastic_threat(
    tactic: Option<(&str, &str)>,
    techniques: &[ElasticTechnique<'_>],
) -> ThreatEntry {
    ThreatEntry {
        tactic: tactic.map(|(id, name)| tactic_ref(Some(id), Some(name))),
        techniques: techniques
            .iter()
            .map(|t| TechniqueEntry {
                technique: technique_ref(Some(t.id), Some(t.name)),
                subtechniques: t
                    .subtechniques
                    .iter()
                    .map(|(id, name)| technique_ref(Some(id), Some(name)))
                    .collect(),
            })
            .collect(),
    }
}

/// One `[[rule.threat.technique]]` of an Elastic rule.
#[derive(Clone, Copy, Debug)]
pub struct ElasticTechnique<'a> {
    /// `id = "T1059"`.
    pub id: &'a str,
    /// `name = "Command and Scripting Interpreter"`.
    pub name: &'a str,
    /// Its `[[rule.threat.technique.subtechnique]]` ids and names.
    pub subtechniques: &'a [(&'a str, &'a str)],
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigma_tags() {
        assert_eq!(
            sigma_tag("attack.t1059.001"),
            Some(technique_ref(Some("T1059.001"), None))
        );
        assert_eq!(
            sigma_tag("attack.initial_access"),
            Some(tactic_ref(None, Some("initial_access")))
        );
        assert_eq!(sigma_tag("attack.g0069"), None);
        assert_eq!(sigma_tag("cve.2021-44228"), None);
        assert_eq!(sigma_tag("attack."), None);
    }

    #[test]
    fn panther_pairs() {
        let entry = panther_report("TA0002:T1059");
        assert_eq!(entry.tactic, Some(tactic_ref(Some("TA0002"), None)));
        assert_eq!(entry.techniques.len(), 1);
        let alone = panther_report("T1059.001");
        assert_eq!(alone.tactic, None);
        assert_eq!(alone.techniques.len(), 1);
        assert!(panther_report(":").techniques.is_empty());
    }

    #[test]
    fn chronicle_keys() {
        assert_eq!(
            chronicle_meta("mitre_attack_tactic", "Defense Evasion, Persistence").len(),
            2
        );
        assert_eq!(
            chronicle_meta("$mitre_attack_technique_id", "T1562"),
            vec![technique_ref(Some("T1562"), None)]
        );
        assert_eq!(
            chronicle_meta("mitre", "execution, t1059, s0029, car.2013-05-004"),
            vec![
                tactic_ref(None, Some("execution")),
                technique_ref(Some("t1059"), None)
            ]
        );
        assert!(chronicle_meta("author", "someone").is_empty());
        let merged = chronicle_meta_all([
            ("mitre_attack_tactic", "Defense Evasion"),
            (
                "mitre_attack_technique",
                "Impair Defenses: Disable Cloud Logs",
            ),
            (
                "mitre_attack_url",
                "https://attack.mitre.org/techniques/T1562/008/",
            ),
            ("$mitre_attack_technique_id", "T1562.008"),
            ("$mitre_attack_tactic", "Defense Evasion"),
        ]);
        assert_eq!(
            merged,
            vec![
                tactic_ref(None, Some("Defense Evasion")),
                technique_ref(
                    Some("https://attack.mitre.org/techniques/T1562/008/"),
                    Some("Impair Defenses: Disable Cloud Logs")
                ),
            ]
        );
        assert!(chronicle_meta("mitre_attack_version", "v13.1").is_empty());
    }
}
