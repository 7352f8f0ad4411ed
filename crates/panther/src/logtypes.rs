//! Panther log type names, and the Snowflake tables that hold them.
//!
//! Panther stores each log type in a table of `panther_logs.public` named
//! after it, lower case, dots as underscores (`AWS.CloudTrail` →
//! `aws_cloudtrail`). Queries name tables; rules name log types. The list
//! below gives the log types their usual spelling back; a table it does not
//! know keeps a dotted lower-case name, which the log-source table still
//! matches (names compare case-insensitively).

/// Log types whose spelling is known (public Panther log type names).
const KNOWN: &[&str] = &[
    "AWS.ALB",
    "AWS.BedrockModelInvocation",
    "AWS.CloudTrail",
    "AWS.CloudWatchEvents",
    "AWS.GuardDuty",
    "AWS.S3ServerAccess",
    "AWS.SecurityFindingFormat",
    "AWS.VPCDns",
    "AWS.VPCFlow",
    "AWS.WAFWebACL",
    "Amazon.EKS.Audit",
    "Anthropic.Activity",
    "Apache.AccessCombined",
    "Asana.Audit",
    "Atlassian.Audit",
    "Auth0.Events",
    "Axonius.Activity",
    "Azure.Audit",
    "Azure.MonitorActivity",
    "Box.Event",
    "CarbonBlack.Audit",
    "CarbonBlack.EndpointEvent",
    "CiscoUmbrella.CloudFirewall",
    "CiscoUmbrella.DNS",
    "CiscoUmbrella.IP",
    "CiscoUmbrella.Proxy",
    "Cloudflare.Firewall",
    "Cloudflare.HttpRequest",
    "Cloudflare.Spectrum",
    "Crowdstrike.AIDMaster",
    "Crowdstrike.DNSRequest",
    "Crowdstrike.DetectionSummary",
    "Crowdstrike.EventStreams",
    "Crowdstrike.FDREvent",
    "Databricks.Audit",
    "Docusign.Connect",
    "Dropbox.TeamEvent",
    "Duo.Administrator",
    "Duo.Authentication",
    "GCP.AuditLog",
    "GCP.HTTPLoadBalancer",
    "GSuite.ActivityEvent",
    "GSuite.Reports",
    "GitHub.Audit",
    "GitHub.Webhook",
    "GitLab.API",
    "GitLab.Audit",
    "GitLab.Production",
    "Gravitational.TeleportAudit",
    "Microsoft365.Audit.AzureActiveDirectory",
    "Microsoft365.Audit.Exchange",
    "Microsoft365.Audit.General",
    "Microsoft365.Audit.SharePoint",
    "MicrosoftIntune.AuditLogs",
    "MongoDB.OrganizationEvent",
    "MongoDB.ProjectEvent",
    "Netskope.Audit",
    "Nginx.Access",
    "Notion.AuditLogs",
    "OCSF.DnsActivity",
    "OCSF.NetworkActivity",
    "Okta.SystemLog",
    "OneLogin.Events",
    "OnePassword.ItemUsage",
    "OnePassword.SignInAttempt",
    "OpenAI.Audit",
    "Osquery.Batch",
    "Osquery.Differential",
    "Osquery.Snapshot",
    "Panther.Audit",
    "Proofpoint.Event",
    "PushSecurity.Activity",
    "PushSecurity.Controls",
    "PushSecurity.Entities",
    "Salesforce.Login",
    "Salesforce.LoginAs",
    "Salesforce.Logout",
    "Salesforce.RealtimeEvent",
    "SentinelOne.Activity",
    "SentinelOne.DeepVisibility",
    "SentinelOne.DeepVisibilityV2",
    "Slack.AccessLogs",
    "Slack.AuditLogs",
    "Slack.IntegrationLogs",
    "Snowflake.DataTransferHistory",
    "Snowflake.GrantsToRoles",
    "Snowflake.GrantsToUsers",
    "Snowflake.LoginHistory",
    "Snowflake.QueryHistory",
    "Snowflake.Sessions",
    "Snyk.GroupAudit",
    "Snyk.OrgAudit",
    "Sublime.Audit",
    "Suricata.Alert",
    "Suricata.Anomaly",
    "Suricata.DNS",
    "Tailscale.Audit",
    "ThinkstCanary.Alert",
    "Tines.Audit",
    "Tracebit.Alert",
    "Upwind.Detections",
    "Windows.EventLogs",
    "Wiz.Audit",
    "Wiz.Detections",
    "Wiz.Issues",
    "Zeek.DNS",
    "Zendesk.Audit",
    "Zoom.Activity",
    "Zoom.Operation",
    "Zscaler.ZIA.AdminAuditLog",
    "Zscaler.ZIA.WebLog",
];

/// What a table of a query is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// A Panther log type (`panther_logs.public.aws_cloudtrail`).
    LogType(String),
    /// A Panther lookup table (`panther_lookups.public.x`).
    Lookup(String),
    /// Any other table (Panther's signal and rule-match tables, views).
    Other,
}

/// Classify a table name as written (`panther_logs.public.okta_systemlog`,
/// `snowflake.account_usage.login_history`, `aws_cloudtrail`).
pub fn classify(table: &str) -> TableKind {
    let lower = table.to_ascii_lowercase().replace('"', "");
    let parts: Vec<&str> = lower.split('.').collect();
    match parts.as_slice() {
        [db, _, name] if db.starts_with("panther_logs") => TableKind::LogType(log_type(name)),
        [db, _, name] if db.starts_with("panther_lookups") => {
            TableKind::Lookup((*name).to_string())
        }
        [db, schema, name] if *db == "snowflake" && *schema == "account_usage" => {
            TableKind::LogType(format!("Snowflake.{}", camel(name)))
        }
        [name] => match known(name) {
            Some(known) => TableKind::LogType(known.to_string()),
            None => TableKind::Other,
        },
        _ => TableKind::Other,
    }
}

/// The log type a `panther_logs` table holds.
pub fn log_type(table: &str) -> String {
    match known(table) {
        Some(k) => k.to_string(),
        None => table.replace('_', "."),
    }
}

fn known(table: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .copied()
        .find(|k| k.to_ascii_lowercase().replace('.', "_") == table)
}

/// `login_history` → `LoginHistory`.
fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_name_log_types() {
        assert_eq!(
            classify("panther_logs.public.aws_cloudtrail"),
            TableKind::LogType("AWS.CloudTrail".into())
        );
        assert_eq!(
            classify("PANTHER_LOGS.PUBLIC.AMAZON_EKS_AUDIT"),
            TableKind::LogType("Amazon.EKS.Audit".into())
        );
        assert_eq!(
            classify("snowflake.account_usage.login_history"),
            TableKind::LogType("Snowflake.LoginHistory".into())
        );
        assert_eq!(
            classify("panther_logs.public.custom_thing"),
            TableKind::LogType("custom.thing".into())
        );
        assert_eq!(
            classify("panther_lookups.public.otx_pulses"),
            TableKind::Lookup("otx_pulses".into())
        );
        assert_eq!(classify("recent_events"), TableKind::Other);
    }
}
