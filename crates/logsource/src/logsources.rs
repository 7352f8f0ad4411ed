//! The log-source table: which log sources exist, how each platform names
//! them, which field names the operation, and how a rule's data sources and
//! filters resolve to log sources.

use crate::error::DataError;
use crate::filter::Filter;
use crate::text::{fold, glob_match, is_glob, literal_prefix, same_value};
use ruledex_ir::{DataSource, DataSourceKind, Platform};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

const LOGSOURCES_FILE: &str = "logsources.toml";
const PROVIDERS_FILE: &str = "providers.toml";

/// What kind of data a log source holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Cloud control planes (CloudTrail, Azure activity, GCP audit, Kubernetes).
    Cloud,
    /// Identity providers (Entra ID, Okta, authentication events).
    Identity,
    /// SaaS applications (Microsoft 365, GitHub, Google Workspace).
    Saas,
    /// Hosts (Windows, Linux, macOS telemetry).
    Endpoint,
    /// Network sensors and devices (DNS, proxy, firewall).
    Network,
    /// Email security.
    Email,
    /// Alerts raised by other products.
    Alert,
    /// Applications, application servers and databases (database audit,
    /// application-framework logs).
    Application,
    /// Reference data rules join events with rather than events: threat
    /// intelligence indicators, user and device inventories, UEBA insights,
    /// agent heartbeats.
    Context,
    /// Assessments of configuration and vulnerabilities (recommendations,
    /// compliance posture, vulnerability scans).
    Posture,
}

impl Category {
    /// The id used in the data file and in JSON (`cloud`).
    pub fn id(self) -> &'static str {
        match self {
            Category::Cloud => "cloud",
            Category::Identity => "identity",
            Category::Saas => "saas",
            Category::Endpoint => "endpoint",
            Category::Network => "network",
            Category::Email => "email",
            Category::Alert => "alert",
            Category::Application => "application",
            Category::Context => "context",
            Category::Posture => "posture",
        }
    }
}

/// How operation values of a log source compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationCase {
    /// Case-insensitive names (`ConsoleLogin` = `consolelogin`).
    #[default]
    Insensitive,
    /// Case matters.
    Sensitive,
    /// Windows event ids: `4688`, `"4688"` and `"04688"` are one value.
    EventId,
}

/// The kinds of names a platform gives a log source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameKind {
    /// Sentinel / Defender XDR table or function (ASIM parser).
    Table,
    /// Sigma `logsource` (product, category, service).
    Logsource,
    /// Elasticsearch index pattern.
    Index,
    /// Elastic `event.dataset` / `data_stream.dataset`.
    Dataset,
    /// Windows event log channel an Elastic rule filters
    /// (`winlog.channel`), as Winlogbeat and the Windows integration record
    /// it.
    Channel,
    /// Elastic integration package a rule declares (`okta`, `aws`); only a
    /// fallback, like Sentinel's declared connectors.
    Integration,
    /// Splunk sourcetype (also matched against `source`).
    Sourcetype,
    /// Splunk macro a search starts from (`` `cloudtrail` ``).
    Macro,
    /// Splunk CIM data model and node (`Endpoint.Processes`).
    DataModel,
    /// Splunk security_content `data_source` name (`Sysmon EventID 1`).
    DataSourceName,
    /// Chronicle `metadata.log_type` or Panther log type.
    LogType,
    /// Chronicle `metadata.product_name`.
    Product,
    /// Chronicle UDM `metadata.event_type`.
    EventType,
}

impl NameKind {
    /// The key of the selector list in the data file (`tables`, `indexes`).
    pub fn key(self) -> &'static str {
        match self {
            NameKind::Table => "tables",
            NameKind::Logsource => "logsource",
            NameKind::Index => "indexes",
            NameKind::Dataset => "datasets",
            NameKind::Channel => "channels",
            NameKind::Integration => "integrations",
            NameKind::Sourcetype => "sourcetypes",
            NameKind::Macro => "macros",
            NameKind::DataModel => "datamodels",
            NameKind::DataSourceName => "data_sources",
            NameKind::LogType => "log_types",
            NameKind::Product => "products",
            NameKind::EventType => "event_types",
        }
    }
}

/// The platform sections of the data file. Defender XDR reads Sentinel's
/// (its tables are Sentinel tables too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Section {
    Sentinel,
    Sigma,
    Elastic,
    Splunk,
    Chronicle,
    Panther,
}

impl Section {
    fn of(platform: Platform) -> Section {
        match platform {
            Platform::Sentinel | Platform::DefenderXdr => Section::Sentinel,
            Platform::Sigma => Section::Sigma,
            Platform::Elastic => Section::Elastic,
            Platform::Splunk => Section::Splunk,
            Platform::Chronicle => Section::Chronicle,
            Platform::Panther => Section::Panther,
        }
    }

    fn kinds(self) -> &'static [NameKind] {
        match self {
            Section::Sentinel => &[NameKind::Table],
            Section::Sigma => &[NameKind::Logsource],
            Section::Elastic => &[
                NameKind::Index,
                NameKind::Dataset,
                NameKind::Channel,
                NameKind::Integration,
            ],
            Section::Splunk => &[
                NameKind::Sourcetype,
                NameKind::Macro,
                NameKind::DataModel,
                NameKind::DataSourceName,
            ],
            Section::Chronicle => &[NameKind::LogType, NameKind::Product, NameKind::EventType],
            Section::Panther => &[NameKind::LogType],
        }
    }

    /// Filter fields whose values *name* a log source (`event.dataset:
    /// aws.cloudtrail`), and which selector list they are looked up in.
    fn name_fields(self) -> &'static [(&'static str, NameKind)] {
        match self {
            Section::Sentinel => &[("Type", NameKind::Table)],
            Section::Sigma => &[],
            Section::Elastic => &[
                ("event.dataset", NameKind::Dataset),
                ("data_stream.dataset", NameKind::Dataset),
                ("winlog.channel", NameKind::Channel),
            ],
            Section::Splunk => &[
                ("sourcetype", NameKind::Sourcetype),
                ("source", NameKind::Sourcetype),
            ],
            Section::Chronicle => &[
                ("metadata.log_type", NameKind::LogType),
                ("metadata.product_name", NameKind::Product),
                ("metadata.event_type", NameKind::EventType),
            ],
            Section::Panther => &[("p_log_type", NameKind::LogType)],
        }
    }
}

/// A condition on a field: the rule must filter `field` on one of `values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The field, in the platform's vocabulary (`EventID`, `host.os.type`).
    pub field: String,
    /// Accepted values (compared ignoring case; integers by value).
    pub values: Vec<String>,
}

/// The Sigma `logsource` triple a selector names; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SigmaLogsource {
    /// `product` (`windows`, `aws`).
    pub product: Option<String>,
    /// `category` (`process_creation`).
    pub category: Option<String>,
    /// `service` (`security`, `cloudtrail`).
    pub service: Option<String>,
}

impl fmt::Display for SigmaLogsource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("product", &self.product),
            ("category", &self.category),
            ("service", &self.service),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}")))
        .collect();
        write!(f, "{}", parts.join(", "))
    }
}

/// One way a platform names a log source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    /// Which list it is in.
    pub kind: NameKind,
    /// The name; `*` and `?` are wildcards. For Sigma, the rendered triple.
    pub name: String,
    /// For Sigma selectors, the triple.
    pub sigma: Option<SigmaLogsource>,
    /// A container of many log sources (`winlogbeat-*`): decides only when
    /// no specific name of the rule does.
    pub shared: bool,
    /// Required filters: the name holds this log source only for these
    /// values (`SecurityEvent` with `EventID` 4688 is process creation).
    pub when: Vec<Condition>,
}

/// Everything one platform says about a log source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformNames {
    /// How rules name the source.
    pub selectors: Vec<Selector>,
    /// Fields naming the operation; empty when the source itself is the
    /// action (sign-ins, process creation).
    pub operation: Vec<String>,
    /// Fields naming the provider/service of the operation.
    pub provider: Vec<String>,
    /// Discriminators: filters on these fields with other values rule the
    /// source out; matching values make it more likely than a sibling.
    pub narrow: Vec<Condition>,
}

/// A log source: an id, a display name, and how every platform names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSource {
    /// Stable id (`azure.signin`, `windows.process_creation`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Kind of data.
    pub category: Category,
    /// How operation values compare.
    pub operation_case: OperationCase,
    /// The events of an event dictionary that carry this source, as
    /// `<dictionary provider>:<event id>` (`Microsoft-Windows-Sysmon:1`,
    /// `signinlogs:signinlogs`): what a rule reading the source can match.
    pub events: Vec<String>,
    sections: BTreeMap<Section, PlatformNames>,
}

impl LogSource {
    /// What `platform` says about this source, if anything. Defender XDR
    /// shares Sentinel's entry.
    pub fn platform(&self, platform: Platform) -> Option<&PlatformNames> {
        self.sections.get(&Section::of(platform))
    }

    /// The platforms that name this source (Defender XDR only when it has a
    /// Sentinel entry with a `Device*`, `Email*`, `Identity*`, `CloudApp*`,
    /// `Alert*`, `UrlClick*` or XDR sign-in (`AADSignInEvents*`,
    /// `AADSpnSignInEvents*`, `EntraId*`) table).
    pub fn platforms(&self) -> Vec<Platform> {
        Platform::ALL
            .into_iter()
            .filter(|p| match p {
                Platform::DefenderXdr => self.platform(*p).is_some_and(|names| {
                    names.selectors.iter().any(|s| {
                        [
                            "Device",
                            "Email",
                            "Identity",
                            "CloudApp",
                            "Alert",
                            "UrlClick",
                            "AADSignInEvents",
                            "AADSpnSignInEvents",
                            "EntraId",
                        ]
                        .iter()
                        .any(|prefix| s.name.starts_with(prefix))
                    })
                }),
                _ => self.platform(*p).is_some(),
            })
            .collect()
    }

    /// True when the source has no operation field on any platform: the
    /// source itself is the action.
    pub fn is_action(&self) -> bool {
        self.sections.values().all(|s| s.operation.is_empty())
    }
}

/// Why a log source was identified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The name as the rule wrote it (table, index, `event.dataset` value…).
    pub written: String,
    /// The table entry it matched.
    pub matched: String,
    /// True when the match went through a shared container.
    pub shared: bool,
    /// Filter fields that confirmed the choice (`when` and `narrow`).
    pub confirmed_by: Vec<String>,
}

/// A log source a rule reads, with the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identified<'a> {
    /// The log source.
    pub logsource: &'a LogSource,
    /// The names and filters that led to it.
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, Default)]
struct ProviderTable {
    /// Folded operation → (canonical spelling, provider).
    operations: HashMap<String, (String, String)>,
    /// (folded prefix, provider), longest first.
    prefixes: Vec<(String, String)>,
}

/// The log-source table with provider inference.
///
/// ```
/// use ruledex_ir::{DataSource, DataSourceKind, Platform};
/// use ruledex_logsource::LogSources;
///
/// let sources = LogSources::embedded();
/// let table = DataSource::new(DataSourceKind::Table, "SigninLogs");
/// let ids: Vec<&str> = sources.resolve(Platform::Sentinel, &table).iter().map(|s| s.id.as_str()).collect();
/// assert_eq!(ids, ["azure.signin"]);
/// assert_eq!(sources.infer_provider("aws.cloudtrail", "ConsoleLogin"), Some("signin.amazonaws.com"));
/// ```
#[derive(Clone, Debug)]
pub struct LogSources {
    sources: Vec<LogSource>,
    by_id: HashMap<String, usize>,
    providers: HashMap<String, ProviderTable>,
}

// ----------------------------------------------------------------- raw data

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    name: String,
    category: Category,
    #[serde(default)]
    operation_case: OperationCase,
    #[serde(default)]
    events: Vec<String>,
    sentinel: Option<RawSection>,
    sigma: Option<RawSection>,
    elastic: Option<RawSection>,
    splunk: Option<RawSection>,
    chronicle: Option<RawSection>,
    panther: Option<RawSection>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSection {
    #[serde(default)]
    tables: Vec<RawSelector>,
    #[serde(default)]
    logsource: Vec<RawSigma>,
    #[serde(default)]
    indexes: Vec<RawSelector>,
    #[serde(default)]
    datasets: Vec<RawSelector>,
    #[serde(default)]
    channels: Vec<RawSelector>,
    #[serde(default)]
    integrations: Vec<RawSelector>,
    #[serde(default)]
    sourcetypes: Vec<RawSelector>,
    #[serde(default)]
    macros: Vec<RawSelector>,
    #[serde(default)]
    datamodels: Vec<RawSelector>,
    #[serde(default)]
    data_sources: Vec<RawSelector>,
    #[serde(default)]
    log_types: Vec<RawSelector>,
    #[serde(default)]
    products: Vec<RawSelector>,
    #[serde(default)]
    event_types: Vec<RawSelector>,
    #[serde(default)]
    operation: Vec<String>,
    #[serde(default)]
    provider: Vec<String>,
    #[serde(default)]
    narrow: BTreeMap<String, Vec<RawValue>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSelector {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        shared: bool,
        #[serde(default)]
        when: BTreeMap<String, Vec<RawValue>>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSigma {
    product: Option<String>,
    category: Option<String>,
    service: Option<String>,
    #[serde(default)]
    shared: bool,
    #[serde(default)]
    when: BTreeMap<String, Vec<RawValue>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawValue {
    Text(String),
    Number(i64),
}

impl RawValue {
    fn text(&self) -> String {
        match self {
            RawValue::Text(s) => s.clone(),
            RawValue::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProviders {
    provider: Vec<RawProvider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    logsource: String,
    provider: String,
    #[serde(default)]
    operations: Vec<String>,
    #[serde(default)]
    prefixes: Vec<String>,
}

fn conditions(map: &BTreeMap<String, Vec<RawValue>>) -> Vec<Condition> {
    map.iter()
        .map(|(field, values)| Condition {
            field: field.clone(),
            values: values.iter().map(RawValue::text).collect(),
        })
        .collect()
}

fn section(raw: RawSection, which: Section, id: &str) -> Result<PlatformNames, DataError> {
    let lists = [
        (NameKind::Table, raw.tables),
        (NameKind::Index, raw.indexes),
        (NameKind::Dataset, raw.datasets),
        (NameKind::Channel, raw.channels),
        (NameKind::Integration, raw.integrations),
        (NameKind::Sourcetype, raw.sourcetypes),
        (NameKind::Macro, raw.macros),
        (NameKind::DataModel, raw.datamodels),
        (NameKind::DataSourceName, raw.data_sources),
        (NameKind::LogType, raw.log_types),
        (NameKind::Product, raw.products),
        (NameKind::EventType, raw.event_types),
    ];
    let mut selectors = Vec::new();
    for (kind, list) in lists {
        if !list.is_empty() && !which.kinds().contains(&kind) {
            return Err(DataError::new(
                LOGSOURCES_FILE,
                format!("`{id}`: `{}` is not a {which:?} selector list", kind.key()),
            ));
        }
        for raw in list {
            selectors.push(match raw {
                RawSelector::Name(name) => Selector {
                    kind,
                    name,
                    sigma: None,
                    shared: false,
                    when: Vec::new(),
                },
                RawSelector::Full { name, shared, when } => Selector {
                    kind,
                    name,
                    sigma: None,
                    shared,
                    when: conditions(&when),
                },
            });
        }
    }
    if !raw.logsource.is_empty() && which != Section::Sigma {
        return Err(DataError::new(
            LOGSOURCES_FILE,
            format!("`{id}`: `logsource` belongs in the sigma table"),
        ));
    }
    for raw in raw.logsource {
        let triple = SigmaLogsource {
            product: raw.product.map(|s| fold(&s)),
            category: raw.category.map(|s| fold(&s)),
            service: raw.service.map(|s| fold(&s)),
        };
        if triple == SigmaLogsource::default() {
            return Err(DataError::new(
                LOGSOURCES_FILE,
                format!("`{id}`: empty Sigma logsource"),
            ));
        }
        selectors.push(Selector {
            kind: NameKind::Logsource,
            name: triple.to_string(),
            sigma: Some(triple),
            shared: raw.shared,
            when: conditions(&raw.when),
        });
    }
    Ok(PlatformNames {
        selectors,
        operation: raw.operation,
        provider: raw.provider,
        narrow: conditions(&raw.narrow),
    })
}

impl LogSources {
    /// The table shipped with the crate, parsed once.
    ///
    /// # Panics
    ///
    /// Never for the shipped data (a test parses it); the data is part of
    /// the crate, not input.
    pub fn embedded() -> &'static LogSources {
        static TABLE: OnceLock<LogSources> = OnceLock::new();
        TABLE.get_or_init(|| {
            LogSources::from_toml(
                include_str!("../data/logsources.toml"),
                include_str!("../data/providers.toml"),
            )
            .unwrap_or_else(|e| panic!("embedded log-source data is invalid: {e}"))
        })
    }

    /// Parse a log-source table and a provider table (the formats of
    /// `data/logsources.toml` and `data/providers.toml`).
    pub fn from_toml(logsources: &str, providers: &str) -> Result<LogSources, DataError> {
        let raw: RawFile = toml::from_str(logsources)
            .map_err(|e| DataError::new(LOGSOURCES_FILE, e.to_string()))?;
        let mut sources = Vec::with_capacity(raw.source.len());
        let mut by_id = HashMap::new();
        for raw in raw.source {
            if by_id.insert(raw.id.clone(), sources.len()).is_some() {
                return Err(DataError::new(
                    LOGSOURCES_FILE,
                    format!("duplicate id `{}`", raw.id),
                ));
            }
            let mut sections = BTreeMap::new();
            for (which, raw_section) in [
                (Section::Sentinel, raw.sentinel),
                (Section::Sigma, raw.sigma),
                (Section::Elastic, raw.elastic),
                (Section::Splunk, raw.splunk),
                (Section::Chronicle, raw.chronicle),
                (Section::Panther, raw.panther),
            ] {
                if let Some(raw_section) = raw_section {
                    sections.insert(which, section(raw_section, which, &raw.id)?);
                }
            }
            sources.push(LogSource {
                id: raw.id,
                name: raw.name,
                category: raw.category,
                operation_case: raw.operation_case,
                events: raw.events,
                sections,
            });
        }
        let raw: RawProviders =
            toml::from_str(providers).map_err(|e| DataError::new(PROVIDERS_FILE, e.to_string()))?;
        let mut tables: HashMap<String, ProviderTable> = HashMap::new();
        for rule in raw.provider {
            if !by_id.contains_key(&rule.logsource) {
                return Err(DataError::new(
                    PROVIDERS_FILE,
                    format!("unknown log source `{}`", rule.logsource),
                ));
            }
            let table = tables.entry(rule.logsource.clone()).or_default();
            for op in rule.operations {
                let previous = table
                    .operations
                    .insert(fold(&op), (op.clone(), rule.provider.clone()));
                if let Some((_, other)) = previous {
                    return Err(DataError::new(
                        PROVIDERS_FILE,
                        format!(
                            "`{op}` on `{}` listed under `{other}` and `{}`",
                            rule.logsource, rule.provider
                        ),
                    ));
                }
            }
            for prefix in rule.prefixes {
                table.prefixes.push((fold(&prefix), rule.provider.clone()));
            }
        }
        for table in tables.values_mut() {
            table
                .prefixes
                .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        }
        Ok(LogSources {
            sources,
            by_id,
            providers: tables,
        })
    }

    /// Every log source, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &LogSource> {
        self.sources.iter()
    }

    /// Number of log sources.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// True when the table is empty.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The log source `id`.
    pub fn get(&self, id: &str) -> Option<&LogSource> {
        self.by_id.get(id).map(|&i| &self.sources[i])
    }

    /// The log sources a data source names, without looking at filters:
    /// conditional names (`SecurityEvent` for process creation) do not
    /// count, shared containers only when nothing specific matched.
    pub fn resolve(&self, platform: Platform, source: &DataSource) -> Vec<&LogSource> {
        self.identify(platform, std::slice::from_ref(source), &[])
            .into_iter()
            .map(|found| found.logsource)
            .collect()
    }

    /// The log sources named only by a rule's filters
    /// (`event.dataset : "aws.cloudtrail"`, `sourcetype=aws:cloudtrail`,
    /// `metadata.log_type = "AWS_CLOUDTRAIL"`).
    pub fn resolve_from_indicators(
        &self,
        platform: Platform,
        filters: &[Filter],
    ) -> Vec<&LogSource> {
        self.identify(platform, &[], filters)
            .into_iter()
            .map(|found| found.logsource)
            .collect()
    }

    /// The log sources a rule reads, from its data sources and its filters,
    /// with the evidence for each.
    ///
    /// 1. Every data source name, and every filter value on a field that
    ///    names log sources (`event.dataset`, `sourcetype`,
    ///    `metadata.log_type`, `Type`, `p_log_type`), is matched against the
    ///    platform's selectors. An exact match beats a wildcard one; a
    ///    longer literal part beats a shorter one. A rule name broader than
    ///    the entry (`logs-endpoint.events.*`) matches it as shared.
    /// 2. A selector with `when` conditions matches only if the filters
    ///    satisfy all of them. A source whose `narrow` fields the filters
    ///    set to other values is dropped.
    /// 3. Per name, the candidates with the most satisfied conditions win,
    ///    then those that more of the rule's names point to, then the ones
    ///    reached by a specific (not shared) selector.
    /// 4. Across names, sources reached only through shared containers are
    ///    dropped when some source was reached specifically.
    ///
    /// Connectors a rule declares (Sentinel `requiredDataConnectors`, whose
    /// `dataTypes` attribute names a table; Elastic `integration` packages,
    /// matched against the `integrations` lists) are a fallback: they count only
    /// when the rule's own names and filters resolve nothing but context
    /// (threat intelligence, inventories), as when a query reads its event
    /// tables through a function parameter (`table(tableName)`) and names
    /// only the indicator table. A query that names its event tables is
    /// trusted over the connectors it lists, which are often broader (an
    /// ASIM rule lists every connector its parser can read).
    ///
    /// Results are in table order.
    pub fn identify(
        &self,
        platform: Platform,
        sources: &[DataSource],
        filters: &[Filter],
    ) -> Vec<Identified<'_>> {
        let which = Section::of(platform);
        let (declared, named): (Vec<&DataSource>, Vec<&DataSource>) = sources
            .iter()
            .partition(|s| s.kind == DataSourceKind::Connector);
        let mut names: Vec<(Vec<NameKind>, RuleName)> =
            named.iter().map(|s| rule_name(which, s)).collect();
        for (field, kind) in which.name_fields() {
            for filter in filters
                .iter()
                .filter(|f| f.field.eq_ignore_ascii_case(field))
            {
                for value in &filter.values {
                    names.push((vec![*kind], RuleName::Text(value.clone())));
                }
            }
        }
        let mut found = self.identify_names(which, &names, filters);
        let only_context = found
            .iter()
            .all(|f| f.logsource.category == Category::Context);
        if !only_context || which == Section::Sigma {
            return found;
        }
        let declared: Vec<(Vec<NameKind>, RuleName)> = declared
            .iter()
            .map(|connector| {
                let table = connector
                    .attributes
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("dataTypes"))
                    .map_or(connector.name.as_str(), |(_, v)| v.as_str());
                let kinds = match which {
                    Section::Sentinel => vec![NameKind::Table],
                    Section::Elastic => vec![NameKind::Integration],
                    _ => which.kinds().to_vec(),
                };
                (kinds, RuleName::Text(table.trim().to_string()))
            })
            .filter(|(_, name)| !name.to_string().is_empty())
            .collect();
        if declared.is_empty() {
            return found;
        }
        for extra in self.identify_names(which, &declared, filters) {
            if !found.iter().any(|f| f.logsource.id == extra.logsource.id) {
                found.push(extra);
            }
        }
        found.sort_by_key(|f| self.by_id.get(&f.logsource.id).copied());
        found
    }

    /// Steps 1 to 4 of [`LogSources::identify`] for a list of names.
    fn identify_names(
        &self,
        which: Section,
        names: &[(Vec<NameKind>, RuleName)],
        filters: &[Filter],
    ) -> Vec<Identified<'_>> {
        // Step 1 and 2: candidates per name.
        let mut per_name: Vec<Vec<Candidate>> = Vec::new();
        for (kinds, name) in names {
            let mut found: Vec<(Candidate, (u8, usize))> = Vec::new();
            for (index, source) in self.sources.iter().enumerate() {
                let Some(section) = source.sections.get(&which) else {
                    continue;
                };
                for selector in section.selectors.iter().filter(|s| kinds.contains(&s.kind)) {
                    let Some(matched) = match_selector(selector, name) else {
                        continue;
                    };
                    let Some(mut confirmed) = check(&selector.when, filters, true) else {
                        continue;
                    };
                    let Some(narrowed) = check(&section.narrow, filters, false) else {
                        continue;
                    };
                    confirmed.extend(narrowed);
                    confirmed.sort();
                    confirmed.dedup();
                    found.push((
                        Candidate {
                            source: index,
                            evidence: Evidence {
                                written: name.to_string(),
                                matched: selector.name.clone(),
                                shared: selector.shared || matched.broader,
                                confirmed_by: confirmed,
                            },
                        },
                        (matched.rank, matched.literal),
                    ));
                }
            }
            // Exact beats wildcard, longer literal beats shorter.
            let best = found.iter().map(|(_, rank)| *rank).max();
            let mut kept: Vec<Candidate> = found
                .into_iter()
                .filter(|(_, rank)| Some(*rank) == best)
                .map(|(c, _)| c)
                .collect();
            // One candidate per source: the strongest selector.
            kept.sort_by(|a, b| {
                a.source
                    .cmp(&b.source)
                    .then(
                        b.evidence
                            .confirmed_by
                            .len()
                            .cmp(&a.evidence.confirmed_by.len()),
                    )
                    .then(a.evidence.shared.cmp(&b.evidence.shared))
            });
            kept.dedup_by_key(|c| c.source);
            per_name.push(kept);
        }

        // Step 3: best candidates per name.
        let mut support: HashMap<usize, usize> = HashMap::new();
        for candidates in &per_name {
            for c in candidates {
                *support.entry(c.source).or_default() += 1;
            }
        }
        let mut chosen: BTreeMap<usize, Vec<Evidence>> = BTreeMap::new();
        for candidates in per_name {
            let key = |c: &Candidate| {
                (
                    c.evidence.confirmed_by.len(),
                    support.get(&c.source).copied().unwrap_or(0),
                    !c.evidence.shared,
                )
            };
            let Some(best) = candidates.iter().map(key).max() else {
                continue;
            };
            for c in candidates.into_iter().filter(|c| key(c) == best) {
                chosen.entry(c.source).or_default().push(c.evidence);
            }
        }

        // Step 4: specific beats shared-only. Context (threat intelligence,
        // inventories) is what a rule joins its events with: naming it
        // specifically says nothing about which container the events are in.
        let any_specific = chosen.iter().any(|(index, ev)| {
            self.sources[*index].category != Category::Context && ev.iter().any(|e| !e.shared)
        });
        chosen
            .into_iter()
            .filter(|(_, ev)| !any_specific || ev.iter().any(|e| !e.shared))
            .map(|(index, evidence)| Identified {
                logsource: &self.sources[index],
                evidence,
            })
            .collect()
    }

    /// The fields naming the operation of `logsource` on `platform`
    /// (`eventName` for CloudTrail in Sigma and Panther, `EventName` in
    /// Sentinel, `event.action` in Elastic). Empty when the log source itself
    /// is the action, or unknown.
    pub fn operation_fields(&self, logsource: &str, platform: Platform) -> &[String] {
        self.get(logsource)
            .and_then(|s| s.platform(platform))
            .map_or(&[], |names| names.operation.as_slice())
    }

    /// The fields naming the provider of the operation (`eventSource`).
    pub fn provider_fields(&self, logsource: &str, platform: Platform) -> &[String] {
        self.get(logsource)
            .and_then(|s| s.platform(platform))
            .map_or(&[], |names| names.provider.as_slice())
    }

    /// True when `field` names the operation of `logsource` on `platform`
    /// (compared ignoring case).
    pub fn is_operation_field(&self, logsource: &str, platform: Platform, field: &str) -> bool {
        self.operation_fields(logsource, platform)
            .iter()
            .any(|f| f.eq_ignore_ascii_case(field))
    }

    /// The normal form of an operation value on `logsource`: trimmed; for
    /// event ids the number without leading zeros; for case-insensitive
    /// sources the canonical spelling of a known operation, else lower case.
    pub fn normalize_operation(&self, logsource: &str, value: &str) -> String {
        let value = value.trim();
        let case = self
            .get(logsource)
            .map_or(OperationCase::Insensitive, |s| s.operation_case);
        match case {
            OperationCase::Sensitive => value.to_string(),
            OperationCase::EventId => match value.parse::<i64>() {
                Ok(n) => n.to_string(),
                Err(_) => fold(value),
            },
            OperationCase::Insensitive => self
                .providers
                .get(logsource)
                .and_then(|t| t.operations.get(&fold(value)))
                .map_or_else(|| fold(value), |(canonical, _)| canonical.clone()),
        }
    }

    /// The provider an operation implies on `logsource` (`ConsoleLogin` on
    /// `aws.cloudtrail` ⇒ `signin.amazonaws.com`; GCP method names by their
    /// prefix), or `None` when the table does not know it.
    pub fn infer_provider(&self, logsource: &str, operation: &str) -> Option<&str> {
        let table = self.providers.get(logsource)?;
        let folded = fold(operation);
        if let Some((_, provider)) = table.operations.get(&folded) {
            return Some(provider);
        }
        table
            .prefixes
            .iter()
            .find(|(prefix, _)| folded.starts_with(prefix.as_str()))
            .map(|(_, provider)| provider.as_str())
    }

    /// The key of an action's operation: `provider:operation` when the
    /// provider is given or can be inferred (lower-cased provider, normalized
    /// operation), else the normalized operation. The same API call gives one
    /// key whether or not the rule filtered its provider.
    pub fn operation_key(
        &self,
        logsource: &str,
        provider: Option<&str>,
        operation: &str,
    ) -> String {
        let operation = self.normalize_operation(logsource, operation);
        let provider = provider
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .or_else(|| self.infer_provider(logsource, &operation));
        match provider {
            Some(provider) => format!("{}:{operation}", fold(provider)),
            None => operation,
        }
    }

    /// Operations the provider table knows for `logsource`, as
    /// (operation, provider), sorted.
    pub fn known_operations(&self, logsource: &str) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .providers
            .get(logsource)
            .map(|t| {
                t.operations
                    .values()
                    .map(|(op, provider)| (op.as_str(), provider.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Problems in the table that parsing does not catch: the same name
    /// unconditionally and specifically on two sources without a `narrow`
    /// field that tells them apart. Empty for the shipped data.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut owners: BTreeMap<(Section, NameKind, String), Vec<usize>> = BTreeMap::new();
        for (index, source) in self.sources.iter().enumerate() {
            for (which, section) in &source.sections {
                for selector in &section.selectors {
                    if selector.shared || !selector.when.is_empty() {
                        continue;
                    }
                    owners
                        .entry((*which, selector.kind, fold(&selector.name)))
                        .or_default()
                        .push(index);
                }
            }
        }
        for ((which, kind, name), indexes) in owners {
            for (i, &a) in indexes.iter().enumerate() {
                for &b in &indexes[i + 1..] {
                    if a == b {
                        problems.push(format!(
                            "{which:?} {} `{name}` listed twice on `{}`",
                            kind.key(),
                            self.sources[a].id
                        ));
                    } else if !self.disjoint(a, b, which) {
                        problems.push(format!(
                            "{which:?} {} `{name}` names both `{}` and `{}` without a disjoint `narrow` field",
                            kind.key(),
                            self.sources[a].id,
                            self.sources[b].id
                        ));
                    }
                }
            }
        }
        problems
    }

    /// True when `a` and `b` share a `narrow` field with no common value.
    fn disjoint(&self, a: usize, b: usize, which: Section) -> bool {
        let (Some(na), Some(nb)) = (
            self.sources[a].sections.get(&which),
            self.sources[b].sections.get(&which),
        ) else {
            return false;
        };
        na.narrow.iter().any(|ca| {
            nb.narrow.iter().any(|cb| {
                ca.field.eq_ignore_ascii_case(&cb.field)
                    && !ca
                        .values
                        .iter()
                        .any(|x| cb.values.iter().any(|y| same_value(x, y)))
            })
        })
    }
}

struct Candidate {
    source: usize,
    evidence: Evidence,
}

/// A name a rule wrote: plain text, or a Sigma triple.
enum RuleName {
    Text(String),
    Sigma(SigmaLogsource),
}

impl fmt::Display for RuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleName::Text(text) => f.write_str(text),
            RuleName::Sigma(triple) => write!(f, "{triple}"),
        }
    }
}

/// The selector kinds a data source is looked up in, and its name.
fn rule_name(which: Section, source: &DataSource) -> (Vec<NameKind>, RuleName) {
    let kinds: Vec<NameKind> = match (which, source.kind) {
        (Section::Sigma, _) => vec![NameKind::Logsource],
        (Section::Elastic, DataSourceKind::Index) => vec![NameKind::Index],
        (Section::Elastic, DataSourceKind::Dataset) => vec![NameKind::Dataset],
        (Section::Elastic, _) => vec![NameKind::Index, NameKind::Dataset],
        _ => which.kinds().to_vec(),
    };
    let name = if which == Section::Sigma {
        RuleName::Sigma(sigma_of(source))
    } else {
        RuleName::Text(source.name.clone())
    };
    (kinds, name)
}

fn sigma_of(source: &DataSource) -> SigmaLogsource {
    let get = |key: &str| {
        source
            .attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| fold(v))
            .filter(|v| !v.is_empty())
    };
    SigmaLogsource {
        product: get("product"),
        category: get("category"),
        service: get("service"),
    }
}

struct NameMatch {
    /// 2 exact, 1 wildcard in the table entry, 0 rule broader than the entry.
    rank: u8,
    /// Length of the literal part of the entry (longer is more specific).
    literal: usize,
    /// The rule's name covers more than this entry.
    broader: bool,
}

fn match_selector(selector: &Selector, name: &RuleName) -> Option<NameMatch> {
    match (name, &selector.sigma) {
        (RuleName::Sigma(rule), Some(entry)) => match_sigma(entry, rule),
        (RuleName::Text(text), None) if selector.kind == NameKind::Index => {
            match_index(&selector.name, text)
        }
        (RuleName::Text(text), None) => match_text(&selector.name, text),
        _ => None,
    }
}

/// A rule's Sigma logsource matches an entry when every key the rule sets
/// is set to the same value in the entry (an entry without `product` is a
/// generic category and accepts any product). Entry keys the rule leaves
/// out make the match broader.
fn match_sigma(entry: &SigmaLogsource, rule: &SigmaLogsource) -> Option<NameMatch> {
    let pairs = [
        (&entry.product, &rule.product, true),
        (&entry.category, &rule.category, false),
        (&entry.service, &rule.service, false),
    ];
    let mut broader = false;
    let mut any = false;
    let mut literal = 0;
    for (entry_value, rule_value, is_product) in pairs {
        match (entry_value, rule_value) {
            (Some(e), Some(r)) if e == r => {
                any = true;
                literal += e.len();
            }
            (Some(_), Some(_)) => return None,
            (None, Some(_)) if is_product => {}
            (None, Some(_)) => return None,
            (Some(_), None) => broader = true,
            (None, None) => {}
        }
    }
    any.then_some(NameMatch {
        rank: if broader { 0 } else { 2 },
        literal,
        broader,
    })
}

/// Index patterns: compare the literal prefixes (trailing `*`, `-`, `.`,
/// `_` removed). The rule's index inside the entry's pattern is a match; a
/// rule pattern that covers the entry is a broader match.
fn match_index(entry: &str, rule: &str) -> Option<NameMatch> {
    let trim = |s: &str| {
        let lit = literal_prefix(s.trim());
        fold(lit.trim_end_matches(['-', '.', '_']))
    };
    let (e, r) = (trim(entry), trim(rule));
    if e.is_empty() && r.is_empty() {
        return None;
    }
    let rule_is_pattern = is_glob(rule);
    if r == e {
        let rank = if is_glob(entry) == rule_is_pattern {
            2
        } else {
            1
        };
        Some(NameMatch {
            rank,
            literal: e.len(),
            broader: false,
        })
    } else if r.starts_with(&e) && is_glob(entry) {
        Some(NameMatch {
            rank: 1,
            literal: e.len(),
            broader: false,
        })
    } else if e.starts_with(&r) && rule_is_pattern {
        Some(NameMatch {
            rank: 0,
            literal: r.len(),
            broader: true,
        })
    } else {
        None
    }
}

fn match_text(entry: &str, rule: &str) -> Option<NameMatch> {
    let (entry_glob, rule_glob) = (is_glob(entry), is_glob(rule));
    if fold(entry) == fold(rule) {
        return Some(NameMatch {
            rank: 2,
            literal: entry.len(),
            broader: false,
        });
    }
    match (entry_glob, rule_glob) {
        (true, false) if glob_match(entry, rule) => Some(NameMatch {
            rank: 1,
            literal: entry.len() - entry.matches(['*', '?']).count(),
            broader: false,
        }),
        (false, true) if glob_match(rule, entry) => Some(NameMatch {
            rank: 0,
            literal: 0,
            broader: true,
        }),
        (true, true) => {
            let (e, r) = (fold(literal_prefix(entry)), fold(literal_prefix(rule)));
            if r.starts_with(&e) {
                Some(NameMatch {
                    rank: 1,
                    literal: e.len(),
                    broader: false,
                })
            } else if e.starts_with(&r) {
                Some(NameMatch {
                    rank: 0,
                    literal: r.len(),
                    broader: true,
                })
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Evaluate conditions against the filters. `required`: every condition
/// must be satisfied (`when`); otherwise only contradictions fail
/// (`narrow`). Returns the satisfied fields, or `None` when failed.
fn check(conditions: &[Condition], filters: &[Filter], required: bool) -> Option<Vec<String>> {
    let mut satisfied = Vec::new();
    for condition in conditions {
        let values: Vec<&String> = filters
            .iter()
            .filter(|f| f.field.eq_ignore_ascii_case(&condition.field))
            .flat_map(|f| f.values.iter())
            .collect();
        if values.is_empty() {
            if required {
                return None;
            }
            continue;
        }
        let hit = values.iter().any(|v| {
            condition
                .values
                .iter()
                .any(|c| same_value(c, v) || (is_glob(v) && glob_match(v, c)))
        });
        if hit {
            satisfied.push(condition.field.clone());
        } else {
            return None;
        }
    }
    Some(satisfied)
}
