//! The JSON API (`/api/v1/…`), as plain functions from a request path and
//! query string to a status and a JSON body, so it is tested without a
//! server.
//!
//! Every answer is a typed value (the structs below), and the OpenAPI 3.1
//! description served at `/api/v1/openapi.json` ([`ApiDoc`]) is derived
//! from those same types and from the handlers' annotations, so the
//! description cannot drift from what the handlers send. `/api/v1/` lists
//! the endpoints, from the same description.
//!
//! Field names are stable: new fields may be added, none renamed or
//! removed within `v1`. Lists are paginated:
//! `{"data": [...], "pagination": {"page", "per_page", "total", "pages"}}`.
//! Errors are `{"error": {"code", "message"}}` with status 400 (bad
//! parameter, bad query) or 404 (no such rule or endpoint).

use crate::paths;
use crate::site::Site;
use ruledex_catalog::{class_id, counts_in_coverage, Entry, RelatedRank};
use ruledex_ir::{Language, Platform};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Default page size.
pub const DEFAULT_PER_PAGE: usize = 50;
/// Largest page size.
pub const MAX_PER_PAGE: usize = 500;

/// The OpenAPI 3.1 description of the API, derived from the handlers and
/// the types they answer with.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ruledex JSON API",
        description = "The catalog of detection rules: rules, related rules, search, ATT&CK coverage and statistics. GET only. Field names are stable within v1: fields may be added, none renamed or removed."
    ),
    paths(
        index,
        openapi_json,
        rules,
        rule,
        related,
        by_id,
        search,
        coverage,
        layer,
        stats,
        events,
        event_provider,
        event
    )
)]
pub struct ApiDoc;

/// The description as JSON, as `/api/v1/openapi.json` serves it.
pub fn openapi() -> Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// A response: HTTP status and JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse {
    /// HTTP status code.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl ApiResponse {
    fn ok(body: impl Serialize) -> ApiResponse {
        ApiResponse {
            status: 200,
            body: serde_json::to_value(body).unwrap_or_default(),
        }
    }

    /// An error response.
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> ApiResponse {
        ApiResponse {
            status,
            body: serde_json::to_value(ApiError {
                error: ErrorDetail {
                    code: code.to_string(),
                    message: message.into(),
                },
            })
            .unwrap_or_default(),
        }
    }
}

/// An error answer.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The code and message of an error.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `not_found`, `bad_parameter`, `bad_query`, `bad_path` or
    /// `method_not_allowed`.
    pub code: String,
    /// What to change, in words.
    pub message: String,
}

/// Where a page of a list is.
#[derive(Serialize, ToSchema)]
pub struct Pagination {
    /// This page, from 1.
    pub page: usize,
    /// Items per page.
    pub per_page: usize,
    /// Items in the whole list.
    pub total: usize,
    /// Pages in the whole list.
    pub pages: usize,
}

impl Pagination {
    fn new(page: usize, per_page: usize, total: usize) -> Pagination {
        Pagination {
            page,
            per_page,
            total,
            pages: total.div_ceil(per_page),
        }
    }
}

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Where the page is in the list.
    pub pagination: Pagination,
}

/// One answer wrapped in `data`.
#[derive(Serialize, ToSchema)]
pub struct Data<T> {
    /// The answer.
    pub data: T,
}

/// A rule as lists show it.
#[derive(Serialize, ToSchema)]
pub struct RuleSummary {
    /// The catalog key: `<source>/<path>` (`--<n>` for the n-th rule of a
    /// file), unique.
    pub key: String,
    /// The id the rule declares (ids are not unique across sources).
    pub id: String,
    /// Title.
    pub title: String,
    /// Query language: `kql`, `sigma`, `kuery`, `lucene`, `eql`, `esql`,
    /// `spl`, `yaral`, `python`.
    pub language: &'static str,
    /// Platform: `sentinel`, `defender-xdr`, `sigma`, `elastic`, `splunk`,
    /// `chronicle`, `panther`.
    pub platform: &'static str,
    /// `informational`, `low`, `medium`, `high`, `critical`.
    pub severity: Option<String>,
    /// Status as the rule declares it.
    pub status: Option<String>,
    /// Kind as the rule declares it (`Scheduled`, `eql`, …).
    pub kind: Option<String>,
    /// `hunting`, `building_block`, `deprecated`, `alert_forwarding`,
    /// `correlation`, `filter`.
    pub classes: Vec<&'static str>,
    /// Whether the rule parsed without errors.
    pub parsed: bool,
    /// The source's name.
    pub source: String,
    /// The file, relative to the source.
    pub path: String,
    /// Normalized log sources the rule reads.
    pub logsources: Vec<String>,
    /// ATT&CK techniques and sub-techniques it covers.
    pub techniques: BTreeSet<String>,
    /// The rule's page on this server.
    pub page: String,
}

/// A rule related to another: how, how much, and the evidence.
#[derive(Serialize, ToSchema)]
pub struct RelatedRule {
    /// The related rule.
    #[serde(flatten)]
    pub summary: RuleSummary,
    /// Why it is related, in one line.
    pub reason: String,
    /// How the rules are related.
    pub rank: RelatedRankId,
    /// The similarity score: 0 for rules that only share a log source,
    /// about 1 for rules matching the same behaviour keys.
    pub score: f64,
    /// True when it is the same detection (every key of each rule is a key
    /// of the other): the same rule in another language.
    pub same_detection: bool,
    /// Each shared behaviour key, strongest first, as both rules write it
    /// (empty for rules that only share a log source).
    pub evidence: Vec<RelatedEvidence>,
    /// Undocumented rules with exactly this rule's behaviour keys, folded
    /// into this entry: copies of one detection (a query converted into
    /// several languages) take one place in the list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<RuleSummary>,
}

/// How two rules are related.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelatedRankId {
    /// They share an operation (an API call, a cloud action), maybe more.
    SameOperation,
    /// They share behaviour keys finer than their log source.
    SharedBehaviour,
    /// They only read the same log source (listed after the others).
    SameLogsource,
}

/// One behaviour key two related rules share.
#[derive(Serialize, ToSchema)]
pub struct RelatedEvidence {
    /// The key, described (`process certutil.exe`).
    pub key: String,
    /// How the asked rule writes it (`Image endswith "\certutil.exe"`).
    pub here: String,
    /// How the related rule writes it.
    pub there: String,
    /// True when the asked rule excludes what the key matches.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub here_excludes: bool,
    /// True when the related rule excludes it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub there_excludes: bool,
}

/// A search hit.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    /// The rule.
    #[serde(flatten)]
    pub summary: RuleSummary,
    /// Relevance (higher first).
    pub score: f32,
}

/// A page of search hits, with the query that found them.
#[derive(Serialize, ToSchema)]
pub struct SearchPage {
    /// The hits of this page, best first.
    pub data: Vec<SearchHit>,
    /// Where the page is in the hits.
    pub pagination: Pagination,
    /// The query as received.
    pub query: String,
}

/// Everything about one rule.
#[derive(Serialize, ToSchema)]
pub struct RuleDetail {
    /// The summary.
    #[serde(flatten)]
    pub summary: RuleSummary,
    /// The file upstream at the commit it was read at, when known.
    pub url: Option<String>,
    /// The operations the rule watches.
    pub actions: Vec<ActionView>,
    /// Its ATT&CK references, resolved.
    pub attack: AttackView,
    /// Per indicator of `rule.indicators`, per value: how many other rules
    /// share it.
    pub indicator_counts: Vec<Vec<IndicatorCountView>>,
    /// The events of the event dictionary the rule can match (empty
    /// without a dictionary).
    pub events: Vec<RuleEventView>,
    /// The whole rule in the common model (`ruledex show --json`; the
    /// README lists its fields).
    #[schema(value_type = Object)]
    pub rule: Value,
}

/// An event of the event dictionary a rule can match.
#[derive(Serialize, ToSchema)]
pub struct RuleEventView {
    /// Provider slug.
    pub provider: String,
    /// Event id.
    pub event: String,
    /// Label (`Microsoft-Windows-Sysmon 1 Process creation`).
    pub label: String,
    /// Why the rule matches it (`event id 4688 on security`, `reads
    /// SigninLogs`, `log source windows.process_creation`).
    pub reason: String,
    /// The event's fields the rule filters.
    pub fields: Vec<String>,
    /// Its page.
    pub page: String,
}

/// Event coverage of one provider.
#[derive(Serialize, ToSchema)]
pub struct ProviderView {
    /// URL id.
    pub slug: String,
    /// Name (`Microsoft-Windows-Security-Auditing`).
    pub name: String,
    /// Platform (`windows`, `azure`, …).
    pub platform: String,
    /// Events in the dictionary.
    pub events: usize,
    /// Events some rule (any class) watches.
    pub with_rules: usize,
    /// Its page.
    pub page: String,
}

/// An event of a provider, with its rule counts.
#[derive(Serialize, ToSchema)]
pub struct EventSummary {
    /// Event id.
    pub id: String,
    /// URL id.
    pub slug: String,
    /// Label.
    pub label: String,
    /// Rules watching it, by language.
    pub per_language: BTreeMap<&'static str, usize>,
    /// Rules watching it.
    pub rules: usize,
    /// Fields in the dictionary.
    pub fields: usize,
    /// Fields some rule filters.
    pub fields_filtered: usize,
    /// Its page.
    pub page: String,
}

/// A provider and its events.
#[derive(Serialize, ToSchema)]
pub struct ProviderDetail {
    /// The provider.
    #[serde(flatten)]
    pub provider: ProviderView,
    /// Its events, in id order.
    pub event_list: Vec<EventSummary>,
}

/// A field of an event, with the rules filtering it.
#[derive(Serialize, ToSchema)]
pub struct EventFieldView {
    /// Name.
    pub name: String,
    /// Type as the dictionary gives it.
    #[serde(rename = "type")]
    pub kind: String,
    /// Description (may be empty).
    pub description: String,
    /// Rules filtering it.
    pub rules: usize,
    /// Those rules by language.
    pub per_language: BTreeMap<&'static str, usize>,
    /// Most common values compared with it: (value, rules).
    pub values: Vec<(String, usize)>,
}

/// One event: fields, rules per field, the rules watching it.
#[derive(Serialize, ToSchema)]
pub struct EventDetail {
    /// The event.
    #[serde(flatten)]
    pub summary: EventSummary,
    /// Provider slug.
    pub provider: String,
    /// Description (Markdown, may be empty).
    pub description: String,
    /// Versions described.
    pub versions: Vec<String>,
    /// Fields, in dictionary order.
    pub field_list: Vec<EventFieldView>,
    /// Catalog keys of the rules watching it.
    pub rule_keys: Vec<String>,
}

/// An operation on a log source that a rule watches.
#[derive(Serialize, ToSchema)]
pub struct ActionView {
    /// Log-source id.
    pub logsource: String,
    /// Operation key; none when the rule filters no operation.
    pub operation: Option<String>,
    /// The operation field as the rule wrote it.
    pub field: Option<String>,
    /// The operation value as the rule wrote it.
    pub value: Option<String>,
}

/// A rule's ATT&CK references.
#[derive(Serialize, ToSchema)]
pub struct AttackView {
    /// The ATT&CK version the references were resolved against.
    pub version: String,
    /// Each reference as written, with what it resolved to.
    #[schema(value_type = Vec<Object>)]
    pub findings: Value,
    /// The matrix cells covered.
    pub cells: Vec<CellView>,
}

/// A cell of the ATT&CK matrix.
#[derive(Serialize, ToSchema)]
pub struct CellView {
    /// Tactic short name (the column).
    pub tactic: String,
    /// Top-level technique id.
    pub technique: String,
    /// The sub-technique, when the reference was to one.
    pub subtechnique: Option<String>,
}

/// How many other rules share one indicator value.
#[derive(Serialize, ToSchema)]
pub struct IndicatorCountView {
    /// The normalized (field, kind, value) key.
    pub key: String,
    /// Other rules in the catalog with the same key.
    pub others: usize,
    /// Those per language.
    pub per_language: BTreeMap<&'static str, usize>,
}

/// Rules per technique.
#[derive(Serialize, ToSchema)]
pub struct Coverage {
    /// The ATT&CK version.
    pub attack: String,
    /// The ATT&CK version, in full.
    pub attack_full: String,
    /// Per technique or sub-technique id.
    pub techniques: BTreeMap<String, TechniqueCoverage>,
}

/// The rules covering one technique.
#[derive(Serialize, ToSchema)]
pub struct TechniqueCoverage {
    /// Its name.
    pub name: Option<String>,
    /// Whether only the provisional ATT&CK version knows it.
    pub provisional: bool,
    /// Rules.
    pub rules: usize,
    /// Rules per language.
    pub per_language: BTreeMap<&'static str, usize>,
    /// Rules per platform.
    pub per_platform: BTreeMap<&'static str, usize>,
}

/// Totals of the catalog.
#[derive(Serialize, ToSchema)]
pub struct Stats {
    /// Rules.
    pub rules: usize,
    /// Rules that parsed.
    pub parsed: usize,
    /// Rules per platform and language.
    pub totals: Vec<Total>,
    /// Parse and normalization figures per language.
    pub languages: Vec<LanguageStatsView>,
    /// The sources read.
    pub sources: Vec<SourceView>,
    /// Files read.
    pub files: FileCounts,
    /// The ATT&CK version.
    pub attack: String,
}

/// Rules of one platform in one language.
#[derive(Serialize, ToSchema)]
pub struct Total {
    /// Platform id.
    pub platform: &'static str,
    /// Language id.
    pub language: &'static str,
    /// Rules.
    pub rules: usize,
}

/// How far normalization got for one language.
#[derive(Serialize, ToSchema)]
pub struct LanguageStatsView {
    /// Language id.
    pub language: &'static str,
    /// Rules.
    pub rules: usize,
    /// Rules with no query to analyze (machine-learning jobs, Panther specs
    /// whose program is not in the source); not counted as parsed.
    pub without_query: usize,
    /// Rules with a query and without error diagnostics.
    pub parsed: usize,
    /// Rules with a resolved log source.
    pub with_logsource: usize,
    /// Rules with an operation-level action.
    pub with_action: usize,
    /// Rules on cloud, identity or SaaS log sources.
    pub cloud_rules: usize,
    /// Of those, rules with an action.
    pub cloud_with_action: usize,
}

/// A source of the catalog.
#[derive(Serialize, ToSchema)]
pub struct SourceView {
    /// Name.
    pub name: String,
    /// Commit read, when known.
    pub commit: Option<String>,
    /// Web address, when known.
    pub web: Option<String>,
}

/// Files the catalog saw.
#[derive(Serialize, ToSchema)]
pub struct FileCounts {
    /// Files read.
    pub read: usize,
    /// Files no format recognized.
    pub unknown: usize,
    /// Files that could not be read.
    pub unreadable: usize,
}

/// The endpoints of the API.
#[derive(Serialize, ToSchema)]
pub struct ApiIndex {
    /// The API version.
    pub version: &'static str,
    /// Where the OpenAPI description is.
    pub openapi: &'static str,
    /// Every endpoint.
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint.
#[derive(Serialize, ToSchema)]
pub struct Endpoint {
    /// HTTP method.
    pub method: &'static str,
    /// Path, with `{parameters}`.
    pub path: String,
    /// What it answers.
    pub summary: String,
}

/// Query parameters, in order.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: &str) -> Params {
        Params(
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Paging of a list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page, from 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<usize>,
}

impl Paging {
    /// `page` and `per_page`, validated, with their defaults.
    fn read(params: &Params) -> Result<(usize, usize), ApiResponse> {
        let number = |name: &str, default: usize| -> Result<usize, ApiResponse> {
            match params.get(name) {
                None => Ok(default),
                Some(v) => v.parse::<usize>().map_err(|_| {
                    ApiResponse::error(
                        400,
                        "bad_parameter",
                        format!("`{name}` must be a positive whole number, not `{v}`"),
                    )
                }),
            }
        };
        let page = number("page", 1)?;
        let per_page = number("per_page", DEFAULT_PER_PAGE)?;
        if page == 0 {
            return Err(ApiResponse::error(
                400,
                "bad_parameter",
                "`page` starts at 1",
            ));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(ApiResponse::error(
                400,
                "bad_parameter",
                format!("`per_page` must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Ok((page, per_page))
    }
}

/// Which rules: by language and platform.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RuleFilter {
    /// Only rules in this language (`kql`, `sigma`, …).
    pub lang: Option<String>,
    /// Only rules of this platform (`sentinel`, `elastic`, …).
    pub platform: Option<String>,
}

impl RuleFilter {
    fn read(params: &Params) -> Result<(Option<Language>, Option<Platform>), ApiResponse> {
        let language = match params.get("lang") {
            None => None,
            Some(v) => Some(Language::from_id(v).ok_or_else(|| {
                ApiResponse::error(
                    400,
                    "bad_parameter",
                    format!(
                        "unknown language `{v}` (known: {})",
                        Language::ALL.map(|l| l.id()).join(", ")
                    ),
                )
            })?),
        };
        let platform = match params.get("platform") {
            None => None,
            Some(v) => Some(Platform::from_id(v).ok_or_else(|| {
                ApiResponse::error(
                    400,
                    "bad_parameter",
                    format!(
                        "unknown platform `{v}` (known: {})",
                        Platform::ALL.map(|p| p.id()).join(", ")
                    ),
                )
            })?),
        };
        Ok((language, platform))
    }
}

/// Which rules count for coverage.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageFilter {
    /// Only rules in this language.
    pub lang: Option<String>,
    /// Only rules of this platform.
    pub platform: Option<String>,
    /// Classes to count besides detections, comma-separated
    /// (`hunting,alert_forwarding`), or `all`.
    pub include: Option<String>,
}

impl CoverageFilter {
    /// The rules `lang`, `platform` and `include` select.
    fn read(params: &Params) -> Result<impl Fn(&Entry) -> bool + '_, ApiResponse> {
        let (lang, platform) = RuleFilter::read(params)?;
        let include = params.get("include");
        Ok(move |e: &Entry| {
            let counted = match include {
                None => counts_in_coverage(e),
                Some("all") => true,
                Some(list) => {
                    counts_in_coverage(e)
                        || e.rule
                            .classes
                            .iter()
                            .any(|c| list.split(',').any(|i| i.trim() == class_id(*c)))
                }
            };
            counted
                && lang.is_none_or(|l| e.rule.language == l)
                && platform.is_none_or(|p| e.rule.platform == p)
        })
    }
}

/// A search query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words and filters (`technique:T1199 lang:sigma`); see the README.
    pub q: Option<String>,
}

/// The name of a Navigator layer.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LayerName {
    /// The layer's name (up to 100 characters).
    pub name: Option<String>,
}

/// The summary of a rule used in lists.
pub fn summary(site: &Site, entry: &Entry) -> RuleSummary {
    let r = &entry.rule;
    RuleSummary {
        key: entry.key.clone(),
        id: r.id.clone(),
        title: r.title.clone(),
        language: r.language.id(),
        platform: r.platform.id(),
        severity: r.severity.map(|s| s.id().to_string()),
        status: r.status.clone(),
        kind: r.kind.clone(),
        classes: r.classes.iter().map(|c| class_id(*c)).collect(),
        parsed: r.parsed(),
        source: site.catalog().source_of(entry).name.clone(),
        path: r.provenance.path.clone(),
        logsources: entry.logsources.clone(),
        techniques: entry
            .cells
            .iter()
            .map(|c| {
                c.subtechnique
                    .clone()
                    .unwrap_or_else(|| c.technique.clone())
            })
            .collect(),
        page: format!("/{}", paths::rule_path(&entry.key)),
    }
}

/// Everything about one rule: its summary, the full IR under `rule`, and
/// the catalog's additions (actions, ATT&CK findings, corpus counts).
pub fn detail(site: &Site, position: usize) -> Option<RuleDetail> {
    let catalog = site.catalog();
    let entry = catalog.entries().get(position)?;
    let indicator_counts = (0..entry.rule.indicators.len())
        .map(|i| {
            catalog
                .indicator_counts(position, i)
                .into_iter()
                .map(|c| IndicatorCountView {
                    key: c.key,
                    others: c.total,
                    per_language: c.per_language.iter().map(|(l, n)| (l.id(), *n)).collect(),
                })
                .collect()
        })
        .collect();
    Some(RuleDetail {
        summary: summary(site, entry),
        url: catalog
            .source_of(entry)
            .file_url(&entry.rule.provenance.path),
        actions: entry
            .actions
            .iter()
            .map(|a| ActionView {
                logsource: a.logsource.clone(),
                operation: a.operation.clone(),
                field: a.field.clone(),
                value: a.value.clone(),
            })
            .collect(),
        attack: AttackView {
            version: catalog.attack().version_label(),
            findings: serde_json::to_value(&entry.attack).ok()?,
            cells: entry
                .cells
                .iter()
                .map(|c| CellView {
                    tactic: c.tactic.clone(),
                    technique: c.technique.clone(),
                    subtechnique: c.subtechnique.clone(),
                })
                .collect(),
        },
        indicator_counts,
        events: rule_events(site, position),
        rule: serde_json::to_value(&entry.rule).ok()?,
    })
}

/// Answer `GET /api/v1/<rest>?<query>`.
pub fn handle(site: &Site, rest: &str, query: &str) -> ApiResponse {
    let params = Params::parse(query);
    let result = match rest.trim_end_matches('/') {
        "" => Ok(index()),
        "openapi.json" => Ok(openapi_json()),
        "rules" => rules(site, &params),
        "search" => search(site, &params),
        "coverage" => coverage(site, &params),
        "layer" => layer(site, &params),
        "stats" => Ok(stats(site)),
        "events" => events(site),
        other => match other.strip_prefix("rules/") {
            Some(rest) => rule_paths(site, rest, &params),
            None if other.starts_with("events/") => {
                let rest = &other["events/".len()..];
                match rest.split_once('/') {
                    Some((provider, id)) => event(site, provider, id),
                    None => event_provider(site, rest),
                }
            }
            None => Err(ApiResponse::error(
                404,
                "not_found",
                format!("no endpoint /api/v1/{other} (GET /api/v1/ lists them)"),
            )),
        },
    };
    result.unwrap_or_else(|e| e)
}

/// The endpoints of the API.
#[utoipa::path(
    get,
    path = "/api/v1/",
    tag = "meta",
    responses((status = 200, description = "Every endpoint, from the OpenAPI description", body = ApiIndex))
)]
fn index() -> ApiResponse {
    let doc = ApiDoc::openapi();
    let endpoints = doc
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let operation = item.get.as_ref()?;
            Some(Endpoint {
                method: "GET",
                path: path.clone(),
                summary: operation.summary.clone().unwrap_or_default(),
            })
        })
        .collect();
    ApiResponse::ok(ApiIndex {
        version: "v1",
        openapi: "/api/v1/openapi.json",
        endpoints,
    })
}

/// This API's OpenAPI 3.1 description.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 description of this API", body = Object))
)]
fn openapi_json() -> ApiResponse {
    ApiResponse::ok(openapi())
}

/// Rule summaries, by language and platform.
#[utoipa::path(
    get,
    path = "/api/v1/rules",
    tag = "rules",
    params(RuleFilter, Paging),
    responses(
        (status = 200, description = "A page of rule summaries", body = Page<RuleSummary>),
        (status = 400, description = "A parameter is out of range or unknown", body = ApiError)
    )
)]
fn rules(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let (page, per_page) = Paging::read(params)?;
    let (lang, platform) = RuleFilter::read(params)?;
    let matching: Vec<&Entry> = site
        .entries()
        .iter()
        .filter(|e| {
            lang.is_none_or(|l| e.rule.language == l)
                && platform.is_none_or(|p| e.rule.platform == p)
        })
        .collect();
    let total = matching.len();
    let data: Vec<RuleSummary> = matching
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|e| summary(site, e))
        .collect();
    Ok(ApiResponse::ok(Page {
        data,
        pagination: Pagination::new(page, per_page, total),
    }))
}

/// `rules/by-id/{id}`, `rules/{key}` or `rules/{key}/related`.
fn rule_paths(site: &Site, rest: &str, params: &Params) -> Result<ApiResponse, ApiResponse> {
    if let Some(id) = rest.strip_prefix("by-id/") {
        return by_id(site, id);
    }
    if site.catalog().position(rest).is_some() {
        return rule(site, rest);
    }
    if let Some(key) = rest.strip_suffix("/related") {
        return related(site, key, params);
    }
    Err(ApiResponse::error(
        404,
        "not_found",
        format!("no rule `{rest}`"),
    ))
}

/// One rule, with everything the catalog knows about it.
///
/// Its summary, the file upstream, the actions it watches, its ATT&CK
/// references, corpus counts of its indicators, and the whole rule in the
/// common model.
#[utoipa::path(
    get,
    path = "/api/v1/rules/{key}",
    tag = "rules",
    params(("key" = String, Path, description = "The rule's catalog key (`<source>/<path>`); its `/` may be sent as is or as `%2F`")),
    responses(
        (status = 200, description = "The rule", body = Data<RuleDetail>),
        (status = 404, description = "No rule has this key", body = ApiError)
    )
)]
fn rule(site: &Site, key: &str) -> Result<ApiResponse, ApiResponse> {
    let not_found = || ApiResponse::error(404, "not_found", format!("no rule `{key}`"));
    let position = site.catalog().position(key).ok_or_else(not_found)?;
    let data = detail(site, position).ok_or_else(not_found)?;
    Ok(ApiResponse::ok(Data { data }))
}

/// Every rule declaring an id.
///
/// Case-insensitive; ids are not unique across sources.
#[utoipa::path(
    get,
    path = "/api/v1/rules/by-id/{id}",
    tag = "rules",
    params(("id" = String, Path, description = "The id a rule declares")),
    responses(
        (status = 200, description = "The rules declaring the id", body = Data<Vec<RuleDetail>>),
        (status = 404, description = "No rule declares the id", body = ApiError)
    )
)]
fn by_id(site: &Site, id: &str) -> Result<ApiResponse, ApiResponse> {
    let catalog = site.catalog();
    let found: Vec<RuleDetail> = catalog
        .by_id(id)
        .iter()
        .filter_map(|e| detail(site, catalog.position(&e.key)?))
        .collect();
    if found.is_empty() {
        return Err(ApiResponse::error(
            404,
            "not_found",
            format!("no rule with id `{id}`"),
        ));
    }
    Ok(ApiResponse::ok(Data { data: found }))
}

/// Rules in any language related to a rule.
///
/// First the rules sharing behaviour keys (the same executable and flag,
/// registry key, API call, sign-in property), by score, each with the
/// evidence; then the rules that only read the same log source.
#[utoipa::path(
    get,
    path = "/api/v1/rules/{key}/related",
    tag = "rules",
    params(("key" = String, Path, description = "The rule's catalog key"), Paging),
    responses(
        (status = 200, description = "A page of related rules", body = Page<RelatedRule>),
        (status = 400, description = "A paging parameter is out of range", body = ApiError),
        (status = 404, description = "No rule has this key", body = ApiError)
    )
)]
fn related(site: &Site, key: &str, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let catalog = site.catalog();
    let position = catalog
        .position(key)
        .ok_or_else(|| ApiResponse::error(404, "not_found", format!("no rule `{key}`")))?;
    let (page, per_page) = Paging::read(params)?;
    let related = catalog.related(position);
    let total = related.len();
    let data: Vec<RelatedRule> = related
        .all()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|r| RelatedRule {
            summary: summary(site, &catalog.entries()[r.position]),
            reason: catalog.related_reason(position, &r),
            rank: match r.rank {
                RelatedRank::SameOperation => RelatedRankId::SameOperation,
                RelatedRank::SharedBehaviour => RelatedRankId::SharedBehaviour,
                RelatedRank::SameLogSource => RelatedRankId::SameLogsource,
            },
            score: (r.score * 1000.0).round() / 1000.0,
            same_detection: r.same_detection,
            evidence: catalog
                .evidence(position, &r)
                .into_iter()
                .map(|e| RelatedEvidence {
                    key: e.key,
                    here: e.here,
                    there: e.there,
                    here_excludes: e.here_excludes,
                    there_excludes: e.there_excludes,
                })
                .collect(),
            copies: r
                .copies
                .iter()
                .map(|&p| summary(site, &catalog.entries()[p]))
                .collect(),
        })
        .collect();
    Ok(ApiResponse::ok(Page {
        data,
        pagination: Pagination::new(page, per_page, total),
    }))
}

/// Search rules by words, file names, ids and filters.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "rules",
    params(SearchQuery, Paging),
    responses(
        (status = 200, description = "A page of hits, best first", body = SearchPage),
        (status = 400, description = "The query or a paging parameter is not valid", body = ApiError)
    )
)]
fn search(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let (page, per_page) = Paging::read(params)?;
    let q = params.get("q").unwrap_or_default();
    let results = site
        .catalog()
        .search(q, per_page, (page - 1).saturating_mul(per_page))
        .map_err(|e| ApiResponse::error(400, "bad_query", e.to_string()))?;
    let data = results
        .hits
        .iter()
        .map(|(p, score)| SearchHit {
            summary: summary(site, &site.entries()[*p]),
            score: *score,
        })
        .collect();
    Ok(ApiResponse::ok(SearchPage {
        data,
        pagination: Pagination::new(page, per_page, results.total),
        query: q.to_string(),
    }))
}

/// Rules per ATT&CK technique, per language and platform.
///
/// Sub-techniques also count on their parent. Detections only, unless
/// `include` names other classes.
#[utoipa::path(
    get,
    path = "/api/v1/coverage",
    tag = "attack",
    params(CoverageFilter),
    responses(
        (status = 200, description = "Coverage per technique", body = Coverage),
        (status = 400, description = "A parameter is unknown", body = ApiError)
    )
)]
fn coverage(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let include = CoverageFilter::read(params)?;
    let catalog = site.catalog();
    let attack = catalog.attack();
    let techniques = catalog
        .coverage(include)
        .into_iter()
        .map(|(id, rules)| {
            let mut per_language: BTreeMap<&'static str, usize> = BTreeMap::new();
            let mut per_platform: BTreeMap<&'static str, usize> = BTreeMap::new();
            for &p in &rules {
                let r = &catalog.entries()[p].rule;
                *per_language.entry(r.language.id()).or_default() += 1;
                *per_platform.entry(r.platform.id()).or_default() += 1;
            }
            let t = attack.technique(&id);
            let coverage = TechniqueCoverage {
                name: t.map(|t| t.name.clone()),
                provisional: t.is_some_and(|t| t.provisional),
                rules: rules.len(),
                per_language,
                per_platform,
            };
            (id, coverage)
        })
        .collect();
    Ok(ApiResponse::ok(Coverage {
        attack: attack.version_label(),
        attack_full: attack.full_version_label(),
        techniques,
    }))
}

/// An ATT&CK Navigator layer of the selected rules' coverage.
#[utoipa::path(
    get,
    path = "/api/v1/layer",
    tag = "attack",
    params(CoverageFilter, LayerName),
    responses(
        (status = 200, description = "An ATT&CK Navigator layer, format 4.5 (its own published schema)", body = Object),
        (status = 400, description = "A parameter is unknown", body = ApiError)
    )
)]
fn layer(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let include = CoverageFilter::read(params)?;
    let name = params
        .get("name")
        .filter(|n| n.len() <= 100)
        .unwrap_or("ruledex coverage");
    Ok(ApiResponse::ok(
        site.catalog().navigator_layer(include, name),
    ))
}

/// The catalog's totals.
///
/// Rules per platform and language, parse and normalization figures per
/// language, the sources, and the files read.
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    tag = "meta",
    responses((status = 200, description = "The catalog's totals", body = Stats))
)]
fn stats(site: &Site) -> ApiResponse {
    let catalog = site.catalog();
    let report = catalog.report();
    ApiResponse::ok(Stats {
        rules: catalog.entries().len(),
        parsed: catalog.entries().iter().filter(|e| e.rule.parsed()).count(),
        totals: catalog
            .totals()
            .iter()
            .map(|((p, l), n)| Total {
                platform: p.id(),
                language: l.id(),
                rules: *n,
            })
            .collect(),
        languages: catalog
            .stats()
            .into_iter()
            .map(|s| LanguageStatsView {
                language: s.language,
                rules: s.rules,
                without_query: s.without_query,
                parsed: s.parsed,
                with_logsource: s.with_logsource,
                with_action: s.with_action,
                cloud_rules: s.cloud_rules,
                cloud_with_action: s.cloud_with_action,
            })
            .collect(),
        sources: catalog
            .sources()
            .iter()
            .map(|s| SourceView {
                name: s.name.clone(),
                commit: s.commit.clone(),
                web: s.web.clone(),
            })
            .collect(),
        files: FileCounts {
            read: report.files,
            unknown: report.unknown.len(),
            unreadable: report.unreadable.len(),
        },
        attack: catalog.attack().version_label(),
    })
}

fn rule_events(site: &Site, position: usize) -> Vec<RuleEventView> {
    let Some(index) = site.catalog().events() else {
        return Vec::new();
    };
    let d = index.dictionary();
    index
        .of_rule(position)
        .iter()
        .map(|re| {
            let e = &d.events[re.matched.event];
            let provider = &d.providers[e.provider];
            RuleEventView {
                provider: provider.slug.clone(),
                event: e.id.clone(),
                label: d.label(re.matched.event),
                reason: re.matched.reason.to_string(),
                fields: re
                    .fields
                    .iter()
                    .map(|(f, _)| e.fields[*f].name.clone())
                    .collect(),
                page: format!("/{}", paths::event_path(&provider.slug, &e.slug)),
            }
        })
        .collect()
}

fn no_dictionary() -> ApiResponse {
    ApiResponse::error(
        404,
        "not_found",
        "the catalog has no event dictionary (`--events PATH` or `[[events]]` in ruledex.toml)",
    )
}

fn language_counts(site: &Site, rules: &[usize]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for &p in rules {
        *out.entry(site.entries()[p].rule.language.id()).or_default() += 1;
    }
    out
}

fn provider_view(
    index: &ruledex_catalog::EventIndex,
    p: &ruledex_catalog::DictionaryProvider,
) -> ProviderView {
    ProviderView {
        slug: p.slug.clone(),
        name: p.name.clone(),
        platform: p.platform.clone(),
        events: p.events.len(),
        with_rules: p
            .events
            .iter()
            .filter(|&&e| !index.of_event(e).rules.is_empty())
            .count(),
        page: format!("/{}", paths::provider_path(&p.slug)),
    }
}

fn event_summary(site: &Site, index: &ruledex_catalog::EventIndex, e: usize) -> EventSummary {
    let d = index.dictionary();
    let event = &d.events[e];
    let uses = index.of_event(e);
    EventSummary {
        id: event.id.clone(),
        slug: event.slug.clone(),
        label: d.label(e),
        per_language: language_counts(site, &uses.rules),
        rules: uses.rules.len(),
        fields: event.fields.len(),
        fields_filtered: uses.fields.iter().filter(|f| !f.rules.is_empty()).count(),
        page: format!(
            "/{}",
            paths::event_path(&d.providers[event.provider].slug, &event.slug)
        ),
    }
}

/// Event coverage: every provider of the event dictionary.
///
/// Per provider, its events and how many some rule watches.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    responses(
        (status = 200, description = "The providers", body = Data<Vec<ProviderView>>),
        (status = 404, description = "The catalog has no event dictionary", body = ApiError)
    )
)]
fn events(site: &Site) -> Result<ApiResponse, ApiResponse> {
    let index = site.catalog().events().ok_or_else(no_dictionary)?;
    let data: Vec<ProviderView> = index
        .dictionary()
        .providers
        .iter()
        .map(|p| provider_view(index, p))
        .collect();
    Ok(ApiResponse::ok(Data { data }))
}

/// One provider and its events, with rule counts per language.
#[utoipa::path(
    get,
    path = "/api/v1/events/{provider}",
    tag = "events",
    params(("provider" = String, Path, description = "The provider's slug (`windows-sysmon`)")),
    responses(
        (status = 200, description = "The provider", body = Data<ProviderDetail>),
        (status = 404, description = "No such provider, or no event dictionary", body = ApiError)
    )
)]
fn event_provider(site: &Site, slug: &str) -> Result<ApiResponse, ApiResponse> {
    let index = site.catalog().events().ok_or_else(no_dictionary)?;
    let (_, p) = index
        .dictionary()
        .provider(slug)
        .ok_or_else(|| ApiResponse::error(404, "not_found", format!("no provider `{slug}`")))?;
    let data = ProviderDetail {
        provider: provider_view(index, p),
        event_list: p
            .events
            .iter()
            .map(|&e| event_summary(site, index, e))
            .collect(),
    };
    Ok(ApiResponse::ok(Data { data }))
}

/// One event: its fields, the rules filtering each, and the rules watching it.
#[utoipa::path(
    get,
    path = "/api/v1/events/{provider}/{event}",
    tag = "events",
    params(
        ("provider" = String, Path, description = "The provider's slug"),
        ("event" = String, Path, description = "The event's slug (its id, lower case: `4688`, `deviceprocessevents`)")
    ),
    responses(
        (status = 200, description = "The event", body = Data<EventDetail>),
        (status = 404, description = "No such event, or no event dictionary", body = ApiError)
    )
)]
fn event(site: &Site, provider: &str, slug: &str) -> Result<ApiResponse, ApiResponse> {
    let index = site.catalog().events().ok_or_else(no_dictionary)?;
    let d = index.dictionary();
    let e = d.event_by_slug(provider, slug).ok_or_else(|| {
        ApiResponse::error(404, "not_found", format!("no event `{provider}/{slug}`"))
    })?;
    let event = &d.events[e];
    let uses = index.of_event(e);
    let data = EventDetail {
        summary: event_summary(site, index, e),
        provider: provider.to_string(),
        description: event.description.clone(),
        versions: event.versions.clone(),
        field_list: event
            .fields
            .iter()
            .zip(&uses.fields)
            .map(|(f, u)| EventFieldView {
                name: f.name.clone(),
                kind: f.kind.clone(),
                description: f.description.clone(),
                rules: u.rules.len(),
                per_language: language_counts(site, &u.rules),
                values: u.values.clone(),
            })
            .collect(),
        rule_keys: uses
            .rules
            .iter()
            .map(|&p| site.entries()[p].key.clone())
            .collect(),
    };
    Ok(ApiResponse::ok(Data { data }))
}
