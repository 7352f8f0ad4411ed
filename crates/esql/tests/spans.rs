//! Every span in an analysis is a span of the FILE: embed each fixture in a
//! rule file, analyze it through an offset map, and check that the file
//! text under each span is what the analysis says it is.

use ruledex_ir::{OffsetMap, Predicate};

#[test]
fn stage_and_comparison_spans_point_into_the_file() {
    let fixtures = ruledex_testkit::fixtures(env!("CARGO_MANIFEST_DIR"), "esql", 9);
    let comparisons =
        ruledex_testkit::assert_spans_point_into_the_file(&fixtures, ruledex_esql::analyze);
    assert!(comparisons > 20, "only {comparisons} comparisons checked");
}

#[test]
fn spans_inside_kql_strings_map_through_escapes() {
    // The kuery query sits in an escaped string: `\"` takes two bytes in the
    // file but one in the decoded query, so offsets after it shift.
    let query = "FROM logs-*\n| WHERE KQL(\"user.name : \\\"a b\\\" and process.name : cmd.exe\")";
    let file = format!("query = '''\n{query}'''\n");
    let map = OffsetMap::shifted(12);
    let analysis = ruledex_esql::analyze(query, &map);
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );
    let mut texts = Vec::new();
    if let Some(predicate) = &analysis.stages[1].predicate {
        predicate.visit_leaves(|leaf, _| {
            if let Predicate::Compare(c) = leaf {
                texts.push(c.span.map(|s| s.slice(&file).to_string()));
            }
        });
    }
    assert_eq!(
        texts,
        [
            Some("user.name : \\\"a b\\\"".to_string()),
            Some("process.name : cmd.exe".to_string())
        ]
    );
}

#[test]
fn kuery_errors_inside_kql_strings_point_into_the_file() {
    let query = "FROM logs-*\n| WHERE KQL(\"\"\"user.name : (a or\"\"\")";
    let analysis = ruledex_esql::analyze(query, &OffsetMap::identity());
    let diagnostic = analysis
        .diagnostics
        .iter()
        .find(|d| d.code.starts_with("KUE"))
        .expect("the kuery error is reported");
    let span = diagnostic.span.expect("it has a place");
    assert!(
        query[span.start as usize..].starts_with('('),
        "{diagnostic:?}"
    );
}
