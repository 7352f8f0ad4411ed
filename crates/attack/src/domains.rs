//! Tactics of the ATT&CK domains ruledex does not load (ICS, Mobile) and of
//! the retired PRE-ATT&CK domain, recognized only so that a rule naming one
//! gets "this is an ICS tactic" instead of "unknown".
//!
//! Sentinel rules use ICS tactic names (`InhibitResponseFunction`,
//! `ImpairProcessControl`) and the retired `PreAttack`. Only names that no
//! Enterprise tactic has are listed: ICS "Execution" is the Enterprise name
//! too and resolves as Enterprise.

use crate::text::name_key;

/// A tactic of another domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForeignTactic {
    /// `ics-attack`, `mobile-attack` or `pre-attack`.
    pub domain: &'static str,
    /// The tactic's name.
    pub name: &'static str,
    /// Its id, when it has one.
    pub id: Option<&'static str>,
}

const fn tactic(domain: &'static str, name: &'static str, id: &'static str) -> ForeignTactic {
    ForeignTactic {
        domain,
        name,
        id: Some(id),
    }
}

/// Names only other domains use.
const FOREIGN_TACTICS: &[ForeignTactic] = &[
    tactic("ics-attack", "Evasion", "TA0103"),
    tactic("ics-attack", "Impair Process Control", "TA0106"),
    tactic("ics-attack", "Inhibit Response Function", "TA0107"),
    tactic("mobile-attack", "Network Effects", "TA0038"),
    tactic("mobile-attack", "Remote Service Effects", "TA0039"),
    // PRE-ATT&CK was folded into Enterprise (Reconnaissance, Resource
    // Development) in ATT&CK v8; Sentinel still accepts `PreAttack`.
    ForeignTactic {
        domain: "pre-attack",
        name: "PRE-ATT&CK",
        id: None,
    },
    tactic("pre-attack", "Priority Definition Planning", "TA0012"),
    tactic("pre-attack", "Priority Definition Direction", "TA0013"),
    tactic("pre-attack", "Target Selection", "TA0014"),
    tactic("pre-attack", "Technical Information Gathering", "TA0015"),
    tactic("pre-attack", "People Information Gathering", "TA0016"),
    tactic(
        "pre-attack",
        "Organizational Information Gathering",
        "TA0017",
    ),
    tactic("pre-attack", "Technical Weakness Identification", "TA0018"),
    tactic("pre-attack", "People Weakness Identification", "TA0019"),
    tactic(
        "pre-attack",
        "Organizational Weakness Identification",
        "TA0020",
    ),
    tactic("pre-attack", "Adversary OPSEC", "TA0021"),
    tactic(
        "pre-attack",
        "Establish & Maintain Infrastructure",
        "TA0022",
    ),
    tactic("pre-attack", "Persona Development", "TA0023"),
    tactic("pre-attack", "Build Capabilities", "TA0024"),
    tactic("pre-attack", "Test Capabilities", "TA0025"),
    tactic("pre-attack", "Stage Capabilities", "TA0026"),
];

/// A tactic of another domain named `text` (any spelling), if any.
pub fn foreign_tactic_named(text: &str) -> Option<ForeignTactic> {
    let key = name_key(text);
    if key == "preattack" {
        return FOREIGN_TACTICS.iter().find(|t| t.id.is_none()).copied();
    }
    FOREIGN_TACTICS
        .iter()
        .find(|t| name_key(t.name) == key)
        .copied()
}

/// The domain of a tactic id outside Enterprise, by the ranges ATT&CK
/// assigns: TA0012–TA0026 PRE-ATT&CK, TA0027–TA0039 and TA0041 Mobile,
/// TA0100–TA0111 ICS.
pub fn foreign_tactic_domain(id: &str) -> Option<&'static str> {
    let number: u32 = id.strip_prefix("TA")?.parse().ok()?;
    match number {
        12..=26 => Some("pre-attack"),
        27..=39 | 41 => Some("mobile-attack"),
        100..=111 => Some("ics-attack"),
        _ => None,
    }
}

/// The domain of a technique id outside Enterprise: ICS technique ids are
/// T0800–T0899 (Enterprise ids start at T1001). Mobile ids share the T1xxx
/// range with Enterprise and cannot be told apart by number.
pub fn foreign_technique_domain(id: &str) -> Option<&'static str> {
    let number: u32 = id.strip_prefix('T')?.get(..4)?.parse().ok()?;
    (800..=899).contains(&number).then_some("ics-attack")
}

/// A readable domain name (`ATT&CK for ICS`).
pub fn domain_display(domain: &str) -> &'static str {
    match domain {
        "ics-attack" => "ATT&CK for ICS",
        "mobile-attack" => "ATT&CK for Mobile",
        "pre-attack" => "PRE-ATT&CK (retired in ATT&CK v8)",
        _ => "another ATT&CK domain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_spellings_of_foreign_tactics() {
        assert_eq!(
            foreign_tactic_named("InhibitResponseFunction").map(|t| t.domain),
            Some("ics-attack")
        );
        assert_eq!(
            foreign_tactic_named("ImpairProcessControl").map(|t| t.id),
            Some(Some("TA0106"))
        );
        assert_eq!(
            foreign_tactic_named("PreAttack").map(|t| t.domain),
            Some("pre-attack")
        );
        assert_eq!(
            foreign_tactic_named("test_capabilities").map(|t| t.domain),
            Some("pre-attack")
        );
        assert_eq!(foreign_tactic_named("Execution"), None);
    }

    #[test]
    fn id_ranges() {
        assert_eq!(foreign_tactic_domain("TA0107"), Some("ics-attack"));
        assert_eq!(foreign_tactic_domain("TA0027"), Some("mobile-attack"));
        assert_eq!(foreign_tactic_domain("TA0040"), None);
        assert_eq!(foreign_tactic_domain("TA0112"), None);
        assert_eq!(foreign_technique_domain("T0813"), Some("ics-attack"));
        assert_eq!(foreign_technique_domain("T1059"), None);
        assert_eq!(foreign_technique_domain("T0018.000"), None);
    }
}
