//! Every page, rendered from a [`Site`] by path. The static builder and the
//! server both call [`render`].

pub(crate) mod attack;
pub(crate) mod events;
pub(crate) mod lists;
pub(crate) mod rule;
pub(crate) mod search;

use crate::paths::{self, LinkStyle};
use crate::site::Site;
use ruledex_ir::RuleClass;

/// Bytes of HTML (before compression) every page stays under. Rule pages
/// halve their list budgets until they fit; list pages cut their longest
/// tables, each cut table linking to the search that lists all of it.
pub const PAGE_MAX_BYTES: usize = 100_000;

/// What every page's frame needs.
#[derive(Clone)]
pub(crate) struct Layout {
    /// Prefix that turns a site path into a link from this page.
    pub root: String,
    /// The page title.
    pub title: String,
    /// Which ATT&CK version the pages use.
    pub attack_label: String,
    /// The catalog has an event dictionary (the Events link shows).
    pub events: bool,
}

impl Layout {
    fn new(site: &Site, path: &str, style: LinkStyle, title: impl Into<String>) -> Layout {
        Layout {
            root: style.root(path),
            title: title.into(),
            attack_label: site.catalog().attack().full_version_label(),
            events: site.catalog().events().is_some(),
        }
    }
}

/// A rule in a list.
pub(crate) struct RuleLink {
    pub title: String,
    pub href: String,
    pub language: &'static str,
    pub platform: &'static str,
    pub severity: String,
    pub classes: Vec<&'static str>,
    pub techniques: String,
    pub parsed: bool,
    pub reason: String,
}

/// A table cell with an optional link (a site path).
pub(crate) struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    pub fn text(text: impl ToString) -> Cell {
        Cell {
            text: text.to_string(),
            href: None,
        }
    }
    pub fn link(text: impl ToString, href: impl Into<String>) -> Cell {
        Cell {
            text: text.to_string(),
            href: Some(href.into()),
        }
    }
}

/// A section of a list page: a table of rows, a table of rules, or both.
#[derive(Default)]
pub(crate) struct Section {
    pub id: String,
    pub heading: String,
    pub count: usize,
    pub note: Option<String>,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub rules: Vec<RuleLink>,
    pub reasons: bool,
    pub collapsed: bool,
    /// The search query (`field:process.command_line`) that lists every
    /// rule of the section, for when the page cuts it.
    pub search: Option<String>,
    /// Rows or rules cut to keep the page under [`PAGE_MAX_BYTES`].
    pub hidden: usize,
}

impl Section {
    /// Keep the first `cap` rows and rules, counting the rest as hidden.
    pub fn cut_to(&mut self, cap: usize) {
        for len in [self.rows.len(), self.rules.len()] {
            self.hidden += len.saturating_sub(cap);
        }
        self.rows.truncate(cap);
        self.rules.truncate(cap);
    }

    /// The search page listing everything the section holds.
    pub fn search_href(&self) -> Option<String> {
        let query = self.search.as_deref()?;
        let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        Some(format!("{}?q={encoded}", paths::SEARCH))
    }
}

/// The search filter `name:value`, the value quoted when it holds spaces;
/// `None` for a value the query syntax cannot hold.
pub(crate) fn filter_query(name: &str, value: &str) -> Option<String> {
    if value.is_empty() || value.contains('"') {
        return None;
    }
    Some(if value.chars().any(char::is_whitespace) {
        format!("{name}:\"{value}\"")
    } else {
        format!("{name}:{value}")
    })
}

/// The link to the rule at `position`, with an optional reason.
pub(crate) fn rule_link(site: &Site, position: usize, reason: Option<String>) -> Option<RuleLink> {
    let entry = site.entries().get(position)?;
    let r = &entry.rule;
    let mut techniques: Vec<&str> = entry
        .cells
        .iter()
        .map(|c| c.subtechnique.as_deref().unwrap_or(&c.technique))
        .collect();
    techniques.sort_unstable();
    techniques.dedup();
    Some(RuleLink {
        title: if r.title.trim().is_empty() {
            entry.key.clone()
        } else {
            r.title.clone()
        },
        href: paths::rule_path(&entry.key),
        language: r.language.id(),
        platform: r.platform.id(),
        severity: r.severity.map(|s| s.id().to_string()).unwrap_or_default(),
        classes: r
            .classes
            .iter()
            .map(|c| ruledex_catalog::class_id(*c))
            .collect(),
        techniques: techniques.join(" "),
        parsed: r.parsed(),
        reason: reason.unwrap_or_default(),
    })
}

/// Rules sorted by title (then key), split into those counted in browse
/// views and the rest (hunting queries, alert forwarders, …).
pub(crate) fn split_counted(site: &Site, positions: &[usize]) -> (Vec<RuleLink>, Vec<RuleLink>) {
    let mut sorted: Vec<usize> = positions.to_vec();
    sorted.sort_unstable_by_key(|&p| site.title_rank(p));
    sorted.dedup();
    let mut counted = Vec::new();
    let mut others = Vec::new();
    for p in sorted {
        let Some(link) = rule_link(site, p, None) else {
            continue;
        };
        if site.counted(p) {
            counted.push(link);
        } else {
            others.push(link);
        }
    }
    (counted, others)
}

/// Sections for a list of rules: the counted ones, then the others in a
/// collapsed section. Empty sections are left out. `search` is the query
/// that finds the same rules, linked when the page has to cut the list.
pub(crate) fn rule_sections(
    site: &Site,
    positions: &[usize],
    heading: &str,
    search: Option<String>,
) -> Vec<Section> {
    let (counted, others) = split_counted(site, positions);
    let mut sections = Vec::new();
    if !counted.is_empty() {
        sections.push(Section {
            id: "rules".into(),
            heading: heading.to_string(),
            count: counted.len(),
            rules: counted,
            search: search.clone(),
            ..Section::default()
        });
    }
    if !others.is_empty() {
        sections.push(Section {
            id: "other-rules".into(),
            heading:
                "Hunting queries, alert forwarders, building blocks, deprecated rules and filters"
                    .into(),
            count: others.len(),
            note: Some("Searchable, but kept out of browse views and coverage counts.".into()),
            rules: others,
            collapsed: true,
            search,
            ..Section::default()
        });
    }
    sections
}

/// The banner a rule class puts on its page.
pub(crate) fn class_banner(class: RuleClass) -> &'static str {
    match class {
        RuleClass::Hunting => "A hunting query: run by an analyst, not on a schedule. Searchable, but not counted in coverage.",
        RuleClass::BuildingBlock => "A building block: feeds other rules and raises no alert of its own. Not counted in coverage.",
        RuleClass::Deprecated => "Deprecated by its authors. Not counted in coverage.",
        RuleClass::AlertForwarding => "Only forwards alerts another product raised. Searchable, but not counted in coverage.",
        RuleClass::Correlation => "A correlation over other rules.",
        RuleClass::Filter => "A filter applied to other rules, not a detection of its own. Not counted in coverage.",
    }
}

/// `TablePattern` → `table_pattern`.
pub(crate) fn snake(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A rendered page.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The bytes.
    pub body: String,
    /// The content type.
    pub content_type: &'static str,
}

impl Rendered {
    fn html(body: String) -> Rendered {
        Rendered {
            body,
            content_type: "text/html; charset=utf-8",
        }
    }
}

/// Render the page at site path `path` (see [`crate::paths`]); `query` is
/// the search query of the search page. `None` when there is no such page.
pub fn render(site: &Site, path: &str, style: LinkStyle, query: Option<&str>) -> Option<Rendered> {
    let layout = |title: &str| Layout::new(site, path, style, title);
    if let Some(asset) = crate::assets::get(path) {
        return Some(Rendered {
            body: asset.body.to_string(),
            content_type: asset.content_type,
        });
    }
    let html = match path {
        paths::HOME => lists::home(site, layout("Detection rules")),
        paths::SEARCH => search::render(site, layout("Search"), query, style),
        paths::DIAGNOSTICS => lists::diagnostics(site, layout("Rules that did not parse")),
        paths::LOGSOURCES => lists::logsources(site, layout("Log sources")),
        paths::FIELDS => lists::fields(site, layout("Fields")),
        paths::EVENTS => events::coverage(site, layout("Event coverage")),
        paths::LAYER => {
            return Some(Rendered {
                body: serde_json::to_string_pretty(
                    &site
                        .catalog()
                        .navigator_layer(ruledex_catalog::counts_in_coverage, "ruledex coverage"),
                )
                .ok()?,
                content_type: "application/json",
            })
        }
        paths::SEARCH_INDEX => {
            return Some(Rendered {
                body: crate::search_index::script(site),
                content_type: "text/javascript; charset=utf-8",
            })
        }
        paths::SEARCH_VALUES => {
            return Some(Rendered {
                body: crate::search_index::values_script(site),
                content_type: "text/javascript; charset=utf-8",
            })
        }
        _ => {
            let (dir, file) = path.split_once('/')?;
            if dir == "raw" {
                // The plain-text copy of a rule too long for its page.
                let key = file.strip_suffix(".txt")?;
                let entry = &site.entries()[site.catalog().position(key)?];
                return Some(Rendered {
                    body: entry.rule.body.clone(),
                    content_type: "text/plain; charset=utf-8",
                });
            }
            let name = file.strip_suffix(".html")?;
            match dir {
                "rules" => {
                    let position = site.catalog().position(name)?;
                    let title = site.entries()[position].rule.title.clone();
                    rule::render(site, position, layout(&title))
                }
                "related" => {
                    let position = site.catalog().position(name)?;
                    let title = format!("Rules like {}", site.entries()[position].rule.title);
                    lists::related(site, position, layout(&title))
                }
                "platform" => {
                    lists::platform(site, ruledex_ir::Platform::from_id(name)?, layout(name))
                }
                "lang" => lists::language(site, ruledex_ir::Language::from_id(name)?, layout(name)),
                "attack" => attack::matrix(site, name, layout("ATT&CK matrix")),
                "technique" => attack::technique(site, name, layout(name)),
                "logsource" => lists::logsource(site, name, layout(name)),
                "action" => lists::action(site, name, layout(name)),
                "field" => lists::field(site, name, layout(name)),
                "indicator" => lists::indicator(site, name, layout(name)),
                "provider" => events::provider(site, name, layout(name)),
                "event" => events::event(site, name, layout(name)),
                _ => None,
            }
        }
    }?;
    Some(Rendered::html(html))
}

/// Every page path of the site (what the static builder writes), except
/// the assets.
pub fn page_paths(site: &Site) -> Vec<String> {
    let mut pages: Vec<String> = [
        paths::HOME,
        paths::SEARCH,
        paths::DIAGNOSTICS,
        paths::LOGSOURCES,
        paths::FIELDS,
        paths::LAYER,
        paths::SEARCH_INDEX,
        paths::SEARCH_VALUES,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let totals = site.catalog().totals();
    let mut platforms: Vec<_> = totals.keys().map(|(p, _)| *p).collect();
    platforms.dedup();
    let mut languages: Vec<_> = totals.keys().map(|(_, l)| *l).collect();
    languages.sort();
    languages.dedup();
    pages.extend(platforms.iter().map(|p| paths::platform_path(*p)));
    pages.extend(languages.iter().map(|l| paths::language_path(*l)));
    for all in [false, true] {
        pages.push(paths::matrix_path(None, all));
        pages.extend(platforms.iter().map(|p| paths::matrix_path(Some(*p), all)));
    }
    pages.extend(
        attack::technique_ids(site)
            .iter()
            .map(|id| paths::technique_path(id)),
    );
    pages.extend(
        site.logsources()
            .iter()
            .map(|l| paths::logsource_path(&l.id)),
    );
    pages.extend(site.actions().iter().map(|a| paths::action_path(&a.slug)));
    pages.extend(
        site.fields()
            .iter()
            .filter(|f| f.has_page())
            .map(|f| paths::field_path(&f.slug)),
    );
    pages.extend(
        site.indicator_pages()
            .map(|(_, slug)| paths::indicator_path(slug)),
    );
    pages.extend(events::page_paths(site));
    pages.extend(site.entries().iter().map(|e| paths::rule_path(&e.key)));
    pages.extend(
        site.entries()
            .iter()
            .enumerate()
            .filter(|(p, _)| lists::has_related_page(site, *p))
            .map(|(_, e)| paths::related_path(&e.key)),
    );
    // Which bodies are cut is known once they are highlighted: in
    // parallel, and kept for the rule pages.
    let cut: Vec<String> = {
        use rayon::prelude::*;
        site.entries()
            .par_iter()
            .enumerate()
            .filter(|(position, _)| rule::body_is_cut(site, *position))
            .map(|(_, e)| paths::raw_path(&e.key))
            .collect()
    };
    pages.extend(cut);
    pages
}
