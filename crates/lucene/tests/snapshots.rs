//! Snapshot tests: every fixture in `tests/fixtures/*.lucene` is analyzed
//! and its lowered [`Analysis`](ruledex_ir::Analysis) is snapshotted, with
//! the indicators it yields, so a change in lowering shows up as a diff.
//! Fixtures are valid queries written for these tests: none may produce an
//! error diagnostic.

use ruledex_ir::OffsetMap;

#[test]
fn fixtures_lower_to_the_snapshotted_analysis() {
    let mut seen = 0;
    insta::glob!("fixtures/*.lucene", |path| {
        let query = std::fs::read_to_string(path).expect("fixture is readable");
        let analysis = ruledex_lucene::analyze(&query, &OffsetMap::identity());
        let errors: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert!(!analysis.stages.is_empty(), "{}: no stage", path.display());
        insta::assert_yaml_snapshot!(ruledex_testkit::snapshot_view(&query, &analysis));
        seen += 1;
    });
    assert!(seen >= 8, "only {seen} fixtures found");
}
