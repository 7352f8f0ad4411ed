//! Every span in an analysis is a span of the FILE: embed each fixture in a
//! rule file, analyze it through an [`OffsetMap`], and check that the file
//! text under each span is what the analysis says it is.

use ruledex_ir::{OffsetMap, Predicate};

fn fixtures() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    out
}

#[test]
fn stage_and_comparison_spans_point_into_the_file() {
    let mut comparisons = 0;
    for query in fixtures() {
        let file = format!("[rule]\nname = \"x\"\nquery = '''\n{query}'''\n");
        let base = file.find("'''\n").map_or(0, |i| i + 4);
        let map = OffsetMap::shifted(base as u32);
        let analysis = ruledex_lucene::analyze(&query, &map);
        for stage in &analysis.stages {
            assert_eq!(stage.span.slice(&file), stage.text, "{query}");
            let Some(predicate) = &stage.predicate else {
                continue;
            };
            predicate.visit_leaves(|leaf, _| {
                let span = match leaf {
                    Predicate::Compare(c) => c.span,
                    Predicate::FieldCompare(c) => c.span,
                    _ => None,
                };
                if let Some(span) = span {
                    comparisons += 1;
                    assert!(
                        span.start >= base as u32,
                        "{query}: {span} before the query"
                    );
                    let text = span.slice(&file);
                    assert!(!text.trim().is_empty(), "{query}: empty text at {span}");
                    assert!(
                        stage.text.contains(text) || query.contains(text),
                        "{query}: {text:?} is not in the query"
                    );
                }
            });
        }
    }
    assert!(comparisons > 20, "only {comparisons} comparisons checked");
}
