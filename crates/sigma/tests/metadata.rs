//! Metadata that breaks the Sigma specification (as converted rule sets
//! write it: tags without a namespace, `references` as a string, ids that
//! are no UUIDs, levels and statuses of their own) does not stop a rule
//! from being understood: the rule parses and is catalogued with
//! specification warnings, and strict checking makes them errors. So do
//! Hayabusa's own rules: no `logsource`, and value mappings of their own.

use ruledex_ir::{Rule, RuleFormat, SourceFile};
use ruledex_sigma::SigmaFormat;
use std::path::Path;

fn load(name: &str) -> Vec<Rule> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/metadata")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    SigmaFormat.load(&SourceFile::standalone(name, &text))
}

/// (code, message) of every specification warning.
fn specification(rule: &Rule) -> Vec<(String, String)> {
    rule.diagnostics
        .iter()
        .filter(|d| d.specification)
        .map(|d| (d.code.clone(), d.message.clone()))
        .collect()
}

#[test]
fn metadata_problems_are_warnings_and_strict_makes_them_errors() {
    for (name, expected) in [
        (
            "sysmon_tag_and_string_reference.yml",
            vec![
                "the rule `id` must be a UUID",
                "tag `sysmon` must start with a namespace and a dot (`attack.t1059`)",
                "`falsepositives` must be a list, not a string",
                "`references` must be a list, not a string",
            ],
        ),
        (
            "rdp_tag_and_short_id.yml",
            vec![
                "the rule `id` must be a UUID",
                "tag `RDP` must start with a namespace and a dot (`attack.t1059`)",
                "tag `lateral_movement` must start with a namespace and a dot (`attack.t1059`)",
                "`author` must be a string, not a list",
            ],
        ),
        (
            "level_and_status_outside_the_spec.yml",
            vec![
                "`crit` is not a valid Sigma rule level",
                "`production` is not a valid Sigma rule status",
                "`derivedfrom` is not a valid related type (correlation, derived, merged, obsolete, renamed, similar)",
                "tag `LOLBAS` must start with a namespace and a dot (`attack.t1059`)",
                "rule date `2021-13-45x` is invalid, use yyyy-mm-dd",
                "`fields` must be a list, not a string",
                "`falsepositives` must be a list, not a string",
            ],
        ),
        (
            "hayabusa_channel_and_value_lists.yml",
            vec![
                "a Sigma rule must have a `logsource`",
                "`value:` is Hayabusa's, not Sigma's: read as the plain value",
                "`regexes:` is Hayabusa's, not Sigma's: the value matches one of the regular expressions listed in `./config/regex/suspicious_service_names.txt`, which the analysis does not read",
                "`min_length:` is Hayabusa's, not Sigma's: this condition is left out of the analysis",
                "`allowlist:` is Hayabusa's, not Sigma's: the value matches none of the regular expressions listed in `./config/regex/allowed_service_paths.txt`, which the analysis does not read",
                "`equalsfield` is Hayabusa's modifier, not Sigma's: read as `fieldref`",
            ],
        ),
    ] {
        let rules = load(name);
        let rule = &rules[0];
        assert!(rule.parsed(), "{name}: {:#?}", rule.diagnostics);
        assert!(!rule.indicators.is_empty(), "{name}: the detection is analyzed");
        let mut found: Vec<String> = specification(rule).into_iter().map(|(_, m)| m).collect();
        found.sort();
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        expected.sort();
        assert_eq!(found, expected, "{name}");
        assert!(rule.diagnostics.iter().all(|d| d.line.is_some()), "{name}: positions");
        // Strict checking: the same problems are errors.
        let mut strict = rule.clone();
        for d in &mut strict.diagnostics {
            d.enforce();
        }
        assert!(!strict.parsed(), "{name}");
    }
}

#[test]
fn the_catalogue_keeps_what_the_metadata_says() {
    let rule = &load("sysmon_tag_and_string_reference.yml")[0];
    assert_eq!(rule.id, "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b-1");
    assert_eq!(rule.references, ["https://example.org/notes/service-paths"]);
    assert!(rule.tags.iter().any(|t| t == "sysmon"));
    let rule = &load("rdp_tag_and_short_id.yml")[0];
    assert_eq!(rule.id, "rdp-public-logon-01");
    assert_eq!(rule.authors.len(), 2);
}

#[test]
fn hayabusa_value_lists_are_lookups_of_the_field() {
    let rule = &load("hayabusa_channel_and_value_lists.yml")[0];
    let shown: Vec<String> = rule
        .indicators
        .iter()
        .map(|i| {
            let source = i.values_from.as_ref().map_or("", |s| s.name.as_str());
            format!(
                "{} {} {:?} {source} excluded={}",
                i.field,
                i.kind.name(),
                i.values,
                i.exclusion
            )
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
    // No logsource: the channel its detection selects gives it.
    let sources: Vec<(&str, Option<&String>)> = rule
        .data_sources
        .iter()
        .map(|d| (d.name.as_str(), d.attributes.get("service")))
        .collect();
    assert_eq!(sources, [("windows/system", Some(&"system".to_string()))]);
}
