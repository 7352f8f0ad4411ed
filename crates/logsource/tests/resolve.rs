//! How rules of every platform resolve to one log source, and how the action
//! (log source + operation) is normalized.

mod common;

use common::{ids, index, log_type, sigma, sourcetype, table};
use ruledex_ir::{DataSource, DataSourceKind, Platform};
use ruledex_logsource::{Filter, LogSources};

fn sources() -> &'static LogSources {
    LogSources::embedded()
}

/// One name per platform, each expected to resolve to `expected` alone.
struct Names<'a> {
    sentinel: Option<DataSource>,
    sigma: Option<DataSource>,
    elastic: Option<DataSource>,
    splunk: Option<DataSource>,
    chronicle: Option<DataSource>,
    panther: Option<DataSource>,
    filters: &'a [Filter],
}

fn assert_all_resolve(expected: &str, names: Names<'_>) {
    let cases = [
        (Platform::Sentinel, names.sentinel),
        (Platform::Sigma, names.sigma),
        (Platform::Elastic, names.elastic),
        (Platform::Splunk, names.splunk),
        (Platform::Chronicle, names.chronicle),
        (Platform::Panther, names.panther),
    ];
    for (platform, name) in cases {
        let Some(name) = name else { continue };
        let found = ids(platform, std::slice::from_ref(&name), names.filters);
        assert_eq!(found, [expected], "{platform} {name:?}");
    }
}

#[test]
fn entra_sign_ins_on_every_platform() {
    assert_all_resolve(
        "azure.signin",
        Names {
            sentinel: Some(table("SigninLogs")),
            sigma: Some(sigma(Some("azure"), None, Some("signinlogs"))),
            elastic: Some(index("logs-azure.signinlogs-*")),
            splunk: Some(DataSource::new(
                DataSourceKind::Connector,
                "Azure Active Directory Sign-in activity",
            )),
            chronicle: Some(log_type("AZURE_AD")),
            panther: None,
            filters: &[],
        },
    );
    // Non-interactive sign-ins are the same log source.
    assert_eq!(
        ids(
            Platform::Sentinel,
            &[table("AADNonInteractiveUserSignInLogs")],
            &[]
        ),
        ["azure.signin"]
    );
    // Panther's Azure.Audit holds sign-ins and audit events; the category
    // decides, and without it both are candidates.
    let category = [Filter::new("category", ["SignInLogs"])];
    assert_eq!(
        ids(Platform::Panther, &[log_type("Azure.Audit")], &category),
        ["azure.signin"]
    );
    assert_eq!(
        ids(Platform::Panther, &[log_type("Azure.Audit")], &[]),
        ["azure.signin", "azure.audit"]
    );
}

#[test]
fn aws_cloudtrail_on_every_platform() {
    assert_all_resolve(
        "aws.cloudtrail",
        Names {
            sentinel: Some(table("AWSCloudTrail")),
            sigma: Some(sigma(Some("aws"), None, Some("cloudtrail"))),
            elastic: Some(index("logs-aws.cloudtrail-*")),
            splunk: Some(sourcetype("aws:cloudtrail")),
            chronicle: Some(log_type("AWS_CLOUDTRAIL")),
            panther: Some(log_type("AWS.CloudTrail")),
            filters: &[],
        },
    );
}

#[test]
fn other_clouds_and_saas_on_every_platform() {
    let cases: [(&str, Names<'_>); 6] = [
        (
            "azure.audit",
            Names {
                sentinel: Some(table("AuditLogs")),
                sigma: Some(sigma(Some("azure"), None, Some("auditlogs"))),
                elastic: Some(index("logs-azure.auditlogs-*")),
                splunk: Some(sourcetype("mscs:azure:audit")),
                chronicle: Some(log_type("AZURE_AD_AUDIT")),
                panther: None,
                filters: &[],
            },
        ),
        (
            "azure.activity",
            Names {
                sentinel: Some(table("AzureActivity")),
                sigma: Some(sigma(Some("azure"), None, Some("activitylogs"))),
                elastic: Some(index("logs-azure.activitylogs-*")),
                splunk: Some(sourcetype("mscs:azure:eventhub:activity")),
                chronicle: Some(log_type("AZURE_ACTIVITY")),
                panther: Some(log_type("Azure.MonitorActivity")),
                filters: &[],
            },
        ),
        (
            "gcp.audit",
            Names {
                sentinel: Some(table("GCPAuditLogs")),
                sigma: Some(sigma(Some("gcp"), None, Some("gcp.audit"))),
                elastic: Some(index("logs-gcp.audit-*")),
                splunk: Some(sourcetype("google:gcp:pubsub:message")),
                chronicle: Some(log_type("GCP_CLOUDAUDIT")),
                panther: Some(log_type("GCP.AuditLog")),
                filters: &[],
            },
        ),
        (
            "m365.audit",
            Names {
                sentinel: Some(table("OfficeActivity")),
                sigma: Some(sigma(Some("m365"), None, Some("threat_management"))),
                elastic: Some(index("logs-o365.audit-*")),
                splunk: Some(sourcetype("o365:management:activity")),
                chronicle: Some(log_type("OFFICE_365")),
                panther: Some(log_type("Microsoft365.Audit.Exchange")),
                filters: &[],
            },
        ),
        (
            "okta.system",
            Names {
                sentinel: Some(table("Okta_CL")),
                sigma: Some(sigma(Some("okta"), None, Some("okta"))),
                elastic: Some(index("logs-okta.system-*")),
                splunk: Some(sourcetype("OktaIM2:log")),
                chronicle: Some(log_type("OKTA")),
                panther: Some(log_type("Okta.SystemLog")),
                filters: &[],
            },
        ),
        (
            "github.audit",
            Names {
                sentinel: Some(table("GitHubAuditLogPolling_CL")),
                sigma: Some(sigma(Some("github"), None, Some("audit"))),
                elastic: Some(index("logs-github.audit-*")),
                splunk: Some(DataSource::new(DataSourceKind::Sourcetype, "github")),
                chronicle: Some(log_type("GITHUB")),
                panther: Some(log_type("GitHub.Audit")),
                filters: &[],
            },
        ),
    ];
    for (expected, names) in cases {
        assert_all_resolve(expected, names);
    }
    // Kubernetes audit: EKS in Panther, the audit dataset in Elastic.
    assert_all_resolve(
        "kubernetes.audit",
        Names {
            sentinel: Some(table("AKSAudit")),
            sigma: Some(sigma(Some("kubernetes"), None, Some("audit"))),
            elastic: Some(index("logs-kubernetes.audit_logs-*")),
            splunk: Some(sourcetype("kube:apiserver:audit")),
            chronicle: Some(log_type("KUBERNETES_AUDIT")),
            panther: Some(log_type("Amazon.EKS.Audit")),
            filters: &[],
        },
    );
    // Google Workspace: the application name splits Panther's one log type.
    let login = [Filter::new("id.applicationName", ["login"])];
    assert_eq!(
        ids(
            Platform::Panther,
            &[log_type("GSuite.ActivityEvent")],
            &login
        ),
        ["google_workspace.login"]
    );
    assert_eq!(
        ids(
            Platform::Sigma,
            &[sigma(Some("gcp"), None, Some("google_workspace.admin"))],
            &[]
        ),
        ["google_workspace.admin"]
    );
}

#[test]
fn windows_process_creation_on_every_platform() {
    let sysmon_1 = [
        Filter::new("EventCode", ["1"]),
        Filter::new("metadata.product_event_type", ["1"]),
    ];
    assert_all_resolve(
        "windows.process_creation",
        Names {
            sentinel: Some(table("DeviceProcessEvents")),
            sigma: Some(sigma(Some("windows"), Some("process_creation"), None)),
            elastic: None,
            splunk: Some(sourcetype(
                "XmlWinEventLog:Microsoft-Windows-Sysmon/Operational",
            )),
            chronicle: Some(log_type("WINDOWS_SYSMON")),
            panther: None,
            filters: &sysmon_1,
        },
    );
    // Elastic endpoint rules list many indexes; the OS and event filters decide.
    let elastic = [
        index("winlogbeat-*"),
        index("logs-endpoint.events.process-*"),
        index("logs-windows.sysmon_operational-*"),
        index("endgame-*"),
        index("logs-system.security*"),
    ];
    let filters = [
        Filter::new("host.os.type", ["windows"]),
        Filter::new("event.category", ["process"]),
        Filter::new("event.type", ["start", "process_started"]),
    ];
    assert_eq!(
        ids(Platform::Elastic, &elastic, &filters),
        ["windows.process_creation"]
    );
    let linux = [
        Filter::new("host.os.type", ["linux"]),
        Filter::new("event.category", ["process"]),
    ];
    assert_eq!(
        ids(
            Platform::Elastic,
            &[index("logs-endpoint.events.process-*")],
            &linux
        ),
        ["linux.process_creation"]
    );
    // Splunk's data model alone cannot tell the OS; the data_source name can.
    let models = ids(
        Platform::Splunk,
        &[DataSource::new(
            DataSourceKind::Sourcetype,
            "Endpoint.Processes",
        )],
        &[],
    );
    assert_eq!(
        models,
        [
            "windows.process_creation",
            "linux.process_creation",
            "macos.process_creation"
        ]
    );
    let connector = DataSource::new(DataSourceKind::Connector, "Sysmon for Linux EventID 1");
    assert_eq!(
        ids(Platform::Splunk, &[connector], &[]),
        ["linux.process_creation"]
    );
    // Panther: CrowdStrike process events on Windows.
    let fdr = [
        Filter::new("event_simpleName", ["ProcessRollup2"]),
        Filter::new("event_platform", ["Win"]),
    ];
    assert_eq!(
        ids(Platform::Panther, &[log_type("Crowdstrike.FDREvent")], &fdr),
        ["windows.process_creation"]
    );
}

#[test]
fn security_event_ids_narrow_the_windows_security_log() {
    let security = [table("SecurityEvent")];
    assert_eq!(
        ids(Platform::Sentinel, &security, &[]),
        ["windows.security"]
    );
    assert_eq!(
        ids(
            Platform::Sentinel,
            &security,
            &[Filter::new("EventID", ["4625"])]
        ),
        ["windows.security"]
    );
    assert_eq!(
        ids(
            Platform::Sentinel,
            &security,
            &[Filter::new("EventID", ["4688"])]
        ),
        ["windows.process_creation"]
    );
    // Sigma's security service with EventID 4688 agrees with Sentinel.
    let rule = [sigma(Some("windows"), None, Some("security"))];
    assert_eq!(
        ids(Platform::Sigma, &rule, &[Filter::new("EventID", ["4688"])]),
        ["windows.process_creation"]
    );
    assert_eq!(
        ids(Platform::Sigma, &rule, &[Filter::new("EventID", ["4624"])]),
        ["windows.security"]
    );
    // Splunk's security_content data_source names carry the event id.
    let connector = DataSource::new(DataSourceKind::Connector, "Windows Event Log Security 4624");
    assert_eq!(
        ids(Platform::Splunk, &[connector], &[]),
        ["windows.security"]
    );
}

#[test]
fn other_endpoint_sources() {
    let cases = [
        (
            "windows.network_connection",
            "DeviceNetworkEvents",
            ("windows", "network_connection"),
            "logs-endpoint.events.network-*",
            "network",
        ),
        (
            "windows.file_event",
            "DeviceFileEvents",
            ("windows", "file_event"),
            "logs-endpoint.events.file-*",
            "file",
        ),
        (
            "windows.registry_event",
            "DeviceRegistryEvents",
            ("windows", "registry_set"),
            "logs-endpoint.events.registry-*",
            "registry",
        ),
        (
            "windows.image_load",
            "DeviceImageLoadEvents",
            ("windows", "image_load"),
            "logs-endpoint.events.library-*",
            "library",
        ),
    ];
    for (expected, sentinel_table, (product, category), elastic_index, event_category) in cases {
        let filters = [
            Filter::new("host.os.type", ["windows"]),
            Filter::new("event.category", [event_category]),
        ];
        assert_all_resolve(
            expected,
            Names {
                sentinel: Some(table(sentinel_table)),
                sigma: Some(sigma(Some(product), Some(category), None)),
                elastic: Some(index(elastic_index)),
                splunk: None,
                chronicle: None,
                panther: None,
                filters: &filters,
            },
        );
    }
    // All Sigma registry categories are one log source.
    for category in [
        "registry_event",
        "registry_add",
        "registry_delete",
        "registry_set",
    ] {
        assert_eq!(
            ids(
                Platform::Sigma,
                &[sigma(Some("windows"), Some(category), None)],
                &[]
            ),
            ["windows.registry_event"]
        );
    }
    assert_eq!(
        ids(
            Platform::Sigma,
            &[sigma(Some("windows"), Some("ps_script"), None)],
            &[]
        ),
        ["windows.powershell_script"]
    );
    assert_eq!(
        ids(
            Platform::Splunk,
            &[DataSource::new(
                DataSourceKind::Connector,
                "Powershell Script Block Logging 4104"
            )],
            &[]
        ),
        ["windows.powershell_script"]
    );
    assert_eq!(
        ids(
            Platform::Sigma,
            &[sigma(Some("linux"), None, Some("auditd"))],
            &[]
        ),
        ["linux.auditd"]
    );
    assert_eq!(
        ids(Platform::Splunk, &[sourcetype("linux:audit")], &[]),
        ["linux.auditd"]
    );
    assert_eq!(
        ids(
            Platform::Sigma,
            &[sigma(Some("macos"), Some("process_creation"), None)],
            &[]
        ),
        ["macos.process_creation"]
    );
    assert_eq!(
        ids(
            Platform::Sigma,
            &[sigma(Some("windows"), None, Some("system"))],
            &[]
        ),
        ["windows.system"]
    );
}

#[test]
fn network_sources() {
    assert_eq!(
        ids(Platform::Sigma, &[sigma(None, Some("dns"), None)], &[]),
        ["dns"]
    );
    assert_eq!(ids(Platform::Sentinel, &[table("DnsEvents")], &[]), ["dns"]);
    assert_eq!(
        ids(
            Platform::Splunk,
            &[sourcetype("Network_Resolution.DNS")],
            &[]
        ),
        ["dns"]
    );
    assert_eq!(
        ids(Platform::Sigma, &[sigma(None, Some("proxy"), None)], &[]),
        ["proxy"]
    );
    assert_eq!(
        ids(Platform::Sigma, &[sigma(None, Some("firewall"), None)], &[]),
        ["firewall"]
    );
    assert_eq!(
        ids(
            Platform::Splunk,
            &[sourcetype("Network_Traffic.All_Traffic")],
            &[]
        ),
        ["firewall"]
    );
    assert_eq!(
        ids(
            Platform::Sigma,
            &[sigma(None, Some("webserver"), None)],
            &[]
        ),
        ["webserver"]
    );
}

#[test]
fn log_sources_named_only_by_filters() {
    let sources = sources();
    let by = |platform, filters: &[Filter]| -> Vec<String> {
        sources
            .resolve_from_indicators(platform, filters)
            .into_iter()
            .map(|s| s.id.clone())
            .collect()
    };
    assert_eq!(
        by(
            Platform::Elastic,
            &[Filter::new("event.dataset", ["aws.cloudtrail"])]
        ),
        ["aws.cloudtrail"]
    );
    assert_eq!(
        by(
            Platform::Splunk,
            &[Filter::new("sourcetype", ["aws:cloudtrail"])]
        ),
        ["aws.cloudtrail"]
    );
    assert_eq!(
        by(
            Platform::Chronicle,
            &[Filter::new("metadata.log_type", ["AWS_CLOUDTRAIL"])]
        ),
        ["aws.cloudtrail"]
    );
    assert_eq!(
        by(
            Platform::Chronicle,
            &[Filter::new("metadata.product_name", ["Okta"])]
        ),
        ["okta.system"]
    );
    assert_eq!(
        by(
            Platform::Elastic,
            &[Filter::new("event.dataset", ["nothing.here"])]
        ),
        Vec::<String>::new()
    );
    // A generic index plus the dataset filter: the dataset decides.
    let found = ids(
        Platform::Elastic,
        &[index("filebeat-*")],
        &[Filter::new("event.dataset", ["okta.system"])],
    );
    assert_eq!(found, ["okta.system"]);
}

#[test]
fn broad_patterns_match_as_shared() {
    // `logs-endpoint.events.*` covers every endpoint source: nothing specific.
    let found = ids(
        Platform::Elastic,
        &[index("logs-endpoint.events.*")],
        &[Filter::new("event.category", ["registry"])],
    );
    assert_eq!(found, ["windows.registry_event"]);
    // A join of two tables reads two sources.
    let join = [
        table("SigninLogs"),
        table("AADNonInteractiveUserSignInLogs"),
        table("AuditLogs"),
    ];
    assert_eq!(
        ids(Platform::Sentinel, &join, &[]),
        ["azure.signin", "azure.audit"]
    );
    // Evidence says which name matched.
    let found = sources().identify(
        Platform::Sentinel,
        &[table("SecurityEvent")],
        &[Filter::new("EventID", ["4688"])],
    );
    assert_eq!(found[0].evidence[0].written, "SecurityEvent");
    assert_eq!(found[0].evidence[0].confirmed_by, ["EventID"]);
}

#[test]
fn operation_fields_per_platform() {
    let s = sources();
    assert_eq!(
        s.operation_fields("aws.cloudtrail", Platform::Sigma),
        ["eventName"]
    );
    assert_eq!(
        s.operation_fields("aws.cloudtrail", Platform::Sentinel),
        ["EventName"]
    );
    assert_eq!(
        s.operation_fields("aws.cloudtrail", Platform::Panther),
        ["eventName"]
    );
    assert_eq!(
        s.operation_fields("aws.cloudtrail", Platform::Elastic)[0],
        "event.action"
    );
    assert_eq!(
        s.operation_fields("aws.cloudtrail", Platform::Chronicle),
        ["metadata.product_event_type"]
    );
    assert_eq!(
        s.operation_fields("azure.audit", Platform::Sentinel),
        // AuditLogs repeats the operation name in ActivityDisplayName.
        ["OperationName", "ActivityDisplayName"]
    );
    assert_eq!(
        s.operation_fields("azure.activity", Platform::Sentinel)[0],
        "OperationNameValue"
    );
    assert_eq!(
        s.operation_fields("windows.security", Platform::Sentinel),
        ["EventID"]
    );
    assert_eq!(
        s.operation_fields("windows.security", Platform::Elastic)[0],
        "event.code"
    );
    assert_eq!(
        s.operation_fields("windows.security", Platform::Splunk)[0],
        "EventCode"
    );
    assert_eq!(
        s.operation_fields("okta.system", Platform::Panther),
        ["eventType"]
    );
    assert_eq!(
        s.operation_fields("gcp.audit", Platform::Panther),
        ["protoPayload.methodName"]
    );
    assert_eq!(
        s.operation_fields("m365.audit", Platform::Sentinel),
        // CloudAppEvents, when it carries Office operations, names them in ActionType.
        ["Operation", "ActionType"]
    );
    assert_eq!(
        s.operation_fields("github.audit", Platform::Sigma),
        ["action"]
    );
    assert_eq!(
        s.operation_fields("kubernetes.audit", Platform::Sigma),
        ["verb"]
    );
    // Defender XDR reads Sentinel's entry.
    assert_eq!(
        s.operation_fields("defender.device_events", Platform::DefenderXdr),
        ["ActionType"]
    );
    // Sign-ins and process creation: the log source is the action.
    assert!(s
        .operation_fields("azure.signin", Platform::Sentinel)
        .is_empty());
    assert!(s.get("azure.signin").is_some_and(|l| l.is_action()));
    assert!(s
        .get("windows.process_creation")
        .is_some_and(|l| l.is_action()));
    assert!(s.is_operation_field("aws.cloudtrail", Platform::Sigma, "EVENTNAME"));
    assert!(s
        .operation_fields("no.such.source", Platform::Sigma)
        .is_empty());
}

#[test]
fn operations_normalize_and_imply_their_provider() {
    let s = sources();
    assert_eq!(
        s.infer_provider("aws.cloudtrail", "ConsoleLogin"),
        Some("signin.amazonaws.com")
    );
    assert_eq!(
        s.infer_provider("aws.cloudtrail", "createuser"),
        Some("iam.amazonaws.com")
    );
    assert_eq!(
        s.infer_provider("aws.cloudtrail", "AttachUserPolicy"),
        Some("iam.amazonaws.com")
    );
    assert_eq!(
        s.infer_provider("aws.cloudtrail", "PutBucketPolicy"),
        Some("s3.amazonaws.com")
    );
    assert_eq!(
        s.infer_provider("aws.cloudtrail", "StopLogging"),
        Some("cloudtrail.amazonaws.com")
    );
    assert_eq!(s.infer_provider("aws.cloudtrail", "NoSuchCall"), None);
    assert_eq!(
        s.infer_provider("gcp.audit", "google.iam.admin.v1.CreateServiceAccountKey"),
        Some("iam.googleapis.com")
    );
    assert_eq!(
        s.infer_provider("gcp.audit", "v1.compute.instances.insert"),
        Some("compute.googleapis.com")
    );
    assert_eq!(
        s.infer_provider("m365.audit", "New-InboxRule"),
        Some("Exchange")
    );

    // One API call is one key, whatever the rule wrote.
    let with_source = s.operation_key(
        "aws.cloudtrail",
        Some("signin.amazonaws.com"),
        "ConsoleLogin",
    );
    let without = s.operation_key("aws.cloudtrail", None, "consolelogin");
    let elastic = s.operation_key("aws.cloudtrail", None, " ConsoleLogin ");
    assert_eq!(with_source, "signin.amazonaws.com:ConsoleLogin");
    assert_eq!(without, with_source);
    assert_eq!(elastic, with_source);
    // Unknown operations stay, lower-cased, without a provider.
    assert_eq!(
        s.operation_key("aws.cloudtrail", None, "SomeNewCall"),
        "somenewcall"
    );
    // Windows event ids: numbers and numeric strings are one value.
    assert_eq!(s.normalize_operation("windows.security", "04688"), "4688");
    assert_eq!(s.operation_key("windows.security", None, "4688"), "4688");
    // Azure activity operation names differ only in case between platforms.
    assert_eq!(
        s.normalize_operation(
            "azure.activity",
            "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"
        ),
        s.normalize_operation(
            "azure.activity",
            "Microsoft.Authorization/roleAssignments/write"
        )
    );
}

#[test]
fn arbitrary_names_never_panic() {
    let s = sources();
    let weird = [
        "",
        "*",
        "**",
        "?",
        "logs-",
        "-*",
        "💥*",
        "a*b*c*d*e*f*g*h",
        "logs-*-*-*",
        " ",
        "\u{0}",
    ];
    for name in weird {
        for platform in Platform::ALL {
            for kind in [
                DataSourceKind::Table,
                DataSourceKind::Index,
                DataSourceKind::Logsource,
                DataSourceKind::LogType,
            ] {
                let _ = s.identify(
                    platform,
                    &[DataSource::new(kind, name)],
                    &[Filter::new(name, [name])],
                );
            }
        }
        let _ = s.operation_key("aws.cloudtrail", Some(name), name);
        let _ = s.normalize_operation("windows.security", name);
    }
}
