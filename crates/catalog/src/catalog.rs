//! The catalog: every rule of every source, keyed, normalized and indexed.

use crate::counts::{IndicatorCounts, IndicatorIndex};
use crate::ingest::{load_roots, Formats, LoadedFile, SourceRoot};
use crate::normalize::{Action, Normalizer};
use crate::related::{Related, RelatedIndex};
use crate::search::{SearchDoc, SearchError, SearchIndex, SearchResults};
use ruledex_ir::{Language, Platform, Rule};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// A configured source as the catalog keeps it.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    /// Source name.
    pub name: String,
    /// Folder read.
    pub path: PathBuf,
    /// Commit of the checkout, when known.
    pub commit: Option<String>,
    /// Web address of the repository, when known.
    pub web: Option<String>,
}

impl SourceInfo {
    /// A link to `path` (relative to the source) at the source's commit, for
    /// sources with a known web address and commit.
    pub fn file_url(&self, path: &str) -> Option<String> {
        let web = self.web.as_ref()?;
        let commit = self.commit.as_ref()?;
        let encoded: String = path
            .split('/')
            .map(|part| {
                part.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("/");
        Some(format!(
            "{}/blob/{commit}/{encoded}",
            web.trim_end_matches('/')
        ))
    }
}

/// One rule in the catalog.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Unique, URL-safe key: `<source>/<path>` (plus `--<n>` for the n-th
    /// rule of a file holding several).
    pub key: String,
    /// The rule.
    pub rule: Rule,
    /// Index of the rule's source in [`Catalog::sources`].
    pub source: usize,
    /// Normalized log-source ids the rule reads.
    pub logsources: Vec<String>,
    /// The actions the rule watches (log source and operation).
    pub actions: Vec<Action>,
    /// Its ATT&CK references, resolved.
    pub attack: Vec<ruledex_attack::Finding>,
    /// The matrix cells they cover.
    pub cells: std::collections::BTreeSet<ruledex_attack::Cell>,
}

/// Files ingest saw but could not use.
#[derive(Clone, Debug, Default)]
pub struct IngestReport {
    /// Files read in total.
    pub files: usize,
    /// Files no format recognized (paths on disk).
    pub unknown: Vec<PathBuf>,
    /// Files that could not be read, with why.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Every rule of every source.
pub struct Catalog {
    sources: Vec<SourceInfo>,
    entries: Vec<Entry>,
    by_key: HashMap<String, usize>,
    by_id: HashMap<String, Vec<usize>>,
    report: IngestReport,
    indicators: IndicatorIndex,
    related: RelatedIndex,
    normalizer: Normalizer,
    search: std::sync::OnceLock<Result<SearchIndex, SearchError>>,
    changes: std::sync::OnceLock<Vec<crate::changes::Change>>,
}

impl Catalog {
    /// Ingest `roots` with `formats` and build every index. `progress` is
    /// called once per file as it is loaded.
    pub fn build(
        roots: &[SourceRoot],
        formats: &Formats,
        progress: &(dyn Fn(&LoadedFile) + Sync),
    ) -> Catalog {
        let files = load_roots(roots, formats, progress);
        Catalog::from_files(roots, files)
    }

    /// Build the catalog from already loaded files of `roots`.
    pub fn from_files(roots: &[SourceRoot], files: Vec<LoadedFile>) -> Catalog {
        let sources: Vec<SourceInfo> = roots
            .iter()
            .map(|r| SourceInfo {
                name: r.name.clone(),
                path: r.path.clone(),
                commit: r.commit.clone(),
                web: r.web.clone(),
            })
            .collect();
        let source_index: HashMap<&str, usize> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i))
            .collect();
        let mut report = IngestReport {
            files: files.len(),
            ..IngestReport::default()
        };
        let mut entries = Vec::new();
        let mut by_key = HashMap::new();
        for file in files {
            if let Some(error) = file.read_error {
                report.unreadable.push((file.path, error));
                continue;
            }
            if file.format.is_none() {
                report.unknown.push(file.path);
                continue;
            }
            for rule in file.rules {
                let source = source_index
                    .get(rule.provenance.source.as_str())
                    .copied()
                    .unwrap_or(0);
                let key = unique_key(&mut by_key, &rule, entries.len());
                entries.push(Entry {
                    key,
                    rule,
                    source,
                    logsources: Vec::new(),
                    actions: Vec::new(),
                    attack: Vec::new(),
                    cells: Default::default(),
                });
            }
        }
        let normalizer = Normalizer::new();
        for entry in &mut entries {
            entry.logsources = normalizer.identify_logsources(&mut entry.rule);
            entry.actions = normalizer.actions(&entry.rule, &entry.logsources);
            normalizer.classify(&mut entry.rule, &entry.logsources);
            (entry.attack, entry.cells) =
                crate::attack::resolve_rule(ruledex_attack::Attack::embedded(), &mut entry.rule);
        }
        let indicators = IndicatorIndex::build(&entries, &normalizer);
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            by_id
                .entry(entry.rule.id.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        let related = RelatedIndex::build(&entries);
        Catalog {
            sources,
            entries,
            by_key,
            by_id,
            report,
            indicators,
            related,
            normalizer,
            search: std::sync::OnceLock::new(),
            changes: std::sync::OnceLock::new(),
        }
    }

    /// All rules, in ingest order (sources in order, files sorted by path).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The sources.
    pub fn sources(&self) -> &[SourceInfo] {
        &self.sources
    }

    /// The source of `entry`.
    pub fn source_of(&self, entry: &Entry) -> &SourceInfo {
        &self.sources[entry.source]
    }

    /// Unknown and unreadable files.
    pub fn report(&self) -> &IngestReport {
        &self.report
    }

    /// The rule with catalog key `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.by_key.get(key).map(|&i| &self.entries[i])
    }

    /// Position of `key` in [`Catalog::entries`].
    pub fn position(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// Rules declaring `id` (case-insensitive; ids are not unique across
    /// sources, so there may be several).
    pub fn by_id(&self, id: &str) -> Vec<&Entry> {
        self.by_id
            .get(&id.to_ascii_lowercase())
            .map_or_else(Vec::new, |v| v.iter().map(|&i| &self.entries[i]).collect())
    }

    /// How many *other* rules share each value of indicator `indicator` of
    /// the rule at `position`.
    pub fn indicator_counts(&self, position: usize, indicator: usize) -> Vec<IndicatorCounts> {
        self.indicators.counts(position, indicator)
    }

    /// The normalized indicator index.
    pub fn indicator_index(&self) -> &IndicatorIndex {
        &self.indicators
    }

    /// Every rule related to the rule at `position`, strongest first (see
    /// [`RelatedIndex::related`]).
    pub fn related(&self, position: usize) -> Vec<Related> {
        self.related
            .related(&self.entries, position, self.normalizer.logsource_table())
    }

    /// The index of rules by action and log source.
    pub fn related_index(&self) -> &RelatedIndex {
        &self.related
    }

    /// The normalizer (log-source and field tables).
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Search the catalog (see [`crate::search`] for the query syntax). The
    /// index is built on first use.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, SearchError> {
        match self
            .search
            .get_or_init(|| SearchIndex::build(self.search_docs()))
        {
            Ok(index) => index.search(query, limit, offset),
            Err(e) => Err(e.clone()),
        }
    }

    /// What each rule contributes to the search index.
    fn search_docs(&self) -> Vec<SearchDoc> {
        self.entries
            .iter()
            .enumerate()
            .map(|(position, e)| {
                let r = &e.rule;
                let mut description = r.description.clone().unwrap_or_default();
                for t in &r.tags {
                    description.push('\n');
                    description.push_str(t);
                }
                SearchDoc {
                    position,
                    title: r.title.clone(),
                    description,
                    body: r.body.clone(),
                    names: format!("{} {}", r.provenance.path, r.id),
                    filters: self.search_filters(position).unwrap_or_default(),
                }
            })
            .collect()
    }

    /// The structured search filters of the rule at `position`, as the
    /// search index holds them: each filter name of [`SEARCH_FILTERS`] with
    /// the rule's values, lowercased, sorted and without repeats. The static
    /// site's client-side search is built from the same values, so both
    /// searches agree on every filter.
    ///
    /// [`SEARCH_FILTERS`]: crate::SEARCH_FILTERS
    pub fn search_filters(&self, position: usize) -> Option<BTreeMap<&'static str, Vec<String>>> {
        let e = self.entries.get(position)?;
        let r = &e.rule;
        let mut filters: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        filters.insert("lang", vec![r.language.id().to_string()]);
        filters.insert("platform", vec![r.platform.id().to_string()]);
        filters.insert("logsource", e.logsources.clone());
        let mut fields: Vec<String> = r.indicators.iter().map(|i| i.field.clone()).collect();
        fields.extend(
            r.indicators
                .iter()
                .map(|i| self.normalizer.field_key(r, &e.logsources, &i.field)),
        );
        filters.insert("field", fields);
        let mut values: Vec<String> = r
            .indicators
            .iter()
            .flat_map(|i| {
                i.values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
            })
            .collect();
        values.extend(
            e.actions
                .iter()
                .filter_map(|a| a.operation_name().map(str::to_string)),
        );
        filters.insert("value", values);
        let classes: Vec<String> = if r.classes.is_empty() {
            vec!["detection".to_string()]
        } else {
            r.classes
                .iter()
                .map(|c| crate::catalog::class_id(*c).to_string())
                .collect()
        };
        filters.insert("class", classes);
        filters.insert(
            "severity",
            r.severity.map(|s| format!("{s:?}")).into_iter().collect(),
        );
        filters.insert("status", r.status.iter().cloned().collect());
        filters.insert("kind", r.kind.iter().cloned().collect());
        filters.insert("source", vec![self.sources[e.source].name.clone()]);
        filters.insert("id", vec![r.id.clone()]);
        let (tactics, techniques) = crate::attack::search_terms(self.attack(), &e.attack, &e.cells);
        filters.insert("tactic", tactics);
        filters.insert("technique", techniques);
        for values in filters.values_mut() {
            for v in values.iter_mut() {
                *v = v.to_lowercase();
            }
            values.sort();
            values.dedup();
        }
        Some(filters)
    }

    /// The lazily computed result of [`Catalog::changes`].
    pub(crate) fn changes_cache(&self) -> &std::sync::OnceLock<Vec<crate::changes::Change>> {
        &self.changes
    }

    /// Rules per (platform, language).
    pub fn totals(&self) -> BTreeMap<(Platform, Language), usize> {
        let mut totals = BTreeMap::new();
        for e in &self.entries {
            *totals
                .entry((e.rule.platform, e.rule.language))
                .or_default() += 1;
        }
        totals
    }
}

/// The id of a rule class in JSON, URLs and search (`building_block`).
pub fn class_id(class: ruledex_ir::RuleClass) -> &'static str {
    use ruledex_ir::RuleClass as C;
    match class {
        C::Hunting => "hunting",
        C::BuildingBlock => "building_block",
        C::Deprecated => "deprecated",
        C::AlertForwarding => "alert_forwarding",
        C::Correlation => "correlation",
        C::Filter => "filter",
    }
}

/// `<source>/<path>[--<n>]` with every character outside `[A-Za-z0-9._/-]`
/// replaced by `_`, made unique with a `~<k>` suffix when two rules would
/// share a key.
fn unique_key(taken: &mut HashMap<String, usize>, rule: &Rule, position: usize) -> String {
    let p = &rule.provenance;
    // Segment by segment, so `.` and `..` can never survive as path steps.
    let mut base = format!("{}/{}", p.source, p.path)
        .split('/')
        .filter(|seg| !seg.is_empty())
        .map(|seg| {
            let clean: String = seg
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if clean.chars().all(|c| c == '.') {
                "_".repeat(clean.len())
            } else {
                clean
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    if let Some(i) = p.index {
        base.push_str(&format!("--{}", i + 1));
    }
    let mut key = base.clone();
    let mut k = 2;
    while taken.contains_key(&key) {
        key = format!("{base}~{k}");
        k += 1;
    }
    taken.insert(key.clone(), position);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_links_encode_paths() {
        let s = SourceInfo {
            name: "s".into(),
            path: "x".into(),
            commit: Some("abc".into()),
            web: Some("https://github.com/o/r/".into()),
        };
        assert_eq!(
            s.file_url("Hunting Queries/a&b.yaml").unwrap(),
            "https://github.com/o/r/blob/abc/Hunting%20Queries/a%26b.yaml"
        );
    }

    #[test]
    fn keys_are_url_safe_and_unique() {
        let mut taken = HashMap::new();
        let mut rule = Rule::default();
        rule.provenance.source = "src".into();
        rule.provenance.path = "Hunting Queries/a#b.md".into();
        rule.provenance.index = Some(0);
        assert_eq!(
            unique_key(&mut taken, &rule, 0),
            "src/Hunting_Queries/a_b.md--1"
        );
        assert_eq!(
            unique_key(&mut taken, &rule, 1),
            "src/Hunting_Queries/a_b.md--1~2"
        );
        rule.provenance.path = "../../etc/passwd".into();
        rule.provenance.index = None;
        let key = unique_key(&mut taken, &rule, 2);
        assert!(!key.contains("/../") && !key.starts_with('/'), "{key}");
    }
}
