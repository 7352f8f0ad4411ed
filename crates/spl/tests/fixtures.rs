//! Snapshot tests over the fixture folders.
//!
//! - `fixtures/valid/*.spl`: searches Splunk accepts, analyzed with the
//!   macro definitions of `fixtures/macros/*.yml`; none may report an
//!   error, and the lowered IR (with warnings) is snapshotted.
//! - `fixtures/invalid/*.spl`: searches with problems; a file named
//!   `SPLnnn_*.spl` must report code `SPLnnn`, every other one an error.
//!   The rendered diagnostics are snapshotted.

use ruledex_ir::{Diagnostic, LineIndex, OffsetMap, SourceFile};
use ruledex_spl::macros::Macros;
use ruledex_spl::{analyze_with, parse, Code, SplunkContext};
use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("fixture is readable")
}

/// The fixture macro definitions, read as a source's context is.
fn macros() -> Macros {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/macros");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("macro fixtures")
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (format!("macros/{name}"), read(&e.path()))
        })
        .collect();
    files.sort();
    let sources: Vec<SourceFile<'_>> = files
        .iter()
        .map(|(p, t)| SourceFile::standalone(p, t))
        .collect();
    let context = SplunkContext::from_files(&sources);
    assert!(context.macros.len() >= 10);
    context.macros
}

#[test]
fn valid_searches_lower_to_ir() {
    let macros = macros();
    let mut seen = 0;
    insta::glob!("fixtures/valid/*.spl", |path| {
        seen += 1;
        let text = read(path);
        let analysis = analyze_with(&text, &OffsetMap::identity(), Some(&macros));
        let errors: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        insta::assert_yaml_snapshot!(ruledex_testkit::snapshot_view(&text, &analysis));
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
            d.render("search.spl", text)
        })
        .collect()
}

#[test]
fn invalid_searches_report_their_problems() {
    let mut seen = 0;
    insta::glob!("fixtures/invalid/*.spl", |path| {
        seen += 1;
        let text = read(path);
        let analysis = analyze_with(&text, &OffsetMap::identity(), None);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match name.strip_prefix("SPL").map(|r| format!("SPL{}", &r[..3])) {
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
    assert!(seen >= 14, "expected the invalid fixtures, found {seen}");
}

/// Every search-level code is produced by some input, so none is dead.
/// (`SPL2xx` codes belong to the loaders: `tests/loader.rs`.)
#[test]
fn every_code_has_an_example() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut inputs: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .flatten()
        .map(|e| read(&e.path()))
        .collect();
    // Too deep to keep as a readable fixture.
    inputs.push(format!("a {}b{}", "(".repeat(100), ")".repeat(100)));
    let mut found = BTreeSet::new();
    for input in &inputs {
        for d in parse(input).diagnostics {
            found.insert(d.code.as_str());
        }
        for d in analyze_with(input, &OffsetMap::identity(), None).diagnostics {
            found.insert(match d.code.as_str() {
                "SPL102" => "SPL102",
                _ => continue,
            });
        }
    }
    // Macro recursion and arity need definitions.
    let mut m = Macros::new();
    m.insert(ruledex_spl::macros::MacroDef::new("a", &[], "x `a`"));
    m.insert(ruledex_spl::macros::MacroDef::new("b", &["x"], "y=$x$"));
    for d in analyze_with("`a` `b(1, 2)`", &OffsetMap::identity(), Some(&m)).diagnostics {
        found.insert(if d.code == "SPL103" {
            "SPL103"
        } else if d.code == "SPL104" {
            "SPL104"
        } else {
            continue;
        });
    }
    for code in Code::ALL.iter().filter(|c| !c.as_str().starts_with("SPL2")) {
        assert!(
            found.contains(code.as_str()),
            "no input reports {}",
            code.as_str()
        );
    }
}

#[test]
fn spans_point_into_the_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut queries: Vec<String> = std::fs::read_dir(dir)
        .expect("valid fixtures")
        .flatten()
        .map(|e| read(&e.path()))
        .collect();
    queries.sort();
    let macros = macros();
    let checked = ruledex_testkit::assert_spans_point_into_the_file(&queries, |q, map| {
        analyze_with(q, map, Some(&macros))
    });
    assert!(checked > 100, "only {checked} comparison spans checked");
}

#[test]
fn diagnostics_are_placed_in_an_indented_block() {
    let placed = ruledex_testkit::diagnostics_in_indented_block(
        "`sysmon`\n| where x=\n| stats count",
        |q, map| analyze_with(q, map, Some(&macros())),
    );
    assert!(
        placed.contains(&("SPL011".to_string(), 4, 14)),
        "{placed:?}"
    );
}
