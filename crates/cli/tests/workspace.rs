//! Workspace hygiene that `cargo deny` has no setting for: no direct
//! dependency of a workspace crate resolves to two versions anywhere in the
//! graph (two `toml`s, one for us and one for a dependency, mean two
//! parsers built, and values that do not pass between them).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// `cargo metadata` of the workspace, from its lock file.
fn metadata() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(&root)
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("metadata is JSON")
}

/// Second versions that no release of the dependency needing them avoids:
/// (crate, version, the dependency that needs it, why it is tolerated).
/// Each must still be needed, so a fixed one is removed from here.
const TOLERATED: &[(&str, &str, &str, &str)] = &[(
    "thiserror",
    "1.0.69",
    "webdriver",
    "the browser test's WebDriver client (fantoccini 0.22 pins webdriver 0.53, and webdriver 0.54 still uses thiserror 1); a dev-dependency, not in any shipped build",
)];

#[test]
fn no_direct_dependency_resolves_to_two_versions() {
    let meta = metadata();
    let packages: BTreeMap<&str, (&str, &str)> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap(),
                (p["name"].as_str().unwrap(), p["version"].as_str().unwrap()),
            )
        })
        .collect();
    let members: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // Every version of every package in the resolved graph, with who
    // depends on it.
    let mut versions: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    // Direct dependencies of workspace crates (any kind).
    let mut direct: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let id = node["id"].as_str().unwrap();
        let (from, _) = packages[id];
        for dep in node["deps"].as_array().unwrap() {
            let (name, version) = packages[dep["pkg"].as_str().unwrap()];
            versions
                .entry(name)
                .or_default()
                .entry(version)
                .or_default()
                .insert(from);
            if members.contains(id) {
                direct.entry(name).or_default().insert(from);
            }
        }
    }
    for (name, version, via, why) in TOLERATED {
        let needed = versions
            .get_mut(name)
            .and_then(|found| found.remove(version))
            .is_some_and(|by| by.contains(via));
        assert!(
            needed,
            "{name} {version} for {via} is no longer needed ({why}): remove it from TOLERATED"
        );
    }
    let problems: Vec<String> = direct
        .iter()
        .filter_map(|(name, users)| {
            let found = &versions[name];
            (found.len() > 1).then(|| {
                let each: Vec<String> = found
                    .iter()
                    .map(|(version, by)| {
                        format!(
                            "{version} (for {})",
                            by.iter().copied().collect::<Vec<_>>().join(", ")
                        )
                    })
                    .collect();
                format!(
                    "{name}, a dependency of {}, resolves to {}",
                    users.iter().copied().collect::<Vec<_>>().join(", "),
                    each.join(" and ")
                )
            })
        })
        .collect();
    assert!(
        problems.is_empty(),
        "direct dependencies in two versions:\n  {}",
        problems.join("\n  ")
    );
    assert!(direct.contains_key("serde"), "the check sees the graph");
}
