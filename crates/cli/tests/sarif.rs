//! `ruledex check --format sarif` on a folder of broken rules, validated
//! against the SARIF 2.1.0 JSON schema (`tests/data`).

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ruledex"))
        .arg("check")
        .args(args)
        .output()
        .expect("run ruledex")
}

fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    // The published schema is kept unchanged. Its `language` pattern
    // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) has a stray `]`, which
    // the validator's check of the schema itself rejects as a regex; here
    // the `]` is escaped, which means what the published pattern matches.
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("[a-zA-Z]{2}]?$", "[a-zA-Z]{2}\\\\]?$");
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid(log: &Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}");
}

/// Broken rules in three formats, written for this test.
fn broken_rules(dir: &Path) {
    std::fs::write(
        dir.join("broken.kql"),
        "SigninLogs\n| where ResultType ==\n| take 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("unknown-modifier.yml"),
        "title: Unknown modifier\nlogsource:\n  product: windows\n  category: process_creation\n\
         detection:\n  selection:\n    Image|endswithh: '\\cmd.exe'\n  condition: selection\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("analytics-rule.yaml"),
        "id: 5d0f9a4e-1c2b-4e8f-9a7d-3b6c5e4f2a10\nname: Broken analytics rule\nseverity: Severe\n\
         query: |\n  SecurityEvent\n  | where EventID == 4625 and\n",
    )
    .unwrap();
}

#[test]
fn sarif_output_validates_and_locates_every_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    broken_rules(dir.path());
    let out = check(&["--format", "sarif", dir.path().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "diagnostics alone do not fail the check"
    );
    let log: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_valid(&log);

    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "ruledex");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for expected in ["KQL006", "SIG006", "KQL103"] {
        assert!(ids.contains(&expected), "{expected} not in {ids:?}");
    }
    for result in results {
        // Each result's rule is described once, at the index it names.
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(
                region[key].as_u64().is_some_and(|n| n >= 1),
                "{key}: {result}"
            );
        }
    }
    let mut described: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let count = described.len();
    described.dedup();
    assert_eq!(described.len(), count, "every code is described once");

    // The unknown modifier: where it is, its snippet, its level, and the
    // code's description from the Sigma code table.
    let sigma = results.iter().find(|r| r["ruleId"] == "SIG006").unwrap();
    assert_eq!(sigma["level"], "error");
    let location = &sigma["locations"][0]["physicalLocation"];
    assert!(location["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("/unknown-modifier.yml"));
    assert_eq!(location["region"]["startLine"], 7);
    assert_eq!(location["region"]["startColumn"], 11);
    assert_eq!(location["region"]["snippet"]["text"], "endswithh");
    let described = rules.iter().find(|r| r["id"] == "SIG006").unwrap();
    assert_eq!(
        described["shortDescription"]["text"],
        "Unknown value modifier"
    );
    assert_eq!(described["defaultConfiguration"]["level"], "error");
    // A warning code keeps its level.
    let severity = results.iter().find(|r| r["ruleId"] == "KQL103").unwrap();
    assert_eq!(severity["level"], "warning");
}

#[test]
fn an_unreadable_file_fails_the_check_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    broken_rules(dir.path());
    // Not UTF-8: the file cannot be read as text.
    std::fs::write(dir.path().join("latin1.yml"), b"title: caf\xe9\n").unwrap();
    let path = dir.path().to_str().unwrap();

    let text = check(&[path]);
    assert_eq!(text.status.code(), Some(1));
    let said = String::from_utf8_lossy(&text.stderr);
    assert!(
        said.contains("could not be read") && said.contains("latin1.yml"),
        "{said}"
    );
    assert_eq!(check(&["--json", path]).status.code(), Some(1));
    assert_eq!(check(&["--allow-unreadable", path]).status.code(), Some(0));

    let out = check(&["--format", "sarif", path]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert!(notification["message"]["text"]
        .as_str()
        .unwrap()
        .contains("not UTF-8"));
    let allowed = check(&["--format", "sarif", "--allow-unreadable", path]);
    assert_eq!(allowed.status.code(), Some(0));
    let log: Value = serde_json::from_slice(&allowed.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

/// Every code the language crates' own fixtures raise — their valid and
/// invalid example rules, written for their tests — is described by a code
/// table, so a SARIF viewer never shows a bare code. A new language whose
/// format lacks `RuleFormat::codes` fails here.
#[test]
fn every_code_the_language_fixtures_raise_is_described() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut folders: Vec<String> = std::fs::read_dir(crates)
        .unwrap()
        .map(|e| e.unwrap().path().join("tests/fixtures"))
        .filter(|p| p.is_dir())
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    folders.sort();
    let mut args = vec!["--format", "sarif", "--allow-unreadable"];
    args.extend(folders.iter().map(String::as_str));
    let out = check(&args);
    let log: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() > 20, "the fixtures raise many codes: {rules:?}");
    let bare: Vec<&str> = rules
        .iter()
        .filter(|r| {
            r["shortDescription"]["text"]
                .as_str()
                .is_none_or(str::is_empty)
        })
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(bare.is_empty(), "codes without a description: {bare:?}");
}
