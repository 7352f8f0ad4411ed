//! The ATT&CK matrix and technique pages.

use super::{rule_sections, Cell, Layout, Section};
use crate::paths;
use crate::site::Site;
use askama::Template;
use ruledex_ir::{Language, Platform};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

pub(crate) struct MatrixCellView {
    pub id: String,
    pub name: String,
    pub href: String,
    pub count: usize,
    pub heat: u8,
    pub breakdown: String,
    pub provisional: bool,
}

pub(crate) struct ColumnView {
    pub id: String,
    pub name: String,
    pub covered: usize,
    pub cells: Vec<MatrixCellView>,
}

#[derive(Template)]
#[template(path = "matrix.html")]
pub(crate) struct MatrixPage {
    pub layout: Layout,
    pub all_classes: bool,
    pub show_breakdown: bool,
    pub covered: usize,
    pub total: usize,
    pub platforms: Vec<(String, String, bool)>,
    pub classes: Vec<(String, String, bool)>,
    pub columns: Vec<ColumnView>,
}

/// Parse a matrix page name: `index`, or `<platform|all>-<detections|all-classes>`.
fn parse_matrix_name(name: &str) -> Option<(Option<Platform>, bool)> {
    if name == "index" {
        return Some((None, false));
    }
    let (platform, classes) = if let Some(p) = name.strip_suffix("-all-classes") {
        (p, true)
    } else {
        (name.strip_suffix("-detections")?, false)
    };
    let platform = match platform {
        "all" => None,
        other => Some(Platform::from_id(other)?),
    };
    // `all-detections` is `index`: one page per view.
    if platform.is_none() && !classes {
        return None;
    }
    Some((platform, classes))
}

pub(crate) fn matrix(site: &Site, name: &str, layout: Layout) -> Option<String> {
    let (platform, all_classes) = parse_matrix_name(name)?;
    let attack = site.catalog().attack();
    let include = |p: usize| {
        let e = &site.entries()[p];
        (all_classes || site.counted(p)) && platform.is_none_or(|pl| e.rule.platform == pl)
    };
    let present: Vec<Platform> = {
        let mut v: Vec<Platform> = site.entries().iter().map(|e| e.rule.platform).collect();
        v.sort();
        v.dedup();
        v
    };
    let mut covered_ids = std::collections::BTreeSet::new();
    let mut total_ids = std::collections::BTreeSet::new();
    let columns: Vec<ColumnView> = attack
        .techniques_by_tactic()
        .into_iter()
        .map(|column| {
            let cells: Vec<MatrixCellView> = column
                .techniques
                .iter()
                .map(|cell| {
                    let id = &cell.technique.id;
                    total_ids.insert(id.clone());
                    let rules: Vec<usize> = site
                        .techniques()
                        .get(id)
                        .map(|v| v.iter().copied().filter(|&p| include(p)).collect())
                        .unwrap_or_default();
                    let mut per: BTreeMap<Platform, usize> = BTreeMap::new();
                    for &p in &rules {
                        *per.entry(site.entries()[p].rule.platform).or_default() += 1;
                    }
                    if !rules.is_empty() {
                        covered_ids.insert(id.clone());
                    }
                    let count = rules.len();
                    MatrixCellView {
                        id: id.clone(),
                        name: cell.technique.name.clone(),
                        href: paths::technique_path(id),
                        count,
                        heat: match count {
                            0 => 0,
                            1..=2 => 1,
                            3..=9 => 2,
                            10..=29 => 3,
                            _ => 4,
                        },
                        breakdown: per
                            .iter()
                            .map(|(p, n)| format!("{} {n}", p.id()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        provisional: cell.technique.provisional,
                    }
                })
                .collect();
            ColumnView {
                id: column.tactic.shortname.clone(),
                name: column.tactic.name.clone(),
                covered: cells.iter().filter(|c| c.count > 0).count(),
                cells,
            }
        })
        .collect();
    let mut platforms = vec![(
        "all".to_string(),
        paths::matrix_path(None, all_classes),
        platform.is_none(),
    )];
    platforms.extend(present.iter().map(|p| {
        (
            p.display_name().to_string(),
            paths::matrix_path(Some(*p), all_classes),
            platform == Some(*p),
        )
    }));
    let classes = vec![
        (
            "detections only".to_string(),
            paths::matrix_path(platform, false),
            !all_classes,
        ),
        (
            "every class".to_string(),
            paths::matrix_path(platform, true),
            all_classes,
        ),
    ];
    MatrixPage {
        layout,
        all_classes,
        show_breakdown: platform.is_none(),
        covered: covered_ids.len(),
        total: total_ids.len(),
        platforms,
        classes,
        columns,
    }
    .render()
    .ok()
}

/// Every technique and sub-technique with a page: those on the matrix.
pub(crate) fn technique_ids(site: &Site) -> &'static BTreeSet<String> {
    static IDS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| matrix_ids(site.catalog().attack()))
}

fn matrix_ids(attack: &ruledex_attack::Attack) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for column in attack.techniques_by_tactic() {
        for cell in column.techniques {
            ids.insert(cell.technique.id.clone());
            ids.extend(cell.subtechniques.iter().map(|s| s.id.clone()));
        }
    }
    ids
}

/// How many of the most frequent fields, values and exclusions a technique
/// page lists.
const TOP: usize = 25;

pub(crate) fn technique(site: &Site, id: &str, layout: Layout) -> Option<String> {
    let attack = site.catalog().attack();
    let technique = attack.technique(id)?;
    if technique.id != id || !technique_ids(site).contains(id) {
        return None;
    }
    let mut layout = layout;
    layout.title = format!("{} {}", technique.id, technique.name);
    let rules: Vec<usize> = site.techniques().get(id).cloned().unwrap_or_default();
    let counted: Vec<usize> = rules.iter().copied().filter(|&p| site.counted(p)).collect();
    let mut intro = Vec::new();
    let tactics: Vec<String> = attack
        .tactics_of(technique)
        .iter()
        .map(|t| {
            attack
                .tactic(t)
                .map_or_else(|| t.to_string(), |x| x.name.clone())
        })
        .collect();
    intro.push(format!(
        "{}{} · tactics: {} · {} · {}",
        if technique.provisional {
            "Provisional ATT&CK v19.2 technique. "
        } else {
            ""
        },
        match &technique.parent {
            Some(p) => format!(
                "sub-technique of {p} {}",
                attack.technique(p).map_or("", |t| t.name.as_str())
            ),
            None => "technique".to_string(),
        },
        tactics.join(", "),
        layout.attack_label,
        ruledex_attack::model::technique_url(&technique.id)
    ));
    if let Some(v19) = &technique.v19 {
        if v19.name != technique.name {
            intro.push(format!(
                "Named \u{201c}{}\u{201d} in the provisional ATT&CK v19.2.",
                v19.name
            ));
        }
    }
    let mut per_platform: BTreeMap<Platform, usize> = BTreeMap::new();
    for &p in &counted {
        *per_platform
            .entry(site.entries()[p].rule.platform)
            .or_default() += 1;
    }
    intro.push(if counted.is_empty() {
        "No detection covers this technique.".to_string()
    } else {
        format!(
            "{} detections cover it ({}).",
            counted.len(),
            per_platform
                .iter()
                .map(|(p, n)| format!("{} {n}", p.display_name()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let mut sections = Vec::new();
    let subs = attack.subtechniques_of(&technique.id);
    if !subs.is_empty() {
        sections.push(Section {
            id: "subtechniques".into(),
            heading: "Sub-techniques".into(),
            columns: vec!["Sub-technique", "Rules"],
            rows: subs
                .iter()
                .filter(|s| technique_ids(site).contains(&s.id))
                .map(|s| {
                    let n = site
                        .techniques()
                        .get(&s.id)
                        .map_or(0, |v| v.iter().filter(|&&p| site.counted(p)).count());
                    vec![
                        Cell::link(format!("{} {}", s.id, s.name), paths::technique_path(&s.id)),
                        Cell::text(n),
                    ]
                })
                .collect(),
            ..Section::default()
        });
    }
    // The authoring guide: fields, values and exclusions the detections use.
    let index = site.catalog().indicator_index();
    let mut fields: HashMap<&str, usize> = HashMap::new();
    let mut values: HashMap<&str, (String, String, String, usize)> = HashMap::new();
    let mut value_rules: HashMap<&str, usize> = HashMap::new();
    let mut exclusions: HashMap<&str, (String, String, String, usize)> = HashMap::new();
    let mut exclusion_rules: HashMap<&str, usize> = HashMap::new();
    for &p in &counted {
        let e = &site.entries()[p];
        // Sets, not lists: a rule may carry thousands of hash values.
        let mut seen_fields: HashSet<&str> = HashSet::new();
        let mut seen_keys: HashSet<&str> = HashSet::new();
        for (i, ind) in e.rule.indicators.iter().enumerate() {
            if let Some(k) = site.field_key_of(p, i) {
                if seen_fields.insert(k) {
                    *fields.entry(k).or_default() += 1;
                }
            }
            for (v, key) in index.keys_of(p, i).iter().enumerate() {
                if !seen_keys.insert(key.as_str()) {
                    continue;
                }
                let (rows, counts) = if ind.exclusion {
                    (&mut exclusions, &mut exclusion_rules)
                } else {
                    (&mut values, &mut value_rules)
                };
                rows.entry(key).or_insert_with(|| {
                    let shown = ind
                        .values
                        .get(v)
                        .map_or_else(String::new, ToString::to_string);
                    (
                        ind.field.clone(),
                        ind.kind.name(),
                        shown,
                        index.rule_count(key),
                    )
                });
                *counts.entry(key).or_default() += 1;
            }
        }
    }
    let field_rows = top(fields);
    if !field_rows.is_empty() {
        sections.push(Section {
            id: "fields".into(),
            heading: "Fields filtered most".into(),
            note: Some(format!(
                "The {TOP} fields most detections of this technique filter on."
            )),
            columns: vec!["Field", "Detections"],
            rows: field_rows
                .into_iter()
                .map(|(k, n)| {
                    vec![
                        Cell {
                            text: k.to_string(),
                            href: site.field_page(k),
                        },
                        Cell::text(n),
                    ]
                })
                .collect(),
            ..Section::default()
        });
    }
    for (id, heading, map, rows) in [
        (
            "values",
            "Most common indicator values",
            value_rules,
            &values,
        ),
        (
            "exclusions",
            "Common exclusions",
            exclusion_rules,
            &exclusions,
        ),
    ] {
        let list = top(map.into_iter().filter(|(_, n)| *n >= 1).collect());
        if list.is_empty() {
            continue;
        }
        sections.push(Section {
            id: id.into(),
            heading: heading.into(),
            note: Some("Detections here: how many rules of this technique use it; corpus reach: how many rules in the whole catalog do.".into()),
            columns: vec!["Field", "Kind", "Value", "Detections here", "Corpus reach"],
            rows: list
                .into_iter()
                .filter_map(|(key, n)| {
                    let (field, kind, shown, reach) = rows.get(key)?;
                    Some(vec![
                        Cell::text(field),
                        Cell::text(kind),
                        Cell { text: shown.clone(), href: site.indicator_page(key) },
                        Cell::text(n),
                        Cell::text(reach),
                    ])
                })
                .collect(),
            ..Section::default()
        });
    }
    // Rules grouped by language.
    let mut by_lang: BTreeMap<Language, Vec<usize>> = BTreeMap::new();
    for &p in &rules {
        by_lang
            .entry(site.entries()[p].rule.language)
            .or_default()
            .push(p);
    }
    for (lang, positions) in by_lang {
        let search = super::filter_query("technique", &technique.id)
            .zip(super::filter_query("lang", lang.id()))
            .map(|(t, l)| format!("{t} {l}"));
        let heading = format!("{} rules", lang.display_name());
        for mut s in rule_sections(site, &positions, &heading, search) {
            s.id = format!("{}-{}", lang.id(), s.id);
            if s.collapsed {
                s.heading = format!("{} hunting queries and other classes", lang.display_name());
            }
            sections.push(s);
        }
    }
    super::lists::page(
        layout,
        vec![("ATT&CK".into(), paths::MATRIX.into())],
        format!("{} {}", technique.id, technique.name),
        intro,
        sections,
    )
}

/// The `TOP` most frequent entries, most frequent first (ties by key, so
/// the order does not depend on the map's).
fn top(m: HashMap<&str, usize>) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.truncate(TOP);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_names() {
        assert_eq!(parse_matrix_name("index"), Some((None, false)));
        assert_eq!(
            parse_matrix_name("sigma-detections"),
            Some((Some(Platform::Sigma), false))
        );
        assert_eq!(parse_matrix_name("all-all-classes"), Some((None, true)));
        assert_eq!(parse_matrix_name("all-detections"), None);
        assert_eq!(parse_matrix_name("bogus-detections"), None);
        assert_eq!(parse_matrix_name("../x"), None);
    }
}
