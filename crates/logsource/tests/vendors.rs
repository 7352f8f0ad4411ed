//! Vendor and product log sources: each platform's name resolves to the same
//! id, `when` and `narrow` conditions split shared parsers and tables
//! (`CiscoDuo`, `Cisco_Umbrella`, `CommonSecurityLog`, `Syslog`, `Event`),
//! and the operation fields name the action.

mod common;

use common::{connector, dataset, filters, ids, index, log_type, sigma, sourcetype, table};
use ruledex_ir::{DataSource, Op, Platform};
use ruledex_logsource::{Category, Filter, LogSources};

fn sources() -> &'static LogSources {
    LogSources::embedded()
}

/// Each (platform, name) alone resolves to `expected`.
fn all_resolve(expected: &str, names: &[(Platform, DataSource)], with: &[Filter]) {
    assert!(!names.is_empty());
    for (platform, name) in names {
        assert_eq!(
            ids(*platform, std::slice::from_ref(name), with),
            [expected],
            "{platform} {name:?}"
        );
    }
}

fn eq(field: &str, value: &str) -> Vec<Filter> {
    filters(&[(field, Op::Eq, &[value])])
}

#[test]
fn saas_audit_logs_on_every_platform() {
    all_resolve(
        "slack.audit",
        &[
            (Platform::Sentinel, table("SlackAudit")),
            (Platform::Elastic, dataset("slack.audit")),
            (Platform::Elastic, index("logs-slack.audit-*")),
            (Platform::Chronicle, log_type("SLACK_AUDIT")),
            (Platform::Panther, log_type("Slack.AuditLogs")),
        ],
        &[],
    );
    all_resolve(
        "box.events",
        &[
            (Platform::Sentinel, table("BoxEvents")),
            (Platform::Elastic, dataset("box_events.events")),
            (Platform::Splunk, sourcetype("box:events")),
            (Platform::Chronicle, log_type("BOX")),
            (Platform::Panther, log_type("Box.Event")),
        ],
        &[],
    );
    all_resolve(
        "azure.devops",
        &[
            (Platform::Sentinel, table("AzureDevOpsAuditing")),
            (Platform::Chronicle, log_type("AZURE_DEVOPS")),
        ],
        &[],
    );
    all_resolve(
        "atlassian.jira",
        &[
            (Platform::Sentinel, table("JiraAudit")),
            (Platform::Elastic, dataset("atlassian_jira.audit")),
        ],
        &[],
    );
    all_resolve(
        "atlassian.bitbucket",
        &[
            (
                Platform::Sigma,
                sigma(Some("bitbucket"), None, Some("audit")),
            ),
            (Platform::Elastic, index("logs-atlassian_bitbucket.audit-*")),
        ],
        &[],
    );
    all_resolve(
        "zoom.activity",
        &[
            (Platform::Sentinel, table("ZoomLogs")),
            (Platform::Elastic, dataset("zoom.webhook")),
            (Platform::Panther, log_type("Zoom.Operation")),
        ],
        &[],
    );
    for id in [
        "slack.audit",
        "box.events",
        "azure.devops",
        "atlassian.jira",
    ] {
        assert_eq!(
            sources().get(id).map(|s| s.category),
            Some(Category::Saas),
            "{id}"
        );
    }
}

#[test]
fn operation_fields_of_new_sources() {
    let s = sources();
    let cases = [
        ("azure.devops", Platform::Sentinel, "OperationName"),
        ("atlassian.jira", Platform::Sentinel, "EventMessage"),
        ("atlassian.bitbucket", Platform::Sigma, "auditType.action"),
        ("slack.audit", Platform::Panther, "action"),
        ("box.events", Platform::Sentinel, "EventType"),
        ("zoom.activity", Platform::Sentinel, "Event"),
        ("gcp.audit", Platform::Sentinel, "PayloadMethodname"),
        ("cisco.duo_admin", Platform::Sentinel, "DvcAction"),
        ("cisco.duo_admin", Platform::Panther, "action"),
        ("sentinelone.activity", Platform::Sentinel, "ActivityType"),
        ("snowflake.query", Platform::Sentinel, "QUERY_TYPE_s"),
        ("oracle.cloud", Platform::Sentinel, "data_eventName_s"),
        ("opencanary", Platform::Sigma, "logtype"),
    ];
    for (id, platform, field) in cases {
        assert!(
            s.is_operation_field(id, platform, field),
            "{id} {platform} {field}: {:?}",
            s.operation_fields(id, platform)
        );
    }
    // Sources whose every event is the action have no operation field.
    for id in [
        "cisco.duo_auth",
        "snowflake.login",
        "defender.identity_logon",
    ] {
        let source = s.get(id).unwrap_or_else(|| panic!("{id}"));
        assert!(source.is_action(), "{id}");
    }
    // Numeric activity types and honeypot log types compare by value.
    assert_eq!(s.normalize_operation("sentinelone.activity", "0027"), "27");
    assert_eq!(s.normalize_operation("opencanary", "2000"), "2000");
}

#[test]
fn cisco_duo_parser_splits_by_log_type() {
    let auth = eq("EventType", "authentication");
    let admin = eq("EventType", "administrator");
    assert_eq!(
        ids(Platform::Sentinel, &[table("CiscoDuo")], &auth),
        ["cisco.duo_auth"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &[table("CiscoDuo")], &admin),
        ["cisco.duo_admin"]
    );
    // Without the log type the parser holds both.
    assert_eq!(
        ids(Platform::Sentinel, &[table("CiscoDuo")], &[]),
        ["cisco.duo_auth", "cisco.duo_admin"]
    );
    // Sigma's single logsource splits on the same field of the raw log.
    let duo = sigma(Some("cisco"), None, Some("duo"));
    assert_eq!(
        ids(
            Platform::Sigma,
            std::slice::from_ref(&duo),
            &eq("event_type", "authentication")
        ),
        ["cisco.duo_auth"]
    );
    all_resolve(
        "cisco.duo_auth",
        &[
            (Platform::Elastic, dataset("cisco_duo.auth")),
            (Platform::Panther, log_type("Duo.Authentication")),
            (Platform::Chronicle, log_type("DUO_AUTH")),
        ],
        &[],
    );
    all_resolve(
        "cisco.duo_admin",
        &[
            (Platform::Elastic, dataset("cisco_duo.admin")),
            (Platform::Panther, log_type("Duo.Administrator")),
        ],
        &[],
    );
}

#[test]
fn cisco_umbrella_parser_splits_by_event_type() {
    let umbrella = [table("Cisco_Umbrella")];
    assert_eq!(
        ids(Platform::Sentinel, &umbrella, &eq("EventType", "dnslogs")),
        ["dns"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &umbrella, &eq("EventType", "proxylogs")),
        ["proxy"]
    );
    assert_eq!(
        ids(
            Platform::Sentinel,
            &umbrella,
            &eq("EventType", "cloudfirewalllogs")
        ),
        ["firewall"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &umbrella, &[]),
        ["dns", "proxy", "firewall"]
    );
    assert_eq!(
        ids(Platform::Panther, &[log_type("CiscoUmbrella.Proxy")], &[]),
        ["proxy"]
    );
}

#[test]
fn common_security_log_by_vendor_and_product() {
    let cef = [table("CommonSecurityLog")];
    let by = |vendor: &str, product: &str| {
        filters(&[
            ("DeviceVendor", Op::Eq, &[vendor]),
            ("DeviceProduct", Op::Eq, &[product]),
        ])
    };
    // A container of every CEF product: firewalls unless the rule says.
    assert_eq!(ids(Platform::Sentinel, &cef, &[]), ["firewall"]);
    assert_eq!(
        ids(
            Platform::Sentinel,
            &cef,
            &by("Palo Alto Networks", "PAN-OS")
        ),
        ["firewall"]
    );
    assert_eq!(
        ids(
            Platform::Sentinel,
            &cef,
            &by("Palo Alto Networks", "Cortex XDR")
        ),
        ["alerts"]
    );
    // Zscaler is the web proxy, unless the product is Private Access: the
    // condition with more satisfied fields wins.
    assert_eq!(
        ids(Platform::Sentinel, &cef, &eq("DeviceVendor", "Zscaler")),
        ["proxy"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &cef, &by("Zscaler", "ZPA")),
        ["zscaler.zpa"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &cef, &eq("DeviceVendor", "Claroty")),
        ["claroty.ctd"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &cef, &by("Cyber-Ark", "Vault")),
        ["cyberark.pas"]
    );
}

#[test]
fn syslog_by_process() {
    let syslog = [table("Syslog")];
    assert_eq!(ids(Platform::Sentinel, &syslog, &[]), ["linux.syslog"]);
    assert_eq!(
        ids(Platform::Sentinel, &syslog, &eq("ProcessName", "squid")),
        ["proxy"]
    );
    // Squid rules usually match the process name loosely.
    let loose = filters(&[("ProcessName", Op::Contains, &["squid"])]);
    assert_eq!(ids(Platform::Sentinel, &syslog, &loose), ["proxy"]);
    assert_eq!(
        ids(Platform::Sentinel, &syslog, &eq("ProcessName", "hostd")),
        ["vmware.esxi"]
    );
    all_resolve(
        "vmware.esxi",
        &[
            (Platform::Sentinel, table("VMwareESXi")),
            (Platform::Splunk, sourcetype("vmw-syslog")),
            (Platform::Chronicle, log_type("VMWARE_ESX")),
        ],
        &[],
    );
}

#[test]
fn event_table_by_channel_and_source() {
    let event = [table("Event")];
    let sysmon = |id: &str| {
        filters(&[
            (
                "EventLog",
                Op::Eq,
                &["Microsoft-Windows-Sysmon/Operational"],
            ),
            ("EventID", Op::Eq, &[id]),
        ])
    };
    assert_eq!(
        ids(Platform::Sentinel, &event, &sysmon("1")),
        ["windows.process_creation"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &event, &sysmon("13")),
        ["windows.registry_event"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &event, &sysmon("10")),
        ["windows.process_access"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &event, &sysmon("255")),
        ["windows.sysmon"]
    );
    assert_eq!(
        ids(
            Platform::Sentinel,
            &event,
            &eq("Source", "Service Control Manager")
        ),
        ["windows.system"]
    );
}

#[test]
fn sentinelone_activity_and_agents() {
    let s1 = [table("SentinelOne")];
    assert_eq!(
        ids(Platform::Sentinel, &s1, &eq("ActivityType", "27")),
        ["sentinelone.activity"]
    );
    // The agent inventory is in the same parser; the narrow field rules the
    // activity log out.
    assert_eq!(
        ids(Platform::Sentinel, &s1, &eq("EventType", "Agents.")),
        ["sentinelone.agents"]
    );
    all_resolve(
        "sentinelone.activity",
        &[
            (Platform::Elastic, dataset("sentinel_one.activity")),
            (Platform::Panther, log_type("SentinelOne.Activity")),
        ],
        &[],
    );
}

#[test]
fn parsers_split_by_their_own_discriminators() {
    // Snowflake: logins and queries in one parser.
    let snowflake = [table("Snowflake")];
    assert_eq!(
        ids(Platform::Sentinel, &snowflake, &eq("EventType", "LOGIN")),
        ["snowflake.login"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &snowflake, &eq("QUERY_TYPE_s", "SHOW")),
        ["snowflake.query"]
    );
    assert_eq!(
        ids(
            Platform::Panther,
            &[log_type("Snowflake.LoginHistory")],
            &[]
        ),
        ["snowflake.login"]
    );
    // Prisma Cloud: alerts and console audit in one parser.
    let prisma = [table("PaloAltoPrismaCloud")];
    assert_eq!(
        ids(Platform::Sentinel, &prisma, &eq("Reason", "NEW_ALERT")),
        ["paloalto.prisma_cloud"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &prisma, &eq("ResourceType", "Login")),
        ["paloalto.prisma_cloud_audit"]
    );
    // Bitglass: the secure web gateway's logs are proxy logs.
    let bitglass = [table("Bitglass")];
    assert_eq!(
        ids(Platform::Sentinel, &bitglass, &eq("EventType", "swgweb")),
        ["proxy"]
    );
    assert_eq!(
        ids(Platform::Sentinel, &bitglass, &eq("EventType", "access")),
        ["bitglass.casb"]
    );
    // Google Workspace reports: the Reports API event type picks the app.
    assert_eq!(
        ids(
            Platform::Sentinel,
            &[table("GWorkspaceActivityReports")],
            &eq("EventType", "acl_change")
        ),
        ["google_workspace.drive"]
    );
}

#[test]
fn solution_parsers_map_to_what_they_parse() {
    let cases = [
        ("GCP_IAM", "gcp.audit"),
        ("AADSignInEventsBeta", "azure.signin"),
        ("AwsBucketAPILogs_CL", "aws.cloudtrail"),
        ("afad_parser", "tenable.identity_exposure"),
        ("OCILogs", "oracle.cloud"),
        ("ZPAEvent", "zscaler.zpa"),
        ("CiscoSEGEvent", "cisco.secure_email"),
        ("ProofpointPOD", "proofpoint.pod"),
        ("ProofPointTAPClicksPermitted_CL", "proofpoint.tap"),
        ("McAfeeEPOEvent", "mcafee.epo"),
        ("OracleDatabaseAuditEvent", "oracle.database_audit"),
        ("IdentityLogonEvents", "defender.identity_logon"),
        ("GitLabAudit", "gitlab.audit"),
    ];
    for (name, expected) in cases {
        assert_eq!(
            ids(Platform::Sentinel, &[table(name)], &[]),
            [expected],
            "{name}"
        );
    }
}

#[test]
fn sigma_products_without_a_source_before() {
    let cases = [
        (
            sigma(Some("opencanary"), Some("application"), None),
            "opencanary",
        ),
        (sigma(Some("cisco"), None, Some("aaa")), "cisco.ios"),
        (sigma(Some("zeek"), None, Some("smb_files")), "zeek.smb"),
        (sigma(Some("zeek"), None, Some("dce_rpc")), "zeek.dce_rpc"),
        (
            sigma(Some("rpc_firewall"), Some("application"), None),
            "windows.rpc_firewall",
        ),
        (
            sigma(Some("jvm"), Some("application"), None),
            "jvm.application",
        ),
        (sigma(None, Some("database"), None), "database"),
        (sigma(Some("qualys"), None, None), "qualys.vm"),
        (sigma(Some("fortios"), None, Some("sslvpnd")), "firewall"),
        (
            sigma(Some("paloalto"), Some("appliance"), Some("globalprotect")),
            "paloalto.globalprotect",
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(
            ids(Platform::Sigma, std::slice::from_ref(&name), &[]),
            [expected],
            "{name:?}"
        );
    }
    // The same data in Elastic.
    assert_eq!(
        ids(Platform::Elastic, &[dataset("zeek.smb_files")], &[]),
        ["zeek.smb"]
    );
}

#[test]
fn context_and_posture_sources() {
    all_resolve(
        "threat_intel.indicators",
        &[
            (Platform::Sentinel, table("ThreatIntelligenceIndicator")),
            (Platform::Elastic, dataset("ti_abusech.url")),
        ],
        &[],
    );
    let s = sources();
    for (id, category) in [
        ("threat_intel.indicators", Category::Context),
        ("ueba.behavior_analytics", Category::Context),
        ("identity.inventory", Category::Context),
        ("defender.cloud_posture", Category::Posture),
        ("defender.vulnerability_management", Category::Posture),
        ("oracle.database_audit", Category::Application),
    ] {
        assert_eq!(s.get(id).map(|l| l.category), Some(category), "{id}");
    }
    // A rule matching indicators against sign-ins it reads through a
    // function parameter: the connector's data type names the sign-ins.
    let data = [
        table("ThreatIntelligenceIndicator"),
        connector("AzureActiveDirectory", "SigninLogs"),
    ];
    assert_eq!(
        ids(Platform::Sentinel, &data, &[]),
        ["azure.signin", "threat_intel.indicators"]
    );
}

/// An Elastic rule's declared integration package, as the catalog passes it.
fn integration(name: &str) -> DataSource {
    DataSource::new(ruledex_ir::DataSourceKind::Connector, name)
}

#[test]
fn elastic_integrations_are_a_fallback_for_rules_without_an_index() {
    // Machine-learning rules name no index, only their integrations.
    assert_eq!(
        ids(
            Platform::Elastic,
            &[integration("pad"), integration("okta")],
            &[]
        ),
        ["okta.system"]
    );
    assert_eq!(
        ids(
            Platform::Elastic,
            &[integration("problemchild"), integration("endpoint")],
            &[]
        ),
        ["windows.process_creation"]
    );
    assert_eq!(
        ids(Platform::Elastic, &[integration("aws")], &[]),
        ["aws.cloudtrail"]
    );
    // A package of several sources names all of them.
    assert_eq!(
        ids(Platform::Elastic, &[integration("wiz")], &[]),
        ["wiz.vulnerability", "wiz.audit"]
    );
    // An index the table knows wins over the declared packages.
    assert_eq!(
        ids(
            Platform::Elastic,
            &[index("logs-github.audit-*"), integration("okta")],
            &[]
        ),
        ["github.audit"]
    );
    // Integrations are no Elastic index or dataset names.
    assert!(ids(Platform::Elastic, &[index("okta")], &[]).is_empty());
}

#[test]
fn elastic_endpoint_streams_by_category_and_os() {
    let network = [index("logs-endpoint.events.network-*")];
    assert_eq!(
        ids(Platform::Elastic, &network, &eq("host.os.type", "macos")),
        ["macos.network_connection"]
    );
    let library = [index("logs-endpoint.events.library-*")];
    assert_eq!(
        ids(Platform::Elastic, &library, &eq("event.category", "driver")),
        ["windows.driver_load"]
    );
    assert_eq!(
        ids(
            Platform::Elastic,
            &library,
            &eq("event.category", "library")
        ),
        ["windows.image_load"]
    );
}

#[test]
fn ai_service_logs() {
    all_resolve(
        "aws.bedrock",
        &[
            (Platform::Elastic, index("logs-aws_bedrock.invocation-*")),
            (Platform::Panther, log_type("AWS.BedrockModelInvocation")),
        ],
        &[],
    );
    // Every event of the invocation log is a model invocation.
    assert!(sources().get("aws.bedrock").is_some_and(|s| s.is_action()));
}

#[test]
fn panther_and_splunk_names_of_saas_sources() {
    let panther = [
        ("Databricks.Audit", "databricks.audit"),
        ("Okta.SystemLog", "okta.system"),
        ("OnePassword.SignInAttempt", "onepassword.signin"),
        ("Snyk.OrgAudit", "snyk.audit"),
        ("MicrosoftIntune.AuditLogs", "intune.audit"),
        ("SentinelOne.Activity", "sentinelone.activity"),
    ];
    for (name, expected) in panther {
        assert_eq!(
            ids(Platform::Panther, &[log_type(name)], &[]),
            [expected],
            "{name}"
        );
    }
    assert!(sources().is_operation_field("databricks.audit", Platform::Panther, "actionName"));
    let splunk = |name: &str| {
        ids(
            Platform::Splunk,
            &[DataSource::new(ruledex_ir::DataSourceKind::Connector, name)],
            &[],
        )
    };
    assert_eq!(splunk("G Suite Drive"), ["google_workspace.drive"]);
    assert_eq!(splunk("AWS Security Hub"), ["alerts"]);
    assert_eq!(splunk("AWS CloudWatchLogs VPCflow"), ["aws.vpcflow"]);
}

#[test]
fn oracle_cloud_flow_logs_by_their_type() {
    let oci = [table("OCILogs")];
    // Rules match the flow-log type loosely.
    let flows = filters(&[("EventType", Op::Contains, &["vcn.flowlogs"])]);
    assert_eq!(ids(Platform::Sentinel, &oci, &flows), ["oracle.cloud_flow"]);
    assert_eq!(
        ids(
            Platform::Sentinel,
            &oci,
            &eq("data_eventName_s", "LaunchInstance")
        ),
        ["oracle.cloud"]
    );
}
