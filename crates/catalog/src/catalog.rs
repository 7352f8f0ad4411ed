//! The catalog: every rule of every source, keyed, normalized and indexed.

use crate::counts::{IndicatorCounts, IndicatorIndex};
use crate::entry::{Entry, SourceInfo};
use crate::ingest::{load_roots, Formats, LoadedFile, SourceRoot};
use crate::normalize::Normalizer;
use crate::related::{Evidence, Related, RelatedIndex, RelatedList};
use crate::search::{SearchDoc, SearchError, SearchIndex, SearchResults};
use rayon::prelude::*;
use ruledex_ir::{Language, Platform, Rule};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

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
    events: Option<crate::events::EventIndex>,
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
        // Each rule is normalized on its own: in parallel.
        entries.par_iter_mut().for_each(|entry| {
            entry.logsources = normalizer.identify_logsources(&mut entry.rule);
            entry.actions = normalizer.actions(&entry.rule, &entry.logsources);
            normalizer.classify(&mut entry.rule, &entry.logsources);
            (entry.attack, entry.cells) =
                crate::attack::resolve_rule(ruledex_attack::Attack::embedded(), &mut entry.rule);
        });
        let indicators = IndicatorIndex::build(&entries, &normalizer);
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            by_id
                .entry(entry.rule.id.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        let behaviour = ruledex_behaviour::Behaviour::embedded();
        let votes = crate::infer::FieldVotes::from_entries(&entries);
        let rule_keys: Vec<Vec<crate::behaviour::RuleKey>> = {
            entries
                .par_iter()
                .map(|e| {
                    let logsources = crate::infer::keyed_logsources(e, &votes, &normalizer);
                    crate::behaviour::rule_keys(e, &logsources, &normalizer, behaviour)
                })
                .collect()
        };
        let related = RelatedIndex::build(&entries, rule_keys);
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
            events: None,
        }
    }

    /// Map every rule onto the events of `dictionary` (the event pages and
    /// the `event:` / `provider:` search filters use it). Replaces a
    /// previous dictionary.
    pub fn set_events(&mut self, dictionary: std::sync::Arc<ruledex_events::Dictionary>) {
        self.events = Some(crate::events::EventIndex::build(
            dictionary,
            &self.entries,
            &self.normalizer,
        ));
        // The search index holds the event filters: build it again.
        self.search = std::sync::OnceLock::new();
    }

    /// The rules mapped onto an event dictionary, when one was given.
    pub fn events(&self) -> Option<&crate::events::EventIndex> {
        self.events.as_ref()
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

    /// The rules related to the rule at `position`: those sharing behaviour,
    /// strongest first, then those that only share its log source (see
    /// [`RelatedIndex::related`]).
    pub fn related(&self, position: usize) -> RelatedList {
        self.related.related(&self.entries, position)
    }

    /// What the rule at `position` and `related` share, in both rules' own
    /// words, strongest first.
    pub fn evidence(&self, position: usize, related: &Related) -> Vec<Evidence> {
        self.related.evidence(&self.entries, position, related)
    }

    /// Why the rule at `position` and `related` are related, in one line.
    pub fn related_reason(&self, position: usize, related: &Related) -> String {
        let table = self.normalizer.logsource_table();
        let name = |id: &str| {
            table
                .get(id)
                .map_or_else(|| id.to_string(), |s| s.name.clone())
        };
        self.related.reason(related, &name, &self.entries, position)
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
        if let Some(events) = &self.events {
            let dictionary = events.dictionary();
            let mut ids = Vec::new();
            let mut providers = Vec::new();
            for re in events.of_rule(position) {
                let event = &dictionary.events[re.matched.event];
                let provider = &dictionary.providers[event.provider];
                ids.push(event.id.to_lowercase());
                ids.push(format!("{}/{}", provider.slug, event.slug));
                providers.push(provider.slug.clone());
                let name = provider.name.to_lowercase();
                if let Some(short) = name.strip_prefix("microsoft-windows-") {
                    providers.push(short.to_string());
                }
                providers.push(name);
            }
            filters.insert("event", ids);
            filters.insert("provider", providers);
        }
        let classes: Vec<String> = if r.classes.is_empty() {
            vec!["detection".to_string()]
        } else {
            r.classes
                .iter()
                .map(|c| crate::entry::class_id(*c).to_string())
                .collect()
        };
        filters.insert("class", classes);
        filters.insert(
            "severity",
            r.severity.map(|s| s.id().to_string()).into_iter().collect(),
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

    /// The ATT&CK knowledge base the catalog resolves against.
    pub fn attack(&self) -> &'static ruledex_attack::Attack {
        ruledex_attack::Attack::embedded()
    }

    /// Rules (positions) per technique cell id (techniques and
    /// sub-techniques both, sub-techniques also counted on their parent),
    /// among the rules `include` accepts.
    pub fn coverage(&self, include: impl Fn(&Entry) -> bool) -> BTreeMap<String, Vec<usize>> {
        crate::attack::coverage(&self.entries, include)
    }

    /// An ATT&CK Navigator layer (format 4.5) scoring each technique by the
    /// number of rules covering it, with a per-language breakdown as the
    /// comment.
    pub fn navigator_layer(
        &self,
        include: impl Fn(&Entry) -> bool,
        name: &str,
    ) -> serde_json::Value {
        crate::attack::navigator_layer(&self.entries, self.attack(), include, name)
    }

    /// The last change of every rule with a known date, newest first: commit
    /// dates for rules in git work trees, declared dates otherwise. Computed
    /// on first use (one `git log` per git source).
    pub fn changes(&self) -> &[crate::changes::Change] {
        self.changes
            .get_or_init(|| crate::changes::compute(&self.sources, &self.entries))
    }

    /// Normalization coverage per language, in language order.
    pub fn stats(&self) -> Vec<crate::stats::LanguageStats> {
        crate::stats::language_stats(
            &self.entries,
            self.normalizer.logsource_table(),
            &self.related,
            self.events.as_ref(),
        )
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
