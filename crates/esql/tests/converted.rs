//! `LIKE` patterns as Sigma converters write them: Windows paths with one
//! layer of escaping (`"*\\Windows\\*"`), which Elasticsearch rejects
//! (ESQ011). The lowering reads every backslash of such a pattern as the
//! literal backslash it was meant to be.

use ruledex_ir::{OffsetMap, Rule};

fn indicators(query: &str) -> Vec<String> {
    let mut rule = Rule::default();
    rule.absorb(ruledex_esql::analyze(query, &OffsetMap::identity()));
    rule.indicators
        .iter()
        .map(|i| {
            let values: Vec<String> = i.values.iter().map(|v| v.to_string()).collect();
            format!("{} {:?} {}", i.field, i.kind, values.join(","))
        })
        .collect()
}

#[test]
fn an_invalid_pattern_keeps_its_backslashes() {
    assert_eq!(
        indicators(
            r#"FROM * | WHERE registry.path LIKE "*\\HARDWARE\\{2DB80286-1784}*" or file.path LIKE "*\\Setup\\*""#
        ),
        [
            r#"registry.path Value(Contains) "\\HARDWARE\\{2DB80286-1784}""#,
            r#"file.path Value(Contains) "\\Setup\\""#,
        ]
    );
}

#[test]
fn a_valid_pattern_keeps_its_escapes() {
    assert_eq!(
        indicators(r#"FROM * | WHERE file.path LIKE "*\\\\Setup\\\\*" or a LIKE "x\\*""#),
        [
            r#"file.path Value(Contains) "\\Setup\\""#,
            r#"a Value(Eq) "x*""#,
        ]
    );
}
