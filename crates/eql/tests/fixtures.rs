//! Snapshot tests over the fixture folders.
//!
//! - `fixtures/valid/*.eql`: queries Elasticsearch accepts; each must parse
//!   without diagnostics, and its lowered IR is snapshotted.
//! - `fixtures/invalid/*.eql`: queries it rejects; each must give at least
//!   one error, and the rendered diagnostics are snapshotted. A file named
//!   `EQLnnn_*.eql` must report code `EQLnnn`.

use ruledex_eql::{analyze, parse, Code};
use ruledex_ir::{Diagnostic, LineIndex, OffsetMap, Rule};
use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("fixture is readable")
}

#[test]
fn valid_queries_lower_to_ir() {
    let mut seen = 0;
    insta::glob!("fixtures/valid/*.eql", |path| {
        seen += 1;
        let text = read(path);
        let analysis = analyze(&text, &OffsetMap::identity());
        assert!(
            analysis.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            analysis.diagnostics
        );
        let mut rule = Rule::default();
        rule.absorb(analysis.clone());
        let predicates: Vec<String> = rule
            .stages
            .iter()
            .map(|s| match &s.predicate {
                Some(p) => format!("{} {}: {}", s.kind, s.name.as_deref().unwrap_or("-"), p),
                None => format!("{} {}", s.kind, s.name.as_deref().unwrap_or("-")),
            })
            .collect();
        insta::assert_yaml_snapshot!(serde_json::json!({
            "rendered": predicates,
            "indicators": rule.indicators,
            "outputs": analysis.outputs,
            "data_sources": analysis.data_sources,
            "stages": analysis.stages,
        }));
    });
    assert!(seen >= 20, "expected the valid fixtures, found {seen}");
}

fn rendered(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    diagnostics
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.resolve(text, &index);
            d.render("query.eql", text)
        })
        .collect()
}

#[test]
fn invalid_queries_report_their_errors() {
    let mut seen = 0;
    insta::glob!("fixtures/invalid/*.eql", |path| {
        seen += 1;
        let text = read(path);
        let analysis = analyze(&text, &OffsetMap::identity());
        assert!(
            analysis.diagnostics.iter().any(Diagnostic::is_error),
            "{} should not parse",
            path.display()
        );
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(code) = name.strip_prefix("EQL").map(|r| format!("EQL{}", &r[..3])) {
            assert!(
                analysis.diagnostics.iter().any(|d| d.code == code),
                "{name} should report {code}: {:?}",
                analysis.diagnostics
            );
        }
        insta::assert_snapshot!(rendered(&text, &analysis.diagnostics));
    });
    assert!(seen >= 20, "expected the invalid fixtures, found {seen}");
}

/// Every diagnostic code is produced by some input, so none is dead and the
/// fixtures cannot silently stop covering one.
#[test]
fn every_code_has_an_example() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut inputs: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .flatten()
        .map(|e| read(&e.path()))
        .collect();
    // Too deep to keep as a readable fixture.
    inputs.push(format!(
        "process where {}a == 1{}",
        "(".repeat(200),
        ")".repeat(200)
    ));
    let mut found = BTreeSet::new();
    for input in &inputs {
        for d in parse(input).diagnostics {
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

#[test]
fn recovery_reports_every_problem() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let text = read(&dir.join("many_errors_recovered.eql"));
    let codes: Vec<&str> = parse(&text)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    for expected in ["EQL102", "EQL103", "EQL005", "EQL104", "EQL110", "EQL109"] {
        assert!(codes.contains(&expected), "missing {expected} in {codes:?}");
    }
}

#[test]
fn spans_map_into_the_file() {
    // The query as if cut out of a TOML file at offset 100.
    let text = "process where process.pid = 4";
    let analysis = analyze(text, &OffsetMap::shifted(100));
    let d = &analysis.diagnostics[0];
    assert_eq!(d.code, "EQL102");
    let span = d.span.expect("placed");
    assert_eq!(span.start, 100 + text.find("process.pid").unwrap() as u32);
    assert_eq!(analysis.stages[0].span.start, 100);
}
