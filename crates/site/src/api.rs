//! The JSON API (`/api/v1/…`), as plain functions from a request path and
//! query string to a status and a JSON body, so it is tested without a
//! server.
//!
//! Field names are stable: new fields may be added, none renamed or
//! removed within `v1`. Lists are paginated:
//! `{"data": [...], "pagination": {"page", "per_page", "total", "pages"}}`.
//! Errors are `{"error": {"code", "message"}}` with status 400 (bad
//! parameter, bad query) or 404 (no such rule or endpoint).

use crate::paths;
use crate::site::Site;
use ruledex_catalog::{class_id, counts_in_coverage, Entry};
use ruledex_ir::{Language, Platform};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Default page size.
pub const DEFAULT_PER_PAGE: usize = 50;
/// Largest page size.
pub const MAX_PER_PAGE: usize = 500;

/// A response: HTTP status and JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse {
    /// HTTP status code.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl ApiResponse {
    fn ok(body: Value) -> ApiResponse {
        ApiResponse { status: 200, body }
    }

    /// An error response.
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> ApiResponse {
        ApiResponse {
            status,
            body: json!({ "error": { "code": code, "message": message.into() } }),
        }
    }
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
    }

    /// `page` and `per_page`, validated.
    fn paging(&self) -> Result<(usize, usize), ApiResponse> {
        let number = |name: &str, default: usize| -> Result<usize, ApiResponse> {
            match self.get(name) {
                None | Some("") => Ok(default),
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

    fn language(&self) -> Result<Option<Language>, ApiResponse> {
        match self.get("lang").filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Language::from_id(v).map(Some).ok_or_else(|| {
                ApiResponse::error(
                    400,
                    "bad_parameter",
                    format!(
                        "unknown language `{v}` (known: {})",
                        Language::ALL.map(|l| l.id()).join(", ")
                    ),
                )
            }),
        }
    }

    fn platform(&self) -> Result<Option<Platform>, ApiResponse> {
        match self.get("platform").filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Platform::from_id(v).map(Some).ok_or_else(|| {
                ApiResponse::error(
                    400,
                    "bad_parameter",
                    format!(
                        "unknown platform `{v}` (known: {})",
                        Platform::ALL.map(|p| p.id()).join(", ")
                    ),
                )
            }),
        }
    }

    /// `include=hunting,alert_forwarding` or `include=all`: classes to
    /// count besides detections.
    fn includes(&self, entry: &Entry) -> bool {
        match self.get("include") {
            None | Some("") => counts_in_coverage(entry),
            Some("all") => true,
            Some(list) => {
                counts_in_coverage(entry)
                    || entry
                        .rule
                        .classes
                        .iter()
                        .any(|c| list.split(',').any(|i| i.trim() == class_id(*c)))
            }
        }
    }
}

fn paginate<T: serde::Serialize>(
    items: Vec<T>,
    total: usize,
    page: usize,
    per_page: usize,
) -> Value {
    json!({
        "data": items,
        "pagination": {
            "page": page,
            "per_page": per_page,
            "total": total,
            "pages": total.div_ceil(per_page),
        }
    })
}

/// The summary of a rule used in lists.
pub fn summary(site: &Site, entry: &Entry) -> Value {
    let r = &entry.rule;
    json!({
        "key": entry.key,
        "id": r.id,
        "title": r.title,
        "language": r.language.id(),
        "platform": r.platform.id(),
        "severity": r.severity.map(|s| format!("{s:?}").to_lowercase()),
        "status": r.status,
        "kind": r.kind,
        "classes": r.classes.iter().map(|c| class_id(*c)).collect::<Vec<_>>(),
        "parsed": r.parsed(),
        "source": site.catalog().source_of(entry).name,
        "path": r.provenance.path,
        "logsources": entry.logsources,
        "techniques": entry.cells.iter().map(|c| c.subtechnique.clone().unwrap_or_else(|| c.technique.clone())).collect::<std::collections::BTreeSet<_>>(),
        "page": format!("/{}", paths::rule_path(&entry.key)),
    })
}

/// Everything about one rule: its summary, the full IR under `rule`, and
/// the catalog's additions (actions, ATT&CK findings, corpus counts).
pub fn detail(site: &Site, position: usize) -> Option<Value> {
    let catalog = site.catalog();
    let entry = catalog.entries().get(position)?;
    let mut value = summary(site, entry);
    let counts: Vec<Vec<Value>> = (0..entry.rule.indicators.len())
        .map(|i| {
            catalog
                .indicator_counts(position, i)
                .into_iter()
                .map(|c| {
                    let per: BTreeMap<&str, usize> =
                        c.per_language.iter().map(|(l, n)| (l.id(), *n)).collect();
                    json!({ "key": c.key, "others": c.total, "per_language": per })
                })
                .collect()
        })
        .collect();
    value["url"] = json!(catalog
        .source_of(entry)
        .file_url(&entry.rule.provenance.path));
    value["actions"] = entry
        .actions
        .iter()
        .map(|a| json!({ "logsource": a.logsource, "operation": a.operation, "field": a.field, "value": a.value }))
        .collect();
    value["attack"] = json!({
        "version": catalog.attack().version_label(),
        "findings": entry.attack,
        "cells": entry.cells,
    });
    value["indicator_counts"] = json!(counts);
    value["rule"] = serde_json::to_value(&entry.rule).ok()?;
    Some(value)
}

/// Answer `GET /api/v1/<rest>?<query>`.
pub fn handle(site: &Site, rest: &str, query: &str) -> ApiResponse {
    let params = Params::parse(query);
    let result = match rest.trim_end_matches('/') {
        "rules" => rules(site, &params),
        "search" => search(site, &params),
        "coverage" => coverage(site, &params),
        "layer" => layer(site, &params),
        "stats" => Ok(stats(site)),
        other => match other.strip_prefix("rules/") {
            Some(rest) => rule(site, rest, &params),
            None => Err(ApiResponse::error(
                404,
                "not_found",
                format!("no endpoint /api/v1/{other}"),
            )),
        },
    };
    result.unwrap_or_else(|e| e)
}

fn rules(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let (page, per_page) = params.paging()?;
    let lang = params.language()?;
    let platform = params.platform()?;
    let matching: Vec<&Entry> = site
        .entries()
        .iter()
        .filter(|e| {
            lang.is_none_or(|l| e.rule.language == l)
                && platform.is_none_or(|p| e.rule.platform == p)
        })
        .collect();
    let total = matching.len();
    let items: Vec<Value> = matching
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|e| summary(site, e))
        .collect();
    Ok(ApiResponse::ok(paginate(items, total, page, per_page)))
}

fn rule(site: &Site, rest: &str, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let catalog = site.catalog();
    if let Some(id) = rest.strip_prefix("by-id/") {
        let found: Vec<Value> = catalog
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
        return Ok(ApiResponse::ok(json!({ "data": found })));
    }
    if let Some(position) = catalog.position(rest) {
        return detail(site, position)
            .map(|d| ApiResponse::ok(json!({ "data": d })))
            .ok_or_else(|| ApiResponse::error(404, "not_found", format!("no rule `{rest}`")));
    }
    if let Some(key) = rest.strip_suffix("/related") {
        let position = catalog
            .position(key)
            .ok_or_else(|| ApiResponse::error(404, "not_found", format!("no rule `{key}`")))?;
        let (page, per_page) = params.paging()?;
        let related = catalog.related(position);
        let total = related.len();
        let items: Vec<Value> = related
            .all()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .map(|r| {
                let mut s = summary(site, &catalog.entries()[r.position]);
                s["reason"] = json!(catalog.related_reason(position, &r));
                s["rank"] = json!(r.rank.id());
                s["score"] = json!((r.score * 1000.0).round() / 1000.0);
                s["evidence"] = json!(catalog.evidence(position, &r));
                s
            })
            .collect();
        return Ok(ApiResponse::ok(paginate(items, total, page, per_page)));
    }
    Err(ApiResponse::error(
        404,
        "not_found",
        format!("no rule `{rest}`"),
    ))
}

fn search(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let (page, per_page) = params.paging()?;
    let q = params.get("q").unwrap_or_default();
    let results = site
        .catalog()
        .search(q, per_page, (page - 1).saturating_mul(per_page))
        .map_err(|e| ApiResponse::error(400, "bad_query", e.to_string()))?;
    let items: Vec<Value> = results
        .hits
        .iter()
        .map(|(p, score)| {
            let mut s = summary(site, &site.entries()[*p]);
            s["score"] = json!(score);
            s
        })
        .collect();
    let mut body = paginate(items, results.total, page, per_page);
    body["query"] = json!(q);
    Ok(ApiResponse::ok(body))
}

/// The rules `lang`, `platform` and `include` select.
fn filtered(params: &Params) -> Result<impl Fn(&Entry) -> bool + '_, ApiResponse> {
    let lang = params.language()?;
    let platform = params.platform()?;
    Ok(move |e: &Entry| {
        params.includes(e)
            && lang.is_none_or(|l| e.rule.language == l)
            && platform.is_none_or(|p| e.rule.platform == p)
    })
}

fn coverage(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let include = filtered(params)?;
    let catalog = site.catalog();
    let attack = catalog.attack();
    let coverage = catalog.coverage(include);
    let techniques: BTreeMap<&str, Value> = coverage
        .iter()
        .map(|(id, rules)| {
            let mut per_language: BTreeMap<&str, usize> = BTreeMap::new();
            let mut per_platform: BTreeMap<&str, usize> = BTreeMap::new();
            for &p in rules {
                let r = &catalog.entries()[p].rule;
                *per_language.entry(r.language.id()).or_default() += 1;
                *per_platform.entry(r.platform.id()).or_default() += 1;
            }
            let t = attack.technique(id);
            (
                id.as_str(),
                json!({
                    "name": t.map(|t| t.name.clone()),
                    "provisional": t.is_some_and(|t| t.provisional),
                    "rules": rules.len(),
                    "per_language": per_language,
                    "per_platform": per_platform,
                }),
            )
        })
        .collect();
    Ok(ApiResponse::ok(json!({
        "attack": attack.version_label(),
        "attack_full": attack.full_version_label(),
        "techniques": techniques,
    })))
}

fn layer(site: &Site, params: &Params) -> Result<ApiResponse, ApiResponse> {
    let include = filtered(params)?;
    let name = params
        .get("name")
        .filter(|n| !n.is_empty() && n.len() <= 100)
        .unwrap_or("ruledex coverage");
    Ok(ApiResponse::ok(
        site.catalog().navigator_layer(include, name),
    ))
}

fn stats(site: &Site) -> ApiResponse {
    let catalog = site.catalog();
    let totals: Vec<Value> = catalog
        .totals()
        .iter()
        .map(|((p, l), n)| json!({ "platform": p.id(), "language": l.id(), "rules": n }))
        .collect();
    let report = catalog.report();
    ApiResponse::ok(json!({
        "rules": catalog.entries().len(),
        "parsed": catalog.entries().iter().filter(|e| e.rule.parsed()).count(),
        "totals": totals,
        "languages": catalog.stats(),
        "sources": catalog.sources().iter().map(|s| json!({ "name": s.name, "commit": s.commit, "web": s.web })).collect::<Vec<_>>(),
        "files": { "read": report.files, "unknown": report.unknown.len(), "unreadable": report.unreadable.len() },
        "attack": catalog.attack().version_label(),
    }))
}
