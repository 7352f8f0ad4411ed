//! Event reference pages (with an event dictionary): event coverage per
//! provider, one page per provider and one per event with its fields and
//! the rules filtering each.

use super::{rule_link, split_counted, Cell, Layout, RuleLink, Section};
use crate::paths;
use crate::site::Site;
use askama::Template;
use ruledex_catalog::{EventIndex, FieldUse};
use ruledex_ir::Language;
use std::collections::BTreeMap;

/// Most rules an event page lists (the rest are a search away).
pub const EVENT_PAGE_RULES: usize = 150;
/// Most values shown per field.
pub const FIELD_VALUES: usize = 5;

/// One cell of a heat-map: an event or a provider.
pub(crate) struct HeatCell {
    pub label: String,
    /// The event slug, for cells the page script links (see [`HeatRow`]).
    pub slug: String,
    pub title: String,
    pub href: Option<String>,
    pub class: &'static str,
}

/// A row of the heat-map.
pub(crate) struct HeatRow {
    pub label: String,
    /// Where cells without a link point (`<base><slug>.html`), linked by
    /// the page script: large providers have thousands of events, and a
    /// link each would blow the page budget.
    pub base: String,
    pub note: String,
    pub cells: Vec<HeatCell>,
}

#[derive(Template)]
#[template(path = "events.html")]
pub(crate) struct EventsPage {
    pub layout: Layout,
    pub crumbs: Vec<(String, String)>,
    pub heading: String,
    pub intro: Vec<String>,
    pub heat_note: String,
    pub heat: Vec<HeatRow>,
    pub sections: Vec<Section>,
    /// Event ids without rules, numeric runs as ranges (`100–115, 117`).
    pub without: String,
    /// How many events have no rule.
    pub without_count: usize,
}

/// A field row of an event page.
pub(crate) struct FieldRow {
    pub anchor: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub versions: String,
    pub rules: usize,
    pub languages: String,
    pub values: Vec<(String, usize)>,
    pub search: String,
}

#[derive(Template)]
#[template(path = "event.html")]
pub(crate) struct EventPage {
    pub layout: Layout,
    pub crumbs: Vec<(String, String)>,
    pub heading: String,
    pub description_html: Option<String>,
    pub meta: Vec<(String, String)>,
    pub languages: String,
    pub fields: Vec<FieldRow>,
    pub unfiltered: Vec<(String, String)>,
    pub sections: Vec<Section>,
    pub more_rules: Option<(usize, String)>,
}

/// The heat class of a rule count.
fn heat(rules: usize) -> &'static str {
    match rules {
        0 => "h0",
        1..=2 => "h1",
        3..=10 => "h2",
        11..=50 => "h3",
        _ => "h4",
    }
}

/// Detections (counted rules) among `rules`.
fn counted(site: &Site, rules: &[usize]) -> usize {
    rules.iter().filter(|&&p| site.counted(p)).count()
}

fn per_language(site: &Site, rules: &[usize]) -> String {
    let mut per: BTreeMap<Language, usize> = BTreeMap::new();
    for &p in rules {
        *per.entry(site.entries()[p].rule.language).or_default() += 1;
    }
    per.iter()
        .map(|(l, n)| format!("{} {n}", l.id()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn event_href(index: &EventIndex, event: usize) -> String {
    let d = index.dictionary();
    let e = &d.events[event];
    paths::event_path(&d.providers[e.provider].slug, &e.slug)
}

/// Every event page path, then provider pages and the coverage page.
pub(crate) fn page_paths(site: &Site) -> Vec<String> {
    let Some(index) = site.catalog().events() else {
        return Vec::new();
    };
    let d = index.dictionary();
    let mut out = vec![paths::EVENTS.to_string()];
    out.extend(d.providers.iter().map(|p| paths::provider_path(&p.slug)));
    out.extend((0..d.events.len()).map(|e| event_href(index, e)));
    out
}

/// `events.html`: per provider, events with and without rules.
pub(crate) fn coverage(site: &Site, layout: Layout) -> Option<String> {
    let index = site.catalog().events()?;
    let d = index.dictionary();
    let mut rows = Vec::new();
    let mut tiles = Vec::new();
    let (mut all, mut covered) = (0, 0);
    for p in &d.providers {
        let with: Vec<usize> = p
            .events
            .iter()
            .copied()
            .filter(|&e| counted(site, &index.of_event(e).rules) > 0)
            .collect();
        let mut rules: Vec<usize> = p
            .events
            .iter()
            .flat_map(|&e| index.of_event(e).rules.iter().copied())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        all += p.events.len();
        covered += with.len();
        let share = 100.0 * with.len() as f64 / p.events.len().max(1) as f64;
        rows.push(vec![
            Cell::link(&p.name, paths::provider_path(&p.slug)),
            Cell::text(&p.platform),
            Cell::text(p.events.len()),
            Cell::text(with.len()),
            Cell::text(format!("{share:.0}")),
            Cell::text(counted(site, &rules)),
        ]);
        let class = match share {
            s if s <= 0.0 => "h0",
            s if s < 5.0 => "h1",
            s if s < 20.0 => "h2",
            s if s < 50.0 => "h3",
            _ => "h4",
        };
        tiles.push(HeatCell {
            label: p.name.clone(),
            slug: p.slug.clone(),
            title: format!(
                "{}: {} of {} events with rules ({share:.0} %)",
                p.name,
                with.len(),
                p.events.len()
            ),
            href: Some(paths::provider_path(&p.slug)),
            class,
        });
    }
    let heat = vec![HeatRow {
        label: String::new(),
        base: String::new(),
        note: String::new(),
        cells: tiles,
    }];
    let sections = vec![Section {
        id: "providers".into(),
        heading: "Providers".into(),
        count: d.providers.len(),
        columns: vec![
            "Provider",
            "Platform",
            "Events",
            "With rules",
            "% with rules",
            "Rules",
        ],
        rows,
        ..Section::default()
    }];
    let intro = vec![format!(
        "{covered} of {all} events of the event dictionary ({} providers, {} files) are watched by at least one detection rule. Open a provider for its events, an event for its fields and the rules filtering each.",
        d.providers.len(),
        d.files
    )];
    EventsPage {
        layout,
        crumbs: Vec::new(),
        heading: "Event coverage".into(),
        intro,
        heat_note: "Each tile is a provider, coloured by the share of its events that detection rules watch (darker: more).".into(),
        heat,
        sections,
        without: String::new(),
        without_count: 0,
    }
    .render()
    .ok()
}

/// `provider/<slug>.html`: its events, rules per language, and a heat-map.
pub(crate) fn provider(site: &Site, slug: &str, layout: Layout) -> Option<String> {
    let index = site.catalog().events()?;
    let d = index.dictionary();
    let (_, p) = d.provider(slug)?;
    let mut layout = layout;
    layout.title = format!("{} events", p.name);
    let mut rows = Vec::new();
    let mut without = Vec::new();
    let mut cells = Vec::new();
    for &e in &p.events {
        let event = &d.events[e];
        let uses = index.of_event(e);
        let detections = counted(site, &uses.rules);
        let href = event_href(index, e);
        cells.push(HeatCell {
            label: event.id.clone(),
            slug: event.slug.clone(),
            title: format!("{}: {detections} rules", event.id),
            href: (!uses.rules.is_empty()).then(|| href.clone()),
            class: heat(detections),
        });
        if uses.rules.is_empty() {
            without.push(event.id.clone());
            continue;
        }
        let filtered = uses.fields.iter().filter(|f| !f.rules.is_empty()).count();
        rows.push(vec![
            Cell::link(&event.id, href),
            Cell::text(d.name_of(e)),
            Cell::text(detections),
            Cell::text(uses.rules.len()),
            Cell::text(per_language(site, &uses.rules)),
            Cell::text(format!("{filtered} of {}", event.fields.len())),
        ]);
    }
    let with = rows.len();
    let sections = vec![Section {
        id: "events".into(),
        heading: "Events with rules".into(),
        count: with,
        note: Some("Detections count scheduled rules; all rules adds hunting queries, building blocks and the other classes.".into()),
        columns: vec![
            "Event",
            "Name",
            "Detections",
            "All rules",
            "Per language",
            "Fields filtered",
        ],
        rows,
        ..Section::default()
    }];
    let heat = vec![HeatRow {
        label: p.name.clone(),
        base: format!("event/{}/", p.slug),
        note: format!("{with} of {} events", p.events.len()),
        cells,
    }];
    EventsPage {
        layout,
        crumbs: vec![("Event coverage".into(), paths::EVENTS.into())],
        heading: format!("{} ({})", p.name, p.platform),
        intro: vec![format!(
            "{} events in the dictionary (folder {}); {with} are watched by some rule, {} by none.",
            p.events.len(),
            p.folder,
            p.events.len() - with
        )],
        heat_note: "Each square is an event, in id order, coloured by its detections (none, 1–2, 3–10, 11–50, more).".into(),
        heat,
        sections,
        without_count: without.len(),
        without: ranges(&without),
    }
    .render()
    .ok()
}

/// Ids as text, runs of consecutive numbers as ranges (`4610–4612, 4614,
/// DeviceInfo`).
pub(crate) fn ranges(ids: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(u64, u64)> = None;
    let flush = |run: &mut Option<(u64, u64)>, parts: &mut Vec<String>| {
        if let Some((a, b)) = run.take() {
            parts.push(if a == b {
                a.to_string()
            } else if b == a + 1 {
                format!("{a}, {b}")
            } else {
                format!("{a}–{b}")
            });
        }
    };
    for id in ids {
        match (id.parse::<u64>(), run) {
            (Ok(n), Some((a, b))) if n == b + 1 => run = Some((a, n)),
            (Ok(n), _) => {
                flush(&mut run, &mut parts);
                run = Some((n, n));
            }
            (Err(_), _) => {
                flush(&mut run, &mut parts);
                parts.push(id.clone());
            }
        }
    }
    flush(&mut run, &mut parts);
    parts.join(", ")
}

/// `event/<provider>/<event>.html`: fields and the rules filtering each.
pub(crate) fn event(site: &Site, name: &str, layout: Layout) -> Option<String> {
    let index = site.catalog().events()?;
    let d = index.dictionary();
    let (provider_slug, event_slug) = name.split_once('/')?;
    let e = d.event_by_slug(provider_slug, event_slug)?;
    let event = &d.events[e];
    let provider = &d.providers[event.provider];
    let uses = index.of_event(e);
    let mut layout = layout;
    layout.title = d.label(e);
    let query = format!("event:{provider_slug}/{event_slug}");
    let mut fields = Vec::new();
    let mut unfiltered = Vec::new();
    let empty = FieldUse::default();
    for (i, f) in event.fields.iter().enumerate() {
        let u = uses.fields.get(i).unwrap_or(&empty);
        let anchor = format!("f-{}", paths::slug(&f.name));
        if u.rules.is_empty() {
            unfiltered.push((f.name.clone(), anchor.clone()));
        }
        fields.push(FieldRow {
            anchor,
            name: f.name.clone(),
            kind: f.kind.clone(),
            description: f.description.clone(),
            versions: if f.versions.is_empty() {
                String::new()
            } else {
                format!("versions {}", f.versions.join(", "))
            },
            rules: u.rules.len(),
            languages: per_language(site, &u.rules),
            values: u.values.iter().take(FIELD_VALUES).cloned().collect(),
            search: paths::search_query(&format!("{query} field:{}", f.name)),
        });
    }
    // Rules ranked: detections before the other classes, then by how many
    // of the event's fields they filter, then by title.
    let filtered_fields = |p: usize| {
        uses.fields
            .iter()
            .filter(|f| f.rules.binary_search(&p).is_ok())
            .count()
    };
    let title = |p: usize| site.entries()[p].rule.title.to_lowercase();
    let mut detection_positions: Vec<(usize, usize)> = uses
        .rules
        .iter()
        .copied()
        .filter(|&p| site.counted(p))
        .map(|p| (p, filtered_fields(p)))
        .collect();
    detection_positions.sort_by_cached_key(|&(p, n)| (std::cmp::Reverse(n), title(p), p));
    let detection_count = detection_positions.len();
    let detections: Vec<RuleLink> = detection_positions
        .iter()
        .take(EVENT_PAGE_RULES)
        .filter_map(|&(p, n)| {
            let reason = match n {
                1 => "1 field".to_string(),
                n => format!("{n} fields"),
            };
            rule_link(site, p, Some(reason))
        })
        .collect();
    let total = uses.rules.len();
    let mut shown = detections.len();
    let mut sections = Vec::new();
    if !detections.is_empty() {
        sections.push(Section {
            id: "rules".into(),
            heading: "Detections watching this event".into(),
            count: detection_count,
            note: Some(
                "Ranked by how many of the event's fields they filter, then by title.".into(),
            ),
            rules: detections,
            reasons: true,
            ..Section::default()
        });
    }
    let others: Vec<usize> = uses
        .rules
        .iter()
        .copied()
        .filter(|&p| !site.counted(p))
        .collect();
    let (_, others) = split_counted(site, &others);
    let room = EVENT_PAGE_RULES.saturating_sub(shown).max(30);
    let others_count = others.len();
    let others: Vec<RuleLink> = others.into_iter().take(room).collect();
    shown += others.len();
    if !others.is_empty() {
        sections.push(Section {
            id: "other-rules".into(),
            heading:
                "Hunting queries, alert forwarders, building blocks, deprecated rules and filters"
                    .into(),
            count: others_count,
            note: Some("Searchable, but kept out of browse views and coverage counts.".into()),
            rules: others,
            collapsed: true,
            ..Section::default()
        });
    }
    let more_rules = (total > shown).then(|| (total - shown, paths::search_query(&query)));
    let mut meta = vec![
        ("Provider".to_string(), provider.name.clone()),
        ("Event id".to_string(), event.id.clone()),
    ];
    if !event.versions.is_empty() {
        meta.push(("Versions".into(), event.versions.join(", ")));
    }
    meta.push(("Files".into(), event.files.join(", ")));
    meta.push(("Search".into(), query.clone()));
    let description_html =
        (!event.description.is_empty()).then(|| crate::markdown::to_safe_html(&event.description));
    EventPage {
        layout,
        crumbs: vec![
            ("Event coverage".into(), paths::EVENTS.into()),
            (provider.name.clone(), paths::provider_path(&provider.slug)),
        ],
        heading: d.label(e),
        description_html,
        meta,
        languages: per_language(site, &uses.rules),
        fields,
        unfiltered,
        sections,
        more_rules,
    }
    .render()
    .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges_compress_numeric_runs() {
        let ids: Vec<String> = ["1", "2", "3", "5", "7", "8", "x", "10"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(super::ranges(&ids), "1–3, 5, 7, 8, x, 10");
    }
}
