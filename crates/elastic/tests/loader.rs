//! Loader tests: every metadata shape and every error path, with snapshots
//! of the loaded rules (without the raw body, which is the fixture itself).

use ruledex_elastic::{codes, ElasticFormat};
use ruledex_ir::{
    AttackKind, DataSourceKind, DependencyKind, Language, LineIndex, Rule, RuleClass, RuleFormat,
    SourceFile,
};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Load a file with its path relative to `root` (so `_deprecated/` counts).
fn load_from(root: &Path, path: &Path) -> Vec<Rule> {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let file = SourceFile::standalone(&rel, &text);
    ElasticFormat.load(&file)
}

fn load(rel: &str) -> Vec<Rule> {
    let root = fixtures();
    load_from(&root, &root.join(rel))
}

fn snapshot_value(rules: &[Rule]) -> serde_json::Value {
    let mut value = serde_json::to_value(rules).expect("rules serialize");
    if let Some(items) = value.as_array_mut() {
        for item in items {
            if let Some(map) = item.as_object_mut() {
                map.remove("body");
            }
        }
    }
    value
}

#[test]
fn rule_fixtures() {
    let root = fixtures();
    let mut seen = 0;
    insta::glob!("fixtures/rules/**/*.toml", |path| {
        seen += 1;
        let rules = load_from(&root, path);
        assert!(!rules.is_empty());
        for rule in &rules {
            assert!(rule.parsed(), "{}: {:?}", path.display(), rule.diagnostics);
        }
        insta::assert_yaml_snapshot!(snapshot_value(&rules));
    });
    assert!(seen >= 10, "found {seen} fixtures");
}

#[test]
fn error_fixtures() {
    let root = fixtures();
    let mut seen = 0;
    insta::glob!("fixtures/errors/*.toml", |path| {
        seen += 1;
        let rules = load_from(&root, path);
        assert_eq!(rules.len(), 1, "one rule even for a broken file");
        assert!(
            !rules[0].diagnostics.is_empty(),
            "{} should have diagnostics",
            path.display()
        );
        insta::assert_yaml_snapshot!(snapshot_value(&rules));
    });
    assert!(seen >= 8, "found {seen} fixtures");
}

#[test]
fn examples_load_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/elastic");
    let mut count = 0;
    for entry in std::fs::read_dir(&root).expect("examples folder").flatten() {
        let rules = load_from(&root, &entry.path());
        for rule in rules {
            count += 1;
            assert!(
                !rule
                    .diagnostics
                    .iter()
                    .any(|d| d.is_error() || d.severity == ruledex_ir::DiagnosticSeverity::Warning),
                "{}: {:?}",
                entry.path().display(),
                rule.diagnostics
            );
            assert!(!rule.attack.is_empty());
            assert!(rule.attack.iter().all(|a| a.name.is_some()));
        }
    }
    assert_eq!(count, 6);
}

fn codes_of(rule: &Rule) -> Vec<&str> {
    rule.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn malformed_toml_is_reported_with_its_place() {
    let rules = load("errors/malformed.toml");
    let d = &rules[0].diagnostics[0];
    assert_eq!(d.code, codes::MALFORMED_TOML);
    assert!(d.is_error());
    assert_eq!(d.line, Some(7), "{d:?}");
}

#[test]
fn missing_query_unknown_language_and_ml_job() {
    assert!(codes_of(&load("errors/missing_query.toml")[0]).contains(&codes::MISSING_QUERY));
    let unknown = &load("errors/unknown_language.toml")[0];
    assert!(codes_of(unknown).contains(&codes::UNKNOWN_LANGUAGE));
    assert!(unknown.query.is_none());
    assert_eq!(unknown.properties["query"], "SELECT * FROM logs");
    assert!(codes_of(&load("errors/ml_without_job.toml")[0]).contains(&codes::MISSING_ML_JOB));
    assert!(!load("errors/metadata_only.toml")[0].parsed());
}

#[test]
fn bad_threat_blocks_are_warnings_and_good_parts_are_kept() {
    let rule = &load("errors/bad_threat.toml")[0];
    let threat_warnings = rule
        .diagnostics
        .iter()
        .filter(|d| d.code == codes::BAD_THREAT)
        .count();
    assert!(threat_warnings >= 4, "{:?}", rule.diagnostics);
    assert!(rule.parsed(), "threat problems do not fail the rule");
    assert!(rule
        .attack
        .iter()
        .any(|a| a.name.as_deref() == Some("Tactic Without Id")));
}

#[test]
fn wrong_types_fall_back_and_warn() {
    let rule = &load("errors/wrong_types.toml")[0];
    let found = codes_of(rule);
    for code in [
        codes::WRONG_TYPE,
        codes::UNKNOWN_SEVERITY,
        codes::MISSING_FIELD,
    ] {
        assert!(found.contains(&code), "missing {code} in {found:?}");
    }
    assert_eq!(rule.id, "wrong_types");
    assert_eq!(rule.data_sources[0].name, "logs-*");
}

/// The notes of a rule's error diagnostics.
fn error_notes(rule: &Rule) -> Vec<&str> {
    rule.diagnostics
        .iter()
        .filter(|d| d.severity == ruledex_ir::DiagnosticSeverity::Error)
        .flat_map(|d| d.notes.iter().map(String::as_str))
        .collect()
}

#[test]
fn a_query_in_another_language_is_pointed_out() {
    let esql = &load("errors/esql_filed_as_kuery.toml")[0];
    assert!(!esql.parsed());
    let notes = error_notes(esql);
    assert_eq!(
        notes.iter().filter(|n| n.contains("reads as")).count(),
        1,
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("reads as ES|QL")),
        "{notes:?}"
    );

    let eql = &load("errors/eql_filed_as_kuery.toml")[0];
    assert!(!eql.parsed());
    assert!(
        error_notes(eql).iter().any(|n| n.contains("reads as EQL")),
        "{:?}",
        eql.diagnostics
    );
}

#[test]
fn a_plain_kuery_error_gets_no_language_hint() {
    for query in [
        "process.name:(a or",
        "process where (a == 1",
        "FROM logs-* | WHERE (",
    ] {
        let text = format!(
            "[metadata]\nmaturity = \"development\"\n\n[rule]\nname = \"x\"\nrule_id = \"x\"\nlanguage = \"kuery\"\ntype = \"query\"\nquery = '''\n{query}\n'''\n"
        );
        let file = SourceFile::standalone("rules/x.toml", &text);
        let rule = &ElasticFormat.load(&file)[0];
        assert!(!rule.parsed(), "{query}");
        assert!(
            !error_notes(rule).iter().any(|n| n.contains("reads as")),
            "{query}: {:?}",
            rule.diagnostics
        );
    }
}

#[test]
fn eql_errors_point_into_the_file() {
    let root = fixtures();
    let path = root.join("errors/eql_syntax_errors.toml");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let rule = &load("errors/eql_syntax_errors.toml")[0];
    let single_equals = rule
        .diagnostics
        .iter()
        .find(|d| d.code == "EQL102")
        .expect("`=` reported");
    let quoted = rule
        .diagnostics
        .iter()
        .find(|d| d.code == "EQL103")
        .expect("single quotes reported");
    let index = LineIndex::new(&text);
    let line = text
        .lines()
        .position(|l| l.contains("process.pid = 4"))
        .expect("line") as u32
        + 1;
    assert_eq!(single_equals.line, Some(line));
    assert_eq!(single_equals.column, Some(5));
    let at = single_equals.span.expect("span").start;
    assert_eq!(&text[at as usize..at as usize + 11], "process.pid");
    assert_eq!(index.line_col(&text, at).line, line);
    assert_eq!(quoted.line, Some(line));
    assert_eq!(rule.query.as_ref().map(|q| q.line), Some(line - 1));
}

#[test]
fn classes_languages_and_outputs() {
    let bb = &load("rules/new_terms_building_block.toml")[0];
    assert!(bb.has_class(RuleClass::BuildingBlock));
    assert_eq!(bb.language, Language::Kuery);
    let outputs: Vec<(&str, &str)> = bb
        .outputs
        .iter()
        .map(|o| (o.name.as_str(), o.source.as_str()))
        .collect();
    assert_eq!(
        outputs,
        [
            ("user.name", "new_terms"),
            ("source.geo.country_iso_code", "new_terms")
        ]
    );
    for key in [
        "risk_score",
        "required_fields",
        "related_integrations",
        "alert_suppression",
        "setup",
        "integration",
        "bypass_bbr_timing",
    ] {
        assert!(bb.properties.contains_key(key), "missing property {key}");
    }
    let techniques: Vec<_> = bb
        .attack
        .iter()
        .filter(|a| a.kind == AttackKind::Technique)
        .map(|a| (a.id.as_deref(), a.name.as_deref()))
        .collect();
    assert_eq!(
        techniques,
        [
            (Some("T1213"), Some("Data from Information Repositories")),
            (Some("T1213.003"), Some("Code Repositories"))
        ]
    );

    let deprecated = &load("rules/eql_language_list_basic_string.toml")[0];
    assert!(deprecated.has_class(RuleClass::Deprecated));
    assert_eq!(deprecated.language, Language::Eql);
    assert!(deprecated.parsed(), "{:?}", deprecated.diagnostics);
    assert_eq!(
        deprecated.indicators[0].values[0],
        "HKEY_USERS\\*\\Run\\*".into()
    );
    assert!(load("rules/_deprecated/single_line_query.toml")[0].has_class(RuleClass::Deprecated));

    let lucene = &load("rules/lucene_query.toml")[0];
    assert_eq!(
        lucene.query.as_ref().map(|q| q.language),
        Some(Language::Lucene)
    );
    assert_eq!(
        load("rules/no_language_defaults_to_kuery.toml")[0].language,
        Language::Kuery
    );

    let ml = &load_from(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/elastic"),
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/elastic/ml_unusual_login_hour.toml"),
    )[0];
    assert!(ml.query.is_none());
    let jobs: Vec<_> = ml
        .dependencies
        .iter()
        .filter(|d| d.kind == DependencyKind::MlJob)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(
        jobs,
        ["v3_linux_rare_login_hour", "v3_windows_rare_login_hour"]
    );
}

#[test]
fn datasets_and_sequence_window() {
    let rule = &load("rules/eql_dataset_filters.toml")[0];
    let datasets: Vec<(&str, &str)> = rule
        .data_sources
        .iter()
        .filter(|d| d.kind == DataSourceKind::Dataset)
        .map(|d| (d.name.as_str(), d.attributes["field"].as_str()))
        .collect();
    assert_eq!(
        datasets,
        [
            ("authentication", "event.category"),
            ("azure.signinlogs", "data_stream.dataset"),
            ("azure.auditlogs", "event.dataset"),
            ("azure.activitylogs", "event.dataset"),
        ]
    );
    assert_eq!(rule.schedule.window.as_deref(), Some("maxspan=1h"));
    let keys: Vec<_> = rule
        .outputs
        .iter()
        .map(|o| (o.name.as_str(), o.source.as_str()))
        .collect();
    assert_eq!(keys, [("user.id", "sequence")]);
}

#[test]
fn hunting_files_give_one_rule_per_query() {
    let rules = load("rules/hunting_esql_and_sql.toml");
    assert_eq!(
        rules.len(),
        2,
        "two ES|QL queries; the SQL one is a property"
    );
    for (i, rule) in rules.iter().enumerate() {
        assert!(rule.has_class(RuleClass::Hunting));
        assert_eq!(rule.language, Language::Esql);
        assert_eq!(rule.provenance.index, Some(i));
        assert_eq!(rule.properties["osquery"].as_array().map(Vec::len), Some(1));
    }
    assert!(codes_of(&rules[1]).contains(&codes::STRAY_SQL_LINE));
    assert!(rules[1]
        .query
        .as_ref()
        .is_some_and(|q| q.text.starts_with("from")));
    let eql = &load("rules/hunting_eql.toml")[0];
    assert_eq!(eql.language, Language::Eql);
    assert!(eql.parsed() && !eql.stages.is_empty());
    let sql_only = load("rules/hunting_sql_only.toml");
    assert_eq!(sql_only.len(), 1);
    assert!(sql_only[0].query.is_none());
}

#[test]
fn sniff_accepts_rules_and_hunts_only() {
    let yes = [
        ("r.toml", "[metadata]\n[rule]\nname = \"x\"\n"),
        ("h.toml", "[hunt]\nname = \"x\"\n"),
        ("t.toml", "[[rule.threat]]\nframework = \"x\"\n"),
    ];
    let no = [
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
        ("pyproject.toml", "[project]\nname = \"x\"\n[tool.rule]\n"),
        ("meta.toml", "[metadata]\nmaturity = \"production\"\n"),
        ("rule.yml", "[rule]\n"),
        ("empty.toml", ""),
    ];
    for (path, text) in yes {
        assert!(
            ElasticFormat.sniff(&SourceFile::standalone(path, text)),
            "{path}"
        );
    }
    for (path, text) in no {
        assert!(
            !ElasticFormat.sniff(&SourceFile::standalone(path, text)),
            "{path}"
        );
    }
}

/// The real corpus, when present next to the workspace: every file loads,
/// and every EQL rule parses. Skips cleanly without the corpus.
#[test]
fn corpus_smoke() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/elastic__detection-rules");
    let root = if root.is_dir() {
        root
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../../shared/corpus/elastic__detection-rules")
    };
    if !root.is_dir() {
        eprintln!("note: no corpus at ../shared/corpus; skipping");
        return;
    }
    let mut stack = vec![root.clone()];
    let (mut eql, mut eql_ok) = (0, 0);
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                for rule in load_from(&root, &path) {
                    if rule
                        .query
                        .as_ref()
                        .is_some_and(|q| q.language == Language::Eql)
                    {
                        eql += 1;
                        eql_ok += usize::from(rule.parsed());
                    }
                }
            }
        }
    }
    assert!(eql > 700);
    assert!(eql_ok * 1000 >= eql * 995, "EQL parse rate {eql_ok}/{eql}");
}

#[test]
fn threat_match_settings_are_grouped() {
    let rule = &load("rules/threat_match.toml")[0];
    let settings = &rule.properties["threat_match"];
    assert_eq!(settings["threat_index"][0], "logs-ti_*");
    assert_eq!(
        settings["threat_mapping"][0]["entries"][0]["field"],
        "file.hash.sha256"
    );
    assert!(!rule.properties.contains_key("threat_query"));
}

#[test]
fn endpoint_behaviour_rules_are_endpoint_eql_with_actions_and_os_list() {
    let rules = load("rules/endpoint/defense_evasion_protect_from_unbacked_memory.toml");
    let rule = &rules[0];
    assert!(rule.parsed(), "{:?}", rule.diagnostics);
    assert_eq!(rule.language, Language::Eql);
    assert_eq!(rule.kind.as_deref(), Some("endpoint"));
    assert_eq!(rule.id, "e1a0c0de-0002-4a10-8000-000000000002");
    assert_eq!(rule.properties["os_list"], serde_json::json!(["windows"]));
    assert_eq!(rule.properties["min_endpoint_version"], "8.10.0");
    assert_eq!(rule.properties["actions"][0]["action"], "kill_process");
    assert_eq!(rule.properties["optional_actions"][0]["action"], "rollback");
    assert_eq!(rule.references.len(), 2);
    // `$frame.symbol_info` reads the call stack's frames.
    assert!(rule
        .indicators
        .iter()
        .any(|i| i.field == "process.thread.Ext.call_stack.symbol_info"));
    let source = &rule.data_sources[0];
    assert_eq!(
        (source.kind, source.name.as_str()),
        (DataSourceKind::Index, "logs-endpoint.events.*")
    );
    assert_eq!(source.attributes["os_list"], "windows");
    // Top-level `[[threat]]` blocks, tactic and technique.
    assert!(rule
        .attack
        .iter()
        .any(|a| a.kind == AttackKind::Technique && a.id.as_deref() == Some("T1055")));
}

#[test]
fn a_rule_without_language_or_type_is_read_in_its_query_language() {
    let rules = load("rules/no_language_no_type_eql_query.toml");
    assert_eq!(rules[0].language, Language::Eql);
    assert!(rules[0].parsed());
    // With a `type`, the engine's default (kuery) applies, as before.
    let rules = load("rules/no_language_defaults_to_kuery.toml");
    assert_eq!(rules[0].language, Language::Kuery);
}
