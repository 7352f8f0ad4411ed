//! The endpoint dialect (Elastic Defend's behaviour rules): array searches
//! with `$variables`, step aliases (`[...] as event0`, read back as
//! `event0.field`) and field-to-field comparisons, checked and lowered;
//! everything else as in Elasticsearch's EQL.

use ruledex_eql::{analyze_dialect, parse, parse_dialect, Code, Dialect};
use ruledex_ir::{OffsetMap, Predicate, Rule};

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

/// A sequence whose later steps read fields of earlier ones through step
/// aliases, as behaviour rules do.
const ALIASED_STEPS: &str = r#"sequence by host.id with maxspan=30s
  [file where event.action == "creation" and file.extension == "so"] as dropped
  [library where startswith~(dll.path, dropped.file.path)] as loaded
  [network where process.pid != loaded.process.pid and not destination.port == 443]"#;

#[test]
fn step_aliases_are_endpoint_eql_only() {
    assert!(parse_dialect(ALIASED_STEPS, Dialect::Endpoint).is_valid());
    let siem = parse(ALIASED_STEPS);
    let codes: Vec<_> = siem.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::BadSubqueries,
            Code::BadSubqueries,
            Code::FieldComparison
        ]
    );
}

#[test]
fn a_step_alias_is_taken_once_and_only_on_sequence_steps() {
    let twice = r#"sequence with maxspan=1m
  [process where true] as first
  [file where true] as first"#;
    let parsed = parse_dialect(twice, Dialect::Endpoint);
    let messages: Vec<_> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [(
            Code::BadSubqueries,
            "the step alias `first` is already taken"
        )]
    );
    let on_until = r#"sequence by user.id
  [process where true] as a
  [file where true]
  until [process where event.type == "end"] as b"#;
    let parsed = parse_dialect(on_until, Dialect::Endpoint);
    assert_eq!(
        parsed
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>(),
        ["step aliases (`as name`) are only allowed on sequence steps"]
    );
}

#[test]
fn fields_compare_with_fields_in_endpoint_eql() {
    let query = r#"process where process.name == process.parent.name and process.pid != process.parent.pid"#;
    assert!(parse_dialect(query, Dialect::Endpoint).is_valid());
    assert!(!parse(query).is_valid());
}

#[test]
fn an_aliased_field_lowers_to_the_field_of_the_earlier_event() {
    let analysis = analyze_dialect(ALIASED_STEPS, &OffsetMap::identity(), Dialect::Endpoint);
    let mut compare = Vec::new();
    for predicate in analysis.stages.iter().filter_map(|s| s.predicate.as_ref()) {
        predicate.visit_leaves(|leaf, _| {
            if let Predicate::FieldCompare(c) = leaf {
                compare.push((
                    c.left.name.clone(),
                    c.right.name.clone(),
                    c.right.derived.as_ref().map(|d| d.column.clone()),
                ));
            }
        });
    }
    let field = |left: &str, right: &str, written: &str| {
        (
            left.to_string(),
            right.to_string(),
            Some(written.to_string()),
        )
    };
    assert_eq!(
        compare,
        [
            field("dll.path", "file.path", "dropped.file.path"),
            field("process.pid", "process.pid", "loaded.process.pid"),
        ]
    );
}
