//! [`Site`]: a catalog plus the indexes its pages need, computed once.

use crate::paths::{self, slug};
use ruledex_catalog::{counts_in_coverage, Catalog, Entry};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Fewest rules a field or an indicator value needs for a page of its own.
/// A field or value only one rule uses is shown on that rule's page; pages
/// for them would multiply the file count (tens of thousands of pages, each
/// listing one rule) without telling anything new.
pub const MIN_RULES_FOR_PAGE: usize = 2;

/// A normalized field and every indicator on it.
#[derive(Clone, Debug)]
pub struct FieldInfo {
    /// The normalized key (`process.command_line`, or
    /// `azure.signin:AppDisplayName` for fields the tables do not map).
    pub key: String,
    /// Its page slug.
    pub slug: String,
    /// The names rules write for it.
    pub names: BTreeSet<String>,
    /// (rule position, indicator index) of every indicator on the field.
    pub uses: Vec<(usize, usize)>,
    /// The rules (positions, ascending, each once).
    pub rules: Vec<usize>,
}

impl FieldInfo {
    /// Whether the field has a page ([`MIN_RULES_FOR_PAGE`]).
    pub fn has_page(&self) -> bool {
        self.rules.len() >= MIN_RULES_FOR_PAGE
    }
}

/// A log source and the rules reading it.
#[derive(Clone, Debug)]
pub struct LogsourceInfo {
    /// Log-source id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The rules (positions, ascending).
    pub rules: Vec<usize>,
}

/// An operation on a log source and the rules filtering it.
#[derive(Clone, Debug)]
pub struct ActionInfo {
    /// Log-source id.
    pub logsource: String,
    /// Operation key (`signin.amazonaws.com:ConsoleLogin`).
    pub operation: String,
    /// Operation as shown (`ConsoleLogin`).
    pub label: String,
    /// Page slug.
    pub slug: String,
    /// The rules (positions, ascending).
    pub rules: Vec<usize>,
}

/// Rules a [`RelatedHead`] keeps: as many as the longest list a page shows
/// (the related-rules page; a rule page shows fewer).
pub const RELATED_HEAD_ROWS: usize = crate::pages::lists::RELATED_PAGE_ROWS;

/// The part of a rule's related list the pages show: the strongest rules
/// and how many there are in each group. The JSON API asks the catalog for
/// whole lists.
#[derive(Clone, Debug, Default)]
pub struct RelatedHead {
    /// The strongest [`RELATED_HEAD_ROWS`] rules sharing behaviour, ranked.
    pub behaviour: Vec<ruledex_catalog::Related>,
    /// How many entries the ranked list has in all (a rule and its
    /// undocumented copies are one entry).
    pub behaviour_total: usize,
    /// How many rules share behaviour in all, copies included.
    pub behaviour_rules: usize,
    /// How many rules only read the same log source.
    pub same_logsource: usize,
}

impl RelatedHead {
    /// The head of `list`.
    fn of(mut list: ruledex_catalog::RelatedList) -> RelatedHead {
        let behaviour_total = list.behaviour.len();
        let behaviour_rules = list.behaviour_rules();
        list.behaviour.truncate(RELATED_HEAD_ROWS);
        list.behaviour.shrink_to_fit();
        RelatedHead {
            behaviour: list.behaviour,
            behaviour_total,
            behaviour_rules,
            same_logsource: list.same_logsource.len(),
        }
    }
}

/// The catalog with everything pages need precomputed.
pub struct Site {
    catalog: Catalog,
    fields: Vec<FieldInfo>,
    field_by_key: HashMap<String, usize>,
    field_by_slug: HashMap<String, usize>,
    /// Per rule, per indicator: the field key.
    field_keys: Vec<Vec<String>>,
    indicator_slugs: HashMap<String, String>,
    indicator_by_slug: HashMap<String, String>,
    logsources: Vec<LogsourceInfo>,
    logsource_by_id: HashMap<String, usize>,
    logsource_by_slug: HashMap<String, usize>,
    actions: Vec<ActionInfo>,
    action_by_key: HashMap<(String, String), usize>,
    action_by_slug: HashMap<String, usize>,
    techniques: BTreeMap<String, Vec<usize>>,
    search_docs_ready: std::sync::OnceLock<()>,
    /// Per rule, the head of its related list (computed on first use, for
    /// every rule at once, in parallel).
    related_heads: std::sync::OnceLock<Vec<RelatedHead>>,
    /// Per rule, its highlighted body (computed on first use): the list of
    /// pages needs to know which bodies are cut, and the rule page shows
    /// them, so each is highlighted once.
    bodies: Vec<std::sync::OnceLock<crate::highlight::BodyHtml>>,
    /// Per rule, its place in the catalog ordered by title then key: list
    /// pages sort by it instead of comparing titles page after page.
    title_ranks: Vec<u32>,
}

impl Site {
    /// Index `catalog` for the pages.
    pub fn new(catalog: Catalog) -> Site {
        let normalizer = catalog.normalizer();
        let mut fields: BTreeMap<String, FieldInfo> = BTreeMap::new();
        let mut field_keys = Vec::with_capacity(catalog.entries().len());
        let mut indicator_slugs = HashMap::new();
        let mut indicator_by_slug = HashMap::new();
        let index = catalog.indicator_index();
        for (position, entry) in catalog.entries().iter().enumerate() {
            let mut keys = Vec::with_capacity(entry.rule.indicators.len());
            for (i, indicator) in entry.rule.indicators.iter().enumerate() {
                let key = normalizer.field_key(&entry.rule, &entry.logsources, &indicator.field);
                let info = fields.entry(key.clone()).or_insert_with(|| FieldInfo {
                    slug: slug(&key),
                    key: key.clone(),
                    names: BTreeSet::new(),
                    uses: Vec::new(),
                    rules: Vec::new(),
                });
                info.names.insert(indicator.field.clone());
                info.uses.push((position, i));
                if info.rules.last() != Some(&position) {
                    info.rules.push(position);
                }
                keys.push(key);
                for value_key in index.keys_of(position, i) {
                    if indicator_slugs.contains_key(value_key)
                        || index.rule_count(value_key) < MIN_RULES_FOR_PAGE
                    {
                        continue;
                    }
                    let mut s = format!("{:016x}", paths::fnv1a(value_key.as_bytes()));
                    let mut n = 2;
                    while indicator_by_slug.contains_key(&s) {
                        s = format!("{:016x}-{n}", paths::fnv1a(value_key.as_bytes()));
                        n += 1;
                    }
                    indicator_by_slug.insert(s.clone(), value_key.clone());
                    indicator_slugs.insert(value_key.clone(), s);
                }
            }
            field_keys.push(keys);
        }
        let fields: Vec<FieldInfo> = fields.into_values().collect();
        let field_by_key = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.key.clone(), i))
            .collect();
        let field_by_slug = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.has_page())
            .map(|(i, f)| (f.slug.clone(), i))
            .collect();

        let table = normalizer.logsource_table();
        let mut by_logsource: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_action: BTreeMap<(String, String), (String, Vec<usize>)> = BTreeMap::new();
        for (position, entry) in catalog.entries().iter().enumerate() {
            for id in &entry.logsources {
                let list = by_logsource.entry(id.clone()).or_default();
                if list.last() != Some(&position) {
                    list.push(position);
                }
            }
            for action in &entry.actions {
                if let Some(op) = &action.operation {
                    let label = action.operation_name().unwrap_or(op).to_string();
                    let (_, list) = by_action
                        .entry((action.logsource.clone(), op.clone()))
                        .or_insert_with(|| (label, Vec::new()));
                    if list.last() != Some(&position) {
                        list.push(position);
                    }
                }
            }
        }
        let logsources: Vec<LogsourceInfo> = by_logsource
            .into_iter()
            .map(|(id, rules)| LogsourceInfo {
                name: table
                    .get(&id)
                    .map_or_else(|| id.clone(), |l| l.name.clone()),
                id,
                rules,
            })
            .collect();
        let logsource_by_id = logsources
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.clone(), i))
            .collect();
        let logsource_by_slug = logsources
            .iter()
            .enumerate()
            .map(|(i, l)| (slug(&l.id), i))
            .collect();
        let actions: Vec<ActionInfo> = by_action
            .into_iter()
            .map(|((logsource, operation), (label, rules))| ActionInfo {
                slug: slug(&format!("{logsource}/{operation}")),
                logsource,
                operation,
                label,
                rules,
            })
            .collect();
        let action_by_key = actions
            .iter()
            .enumerate()
            .map(|(i, a)| ((a.logsource.clone(), a.operation.clone()), i))
            .collect();
        let action_by_slug = actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.slug.clone(), i))
            .collect();
        let techniques = catalog.coverage(|_| true);
        let mut by_title: Vec<usize> = (0..catalog.entries().len()).collect();
        by_title.sort_by(|&a, &b| {
            let (ea, eb) = (&catalog.entries()[a], &catalog.entries()[b]);
            ea.rule.title.cmp(&eb.rule.title).then(ea.key.cmp(&eb.key))
        });
        let mut title_ranks = vec![0; by_title.len()];
        for (rank, &position) in by_title.iter().enumerate() {
            title_ranks[position] = rank as u32;
        }
        let bodies = (0..catalog.entries().len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        Site {
            catalog,
            title_ranks,
            fields,
            field_by_key,
            field_by_slug,
            field_keys,
            indicator_slugs,
            indicator_by_slug,
            logsources,
            logsource_by_id,
            logsource_by_slug,
            actions,
            action_by_key,
            action_by_slug,
            techniques,
            search_docs_ready: std::sync::OnceLock::new(),
            related_heads: std::sync::OnceLock::new(),
            bodies,
        }
    }

    /// The place of the rule at `position` in the catalog ordered by title,
    /// then key.
    pub fn title_rank(&self, position: usize) -> u32 {
        self.title_ranks[position]
    }

    /// How many rules share behaviour with the rule at `position` (the
    /// ranked group of [`Catalog::related`]).
    pub fn related_count(&self, position: usize) -> usize {
        self.related_head(position).map_or(0, |h| h.behaviour_total)
    }

    /// The head of the related list of the rule at `position`: what the
    /// rule page and the related-rules page show. Computed for every rule,
    /// in parallel, on first use, so the pages of a build share one
    /// computation per rule.
    pub fn related_head(&self, position: usize) -> Option<&RelatedHead> {
        let heads = self.related_heads.get_or_init(|| {
            use rayon::prelude::*;
            (0..self.catalog.entries().len())
                .into_par_iter()
                .map(|p| RelatedHead::of(self.catalog.related(p)))
                .collect()
        });
        heads.get(position)
    }

    /// The highlighted body of the rule at `position`, as its page shows it.
    pub(crate) fn body(&self, position: usize) -> Option<&crate::highlight::BodyHtml> {
        let entry = self.catalog.entries().get(position)?;
        Some(
            self.bodies
                .get(position)?
                .get_or_init(|| crate::pages::rule::body_view(&entry.rule)),
        )
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The rules.
    pub fn entries(&self) -> &[Entry] {
        self.catalog.entries()
    }

    /// Every field, by key.
    pub fn fields(&self) -> &[FieldInfo] {
        &self.fields
    }

    /// A field by key.
    pub fn field(&self, key: &str) -> Option<&FieldInfo> {
        self.field_by_key.get(key).map(|&i| &self.fields[i])
    }

    /// A field with a page, by slug.
    pub fn field_by_slug(&self, slug: &str) -> Option<&FieldInfo> {
        self.field_by_slug.get(slug).map(|&i| &self.fields[i])
    }

    /// The field key of indicator `indicator` of the rule at `position`.
    pub fn field_key_of(&self, position: usize, indicator: usize) -> Option<&str> {
        self.field_keys
            .get(position)?
            .get(indicator)
            .map(String::as_str)
    }

    /// The page path of a field key, when it has a page.
    pub fn field_page(&self, key: &str) -> Option<String> {
        self.field(key)
            .filter(|f| f.has_page())
            .map(|f| paths::field_path(&f.slug))
    }

    /// The page path of an indicator key, when it has a page.
    pub fn indicator_page(&self, key: &str) -> Option<String> {
        self.indicator_slugs
            .get(key)
            .map(|s| paths::indicator_path(s))
    }

    /// The indicator key of an indicator page slug.
    pub fn indicator_by_slug(&self, slug: &str) -> Option<&str> {
        self.indicator_by_slug.get(slug).map(String::as_str)
    }

    /// Every indicator key with a page, with its slug.
    pub fn indicator_pages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.indicator_slugs
            .iter()
            .map(|(k, s)| (k.as_str(), s.as_str()))
    }

    /// Every log source some rule reads.
    pub fn logsources(&self) -> &[LogsourceInfo] {
        &self.logsources
    }

    /// A log source by id.
    pub fn logsource(&self, id: &str) -> Option<&LogsourceInfo> {
        self.logsource_by_id.get(id).map(|&i| &self.logsources[i])
    }

    /// A log source by page slug.
    pub fn logsource_by_slug(&self, slug: &str) -> Option<&LogsourceInfo> {
        self.logsource_by_slug
            .get(slug)
            .map(|&i| &self.logsources[i])
    }

    /// Every action with an operation.
    pub fn actions(&self) -> &[ActionInfo] {
        &self.actions
    }

    /// An action by log source and operation key.
    pub fn action(&self, logsource: &str, operation: &str) -> Option<&ActionInfo> {
        self.action_by_key
            .get(&(logsource.to_string(), operation.to_string()))
            .map(|&i| &self.actions[i])
    }

    /// An action by page slug.
    pub fn action_by_slug(&self, slug: &str) -> Option<&ActionInfo> {
        self.action_by_slug.get(slug).map(|&i| &self.actions[i])
    }

    /// Rules per technique id (techniques and sub-techniques; every class).
    pub fn techniques(&self) -> &BTreeMap<String, Vec<usize>> {
        &self.techniques
    }

    /// Build the search index now rather than on the first search.
    pub fn warm_search(&self) {
        self.search_docs_ready.get_or_init(|| {
            let _ = self.catalog.search("", 1, 0);
        });
    }

    /// Whether a rule counts in browse and coverage views by default.
    pub fn counted(&self, position: usize) -> bool {
        self.entries().get(position).is_some_and(counts_in_coverage)
    }
}
