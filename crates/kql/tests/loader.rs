//! The KQL file loaders on files written for these tests
//! (`tests/loader/`): Sentinel analytics rules and hunting queries,
//! Markdown collections, and every loader diagnostic with its position.

use ruledex_ir::{resolve_positions, Rule, RuleFormat, SourceFile};
use ruledex_kql::{MarkdownFormat, PlainFormat, SentinelFormat};
use std::path::Path;

fn load(name: &str) -> (String, Vec<Rule>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/loader")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let file = SourceFile::standalone(name, &text);
    let formats: [&dyn RuleFormat; 3] = [&SentinelFormat, &MarkdownFormat, &PlainFormat];
    let format = formats
        .iter()
        .find(|f| f.sniff(&file))
        .unwrap_or_else(|| panic!("{name} not recognized"));
    let mut rules = format.load(&file);
    resolve_positions(&mut rules, &text);
    (text, rules)
}

/// The rule without its body (the fixture itself) and query text, which
/// the snapshot would only repeat.
fn snapshot_of(rules: &[Rule]) -> Vec<Rule> {
    rules
        .iter()
        .cloned()
        .map(|mut r| {
            r.body.clear();
            if let Some(q) = &mut r.query {
                q.text.clear();
            }
            r
        })
        .collect()
}

#[test]
fn valid_files_load_to_the_expected_rules() {
    for name in ["analytics-rule.yaml", "hunting-query.yaml", "collection.md"] {
        let (_, rules) = load(name);
        for rule in &rules {
            assert!(
                rule.diagnostics.iter().all(|d| !d.is_error()),
                "{name}: {:?}",
                rule.diagnostics
            );
        }
        insta::assert_yaml_snapshot!(name, snapshot_of(&rules));
    }
}

#[test]
fn analytics_rule_metadata() {
    let (text, rules) = load("analytics-rule.yaml");
    let rule = &rules[0];
    // The first line of a block-scalar query maps into the file too.
    assert_eq!(rule.stages[0].span.slice(&text), "OfficeActivity");
    assert_eq!(rule.query.as_ref().map(|q| q.line), Some(26));
    assert_eq!(rule.title, "Mailbox forwarding rule to an external domain");
    assert_eq!(
        rule.description.as_deref(),
        Some("A user created an inbox rule that forwards mail outside the organization.")
    );
    assert_eq!(rule.schedule.trigger.as_deref(), Some("result count > 0"));
    assert_eq!(rule.custom_details["RuleCount"], "Rules");
    assert_eq!(
        rule.alert.as_ref().unwrap().title.as_deref(),
        Some("Forwarding rule by {{UserId}}")
    );
    assert!(rule
        .tags
        .contains(&"Schema: ASimAuditEvent, SchemaVersion: 0.1.0".to_string()));
    assert!(
        rule.classes.is_empty(),
        "a scheduled rule is not a hunting query"
    );
    let (_, rules) = load("hunting-query.yaml");
    assert_eq!(rules[0].kind.as_deref(), Some("Hunting"));
    assert!(rules[0].has_class(ruledex_ir::RuleClass::Hunting));
}

#[test]
fn a_fence_with_a_language_tag_closes_the_block_with_a_warning() {
    // CommonMark would keep the first block open past ```Kusto, so the
    // fence and the prose after it would end up in the query.
    let (text, rules) = load("tagged-fence.md");
    assert_eq!(rules.len(), 2);
    for rule in &rules {
        assert!(rule.parsed(), "{:?}", rule.diagnostics);
    }
    let first = &rules[0];
    assert!(first
        .query
        .as_ref()
        .unwrap()
        .text
        .ends_with("by UserPrincipalName\n"));
    let warning = &first.diagnostics[0];
    assert_eq!(warning.code, "KQL107");
    assert_eq!(warning.span.unwrap().slice(&text), "```Kusto");
    assert_eq!((warning.line, warning.column), (Some(11), Some(1)));
    assert!(rules[1].diagnostics.is_empty());
    assert_eq!(
        rules[1].stages[1].span.slice(&text),
        "| summarize dcount(Location) by UserPrincipalName"
    );
}

#[test]
fn markdown_blocks_and_notebook_queries_become_rules() {
    let (text, rules) = load("collection.md");
    let titles: Vec<&str> = rules.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Suspicious scheduled task activity: Task created from a temporary folder",
            "Suspicious scheduled task activity (query 2): Tasks that run encoded PowerShell",
            "Suspicious scheduled task activity (query 2): The same on the task scheduler's log",
        ]
    );
    // Stages point into the file, behind the fence.
    let stage = &rules[2].stages[1];
    assert_eq!(
        stage.span.slice(&text),
        "| where ActionType == \"ScheduledTaskCreated\""
    );
    // The notebook block warns once, on its first query.
    let warnings: Vec<&str> = rules
        .iter()
        .flat_map(|r| &r.diagnostics)
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(warnings, ["KQL106"]);
    let tactics: Vec<&str> = rules[0]
        .attack
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    assert_eq!(tactics, ["Persistence", "Execution"]);
    assert_eq!(rules[0].tags, ["state: Vulnerability"]);
    assert_eq!(rules[0].authors, ["ruledex authors"]);
}

/// Each loader diagnostic: code, severity, and where it points.
#[test]
fn loader_diagnostics_point_at_the_problem() {
    let cases = [
        ("broken-yaml.yaml", "KQL100", true, Some((6, 2))),
        ("empty-query.yaml", "KQL101", true, Some((4, 8))),
        ("empty-query.yaml", "KQL103", false, Some((3, 11))),
        ("no-id.yaml", "KQL104", false, None),
        ("no-name.yaml", "KQL105", false, None),
    ];
    for (name, code, error, at) in cases {
        let (_, rules) = load(name);
        let d = rules[0]
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{name}: no {code} in {:?}", rules[0].diagnostics));
        assert_eq!(d.is_error(), error, "{name} {code}");
        assert_eq!(d.line.zip(d.column), at, "{name} {code}: {}", d.message);
    }
    // A file that does not load still is a rule, with its body.
    let (text, rules) = load("broken-yaml.yaml");
    assert_eq!(rules[0].body, text);
    assert_eq!(rules[0].title, "broken-yaml");
}

/// Inputs the load fuzz target found (spans past the end of the file),
/// kept as regression tests: every span stays inside the file.
#[test]
fn fuzz_findings_stay_fixed() {
    let cases: [(&str, &dyn RuleFormat, &str); 3] = [
        ("rule.yaml", &SentinelFormat, "id: 1d2e3f40-0000-4000-8000-000000000003\nquery: |\n  126\n"),
        ("rule.yaml", &SentinelFormat, "na#me: A hunting query without an id\nquery: |\n   | whee ResultType ==$00252\n"),
        ("queries.md", &MarkdownFormat, "#me##icious scheduled task activity\n\nTwocessCommandLine has_any (@\"\\AppDataQLocal\\Temp\", @\"\\Windows\\Temp\")\n```\n\n## Query\ndouble-|-|-|\n| Pe\n| wher: FileName =~ \"schtasks.exe\"adPrno  cessCommandLine contains \"-enc\"\n\n// Th## Query\n\n```\n// Tasks that run encoded PowerShell\nDeviceProcessEvents\n| wher: FileName =~ \"schtasksf uemiAxh!"),
    ];
    for (path, format, text) in cases {
        let mut rules = format.load(&SourceFile::standalone(path, text));
        resolve_positions(&mut rules, text);
        for rule in &rules {
            let stages = rule
                .bindings
                .iter()
                .flat_map(|b| &b.stages)
                .chain(&rule.stages);
            for span in stages
                .map(|s| s.span)
                .chain(rule.diagnostics.iter().filter_map(|d| d.span))
            {
                assert!(
                    span.end as usize <= text.len(),
                    "{path}: {span:?} in {} bytes",
                    text.len()
                );
            }
        }
    }
}
