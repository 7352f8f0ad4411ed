//! Loaders for the file formats KQL rules come in.
//!
//! - [`SentinelFormat`]: Microsoft Sentinel analytics rules (Scheduled, NRT)
//!   and hunting queries, YAML with a `query:` key.
//! - [`MarkdownFormat`]: Markdown documents whose fenced KQL blocks are
//!   queries (Defender XDR hunting-query collections), one rule per block.
//! - [`PlainFormat`]: `.kql`, `.csl`, `.kusto` files, and `.txt` files whose
//!   content is KQL.
//!
//! Each loader extracts the query with an [`OffsetMap`] back to the file,
//! then [`analyze`](crate::analyze)s it, so every stage and diagnostic points
//! into the file.

mod markdown;
mod notebook;
mod plain;
mod sentinel;

pub use markdown::MarkdownFormat;
pub use plain::PlainFormat;
pub use sentinel::SentinelFormat;

use ruledex_ir::{Language, OffsetMap, Platform, Query, Rule};

/// Tables only Defender XDR advanced hunting has (Sentinel has them too when
/// the Defender connector streams them, but a query that reads nothing else
/// was written for advanced hunting).
const DEFENDER_TABLES: &[&str] = &[
    "AlertEvidence",
    "AlertInfo",
    "BehaviorEntities",
    "BehaviorInfo",
    "CloudAppEvents",
    "DeviceEvents",
    "DeviceFileCertificateInfo",
    "DeviceFileEvents",
    "DeviceImageLoadEvents",
    "DeviceInfo",
    "DeviceLogonEvents",
    "DeviceNetworkEvents",
    "DeviceNetworkInfo",
    "DeviceProcessEvents",
    "DeviceRegistryEvents",
    "DeviceTvmSoftwareInventory",
    "DeviceTvmSoftwareVulnerabilities",
    "DeviceTvmSecureConfigurationAssessment",
    "EmailAttachmentInfo",
    "EmailEvents",
    "EmailPostDeliveryEvents",
    "EmailUrlInfo",
    "IdentityDirectoryEvents",
    "IdentityInfo",
    "IdentityLogonEvents",
    "IdentityQueryEvents",
    "UrlClickEvents",
];

/// Analyze `query` (cut out of the file at `map`) into `rule`, recording the
/// query text and its first line.
fn attach_query(rule: &mut Rule, query: &str, map: &OffsetMap, file_text: &str) {
    let start = map.to_file(0);
    let line = ruledex_ir::LineIndex::new(file_text)
        .line_col(file_text, start)
        .line;
    rule.query = Some(Query {
        language: Language::Kql,
        text: query.to_string(),
        line,
    });
    rule.absorb(crate::analyze(query, map));
}

/// Defender XDR when every table the rule reads is an advanced-hunting
/// table, Sentinel otherwise.
fn platform_from_tables(rule: &Rule) -> Platform {
    let tables: Vec<&str> = rule
        .data_sources
        .iter()
        .filter(|d| d.kind == ruledex_ir::DataSourceKind::Table)
        .map(|d| d.name.as_str())
        .collect();
    if !tables.is_empty() && tables.iter().all(|t| DEFENDER_TABLES.contains(t)) {
        Platform::DefenderXdr
    } else {
        Platform::Sentinel
    }
}

/// The title of the n-th (0-based) query of a text holding several: the
/// document's title and the query's first comment when it has one
/// (`Account brute force: Query #1: Look for public IP…`), else its number.
fn numbered_title(base: &str, n: usize, query: &str) -> String {
    match leading_comment(query) {
        Some(comment) => {
            let mut short: String = comment.chars().take(90).collect();
            if short.len() < comment.len() {
                short.push('…');
            }
            format!("{base}: {short}")
        }
        None => format!("{base} (query {})", n + 1),
    }
}

/// The first lines of `//` comments at the top of a query, as a description.
fn leading_comment(query: &str) -> Option<String> {
    let lines: Vec<&str> = query
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with("//"))
        .map(|l| l.trim_start_matches('/').trim())
        .filter(|l| !l.is_empty() && l.chars().any(char::is_alphanumeric))
        .collect();
    (!lines.is_empty()).then(|| lines.join(" "))
}
