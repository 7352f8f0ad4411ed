//! `ruledex check --format sarif`: the diagnostics as a SARIF 2.1.0 log,
//! the format code-scanning tools (GitHub code scanning, IDE viewers, …)
//! read.
//!
//! One result per diagnostic: `ruleId` is the diagnostic code, `level` its
//! severity, the location the rule file with a region (start and end line
//! and column, columns counting Unicode code points) and the snippet the
//! region covers. Each code is described once, in `tool.driver.rules`,
//! from the code tables of the language crates ([`ruledex_ir::codes`]).
//! Files that could not be read are tool execution notifications, and
//! make the invocation unsuccessful unless `--allow-unreadable`.

use ruledex_catalog::LoadedFile;
use ruledex_ir::{CodeInfo, Diagnostic, DiagnosticSeverity, LineIndex, Rule, Span};
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, NotificationLevel, PhysicalLocation, Region, ReportingConfiguration,
    ReportingConfigurationLevel, ReportingDescriptor, Result as SarifResult, ResultColumnKind,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;

/// The SARIF log of `files`: results for the diagnostics of the rules
/// `selected` accepts, rules described from `codes`.
pub fn log(
    files: &[LoadedFile],
    selected: &dyn Fn(&Rule) -> bool,
    codes: &[CodeInfo],
    allow_unreadable: bool,
) -> Sarif {
    let known: BTreeMap<&str, &CodeInfo> = codes.iter().map(|c| (c.code, c)).collect();
    let mut used: BTreeMap<String, Option<&CodeInfo>> = BTreeMap::new();
    let mut results = Vec::new();
    for file in files {
        let rules: Vec<&Rule> = file.rules.iter().filter(|r| selected(r)).collect();
        if rules.iter().all(|r| r.diagnostics.is_empty()) {
            continue;
        }
        // Spans are byte offsets in the file as loaded (without a BOM).
        let text = std::fs::read_to_string(&file.path).unwrap_or_default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let index = LineIndex::new(text);
        let uri = file_uri(&file.path);
        for diagnostic in rules.iter().flat_map(|r| &r.diagnostics) {
            used.entry(diagnostic.code.clone())
                .or_insert_with(|| known.get(diagnostic.code.as_str()).copied());
            results.push(result(diagnostic, &uri, text, &index));
        }
    }
    // Rules are referenced by index too, so viewers need not search by id.
    let positions: BTreeMap<&str, usize> = used
        .keys()
        .enumerate()
        .map(|(i, code)| (code.as_str(), i))
        .collect();
    for result in &mut results {
        result.rule_index = result
            .rule_id
            .as_deref()
            .and_then(|id| positions.get(id))
            .map(|&i| i as i64);
    }
    let rules: Vec<ReportingDescriptor> = used
        .iter()
        .map(|(code, info)| descriptor(code, *info))
        .collect();
    let unreadable: Vec<Notification> = files
        .iter()
        .filter_map(|f| Some((f, f.read_error.as_deref()?)))
        .map(|(file, error)| {
            Notification::builder()
                .level(json(NotificationLevel::Error))
                .message(text_message(format!(
                    "cannot read {}: {error}",
                    file.path.display()
                )))
                .locations(vec![Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(
                                ArtifactLocation::builder()
                                    .uri(file_uri(&file.path))
                                    .build(),
                            )
                            .build(),
                    )
                    .build()])
                .build()
        })
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(unreadable.is_empty() || allow_unreadable)
        .build();
    if !unreadable.is_empty() {
        invocation.tool_execution_notifications = Some(unreadable);
    }
    let driver = ToolComponent::builder()
        .name("ruledex".to_string())
        .semantic_version(env!("CARGO_PKG_VERSION").to_string())
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(json(ResultColumnKind::UnicodeCodePoints))
        .invocations(vec![invocation])
        .results(results)
        .build();
    Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL.to_string())
        .version(json(serde_sarif::sarif::Version::V2_1_0))
        .runs(vec![run])
        .build()
}

/// The rule description of `code`, from its code table entry when it has
/// one (a code no table declares still gets an entry, with its id only).
fn descriptor(code: &str, info: Option<&CodeInfo>) -> ReportingDescriptor {
    let builder = ReportingDescriptor::builder().id(code.to_string());
    let Some(info) = info else {
        return builder.build();
    };
    let description = info.description();
    builder
        .short_description(multiformat(info.summary()))
        .full_description(multiformat(description.clone()))
        .help(
            MultiformatMessageString::builder()
                .text(description)
                .markdown(
                    info.doc
                        .lines()
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json(configuration_level(info.severity)))
                .build(),
        )
        .build()
}

/// One diagnostic as a result located in the file at `uri`.
fn result(diagnostic: &Diagnostic, uri: &str, text: &str, index: &LineIndex) -> SarifResult {
    let mut message = diagnostic.message.clone();
    for note in &diagnostic.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    let mut physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri.to_string()).build())
        .build();
    if let Some(span) = diagnostic.span {
        physical.region = Some(region(span, text, index));
        physical.context_region = context_region(span, text, index);
    }
    SarifResult::builder()
        .rule_id(diagnostic.code.clone())
        .level(result_level(diagnostic.severity))
        .message(text_message(message))
        .locations(vec![Location::builder()
            .physical_location(physical)
            .build()])
        .build()
}

/// The region `span` covers: start and end (end column exclusive, as
/// SARIF counts it), and the text as snippet.
fn region(span: Span, text: &str, index: &LineIndex) -> Region {
    let start = index.line_col(text, span.start);
    let end = index.line_col(text, span.end.max(span.start));
    let mut region = Region::builder()
        .start_line(i64::from(start.line))
        .start_column(i64::from(start.column))
        .end_line(i64::from(end.line))
        .end_column(i64::from(end.column))
        .build();
    let snippet = text.get(span.start as usize..span.end as usize);
    if let Some(snippet) = snippet.filter(|s| !s.is_empty()) {
        region.snippet = Some(ArtifactContent::builder().text(snippet.to_string()).build());
    }
    region
}

/// The whole lines the region touches, with their text, for viewers that
/// show a result in context.
fn context_region(span: Span, text: &str, index: &LineIndex) -> Option<Region> {
    let first = index.line_col(text, span.start).line as usize - 1;
    let last = index.line_col(text, span.end.max(span.start)).line as usize - 1;
    let start = index.line_span(text, first)?.start;
    let end = index.line_span(text, last)?.end;
    let lines = text.get(start as usize..end as usize)?;
    Some(
        Region::builder()
            .start_line(first as i64 + 1)
            .end_line(last as i64 + 1)
            .snippet(ArtifactContent::builder().text(lines.to_string()).build())
            .build(),
    )
}

fn result_level(severity: DiagnosticSeverity) -> ResultLevel {
    match severity {
        DiagnosticSeverity::Error => ResultLevel::Error,
        DiagnosticSeverity::Warning => ResultLevel::Warning,
        DiagnosticSeverity::Note => ResultLevel::Note,
    }
}

fn configuration_level(severity: DiagnosticSeverity) -> ReportingConfigurationLevel {
    match severity {
        DiagnosticSeverity::Error => ReportingConfigurationLevel::Error,
        DiagnosticSeverity::Warning => ReportingConfigurationLevel::Warning,
        DiagnosticSeverity::Note => ReportingConfigurationLevel::Note,
    }
}

fn text_message(text: String) -> Message {
    Message::builder().text(text).build()
}

fn multiformat(text: String) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

/// A SARIF field the crate types as free JSON (its schema enumerates the
/// strings): the enum's serialized form.
fn json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// The URI of a rule file: relative paths (as given to `ruledex check`,
/// usually from the repository root, which is what code scanning expects)
/// stay relative; absolute ones become `file://` URIs. Bytes outside the
/// URI's unreserved set are percent-encoded.
fn file_uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let relative = text.trim_start_matches("./");
    let encoded: String = relative
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if path.is_absolute() {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_or_file_uris_and_encoded() {
        assert_eq!(
            file_uri(std::path::Path::new("./Hunting Queries/a#b.yaml")),
            "Hunting%20Queries/a%23b.yaml"
        );
        assert_eq!(
            file_uri(std::path::Path::new("/srv/rules/x.yml")),
            "file:///srv/rules/x.yml"
        );
    }

    #[test]
    fn regions_have_ends_and_snippets() {
        let text = "a: 1\nquery: |\n  T | where x ==\n";
        let index = LineIndex::new(text);
        let at = text.find("==").unwrap() as u32;
        let r = region(Span::new(at, at + 2), text, &index);
        assert_eq!((r.start_line, r.start_column), (Some(3), Some(15)));
        assert_eq!((r.end_line, r.end_column), (Some(3), Some(17)));
        assert_eq!(r.snippet.unwrap().text.as_deref(), Some("=="));
        let context = context_region(Span::new(at, at + 2), text, &index).unwrap();
        assert_eq!(
            context.snippet.unwrap().text.as_deref(),
            Some("  T | where x ==")
        );
    }
}
