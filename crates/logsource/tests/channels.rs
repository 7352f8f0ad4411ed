//! Windows event log channels: an Elastic query filtering `winlog.channel`
//! (as Winlogbeat and the Windows integration record it) and a Splunk search
//! on `source="WinEventLog:<channel>"` read that channel's log source, as a
//! Sigma rule's `service` does.

mod common;

use common::{filters, ids, index, sigma};
use ruledex_ir::{Op, Platform};

fn channel(name: &str, event_code: Option<&str>) -> Vec<ruledex_logsource::Filter> {
    let mut comparisons: Vec<(&str, Op, &[&str])> = Vec::new();
    let name = [name];
    let code;
    comparisons.push(("winlog.channel", Op::Eq, &name));
    if let Some(c) = event_code {
        code = [c];
        comparisons.push(("event.code", Op::Eq, &code));
    }
    filters(&comparisons)
}

#[test]
fn elastic_channels_name_their_log_source() {
    for (name, code, expected) in [
        ("Security", None, "windows.security"),
        ("System", None, "windows.system"),
        ("Application", None, "windows.application"),
        (
            "Microsoft-Windows-Windows Defender/Operational",
            None,
            "windows.defender",
        ),
        (
            "Microsoft-Windows-PowerShell/Operational",
            None,
            "windows.powershell",
        ),
        (
            "Microsoft-Windows-PowerShell/Operational",
            Some("4104"),
            "windows.powershell_script",
        ),
        ("Windows PowerShell", None, "windows.powershell"),
        (
            "Microsoft-Windows-CodeIntegrity/Operational",
            None,
            "windows.event_log",
        ),
        ("MSExchange Management", None, "windows.event_log"),
    ] {
        assert_eq!(
            ids(Platform::Elastic, &[], &channel(name, code)),
            [expected],
            "{name}"
        );
    }
    assert!(ids(Platform::Elastic, &[], &channel("Some Other Log", None)).is_empty());
}

#[test]
fn a_channel_decides_among_shared_indexes() {
    // `from *` and `winlogbeat-*` hold every channel: the filter says which.
    for pattern in ["*", "winlogbeat-*"] {
        assert_eq!(
            ids(
                Platform::Elastic,
                &[index(pattern)],
                &channel("System", None)
            ),
            ["windows.system"],
            "{pattern}"
        );
    }
}

#[test]
fn splunk_classic_event_log_sources() {
    let source = |name: &str| filters(&[("source", Op::Eq, &[name])]);
    for (name, expected) in [
        ("WinEventLog:Security", "windows.security"),
        (
            "WinEventLog:Microsoft-Windows-CodeIntegrity/Operational",
            "windows.event_log",
        ),
        (
            "WinEventLog:Microsoft-Windows-Windows Defender/Operational",
            "windows.defender",
        ),
        (
            "WinEventLog:Microsoft-Windows-PowerShell/Operational",
            "windows.powershell",
        ),
    ] {
        assert_eq!(
            ids(Platform::Splunk, &[], &source(name)),
            [expected],
            "{name}"
        );
    }
}

#[test]
fn sigma_services_agree() {
    for (service, expected) in [
        ("windefend", "windows.defender"),
        ("codeintegrity-operational", "windows.event_log"),
        ("powershell", "windows.powershell"),
    ] {
        assert_eq!(
            ids(
                Platform::Sigma,
                &[sigma(Some("windows"), None, Some(service))],
                &[]
            ),
            [expected],
            "{service}"
        );
    }
}
