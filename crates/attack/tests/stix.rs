//! The STIX 2.1 loaders on tiny fixtures of our own, in both layouts MITRE
//! publishes: the mitre/cti folder (one bundle per object) and one bundle.

use ruledex_attack::provisional::{ProvisionalDiff, ProvisionalTechnique};
use ruledex_attack::{written, Attack, AttackError, ProvisionalTable, Resolution, Tactic};
use serde_json::{json, Value};
use std::path::Path;

const IDENTITY: &str = "identity--00000000-0000-4000-8000-000000000000";

fn reference(id: &str, url: &str) -> Value {
    json!([{ "source_name": "mitre-attack", "external_id": id, "url": url }])
}

fn tactic(uuid: &str, id: &str, shortname: &str, name: &str) -> Value {
    json!({
        "type": "x-mitre-tactic",
        "id": format!("x-mitre-tactic--{uuid}"),
        "created_by_ref": IDENTITY,
        "name": name,
        "x_mitre_shortname": shortname,
        "external_references": reference(id, "https://attack.mitre.org/tactics/x"),
        "x_mitre_domains": ["enterprise-attack"],
    })
}

fn technique(uuid: &str, id: &str, name: &str, phases: &[&str], extra: Value) -> Value {
    let mut object = json!({
        "type": "attack-pattern",
        "id": format!("attack-pattern--{uuid}"),
        "name": name,
        "description": "Our own fixture text.",
        "external_references": reference(id, "https://attack.mitre.org/techniques/x"),
        "kill_chain_phases": phases
            .iter()
            .map(|p| json!({"kill_chain_name": "mitre-attack", "phase_name": p}))
            .collect::<Vec<_>>(),
        "x_mitre_domains": ["enterprise-attack"],
        "x_mitre_is_subtechnique": id.contains('.'),
        "x_mitre_platforms": ["Windows", "Linux"],
    });
    if let (Some(object), Some(extra)) = (object.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            object.insert(key.clone(), value.clone());
        }
    }
    object
}

fn relationship(uuid: &str, kind: &str, source: &str, target: &str) -> Value {
    json!({
        "type": "relationship",
        "id": format!("relationship--{uuid}"),
        "relationship_type": kind,
        "source_ref": source,
        "target_ref": target,
    })
}

const EXECUTION: &str = "10000000-0000-4000-8000-000000000001";
const DEFENSE: &str = "10000000-0000-4000-8000-000000000002";
const T1059: &str = "20000000-0000-4000-8000-000000000001";
const T1059_001: &str = "20000000-0000-4000-8000-000000000002";
const T1086: &str = "20000000-0000-4000-8000-000000000003";
const T1043: &str = "20000000-0000-4000-8000-000000000004";
const T1562: &str = "20000000-0000-4000-8000-000000000005";
const T1562_001: &str = "20000000-0000-4000-8000-000000000006";
const MOBILE: &str = "20000000-0000-4000-8000-000000000007";

/// A small enterprise domain: two tactics (the matrix lists Execution
/// second), five techniques, a mobile technique that must be skipped,
/// sub-technique, revocation and detection links, and an object of a kind
/// the loader does not know.
fn objects() -> Vec<Value> {
    vec![
        json!({
            "type": "x-mitre-matrix",
            "id": "x-mitre-matrix--30000000-0000-4000-8000-000000000001",
            "name": "Enterprise fixture",
            "external_references": reference("enterprise-attack", "https://attack.mitre.org/matrices/enterprise"),
            "tactic_refs": [
                format!("x-mitre-tactic--{DEFENSE}"),
                format!("x-mitre-tactic--{EXECUTION}"),
            ],
        }),
        tactic(EXECUTION, "TA0002", "execution", "Execution"),
        tactic(DEFENSE, "TA0005", "defense-evasion", "Defense Evasion"),
        technique(
            T1059,
            "T1059",
            "Command and Scripting Interpreter",
            &["execution"],
            json!({}),
        ),
        technique(
            T1059_001,
            "T1059.001",
            "PowerShell",
            &["execution"],
            json!({"x_mitre_platforms": ["Windows"]}),
        ),
        technique(
            T1086,
            "T1086",
            "PowerShell",
            &["execution"],
            json!({"revoked": true}),
        ),
        technique(
            T1043,
            "T1043",
            "Commonly Used Port",
            &["defense-evasion"],
            json!({"x_mitre_deprecated": true}),
        ),
        technique(
            T1562,
            "T1562",
            "Impair Defenses",
            &["defense-evasion"],
            json!({"x_mitre_platforms": ["macOS", "IaaS", "Windows"]}),
        ),
        technique(
            T1562_001,
            "T1562.001",
            "Disable or Modify Tools",
            &["defense-evasion"],
            json!({}),
        ),
        technique(
            MOBILE,
            "T1636",
            "Protected User Data",
            &["collection"],
            json!({"x_mitre_domains": ["mobile-attack"]}),
        ),
        relationship(
            "40000000-0000-4000-8000-000000000001",
            "subtechnique-of",
            &format!("attack-pattern--{T1059_001}"),
            &format!("attack-pattern--{T1059}"),
        ),
        relationship(
            "40000000-0000-4000-8000-000000000002",
            "revoked-by",
            &format!("attack-pattern--{T1086}"),
            &format!("attack-pattern--{T1059_001}"),
        ),
        relationship(
            "40000000-0000-4000-8000-000000000003",
            "detects",
            "x-mitre-detection-strategy--50000000-0000-4000-8000-000000000001",
            &format!("attack-pattern--{T1059_001}"),
        ),
        json!({
            "type": "x-mitre-detection-strategy",
            "id": "x-mitre-detection-strategy--50000000-0000-4000-8000-000000000001",
            "name": "Fixture strategy",
            "x_mitre_analytic_refs": ["x-mitre-analytic--50000000-0000-4000-8000-000000000002"],
        }),
        json!({
            "type": "x-mitre-analytic",
            "id": "x-mitre-analytic--50000000-0000-4000-8000-000000000002",
            "x_mitre_log_source_references": [
                {"x_mitre_data_component_ref": "x-mitre-data-component--50000000-0000-4000-8000-000000000003", "name": "x", "channel": "y"}
            ],
        }),
        json!({
            "type": "x-mitre-data-component",
            "id": "x-mitre-data-component--50000000-0000-4000-8000-000000000003",
            "name": "Script Execution",
            "external_references": reference("DC0029", "https://attack.mitre.org/datacomponents/DC0029"),
        }),
        json!({"type": "x-something-new", "id": "x-something-new--1", "whatever": [1, 2, 3]}),
    ]
}

fn bundle(objects: Vec<Value>) -> Value {
    json!({"type": "bundle", "id": "bundle--60000000-0000-4000-8000-000000000001", "objects": objects})
}

/// Write the objects in the mitre/cti layout: `enterprise-attack/<type>/<id>.json`,
/// each file a bundle of one object, plus a `VERSION.json` beside it.
fn write_folder(root: &Path, version: Option<Value>) {
    for object in objects() {
        let kind = object["type"].as_str().unwrap().to_string();
        let id = object["id"].as_str().unwrap().to_string();
        let dir = root.join("enterprise-attack").join(&kind);
        std::fs::create_dir_all(&dir).unwrap();
        let text = serde_json::to_string_pretty(&bundle(vec![object])).unwrap();
        std::fs::write(dir.join(format!("{id}.json")), text).unwrap();
    }
    if let Some(version) = version {
        std::fs::write(root.join("VERSION.json"), version.to_string()).unwrap();
    }
}

fn version_json() -> Value {
    json!({
        "attack_version": "99.1",
        "domain": "enterprise-attack",
        "source": "fixture",
        "commit": "0123456789abcdef",
        "commit_date": "2026-01-01",
        "counts": {"techniques": 4, "subtechniques": 2, "active": 4, "deprecated": 1, "revoked": 1, "tactics": 2},
    })
}

fn check_fixture(attack: &Attack) {
    let tactics: Vec<&str> = attack
        .tactics()
        .iter()
        .map(|t| t.shortname.as_str())
        .collect();
    assert_eq!(tactics, ["defense-evasion", "execution"], "matrix order");
    let ids: Vec<&str> = attack.techniques().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["T1043", "T1059", "T1059.001", "T1086", "T1562", "T1562.001"]
    );
    let powershell = attack.technique("T1059.001").unwrap();
    assert_eq!(powershell.parent.as_deref(), Some("T1059"));
    assert_eq!(powershell.data_components, ["DC0029"]);
    assert_eq!(
        attack.data_components().get("DC0029").map(String::as_str),
        Some("Script Execution")
    );
    let revoked = attack.technique("T1086").unwrap();
    assert!(revoked.revoked);
    assert_eq!(revoked.revoked_by.as_deref(), Some("T1059.001"));
    assert!(attack.technique("T1043").unwrap().deprecated);
    // Platforms sorted for a stable table; no parent from a relationship
    // falls back to the id.
    let impair = attack.technique("T1562.001").unwrap();
    assert_eq!(impair.parent.as_deref(), Some("T1562"));
    assert_eq!(
        attack.technique("T1562").unwrap().platforms,
        ["IaaS", "macOS", "Windows"]
    );
    assert!(
        attack.technique("T1636").is_none(),
        "mobile technique skipped"
    );
}

#[test]
fn loads_the_mitre_cti_folder_layout() {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path(), Some(version_json()));
    let attack = Attack::from_stix_dir(dir.path()).unwrap();
    check_fixture(&attack);
    assert_eq!(attack.version().attack, "99.1");
    assert_eq!(attack.version().commit.as_deref(), Some("0123456789abcdef"));
    assert_eq!(attack.stamped_counts(), Some(attack.counts()));

    // Pointing at the `enterprise-attack` folder itself finds VERSION.json
    // in its parent.
    let inner = Attack::from_stix_dir(dir.path().join("enterprise-attack")).unwrap();
    assert_eq!(inner.techniques(), attack.techniques());
    assert_eq!(inner.version(), attack.version());
}

#[test]
fn loads_one_bundle_and_agrees_with_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = objects();
    all.push(json!({
        "type": "x-mitre-collection",
        "id": "x-mitre-collection--70000000-0000-4000-8000-000000000001",
        "name": "Enterprise ATT&CK",
        "x_mitre_version": "99.2",
    }));
    let path = dir.path().join("enterprise-attack.json");
    std::fs::write(&path, bundle(all).to_string()).unwrap();
    let from_bundle = Attack::from_stix_bundle(&path).unwrap();
    check_fixture(&from_bundle);
    assert_eq!(
        from_bundle.version().attack,
        "99.2",
        "version from x-mitre-collection"
    );

    let folder = tempfile::tempdir().unwrap();
    write_folder(folder.path(), None);
    let from_folder = Attack::from_stix_dir(folder.path()).unwrap();
    assert_eq!(from_folder.techniques(), from_bundle.techniques());
    assert_eq!(from_folder.tactics(), from_bundle.tactics());
    assert_eq!(
        from_folder.version().attack,
        "unknown",
        "no VERSION.json, no collection"
    );
}

#[test]
fn resolution_works_on_loaded_data() {
    let attack = Attack::from_stix_json(&bundle(objects()).to_string()).unwrap();
    let finding = attack.resolve(&written::id("t1086"));
    assert!(matches!(
        finding.resolution,
        Resolution::Revoked { by: Some(ref by), .. } if by.id == "T1059.001"
    ));
    // Without a provisional layer, a v19 id is simply unknown…
    assert!(matches!(
        attack.resolve(&written::id("T1685")).resolution,
        Resolution::Unknown { .. }
    ));
    // …and with the embedded one copied on, it folds onto T1562.001.
    let layered = attack.with_provisional_from(Attack::embedded()).unwrap();
    let finding = layered.resolve(&written::id("T1685"));
    assert!(matches!(
        finding.resolution,
        Resolution::Provisional { ref folds_onto, .. } if folds_onto == &["T1562.001"]
    ));
    assert_eq!(
        layered.fold_tactic("stealth").unwrap().shortname,
        "defense-evasion"
    );
}

#[test]
fn provisional_table_layers_on_a_base() {
    let attack = Attack::from_stix_json(&bundle(objects()).to_string()).unwrap();
    let row = |id: &str, name: &str, tactic: &str, active: bool| ProvisionalTechnique {
        id: id.into(),
        name: name.into(),
        tactic_shortnames: vec![tactic.into()],
        parent: id.split_once('.').map(|(p, _)| p.to_string()),
        is_subtechnique: id.contains('.'),
        deprecated_or_revoked_in_v19: !active,
        ..ProvisionalTechnique::default()
    };
    let table = ProvisionalTable {
        tactics: vec![
            Tactic {
                id: "TA0002".into(),
                shortname: "execution".into(),
                name: "Execution".into(),
                order: 1,
            },
            Tactic {
                id: "TA0005".into(),
                shortname: "stealth".into(),
                name: "Stealth".into(),
                order: 2,
            },
            Tactic {
                id: "TA0112".into(),
                shortname: "defense-impairment".into(),
                name: "Defense Impairment".into(),
                order: 3,
            },
        ],
        techniques: vec![
            row(
                "T1059",
                "Command and Scripting Interpreter",
                "execution",
                true,
            ),
            row(
                "T1562.001",
                "Disable or Modify Tools",
                "defense-evasion",
                false,
            ),
            row(
                "T1685",
                "Disable or Modify Tools",
                "defense-impairment",
                true,
            ),
        ],
        diff: ProvisionalDiff {
            added: vec!["T1685 Disable or Modify Tools [defense-impairment]".into()],
            removed_active_v18: vec!["T1562.001 Disable or Modify Tools".into()],
        },
        ..ProvisionalTable::default()
    };
    let layered = attack.with_provisional(&table, &[]).unwrap();
    assert_eq!(layered.links().len(), 1, "the same-name pair");
    let t1685 = layered.technique("T1685").unwrap();
    assert!(t1685.provisional);
    assert_eq!(layered.cells_of("T1685")[0].id, "T1562.001");
    // Defense Impairment is new: it folds where its techniques came from.
    assert_eq!(
        layered.fold_tactic("defense-impairment").unwrap().shortname,
        "defense-evasion"
    );
    // A judged link naming an id nobody knows is refused.
    let bogus =
        ruledex_attack::provisional::parse_judged_links("T1562.001\tT1999\tno such id\n").unwrap();
    assert!(matches!(
        attack.with_provisional(&table, &bogus),
        Err(AttackError::Invalid(_))
    ));
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Attack::from_stix_dir(dir.path().join("nowhere")).unwrap_err();
    assert!(matches!(missing, AttackError::Io { .. }), "{missing}");

    write_folder(dir.path(), None);
    let broken = dir
        .path()
        .join("enterprise-attack/attack-pattern/broken.json");
    std::fs::write(&broken, "{\"type\": \"bundle\", \"objects\": [").unwrap();
    let error = Attack::from_stix_dir(dir.path()).unwrap_err();
    assert!(
        matches!(&error, AttackError::Json { path, .. } if path == &broken),
        "{error}"
    );

    let empty = Attack::from_stix_json(&bundle(Vec::new()).to_string()).unwrap_err();
    assert!(
        empty.to_string().contains("no ATT&CK techniques"),
        "{empty}"
    );
    // JSON that is not STIX at all is ignored, which leaves nothing.
    assert!(Attack::from_stix_json("{\"hello\": \"world\"}").is_err());
    assert!(Attack::from_stix_json("not json").is_err());
}

#[test]
fn odd_field_types_skip_the_object_not_the_load() {
    let mut all = objects();
    // `revoked` as a string and `kill_chain_phases` as a number: this object
    // cannot be read; the others still load.
    all.push(json!({
        "type": "attack-pattern",
        "id": "attack-pattern--80000000-0000-4000-8000-000000000001",
        "name": "Odd",
        "revoked": "yes",
        "kill_chain_phases": 7,
        "external_references": reference("T1999", "https://attack.mitre.org/techniques/T1999"),
    }));
    let attack = Attack::from_stix_json(&bundle(all).to_string()).unwrap();
    assert!(attack.technique("T1999").is_none());
    check_fixture(&attack);
}
