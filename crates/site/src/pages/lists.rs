//! List pages: home, platform and language indexes, log sources, actions,
//! fields, indicators, diagnostics.

use super::{filter_query, rule_link, rule_sections, Cell, Layout, Section, PAGE_MAX_BYTES};
use crate::paths;
use crate::site::Site;
use askama::Template;
use ruledex_ir::{Language, Platform};
use std::collections::BTreeMap;

/// Rows a list page's table shows at most (the search lists them all).
pub const LIST_MAX_ROWS: usize = 400;

/// How many recent changes the home page lists.
pub const RECENT_CHANGES: usize = 30;

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    pub layout: Layout,
    pub crumbs: Vec<(String, String)>,
    pub heading: String,
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
}

/// Render a list page. No table lists more than [`LIST_MAX_ROWS`] rows,
/// and while the page is larger than [`PAGE_MAX_BYTES`], every section is
/// cut to half as many again (200, 100, … 25): tables are ordered by rule
/// count or title, so the cut is the long tail, and each cut table says
/// how much is missing and links to the search that lists all of it.
pub(crate) fn page(
    layout: Layout,
    crumbs: Vec<(String, String)>,
    heading: impl Into<String>,
    intro: Vec<String>,
    sections: Vec<Section>,
) -> Option<String> {
    let mut list = ListPage {
        layout,
        crumbs,
        heading: heading.into(),
        intro,
        sections,
    };
    let mut cap = LIST_MAX_ROWS;
    loop {
        for section in &mut list.sections {
            section.cut_to(cap);
        }
        let html = list.render().ok()?;
        if html.len() <= PAGE_MAX_BYTES || cap <= 25 {
            return Some(html);
        }
        cap /= 2;
    }
}

pub(crate) fn home(site: &Site, layout: Layout) -> Option<String> {
    let catalog = site.catalog();
    let mut per: BTreeMap<(Platform, Language), (usize, usize, usize)> = BTreeMap::new();
    for (p, e) in catalog.entries().iter().enumerate() {
        let c = per.entry((e.rule.platform, e.rule.language)).or_default();
        if site.counted(p) {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
        if !e.rule.parsed() {
            c.2 += 1;
        }
    }
    let rows = per
        .iter()
        .map(|((p, l), (counted, others, failed))| {
            vec![
                Cell::link(p.display_name(), paths::platform_path(*p)),
                Cell::link(l.display_name(), paths::language_path(*l)),
                Cell::text(counted),
                Cell::text(others),
                Cell::text(failed),
            ]
        })
        .collect();
    let total = catalog.entries().len();
    let failed = catalog
        .entries()
        .iter()
        .filter(|e| !e.rule.parsed())
        .count();
    let mut sections = vec![Section {
        id: "counts".into(),
        heading: "Rules per platform and language".into(),
        columns: vec![
            "Platform",
            "Language",
            "Detections",
            "Hunting and other",
            "Did not parse",
        ],
        rows,
        ..Section::default()
    }];
    let changes = catalog.changes();
    if !changes.is_empty() {
        let rows = changes
            .iter()
            .take(RECENT_CHANGES)
            .filter_map(|c| {
                let link = rule_link(site, c.position, None)?;
                let basis = match c.basis {
                    ruledex_catalog::ChangeBasis::Commit => format!(
                        "commit {}",
                        c.commit.as_deref().map_or("", |h| &h[..h.len().min(10)])
                    ),
                    ruledex_catalog::ChangeBasis::Declared => "date in the rule".to_string(),
                };
                Some(vec![
                    Cell::text(&c.date),
                    Cell::link(link.title, link.href),
                    Cell::text(link.language),
                    Cell::text(basis),
                ])
            })
            .collect();
        sections.push(Section {
            id: "recent".into(),
            heading: "Recent changes".into(),
            note: Some("By the date of the last commit that touched the file, or the modification date the rule declares where the source is not a git checkout.".into()),
            columns: vec!["Date", "Rule", "Language", "From"],
            rows,
            ..Section::default()
        });
    }
    let sources = catalog
        .sources()
        .iter()
        .map(|s| {
            let n = catalog
                .entries()
                .iter()
                .filter(|e| catalog.source_of(e).name == s.name)
                .count();
            vec![
                Cell::text(&s.name),
                Cell::text(n),
                Cell::text(s.commit.as_deref().map_or("", |c| &c[..c.len().min(12)])),
            ]
        })
        .collect();
    sections.push(Section {
        id: "sources".into(),
        heading: "Sources".into(),
        columns: vec!["Source", "Rules", "Commit"],
        rows: sources,
        ..Section::default()
    });
    let intro = vec![format!(
        "{total} rules from {} sources; {failed} did not parse (see the diagnostics page). Hunting queries, alert forwarders, building blocks, deprecated rules and filters are searchable but not counted as detections.",
        catalog.sources().len()
    )];
    page(layout, Vec::new(), "Detection rules", intro, sections)
}

pub(crate) fn platform(site: &Site, platform: Platform, layout: Layout) -> Option<String> {
    let positions: Vec<usize> = site
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| e.rule.platform == platform)
        .map(|(i, _)| i)
        .collect();
    if positions.is_empty() {
        return None;
    }
    let mut layout = layout;
    layout.title = format!("{} rules", platform.display_name());
    page(
        layout,
        Vec::new(),
        format!("{} rules", platform.display_name()),
        vec!["Click a column heading to sort; type in the filter box to narrow the list.".into()],
        rule_sections(
            site,
            &positions,
            "Detections",
            filter_query("platform", platform.id()),
        ),
    )
}

pub(crate) fn language(site: &Site, language: Language, layout: Layout) -> Option<String> {
    let positions: Vec<usize> = site
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| e.rule.language == language)
        .map(|(i, _)| i)
        .collect();
    if positions.is_empty() {
        return None;
    }
    let mut layout = layout;
    layout.title = format!("{} rules", language.display_name());
    page(
        layout,
        Vec::new(),
        format!("Rules in {}", language.display_name()),
        vec!["Click a column heading to sort; type in the filter box to narrow the list.".into()],
        rule_sections(
            site,
            &positions,
            "Detections",
            filter_query("lang", language.id()),
        ),
    )
}

pub(crate) fn diagnostics(site: &Site, layout: Layout) -> Option<String> {
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    for (p, e) in site.entries().iter().enumerate() {
        if e.rule.parsed() {
            continue;
        }
        let Some(link) = rule_link(site, p, None) else {
            continue;
        };
        let errors: Vec<&ruledex_ir::Diagnostic> =
            e.rule.diagnostics.iter().filter(|d| d.is_error()).collect();
        for d in &errors {
            *by_code.entry(d.code.clone()).or_default() += 1;
        }
        let first = errors.first();
        let place = first
            .and_then(|d| d.line.map(|l| (l, d.column.unwrap_or(1))))
            .map(|(l, c)| format!("{l}:{c}"))
            .unwrap_or_default();
        let href = match first.and_then(|d| d.line) {
            Some(l) => format!("{}#L{l}", link.href),
            None => link.href.clone(),
        };
        rows.push(vec![
            Cell::link(link.title, link.href),
            Cell::text(link.language),
            Cell::text(first.map_or(String::new(), |d| d.code.clone())),
            Cell::link(place, href),
            Cell::text(first.map_or(String::new(), |d| d.message.clone())),
            Cell::text(errors.len()),
        ]);
    }
    let count = rows.len();
    let mut sections = Vec::new();
    if !by_code.is_empty() {
        sections.push(Section {
            id: "codes".into(),
            heading: "Errors by code".into(),
            columns: vec!["Code", "Errors"],
            rows: by_code
                .iter()
                .map(|(c, n)| vec![Cell::text(c), Cell::text(n)])
                .collect(),
            ..Section::default()
        });
    }
    if !rows.is_empty() {
        sections.push(Section {
            id: "rules".into(),
            heading: "Rules".into(),
            count,
            note: Some("The first error of each rule; its page shows every diagnostic, marked in the rule body.".into()),
            columns: vec!["Rule", "Language", "Code", "Line:column", "First error", "Errors"],
            rows,
            ..Section::default()
        });
    }
    let intro = vec![if count == 0 {
        "Every rule parsed.".to_string()
    } else {
        format!("{count} rules did not parse. Each still has a page with its body and diagnostics.")
    }];
    page(
        layout,
        Vec::new(),
        "Rules that did not parse",
        intro,
        sections,
    )
}

pub(crate) fn logsources(site: &Site, layout: Layout) -> Option<String> {
    let table = site.catalog().normalizer().logsource_table();
    let rows = site
        .logsources()
        .iter()
        .map(|l| {
            let ops = site
                .actions()
                .iter()
                .filter(|a| a.logsource == l.id)
                .count();
            let category = table.get(&l.id).map_or("", |s| s.category.id());
            vec![
                Cell::link(&l.name, paths::logsource_path(&l.id)),
                Cell::text(&l.id),
                Cell::text(category),
                Cell::text(l.rules.len()),
                Cell::text(ops),
            ]
        })
        .collect();
    let sections = vec![Section {
        id: "logsources".into(),
        heading: "Log sources".into(),
        count: site.logsources().len(),
        columns: vec!["Log source", "Id", "Category", "Rules", "Operations"],
        rows,
        ..Section::default()
    }];
    page(
        layout,
        Vec::new(),
        "Log sources",
        vec!["Every normalized log source some rule reads, in any language.".into()],
        sections,
    )
}

pub(crate) fn logsource(site: &Site, slug: &str, layout: Layout) -> Option<String> {
    let info = site.logsource_by_slug(slug)?;
    let mut layout = layout;
    layout.title = info.name.clone();
    let ops: Vec<Vec<Cell>> = site
        .actions()
        .iter()
        .filter(|a| a.logsource == info.id)
        .map(|a| {
            vec![
                Cell::link(&a.label, paths::action_path(&a.slug)),
                Cell::text(&a.operation),
                Cell::text(a.rules.len()),
            ]
        })
        .collect();
    // Fields the rules on this source filter on.
    let mut fields: BTreeMap<&str, usize> = BTreeMap::new();
    for &p in &info.rules {
        let mut seen: Vec<&str> = Vec::new();
        for i in 0..site.entries()[p].rule.indicators.len() {
            if let Some(k) = site.field_key_of(p, i) {
                if !seen.contains(&k) {
                    seen.push(k);
                    *fields.entry(k).or_default() += 1;
                }
            }
        }
    }
    let mut field_rows: Vec<(&str, usize)> = fields.into_iter().collect();
    field_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut per_lang: BTreeMap<Language, usize> = BTreeMap::new();
    for &p in &info.rules {
        *per_lang.entry(site.entries()[p].rule.language).or_default() += 1;
    }
    let mut sections = Vec::new();
    if !ops.is_empty() {
        sections.push(Section {
            id: "operations".into(),
            heading: "Operations seen".into(),
            count: ops.len(),
            columns: vec!["Operation", "Key", "Rules"],
            rows: ops,
            ..Section::default()
        });
    }
    if !field_rows.is_empty() {
        sections.push(Section {
            id: "fields".into(),
            heading: "Fields used".into(),
            count: field_rows.len(),
            columns: vec!["Field", "Rules"],
            rows: field_rows
                .into_iter()
                .map(|(k, n)| {
                    let name = Cell {
                        text: k.to_string(),
                        href: site.field_page(k),
                    };
                    vec![name, Cell::text(n)]
                })
                .collect(),
            ..Section::default()
        });
    }
    sections.extend(rule_sections(
        site,
        &info.rules,
        "Rules in every language",
        filter_query("logsource", &info.id),
    ));
    let breakdown = per_lang
        .iter()
        .map(|(l, n)| format!("{} {n}", l.display_name()))
        .collect::<Vec<_>>()
        .join(", ");
    page(
        layout,
        vec![("Log sources".into(), paths::LOGSOURCES.into())],
        format!("{} ({})", info.name, info.id),
        vec![format!(
            "{} rules read this log source: {breakdown}.",
            info.rules.len()
        )],
        sections,
    )
}

pub(crate) fn action(site: &Site, slug: &str, layout: Layout) -> Option<String> {
    let action = site.action_by_slug(slug)?;
    let ls = site.logsource(&action.logsource);
    let ls_name = ls.map_or_else(|| action.logsource.clone(), |l| l.name.clone());
    let mut layout = layout;
    layout.title = format!("{} on {ls_name}", action.label);
    // Rules on the same log source that filter no operation watch it too.
    let broad: Vec<usize> = ls
        .map(|l| {
            l.rules
                .iter()
                .copied()
                .filter(|&p| {
                    site.entries()[p]
                        .actions
                        .iter()
                        .filter(|a| a.logsource == action.logsource)
                        .all(|a| a.operation.is_none())
                })
                .collect()
        })
        .unwrap_or_default();
    // No search filter selects one operation, so a cut list here only says
    // how many more rules there are.
    let mut sections = rule_sections(site, &action.rules, "Rules filtering this operation", None);
    if !broad.is_empty() {
        let mut more = rule_sections(
            site,
            &broad,
            "Rules reading the log source without an operation filter",
            None,
        );
        for s in &mut more {
            s.id = format!("broad-{}", s.id);
        }
        sections.extend(more);
    }
    page(
        layout,
        vec![
            ("Log sources".into(), paths::LOGSOURCES.into()),
            (ls_name.clone(), paths::logsource_path(&action.logsource)),
        ],
        format!("{} on {ls_name}", action.label),
        vec![format!(
            "Operation key {}: {} rules filter it, in every language.",
            action.operation,
            action.rules.len()
        )],
        sections,
    )
}

pub(crate) fn fields(site: &Site, layout: Layout) -> Option<String> {
    let with_page: Vec<&crate::site::FieldInfo> =
        site.fields().iter().filter(|f| f.has_page()).collect();
    let rows = with_page
        .iter()
        .map(|f| {
            vec![
                Cell::link(&f.key, paths::field_path(&f.slug)),
                Cell::text(f.names.iter().cloned().collect::<Vec<_>>().join(", ")),
                Cell::text(f.rules.len()),
            ]
        })
        .collect();
    let sections = vec![Section {
        id: "fields".into(),
        heading: "Fields".into(),
        count: with_page.len(),
        columns: vec!["Field", "As written", "Rules"],
        rows,
        ..Section::default()
    }];
    let single = site.fields().len() - with_page.len();
    page(
        layout,
        Vec::new(),
        "Fields",
        vec![format!(
            "Fields rules filter on, normalized across vocabularies where the field tables map them (otherwise scoped to their log source as source:Field). {single} fields used by a single rule have no page of their own."
        )],
        sections,
    )
}

pub(crate) fn field(site: &Site, slug: &str, layout: Layout) -> Option<String> {
    let f = site.field_by_slug(slug)?;
    let mut layout = layout;
    layout.title = format!("Field {}", f.key);
    let index = site.catalog().indicator_index();
    // Values matched on this field, by normalized key.
    let mut values: BTreeMap<&str, (String, String, usize)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for &(p, i) in &f.uses {
        let ind = &site.entries()[p].rule.indicators[i];
        *kinds.entry(ind.kind.name()).or_default() += 1;
        for (v, key) in index.keys_of(p, i).iter().enumerate() {
            let shown = ind
                .values
                .get(v)
                .map_or_else(String::new, ToString::to_string);
            values
                .entry(key.as_str())
                .or_insert_with(|| (ind.kind.name(), shown, index.rule_count(key)));
        }
    }
    let mut value_rows: Vec<(&str, (String, String, usize))> = values.into_iter().collect();
    value_rows.sort_by(|a, b| b.1 .2.cmp(&a.1 .2).then(a.0.cmp(b.0)));
    let mut sections = vec![Section {
        id: "kinds".into(),
        heading: "Kinds of match".into(),
        columns: vec!["Kind", "Indicators"],
        rows: kinds
            .iter()
            .map(|(k, n)| vec![Cell::text(k), Cell::text(n)])
            .collect(),
        ..Section::default()
    }];
    if !value_rows.is_empty() {
        sections.push(Section {
            id: "values".into(),
            heading: "Values".into(),
            count: value_rows.len(),
            note: Some("Values shared by two rules or more link to their indicator page.".into()),
            columns: vec!["Value", "Kind", "Rules"],
            rows: value_rows
                .into_iter()
                .map(|(key, (kind, shown, n))| {
                    vec![
                        Cell {
                            text: shown,
                            href: site.indicator_page(key),
                        },
                        Cell::text(kind),
                        Cell::text(n),
                    ]
                })
                .collect(),
            ..Section::default()
        });
    }
    sections.extend(rule_sections(
        site,
        &f.rules,
        "Rules filtering on this field",
        filter_query("field", &f.key),
    ));
    page(
        layout,
        vec![("Fields".into(), paths::FIELDS.into())],
        format!("Field {}", f.key),
        vec![format!(
            "Written as {} by {} rules.",
            f.names.iter().cloned().collect::<Vec<_>>().join(", "),
            f.rules.len()
        )],
        sections,
    )
}

pub(crate) fn indicator(site: &Site, slug: &str, layout: Layout) -> Option<String> {
    let key = site.indicator_by_slug(slug)?;
    let rules = site.catalog().indicator_index().rules_with(key);
    // `field|kind|value`: the field may itself hold `|`, the value too;
    // the kind is a closed set without one.
    let (field, kind, value) = split_key(key);
    let shown_value = rules
        .iter()
        .find_map(|&p| {
            let e = &site.entries()[p];
            (0..e.rule.indicators.len()).find_map(|i| {
                let keys = site.catalog().indicator_index().keys_of(p, i);
                let v = keys.iter().position(|k| k == key)?;
                e.rule.indicators[i].values.get(v).map(ToString::to_string)
            })
        })
        .unwrap_or_else(|| value.to_string());
    let mut layout = layout;
    layout.title = format!("{field} {kind} {shown_value}");
    let mut per_lang: BTreeMap<Language, usize> = BTreeMap::new();
    for &p in &rules {
        *per_lang.entry(site.entries()[p].rule.language).or_default() += 1;
    }
    let breakdown = per_lang
        .iter()
        .map(|(l, n)| format!("{} {n}", l.display_name()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut crumbs = vec![("Fields".to_string(), paths::FIELDS.to_string())];
    if let Some(href) = site.field_page(field) {
        crumbs.push((field.to_string(), href));
    }
    page(
        layout,
        crumbs,
        format!("{field} {kind} {shown_value}"),
        vec![format!("{} rules match this normalized field, kind and value ({breakdown}). Case-insensitive matches compare values case-insensitively.", rules.len())],
        rule_sections(site, &rules, "Rules", None),
    )
}

/// Split `field|kind|value` where the kind is the known middle part.
fn split_key(key: &str) -> (&str, &str, &str) {
    let parts: Vec<(usize, &str)> = key.match_indices('|').collect();
    for w in parts.windows(2) {
        let kind = &key[w[0].0 + 1..w[1].0];
        if ruledex_ir::IndicatorKind::from_name(kind).is_some() {
            return (&key[..w[0].0], kind, &key[w[1].0 + 1..]);
        }
    }
    (key, "", "")
}

/// Rows a related-rules page lists; past them it says how many more there
/// are (the JSON API lists all).
pub const RELATED_PAGE_ROWS: usize = 100;

/// Whether the rule at `position` has a page of related rules: when more
/// rules share its behaviour than the smallest rule page lists.
pub(crate) fn has_related_page(site: &Site, position: usize) -> bool {
    site.related_count(position) > super::rule::Budget::SMALLEST.related
}

/// Every rule sharing behaviour with the rule at `position`, ranked, with
/// score and what they share.
pub(crate) fn related(site: &Site, position: usize, layout: Layout) -> Option<String> {
    if !has_related_page(site, position) {
        return None;
    }
    let catalog = site.catalog();
    let entry = catalog.entries().get(position)?;
    let list = site.related_head(position)?;
    let rows: Vec<Vec<Cell>> = list
        .behaviour
        .iter()
        .take(RELATED_PAGE_ROWS)
        .enumerate()
        .filter_map(|(rank, r)| {
            let link = rule_link(site, r.position, None)?;
            Some(vec![
                Cell::text(rank + 1),
                Cell::link(link.title, link.href),
                Cell::text(match super::rule::copies_summary(catalog, r) {
                    Some((n, languages)) => {
                        format!(
                            "{} (and {n} undocumented copies: {languages})",
                            link.language
                        )
                    }
                    None => link.language.to_string(),
                }),
                Cell::text(if r.same_detection {
                    format!("{:.2} (same detection)", r.score)
                } else {
                    format!("{:.2}", r.score)
                }),
                Cell::text(catalog.related_reason(position, r)),
            ])
        })
        .collect();
    let more = list.behaviour_total.saturating_sub(RELATED_PAGE_ROWS);
    let mut intro = vec![format!(
        "Rules in any language sharing behaviour with {}, ranked by how much they share and how rare it is in the catalog; the same detection (the same keys, as in a copy in another language) first. The rule's page shows the evidence of the first ones.",
        entry.rule.title
    )];
    if more > 0 {
        intro.push(format!(
            "{more} more rules share weaker keys; the JSON API (`/api/v1/rules/{}/related`) lists every one.",
            entry.key
        ));
    }
    if list.same_logsource > 0 {
        intro.push(format!(
            "{} other rules only read the same log source.",
            list.same_logsource
        ));
    }
    let sections = vec![Section {
        id: "related".into(),
        heading: "Rules sharing its behaviour".into(),
        count: list.behaviour_rules,
        columns: vec!["#", "Rule", "Language", "Score", "Shared"],
        rows,
        ..Section::default()
    }];
    let title = entry.rule.title.clone();
    page(
        layout,
        vec![(title.clone(), paths::rule_path(&entry.key))],
        format!("Rules like {title}"),
        intro,
        sections,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_split_around_the_kind() {
        assert_eq!(super::split_key("a|b|eq|s:x|y"), ("a|b", "eq", "s:x|y"));
        assert_eq!(super::split_key("f|field_ne|s:G"), ("f", "field_ne", "s:G"));
    }
}
