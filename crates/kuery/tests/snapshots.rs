//! Snapshot tests: every fixture in `tests/fixtures/*.kuery` is analyzed
//! and its lowered [`Analysis`](ruledex_ir::Analysis) is snapshotted, with
//! the indicators it yields, so a change in lowering shows up as a diff.
//! Fixtures are valid queries written for these tests: none may produce an
//! error diagnostic.

use ruledex_ir::{collect_indicators, OffsetMap};

#[test]
fn fixtures_lower_to_the_snapshotted_analysis() {
    let mut seen = 0;
    insta::glob!("fixtures/*.kuery", |path| {
        let query = std::fs::read_to_string(path).expect("fixture is readable");
        let analysis = ruledex_kuery::analyze(&query, &OffsetMap::identity());
        let errors: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert!(!analysis.stages.is_empty(), "{}: no stage", path.display());
        let indicators: Vec<String> = collect_indicators(&[], &analysis.stages)
            .iter()
            .map(|i| {
                format!(
                    "{} {} {} case_sensitive={:?} negated={} exclusion={}{}",
                    i.field,
                    i.kind,
                    serde_json::to_string(&i.values).unwrap_or_default(),
                    i.case_sensitive,
                    i.negated,
                    i.exclusion,
                    i.derived
                        .as_ref()
                        .map(|d| format!(" derived_from={}", d.column))
                        .unwrap_or_default()
                )
            })
            .collect();
        let rendered: Vec<String> = analysis
            .stages
            .iter()
            .map(|s| {
                let predicate = s
                    .predicate
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                format!("{}: {predicate}", s.kind)
            })
            .collect();
        insta::assert_yaml_snapshot!(serde_json::json!({
            "query": query,
            "rendered": rendered,
            "indicators": indicators,
            "analysis": analysis,
        }));
        seen += 1;
    });
    assert!(seen >= 10, "only {seen} fixtures found");
}
