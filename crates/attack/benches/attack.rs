//! Benchmarks: parsing the embedded table, resolving references, exporting
//! a layer, and (when the STIX data is present) loading a STIX folder.
//!
//! ```text
//! cargo bench -p ruledex-attack
//! ```

use divan::{black_box, Bencher};
use ruledex_attack::{written, Attack};
use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

/// The spellings of the corpus survey, a few of each kind, including
/// misspellings that cost a "did you mean" search.
const SPELLINGS: &[&str] = &[
    "T1059.001",
    "t1059.001",
    "https://attack.mitre.org/techniques/T1078/004/",
    "InitialAccess",
    "Command and control",
    "defense_evasion",
    "stealth",
    "T1685",
    "T1086",
    "Valid Accounts: Cloud Accounts",
    "Cloud Accounts",
    "InitialAcces",
    "Ransomware",
];

#[divan::bench]
fn parse_embedded_table() -> Attack {
    Attack::from_table(black_box(include_str!("../data/enterprise.tsv"))).unwrap()
}

#[divan::bench]
fn resolve_spellings(bencher: Bencher) {
    let attack = Attack::embedded();
    bencher.bench(|| {
        for spelling in SPELLINGS {
            black_box(attack.resolve_text(black_box(spelling)));
        }
    });
}

/// Only spellings that resolve: the common case in a corpus.
#[divan::bench]
fn resolve_known_spellings(bencher: Bencher) {
    let attack = Attack::embedded();
    let known: Vec<&str> = SPELLINGS
        .iter()
        .copied()
        .filter(|s| attack.resolve_text(s).resolution.is_current())
        .collect();
    bencher.bench(|| {
        for spelling in &known {
            black_box(attack.resolve_text(black_box(spelling)));
        }
    });
}

#[divan::bench]
fn resolve_sigma_tag(bencher: Bencher) {
    let attack = Attack::embedded();
    let reference = written::sigma_tag("attack.t1059.001").unwrap();
    bencher.bench(|| black_box(attack.resolve(black_box(&reference))));
}

#[divan::bench]
fn navigator_layer_all_techniques(bencher: Bencher) {
    let attack = Attack::embedded();
    let scores: Vec<(String, f64, String)> = attack
        .techniques()
        .iter()
        .filter(|t| t.is_active())
        .map(|t| (t.id.clone(), 1.0, String::new()))
        .collect();
    bencher.bench(|| black_box(attack.navigator_layer(scores.clone(), "all", "")));
}

/// The shared ATT&CK data: `$RULEDEX_SHARED/attack`, else `../shared/attack`
/// from the workspace root or its parent.
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

#[divan::bench(sample_count = 5)]
fn load_stix_dir(bencher: Bencher) {
    let Some(root) = shared_attack() else {
        eprintln!("note: no shared ATT&CK data, skipping the STIX benchmark");
        return;
    };
    bencher.bench(|| black_box(Attack::from_stix_dir(&root).unwrap()));
}
