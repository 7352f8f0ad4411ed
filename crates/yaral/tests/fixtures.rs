//! Snapshot tests over the fixture folders.
//!
//! - `fixtures/valid/*.yaral`: rules Chronicle accepts; none may report an
//!   error, and the lowered IR of each rule (through the loader, with its
//!   metadata) is snapshotted.
//! - `fixtures/invalid/*.yaral`: rules with problems; a file named
//!   `YRLnnn_*.yaral` must report code `YRLnnn`, every other one an
//!   error. The rendered diagnostics are snapshotted.

use ruledex_ir::{Diagnostic, LineIndex, OffsetMap, RuleFormat, SourceFile};
use ruledex_yaral::{analyze, parse, Code, YaralFormat};
use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("fixture is readable")
}

#[test]
fn valid_rules_lower_to_ir() {
    let mut seen = 0;
    insta::glob!("fixtures/valid/*.yaral", |path| {
        seen += 1;
        let text = read(path);
        let analysis = analyze(&text, &OffsetMap::identity());
        let errors: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        insta::assert_yaml_snapshot!(ruledex_testkit::snapshot_view(&text, &analysis));
    });
    assert!(seen >= 9, "expected the valid fixtures, found {seen}");
}

/// The loader's view: metadata, schedule, outputs, indicators.
#[test]
fn valid_rules_load_with_metadata() {
    insta::glob!("fixtures/valid/*.yaral", |path| {
        let text = read(path);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let rules = YaralFormat.load(&SourceFile::standalone(name, &text));
        let view: Vec<serde_json::Value> = rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "title": r.title,
                    "kind": r.kind,
                    "description": r.description,
                    "severity": r.severity,
                    "authors": r.authors,
                    "references": r.references,
                    "version": r.version,
                    "attack": r.attack,
                    "schedule": r.schedule,
                    "properties": r.properties,
                    "outputs": r.outputs.iter().map(|o| format!("{} ({})", o.name, o.source)).collect::<Vec<_>>(),
                    "data_sources": r.data_sources,
                    "dependencies": r.dependencies,
                    "indicators": r.indicators.len(),
                    "diagnostics": r.diagnostics.iter().map(|d| d.headline(name)).collect::<Vec<_>>(),
                })
            })
            .collect();
        insta::assert_yaml_snapshot!(view);
    });
}

fn rendered(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    diagnostics
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.resolve(text, &index);
            d.render("rule.yaral", text)
        })
        .collect()
}

#[test]
fn invalid_rules_report_their_problems() {
    let mut seen = 0;
    insta::glob!("fixtures/invalid/*.yaral", |path| {
        seen += 1;
        let text = read(path);
        let analysis = analyze(&text, &OffsetMap::identity());
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match name.strip_prefix("YRL").map(|r| format!("YRL{}", &r[..3])) {
            Some(code) => assert!(
                analysis.diagnostics.iter().any(|d| d.code == code),
                "{name} should report {code}: {:?}",
                analysis.diagnostics
            ),
            None => assert!(
                analysis.diagnostics.iter().any(Diagnostic::is_error),
                "{name} should not parse"
            ),
        }
        insta::assert_snapshot!(rendered(&text, &analysis.diagnostics));
    });
    assert!(seen >= 17, "expected the invalid fixtures, found {seen}");
}

/// Every code is produced by some fixture, so none is dead.
#[test]
fn every_code_has_an_example() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("fixture folder").flatten() {
        for d in parse(&read(&entry.path())).diagnostics {
            found.insert(d.code.as_str());
        }
    }
    for code in Code::ALL {
        assert!(
            found.contains(code.as_str()),
            "no input reports {}",
            code.as_str()
        );
    }
}

/// Syntax YARA-L does not have is an error at its own line and column.
#[test]
fn foreign_syntax_is_placed_exactly() {
    let cases = [
        ("rule r {\n events:\n  $h := $e.principal.hostname\n condition:\n  $e\n}", "YRL006", 3, 6),
        ("rule r {\n events:\n  $e.principal?.hostname = \"a\"\n condition:\n  $e\n}", "YRL006", 3, 15),
        ("rule r {\n events:\n  $e.metadata.event_type = \"A\"\n  foo.bar($e.principal.hostname) = \"a\"\n condition:\n  $e\n}", "YRL012", 4, 3),
        ("rule r {\n events:\n  $e.x == 1\n condition:\n  $e\n}", "YRL006", 3, 8),
    ];
    for (text, code, line, column) in cases {
        let rules = YaralFormat.load(&SourceFile::standalone("r.yaral", text));
        let d = rules[0]
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{text}: no {code}: {:?}", rules[0].diagnostics));
        assert!(d.is_error());
        assert_eq!((d.line, d.column), (Some(line), Some(column)), "{text}");
        assert!(!rules[0].parsed());
    }
}

#[test]
fn spans_point_into_the_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut valid: Vec<String> = std::fs::read_dir(dir)
        .expect("valid fixtures")
        .flatten()
        .map(|e| read(&e.path()))
        .collect();
    valid.sort();
    let checked = ruledex_testkit::assert_spans_point_into_the_file(&valid, analyze);
    assert!(checked > 50, "only {checked} comparison spans checked");
}

#[test]
fn diagnostics_are_placed_in_an_indented_block() {
    let placed = ruledex_testkit::diagnostics_in_indented_block(
        "rule r {\n  events:\n    $e.x := 1\n  condition:\n    $e\n}",
        analyze,
    );
    assert!(
        placed.contains(&("YRL006".to_string(), 5, 14)),
        "{placed:?}"
    );
}

/// The rules shipped in `examples/chronicle` load without a diagnostic.
#[test]
fn shipped_examples_load_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/chronicle");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("examples/chronicle")
        .flatten()
    {
        let text = read(&entry.path());
        let name = entry.file_name().to_string_lossy().into_owned();
        for rule in YaralFormat.load(&SourceFile::standalone(&name, &text)) {
            seen += 1;
            assert!(
                rule.diagnostics.is_empty(),
                "{name}: {:?}",
                rule.diagnostics
            );
            assert!(!rule.indicators.is_empty(), "{name}");
        }
    }
    assert!(seen >= 3);
}

/// A byte-order mark and Windows line endings are white space.
#[test]
fn bom_and_crlf_are_white_space() {
    let text = "\u{feff}rule r {\r\n  events:\r\n    $e.metadata.event_type = \"USER_LOGIN\"\r\n  condition:\r\n    $e\r\n}\r\n";
    let parsed = parse(text);
    assert!(parsed.is_valid(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.file.rules[0].name, "r");
}
