//! Event dictionaries: the providers and events detection rules read, with
//! their fields, and which events each rule can match.
//!
//! A dictionary is a folder in the layout of the OSSEM data dictionaries
//! (OTRF/OSSEM-DD): one YAML file per event under
//! `<platform>/<…>/events/`, each with `log_source`, `event_id`,
//! `event_version` and `event_fields` (`name`, `type`, `description`, …).
//! [`Dictionary::load`] reads one in parallel and merges the versions of an
//! event (`event-4688.yml`, `event-4688_v1.yml`); irregular files (missing
//! ids, `TBD` standard names, empty descriptions, duplicates, broken YAML)
//! become [`LoadDiagnostic`]s, never a failure. A file over
//! [`MAX_FILE_BYTES`] is not read, and YAML nesting deeper than
//! [`ruledex_yaml::MAX_DEPTH`] levels is refused as broken YAML (`EVT002`)
//! rather than followed.
//!
//! [`EventMapper`] answers which events a rule can match from what the
//! catalog knows of it ([`RuleSignals`]): a table that is an event
//! (`DeviceProcessEvents`, `SigninLogs`), event ids on a Windows provider
//! (`EventID: 4688` on Security), or its log source (Sigma
//! `process_creation` is Sysmon 1, Security 4688 and Defender's
//! `DeviceProcessEvents`: the `events` of the log-source table). Field names
//! go through the field table, so a Sigma `CommandLine` and a Sentinel
//! `ProcessCommandLine` are the same event field.
//!
//! ```
//! use ruledex_events::{Dictionary, EventMapper, RuleSignals};
//!
//! let dictionary = Dictionary::from_texts([(
//!     "windows/sysmon/events/event-1.yml",
//!     "name: 'Event ID 1: Process creation'\nlog_source: Microsoft-Windows-Sysmon\nplatform: windows\n\
//!      event_id: 1\nevent_version: '5'\nevent_fields:\n- name: CommandLine\n  type: string\n  description: the command line\n",
//! )]);
//! assert!(dictionary.diagnostics.is_empty());
//! assert_eq!(dictionary.label(0), "Microsoft-Windows-Sysmon 1 Process creation");
//!
//! let (mapper, _) = EventMapper::new(&dictionary);
//! let logsources = vec!["windows.process_creation".to_string()];
//! let found = mapper.match_rule(&RuleSignals { logsources: &logsources, ..RuleSignals::default() });
//! assert_eq!(found[0].event, 0);
//! assert_eq!(mapper.field_of(0, "process.command_line", "ProcessCommandLine"), Some(0));
//! ```

mod dictionary;
mod mapping;

pub use dictionary::{
    slug, Dictionary, Event, EventField, EventsError, LoadDiagnostic, Provider, MAX_FILE_BYTES,
};
pub use mapping::{EventMapper, EventMatch, MappingReport, MatchReason, RuleSignals};
