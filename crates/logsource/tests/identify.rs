//! How identification treats declared connectors, context sources and
//! substring filters, on a small table written here (independent of the
//! shipped data).

mod common;

use common::{connector, filters, ids_in, table};
use ruledex_ir::{Op, Platform};
use ruledex_logsource::{Category, LogSources};

const TABLE: &str = r#"
[[source]]
id = "signin"
name = "Sign-ins"
category = "identity"
[source.sentinel]
tables = ["SigninLogs"]

[[source]]
id = "indicators"
name = "Threat intelligence"
category = "context"
[source.sentinel]
tables = ["ThreatIntelligenceIndicator"]

[[source]]
id = "diagnostics"
name = "Resource logs"
category = "cloud"
[source.sentinel]
tables = [{ name = "AzureDiagnostics", shared = true }]

[[source]]
id = "squid"
name = "Squid proxy"
category = "network"
[source.sentinel]
tables = [{ name = "Syslog", when = { ProcessName = ["squid"] } }]

[[source]]
id = "syslog"
name = "Syslog"
category = "endpoint"
[source.sentinel]
tables = ["Syslog"]
"#;

fn sources() -> LogSources {
    match LogSources::from_toml(TABLE, "provider = []\n") {
        Ok(sources) => sources,
        Err(e) => panic!("test table: {e}"),
    }
}

#[test]
fn declared_connectors_decide_when_the_query_names_no_table() {
    // `table(tableName)` hides the table from the query; the connector's
    // data type names it.
    let s = sources();
    let data = [
        connector("AzureActiveDirectory", "SigninLogs"),
        connector("AzureActiveDirectory", "AADNonInteractiveUserSignInLogs"),
    ];
    assert_eq!(ids_in(&s, Platform::Sentinel, &data, &[]), ["signin"]);
    // A table the catalog does not know does not stop the fallback.
    let data = [
        table("MyParser"),
        connector("AzureActiveDirectory", "SigninLogs"),
    ];
    assert_eq!(ids_in(&s, Platform::Sentinel, &data, &[]), ["signin"]);
}

#[test]
fn a_query_naming_its_tables_is_trusted_over_its_connectors() {
    let s = sources();
    let data = [
        table("Syslog"),
        connector("AzureActiveDirectory", "SigninLogs"),
    ];
    assert_eq!(ids_in(&s, Platform::Sentinel, &data, &[]), ["syslog"]);
    // The connector's id is not a table name: `Syslog` here is the
    // connector, its data type is what counts.
    let data = [connector("Syslog", "SigninLogs")];
    assert_eq!(ids_in(&s, Platform::Sentinel, &data, &[]), ["signin"]);
}

#[test]
fn context_tables_do_not_hide_the_events_they_are_joined_with() {
    let s = sources();
    // The indicator table is named, the sign-ins come through a function
    // parameter: both count.
    let data = [
        table("ThreatIntelligenceIndicator"),
        connector("AzureActiveDirectory", "SigninLogs"),
    ];
    assert_eq!(
        ids_in(&s, Platform::Sentinel, &data, &[]),
        ["signin", "indicators"]
    );
    // A shared container joined with indicators still counts: the
    // indicators are not the specific name that makes a container moot.
    let data = [
        table("ThreatIntelligenceIndicator"),
        table("AzureDiagnostics"),
    ];
    assert_eq!(
        ids_in(&s, Platform::Sentinel, &data, &[]),
        ["indicators", "diagnostics"]
    );
    // Without any event source, the indicators alone.
    let data = [table("ThreatIntelligenceIndicator")];
    assert_eq!(ids_in(&s, Platform::Sentinel, &data, &[]), ["indicators"]);
}

#[test]
fn substring_filters_satisfy_conditions_as_globs() {
    let s = sources();
    let data = [table("Syslog")];
    for op in [Op::Eq, Op::Contains, Op::StartsWith, Op::EndsWith, Op::Has] {
        let f = filters(&[("ProcessName", op, &["squid"])]);
        assert_eq!(
            ids_in(&s, Platform::Sentinel, &data, &f),
            ["squid"],
            "{op:?}"
        );
    }
    // A substring that is not part of the condition's value does not match.
    let f = filters(&[("ProcessName", Op::Contains, &["sshd"])]);
    assert_eq!(ids_in(&s, Platform::Sentinel, &data, &f), ["syslog"]);
    // Negated filters never pick a source.
    let f = filters(&[("ProcessName", Op::NotContains, &["squid"])]);
    assert_eq!(ids_in(&s, Platform::Sentinel, &data, &f), ["syslog"]);
}

#[test]
fn substring_filters_become_globs() {
    let f = filters(&[
        ("a", Op::Contains, &["x"]),
        ("b", Op::StartsWith, &["y"]),
        ("c", Op::EndsWith, &["z"]),
        ("d", Op::Eq, &["w"]),
        ("e", Op::Contains, &[""]),
    ]);
    let shown: Vec<(String, Vec<String>)> = f.into_iter().map(|f| (f.field, f.values)).collect();
    assert_eq!(
        shown,
        [
            ("a".to_string(), vec!["*x*".to_string()]),
            ("b".to_string(), vec!["y*".to_string()]),
            ("c".to_string(), vec!["*z".to_string()]),
            ("d".to_string(), vec!["w".to_string()]),
        ]
    );
}

#[test]
fn new_categories_have_ids() {
    let s = sources();
    assert_eq!(
        s.get("indicators").map(|l| l.category),
        Some(Category::Context)
    );
    assert_eq!(Category::Context.id(), "context");
    assert_eq!(Category::Posture.id(), "posture");
    assert_eq!(Category::Application.id(), "application");
}
