//! Windows event log channels and the Sigma `windows` services that read
//! them (the service → channel mapping of Sigma's Windows log sources).
//!
//! Hayabusa's own rules carry no `logsource`: they name the channel in the
//! detection (`Channel: Security`). The channel gives the log source the
//! rule would have declared.
//!
//! ```
//! assert_eq!(ruledex_sigma::channels::service_of("security"), Some("security"));
//! assert_eq!(
//!     ruledex_sigma::channels::service_of("Microsoft-Windows-Sysmon/Operational"),
//!     Some("sysmon")
//! );
//! assert_eq!(ruledex_sigma::channels::service_of("Nonexistent/Channel"), None);
//! ```

/// `(channel, service)`; channels compare ignoring case.
const CHANNELS: [(&str, &str); 30] = [
    ("Security", "security"),
    ("System", "system"),
    ("Application", "application"),
    ("Microsoft-Windows-Sysmon/Operational", "sysmon"),
    ("Microsoft-Windows-PowerShell/Operational", "powershell"),
    ("PowerShellCore/Operational", "powershell"),
    ("Windows PowerShell", "powershell-classic"),
    (
        "Microsoft-Windows-Windows Defender/Operational",
        "windefend",
    ),
    (
        "Microsoft-Windows-TaskScheduler/Operational",
        "taskscheduler",
    ),
    ("Microsoft-Windows-WMI-Activity/Operational", "wmi"),
    ("Microsoft-Windows-Bits-Client/Operational", "bits-client"),
    ("Microsoft-Windows-DNS-Client/Operational", "dns-client"),
    ("DNS Server", "dns-server"),
    (
        "Microsoft-Windows-CodeIntegrity/Operational",
        "codeintegrity-operational",
    ),
    ("Microsoft-Windows-NTLM/Operational", "ntlm"),
    ("Microsoft-Windows-SMBClient/Security", "smbclient-security"),
    (
        "Microsoft-Windows-SmbClient/Connectivity",
        "smbclient-connectivity",
    ),
    (
        "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
        "terminalservices-localsessionmanager",
    ),
    (
        "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall",
        "firewall-as",
    ),
    (
        "Microsoft-Windows-AppXDeploymentServer/Operational",
        "appxdeployment-server",
    ),
    (
        "Microsoft-Windows-AppxPackaging/Operational",
        "appxpackaging-om",
    ),
    ("Microsoft-Windows-PrintService/Admin", "printservice-admin"),
    (
        "Microsoft-Windows-PrintService/Operational",
        "printservice-operational",
    ),
    ("Microsoft-Windows-Shell-Core/Operational", "shell-core"),
    (
        "Microsoft-Windows-DriverFrameworks-UserMode/Operational",
        "driver-framework",
    ),
    (
        "Microsoft-Windows-Diagnosis-Scripted/Operational",
        "diagnosis-scripted",
    ),
    ("Microsoft-Windows-CAPI2/Operational", "capi2"),
    ("OpenSSH/Operational", "openssh"),
    ("Microsoft-Windows-LDAP-Client/Debug", "ldap"),
    (
        "Microsoft-Windows-Security-Mitigations/KernelMode",
        "security-mitigations",
    ),
];

/// The Sigma `windows` service reading `channel`, when it is a known one.
pub fn service_of(channel: &str) -> Option<&'static str> {
    CHANNELS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(channel.trim()))
        .map(|(_, service)| *service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_is_listed_once() {
        for (i, (channel, _)) in CHANNELS.iter().enumerate() {
            assert!(
                !CHANNELS[i + 1..]
                    .iter()
                    .any(|(other, _)| other.eq_ignore_ascii_case(channel)),
                "{channel}"
            );
        }
    }
}
