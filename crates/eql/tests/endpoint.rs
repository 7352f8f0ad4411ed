//! The endpoint dialect (Elastic Defend's behaviour rules): array searches
//! with `$variables`, checked and lowered; everything else as in
//! Elasticsearch's EQL.

use ruledex_eql::{analyze_dialect, parse, parse_dialect, Code, Dialect};
use ruledex_ir::{OffsetMap, Rule};

const ARRAY_SEARCH: &str = r#"api where process.Ext.api.name : "VirtualAlloc" and
  _arraysearch(process.thread.Ext.call_stack, $f, $f.symbol_info : "*Unbacked*" and $f.protection == "RWX")"#;

#[test]
fn array_searches_are_endpoint_eql_only() {
    assert!(parse_dialect(ARRAY_SEARCH, Dialect::Endpoint).is_valid());
    let siem = parse(ARRAY_SEARCH);
    assert!(siem.diagnostics.iter().all(|d| d.code == Code::Variable));
    assert!(!siem.is_valid());
}

#[test]
fn a_variable_must_be_bound_by_its_array_search() {
    let query = r#"api where _arraysearch(process.thread.Ext.call_stack, $f, true) and $g.x == 1"#;
    let parsed = parse_dialect(query, Dialect::Endpoint);
    let codes: Vec<_> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(
            Code::Variable,
            "`$g.x`: no `_arraysearch(array, $g, ...)` binds this variable"
        )]
    );
    // The variable is bound inside the condition only.
    let outside = r#"api where _arraysearch(a.b, $f, $f.c == 1) and $f.c == 2"#;
    assert!(!parse_dialect(outside, Dialect::Endpoint).is_valid());
}

#[test]
fn an_array_search_takes_an_array_a_variable_and_a_condition() {
    for query in [
        "api where _arraysearch(a.b, $f)",
        r#"api where _arraysearch(a.b, c, c == 1)"#,
    ] {
        let parsed = parse_dialect(query, Dialect::Endpoint);
        assert!(
            parsed
                .diagnostics
                .iter()
                .any(|d| d.code == Code::BadArguments),
            "{query}: {:?}",
            parsed.diagnostics
        );
    }
}

#[test]
fn element_fields_lower_to_the_array_field() {
    let mut rule = Rule::default();
    rule.absorb(analyze_dialect(
        ARRAY_SEARCH,
        &OffsetMap::identity(),
        Dialect::Endpoint,
    ));
    let fields: Vec<_> = rule
        .indicators
        .iter()
        .map(|i| (i.field.as_str(), i.kind.name()))
        .collect();
    assert_eq!(
        fields,
        [
            ("process.Ext.api.name", "eq".to_string()),
            (
                "process.thread.Ext.call_stack.symbol_info",
                "contains".to_string()
            ),
            ("process.thread.Ext.call_stack.protection", "eq".to_string()),
        ]
    );
}
