//! The `ruledex` binary, run as a user runs it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ruledex(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ruledex"))
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("run ruledex")
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn show_json_has_the_documented_shape() {
    let out = ruledex(&[
        "show",
        "--json",
        "examples/kql/cross-tenant-portal-signin.yaml",
    ]);
    let doc = json(&out);
    let rule = &doc["rules"][0];
    for key in [
        "id",
        "title",
        "language",
        "platform",
        "bindings",
        "stages",
        "indicators",
        "outputs",
        "data_sources",
        "dependencies",
        "attack",
        "diagnostics",
    ] {
        assert!(rule.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!(rule["language"], "kql");
    assert_eq!(rule["platform"], "sentinel");
    let binding = &rule["bindings"][0];
    assert_eq!(binding["name"], "cloud_ranges");
    assert_eq!(binding["stages"].as_array().unwrap().len(), 6);
    assert_eq!(rule["stages"].as_array().unwrap().len(), 9);
    for stage in rule["stages"].as_array().unwrap() {
        assert!(stage["kind"].is_string() && stage["text"].is_string());
    }
    let indicators = rule["indicators"].as_array().unwrap();
    let app = indicators
        .iter()
        .find(|i| i["field"] == "AppDisplayName")
        .unwrap();
    assert_eq!(app["kind"], "eq");
    assert_eq!(app["values"][0], "Azure Portal");
    assert_eq!(app["case_sensitive"], false);
    assert_eq!(app["negated"], false);
    let ip = indicators
        .iter()
        .find(|i| i["field"] == "IPAddress")
        .unwrap();
    assert_eq!(ip["kind"], "cidr");
    assert_eq!(ip["values_from"]["name"], "cloud_ranges");
    let tenant = indicators
        .iter()
        .find(|i| i["field"] == "HomeTenantId")
        .unwrap();
    assert_eq!(tenant["kind"], "field_ne");
    assert_eq!(tenant["values"][0], "ResourceTenantId");
    let outputs = names(&rule["outputs"], "name");
    for expected in [
        "FirstSeen",
        "LastSeen",
        "set_ResourceDisplayName",
        "count_",
        "UserPrincipalName",
        "AccountName",
    ] {
        assert!(
            outputs.contains(&expected.to_string()),
            "{expected} not in {outputs:?}"
        );
    }
    assert_eq!(rule["dependencies"][0]["kind"], "url");
}

#[test]
fn check_reports_languages_and_gates() {
    let doc = json(&ruledex(&["check", "--json", "examples/kql"]));
    let kql = doc["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["language"] == "kql")
        .unwrap()
        .clone();
    assert!(kql["rules"].as_u64().unwrap() >= 5);
    assert_eq!(kql["failed"], 0);
    assert!(doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["path"].is_string() && f.get("errors").is_some()));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("good.kql"),
        "SigninLogs\n| where ResultType == 0\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.kql"),
        "SigninLogs\n| where ResultType ==\n| take 1\n",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let gated = ruledex(&["check", path, "--min-parse-rate", "75"]);
    assert_eq!(gated.status.code(), Some(1), "50 % parses, below 75 %");
    let text = String::from_utf8_lossy(&gated.stdout);
    assert!(text.contains("bad.kql:2:22: error[KQL006]"), "{text}");
    assert!(
        text.contains("2 | | where ResultType =="),
        "the snippet shows the line: {text}"
    );
    let passed = ruledex(&["check", path, "--min-parse-rate", "50"]);
    assert_eq!(passed.status.code(), Some(0));
    let missing = ruledex(&["check", path, "--lang", "eql", "--min-parse-rate", "50"]);
    assert_eq!(
        missing.status.code(),
        Some(1),
        "a gate on a language with no rules fails"
    );
}

#[test]
fn strict_check_counts_specification_warnings_as_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rule.yml"),
        "title: Service Binary in Temp\nid: not-a-uuid\nreferences: https://example.org\n\
         tags:\n    - sysmon\nlogsource:\n    product: windows\n    service: sysmon\n\
         detection:\n    selection:\n        EventID: 13\n        Details|contains: '\\Temp\\'\n\
         \x20   condition: selection\n",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let lenient = json(&ruledex(&["check", "--json", path]));
    assert_eq!(lenient["languages"][0]["parsed"], 1, "{lenient}");
    let strict = ruledex(&["check", "--strict", path, "--min-parse-rate", "100"]);
    assert_eq!(strict.status.code(), Some(1));
    let text = String::from_utf8_lossy(&strict.stdout);
    assert!(
        text.contains("error[SIG005]: the rule `id` must be a UUID"),
        "{text}"
    );
    assert!(text.contains("error[SIG005]: tag `sysmon`"), "{text}");
    let lint = ruledex(&["check", "--strict", path]);
    assert_eq!(
        lint.status.code(),
        Some(1),
        "--strict alone fails on a rule with errors"
    );
    assert!(String::from_utf8_lossy(&lint.stderr).contains("1 checked rule(s) have errors"));
    let lenient_status = ruledex(&["check", path]);
    assert_eq!(
        lenient_status.status.code(),
        Some(0),
        "without --strict the specification problems are warnings"
    );
}

#[test]
fn unknown_files_are_reported_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "just some words\n").unwrap();
    let out = ruledex(&["show", notes.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no known rule format"));
    let check = ruledex(&["check", dir.path().to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&check.stdout).contains("1 unknown"));
}

#[test]
fn coverage_layer_is_a_navigator_layer() {
    let layer = json(&ruledex(&[
        "coverage", "--source", "examples", "--layer", "-",
    ]));
    assert_eq!(layer["versions"]["layer"], "4.5");
    assert_eq!(layer["domain"], "enterprise-attack");
    assert!(layer["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["techniqueID"] == "T1199"));
}

#[test]
fn related_ranks_shared_behaviour_with_evidence() {
    let doc = json(&ruledex(&[
        "related",
        "--json",
        "--source",
        "examples",
        "3f6f1c2a-8d0e-4b7e-9a51-0c2d7e1f9b10",
    ]));
    let related = doc["related"].as_array().unwrap();
    let hit = related
        .iter()
        .find(|r| r["title"] == "failed-signins-by-app")
        .expect("the other sign-in rule");
    // Both compare the sign-in result: a behaviour key, with evidence in
    // both rules' words and a score, ranked before the rules that only read
    // the same log source.
    assert_eq!(hit["rank"], "shared_behaviour");
    assert_eq!(hit["reason"], "both match azure.signinlogs.result_type 0");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    let evidence = &hit["evidence"][0];
    assert_eq!(evidence["key"], "azure.signinlogs.result_type 0");
    assert!(evidence["here"].as_str().unwrap().starts_with("ResultType"));
    let ranks: Vec<&str> = related
        .iter()
        .map(|r| r["rank"].as_str().unwrap())
        .collect();
    let first_logsource_only = ranks.iter().position(|r| *r == "same_logsource");
    if let Some(first) = first_logsource_only {
        assert!(ranks[first..].iter().all(|r| *r == "same_logsource"));
    }
}

/// A Chronicle YARA-L rule on CloudTrail joins the rules of other
/// languages on the same API calls.
#[test]
fn related_links_yaral_to_other_languages() {
    let doc = json(&ruledex(&[
        "related",
        "--json",
        "--source",
        "examples",
        "examples/chronicle/cloudtrail_stop_logging.yaral",
    ]));
    let related = doc["related"].as_array().unwrap();
    let languages: Vec<&str> = related
        .iter()
        .filter(|r| r["rank"] != "same_logsource")
        .filter_map(|r| r["language"].as_str())
        .collect();
    assert!(languages.contains(&"spl"), "{languages:?}");
    assert!(languages.contains(&"python"), "{languages:?}");
    let spl = related.iter().find(|r| r["language"] == "spl").unwrap();
    assert_eq!(spl["rank"], "same_operation");
    let here = spl["evidence"][0]["here"].as_str().unwrap();
    assert!(here.starts_with("metadata.product_event_type"), "{here}");
}

/// A Panther spec whose program is not in the source is read on the log
/// source its firing tests carry, and listed in the same-log-source group
/// with that log source as evidence, in the JSON and in the text.
#[test]
fn a_panther_spec_without_its_program_joins_on_the_log_source_its_tests_show() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cross_tenant.kql"),
        "SigninLogs\n| where ResultType == 0\n| where HomeTenantId != ResourceTenantId\n",
    )
    .unwrap();
    let spec = |id: &str, category: &str, operation: &str| {
        format!(
            "AnalysisType: rule\nFilename: {id}.py\nRuleID: Example.{id}\nDisplayName: Example {id}\n\
             Enabled: true\nLogTypes:\n  - Azure.Audit\nSeverity: Medium\nTests:\n  - Name: fires\n\
             \x20   ExpectedResult: true\n    Log:\n      category: {category}\n      operationName: {operation}\n"
        )
    };
    std::fs::write(
        dir.path().join("failed_signins.yml"),
        spec("failed_signins", "SignInLogs", "Sign-in activity"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policy_changed.yml"),
        spec("policy_changed", "AuditLogs", "Update policy"),
    )
    .unwrap();
    let source = dir.path().to_str().unwrap();
    let query = dir.path().join("cross_tenant.kql");
    let doc = json(&ruledex(&[
        "related",
        "--json",
        "--source",
        source,
        query.to_str().unwrap(),
    ]));
    let related = doc["related"].as_array().unwrap();
    let titles: Vec<&str> = related.iter().filter_map(|r| r["title"].as_str()).collect();
    assert_eq!(titles, ["Example failed_signins"], "{doc}");
    assert_eq!(related[0]["rank"], "same_logsource");
    assert_eq!(related[0]["evidence"][0]["key"], "log source azure.signin");
    assert_eq!(related[0]["evidence"][0]["here"], "SigninLogs");
    assert_eq!(related[0]["evidence"][0]["there"], "Azure.Audit");
    let text = ruledex(&["related", "--source", source, query.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("only the same log source:"), "{text}");
    assert!(
        text.contains("Example failed_signins (SigninLogs here, Azure.Audit there)"),
        "{text}"
    );
}

/// A rule with nothing to analyze (a Panther spec without its program) is
/// counted apart in `stats`, as in `check`, not as a parsed rule without
/// behaviour.
#[test]
fn stats_count_rules_without_a_query_apart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lockouts.kql"),
        "SigninLogs\n| where ResultType == 50053\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("lockouts.yml"),
        "AnalysisType: rule\nFilename: lockouts.py\nRuleID: Example.Lockouts\nEnabled: true\n\
         LogTypes:\n  - Azure.Audit\nSeverity: Medium\n",
    )
    .unwrap();
    let source = dir.path().to_str().unwrap();
    let doc = json(&ruledex(&["stats", "--json", "--source", source]));
    let language = |id: &str| {
        doc["languages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["language"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {doc}"))
    };
    let python = language("python");
    assert_eq!(
        (
            &python["rules"],
            &python["without_query"],
            &python["parsed"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(0))
    );
    let kql = language("kql");
    assert_eq!(
        (&kql["parsed"], &kql["with_behaviour"]),
        (&Value::from(1), &Value::from(1))
    );
    let text = ruledex(&["stats", "--source", source]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(
            "parsed rules with a behaviour key finer than their log source: 1 of 1 (100.0%)"
        ),
        "{text}"
    );
    assert!(text.contains("1 rules have no query to analyze"), "{text}");
}

fn jsonl(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn related_answers_several_rules_from_one_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("rules.txt");
    // An id, a catalog key and a file path; blank lines are skipped.
    std::fs::write(
        &list,
        "3f6f1c2a-8d0e-4b7e-9a51-0c2d7e1f9b10\n\nexamples/kql/failed-signins-by-app.kql\n",
    )
    .unwrap();
    let out = ruledex(&[
        "related",
        "--jsonl",
        "--limit",
        "0",
        "--source",
        "examples",
        "examples/kql/cross-tenant-portal-signin.yaml",
        "--rules-from",
        list.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = jsonl(&out);
    let asked: Vec<&str> = reports
        .iter()
        .map(|r| r["asked"].as_str().unwrap())
        .collect();
    assert_eq!(
        asked,
        [
            "examples/kql/cross-tenant-portal-signin.yaml",
            "3f6f1c2a-8d0e-4b7e-9a51-0c2d7e1f9b10",
            "examples/kql/failed-signins-by-app.kql",
        ],
        "in the order asked: arguments, then the file"
    );
    // The path and the id name the same rule.
    assert_eq!(reports[0]["rule"], reports[1]["rule"]);
    for report in &reports {
        assert!(report["total"].as_u64().unwrap() >= 1, "{report}");
        assert_eq!(report["related"].as_array().unwrap().len(), 0, "--limit 0");
        assert!(!report["logsources"].as_array().unwrap().is_empty());
    }
}

#[test]
fn related_batch_reports_missing_rules_and_goes_on() {
    let out = ruledex(&[
        "related",
        "--jsonl",
        "--source",
        "examples",
        "no-such-rule",
        "3f6f1c2a-8d0e-4b7e-9a51-0c2d7e1f9b10",
    ]);
    assert_eq!(out.status.code(), Some(1), "a missing rule fails the run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rule"));
    let reports = jsonl(&out);
    assert_eq!(reports.len(), 1, "the rule that exists is still answered");
    // One rule alone that does not exist is an error, as before.
    let out = ruledex(&["related", "--source", "examples", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn elastic_query_files_and_ndjson_exports_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.eql"),
        "process where process.name : \"certutil.exe\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.lucene"), "process.name:certutil.exe\n").unwrap();
    std::fs::write(
        dir.path().join("c.esql"),
        "from logs-* | where process.name == \"certutil.exe\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.ndjson"),
        concat!(
            r#"{"rule_id":"r1","name":"n","type":"eql","language":"eql","#,
            r#""query":"process where process.name : \"certutil.exe\""}"#,
            "\n"
        ),
    )
    .unwrap();
    let doc = json(&ruledex(&["check", "--json", dir.path().to_str().unwrap()]));
    let mut formats: Vec<(String, String)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["format"].as_str().unwrap_or_default().to_string(),
                f["language"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    formats.sort();
    assert_eq!(
        formats,
        [
            ("elastic-ndjson".to_string(), "eql".to_string()),
            ("elastic-query-file".to_string(), "eql".to_string()),
            ("elastic-query-file".to_string(), "esql".to_string()),
            ("elastic-query-file".to_string(), "lucene".to_string()),
        ]
    );
    assert_eq!(doc["unknown_files"], 0);
}

/// The acceptance points of the seed rule, when the shared data is present
/// (a user's clone has none; CI has it).
#[test]
fn seed_rule_acceptance() {
    let seed = workspace().join("../shared/seed/rule/AzurePortalSigninfromanotherAzureTenant.yaml");
    if !seed.exists() {
        eprintln!(
            "note: {} not found; seed acceptance skipped",
            seed.display()
        );
        return;
    }
    let doc = json(&ruledex(&["show", "--json", seed.to_str().unwrap()]));
    let rule = &doc["rules"][0];
    let binding = rule["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "azure_ranges")
        .unwrap();
    assert_eq!(binding["stages"].as_array().unwrap().len(), 9);
    assert_eq!(rule["stages"].as_array().unwrap().len(), 14);
    let indicators = rule["indicators"].as_array().unwrap();
    let has = |field: &str, kind: &str, value: Value| {
        indicators
            .iter()
            .any(|i| i["field"] == field && i["kind"] == kind && i["values"][0] == value)
    };
    assert!(has("ResultType", "eq", 0.into()));
    assert!(has("AppDisplayName", "eq", "Azure Portal".into()));
    assert!(has("HomeTenantId", "field_ne", "ResourceTenantId".into()));
    assert!(has("ResourceTenantId", "field_eq", "AADTenantId".into()));
    let app = indicators
        .iter()
        .find(|i| i["field"] == "AppDisplayName")
        .unwrap();
    assert_eq!(app["case_sensitive"], false);
    let ip = indicators
        .iter()
        .find(|i| i["field"] == "IPAddress" && i["kind"] == "cidr")
        .unwrap();
    assert_eq!(ip["values_from"]["kind"], "binding");
    assert_eq!(ip["values_from"]["name"], "azure_ranges");
    let outputs = names(&rule["outputs"], "name");
    for expected in [
        "FirstSeen",
        "LastSeen",
        "set_ResourceDisplayName",
        "UserPrincipalName",
        "IPAddress",
        "UserAgent",
        "Location",
        "HomeTenantId",
        "ResourceTenantId",
        "UserId",
        "AccountName",
        "UPNSuffix",
    ] {
        assert!(
            outputs.contains(&expected.to_string()),
            "{expected} not in {outputs:?}"
        );
    }
    let deps = rule["dependencies"].as_array().unwrap();
    assert!(deps.iter().any(|d| d["kind"] == "url"
        && d["name"]
            .as_str()
            .unwrap()
            .ends_with("ServiceTags_Public.json")));
}

/// The event dictionary fixture of the events crate (OSSEM layout).
fn event_fixture() -> String {
    workspace()
        .join("crates/events/tests/fixtures/dd")
        .display()
        .to_string()
}

#[test]
fn events_give_event_coverage_stats_and_search() {
    let dd = event_fixture();
    // Coverage per provider: JSON with the events with and without rules.
    let out = ruledex(&[
        "coverage", "--source", "examples", "--events", &dd, "--json",
    ]);
    let doc = json(&out);
    let providers = names(&doc["providers"], "provider");
    assert!(
        providers.contains(&"windows-sysmon".to_string()),
        "{providers:?}"
    );
    let azure = doc["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == "azure")
        .unwrap();
    assert_eq!(azure["with_rules"][0]["event"], "signinlogs");
    // The text table.
    let out = ruledex(&["coverage", "--source", "examples", "--events", &dd]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("events have at least one rule"), "{text}");
    // Stats: the share of Windows rules mapped to an event.
    let out = ruledex(&["stats", "--source", "examples", "--events", &dd, "--json"]);
    let doc = json(&out);
    let kql = doc["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["language"] == "kql")
        .unwrap();
    assert!(kql["windows_rules"].as_u64().unwrap() >= 1, "{kql}");
    assert!(kql["windows_with_event"].as_u64().unwrap() >= 1, "{kql}");
    let out = ruledex(&["stats", "--source", "examples", "--events", &dd]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Windows rules mapped to at least one event"),
        "{text}"
    );
    // Search by event.
    let out = ruledex(&[
        "search",
        "--source",
        "examples",
        "--events",
        &dd,
        "--json",
        "event:signinlogs",
    ]);
    let doc = json(&out);
    assert!(doc["total"].as_u64().unwrap() >= 1, "{doc}");
    // The dictionary's problems are diagnostics on stderr, not a failure.
    assert!(String::from_utf8_lossy(&out.stderr).contains("EVT002"));
    // Without a dictionary, event coverage says how to get one.
    let out = ruledex(&["coverage", "--source", "examples", "--events"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no event dictionary"));
}
