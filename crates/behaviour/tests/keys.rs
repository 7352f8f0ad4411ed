//! Behaviour keys, one normalizer at a time: the values that should meet do,
//! the ones that should not do not.

use ruledex_behaviour::{Aspect, Behaviour, Key, KeyKind, ValueContext};
use ruledex_ir::{Op, Value};

fn keys(field: &str, op: Op, value: &str) -> Vec<String> {
    keys_in(field, op, Value::from(value), &ValueContext::default())
}

fn keys_in(field: &str, op: Op, value: Value, context: &ValueContext<'_>) -> Vec<String> {
    Behaviour::embedded()
        .keys(field, op, &value, context)
        .iter()
        .map(Key::id)
        .collect()
}

#[test]
fn the_shipped_tables_parse() {
    let b = Behaviour::embedded();
    assert!(b.fields().count() > 40);
    assert!(b.is_selector("event.dataset"));
    assert!(!b.is_selector("process.name"));
}

#[test]
fn a_process_image_is_its_base_name_in_every_vocabulary() {
    let certutil = vec!["process|name|eq|certutil.exe".to_string()];
    // Sigma Image|endswith, OriginalFileName; ECS process.name/.executable;
    // Defender FolderPath; UDM full path; CIM process_path glob.
    assert_eq!(
        keys("process.executable", Op::EndsWith, r"\certutil.exe"),
        certutil
    );
    assert_eq!(
        keys("process.pe.original_file_name", Op::Eq, "CertUtil.exe"),
        certutil
    );
    assert_eq!(keys("process.name", Op::Eq, "certutil.exe"), certutil);
    assert_eq!(
        keys(
            "process.executable",
            Op::Eq,
            r"C:\Windows\System32\certutil.exe"
        ),
        certutil
    );
    assert_eq!(
        keys("process.executable", Op::Wildcard, r"*\certutil.exe"),
        certutil
    );
    assert_eq!(
        keys("process.executable", Op::Wildcard, r"C:\*\certutil.exe"),
        certutil
    );
    assert_eq!(
        keys("process.executable", Op::Regex, r"\\certutil\.exe$"),
        certutil
    );
    assert_eq!(
        keys("process.executable", Op::EndsWith, "/usr/bin/certutil.exe"),
        certutil
    );
    // Negative operators are the same key (the rule says it excludes it).
    assert_eq!(keys("process.name", Op::NotIn, "certutil.exe"), certutil);
    // The parent is another subject.
    assert_eq!(
        keys("process.parent.executable", Op::EndsWith, r"\certutil.exe"),
        ["parent process|name|eq|certutil.exe"]
    );
}

#[test]
fn partial_images_are_names_extensions_or_folders() {
    assert_eq!(
        keys("process.name", Op::StartsWith, "psexe"),
        ["process|name|startswith|psexe"]
    );
    assert_eq!(
        keys("process.executable", Op::Contains, "mimikatz"),
        ["process|name|contains|mimikatz"]
    );
    assert_eq!(
        keys("process.executable", Op::EndsWith, ".scr"),
        ["process|ext|eq|scr"]
    );
    assert_eq!(keys("file.extension", Op::Eq, "scr"), ["file|ext|eq|scr"]);
    assert_eq!(
        keys("file.path", Op::Wildcard, r"C:\Users\*.lnk"),
        ["file|ext|eq|lnk"]
    );
    // Folders: drive letters, environment variables and user folders fold.
    let appdata = vec!["process|path|contains|%appdata%".to_string()];
    assert_eq!(
        keys("process.executable", Op::Contains, r"\AppData\Roaming\"),
        appdata
    );
    assert_eq!(
        keys(
            "process.executable",
            Op::StartsWith,
            r"C:\Users\bob\AppData\Roaming\"
        ),
        appdata
    );
    assert_eq!(
        keys(
            "process.executable",
            Op::Wildcard,
            r"C:\Users\*\AppData\Roaming\*"
        ),
        appdata
    );
    assert_eq!(
        keys("file.path", Op::StartsWith, r"%LOCALAPPDATA%\Temp\"),
        keys("file.path", Op::Contains, r"\AppData\Local\Temp\")
    );
    assert_eq!(
        keys("file.path", Op::Contains, r"C:\Windows\Temp\"),
        ["file|path|contains|%windir%\\temp"]
    );
    assert_eq!(
        keys("file.path", Op::Contains, r"\\Windows\\Temp\\"),
        ["file|path|contains|%windir%\\temp"]
    );
    // `\users\public` is a folder of its own, not a user profile.
    assert_eq!(
        keys("file.path", Op::Contains, r"C:\Users\Public\"),
        ["file|path|contains|%public%"]
    );
}

#[test]
fn command_line_flags_fold_their_dash_forms_and_quotes() {
    let urlcache = vec!["command line||contains|-urlcache".to_string()];
    for written in [
        "-urlcache",
        "/urlcache",
        "\u{2013}urlcache",
        " /URLCACHE ",
        "'-urlcache'",
    ] {
        assert_eq!(
            keys("process.command_line", Op::Contains, written),
            urlcache,
            "{written}"
        );
    }
    // An argument is a fragment of the command line.
    assert_eq!(keys("process.args", Op::Eq, "-urlcache"), urlcache);
    assert_eq!(
        keys("process.command_line", Op::Contains, r#"-f  "http://x""#),
        ["command line||contains|-f http://x"]
    );
    // Paths are not flags.
    assert_eq!(
        keys("process.command_line", Op::Contains, "/tmp/x"),
        ["command line||contains|/tmp/x"]
    );
    // Backslashes do not count: a LIKE pattern's escapes eat some of them.
    assert_eq!(
        keys("process.command_line", Op::Contains, r"\\localhost\admin$\"),
        keys("process.command_line", Op::Contains, r"\localhostadmin$"),
    );
    assert_eq!(
        keys("process.command_line", Op::Contains, r"\msdt.exe"),
        ["command line||contains|msdt.exe"]
    );
    // A double dash stays a double dash.
    assert_eq!(
        keys("process.command_line", Op::Contains, "--headless"),
        ["command line||contains|--headless"]
    );
    assert!(keys("process.command_line", Op::Contains, "  ").is_empty());
}

#[test]
fn registry_paths_fold_their_hive_spellings() {
    let run =
        vec![r"registry key||contains|software\microsoft\windows\currentversion\run".to_string()];
    for written in [
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run",
        r"HKEY_LOCAL_MACHINE\Software\Microsoft\Windows\CurrentVersion\Run",
        r"\REGISTRY\MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run",
        r"HKCU:\Software\Microsoft\Windows\CurrentVersion\Run",
        r"HKU\S-1-5-21-1-2-3-1001\Software\Microsoft\Windows\CurrentVersion\Run",
        r"\Software\Microsoft\Windows\CurrentVersion\Run\",
        r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Run",
    ] {
        assert_eq!(
            keys("registry.path", Op::Contains, written),
            run,
            "{written}"
        );
    }
    assert_eq!(
        keys(
            "registry.path",
            Op::Wildcard,
            r"HKEY_USERS\*\Software\Microsoft\Windows\CurrentVersion\Run\*"
        ),
        run
    );
    // A user's classes are HKCR.
    assert_eq!(
        keys(
            "registry.path",
            Op::StartsWith,
            r"HKU\S-1-5-21-1_Classes\ms-settings\shell"
        ),
        keys("registry.path", Op::Contains, r"HKCR\ms-settings\shell"),
    );
    assert_eq!(
        keys("registry.path", Op::Contains, r"\ControlSet001\Services\"),
        [r"registry key||contains|currentcontrolset\services"]
    );
    assert_eq!(
        keys("registry.path", Op::Wildcard, r"*\Services\*\ImagePath"),
        [r"registry key||glob|services\*\imagepath"]
    );
}

#[test]
fn event_ids_need_their_provider() {
    let security = ValueContext {
        regex_anchored: false,
        event_provider: Some("security"),
    };
    assert_eq!(
        keys_in("event.code", Op::Eq, Value::Integer(4688), &security),
        ["event||eq|security:4688"]
    );
    assert_eq!(
        keys_in("event.code", Op::Eq, Value::from("4688"), &security),
        ["event||eq|security:4688"]
    );
    assert!(keys_in(
        "event.code",
        Op::Eq,
        Value::Integer(1),
        &ValueContext::default()
    )
    .is_empty());
}

#[test]
fn network_values_have_one_form() {
    assert_eq!(
        keys("destination.ip", Op::Cidr, "10.1.2.3/8"),
        ["destination address||cidr|10.0.0.0/8"]
    );
    assert_eq!(
        keys("destination.ip", Op::Eq, "10.0.0.0/8"),
        ["destination address||cidr|10.0.0.0/8"]
    );
    assert_eq!(
        keys("destination.ip", Op::Eq, "::FFFF:1"),
        ["destination address||eq|::ffff:1"]
    );
    let ctx = ValueContext::default();
    assert_eq!(
        keys_in("destination.port", Op::Eq, Value::Integer(443), &ctx),
        ["destination port||eq|443"]
    );
    assert_eq!(
        keys("destination.port", Op::In, "443"),
        ["destination port||eq|443"]
    );
    assert_eq!(
        keys("dns.question.name", Op::Eq, "*.NGROK.io."),
        ["domain||endswith|ngrok.io"]
    );
    assert_eq!(
        keys("dns.question.name", Op::EndsWith, ".ngrok.io"),
        ["domain||endswith|ngrok.io"]
    );
}

#[test]
fn hashes_lose_their_algorithm_prefix() {
    assert_eq!(
        keys("process.hash", Op::Contains, "SHA256=ABCDEF0123"),
        keys("process.hash.sha256", Op::Eq, "abcdef0123")
    );
}

#[test]
fn regexes_read_as_the_literal_they_are_or_stay_regexes() {
    let elastic = ValueContext {
        regex_anchored: true,
        event_provider: None,
    };
    assert_eq!(
        keys_in(
            "process.executable",
            Op::Regex,
            Value::from(r".*\\certutil\.exe"),
            &elastic
        ),
        ["process|name|eq|certutil.exe"]
    );
    assert_eq!(
        keys("process.command_line", Op::Regex, r"(?i)\s-enc\s"),
        [r"command line||regex|(?i)\s-enc\s"]
    );
}

#[test]
fn other_fields_are_text_under_their_own_name_and_selectors_give_nothing() {
    assert_eq!(
        keys("azure.signin:Status", Op::Eq, " Success "),
        ["azure.signin:Status||eq|success"]
    );
    let ctx = ValueContext::default();
    assert_eq!(
        keys_in(
            "azure.signinlogs.result_type",
            Op::Eq,
            Value::Integer(0),
            &ctx
        ),
        ["azure.signinlogs.result_type||eq|0"]
    );
    assert_eq!(
        keys_in(
            "azure.signinlogs.result_type",
            Op::Eq,
            Value::from("0"),
            &ctx
        ),
        ["azure.signinlogs.result_type||eq|0"]
    );
    assert!(keys("event.dataset", Op::Eq, "azure.signinlogs").is_empty());
    assert!(keys("host.os.type", Op::Eq, "windows").is_empty());
    assert!(keys_in(
        "@timestamp",
        Op::Gt,
        Value::Datetime {
            datetime: "ago(1d)".into()
        },
        &ctx
    )
    .is_empty());
    assert_eq!(keys("user.name", Op::Exists, ""), ["user.name||exists|"]);
}

#[test]
fn keys_describe_themselves_for_evidence() {
    let b = Behaviour::embedded();
    let ctx = ValueContext::default();
    let describe =
        |field, op, value: &str| b.keys(field, op, &Value::from(value), &ctx)[0].to_string();
    assert_eq!(
        describe("process.executable", Op::EndsWith, r"\certutil.exe"),
        "process certutil.exe"
    );
    assert_eq!(
        describe("file.path", Op::Contains, r"\Temp\"),
        r"file path contains temp"
    );
    assert_eq!(
        describe("process.executable", Op::EndsWith, ".scr"),
        "process extension scr"
    );
    let _ = (Aspect::Whole, KeyKind::Eq);
}

#[test]
fn bad_tables_are_errors_not_panics() {
    let paths = include_str!("../data/paths.toml");
    assert!(Behaviour::from_toml("{{", paths).is_err());
    let twice = "[[meaning]]\nid = \"a\"\nnormalizer = \"text\"\nfields = [\"x\"]\n[[meaning]]\nid = \"b\"\nnormalizer = \"text\"\nfields = [\"x\"]\n";
    assert!(Behaviour::from_toml(twice, paths)
        .unwrap_err()
        .message
        .contains("two meanings"));
    let meanings = include_str!("../data/meanings.toml");
    let upper = paths.replace("\"%appdata%\", \"$env:appdata\"", "\"%APPDATA%\"");
    assert!(Behaviour::from_toml(meanings, &upper)
        .unwrap_err()
        .message
        .contains("lower case"));
}

#[test]
fn event_providers_from_channels_data_sources_and_log_sources() {
    let b = Behaviour::embedded();
    assert_eq!(b.provider_of_channel("Security"), "security");
    assert_eq!(
        b.provider_of_channel("Microsoft-Windows-Sysmon/Operational"),
        "sysmon"
    );
    assert_eq!(
        b.provider_of_channel("Microsoft-Windows-Bits-Client/Operational"),
        "microsoft-windows-bits-client/operational"
    );
    // A channel as Splunk's `source` names it: a known one, then any other.
    assert_eq!(
        b.provider_of_channel("WinEventLog:Microsoft-Windows-Sysmon/Operational"),
        "sysmon"
    );
    assert_eq!(
        b.provider_of_channel("XmlWinEventLog:Microsoft-Windows-Lab/Operational"),
        "microsoft-windows-lab/operational"
    );
    // The DNS client's channel by its display name, as pySigma's ECS
    // pipeline and Splunk backend write it, is the DNS client's.
    for spelling in [
        "Microsoft-Windows-DNS Client Events/Operational",
        "WinEventLog:Microsoft-Windows-DNS Client Events/Operational",
        "Microsoft-Windows-DNS-Client/Operational",
    ] {
        assert_eq!(
            b.provider_of_channel(spelling),
            "microsoft-windows-dns-client/operational",
            "{spelling}"
        );
    }
    assert_eq!(b.provider_of_data_source("SecurityEvent"), Some("security"));
    assert_eq!(
        b.provider_of_data_source("logs-windows.sysmon_operational-*"),
        Some("sysmon")
    );
    assert_eq!(b.provider_of_data_source("winlogbeat-*"), None);
    assert_eq!(
        b.provider_of_logsource("windows.security"),
        Some("security")
    );
    assert_eq!(b.provider_of_logsource("windows.process_creation"), None);
}
