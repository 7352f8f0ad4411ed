//! The embedded table: it parses, has the counts MITRE's release states,
//! is exactly what the generator writes, and answers lookups.

use ruledex_attack::provisional::parse_judged_links;
use ruledex_attack::{Attack, Counts, ProvisionalTable};
use std::path::{Path, PathBuf};

const TABLE: &str = include_str!("../data/enterprise.tsv");

/// ATT&CK v18.1 Enterprise, as `VERSION.json` of the STIX data states it.
const V18_1: Counts = Counts {
    techniques: 356,
    subtechniques: 479,
    active: 691,
    deprecated: 12,
    revoked: 132,
    tactics: 14,
};

fn shared_attack() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("RULEDEX_SHARED") {
        let dir = PathBuf::from(dir).join("attack");
        return dir.join("enterprise-attack").is_dir().then_some(dir);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        root.join("../shared/attack"),
        root.join("../../shared/attack"),
    ]
    .into_iter()
    .find(|dir| dir.join("enterprise-attack").is_dir())
}

#[test]
fn embedded_table_has_the_v18_1_counts() {
    let attack = Attack::embedded();
    assert_eq!(attack.counts(), V18_1);
    assert_eq!(attack.stamped_counts(), Some(V18_1));
    assert_eq!(attack.version().attack, "18.1");
    assert_eq!(attack.version().major(), "18");
    assert_eq!(
        attack.version().commit.as_deref(),
        Some("421deacb77191b38bdd1bf63268954e93da91365")
    );
    assert_eq!(attack.version_label(), "ATT&CK v18.1");
    assert_eq!(
        attack.provisional_version().map(|v| v.attack.as_str()),
        Some("19.2")
    );
    // The 23 ids v19.2 added over v18.1, and its 15 tactics.
    assert_eq!(
        attack.techniques().iter().filter(|t| t.provisional).count(),
        23
    );
    assert_eq!(attack.provisional_tactics().len(), 15);
}

#[test]
fn counts_match_version_json_when_present() {
    let Some(dir) = shared_attack() else {
        eprintln!("note: no shared ATT&CK data; skipping");
        return;
    };
    let text = std::fs::read_to_string(dir.join("VERSION.json")).unwrap();
    let version: serde_json::Value = serde_json::from_str(&text).unwrap();
    let counts: Counts = serde_json::from_value(version["counts"].clone()).unwrap();
    assert_eq!(Attack::embedded().counts(), counts);
    assert_eq!(
        version["attack_version"].as_str(),
        Some(Attack::embedded().version().attack.as_str())
    );
}

#[test]
fn the_file_is_what_the_writer_writes() {
    let header: Vec<&str> = TABLE
        .lines()
        .take_while(|line| line.starts_with('#'))
        .map(|line| line.trim_start_matches("# "))
        .collect();
    assert_eq!(Attack::embedded().to_table(&header), TABLE);
}

#[test]
fn the_file_is_up_to_date_with_the_stix_data() {
    let Some(dir) = shared_attack() else {
        eprintln!("note: no shared ATT&CK data; skipping");
        return;
    };
    let base = Attack::from_stix_dir(&dir).unwrap();
    let table = ProvisionalTable::read_dir(dir.join("v19.2-provisional")).unwrap();
    let judged = parse_judged_links(include_str!("../data/v18-v19-links.tsv")).unwrap();
    let regenerated = base.with_provisional(&table, &judged).unwrap();
    assert_eq!(regenerated.to_table(&[]), Attack::embedded().to_table(&[]));
}

#[test]
fn lookups_by_id_name_and_tactic() {
    let attack = Attack::embedded();
    let powershell = attack.technique("t1059 .001").unwrap();
    assert_eq!(powershell.id, "T1059.001");
    assert_eq!(powershell.name, "PowerShell");
    assert_eq!(powershell.parent.as_deref(), Some("T1059"));
    assert!(powershell.is_subtechnique && powershell.is_active());
    assert_eq!(powershell.tactics, ["execution"]);
    assert!(powershell.platforms.contains(&"Windows".to_string()));
    assert!(!powershell.data_components.is_empty());
    assert!(powershell
        .data_components
        .iter()
        .all(|dc| attack.data_components().contains_key(dc)));
    assert_eq!(
        powershell.url(),
        "https://attack.mitre.org/techniques/T1059/001/"
    );

    assert_eq!(attack.tactic("InitialAccess").unwrap().id, "TA0001");
    assert_eq!(attack.tactic("command_and_control").unwrap().id, "TA0011");
    assert_eq!(attack.tactic("TA0040").unwrap().shortname, "impact");
    // Stealth is v19's; the base tactic lookup does not return it, the
    // provisional one does, and folding puts it on Defense Evasion.
    assert!(attack.tactic("stealth").is_none());
    assert_eq!(
        attack.provisional_tactic("stealth").unwrap().tactic.id,
        "TA0005"
    );
    assert_eq!(
        attack.fold_tactic("stealth").unwrap().shortname,
        "defense-evasion"
    );
    assert_eq!(
        attack.fold_tactic("Defense Impairment").unwrap().shortname,
        "defense-evasion"
    );

    let named: Vec<&str> = attack
        .techniques_named("cloud accounts")
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    // Names are not unique: three sub-techniques are called Cloud Accounts.
    assert_eq!(named, ["T1078.004", "T1585.003", "T1586.003"]);

    let subs: Vec<&str> = attack
        .subtechniques_of("T1059")
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert!(subs.contains(&"T1059.001") && subs.len() >= 12);

    let execution = attack.techniques_in_tactic("Execution");
    assert!(execution.iter().any(|t| t.id == "T1059"));
    assert!(execution
        .iter()
        .all(|t| t.is_active() && t.tactics.contains(&"execution".to_string())));

    let revoked = attack.technique("T1086").unwrap();
    assert!(revoked.revoked);
    assert_eq!(revoked.revoked_by.as_deref(), Some("T1059.001"));
    assert!(attack.technique("T1043").unwrap().deprecated);
}

#[test]
fn v19_listing_of_base_techniques() {
    let attack = Attack::embedded();
    // Renamed in v19.2 and moved to Stealth.
    let t1211 = attack.technique("T1211").unwrap();
    let v19 = t1211.v19.as_ref().unwrap();
    assert_eq!(v19.name, "Exploitation for Stealth");
    assert_eq!(v19.tactics, ["stealth"]);
    // Left the active list in v19.2: no listing.
    assert!(attack.technique("T1562.001").unwrap().v19.is_none());
}

#[test]
fn a_corrupt_table_is_an_error_not_a_panic() {
    for (text, expected) in [
        ("", "no `version base` line"),
        ("version\tbase\t18.1\tenterprise-attack\t-\t-\t-\n", "no techniques"),
        ("technique\tT1\n", "line 1"),
        ("bogus\tline\n", "unknown record"),
        (
            "version\tbase\t1\td\ts\t-\t-\ntechnique\tT1059\tX\t-\t-\tweird\t-\t-\t-\t-\t-\n",
            "unknown status",
        ),
        (
            "version\tbase\t1\td\ts\t-\t-\ntechnique\tX1059\tX\t-\t-\tactive\t-\t-\t-\t-\t-\n",
            "malformed technique id",
        ),
        (
            "version\tbase\t1\td\ts\t-\t-\ntechnique\tT1059\tX\t-\t-\tactive\t-\t-\t-\t-\t-\ntechnique\tT1059\tX\t-\t-\tactive\t-\t-\t-\t-\t-\n",
            "duplicate technique id",
        ),
    ] {
        let error = Attack::from_table(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text:?}: {error}");
    }
}
