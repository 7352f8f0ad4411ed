//! Helpers shared by the integration tests: data sources as loaders build
//! them, and filters built the way the catalog builds them (from a rule's
//! indicators).

#![allow(dead_code)]

use ruledex_ir::{
    collect_indicators, Comparison, DataSource, DataSourceKind, Op, Platform, Predicate, Span,
    Stage, Value,
};
use ruledex_logsource::{Filter, LogSources};

/// A Sentinel / Defender table.
pub fn table(name: &str) -> DataSource {
    DataSource::new(DataSourceKind::Table, name)
}

/// An Elasticsearch index pattern.
pub fn index(name: &str) -> DataSource {
    DataSource::new(DataSourceKind::Index, name)
}

/// An Elastic `event.dataset`.
pub fn dataset(name: &str) -> DataSource {
    DataSource::new(DataSourceKind::Dataset, name)
}

/// A Splunk sourcetype.
pub fn sourcetype(name: &str) -> DataSource {
    DataSource::new(DataSourceKind::Sourcetype, name)
}

/// A Chronicle or Panther log type.
pub fn log_type(name: &str) -> DataSource {
    DataSource::new(DataSourceKind::LogType, name)
}

/// A Sentinel `requiredDataConnectors` entry for one data type, as the KQL
/// loader records it.
pub fn connector(id: &str, data_type: &str) -> DataSource {
    let mut source = DataSource::new(DataSourceKind::Connector, id);
    source
        .attributes
        .insert("dataTypes".to_string(), data_type.to_string());
    source
}

/// A Sigma `logsource` block.
pub fn sigma(product: Option<&str>, category: Option<&str>, service: Option<&str>) -> DataSource {
    let mut source = DataSource::new(DataSourceKind::Logsource, "sigma");
    for (key, value) in [
        ("product", product),
        ("category", category),
        ("service", service),
    ] {
        if let Some(value) = value {
            source.attributes.insert(key.to_string(), value.to_string());
        }
    }
    source
}

/// The filters of a rule whose one stage is `field <op> values` for each
/// comparison, built through the IR's indicator collection as the catalog
/// does.
pub fn filters(comparisons: &[(&str, Op, &[&str])]) -> Vec<Filter> {
    let predicates: Vec<Predicate> = comparisons
        .iter()
        .map(|(field, op, values)| {
            Predicate::Compare(Comparison::new(
                *field,
                *op,
                values.iter().map(|v| Value::from(*v)).collect(),
            ))
        })
        .collect();
    let mut stage = Stage::new("where", "", Span::default());
    stage.predicate = Some(Predicate::And(predicates));
    Filter::from_indicators(&collect_indicators(&[], &[stage]))
}

/// The ids `sources` identifies for a rule of `platform`.
pub fn ids_in(
    sources: &LogSources,
    platform: Platform,
    data: &[DataSource],
    filters: &[Filter],
) -> Vec<String> {
    sources
        .identify(platform, data, filters)
        .into_iter()
        .map(|found| found.logsource.id.clone())
        .collect()
}

/// The ids the shipped table identifies.
pub fn ids(platform: Platform, data: &[DataSource], filters: &[Filter]) -> Vec<String> {
    ids_in(LogSources::embedded(), platform, data, filters)
}
