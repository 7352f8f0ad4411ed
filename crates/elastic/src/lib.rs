//! Elastic detection rules (TOML, as in `elastic/detection-rules`) loaded
//! into the ruledex model.
//!
//! [`ElasticFormat`] implements [`RuleFormat`] under the name
//! `elastic-toml`. It reads three kinds of files:
//!
//! - **rules**: `[metadata]` + `[rule]` + `[[rule.threat]]`, in kuery,
//!   Lucene, EQL or ES|QL, or without a query (`machine_learning`);
//! - **hunting queries**: a `[hunt]` table with a list of queries, one
//!   [`Rule`] of class [`RuleClass::Hunting`] per query (OSQuery SQL queries
//!   are kept in the `osquery` property, since ruledex has no SQL parser);
//! - **endpoint behaviour rules** (`elastic/protections-artifacts`): a
//!   `[rule]` table with no `type` and no `language`, an `os_list`, a
//!   `min_endpoint_version`, top-level `[[actions]]` and `[[threat]]`.
//!   Their query is the endpoint's EQL ([`ruledex_eql::Dialect::Endpoint`]);
//!   the rule's `kind` is `endpoint`, and the IR keeps what the agent does
//!   with a match in properties: `os_list`, `min_endpoint_version`,
//!   `actions` and `optional_actions` (each `{action, field, state}`),
//!   `license`, `internal`. Their data source is Elastic Defend's event
//!   stream, the index `logs-endpoint.events.*`, with the `os_list`;
//! - anything else is not recognized by [`RuleFormat::sniff`].
//!
//! A `[rule]` without a `language` (and no `type` saying it) gets the
//! language its query is written in: EQL for `<category> where …`,
//! `sequence …` or `sample …`, ES|QL for `from …`, kuery otherwise.
//!
//! The query is located in the file through the TOML value's span, so every
//! diagnostic of the query's parser points at the right line and column.
//! Queries are analyzed by the crate of their language ([`dispatch`]).
//!
//! ```
//! use ruledex_elastic::ElasticFormat;
//! use ruledex_ir::{RuleFormat, SourceFile, Language, RuleClass};
//!
//! let text = r#"
//! [metadata]
//! creation_date = "2024/01/02"
//! maturity = "production"
//!
//! [rule]
//! rule_id = "0d6f0c1e-0000-4000-8000-000000000001"
//! name = "Shell spawned by a web server"
//! description = "A web server process started a shell."
//! severity = "high"
//! risk_score = 73
//! type = "eql"
//! language = "eql"
//! index = ["logs-endpoint.events.process-*"]
//! building_block_type = "default"
//! query = '''
//! process where process.parent.name : "nginx" and process.name : ("sh", "bash")
//! '''
//!
//! [[rule.threat]]
//! framework = "MITRE ATT&CK"
//! [rule.threat.tactic]
//! id = "TA0002"
//! name = "Execution"
//! "#;
//! let file = SourceFile::standalone("rules/web_shell.toml", text);
//! assert!(ElasticFormat.sniff(&file));
//! let rules = ElasticFormat.load(&file);
//! let rule = &rules[0];
//! assert_eq!(rule.language, Language::Eql);
//! assert!(rule.has_class(RuleClass::BuildingBlock));
//! assert_eq!(rule.properties["risk_score"], 73);
//! assert_eq!(rule.attack[0].name.as_deref(), Some("Execution"));
//! assert_eq!(rule.indicators[1].values.len(), 2); // process.name in~ ("sh", "bash")
//! ```

pub mod dispatch;
pub mod ndjson;
pub mod plain;
pub mod spanned;

use ruledex_eql::Dialect;
use ruledex_ir::{
    resolve_positions, AttackKind, AttackRef, DataSource, DataSourceKind, Dependency,
    DependencyKind, Diagnostic, IndicatorKind, Language, LineIndex, Op, OutputField, Platform,
    Query, Rule, RuleClass, RuleFormat, Severity, SourceFile, Span, Value,
};
use spanned::{get, get_str, get_table, span_of, string_map, strings, to_json};
use toml::de::{DeTable, DeValue};

/// The Elastic TOML rule format (`elastic-toml`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ElasticFormat;

/// The format name recorded in provenance.
pub const FORMAT_NAME: &str = "elastic-toml";

/// Diagnostic codes of the loader. Stable; never reused.
pub mod codes {
    ruledex_ir::diagnostic_codes! {
        /// Every code of the Elastic loader, for reports that describe codes
        /// (SARIF).
        pub const ALL;

        /// The file is not valid TOML (one diagnostic per syntax error).
        MALFORMED_TOML = "ELA001";
        /// The file has neither a `[rule]` nor a `[hunt]` table.
        NOT_A_RULE = "ELA002";
        /// A required key (`rule_id`, `name`, `type`; `uuid`, `name` for hunts)
        /// is missing.
        MISSING_FIELD = "ELA003", Warning;
        /// A rule type that needs a query has none.
        MISSING_QUERY = "ELA004";
        /// The `language` is none of kuery, lucene, eql, esql.
        UNKNOWN_LANGUAGE = "ELA005";
        /// A `[[rule.threat]]` block is malformed (no tactic, no id, wrong type).
        BAD_THREAT = "ELA006", Warning;
        /// A key has the wrong type (a number where a string is expected, …).
        WRONG_TYPE = "ELA007", Warning;
        /// `severity` is not a known level.
        UNKNOWN_SEVERITY = "ELA008", Warning;
        /// A `machine_learning` rule names no job.
        MISSING_ML_JOB = "ELA009", Warning;
        /// The query's language has no analyzer in this build; it is kept as text.
        NOT_ANALYZED = "ELA010", Note;
        /// A hunting query starts with a stray `sql` line (a Markdown fence
        /// leftover); it is skipped and the rest analyzed as ES|QL.
        STRAY_SQL_LINE = "ELA011", Warning;
        /// A hunting file has no query.
        NO_HUNT_QUERY = "ELA012", Warning;
    }
}

/// Rule types that run a query.
const QUERY_TYPES: [&str; 6] = [
    "query",
    "eql",
    "esql",
    "threshold",
    "new_terms",
    "threat_match",
];

/// Fields whose equality values name the data a rule reads.
const DATASET_FIELDS: [&str; 3] = ["event.dataset", "event.category", "data_stream.dataset"];

/// `[rule]` keys that map to `Rule` fields (everything else goes to
/// `properties`).
const RULE_FIELD_KEYS: [&str; 14] = [
    "rule_id",
    "name",
    "description",
    "severity",
    "type",
    "language",
    "query",
    "index",
    "from",
    "interval",
    "author",
    "tags",
    "references",
    "false_positives",
];

impl RuleFormat for ElasticFormat {
    fn name(&self) -> &'static str {
        FORMAT_NAME
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[
            codes::ALL,
            ruledex_eql::Code::CODES,
            ruledex_esql::ErrorCode::CODES,
            ruledex_kuery::ErrorCode::CODES,
            ruledex_lucene::ErrorCode::CODES,
        ]
    }

    /// A `.toml` file with a `[rule]` (or `[rule.…]`) or `[hunt]` table.
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        file.extension() == "toml"
            && file.text.lines().any(|line| {
                let line = line.trim_start();
                line.starts_with("[rule]")
                    || line.starts_with("[rule.")
                    || line.starts_with("[[rule.")
                    || line.starts_with("[hunt]")
            })
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let mut rules = load_rules(file);
        resolve_positions(&mut rules, file.text);
        rules
    }
}

fn load_rules(file: &SourceFile<'_>) -> Vec<Rule> {
    let (document, errors) = DeTable::parse_recoverable(file.text);
    let toml_diagnostics: Vec<Diagnostic> = errors
        .iter()
        .map(|e| {
            let mut d = Diagnostic::error(
                codes::MALFORMED_TOML,
                format!("invalid TOML: {}", first_line(e.message())),
            );
            if let Some(range) = e.span() {
                d = d.with_span(Span::from_range(range));
            }
            d
        })
        .collect();
    let root = document.get_ref();
    let mut rules = if let Some(hunt) = get_table(root, "hunt") {
        load_hunt(file, hunt)
    } else if let Some(rule) = get_table(root, "rule").filter(|r| is_endpoint_rule(root, r)) {
        vec![load_endpoint_rule(file, root, rule)]
    } else if let Some(rule) = get_table(root, "rule") {
        vec![load_rule(file, root, rule)]
    } else {
        let mut rule = empty_rule(file, None);
        if toml_diagnostics.is_empty() {
            rule.diagnostics.push(Diagnostic::error(
                codes::NOT_A_RULE,
                "no `[rule]` or `[hunt]` table: not an Elastic rule",
            ));
        }
        vec![rule]
    };
    let file_len = u32::try_from(file.text.len()).unwrap_or(u32::MAX);
    for rule in &mut rules {
        let mut all = toml_diagnostics.clone();
        all.append(&mut rule.diagnostics);
        rule.diagnostics = all;
        clamp_spans(rule, file_len);
    }
    rules
}

/// Keep every span inside the file. Spans can only fall outside when TOML
/// error recovery produced a value that is not in the file as such; a
/// diagnostic must still point somewhere real.
fn clamp_spans(rule: &mut Rule, len: u32) {
    let clamp = |span: &mut Span| *span = Span::new(span.start.min(len), span.end.min(len));
    for d in &mut rule.diagnostics {
        if let Some(span) = &mut d.span {
            clamp(span);
        }
    }
    for stage in &mut rule.stages {
        clamp(&mut stage.span);
    }
    for indicator in &mut rule.indicators {
        if let Some(span) = &mut indicator.span {
            clamp(span);
        }
    }
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// A rule with provenance, body and platform, ready to be filled.
fn empty_rule(file: &SourceFile<'_>, index: Option<usize>) -> Rule {
    Rule {
        id: file.stem().to_string(),
        title: file.stem().to_string(),
        platform: Platform::Elastic,
        language: Language::Kuery,
        provenance: file.provenance(FORMAT_NAME, index),
        body: file.text.to_string(),
        ..Rule::default()
    }
}

/// Collects diagnostics while reading keys.
struct Reader {
    diagnostics: Vec<Diagnostic>,
}

impl Reader {
    fn wrong_type(&mut self, key: &str, expected: &str, value: &toml::Spanned<DeValue<'_>>) {
        self.diagnostics.push(
            Diagnostic::warning(
                codes::WRONG_TYPE,
                format!(
                    "`{key}` should be {expected}, not a {}",
                    value.get_ref().type_str()
                ),
            )
            .with_span(span_of(value)),
        );
    }

    /// `table[key]` as a string; wrong types are reported.
    fn string(&mut self, table: &DeTable<'_>, key: &str) -> Option<String> {
        let value = get(table, key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            DeValue::Integer(_) | DeValue::Float(_) => Some(to_json(value.get_ref()).to_string()),
            _ => {
                self.wrong_type(key, "a string", value);
                None
            }
        }
    }

    /// `table[key]` as a list of strings (a single string counts).
    fn list(&mut self, table: &DeTable<'_>, key: &str) -> Vec<String> {
        let Some(value) = get(table, key) else {
            return Vec::new();
        };
        match strings(value.get_ref()) {
            Some(list) => list,
            None => {
                self.wrong_type(key, "a string or a list of strings", value);
                Vec::new()
            }
        }
    }
}

fn language_of(name: &str) -> Option<Language> {
    match name.trim().to_ascii_lowercase().as_str() {
        "kuery" | "kql" => Some(Language::Kuery),
        "lucene" => Some(Language::Lucene),
        "eql" => Some(Language::Eql),
        "esql" | "es|ql" => Some(Language::Esql),
        _ => None,
    }
}

fn load_rule(file: &SourceFile<'_>, root: &DeTable<'_>, table: &DeTable<'_>) -> Rule {
    let mut rule = empty_rule(file, None);
    let mut reader = Reader {
        diagnostics: Vec::new(),
    };
    let empty = DeTable::default();
    let metadata = get_table(root, "metadata").unwrap_or(&empty);

    match reader.string(table, "rule_id") {
        Some(id) => rule.id = id,
        None => reader.diagnostics.push(Diagnostic::warning(
            codes::MISSING_FIELD,
            "the rule has no `rule_id`; its id is taken from the file name",
        )),
    }
    match reader.string(table, "name") {
        Some(name) => rule.title = name,
        None => reader.diagnostics.push(Diagnostic::warning(
            codes::MISSING_FIELD,
            "the rule has no `name`",
        )),
    }
    rule.description = reader.string(table, "description");
    if let Some(value) = get(table, "severity") {
        if let Some(text) = reader.string(table, "severity") {
            rule.severity = Severity::parse(&text);
            if rule.severity.is_none() {
                reader.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNKNOWN_SEVERITY,
                        format!("unknown severity `{text}` (low, medium, high, critical)"),
                    )
                    .with_span(span_of(value)),
                );
            }
        }
    }
    rule.status = reader.string(metadata, "maturity");
    rule.created = reader.string(metadata, "creation_date");
    rule.modified = reader.string(metadata, "updated_date");
    rule.version = reader.string(table, "version");
    rule.authors = reader.list(table, "author");
    rule.tags = reader.list(table, "tags");
    rule.references = reader.list(table, "references");
    rule.false_positives = reader
        .list(table, "false_positives")
        .into_iter()
        .map(|f| f.trim().to_string())
        .collect();
    rule.schedule.frequency = reader.string(table, "interval");
    rule.schedule.lookback = reader.string(table, "from");

    let kind = reader.string(table, "type");
    if kind.is_none() {
        reader.diagnostics.push(Diagnostic::warning(
            codes::MISSING_FIELD,
            "the rule has no `type`",
        ));
    }
    rule.kind = kind.clone();
    let kind = kind.unwrap_or_default();

    // Classes.
    if get(table, "building_block_type").is_some() {
        rule.add_class(RuleClass::BuildingBlock);
    }
    let deprecated_path = file.path.split('/').any(|part| part == "_deprecated");
    if rule.status.as_deref() == Some("deprecated") || deprecated_path {
        rule.add_class(RuleClass::Deprecated);
    }

    // Properties: every key without a field of its own, as written; the
    // indicator-match settings (`threat_query`, `threat_index`,
    // `threat_mapping`, …) grouped under `threat_match`.
    let mut threat_match = serde_json::Map::new();
    for (key, value) in table.iter() {
        let key = key.get_ref().as_ref();
        if key.starts_with("threat_") {
            threat_match.insert(key.to_string(), to_json(value.get_ref()));
        } else if !RULE_FIELD_KEYS.contains(&key) && key != "threat" {
            rule.properties
                .insert(key.to_string(), to_json(value.get_ref()));
        }
    }
    if !threat_match.is_empty() {
        rule.properties.insert(
            "threat_match".into(),
            serde_json::Value::Object(threat_match),
        );
    }
    for (key, value) in metadata.iter() {
        let key = key.get_ref().as_ref();
        if !matches!(key, "creation_date" | "updated_date") {
            rule.properties
                .insert(key.to_string(), to_json(value.get_ref()));
        }
    }
    if let Some(transform) = get(root, "transform") {
        rule.properties
            .insert("transform".into(), to_json(transform.get_ref()));
    }

    // ATT&CK.
    if let Some(threat) = get(table, "threat") {
        read_threat(&mut reader, threat, &mut rule.attack);
    }

    // Data sources from index patterns.
    for pattern in reader.list(table, "index") {
        let source = DataSource::new(DataSourceKind::Index, pattern);
        if !rule.data_sources.contains(&source) {
            rule.data_sources.push(source);
        }
    }

    // Machine-learning jobs.
    if kind == "machine_learning" {
        match get(table, "machine_learning_job_id") {
            Some(value) => {
                let span = span_of(value);
                for job in reader.list(table, "machine_learning_job_id") {
                    rule.dependencies.push(Dependency {
                        kind: DependencyKind::MlJob,
                        name: job,
                        span: Some(span),
                    });
                }
            }
            None => reader.diagnostics.push(Diagnostic::warning(
                codes::MISSING_ML_JOB,
                "a `machine_learning` rule without `machine_learning_job_id`",
            )),
        }
    }

    // Outputs of threshold and new_terms rules.
    let mut outputs = Vec::new();
    if let Some(threshold) = get_table(table, "threshold") {
        for field in reader.list(threshold, "field") {
            outputs.push(OutputField {
                name: field,
                source: "threshold".into(),
                stage: None,
            });
        }
    }
    if let Some(new_terms) = get_table(table, "new_terms") {
        for field in reader.list(new_terms, "value") {
            outputs.push(OutputField {
                name: field,
                source: "new_terms".into(),
                stage: None,
            });
        }
    }

    // The language and the query.
    let language_value = get(table, "language");
    let mut language = None;
    let mut unknown_language = None;
    if let Some(value) = language_value {
        match strings(value.get_ref()) {
            Some(names) => {
                language = names.iter().find_map(|n| language_of(n));
                if language.is_none() {
                    unknown_language = Some((names.join(", "), span_of(value)));
                }
            }
            None => reader.wrong_type("language", "a string or a list", value),
        }
    }
    let language = language.or(match kind.as_str() {
        "eql" => Some(Language::Eql),
        "esql" => Some(Language::Esql),
        _ => None,
    });
    // Without a `language`, the query says what it is written in (a rule
    // without a type has no engine default to go by); else, as Elastic's
    // detection engine does, kuery.
    rule.language = language.unwrap_or_else(|| {
        match (
            kind.is_empty(),
            get(table, "query").and_then(|q| q.get_ref().as_str()),
        ) {
            (true, Some(query)) => language_of_query(query),
            _ => Language::Kuery,
        }
    });

    rule.diagnostics.append(&mut reader.diagnostics);
    match get(table, "query") {
        Some(value) => match value.get_ref().as_str() {
            Some(text) => {
                if let Some((name, span)) = unknown_language {
                    rule.diagnostics.push(
                        Diagnostic::error(
                            codes::UNKNOWN_LANGUAGE,
                            format!(
                                "unknown query language `{name}` (kuery, lucene, eql or esql); the query is kept as text"
                            ),
                        )
                        .with_span(span),
                    );
                    rule.properties
                        .insert("query".into(), serde_json::Value::String(text.to_string()));
                } else {
                    let language = rule.language;
                    attach_query(
                        &mut rule,
                        file.text,
                        span_of(value),
                        text,
                        language,
                        0,
                        Dialect::Elasticsearch,
                    );
                }
            }
            None => {
                let mut r = Reader {
                    diagnostics: Vec::new(),
                };
                r.wrong_type("query", "a string", value);
                rule.diagnostics.append(&mut r.diagnostics);
            }
        },
        None if QUERY_TYPES.contains(&kind.as_str()) => {
            rule.diagnostics.push(Diagnostic::error(
                codes::MISSING_QUERY,
                format!("a `{kind}` rule needs a `query`"),
            ));
        }
        None => {}
    }
    rule.outputs.extend(outputs);
    finish(&mut rule);
    rule
}

/// Analyze `text` (the value at `span`) and merge it into `rule`. `skip` is
/// a number of leading bytes of `text` that are not part of the query.
fn attach_query(
    rule: &mut Rule,
    file: &str,
    span: Span,
    text: &str,
    language: Language,
    skip: usize,
    dialect: Dialect,
) {
    let (start, map) = string_map(file, span, text);
    let query_text = text.get(skip..).unwrap_or("");
    let map = if skip == 0 {
        map
    } else {
        let shifted = map.to_file(u32::try_from(skip).unwrap_or(u32::MAX));
        spanned::locate_lines(file, shifted, query_text)
    };
    let line_offset = map.to_file(0).max(start);
    let line = LineIndex::new(file).line_col(file, line_offset).line;
    rule.query = Some(Query {
        language,
        text: query_text.to_string(),
        line,
    });
    let analysis = if language == Language::Eql && dialect == Dialect::Endpoint {
        Some(ruledex_eql::analyze_dialect(query_text, &map, dialect))
    } else {
        dispatch::analyze(language, query_text, &map)
    };
    match analysis {
        Some(mut analysis) => {
            hint_other_language(&mut analysis, language, query_text);
            rule.absorb(analysis)
        }
        None => rule.diagnostics.push(
            Diagnostic::new(
                ruledex_ir::DiagnosticSeverity::Note,
                codes::NOT_ANALYZED,
                format!(
                    "{} queries are not analyzed by this build; the query is kept as text",
                    language.display_name()
                ),
            )
            .with_span(map.span_to_file(Span::from_range(0..query_text.len().min(1)))),
        ),
    }
}

/// A KQL or Lucene query that does not parse but reads cleanly as ES|QL
/// or EQL was most likely filed under the wrong `language`: say so on
/// its first error.
fn hint_other_language(analysis: &mut ruledex_ir::Analysis, language: Language, query: &str) {
    if !matches!(language, Language::Kuery | Language::Lucene) {
        return;
    }
    let Some(first_error) = analysis
        .diagnostics
        .iter_mut()
        .find(|d| d.severity == ruledex_ir::DiagnosticSeverity::Error)
    else {
        return;
    };
    let reads_as = if ruledex_esql::parse(query)
        .errors
        .iter()
        .all(|e| ruledex_ir::QueryErrorCode::is_warning(e.code))
    {
        Language::Esql
    } else if ruledex_eql::parse(query).is_valid() {
        Language::Eql
    } else {
        return;
    };
    first_error.notes.push(format!(
        "the query reads as {}: is `language = \"{}\"` right?",
        reads_as.display_name(),
        match language {
            Language::Lucene => "lucene",
            _ => "kuery",
        }
    ));
}

/// After the analysis: datasets named by equality filters, the sequence
/// window, indicators kept in sync.
fn finish(rule: &mut Rule) {
    let mut found = Vec::new();
    for indicator in &rule.indicators {
        if !DATASET_FIELDS.contains(&indicator.field.as_str())
            || indicator.exclusion
            || !matches!(
                indicator.kind,
                IndicatorKind::Value(Op::Eq) | IndicatorKind::Value(Op::In)
            )
        {
            continue;
        }
        for value in &indicator.values {
            if let Value::String(name) = value {
                let mut source = DataSource::new(DataSourceKind::Dataset, name.clone());
                source
                    .attributes
                    .insert("field".into(), indicator.field.clone());
                found.push(source);
            }
        }
    }
    for source in found {
        if !rule.data_sources.contains(&source) {
            rule.data_sources.push(source);
        }
    }
    if let Some(maxspan) = rule
        .stages
        .iter()
        .filter(|s| s.kind == "sequence")
        .flat_map(|s| &s.assignments)
        .find(|a| a.name == "maxspan")
    {
        rule.schedule.window = Some(format!("maxspan={}", maxspan.expression));
    }
}

fn read_threat(reader: &mut Reader, threat: &toml::Spanned<DeValue<'_>>, out: &mut Vec<AttackRef>) {
    let Some(blocks) = threat.get_ref().as_array() else {
        reader.diagnostics.push(
            Diagnostic::warning(
                codes::BAD_THREAT,
                "`rule.threat` should be an array of tables (`[[rule.threat]]`)",
            )
            .with_span(span_of(threat)),
        );
        return;
    };
    let mut push = |kind: AttackKind, id: Option<String>, name: Option<String>| {
        let r = AttackRef { kind, id, name };
        if !out.contains(&r) {
            out.push(r);
        }
    };
    for block in blocks.iter() {
        let Some(table) = block.get_ref().as_table() else {
            reader.diagnostics.push(
                Diagnostic::warning(codes::BAD_THREAT, "a `rule.threat` entry is not a table")
                    .with_span(span_of(block)),
            );
            continue;
        };
        match get(table, "tactic").map(|t| (t, t.get_ref().as_table())) {
            Some((_, Some(tactic))) => {
                let id = get_str(tactic, "id").map(str::to_string);
                let name = get_str(tactic, "name").map(str::to_string);
                if id.is_none() {
                    reader.diagnostics.push(
                        Diagnostic::warning(codes::BAD_THREAT, "a threat tactic without an `id`")
                            .with_span(span_of(block)),
                    );
                }
                push(AttackKind::Tactic, id, name);
            }
            Some((value, None)) => reader.diagnostics.push(
                Diagnostic::warning(codes::BAD_THREAT, "`tactic` should be a table")
                    .with_span(span_of(value)),
            ),
            None => reader.diagnostics.push(
                Diagnostic::warning(
                    codes::BAD_THREAT,
                    "a `[[rule.threat]]` block without a tactic",
                )
                .with_span(span_of(block)),
            ),
        }
        let Some(techniques) = get(table, "technique") else {
            continue;
        };
        let Some(techniques) = techniques.get_ref().as_array() else {
            reader.diagnostics.push(
                Diagnostic::warning(
                    codes::BAD_THREAT,
                    "`technique` should be an array of tables (`[[rule.threat.technique]]`)",
                )
                .with_span(span_of(techniques)),
            );
            continue;
        };
        for technique in techniques.iter() {
            let Some(t) = technique.get_ref().as_table() else {
                reader.diagnostics.push(
                    Diagnostic::warning(codes::BAD_THREAT, "a technique entry is not a table")
                        .with_span(span_of(technique)),
                );
                continue;
            };
            let id = get_str(t, "id").map(str::to_string);
            if id.is_none() {
                reader.diagnostics.push(
                    Diagnostic::warning(codes::BAD_THREAT, "a technique without an `id`")
                        .with_span(span_of(technique)),
                );
            }
            push(
                AttackKind::Technique,
                id,
                get_str(t, "name").map(str::to_string),
            );
            if let Some(subs) = get(t, "subtechnique").and_then(|s| s.get_ref().as_array()) {
                for sub in subs.iter() {
                    if let Some(s) = sub.get_ref().as_table() {
                        push(
                            AttackKind::Technique,
                            get_str(s, "id").map(str::to_string),
                            get_str(s, "name").map(str::to_string),
                        );
                    }
                }
            }
        }
    }
}

/// The query language of a rule that does not declare one, from the query
/// itself: EQL (`process where …`, `sequence …`, `sample …`), ES|QL
/// (`from …`, `row …`), else kuery.
fn language_of_query(query: &str) -> Language {
    let mut words = query
        .split(|c: char| c.is_whitespace() || c == '[')
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or("").to_ascii_lowercase();
    let second = words.next().unwrap_or("").to_ascii_lowercase();
    let is_name =
        |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match first.as_str() {
        "sequence" | "sample" => Language::Eql,
        "from" | "row" | "metrics" | "ts" if !second.is_empty() && second != ":" => Language::Esql,
        _ if is_name(&first) && second == "where" => Language::Eql,
        _ => Language::Kuery,
    }
}

/// An endpoint behaviour rule (`elastic/protections-artifacts`): a `[rule]`
/// without `type` and `language`, with what only these rules have: an
/// `os_list`, a `min_endpoint_version`, or top-level `[[actions]]`,
/// `[[optional_actions]]` or `[[threat]]`.
fn is_endpoint_rule(root: &DeTable<'_>, rule: &DeTable<'_>) -> bool {
    get(rule, "type").is_none()
        && get(rule, "language").is_none()
        && (get(rule, "os_list").is_some()
            || get(rule, "min_endpoint_version").is_some()
            || ["actions", "optional_actions", "threat"]
                .iter()
                .any(|key| get(root, key).is_some()))
}

/// Where Elastic Defend's events land in Elasticsearch: what a behaviour
/// rule reads, on the endpoint itself.
const ENDPOINT_EVENTS_INDEX: &str = "logs-endpoint.events.*";

fn load_endpoint_rule(file: &SourceFile<'_>, root: &DeTable<'_>, table: &DeTable<'_>) -> Rule {
    let mut rule = empty_rule(file, None);
    rule.kind = Some("endpoint".into());
    rule.language = Language::Eql;
    let mut reader = Reader {
        diagnostics: Vec::new(),
    };
    match reader
        .string(table, "id")
        .or_else(|| reader.string(table, "rule_id"))
    {
        Some(id) => rule.id = id,
        None => reader.diagnostics.push(Diagnostic::warning(
            codes::MISSING_FIELD,
            "the endpoint rule has no `id`; its id is taken from the file name",
        )),
    }
    match reader.string(table, "name") {
        Some(name) => rule.title = name,
        None => reader.diagnostics.push(Diagnostic::warning(
            codes::MISSING_FIELD,
            "the rule has no `name`",
        )),
    }
    rule.description = reader.string(table, "description");
    rule.version = reader.string(table, "version");
    rule.references = reader.list(table, "reference");
    rule.references.extend(reader.list(table, "references"));
    let internal = get_table(root, "internal");

    // What the agent does with a match, and where the rule runs.
    for key in ["os_list", "min_endpoint_version", "license"] {
        if let Some(value) = get(table, key).or_else(|| internal.and_then(|i| get(i, key))) {
            rule.properties.insert(key.into(), to_json(value.get_ref()));
        }
    }
    for key in ["actions", "optional_actions"] {
        if let Some(value) = get(root, key).or_else(|| get(table, key)) {
            match value.get_ref() {
                DeValue::Array(_) => {
                    rule.properties.insert(key.into(), to_json(value.get_ref()));
                }
                _ => reader.wrong_type(key, "an array of tables (`[[actions]]`)", value),
            }
        }
    }
    if let Some(value) = get(root, "internal") {
        rule.properties
            .insert("internal".into(), to_json(value.get_ref()));
    }
    for (key, value) in table.iter() {
        let key = key.get_ref().as_ref();
        if !matches!(
            key,
            "id" | "rule_id"
                | "name"
                | "description"
                | "version"
                | "reference"
                | "references"
                | "query"
                | "threat"
                | "os_list"
                | "min_endpoint_version"
                | "license"
                | "actions"
                | "optional_actions"
        ) {
            rule.properties
                .insert(key.to_string(), to_json(value.get_ref()));
        }
    }

    // ATT&CK: top-level `[[threat]]` (or, in older files, `[[rule.threat]]`).
    if let Some(threat) = get(root, "threat").or_else(|| get(table, "threat")) {
        read_threat(&mut reader, threat, &mut rule.attack);
    }

    let mut source = DataSource::new(DataSourceKind::Index, ENDPOINT_EVENTS_INDEX);
    let os_list = reader.list(table, "os_list");
    if !os_list.is_empty() {
        source
            .attributes
            .insert("os_list".into(), os_list.join(", "));
    }
    rule.data_sources.push(source);

    rule.diagnostics.append(&mut reader.diagnostics);
    match get(table, "query") {
        Some(value) => match value.get_ref().as_str() {
            Some(text) => attach_query(
                &mut rule,
                file.text,
                span_of(value),
                text,
                Language::Eql,
                0,
                Dialect::Endpoint,
            ),
            None => {
                let mut r = Reader {
                    diagnostics: Vec::new(),
                };
                r.wrong_type("query", "a string", value);
                rule.diagnostics.append(&mut r.diagnostics);
            }
        },
        None => rule.diagnostics.push(Diagnostic::error(
            codes::MISSING_QUERY,
            "an endpoint rule needs a `query`",
        )),
    }
    finish(&mut rule);
    rule
}

/// What a hunting query is written in, judged from its text and the hunt's
/// declared languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HuntQueryKind {
    /// One of ours; `skip` leading bytes are not part of the query.
    Language(Language, usize),
    /// OSQuery SQL, which ruledex does not parse.
    OsquerySql,
}

fn classify_hunt_query(text: &str, declared: &[Language]) -> HuntQueryKind {
    let trimmed = text.trim_start();
    let first_word = trimmed
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match first_word.as_str() {
        "select" | "with" => HuntQueryKind::OsquerySql,
        "from" | "row" | "show" | "metrics" | "ts" => HuntQueryKind::Language(Language::Esql, 0),
        "sql" => {
            // A Markdown fence leftover: `sql` alone on the first line.
            let lead = text.len() - trimmed.len();
            let line_end = trimmed.find('\n').map_or(trimmed.len(), |i| i + 1);
            if trimmed[..line_end].trim() == "sql" {
                // What follows the leftover line decides: ES|QL, or OSQuery
                // SQL behind the same kind of fence.
                match classify_hunt_query(&trimmed[line_end..], declared) {
                    HuntQueryKind::OsquerySql => HuntQueryKind::OsquerySql,
                    HuntQueryKind::Language(language, skip) => {
                        HuntQueryKind::Language(language, lead + line_end + skip)
                    }
                }
            } else {
                HuntQueryKind::OsquerySql
            }
        }
        _ => HuntQueryKind::Language(
            declared
                .iter()
                .copied()
                .find(|l| *l != Language::Esql)
                .or(declared.first().copied())
                .unwrap_or(Language::Eql),
            0,
        ),
    }
}

fn load_hunt(file: &SourceFile<'_>, hunt: &DeTable<'_>) -> Vec<Rule> {
    let mut reader = Reader {
        diagnostics: Vec::new(),
    };
    let mut base = empty_rule(file, None);
    base.kind = Some("hunting".into());
    base.add_class(RuleClass::Hunting);
    match reader.string(hunt, "uuid") {
        Some(id) => base.id = id,
        None => reader.diagnostics.push(Diagnostic::warning(
            codes::MISSING_FIELD,
            "the hunt has no `uuid`; its id is taken from the file name",
        )),
    }
    match reader.string(hunt, "name") {
        Some(name) => base.title = name,
        None => reader.diagnostics.push(Diagnostic::warning(
            codes::MISSING_FIELD,
            "the hunt has no `name`",
        )),
    }
    base.description = reader.string(hunt, "description");
    base.authors = reader.list(hunt, "author");
    base.references = reader.list(hunt, "references");
    for technique in reader.list(hunt, "mitre") {
        base.attack.push(AttackRef {
            kind: if technique.starts_with("TA") {
                AttackKind::Tactic
            } else {
                AttackKind::Technique
            },
            id: Some(technique),
            name: None,
        });
    }
    for (key, value) in hunt.iter() {
        let key = key.get_ref().as_ref();
        if !matches!(
            key,
            "uuid" | "name" | "description" | "author" | "references" | "mitre" | "query"
        ) {
            base.properties
                .insert(key.to_string(), to_json(value.get_ref()));
        }
    }
    let declared: Vec<Language> = reader
        .list(hunt, "language")
        .iter()
        .filter_map(|l| language_of(l))
        .collect();

    // The queries, with their spans.
    let mut queries: Vec<(Span, String)> = Vec::new();
    if let Some(value) = get(hunt, "query") {
        match value.get_ref() {
            DeValue::String(s) => queries.push((span_of(value), s.to_string())),
            DeValue::Array(items) => {
                for item in items.iter() {
                    match item.get_ref().as_str() {
                        Some(s) => queries.push((span_of(item), s.to_string())),
                        None => reader.wrong_type("query", "a list of strings", item),
                    }
                }
            }
            _ => reader.wrong_type("query", "a list of strings", value),
        }
    }
    let mut osquery = Vec::new();
    let mut analyzable = Vec::new();
    for (span, text) in queries {
        match classify_hunt_query(&text, &declared) {
            HuntQueryKind::OsquerySql => osquery.push(serde_json::Value::String(text)),
            HuntQueryKind::Language(language, skip) => {
                analyzable.push((span, text, language, skip))
            }
        }
    }
    if !osquery.is_empty() {
        base.properties
            .insert("osquery".into(), serde_json::Value::Array(osquery));
    }
    base.diagnostics.append(&mut reader.diagnostics);
    if analyzable.is_empty() {
        if !base.properties.contains_key("osquery") {
            base.diagnostics.push(Diagnostic::warning(
                codes::NO_HUNT_QUERY,
                "the hunt has no query",
            ));
        }
        if let Some(first) = declared.first() {
            base.language = *first;
        }
        return vec![base];
    }
    let count = analyzable.len();
    analyzable
        .into_iter()
        .enumerate()
        .map(|(i, (span, text, language, skip))| {
            let mut rule = base.clone();
            if count > 1 {
                rule.id = format!("{}#{}", base.id, i + 1);
                rule.title = format!("{} (query {} of {count})", base.title, i + 1);
                rule.provenance.index = Some(i);
            }
            rule.language = language;
            if skip > 0 {
                let (start, _) = string_map(file.text, span, &text);
                rule.diagnostics.push(
                    Diagnostic::warning(
                        codes::STRAY_SQL_LINE,
                        "a stray `sql` line before the query is ignored",
                    )
                    .with_span(Span::new(start, start + 3)),
                );
            }
            attach_query(
                &mut rule,
                file.text,
                span,
                &text,
                language,
                skip,
                Dialect::Elasticsearch,
            );
            finish(&mut rule);
            rule
        })
        .collect()
}
