//! Loading the fixture dictionary (written for these tests, in the OSSEM
//! layout) and mapping rules to its events.

use ruledex_events::{Dictionary, EventMapper, MatchReason, RuleSignals};
use std::path::Path;

fn fixture() -> Dictionary {
    Dictionary::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dd")).unwrap()
}

fn event(d: &Dictionary, provider: &str, id: &str) -> usize {
    d.find(provider, id)[0]
}

#[test]
fn loads_providers_events_and_merges_versions() {
    let d = fixture();
    let slugs: Vec<&str> = d.providers.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "azure",
            "broken",
            "microsoft-windows-security-auditing",
            "windows-microsoftdefenderforendpoint",
            "windows-sysmon"
        ]
    );
    let e = &d.events[event(&d, "Microsoft-Windows-Security-Auditing", "4688")];
    assert_eq!(e.versions, ["0", "1"]);
    let names: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "SubjectUserName",
            "NewProcessName",
            "CommandLine",
            "ParentProcessName"
        ]
    );
    assert_eq!(e.fields[2].versions, ["1"]);
    assert!(e.fields[0].versions.is_empty());
    // `TBD` standard names and empty descriptions read as absent.
    let sysmon = &d.events[event(&d, "Microsoft-Windows-Sysmon", "1")];
    assert_eq!(
        sysmon.fields[0].standard_name.as_deref(),
        Some("ProcessImage")
    );
    assert_eq!(sysmon.fields[1].standard_name, None);
    assert_eq!(sysmon.fields[3].description, "");
    // Sysmon events in numeric order.
    let ids: Vec<&str> = d.providers[4]
        .events
        .iter()
        .map(|&e| d.events[e].id.as_str())
        .collect();
    assert_eq!(ids, ["1", "10"]);
    assert_eq!(
        d.label(event(&d, "Microsoft-Windows-Security-Auditing", "4688")),
        "Microsoft-Windows-Security-Auditing 4688"
    );
}

#[test]
fn irregular_files_are_diagnostics() {
    let d = fixture();
    let lines: Vec<String> = d.diagnostics.iter().map(|d| d.to_string()).collect();
    insta::assert_snapshot!(lines.join("\n"));
    // The broken provider still has the events that could be read.
    let (_, broken) = d.provider("broken").unwrap();
    let ids: Vec<&str> = broken
        .events
        .iter()
        .map(|&e| d.events[e].id.as_str())
        .collect();
    assert_eq!(ids, ["6", "7"]);
}

#[test]
fn rules_map_by_table_event_id_and_log_source() {
    let d = fixture();
    let (mapper, report) = EventMapper::new(&d);
    assert!(report
        .unknown_events
        .iter()
        .any(|e| e == "Microsoft-Windows-Sysmon:3"));
    let process = vec!["windows.process_creation".to_string()];
    // A Sigma process_creation rule: Sysmon 1, Security 4688, Defender.
    let found = mapper.match_rule(&RuleSignals {
        logsources: &process,
        ..RuleSignals::default()
    });
    let labels: Vec<String> = found.iter().map(|m| d.label(m.event)).collect();
    assert_eq!(
        labels,
        [
            "Microsoft-Windows-Sysmon 1 Process creation",
            "Microsoft-Windows-Security-Auditing 4688",
            "Microsoft Defender for Endpoint DeviceProcessEvents",
        ]
    );
    // `SecurityEvent | where EventID == 4688`: Security 4688 only.
    let found = mapper.match_rule(&RuleSignals {
        logsources: &process,
        provider: Some("security"),
        event_ids: vec!["4688".into()],
        tables: vec!["SecurityEvent"],
    });
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].event,
        event(&d, "Microsoft-Windows-Security-Auditing", "4688")
    );
    assert!(matches!(found[0].reason, MatchReason::EventId { .. }));
    // A channel the provider table does not list, named as it is.
    let found = mapper.match_rule(&RuleSignals {
        provider: Some("microsoft-windows-security-auditing/operational"),
        event_ids: vec!["4625".into()],
        ..RuleSignals::default()
    });
    assert_eq!(
        found[0].event,
        event(&d, "Microsoft-Windows-Security-Auditing", "4625")
    );
    // A Defender table, a Sentinel table.
    let found = mapper.match_rule(&RuleSignals {
        logsources: &process,
        tables: vec!["DeviceProcessEvents"],
        ..RuleSignals::default()
    });
    assert_eq!(found.len(), 1);
    let signin = mapper.match_rule(&RuleSignals {
        tables: vec!["SigninLogs"],
        ..RuleSignals::default()
    });
    assert_eq!(d.events[signin[0].event].id, "signinlogs");
}

#[test]
fn fields_map_through_the_field_table() {
    let d = fixture();
    let (mapper, _) = EventMapper::new(&d);
    let sysmon = event(&d, "Microsoft-Windows-Sysmon", "1");
    let security = event(&d, "Microsoft-Windows-Security-Auditing", "4688");
    let defender = event(&d, "Microsoft Defender for Endpoint", "DeviceProcessEvents");
    // Sigma `CommandLine` counts on every process-creation event.
    assert_eq!(
        mapper.field_of(sysmon, "process.command_line", "CommandLine"),
        Some(1)
    );
    assert_eq!(
        mapper.field_of(security, "process.command_line", "CommandLine"),
        Some(2)
    );
    assert_eq!(
        mapper.field_of(defender, "process.command_line", "CommandLine"),
        Some(1)
    );
    // ECS names by their last segment when unmapped.
    assert_eq!(
        mapper.field_of(sysmon, "x", "winlog.event_data.IntegrityLevel"),
        Some(3)
    );
    let signin = event(&d, "signinlogs", "signinlogs");
    assert_eq!(
        mapper.field_of(signin, "azure.signin:HomeTenantId", "HomeTenantId"),
        Some(2)
    );
    assert_eq!(mapper.field_of(signin, "nothing", "Nothing"), None);
}

#[test]
fn a_missing_folder_is_an_error() {
    assert!(Dictionary::load(Path::new("/nonexistent/ruledex-events")).is_err());
}

#[test]
fn provider_slugs_stay_unique_when_a_folder_looks_numbered() {
    let event = "event_id: 1\nlog_source: P\n";
    let d = Dictionary::from_texts([
        ("x-a/events/event-1.yml", event),
        ("x-a-2/events/event-1.yml", event),
        ("x/a/events/event-1.yml", event),
    ]);
    let mut slugs: Vec<&str> = d.providers.iter().map(|p| p.slug.as_str()).collect();
    slugs.sort_unstable();
    assert_eq!(slugs, ["x-a", "x-a-2", "x-a-3"]);
    for (i, e) in d.events.iter().enumerate() {
        let provider = &d.providers[e.provider];
        assert_eq!(d.event_by_slug(&provider.slug, &e.slug), Some(i));
    }
}
