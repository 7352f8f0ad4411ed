//! Field names across vocabularies.

use ruledex_logsource::{FieldMap, Vocabulary};

fn map() -> &'static FieldMap {
    FieldMap::embedded()
}

#[test]
fn command_line_round_trips_across_every_vocabulary() {
    let pc = Some("windows.process_creation");
    let spellings = [
        (Vocabulary::Sigma, "CommandLine"),
        (Vocabulary::Sentinel, "ProcessCommandLine"),
        (Vocabulary::Ecs, "process.command_line"),
        (Vocabulary::Cim, "Processes.process"),
        (Vocabulary::Udm, "target.process.command_line"),
    ];
    for (vocabulary, name) in spellings {
        assert_eq!(
            map().canonical(vocabulary, pc, name),
            Some("process.command_line"),
            "{vocabulary} {name}"
        );
        assert!(
            map()
                .names("process.command_line", vocabulary)
                .iter()
                .any(|n| n.name == name),
            "reverse {vocabulary} {name}"
        );
    }
}

#[test]
fn initiating_process_means_parent_only_in_process_creation() {
    let m = map();
    assert_eq!(
        m.canonical(
            Vocabulary::Sentinel,
            Some("windows.process_creation"),
            "InitiatingProcessFileName"
        ),
        Some("process.parent.name")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Sentinel,
            Some("windows.network_connection"),
            "InitiatingProcessFileName"
        ),
        Some("process.name")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Udm,
            Some("windows.process_creation"),
            "principal.process.file.full_path"
        ),
        Some("process.parent.executable")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Udm,
            Some("windows.file_event"),
            "principal.process.file.full_path"
        ),
        Some("process.executable")
    );
    // Without a log source a name with conflicting scoped meanings stays unmapped.
    assert_eq!(
        m.canonical(Vocabulary::Sentinel, None, "InitiatingProcessFileName"),
        None
    );
}

#[test]
fn same_column_different_tables() {
    let m = map();
    assert_eq!(
        m.canonical(
            Vocabulary::Sentinel,
            Some("windows.process_creation"),
            "FolderPath"
        ),
        Some("process.executable")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Sentinel,
            Some("windows.file_event"),
            "FolderPath"
        ),
        Some("file.path")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Sentinel,
            Some("windows.image_load"),
            "FolderPath"
        ),
        Some("dll.path")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Sigma,
            Some("windows.image_load"),
            "OriginalFileName"
        ),
        Some("dll.pe.original_file_name")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Sigma,
            Some("windows.process_creation"),
            "OriginalFileName"
        ),
        Some("process.pe.original_file_name")
    );
}

#[test]
fn operation_fields_share_one_canonical_field() {
    let m = map();
    let cases = [
        (Vocabulary::Native, "aws.cloudtrail", "eventName"),
        (Vocabulary::Sigma, "aws.cloudtrail", "eventName"),
        (Vocabulary::Sentinel, "aws.cloudtrail", "EventName"),
        (Vocabulary::Ecs, "aws.cloudtrail", "event.action"),
        (Vocabulary::Cim, "aws.cloudtrail", "eventName"),
        (
            Vocabulary::Udm,
            "aws.cloudtrail",
            "metadata.product_event_type",
        ),
        (Vocabulary::Native, "okta.system", "eventType"),
        (Vocabulary::Sentinel, "azure.audit", "OperationName"),
        (Vocabulary::Native, "gcp.audit", "protoPayload.methodName"),
        (Vocabulary::Sigma, "gcp.audit", "gcp.audit.method_name"),
    ];
    for (vocabulary, logsource, name) in cases {
        assert_eq!(
            m.canonical(vocabulary, Some(logsource), name),
            Some("event.action"),
            "{vocabulary} {logsource} {name}"
        );
    }
    // Event ids: Sigma, Sentinel, Splunk and UDM on Windows logs.
    for (vocabulary, name) in [
        (Vocabulary::Sigma, "EventID"),
        (Vocabulary::Sentinel, "EventID"),
        (Vocabulary::Cim, "EventCode"),
        (Vocabulary::Udm, "metadata.product_event_type"),
    ] {
        assert_eq!(
            m.canonical(vocabulary, Some("windows.security"), name),
            Some("event.code"),
            "{vocabulary} {name}"
        );
    }
}

#[test]
fn identity_fields() {
    let m = map();
    assert_eq!(
        m.canonical(
            Vocabulary::Sentinel,
            Some("azure.signin"),
            "UserPrincipalName"
        ),
        Some("user.name")
    );
    assert_eq!(
        m.canonical(Vocabulary::Sentinel, Some("azure.signin"), "IPAddress"),
        Some("source.ip")
    );
    assert_eq!(
        m.canonical(Vocabulary::Sentinel, Some("azure.signin"), "AppDisplayName"),
        Some("azure.signinlogs.properties.app_display_name")
    );
    assert_eq!(
        m.canonical(Vocabulary::Native, Some("okta.system"), "actor.alternateId"),
        Some("user.name")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Native,
            Some("aws.cloudtrail"),
            "sourceIPAddress"
        ),
        Some("source.ip")
    );
    assert_eq!(
        m.canonical(
            Vocabulary::Native,
            Some("aws.cloudtrail"),
            "userIdentity.arn"
        ),
        Some("aws.cloudtrail.user_identity.arn")
    );
}

#[test]
fn splunk_falls_back_to_raw_windows_and_json_names() {
    let m = map();
    assert_eq!(
        m.canonical(Vocabulary::Cim, None, "Image"),
        Some("process.executable")
    );
    assert_eq!(
        m.canonical(Vocabulary::Cim, Some("m365.audit"), "Operation"),
        Some("event.action")
    );
    assert_eq!(
        m.canonical(Vocabulary::Cim, None, "Registry.registry_path"),
        Some("registry.path")
    );
}

#[test]
fn unmapped_fields_stay_unmapped() {
    let m = map();
    assert_eq!(
        m.canonical(Vocabulary::Sigma, None, "SomeVendorField"),
        None
    );
    assert_eq!(m.canonical(Vocabulary::Ecs, None, ""), None);
    assert!(m.names("no.such.field", Vocabulary::Sigma).is_empty());
    // Exact case is preferred, but a differently cased name still resolves.
    assert_eq!(
        m.canonical(Vocabulary::Sigma, None, "commandline"),
        Some("process.command_line")
    );
}

#[test]
fn a_name_means_what_its_log_source_says() {
    let m = map();
    // `Status` on a Windows Security log is the event field…
    assert_eq!(
        m.canonical(Vocabulary::Sigma, Some("windows.security"), "Status"),
        Some("winlog.event_data.Status")
    );
    // …but on Entra ID sign-ins, Microsoft 365 or a third-party log it is
    // that log's own column, left unmapped (scoped to its log source).
    for logsource in ["azure.signin", "m365.audit", "paloalto.prisma_cloud"] {
        assert_eq!(
            m.canonical(Vocabulary::Sigma, Some(logsource), "Status"),
            None,
            "{logsource}"
        );
        assert_eq!(
            m.canonical(Vocabulary::Sentinel, Some(logsource), "Status"),
            None,
            "{logsource}"
        );
    }
    assert!(m.in_domain("winlog.logon.type", "defender.device_logon"));
    assert!(!m.in_domain("winlog.logon.type", "okta.system"));
    // Fields without a domain exist everywhere.
    assert!(m.in_domain("process.command_line", "linux.process_creation"));
}

#[test]
fn splunk_data_model_names_mean_what_the_data_set_says() {
    let m = map();
    // The registry action is the event's action, as Sigma's EventType is.
    let registry = Some("windows.registry_event");
    assert_eq!(
        m.canonical(Vocabulary::Cim, registry, "Registry.action"),
        Some("event.action")
    );
    assert_eq!(
        m.canonical(Vocabulary::Sigma, registry, "EventType"),
        Some("event.action")
    );
    // A registry key name is the key, not the full path of a value.
    assert_eq!(
        m.canonical(Vocabulary::Cim, registry, "Registry.registry_key_name"),
        Some("registry.key")
    );
    assert_eq!(
        m.canonical(Vocabulary::Sigma, registry, "TargetObject"),
        Some("registry.path")
    );
    // Bare `status` and `category` are HTTP fields on web data only.
    assert_eq!(
        m.canonical(Vocabulary::Cim, Some("proxy"), "status"),
        Some("http.response.status_code")
    );
    assert_eq!(
        m.canonical(Vocabulary::Cim, None, "status"),
        Some("http.response.status_code")
    );
    assert_eq!(
        m.canonical(Vocabulary::Cim, Some("webserver"), "category"),
        Some("url.category")
    );
    assert_eq!(
        m.canonical(Vocabulary::Cim, Some("m365.audit"), "status"),
        None
    );
    assert_eq!(
        m.canonical(Vocabulary::Cim, Some("azure.audit"), "category"),
        m.canonical(Vocabulary::Sigma, Some("azure.audit"), "category")
    );
    // An antivirus alert's signature is the detection name.
    assert_eq!(
        m.canonical(Vocabulary::Sigma, Some("alerts"), "Signature"),
        Some("rule.name")
    );
    assert_eq!(
        m.canonical(Vocabulary::Sigma, Some("windows.image_load"), "Signature"),
        Some("dll.code_signature.subject_name")
    );
}

#[test]
fn ecs_names_of_a_loaded_image_and_a_service_install_meet_sigmas() {
    // pySigma's ECS pipeline (and Winlogbeat) write a loaded DLL's signature
    // and version information under `file.*`, and the Security log's
    // service-install name as `service.name`; Sigma names them after Sysmon
    // and the event data.
    let m = map();
    let image_load = Some("windows.image_load");
    for (sigma, ecs) in [
        ("Signed", "file.code_signature.signed"),
        ("SignatureStatus", "file.code_signature.status"),
        ("Signature", "file.code_signature.subject_name"),
        ("OriginalFileName", "file.pe.original_file_name"),
        ("Description", "file.pe.description"),
        ("Company", "file.pe.company"),
    ] {
        let expected = m.canonical(Vocabulary::Sigma, image_load, sigma);
        assert!(expected.is_some(), "{sigma}");
        assert_eq!(
            m.canonical(Vocabulary::Ecs, image_load, ecs),
            expected,
            "{ecs}"
        );
    }
    // On process creation, Description is the process's own.
    assert_ne!(
        m.canonical(
            Vocabulary::Sigma,
            Some("windows.process_creation"),
            "Description"
        ),
        m.canonical(Vocabulary::Sigma, image_load, "Description")
    );
    let security = Some("windows.security");
    assert_eq!(
        m.canonical(Vocabulary::Ecs, security, "service.name"),
        m.canonical(Vocabulary::Sigma, security, "ServiceName")
    );
}
