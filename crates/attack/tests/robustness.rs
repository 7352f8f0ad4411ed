//! No input makes the crate panic, recurse without bound, or slow down
//! quadratically: mutated and truncated tables and STIX documents, deeply
//! nested JSON, cycles in the data, random and huge reference text.
//!
//! Deterministic (a fixed-seed generator), so it runs in CI; the cargo-fuzz
//! targets in `fuzz/` explore further.

use ruledex_attack::resolve::{tactic_ref, technique_ref};
use ruledex_attack::written;
use ruledex_attack::{Attack, AttackParts, LayerScore, Tactic, Technique, VersionInfo};

/// xorshift64*: small, fixed-seed, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// A mutated copy of `text`: truncated, a line dropped or doubled, a byte
/// replaced by a separator or a random character, or two spans swapped.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let floor = |s: &str, mut at: usize| {
        at = at.min(s.len());
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match rng.below(6) {
        0 => text[..floor(text, rng.below(text.len() + 1))].to_string(),
        1 | 2 => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let at = rng.below(lines.len());
                if rng.below(2) == 0 {
                    lines.remove(at);
                } else {
                    let line = lines[at];
                    lines.insert(at, line);
                }
            }
            lines.join("\n")
        }
        3 => {
            let at = floor(text, rng.below(text.len() + 1));
            let replacement = ['\t', '\n', ',', '-', '"', '{', ']', 'é', '\0'][rng.below(9)];
            let mut out = text[..at].to_string();
            out.push(replacement);
            let rest = &text[at..];
            let skip = rest.chars().next().map_or(0, char::len_utf8);
            out.push_str(&rest[skip..]);
            out
        }
        4 => {
            let a = floor(text, rng.below(text.len() + 1));
            let b = floor(text, rng.below(text.len() + 1));
            let (a, b) = (a.min(b), a.max(b));
            format!("{}{}{}", &text[b..], &text[a..b], &text[..a])
        }
        _ => {
            let at = floor(text, rng.below(text.len() + 1));
            format!("{}{}", &text[..at], &text[..floor(text, rng.below(200))])
        }
    }
}

/// Use whatever loaded, to reach the code behind the loader too.
fn exercise(attack: &Attack) {
    for text in [
        "T1059.001",
        "InitialAccess",
        "stealth",
        "T1685",
        "Cloud Accounts",
    ] {
        let finding = attack.resolve_text(text);
        let _ = attack.diagnostics(&finding);
        let _ = attack.coverage(&[finding]);
    }
    let _ = attack.techniques_by_tactic();
    let _ = attack.navigator_layer([("T1059", 1.0, "x")], "n", "d");
}

#[test]
fn mutated_tables_never_panic() {
    let table = include_str!("../data/enterprise.tsv");
    let mut rng = Rng(0x5EED_0001);
    let mut loaded = 0;
    for _ in 0..300 {
        let mut text = table.to_string();
        for _ in 0..=rng.below(3) {
            text = mutate(&text, &mut rng);
        }
        if let Ok(attack) = Attack::from_table(&text) {
            loaded += 1;
            exercise(&attack);
        }
    }
    // Some mutations (a dropped comment or link line) still load: the
    // loaded path is exercised too.
    assert!(loaded > 0);
}

#[test]
fn mutated_stix_never_panics() {
    let bundle = serde_json::json!({
        "type": "bundle",
        "objects": [
            {"type": "x-mitre-tactic", "id": "x-mitre-tactic--1", "name": "Execution",
             "x_mitre_shortname": "execution",
             "external_references": [{"source_name": "mitre-attack", "external_id": "TA0002"}]},
            {"type": "attack-pattern", "id": "attack-pattern--1", "name": "Interpreter",
             "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
             "external_references": [{"source_name": "mitre-attack", "external_id": "T1059"}]},
            {"type": "attack-pattern", "id": "attack-pattern--2", "name": "Shell",
             "x_mitre_is_subtechnique": true,
             "external_references": [{"source_name": "mitre-attack", "external_id": "T1059.004"}]},
            {"type": "relationship", "id": "relationship--1", "relationship_type": "subtechnique-of",
             "source_ref": "attack-pattern--2", "target_ref": "attack-pattern--1"},
            {"type": "relationship", "id": "relationship--2", "relationship_type": "revoked-by",
             "source_ref": "attack-pattern--1", "target_ref": "attack-pattern--1"}
        ]
    })
    .to_string();
    assert!(Attack::from_stix_json(&bundle).is_ok());
    let mut rng = Rng(0x5EED_0002);
    for _ in 0..500 {
        let text = mutate(&bundle, &mut rng);
        if let Ok(attack) = Attack::from_stix_json(&text) {
            exercise(&attack);
        }
    }
}

#[test]
fn deeply_nested_json_is_an_error() {
    for text in [
        "[".repeat(100_000),
        format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000)),
        format!(
            "{{\"objects\": [{{\"type\": \"attack-pattern\", \"id\": \"a\", \"name\": {}}}]}}",
            "[".repeat(50_000)
        ),
    ] {
        assert!(Attack::from_stix_json(&text).is_err());
    }
}

fn technique(id: &str, parent: Option<&str>, revoked_by: Option<&str>) -> Technique {
    Technique {
        id: id.into(),
        name: format!("name of {id}"),
        tactics: vec!["execution".into()],
        parent: parent.map(Into::into),
        is_subtechnique: parent.is_some(),
        deprecated: false,
        revoked: revoked_by.is_some(),
        revoked_by: revoked_by.map(Into::into),
        platforms: Vec::new(),
        data_components: Vec::new(),
        provisional: false,
        v19: None,
    }
}

/// Data that no real release has: revocation and parent cycles.
#[test]
fn cycles_in_the_data_terminate() {
    let attack = Attack::from_parts(AttackParts {
        version: VersionInfo::default(),
        tactics: vec![Tactic {
            id: "TA0002".into(),
            shortname: "execution".into(),
            name: "Execution".into(),
            order: 1,
        }],
        techniques: vec![
            technique("T1001", None, Some("T1002")),
            technique("T1002", None, Some("T1001")),
            technique("T1003.001", Some("T1003.002"), None),
            technique("T1003.002", Some("T1003.001"), None),
        ],
        ..AttackParts::default()
    })
    .unwrap();
    assert!(attack.cells_of("T1001").is_empty());
    for reference in [
        technique_ref(Some("T1001"), Some("x")),
        technique_ref(
            Some("T1003.001"),
            Some("name of T1003.002: name of T1003.001"),
        ),
        technique_ref(None, Some("name of T1003.002: nothing")),
    ] {
        let finding = attack.resolve(&reference);
        let _ = attack.diagnostics(&finding);
        let _ = attack.coverage(&[finding]);
    }
    let _ = attack.techniques_by_tactic();
}

#[test]
fn random_and_huge_references_are_cheap() {
    let attack = Attack::embedded();
    let mut rng = Rng(0x5EED_0003);
    let seeds = [
        "attack.t1059.001",
        "InitialAccess",
        "Valid Accounts: Cloud Accounts",
        "TA0002:T1059",
        "https://attack.mitre.org/versions/v13/techniques/T1059/001/",
        "execution, t1059, s0029",
    ];
    for round in 0..2_000 {
        let seed = seeds[round % seeds.len()];
        let text = mutate(seed, &mut rng);
        let finding = attack.resolve_text(&text);
        let _ = attack.diagnostics(&finding);
        let _ = written::sigma_tag(&text).map(|r| attack.resolve(&r));
        let _ = attack.resolve_threat(&written::panther_report(&text));
        let _ = written::chronicle_meta("mitre", &text);
        let _ = attack.resolve(&tactic_ref(Some(&text), Some(&text)));
    }
    // Huge inputs are cut short before any work proportional to them.
    let huge = "Initial Access ".repeat(100_000);
    let _ = attack.resolve_text(&huge);
    let _ = attack.resolve(&technique_ref(Some(&huge), Some(&huge)));
    let many = "t1059, ".repeat(200_000);
    assert!(written::chronicle_meta("mitre", &many).len() <= 64);
    let entries: Vec<(&str, &str)> = (0..100_000)
        .map(|_| ("mitre", "t1059, execution"))
        .collect();
    assert!(written::chronicle_meta_all(entries).len() <= 2);
    // Many scores on one cell: comments are capped, not compared pairwise.
    let scores: Vec<LayerScore> = (0..50_000)
        .map(|i| LayerScore::from(("T1059", 1.0, format!("rule {i}"))))
        .collect();
    let layer = attack.navigator_layer(scores, "many", "");
    assert!(layer["techniques"][0]["comment"]
        .as_str()
        .unwrap()
        .ends_with("and 49980 more"));
}
