//! Every span in an analysis is a span of the FILE: embed each fixture in a
//! rule file, analyze it through an offset map, and check that the file
//! text under each span is what the analysis says it is.

#[test]
fn stage_and_comparison_spans_point_into_the_file() {
    let fixtures = ruledex_testkit::fixtures(env!("CARGO_MANIFEST_DIR"), "lucene", 8);
    let comparisons =
        ruledex_testkit::assert_spans_point_into_the_file(&fixtures, ruledex_lucene::analyze);
    assert!(comparisons > 20, "only {comparisons} comparisons checked");
}
