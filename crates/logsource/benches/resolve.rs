//! How fast the tables answer: identification of a rule's log source and a
//! field lookup, on the embedded data.

use ruledex_ir::{DataSource, DataSourceKind, Platform};
use ruledex_logsource::{FieldMap, Filter, LogSources, Vocabulary};

fn main() {
    divan::main();
}

#[divan::bench]
fn parse_embedded_tables() -> usize {
    let sources = LogSources::from_toml(
        include_str!("../data/logsources.toml"),
        include_str!("../data/providers.toml"),
    )
    .map_or(0, |s| s.len());
    let fields = FieldMap::from_toml(include_str!("../data/fields.toml")).map_or(0, |f| f.len());
    sources + fields
}

#[divan::bench]
fn identify_elastic_endpoint_rule(bencher: divan::Bencher) {
    let sources = LogSources::embedded();
    let indexes: Vec<DataSource> = [
        "winlogbeat-*",
        "logs-endpoint.events.process-*",
        "logs-windows.sysmon_operational-*",
        "endgame-*",
        "logs-m365_defender.event-*",
        "logs-sentinel_one_cloud_funnel.*",
        "logs-crowdstrike.fdr*",
        "logs-system.security*",
    ]
    .iter()
    .map(|name| DataSource::new(DataSourceKind::Index, *name))
    .collect();
    let filters = [
        Filter::new("host.os.type", ["windows"]),
        Filter::new("event.category", ["process"]),
        Filter::new("event.type", ["start"]),
    ];
    bencher.bench(|| {
        sources
            .identify(Platform::Elastic, divan::black_box(&indexes), &filters)
            .len()
    });
}

#[divan::bench]
fn identify_sentinel_table(bencher: divan::Bencher) {
    let sources = LogSources::embedded();
    let table = [DataSource::new(DataSourceKind::Table, "SigninLogs")];
    bencher.bench(|| {
        sources
            .identify(Platform::Sentinel, divan::black_box(&table), &[])
            .len()
    });
}

#[divan::bench]
fn canonical_field(bencher: divan::Bencher) {
    let map = FieldMap::embedded();
    bencher.bench(|| {
        map.canonical(
            Vocabulary::Sentinel,
            Some("windows.process_creation"),
            divan::black_box("InitiatingProcessFileName"),
        )
    });
}
