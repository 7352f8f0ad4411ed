//! How every spelling the rule formats use resolves, what is reported when
//! something is wrong, and how v19 ids fold onto v18 cells.
//!
//! The spellings come from the corpus survey (`tests/corpus_survey.rs`); the
//! rows here are written by hand, one per form.

use ruledex_attack::written::{self, ElasticTechnique};
use ruledex_attack::{
    tactic_ref, technique_ref, Attack, Cell, Finding, Problem, Resolution, TechniqueEntry,
    ThreatEntry,
};
use ruledex_ir::{AttackKind, AttackRef};

fn attack() -> &'static Attack {
    Attack::embedded()
}

/// The short form of a resolution used in the tables below:
/// `known TA0001`, `provisional T1685 -> T1562.001`, `revoked T1086 -> T1059.001`,
/// `deprecated T1043`, `other-domain ics-attack`, `unknown`, `unknown ~TA0001`
/// (with a suggestion), `ambiguous 3`, `object G0069`.
fn outcome(finding: &Finding) -> String {
    match &finding.resolution {
        Resolution::Known { target } => format!("known {}", target.id),
        Resolution::Provisional { target, folds_onto } => {
            format!("provisional {} -> {}", target.id, folds_onto.join(","))
        }
        Resolution::Deprecated { target } => format!("deprecated {}", target.id),
        Resolution::Revoked { target, by } => format!(
            "revoked {} -> {}",
            target.id,
            by.as_ref().map_or("-", |b| b.id.as_str())
        ),
        Resolution::OtherDomain { domain, .. } => format!("other-domain {domain}"),
        Resolution::OtherObject { id, .. } => format!("object {id}"),
        Resolution::Ambiguous { candidates, .. } => format!("ambiguous {}", candidates.len()),
        Resolution::Unknown {
            suggestion: Some(s),
            ..
        } => format!("unknown ~{}", s.id),
        Resolution::Unknown { .. } => "unknown".to_string(),
    }
}

fn check(rows: &[(&str, AttackRef, &str)]) {
    let mut failures = Vec::new();
    for (label, reference, expected) in rows {
        let got = outcome(&attack().resolve(reference));
        if got != *expected {
            failures.push(format!("{label}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn technique_ids_in_every_format() {
    let url_v13 = "https://attack.mitre.org/versions/v13/techniques/T1059/001/";
    let chronicle_url = written::chronicle_meta("mitre_attack_url", url_v13).remove(0);
    let chronicle_mitre = written::chronicle_meta("mitre", "execution, t1059.001").remove(1);
    let panther = written::panther_report("TA0002:T1059.001").techniques[0]
        .technique
        .clone();
    let rows = [
        ("canonical", written::id("T1059.001"), "known T1059.001"),
        ("lower case", written::id("t1059.001"), "known T1059.001"),
        ("spaces", written::id(" T1059 .001 "), "known T1059.001"),
        ("slash", written::id("T1059/001"), "known T1059.001"),
        (
            "URL",
            written::id("https://attack.mitre.org/techniques/T1059/001/"),
            "known T1059.001",
        ),
        (
            "versioned URL (Chronicle)",
            chronicle_url,
            "known T1059.001",
        ),
        ("Chronicle mitre token", chronicle_mitre, "known T1059.001"),
        (
            "Sigma tag",
            written::sigma_tag("attack.t1059.001").unwrap(),
            "known T1059.001",
        ),
        (
            "Sigma tag, upper case",
            written::sigma_tag("ATTACK.T1059.001").unwrap(),
            "known T1059.001",
        ),
        (
            "Splunk mitre_attack_id",
            written::id("T1059.001"),
            "known T1059.001",
        ),
        ("Panther TA:T pair", panther, "known T1059.001"),
        (
            "Sentinel relevantTechniques",
            written::id("T1078"),
            "known T1078",
        ),
        (
            "Chronicle technique id",
            written::chronicle_meta("$mitre_attack_technique_id", "T1562").remove(0),
            "known T1562",
        ),
    ];
    check(&rows);
}

#[test]
fn tactic_spellings_of_every_format() {
    let sigma = |tag: &str| written::sigma_tag(tag).unwrap();
    let rows = [
        // Sentinel: CamelCase, and its variants in hunting queries.
        ("Sentinel", written::tactic("InitialAccess"), "known TA0001"),
        (
            "Sentinel",
            written::tactic("PrivilegeEscalation"),
            "known TA0004",
        ),
        (
            "Sentinel",
            written::tactic("DefenseEvasion"),
            "known TA0005",
        ),
        (
            "Sentinel",
            written::tactic("CommandAndControl"),
            "known TA0011",
        ),
        (
            "Sentinel",
            written::tactic("CommandandControl"),
            "known TA0011",
        ),
        (
            "Sentinel",
            written::tactic("Initial access"),
            "known TA0001",
        ),
        (
            "Sentinel ICS",
            written::tactic("InhibitResponseFunction"),
            "other-domain ics-attack",
        ),
        (
            "Sentinel ICS",
            written::tactic("ImpairProcessControl"),
            "other-domain ics-attack",
        ),
        (
            "Sentinel",
            written::tactic("PreAttack"),
            "other-domain pre-attack",
        ),
        // Sigma: kebab-case and snake_case, v18 and v19 names.
        ("Sigma", sigma("attack.initial-access"), "known TA0001"),
        ("Sigma", sigma("attack.initial_access"), "known TA0001"),
        ("Sigma", sigma("attack.command-and-control"), "known TA0011"),
        ("Sigma", sigma("attack.defense_evasion"), "known TA0005"),
        (
            "Sigma v19",
            sigma("attack.stealth"),
            "provisional TA0005 -> TA0005",
        ),
        (
            "Sigma v19",
            sigma("attack.defense-impairment"),
            "provisional TA0112 -> TA0005",
        ),
        // Elastic, Panther, Chronicle: ids; Defender and Chronicle: names.
        (
            "Elastic",
            tactic_ref(Some("TA0005"), Some("Defense Evasion")),
            "known TA0005",
        ),
        (
            "Panther",
            written::panther_report("TA0040:T1485").tactic.unwrap(),
            "known TA0040",
        ),
        (
            "v19 id",
            written::tactic("TA0112"),
            "provisional TA0112 -> TA0005",
        ),
        (
            "Defender",
            written::tactic("Command and control"),
            "known TA0011",
        ),
        (
            "Chronicle",
            written::tactic("Defense_evasion"),
            "known TA0005",
        ),
        (
            "Chronicle",
            written::tactic("command&control"),
            "known TA0011",
        ),
        (
            "Chronicle",
            written::tactic("Command And Control"),
            "known TA0011",
        ),
        (
            "Chronicle",
            written::tactic("lateral movement"),
            "known TA0008",
        ),
        (
            "Chronicle PRE",
            written::tactic("test_capabilities"),
            "other-domain pre-attack",
        ),
        (
            "Panther mobile id",
            written::tactic("TA0035"),
            "other-domain mobile-attack",
        ),
        // Misspellings get a suggestion; non-ATT&CK words get nothing.
        ("typo", written::tactic("InitialAcces"), "unknown ~TA0001"),
        (
            "typo",
            written::tactic("CommanAndControl"),
            "unknown ~TA0011",
        ),
        (
            "typo",
            written::tactic("privelege_escalation"),
            "unknown ~TA0004",
        ),
        ("not ATT&CK", written::tactic("Ransomware"), "unknown"),
        (
            "not ATT&CK",
            written::tactic("Malware, component"),
            "unknown",
        ),
    ];
    check(&rows);
}

#[test]
fn technique_names_and_old_forms() {
    let rows = [
        (
            "Parent: Sub (Chronicle)",
            written::technique("Valid Accounts: Cloud Accounts"),
            "known T1078.004",
        ),
        ("name", written::technique("Impair Defenses"), "known T1562"),
        (
            "snake_case name",
            written::technique("process_injection"),
            "known T1055",
        ),
        (
            "v19 name of a v18 id",
            written::technique("Exploitation for Stealth"),
            "known T1211",
        ),
        (
            "shared name",
            written::technique("Cloud Accounts"),
            "ambiguous 3",
        ),
        (
            "old sub name",
            written::technique("Impair Defenses: Disable Cloud Logs"),
            "unknown ~T1562.008",
        ),
        (
            "old name",
            written::technique("credential_dumping"),
            "unknown ~T1003",
        ),
        (
            "id hidden in text",
            written::tactic("attackt1496"),
            "unknown ~T1496",
        ),
        ("bare number", written::tactic("1043"), "unknown ~T1043"),
    ];
    check(&rows);
}

#[test]
fn revoked_deprecated_unknown_and_other_objects() {
    let rows = [
        (
            "revoked",
            written::id("T1086"),
            "revoked T1086 -> T1059.001",
        ),
        // T1073 → T1574.002 (itself revoked) → T1574.001: the last one counts.
        (
            "revocation chain",
            written::id("t1073"),
            "revoked T1073 -> T1574.001",
        ),
        ("deprecated", written::id("T1043"), "deprecated T1043"),
        (
            "ICS technique in Sentinel",
            written::id("T0813"),
            "other-domain ics-attack",
        ),
        (
            "Mobile technique in Panther",
            written::id("T1636.003"),
            "unknown",
        ),
        (
            "malformed sub-technique",
            written::id("T0018.000"),
            "unknown",
        ),
        (
            "unknown sub of a known parent",
            written::id("T1059.999"),
            "unknown ~T1059",
        ),
        ("Sentinel `None`", written::id("None"), "unknown"),
        ("group", written::id("G0069"), "object G0069"),
    ];
    check(&rows);
    // Groups and software stay plain Sigma tags.
    assert_eq!(written::sigma_tag("attack.g0069"), None);
    assert_eq!(written::sigma_tag("attack.s0002"), None);
    assert_eq!(written::sigma_tag("cve.2021-44228"), None);
}

/// Every diagnostic code, from an input that produces it.
#[test]
fn each_problem_has_its_diagnostic() {
    let a = attack();
    let codes = |findings: &[Finding]| -> Vec<String> {
        findings
            .iter()
            .flat_map(|f| a.diagnostics(f))
            .map(|d| d.code)
            .collect()
    };
    let one = |reference: AttackRef| codes(&[a.resolve(&reference)]);

    assert_eq!(one(written::tactic("Ransomware")), ["ATT001"]);
    assert_eq!(one(written::id("T1086")), ["ATT002"]);
    assert_eq!(one(written::id("T1043")), ["ATT003"]);
    // Elastic-style id + name that disagree (the v13 name of T1562.008).
    assert_eq!(
        one(technique_ref(Some("T1562.008"), Some("Disable Cloud Logs"))),
        ["ATT004"]
    );
    assert_eq!(one(written::id("T1685")), ["ATT006"]);
    assert_eq!(one(written::tactic("InhibitResponseFunction")), ["ATT007"]);
    assert_eq!(one(written::technique("Cloud Accounts")), ["ATT008"]);
    // An id field holding something else: resolved by the name, reported.
    assert_eq!(
        one(technique_ref(Some("N/A"), Some("PowerShell"))),
        ["ATT010"]
    );
    // Panther: Valid Accounts filed under Discovery.
    assert_eq!(
        codes(&a.resolve_threat(&written::panther_report("TA0007:T1078"))),
        ["ATT005"]
    );
    // Elastic: a sub-technique filed under a technique that is not its parent.
    let entry = written::elastic_threat(
        Some(("TA0005", "Defense Evasion")),
        &[ElasticTechnique {
            id: "T1070",
            name: "Indicator Removal",
            subtechniques: &[("T1562.001", "Disable or Modify Tools")],
        }],
    );
    assert_eq!(codes(&a.resolve_threat(&entry)), ["ATT009"]);

    // Clean references have none.
    assert!(one(written::id("T1059.001")).is_empty());
    assert!(one(written::id("G0069")).is_empty());
    assert!(one(tactic_ref(Some("TA0005"), Some("Defense Evasion"))).is_empty());
}

#[test]
fn diagnostic_messages_name_the_version_and_the_fix() {
    let a = attack();
    let revoked = a.diagnostics(&a.resolve(&written::id("T1086")));
    assert_eq!(
        revoked[0].message,
        "T1086 PowerShell is revoked in ATT&CK v18.1"
    );
    assert_eq!(revoked[0].notes, ["use T1059.001 PowerShell"]);

    let v19 = a.diagnostics(&a.resolve(&written::id("T1685")));
    assert_eq!(
        v19[0].message,
        "T1685 Disable or Modify Tools is from ATT&CK v19.2 (provisional table); \
         counted on T1562.001 Disable or Modify Tools of ATT&CK v18.1"
    );
    let stealth = a.diagnostics(&a.resolve(&written::sigma_tag("attack.stealth").unwrap()));
    assert_eq!(
        stealth[0].message,
        "TA0005 Stealth is from ATT&CK v19.2 (provisional table); \
         counted as Defense Evasion (TA0005) of ATT&CK v18.1"
    );
    let typo = a.diagnostics(&a.resolve(&written::tactic("InitialAcces")));
    assert_eq!(typo[0].notes, ["did you mean TA0001 Initial Access?"]);
    let mismatch = a.diagnostics(&a.resolve(&technique_ref(
        Some("T1562.008"),
        Some("Impair Defenses: Disable Cloud Logs"),
    )));
    assert_eq!(
        mismatch[0].message,
        "T1562.008 is named `Disable or Modify Cloud Logs` in ATT&CK v18.1, \
         not `Impair Defenses: Disable Cloud Logs`"
    );
}

#[test]
fn names_that_agree_with_their_id() {
    let a = attack();
    for (id, name) in [
        ("T1059.001", "PowerShell"),
        ("T1059.001", "Command and Scripting Interpreter: PowerShell"),
        ("T1078.004", "valid accounts: cloud accounts"),
        ("T1211", "Exploitation for Stealth"),
        ("TA0005", "Defense Evasion"),
        ("TA0005", "DefenseEvasion"),
        // A v19 name of the same column is not a mismatch.
        ("TA0005", "Stealth"),
    ] {
        let kind = if id.starts_with("TA") {
            AttackKind::Tactic
        } else {
            AttackKind::Technique
        };
        let reference = AttackRef {
            kind,
            id: Some(id.into()),
            name: Some(name.into()),
        };
        let finding = a.resolve(&reference);
        assert!(
            finding.problems.is_empty(),
            "{id} {name}: {:?}",
            finding.problems
        );
    }
    let finding = a.resolve(&tactic_ref(Some("TA0005"), Some("Persistence")));
    assert!(matches!(
        finding.problems.as_slice(),
        [Problem::NameMismatch { expected, .. }] if expected == "Defense Evasion"
    ));
}

#[test]
fn chronicle_fields_merge_into_one_checked_reference() {
    let refs = written::chronicle_meta_all([
        ("mitre_attack_tactic", "Defense Evasion"),
        (
            "mitre_attack_technique",
            "Impair Defenses: Disable Cloud Logs",
        ),
        (
            "mitre_attack_url",
            "https://attack.mitre.org/techniques/T1562/008/",
        ),
        ("mitre_attack_version", "v13.1"),
        ("$mitre_attack_tactic", "Defense Evasion"),
        ("$mitre_attack_technique_id", "T1562.008"),
    ]);
    let outcomes: Vec<String> = refs.iter().map(|r| outcome(&attack().resolve(r))).collect();
    assert_eq!(outcomes, ["known TA0005", "known T1562.008"]);
    let technique = attack().resolve(&refs[1]);
    assert!(matches!(
        technique.problems.as_slice(),
        [Problem::NameMismatch { .. }]
    ));
}

#[test]
fn a_shared_name_is_narrowed_by_the_tactic_it_is_filed_under() {
    let entry = ThreatEntry {
        tactic: Some(tactic_ref(Some("TA0001"), None)),
        techniques: vec![TechniqueEntry::new(technique_ref(
            None,
            Some("Cloud Accounts"),
        ))],
    };
    let findings = attack().resolve_threat(&entry);
    assert_eq!(outcome(&findings[1]), "known T1078.004");
}

/// The v18.1 → v19.2 links are real pairs from the provisional diff; every
/// v19 id lands on the cell of the v18 id it took over.
#[test]
fn v19_ids_fold_onto_their_v18_cells() {
    let a = attack();
    for (v19, v18) in [
        ("T1685", "T1562.001"),     // same name: Disable or Modify Tools
        ("T1685.005", "T1070.001"), // same name: Clear Windows Event Logs
        ("T1685.006", "T1070.002"), // same name: Clear Linux or Mac System Logs
        ("T1686", "T1562.004"),     // same name: Disable or Modify System Firewall
        ("T1688", "T1562.009"),     // same name: Safe Mode Boot
        ("T1689", "T1562.010"),     // same name: Downgrade Attack
        ("T1684.001", "T1656"),     // same name: Impersonation
        ("T1684.002", "T1672"),     // same name: Email Spoofing
        ("T1685.001", "T1562.002"), // judged: Windows event logging
        ("T1685.002", "T1562.008"), // judged: cloud logs
        ("T1690", "T1562.003"),     // judged: command history logging
    ] {
        let folded = a.resolve(&written::id(v19));
        assert_eq!(outcome(&folded), format!("provisional {v19} -> {v18}"));
        let direct = a.resolve(&written::id(v18));
        assert_eq!(
            a.coverage(std::slice::from_ref(&folded)),
            a.coverage(std::slice::from_ref(&direct)),
            "{v19} and {v18} must land on the same cell"
        );
        assert!(a.provisional_equivalents(v18).iter().any(|t| t.id == v19));
    }
    for link in a.links() {
        let cells = a.cells_of(&link.provisional);
        assert!(
            cells.iter().any(|t| t.id == link.base),
            "{} should land on {}",
            link.provisional,
            link.base
        );
    }
    // v19 additions without a v18 counterpart keep a provisional cell.
    assert_eq!(
        outcome(&a.resolve(&written::id("T1684"))),
        "provisional T1684 -> T1684"
    );
}

/// A Sigma rule in v19 terms and an Elastic rule in v18 terms, both about
/// disabling security tools, cover the same matrix cell.
#[test]
fn sigma_v19_and_elastic_v18_rules_share_a_cell() {
    let a = attack();
    let sigma: Vec<Finding> = ["attack.defense-impairment", "attack.t1685"]
        .iter()
        .map(|tag| a.resolve(&written::sigma_tag(tag).unwrap()))
        .collect();
    let elastic = a.resolve_threat(&written::elastic_threat(
        Some(("TA0005", "Defense Evasion")),
        &[ElasticTechnique {
            id: "T1562",
            name: "Impair Defenses",
            subtechniques: &[("T1562.001", "Disable or Modify Tools")],
        }],
    ));
    let cell = Cell {
        tactic: "defense-evasion".into(),
        technique: "T1562".into(),
        subtechnique: Some("T1562.001".into()),
    };
    let sigma_cells: Vec<Cell> = a.coverage(&sigma).into_iter().collect();
    assert_eq!(sigma_cells.len(), 1);
    assert_eq!(sigma_cells[0], cell);
    assert!(a.coverage(&elastic).contains(&cell));
    assert!(elastic.iter().all(|f| f.problems.is_empty()));
}

#[test]
fn coverage_rolls_up_and_respects_named_tactics() {
    let a = attack();
    let cloud = a.resolve(&written::id("T1078.004"));
    // Without a tactic: every tactic of Valid Accounts.
    let everywhere = a.coverage(std::slice::from_ref(&cloud));
    assert_eq!(everywhere.len(), 4);
    assert!(everywhere
        .iter()
        .all(|c| c.technique == "T1078" && c.subtechnique.as_deref() == Some("T1078.004")));
    // With Initial Access named by the rule: only that column.
    let named = a.coverage(&[a.resolve(&written::tactic("InitialAccess")), cloud]);
    assert_eq!(
        named.into_iter().map(|c| c.tactic).collect::<Vec<_>>(),
        ["initial-access"]
    );
    // Revoked ids count on their replacement; deprecated and unknown on none.
    let revoked = a.coverage(&[a.resolve(&written::id("T1086"))]);
    assert_eq!(
        revoked.iter().next().map(|c| c.technique.as_str()),
        Some("T1059")
    );
    assert!(a.coverage(&[a.resolve(&written::id("T1043"))]).is_empty());
    assert!(a.coverage(&[a.resolve(&written::id("T9999"))]).is_empty());
    assert_eq!(a.roll_up("T1059.001"), "T1059");
    assert_eq!(a.roll_up("T1059"), "T1059");
}

#[test]
fn matrix_in_order_with_provisional_cells() {
    let a = attack();
    let matrix = a.techniques_by_tactic();
    let order: Vec<&str> = matrix.iter().map(|c| c.tactic.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006",
            "TA0007", "TA0008", "TA0009", "TA0011", "TA0010", "TA0040"
        ]
    );
    for column in &matrix {
        let names: Vec<&str> = column
            .techniques
            .iter()
            .map(|c| c.technique.name.as_str())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "{} is sorted by name", column.tactic.name);
    }
    let mut distinct: Vec<&str> = matrix
        .iter()
        .flat_map(|c| c.techniques.iter().map(|cell| cell.technique.id.as_str()))
        .collect();
    distinct.sort();
    distinct.dedup();
    // 216 active v18.1 techniques + T1682, T1683, T1684 added by v19.2.
    assert_eq!(distinct.len(), 219);
    let defense_evasion = &matrix[6];
    let cell = |id: &str| {
        defense_evasion
            .techniques
            .iter()
            .find(|c| c.technique.id == id)
    };
    assert!(cell("T1684").unwrap().technique.provisional);
    assert!(cell("T1685").is_none(), "T1685 folds onto T1562.001");
    let obfuscation = cell("T1027").unwrap();
    assert!(obfuscation
        .subtechniques
        .iter()
        .any(|s| s.id == "T1027.018" && s.provisional));
    let impair = cell("T1562").unwrap();
    assert!(impair.subtechniques.iter().any(|s| s.id == "T1562.001"));
}

#[test]
fn free_text_resolution_accepts_everything() {
    let a = attack();
    for (text, expected) in [
        ("attack.t1059.001", "known T1059.001"),
        ("attack.initial_access", "known TA0001"),
        ("Initial Access", "known TA0001"),
        ("powershell", "known T1059.001"),
        ("https://attack.mitre.org/tactics/TA0002/", "known TA0002"),
        ("", "unknown"),
    ] {
        assert_eq!(outcome(&a.resolve_text(text)), expected, "{text:?}");
    }
}
