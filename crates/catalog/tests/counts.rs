//! Corpus counts on a small catalog of rules written for this test: every
//! indicator value's count of *other* rules, in total and per language, is
//! checked exactly.

use ruledex_catalog::{Catalog, Formats, SourceRoot};
use ruledex_ir::Language;
use std::collections::BTreeMap;

const SENTINEL_ENC: &str = r#"id: 11111111-0000-0000-0000-000000000001
name: Encoded PowerShell
description: Encoded commands.
severity: High
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics:
  - Execution
relevantTechniques:
  - T1059.001
query: |
  DeviceProcessEvents
  | where FileName in~ ("powershell.exe", "pwsh.exe")
  | where ProcessCommandLine contains "-enc"
kind: Scheduled
"#;

const KQL_CASE_SENSITIVE: &str = "DeviceProcessEvents\n| where ProcessCommandLine contains_cs \"-ENC\"\n| where FileName =~ \"POWERSHELL.EXE\"\n";

const SIGMA_ENC: &str = r#"title: Encoded PowerShell
id: 22222222-0000-0000-0000-000000000002
status: test
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\powershell.exe'
        CommandLine|contains: '-enc'
    condition: selection
level: high
"#;

const SIGMA_OTHER: &str = r#"title: Certutil download
id: 33333333-0000-0000-0000-000000000003
status: test
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        CommandLine|contains: '-urlcache'
    condition: selection
level: high
"#;

/// (file, field, kind, value) of one indicator value.
type ValueKey = (String, String, String, String);
/// The other rules sharing it: in total, and per language.
type Others = (usize, BTreeMap<Language, usize>);

/// Every indicator value of the catalog with its counts.
fn all_counts(catalog: &Catalog) -> BTreeMap<ValueKey, Others> {
    let mut out = BTreeMap::new();
    for (position, entry) in catalog.entries().iter().enumerate() {
        for (i, indicator) in entry.rule.indicators.iter().enumerate() {
            for (value, counts) in indicator
                .values
                .iter()
                .zip(catalog.indicator_counts(position, i))
            {
                let file = entry.rule.provenance.path.clone();
                out.insert(
                    (
                        file,
                        indicator.field.clone(),
                        indicator.kind.name(),
                        value.to_string(),
                    ),
                    (counts.total, counts.per_language),
                );
            }
        }
    }
    out
}

#[test]
fn every_count_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("enc.yaml"), SENTINEL_ENC).unwrap();
    std::fs::write(dir.path().join("case.kql"), KQL_CASE_SENSITIVE).unwrap();
    std::fs::write(dir.path().join("enc.yml"), SIGMA_ENC).unwrap();
    std::fs::write(dir.path().join("other.yml"), SIGMA_OTHER).unwrap();
    let formats = Formats::new()
        .with(ruledex_sigma::SigmaFormat)
        .with(ruledex_kql::SentinelFormat)
        .with(ruledex_kql::PlainFormat);
    let catalog = Catalog::build(&[SourceRoot::from_path(dir.path())], &formats, &|_| {});
    assert_eq!(catalog.entries().len(), 4);

    let counts = all_counts(&catalog);
    let get = |file: &str, field: &str, kind: &str, value: &str| {
        counts
            .get(&(
                file.to_string(),
                field.to_string(),
                kind.to_string(),
                value.to_string(),
            ))
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no indicator {file} {field} {kind} {value}; have {:#?}",
                    counts.keys()
                )
            })
    };
    let langs = |pairs: &[(Language, usize)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();

    // `contains "-enc"` (KQL, case-insensitive) and `CommandLine|contains`
    // (Sigma) are the same indicator: the field maps to process.command_line.
    assert_eq!(
        get("enc.yaml", "ProcessCommandLine", "contains", "\"-enc\""),
        (1, langs(&[(Language::Sigma, 1)]))
    );
    assert_eq!(
        get("enc.yml", "CommandLine", "contains", "\"-enc\""),
        (1, langs(&[(Language::Kql, 1)]))
    );
    // Case-sensitive "-ENC" is not "-enc".
    assert_eq!(
        get("case.kql", "ProcessCommandLine", "contains", "\"-ENC\""),
        (0, langs(&[]))
    );
    // `in~` is equality with each value, case-insensitive: "POWERSHELL.EXE"
    // (=~) matches "powershell.exe" of the in~ list.
    assert_eq!(
        get("enc.yaml", "FileName", "in", "\"powershell.exe\""),
        (1, langs(&[(Language::Kql, 1)]))
    );
    assert_eq!(
        get("case.kql", "FileName", "eq", "\"POWERSHELL.EXE\""),
        (1, langs(&[(Language::Kql, 1)]))
    );
    assert_eq!(
        get("enc.yaml", "FileName", "in", "\"pwsh.exe\""),
        (0, langs(&[]))
    );
    // A value only one rule has.
    assert_eq!(
        get("other.yml", "CommandLine", "contains", "\"-urlcache\""),
        (0, langs(&[]))
    );
    assert_eq!(
        get("enc.yml", "Image", "endswith", "\"\\\\powershell.exe\""),
        (0, langs(&[]))
    );
    // Every indicator value of every rule was checked above or is listed here.
    assert_eq!(counts.len(), 8, "{:#?}", counts.keys());
}
