//! Fuzz the event-dictionary loader: any set of event files loads without
//! panicking, every diagnostic names one of the files and points inside
//! it, and the assembled dictionary is consistent (indexes in range, every
//! event reachable by its provider and event slugs).
//!
//! The input is one or more files separated by NUL bytes; the first byte
//! of each picks its path (version merging, ETW providers, platform
//! folders, osquery, a file outside an `events/` folder), the rest is its
//! text, read as the folder loader reads a file (lossy UTF-8).
//!
//! Run: `cd crates/events && cargo +nightly fuzz run load <corpus-dir>`
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_events::{Dictionary, EventMapper, RuleSignals};

const PATHS: &[&str] = &[
    "windows/sysmon/events/event-1.yml",
    "windows/sysmon/events/event-1_v1.yml",
    "windows/etw-providers/Microsoft-Windows-Security-Auditing/events/event-4688.yml",
    "windows/etw-providers/Microsoft-Windows-Security-Auditing/events/event-4688_v1.yml",
    "windows/microsoftdefenderforendpoint/events/DeviceProcessEvents_v0.yml",
    "azure/events/signinlogs.yml",
    "linux/osquery/events/processes.yaml",
    "windows-sysmon/events/event-1.yml",
    "windows-sysmon-2/events/event-1.yml",
    "loose.yml",
];

fuzz_target!(|data: &[u8]| {
    let mut files: Vec<(String, String)> = Vec::new();
    for (n, chunk) in data.split(|&b| b == 0).enumerate().take(16) {
        let Some((&which, rest)) = chunk.split_first() else {
            continue;
        };
        let mut path = PATHS[which as usize % PATHS.len()].to_string();
        // Paths are unique, as in a folder; a high first byte also gives a
        // file of its own in the same folder (duplicates of one version).
        if which as usize >= PATHS.len() * 16 || files.iter().any(|(p, _)| *p == path) {
            path = path.replace(".y", &format!("-{n}.y"));
        }
        files.push((path, String::from_utf8_lossy(rest).into_owned()));
    }
    let dictionary = Dictionary::from_texts(files.clone());
    assert_eq!(dictionary.files, files.len());
    for d in &dictionary.diagnostics {
        let text = files
            .iter()
            .find(|(p, _)| *p == d.path)
            .map(|(_, t)| t)
            .unwrap_or_else(|| panic!("diagnostic names no input file: {d}"));
        if let Some(span) = d.diagnostic.span {
            assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "{d}"
            );
        }
        if let Some(line) = d.diagnostic.line {
            assert!(line as usize <= text.lines().count() + 1, "{d}");
        }
        let _ = d.to_string();
    }
    for (i, e) in dictionary.events.iter().enumerate() {
        let provider = &dictionary.providers[e.provider];
        assert!(provider.events.contains(&i));
        assert_eq!(dictionary.event_by_slug(&provider.slug, &e.slug), Some(i));
        assert!(!e.files.is_empty());
        let _ = dictionary.label(i);
        let _ = dictionary.name_of(i);
    }
    let (mapper, _) = EventMapper::new(&dictionary);
    let logsources = vec!["windows.process_creation".to_string()];
    let signals = RuleSignals {
        logsources: &logsources,
        provider: Some("security"),
        event_ids: vec!["4688".into(), "1".into()],
        tables: vec!["DeviceProcessEvents", "SigninLogs"],
    };
    for m in mapper.match_rule(&signals) {
        assert!(m.event < dictionary.events.len());
        let _ = mapper.field_of(m.event, "process.command_line", "CommandLine");
    }
});
