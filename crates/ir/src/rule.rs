//! The rule model: one [`Rule`] per detection, whatever its language.

use crate::diagnostic::Diagnostic;
use crate::indicator::{indicators_of, Indicator, StageRef};
use crate::predicate::Predicate;
use crate::span::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The product a rule is written for.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Microsoft Sentinel (analytics rules, hunting queries).
    #[default]
    Sentinel,
    /// Microsoft Defender XDR advanced hunting.
    DefenderXdr,
    /// Sigma (vendor-neutral).
    Sigma,
    /// Elastic Security.
    Elastic,
    /// Splunk Enterprise Security.
    Splunk,
    /// Google SecOps (Chronicle).
    Chronicle,
    /// Panther.
    Panther,
}

impl Platform {
    /// Every platform.
    pub const ALL: [Platform; 7] = [
        Platform::Sentinel,
        Platform::DefenderXdr,
        Platform::Sigma,
        Platform::Elastic,
        Platform::Splunk,
        Platform::Chronicle,
        Platform::Panther,
    ];

    /// The id used in JSON and URLs (`defender-xdr`).
    pub fn id(self) -> &'static str {
        match self {
            Platform::Sentinel => "sentinel",
            Platform::DefenderXdr => "defender-xdr",
            Platform::Sigma => "sigma",
            Platform::Elastic => "elastic",
            Platform::Splunk => "splunk",
            Platform::Chronicle => "chronicle",
            Platform::Panther => "panther",
        }
    }

    /// The name people use (`Defender XDR`).
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Sentinel => "Microsoft Sentinel",
            Platform::DefenderXdr => "Defender XDR",
            Platform::Sigma => "Sigma",
            Platform::Elastic => "Elastic",
            Platform::Splunk => "Splunk",
            Platform::Chronicle => "Google SecOps",
            Platform::Panther => "Panther",
        }
    }

    /// Parse an id produced by [`Platform::id`].
    pub fn from_id(id: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.id() == id)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The query language a rule's logic is written in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Kusto Query Language.
    #[default]
    Kql,
    /// Sigma detection YAML.
    Sigma,
    /// Kibana query language.
    Kuery,
    /// Lucene query string.
    Lucene,
    /// Elastic Event Query Language.
    Eql,
    /// Elasticsearch ES|QL.
    Esql,
    /// Splunk Search Processing Language.
    Spl,
    /// YARA-L 2.0.
    Yaral,
    /// Python (Panther rule functions).
    Python,
    /// SQL (Panther scheduled and saved queries, Snowflake dialect).
    Sql,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 10] = [
        Language::Kql,
        Language::Sigma,
        Language::Kuery,
        Language::Lucene,
        Language::Eql,
        Language::Esql,
        Language::Spl,
        Language::Yaral,
        Language::Python,
        Language::Sql,
    ];

    /// The id used in JSON, URLs and `lang:` search filters.
    pub fn id(self) -> &'static str {
        match self {
            Language::Kql => "kql",
            Language::Sigma => "sigma",
            Language::Kuery => "kuery",
            Language::Lucene => "lucene",
            Language::Eql => "eql",
            Language::Esql => "esql",
            Language::Spl => "spl",
            Language::Yaral => "yaral",
            Language::Python => "python",
            Language::Sql => "sql",
        }
    }

    /// The name people use (`ES|QL`).
    pub fn display_name(self) -> &'static str {
        match self {
            Language::Kql => "KQL",
            Language::Sigma => "Sigma",
            Language::Kuery => "Kibana KQL",
            Language::Lucene => "Lucene",
            Language::Eql => "EQL",
            Language::Esql => "ES|QL",
            Language::Spl => "SPL",
            Language::Yaral => "YARA-L 2.0",
            Language::Python => "Python",
            Language::Sql => "SQL",
        }
    }

    /// Parse an id produced by [`Language::id`].
    pub fn from_id(id: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.id() == id)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Normalized severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Informational,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The lowercase name, as pages, the API and search filters show it.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parse the spellings rule formats use (`Medium`, `medium`, `info`,
    /// `informational`); unknown words give `None`.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "informational" | "info" | "information" => Some(Severity::Informational),
            "low" => Some(Severity::Low),
            "medium" | "moderate" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// Classes that views include or exclude (browse and coverage leave out
/// hunting queries and alert forwarders by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleClass {
    /// A hunting query, run by an analyst rather than on a schedule.
    Hunting,
    /// An Elastic building block (feeds other rules, no alert of its own).
    BuildingBlock,
    /// Deprecated by its authors.
    Deprecated,
    /// Only forwards alerts another product raised.
    AlertForwarding,
    /// A correlation over other rules (Sigma correlation, Splunk RBA, …).
    Correlation,
    /// Not a detection but a filter applied to other rules (Sigma filters).
    Filter,
}

/// Where a rule came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The configured source (corpus folder, git repository) name.
    pub source: String,
    /// Path of the file, relative to the source root, with `/` separators.
    pub path: String,
    /// The commit the file was read at, when the source is a git checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The loader that read the file (`sentinel-yaml`, `markdown-kql`, …).
    pub format: String,
    /// For files holding several rules, the 0-based position of this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// When and over what window a rule runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// How often it runs (`1h`, `5m`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// How far back each run looks (`1h`, `now-9m`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback: Option<String>,
    /// The alert trigger (`count > 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// A correlation or sequence window (`maxspan=5m`, Sigma `timespan`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
}

impl Schedule {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &Schedule::default()
    }
}

/// Tactic or technique.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttackKind {
    /// A tactic (TA0001 Initial Access).
    Tactic,
    /// A technique or sub-technique (T1199, T1562.001).
    Technique,
}

/// An ATT&CK reference as the rule states it. The catalog resolves names,
/// versions and parents; loaders record what is written.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AttackRef {
    /// Tactic or technique.
    pub kind: AttackKind,
    /// The ATT&CK id when the rule gives one (`T1199`, `TA0001`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The name when the rule gives one (`InitialAccess`, `Trusted Relationship`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What a `let` (or other named sub-query) binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingKind {
    /// A scalar value or list (`let threshold = 5;`, `let ids = dynamic([...])`).
    Scalar,
    /// A tabular expression (`let t = T | where ...;`).
    Tabular,
    /// A function with parameters (`let f = (x:string) { ... };`).
    Function,
}

/// A named part of a query that other parts use (KQL `let`, ES|QL none,
/// Splunk macros are dependencies, not bindings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    /// The bound name.
    pub name: String,
    /// Scalar, tabular or function.
    pub kind: BindingKind,
    /// Function parameters as written (`x:string`, `y:int=5`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<String>,
    /// The whole statement as written.
    pub text: String,
    /// Where the statement is, in the file.
    pub span: Span,
    /// The analyzed stages of a tabular or function body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// Literal values of a scalar binding (`let ids = dynamic(["a","b"])`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<crate::value::Value>,
}

/// One step of a rule's logic: a pipe operator, a Sigma selection, an EQL
/// sequence step, a YARA-L section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// What the step does, lower case: the operator name for piped languages
    /// (`source`, `where`, `extend`, `summarize`, `join`, `union`,
    /// `project`, `mv-expand`, `parse`, …, `stats`, `eval`), or the part of a
    /// declarative rule (`selection`, `condition`, `sequence`, `events`,
    /// `match`, `outcome`).
    pub kind: String,
    /// A name the rule gives the step (Sigma detection name, EQL step
    /// number), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The exact source text of the step.
    pub text: String,
    /// Where the step is, in the file.
    pub span: Span,
    /// The step's condition, for filtering steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Predicate>,
    /// Columns the step computes (`extend`, `eval`, aggregates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<Assignment>,
    /// Bindings the step reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<String>,
    /// Nested pipelines (join and union operands, sub-queries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subqueries: Vec<Vec<Stage>>,
}

impl Stage {
    /// A stage of `kind` with its text and span and nothing else.
    pub fn new(kind: impl Into<String>, text: impl Into<String>, span: Span) -> Self {
        Stage {
            kind: kind.into(),
            name: None,
            text: text.into(),
            span,
            predicate: None,
            assignments: Vec::new(),
            uses: Vec::new(),
            subqueries: Vec::new(),
        }
    }
}

/// `name = expression` computed by a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The column computed (implicit names included: `count_`, `set_X`).
    pub name: String,
    /// The expression, as written (whitespace collapsed).
    pub expression: String,
    /// Fields the expression reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<String>,
}

/// A field the rule emits when it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputField {
    /// Column / field name.
    pub name: String,
    /// Kind of the stage (or section) that produced it: `summarize`,
    /// `extend`, `project`, `fields`, `outcome`, `stats`, `alert_context`, ….
    pub source: String,
    /// The producing stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<StageRef>,
}

/// An entity the alert maps a column to (Sentinel `entityMappings`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityMapping {
    /// Entity type (`Account`, `IP`, `Host`).
    pub entity_type: String,
    /// Identifier → column pairs.
    pub fields: Vec<EntityField>,
}

/// One identifier of an [`EntityMapping`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityField {
    /// Identifier (`FullName`, `Address`).
    pub identifier: String,
    /// The column providing it.
    pub column: String,
}

/// Kinds of [`DataSource`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSourceKind {
    /// A table (Sentinel / Defender).
    Table,
    /// A function used as a table (ASIM parsers, workspace functions).
    Function,
    /// Tables matched by a wildcard (`union Device*`).
    TablePattern,
    /// An Elasticsearch index pattern.
    Index,
    /// A Sigma `logsource`.
    Logsource,
    /// A Splunk sourcetype, data model, or index.
    Sourcetype,
    /// A Chronicle log type / UDM event type or a Panther log type.
    LogType,
    /// An event dataset or category filter (`event.dataset`).
    Dataset,
    /// A connector the rule declares it needs.
    Connector,
}

/// Data a rule reads.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DataSource {
    /// What kind of name this is.
    pub kind: DataSourceKind,
    /// The name as written (`SigninLogs`, `logs-endpoint.events.*`,
    /// `windows/process_creation`).
    pub name: String,
    /// Structured parts, when the name has them (Sigma `product`,
    /// `category`, `service`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// The normalized log-source id (`azure.signin`), set by the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logsource: Option<String>,
}

impl DataSource {
    /// A data source of `kind` named `name`.
    pub fn new(kind: DataSourceKind, name: impl Into<String>) -> Self {
        DataSource {
            kind,
            name: name.into(),
            attributes: BTreeMap::new(),
            logsource: None,
        }
    }
}

/// Kinds of [`Dependency`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DependencyKind {
    /// Data fetched from a URL at run time (`externaldata`).
    Url,
    /// A Sentinel watchlist.
    Watchlist,
    /// A function the query calls that is not built into the language.
    Function,
    /// A lookup table / reference list.
    Lookup,
    /// A Splunk macro.
    Macro,
    /// Another rule (Sigma correlation references, Splunk RBA).
    Rule,
    /// A machine-learning job.
    MlJob,
}

/// Something outside the rule that the rule needs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dependency {
    /// What kind.
    pub kind: DependencyKind,
    /// Its name, URL or id.
    pub name: String,
    /// Where the rule references it, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The query text of a rule, where it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Language of the text.
    pub language: Language,
    /// The query as extracted (indentation of a YAML block removed).
    pub text: String,
    /// 1-based line of the file where the query starts.
    pub line: u32,
}

/// How a Sentinel alert is titled and described (`alertDetailsOverride`) and
/// similar per-alert templates of other platforms.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertTemplate {
    /// Alert title template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Alert description template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other overrides (`alertSeverityColumnName`, …) as key → value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, String>,
}

/// One detection rule, in any language, lowered to the common model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The id the rule declares (GUID, Sigma id, Elastic rule_id); for
    /// formats without ids, one derived from the path (and block index).
    pub id: String,
    /// Title / name.
    pub title: String,
    /// Description, Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Status as written (`Available`, `experimental`, `production`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Product.
    pub platform: Platform,
    /// Query language.
    pub language: Language,
    /// The rule type as the format names it (`Scheduled`, `NRT`, `eql`,
    /// `threshold`, `correlation`, `hunting`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Classes views filter on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<RuleClass>,
    /// Where the rule came from.
    pub provenance: Provenance,
    /// Run frequency, lookback, trigger, window.
    #[serde(default, skip_serializing_if = "Schedule::is_empty")]
    pub schedule: Schedule,
    /// Authors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Reference URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Known false positives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub false_positives: Vec<String>,
    /// Free tags as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Creation date as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last modification date as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Rule version as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// ATT&CK tactics and techniques as the rule states them.
    pub attack: Vec<AttackRef>,
    /// The rule's source as written: the whole file, or this rule's part of
    /// a file that holds several.
    pub body: String,
    /// Byte offset of `body` in the file (non-zero for one block of many).
    #[serde(default)]
    pub body_offset: u32,
    /// The query text, when the rule has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Query>,
    /// Named sub-queries (`let`), analyzed.
    pub bindings: Vec<Binding>,
    /// The main pipeline (or the rule's sections), in order.
    pub stages: Vec<Stage>,
    /// What the rule matches on, from every stage and binding.
    pub indicators: Vec<Indicator>,
    /// What the rule emits.
    pub outputs: Vec<OutputField>,
    /// Alert entity mappings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<EntityMapping>,
    /// Custom alert fields (name → column).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_details: BTreeMap<String, String>,
    /// Alert title/description templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<AlertTemplate>,
    /// Tables, indexes, log sources read.
    pub data_sources: Vec<DataSource>,
    /// URLs, watchlists, functions, lookups, macros needed.
    pub dependencies: Vec<Dependency>,
    /// Format-specific metadata without a field of its own (Sentinel
    /// `requiredDataConnectors`, Elastic `risk_score`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    /// Problems found while loading, parsing and analyzing.
    pub diagnostics: Vec<Diagnostic>,
}

impl Rule {
    /// True when no diagnostic is an error: the rule parsed and was analyzed.
    pub fn parsed(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Whether the rule has class `class`.
    pub fn has_class(&self, class: RuleClass) -> bool {
        self.classes.contains(&class)
    }

    /// Add `class` once.
    pub fn add_class(&mut self, class: RuleClass) {
        if !self.has_class(class) {
            self.classes.push(class);
        }
    }

    /// Take over the result of analyzing the rule's query.
    pub fn absorb(&mut self, analysis: Analysis) {
        self.bindings.extend(analysis.bindings);
        self.stages.extend(analysis.stages);
        self.outputs.extend(analysis.outputs);
        self.data_sources.extend(analysis.data_sources);
        self.dependencies.extend(analysis.dependencies);
        self.diagnostics.extend(analysis.diagnostics);
        self.indicators = collect_indicators(&self.bindings, &self.stages);
    }
}

/// What lowering one query produces; merged into a [`Rule`] with
/// [`Rule::absorb`]. Spans are file spans.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Named sub-queries.
    pub bindings: Vec<Binding>,
    /// The main pipeline.
    pub stages: Vec<Stage>,
    /// Emitted fields.
    pub outputs: Vec<OutputField>,
    /// Data read.
    pub data_sources: Vec<DataSource>,
    /// External needs.
    pub dependencies: Vec<Dependency>,
    /// Problems.
    pub diagnostics: Vec<Diagnostic>,
}

/// The indicators of every stage of every binding, then of the main
/// pipeline, in order. Nested pipelines count as their enclosing stage.
/// Comparisons on aggregate results (`count_ > 5`) are thresholds, not
/// indicators, and are left out.
pub fn collect_indicators(bindings: &[Binding], stages: &[Stage]) -> Vec<Indicator> {
    let mut out = Vec::new();
    for binding in bindings {
        collect_pipeline(&binding.stages, Some(&binding.name), &mut out);
    }
    collect_pipeline(stages, None, &mut out);
    out
}

fn collect_pipeline(stages: &[Stage], binding: Option<&String>, out: &mut Vec<Indicator>) {
    for (index, stage) in stages.iter().enumerate() {
        let stage_ref = StageRef {
            binding: binding.cloned(),
            index,
        };
        let mut seen = StageMatches::new(out.len());
        collect_stage(stage, &stage_ref, &mut seen, out);
    }
}

fn collect_stage(
    stage: &Stage,
    stage_ref: &StageRef,
    seen: &mut StageMatches,
    out: &mut Vec<Indicator>,
) {
    if let Some(predicate) = &stage.predicate {
        for indicator in indicators_of(predicate, stage_ref) {
            // Thresholds on aggregates are not indicators; the same match
            // written twice in one stage (`ipv4_match or ipv6_match` over
            // one list) is one indicator.
            let aggregate = indicator.derived.as_ref().is_some_and(|d| d.aggregate);
            if !aggregate && seen.is_new(&indicator, out) {
                out.push(indicator);
            }
        }
    }
    for sub in &stage.subqueries {
        for inner in sub {
            collect_stage(inner, stage_ref, seen, out);
        }
    }
}

/// The matches already taken from one stage. Stages have a handful of
/// indicators, compared directly; a stage with many switches to hashed keys
/// so a huge generated rule stays linear.
struct StageMatches {
    /// Where this stage's indicators start in the output.
    first: usize,
    /// Keys of this stage's indicators, once there are many.
    keys: Option<std::collections::HashSet<String>>,
}

impl StageMatches {
    /// Above this many indicators in one stage, keys are hashed.
    const DIRECT: usize = 16;

    fn new(first: usize) -> Self {
        StageMatches { first, keys: None }
    }

    /// True (and remembered) when `indicator` is not a match this stage
    /// already has among `out[first..]`.
    fn is_new(&mut self, indicator: &Indicator, out: &[Indicator]) -> bool {
        let taken = &out[self.first..];
        if self.keys.is_none() && taken.len() >= Self::DIRECT {
            self.keys = Some(taken.iter().map(match_key).collect());
        }
        match &mut self.keys {
            Some(keys) => keys.insert(match_key(indicator)),
            None => !taken.iter().any(|o| same_match(o, indicator)),
        }
    }
}

/// Same field, kind, values, value source, polarity and case.
fn same_match(a: &Indicator, b: &Indicator) -> bool {
    a.field == b.field
        && a.kind == b.kind
        && a.values == b.values
        && a.values_from == b.values_from
        && a.negated == b.negated
        && a.case_sensitive == b.case_sensitive
}

/// [`same_match`] as a hashable key.
fn match_key(i: &Indicator) -> String {
    let values: Vec<String> = i.values.iter().map(|v| v.normalized(true)).collect();
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{:?}\u{1}{}\u{1}{:?}",
        i.field,
        i.kind.name(),
        values.join("\u{2}"),
        i.values_from,
        i.negated,
        i.case_sensitive
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for p in Platform::ALL {
            assert_eq!(Platform::from_id(p.id()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.id());
        }
        for l in Language::ALL {
            assert_eq!(Language::from_id(l.id()), Some(l));
            assert_eq!(serde_json::to_value(l).unwrap(), l.id());
        }
    }

    #[test]
    fn severity_spellings() {
        assert_eq!(Severity::parse("Medium"), Some(Severity::Medium));
        assert_eq!(
            Severity::parse("informational"),
            Some(Severity::Informational)
        );
        assert_eq!(Severity::parse("bogus"), None);
    }
}
