//! Plain Elastic query files (`.eql`, `.esql`, `.lucene`, `.kuery`) and
//! NDJSON rule exports: snapshots of the loaded rules, every error path
//! with its line and column, sniffing that takes nothing from other
//! formats, and robustness on truncated, mutated and deeply nested input.

use ruledex_elastic::ndjson::{self, NdjsonFormat};
use ruledex_elastic::plain::{self, PlainQueryFormat};
use ruledex_elastic::{codes, ElasticFormat};
use ruledex_ir::{
    AttackKind, DataSourceKind, Diagnostic, Language, Rule, RuleClass, RuleFormat, SourceFile,
};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Load a fixture with the format that sniffs it (exactly one must).
fn load_path(path: &Path) -> Vec<Rule> {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let name = path
        .strip_prefix(fixtures())
        .unwrap_or(path)
        .to_string_lossy();
    let file = SourceFile::standalone(&name, &text);
    let plain = PlainQueryFormat.sniff(&file);
    let ndjson = NdjsonFormat.sniff(&file);
    assert!(plain != ndjson, "{name}: exactly one format sniffs it");
    assert!(!ElasticFormat.sniff(&file), "{name}: not TOML");
    if plain {
        PlainQueryFormat.load(&file)
    } else {
        NdjsonFormat.load(&file)
    }
}

fn load(rel: &str) -> Vec<Rule> {
    load_path(&fixtures().join(rel))
}

/// The rules without their body (the fixture itself).
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

fn diagnostic<'a>(rule: &'a Rule, code: &str) -> &'a Diagnostic {
    rule.diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", rule.diagnostics))
}

fn at(d: &Diagnostic) -> (Option<u32>, Option<u32>) {
    (d.line, d.column)
}

#[test]
fn plain_query_fixtures() {
    let mut seen = 0;
    insta::glob!("fixtures/plain/*.*", |path| {
        seen += 1;
        let rules = load_path(path);
        assert_eq!(rules.len(), 1);
        assert!(
            rules[0].parsed(),
            "{}: {:?}",
            path.display(),
            rules[0].diagnostics
        );
        assert!(!rules[0].indicators.is_empty(), "{}", path.display());
        insta::assert_yaml_snapshot!(snapshot_value(&rules));
    });
    assert!(seen >= 5, "found {seen} fixtures");
}

#[test]
fn ndjson_fixtures() {
    let mut seen = 0;
    insta::glob!("fixtures/ndjson/*.ndjson", |path| {
        seen += 1;
        let rules = load_path(path);
        assert!(!rules.is_empty());
        for rule in &rules {
            assert!(rule.parsed(), "{}: {:?}", path.display(), rule.diagnostics);
        }
        insta::assert_yaml_snapshot!(snapshot_value(&rules));
    });
    assert!(seen >= 3, "found {seen} fixtures");
}

#[test]
fn error_fixtures() {
    let mut seen = 0;
    insta::glob!("fixtures/{plain-errors,ndjson-errors}/*.*", |path| {
        seen += 1;
        let rules = load_path(path);
        assert!(
            rules.iter().any(|r| !r.diagnostics.is_empty()),
            "{} should have diagnostics",
            path.display()
        );
        for rule in &rules {
            for d in &rule.diagnostics {
                assert!(d.line.is_some() && d.column.is_some(), "{d:?} has no place");
            }
        }
        insta::assert_yaml_snapshot!(snapshot_value(&rules));
    });
    assert!(seen >= 8, "found {seen} fixtures");
}

#[test]
fn the_extension_names_the_language() {
    let cases = [
        ("plain/shell_from_web_server.eql", Language::Eql),
        ("plain/certutil_download.lucene", Language::Lucene),
        ("plain/rare_rundll32_parent.esql", Language::Esql),
        ("plain/run_key_written.kuery", Language::Kuery),
    ];
    for (path, language) in cases {
        let rule = &load(path)[0];
        assert_eq!(rule.language, language, "{path}");
        assert_eq!(rule.query.as_ref().map(|q| q.language), Some(language));
        assert_eq!(rule.provenance.format, plain::FORMAT_NAME);
    }
}

#[test]
fn plain_queries_keep_their_place_in_the_file() {
    // The ES|QL fixture starts with a blank line: the query, its stages and
    // its indicators are where the file has them.
    let rule = &load("plain/rare_rundll32_parent.esql")[0];
    assert_eq!(rule.query.as_ref().map(|q| q.line), Some(2));
    let text = std::fs::read_to_string(fixtures().join("plain/rare_rundll32_parent.esql")).unwrap();
    let indicator = rule
        .indicators
        .iter()
        .find(|i| i.field == "process.name")
        .expect("process.name indicator");
    let span = indicator.span.expect("indicator span");
    assert!(span.slice(&text).contains("rundll32.exe"), "{span:?}");
    // The EQL sequence window becomes the rule's window, as in TOML rules.
    let sequence = &load("plain/logon_then_service.eql")[0];
    assert_eq!(sequence.schedule.window.as_deref(), Some("maxspan=2m"));
}

#[test]
fn plain_query_errors_point_at_line_and_column() {
    let empty = &load("plain-errors/empty.eql")[0];
    let d = diagnostic(empty, plain::codes::EMPTY_FILE);
    assert!(d.is_error());
    assert_eq!(at(d), (Some(1), Some(1)));
    assert!(empty.query.is_none());

    // The list is never closed: the error is at the end of line 3.
    let unclosed = &load("plain-errors/unclosed_list.eql")[0];
    let d = unclosed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.line, Some(3), "{d:?}");

    let lucene = &load("plain-errors/dangling_operator.lucene")[0];
    let d = lucene.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.line, Some(2), "{d:?}");

    let esql = &load("plain-errors/pipe_without_command.esql")[0];
    let d = esql.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.line, Some(3), "{d:?}");
}

#[test]
fn kibana_export_reads_every_rule_and_skips_the_summary() {
    let rules = load("ndjson/kibana_export.ndjson");
    assert_eq!(rules.len(), 2, "the export summary is not a rule");
    let eql = &rules[0];
    assert_eq!(eql.id, "5b0d4c1e-0001-4000-8000-00000000aa01");
    assert_eq!(eql.title, "Certutil fetching a remote file");
    assert_eq!(eql.language, Language::Eql);
    assert_eq!(eql.provenance.format, ndjson::FORMAT_NAME);
    assert_eq!(eql.provenance.index, Some(0));
    assert_eq!(eql.schedule.frequency.as_deref(), Some("5m"));
    assert_eq!(eql.properties["risk_score"], 73);
    let techniques: Vec<&str> = eql
        .attack
        .iter()
        .filter(|a| a.kind == AttackKind::Technique)
        .filter_map(|a| a.id.as_deref())
        .collect();
    assert_eq!(techniques, ["T1105", "T1218", "T1218.011"]);
    let indexes: Vec<&str> = eql
        .data_sources
        .iter()
        .filter(|d| d.kind == DataSourceKind::Index)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(indexes, ["logs-endpoint.events.process-*", "winlogbeat-*"]);
    // The query's second line is on line 1 of the file: NDJSON has one
    // line per rule, the query's line break is an escape.
    assert_eq!(eql.query.as_ref().map(|q| q.line), Some(1));

    let kuery = &rules[1];
    assert_eq!(kuery.language, Language::Kuery);
    assert!(kuery.has_class(RuleClass::BuildingBlock));
    assert_eq!(kuery.provenance.index, Some(1));
}

#[test]
fn escaped_query_values_are_decoded_and_located() {
    let text = std::fs::read_to_string(fixtures().join("ndjson/converter_output.ndjson")).unwrap();
    let rule = &load("ndjson/converter_output.ndjson")[0];
    let parent = rule
        .indicators
        .iter()
        .find(|i| i.field == "process.parent.executable.caseless")
        .expect("parent indicator");
    // Lucene's `\\` is one backslash; JSON doubled it again in the file.
    assert_eq!(parent.values[0], "\\keytool.exe".into(), "{parent:?}");
    let span = parent.span.expect("span");
    assert!(
        span.slice(&text)
            .starts_with("process.parent.executable.caseless:*\\\\\\\\keytool.exe"),
        "{:?}",
        span.slice(&text)
    );
}

#[test]
fn thresholds_and_new_terms_are_outputs() {
    let rules = load("ndjson/esql_and_thresholds.ndjson");
    assert_eq!(rules[0].language, Language::Esql);
    let outputs = |rule: &Rule| -> Vec<(String, String)> {
        rule.outputs
            .iter()
            .map(|o| (o.name.clone(), o.source.clone()))
            .collect()
    };
    assert!(outputs(&rules[1]).contains(&("source.ip".into(), "threshold".into())));
    assert!(outputs(&rules[2]).contains(&("process.parent.name".into(), "new_terms".into())));
}

#[test]
fn ndjson_errors_point_at_line_and_column() {
    let rules = load("ndjson-errors/malformed_line.ndjson");
    assert_eq!(rules.len(), 2, "the good line still loads");
    assert!(rules[0].parsed());
    let d = diagnostic(&rules[1], ndjson::codes::MALFORMED_LINE);
    let text =
        std::fs::read_to_string(fixtures().join("ndjson-errors/malformed_line.ndjson")).unwrap();
    let line2 = text.lines().nth(1).unwrap();
    let column = line2.find("\"type\"").unwrap() as u32 + 1;
    assert_eq!(at(d), (Some(2), Some(column)), "{d:?}");

    // An error in the query points into the JSON string, past its escapes.
    let rule = &load("ndjson-errors/query_syntax_error.ndjson")[0];
    let d = rule.diagnostics.iter().find(|d| d.is_error()).unwrap();
    let text = std::fs::read_to_string(fixtures().join("ndjson-errors/query_syntax_error.ndjson"))
        .unwrap();
    let span = d.span.expect("span");
    assert_eq!(span.slice(&text), "and", "{d:?}");
    assert_eq!(d.line, Some(1));

    let missing = &load("ndjson-errors/missing_query.ndjson")[0];
    assert!(diagnostic(missing, codes::MISSING_QUERY).is_error());
}

#[test]
fn wrong_types_are_warnings_on_the_value() {
    let rules = load("ndjson-errors/wrong_types.ndjson");
    let text =
        std::fs::read_to_string(fixtures().join("ndjson-errors/wrong_types.ndjson")).unwrap();
    let first = &rules[0];
    assert_eq!(first.id, "42", "a numeric id is written out");
    let severity = diagnostic(first, codes::UNKNOWN_SEVERITY);
    assert_eq!(severity.span.unwrap().slice(&text), "\"extreme\"");
    let wrong: Vec<&str> = first
        .diagnostics
        .iter()
        .filter(|d| d.code == codes::WRONG_TYPE)
        .map(|d| d.span.unwrap().slice(&text))
        .collect();
    assert_eq!(wrong, ["7", "{\"pattern\":\"logs-*\"}"]);
    assert!(diagnostic(first, codes::BAD_THREAT).span.is_some());
    assert!(first.parsed(), "wrong metadata does not stop the query");

    let unknown = &rules[1];
    assert!(diagnostic(unknown, codes::UNKNOWN_LANGUAGE).is_error());
    assert!(unknown.query.is_none());
    assert_eq!(unknown.properties["query"], "select * from logs");

    assert_eq!(
        diagnostic(&rules[2], codes::WRONG_TYPE)
            .span
            .unwrap()
            .slice(&text),
        "[\"user.name:admin\"]"
    );

    let threats: Vec<&str> = rules[3]
        .diagnostics
        .iter()
        .filter(|d| d.code == codes::BAD_THREAT)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(threats.len(), 3, "{threats:?}");
}

#[test]
fn sniffing_takes_no_other_format_s_files() {
    let sniffs = |path: &str, text: &str| {
        let file = SourceFile::standalone(path, text);
        (PlainQueryFormat.sniff(&file), NdjsonFormat.sniff(&file))
    };
    // Other formats' extensions, even with Elastic-looking content.
    for path in [
        "q.kql", "q.txt", "q.toml", "q.yml", "q.json", "q.md", "q.spl",
    ] {
        assert_eq!(sniffs(path, "process where true"), (false, false), "{path}");
    }
    // NDJSON that is not a rule export.
    assert_eq!(
        sniffs(
            "events.ndjson",
            "{\"@timestamp\":\"2024-01-01\",\"event\":{\"code\":\"4624\"}}\n"
        ),
        (false, false)
    );
    assert_eq!(sniffs("empty.ndjson", "\n\n"), (false, false));
    assert_eq!(
        sniffs(
            "rules.jsonl",
            "{\"query\":\"a:b\",\"language\":\"kuery\"}\n"
        ),
        (false, true)
    );
    assert_eq!(sniffs("Q.EQL", "any where true"), (true, false));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 20_000;
    for (path, query) in [
        (
            "deep.eql",
            format!("any where {}true{}", "(".repeat(depth), ")".repeat(depth)),
        ),
        (
            "deep.lucene",
            format!("{}a:b{}", "(".repeat(depth), ")".repeat(depth)),
        ),
        (
            "deep.kuery",
            format!("{}a:b{}", "(".repeat(depth), ")".repeat(depth)),
        ),
        (
            "deep.esql",
            format!("from x | where {}a{}", "(".repeat(depth), ")".repeat(depth)),
        ),
    ] {
        let file = SourceFile::standalone(path, &query);
        let rule = &PlainQueryFormat.load(&file)[0];
        assert!(!rule.parsed(), "{path} should be rejected");
    }
    let nested = format!(
        "{{\"rule_id\":\"x\",\"query\":\"a:b\",\"meta\":{}1{}}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let file = SourceFile::standalone("deep.ndjson", &nested);
    let rules = NdjsonFormat.load(&file);
    assert!(rules[0]
        .diagnostics
        .iter()
        .any(|d| d.code == ndjson::codes::MALFORMED_LINE));
}

/// Every diagnostic of every rule lies inside the file.
fn check_inside(path: &str, text: &str) {
    let file = SourceFile::standalone(path, text);
    for format in [&PlainQueryFormat as &dyn RuleFormat, &NdjsonFormat] {
        let _ = format.sniff(&file);
        for rule in format.load(&file) {
            for d in &rule.diagnostics {
                if let Some(span) = d.span {
                    assert!(span.end as usize <= text.len(), "{d:?} in {text:?}");
                }
            }
            for i in &rule.indicators {
                if let Some(span) = i.span {
                    assert!(span.end as usize <= text.len(), "{i:?} in {text:?}");
                }
            }
        }
    }
}

fn fixture_texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["plain", "plain-errors", "ndjson", "ndjson-errors"] {
        for entry in std::fs::read_dir(fixtures().join(dir))
            .expect("fixture dir")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push((
                name,
                std::fs::read_to_string(entry.path()).expect("readable"),
            ));
        }
    }
    out.sort();
    assert!(out.len() >= 16);
    out
}

#[test]
fn truncated_and_mutated_fixtures_stay_inside_the_file() {
    for (name, text) in fixture_texts() {
        let texts = vec![text];
        ruledex_testkit::each_truncation(&texts, |t| check_inside(&name, t));
        ruledex_testkit::each_mutation(
            &texts,
            &["\\", "\"", "\\u00e9", "\n", "{", "(", "|"],
            40,
            |t| check_inside(&name, t),
        );
    }
}
