//! Search over the catalog: full text plus structured filters, on a real
//! search index (tantivy, in memory).
//!
//! Query syntax: words and `"quoted phrases"` match title, description,
//! rule text, the rule's file path and its id (so a file name such as
//! `AzurePortalSigninfromanotherAzureTenant` or an id finds the rule); `name:value` filters match exactly
//! (case-insensitive); a leading `-` negates a word or a filter. Filters:
//!
//! | filter | matches |
//! |---|---|
//! | `technique:T1059` / `t:` | techniques, sub-techniques roll up to parents |
//! | `tactic:TA0001` or `tactic:initial-access` | tactics |
//! | `lang:sigma` / `language:` | query language |
//! | `platform:elastic` | product |
//! | `logsource:aws.cloudtrail` | normalized log source |
//! | `field:eventName` | fields the rule filters on |
//! | `value:ConsoleLogin` | indicator values |
//! | `event:4688` or `event:windows-sysmon/1` | dictionary events the rule can match (with `--events`) |
//! | `provider:sysmon`, `provider:security-auditing` | their providers (slug, name, name without `Microsoft-Windows-`) |
//! | `class:hunting` | rule classes (`detection` for none) |
//! | `severity:high`, `status:`, `kind:`, `source:`, `id:` | metadata |
//!
//! Queries are built from terms directly (no regex, wildcard or fuzzy
//! expansion), so no query can take more than one pass over its terms'
//! postings.

use std::collections::BTreeMap;
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Schema, STORED, STRING, TEXT};
use tantivy::{Index, IndexReader, TantivyDocument, Term};

/// Longest query accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 2_000;
/// Most terms (words and filters) in one query.
pub const MAX_QUERY_TERMS: usize = 64;

/// What a rule contributes to the index; prepared by the catalog.
#[derive(Clone, Debug, Default)]
pub struct SearchDoc {
    /// Position of the rule in the catalog.
    pub position: usize,
    /// Title.
    pub title: String,
    /// Description and other prose.
    pub description: String,
    /// Rule text.
    pub body: String,
    /// What names the rule besides its title: its file path within the
    /// source, and its id.
    pub names: String,
    /// Filter values by filter name (`technique` → `["t1059", "t1059.001"]`).
    pub filters: BTreeMap<&'static str, Vec<String>>,
}

/// Every filter a query may use: its name and the aliases that name it
/// (`t:` is `technique:`). [`Catalog::search_filters`] gives a rule's values
/// for each.
///
/// [`Catalog::search_filters`]: crate::Catalog::search_filters
pub const SEARCH_FILTERS: &[(&str, &[&str])] = &[
    ("technique", &["t", "technique", "techniques"]),
    ("tactic", &["tactic", "tactics"]),
    ("lang", &["lang", "language"]),
    ("platform", &["platform"]),
    ("logsource", &["logsource", "log", "ls"]),
    ("field", &["field", "fields"]),
    ("value", &["value", "values"]),
    ("event", &["event", "events"]),
    ("provider", &["provider"]),
    ("class", &["class"]),
    ("severity", &["severity", "sev"]),
    ("status", &["status"]),
    ("kind", &["kind", "type"]),
    ("source", &["source", "repo"]),
    ("id", &["id"]),
];

/// A query that could not be run.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum SearchError {
    /// Longer than [`MAX_QUERY_LEN`].
    #[error("query is longer than {MAX_QUERY_LEN} bytes")]
    TooLong,
    /// More than [`MAX_QUERY_TERMS`] terms.
    #[error("query has more than {MAX_QUERY_TERMS} terms")]
    TooManyTerms,
    /// `name:value` with an unknown name.
    #[error("unknown filter `{0}:` (known: technique, tactic, lang, platform, logsource, field, value, class, severity, status, kind, source, id)")]
    UnknownFilter(String),
    /// The index failed.
    #[error("search failed: {0}")]
    Index(String),
}

/// Results of a search.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchResults {
    /// Matching rules in total.
    pub total: usize,
    /// The requested page: catalog positions with scores, best first.
    pub hits: Vec<(usize, f32)>,
}

/// The in-memory search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    position: Field,
    title: Field,
    description: Field,
    body: Field,
    names: Field,
    filters: BTreeMap<&'static str, Field>,
}

impl SearchIndex {
    /// Index `docs`.
    pub fn build(docs: Vec<SearchDoc>) -> Result<SearchIndex, SearchError> {
        let mut schema = Schema::builder();
        let position = schema.add_u64_field("position", STORED);
        let title = schema.add_text_field("title", TEXT);
        let description = schema.add_text_field("description", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let names = schema.add_text_field("names", TEXT);
        let filters: BTreeMap<&'static str, Field> = SEARCH_FILTERS
            .iter()
            .map(|(name, _)| (*name, schema.add_text_field(name, STRING)))
            .collect();
        let index = Index::create_in_ram(schema.build());
        let err = |e: tantivy::TantivyError| SearchError::Index(e.to_string());
        let mut writer = index.writer_with_num_threads(1, 50_000_000).map_err(err)?;
        for d in docs {
            let mut doc = TantivyDocument::default();
            doc.add_u64(position, d.position as u64);
            doc.add_text(title, &d.title);
            doc.add_text(description, &d.description);
            doc.add_text(body, &d.body);
            doc.add_text(names, &d.names);
            for (name, values) in &d.filters {
                if let Some(field) = filters.get(name) {
                    for v in values {
                        doc.add_text(*field, v.to_lowercase());
                    }
                }
            }
            writer.add_document(doc).map_err(err)?;
        }
        writer.commit().map_err(err)?;
        let reader = index.reader().map_err(err)?;
        Ok(SearchIndex {
            index,
            reader,
            position,
            title,
            description,
            body,
            names,
            filters,
        })
    }

    /// Run `query`, returning `limit` hits after skipping `offset`. An empty
    /// query matches every rule.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, SearchError> {
        if query.len() > MAX_QUERY_LEN {
            return Err(SearchError::TooLong);
        }
        let parts = split_query(query);
        if parts.len() > MAX_QUERY_TERMS {
            return Err(SearchError::TooManyTerms);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut positive = false;
        for part in parts {
            let (negated, text) = match part.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest.to_string()),
                _ => (false, part),
            };
            let filter = text.split_once(':').filter(|(name, value)| {
                !name.is_empty() && !value.is_empty() && !name.starts_with('"')
            });
            let clause: Option<Box<dyn Query>> = match filter {
                Some((name, value)) => {
                    let canonical = SEARCH_FILTERS
                        .iter()
                        .find(|(_, aliases)| aliases.contains(&name.to_ascii_lowercase().as_str()))
                        .map(|(c, _)| *c)
                        .ok_or_else(|| SearchError::UnknownFilter(name.to_string()))?;
                    let field = self.filters[canonical];
                    let value = value.trim_matches('"').to_lowercase();
                    Some(Box::new(TermQuery::new(
                        Term::from_field_text(field, &value),
                        IndexRecordOption::Basic,
                    )))
                }
                None => self.text_query(text.trim_matches('"')),
            };
            if let Some(clause) = clause {
                positive |= !negated;
                clauses.push((if negated { Occur::MustNot } else { Occur::Must }, clause));
            }
        }
        if !positive {
            // Only negations (or nothing): start from every rule.
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let err = |e: tantivy::TantivyError| SearchError::Index(e.to_string());
        let everything = (searcher.num_docs() as usize).max(1);
        let found = searcher
            .search(&query, &TopDocs::with_limit(everything).order_by_score())
            .map_err(err)?;
        let mut hits: Vec<(usize, f32)> = found
            .into_iter()
            .filter_map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address).ok()?;
                match doc.get_first(self.position).map(OwnedValue::from) {
                    Some(OwnedValue::U64(p)) => Some((p as usize, score)),
                    _ => None,
                }
            })
            .collect();
        // Best score first; equal scores in catalog order, so pages are stable.
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let total = hits.len();
        let hits = hits.into_iter().skip(offset).take(limit).collect();
        Ok(SearchResults { total, hits })
    }

    /// A word or phrase against title (boosted), description, body, and
    /// the file path and id (boosted: naming a rule's file or id means that
    /// rule).
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in [
            (self.title, 3.0),
            (self.names, 3.0),
            (self.description, 1.5),
            (self.body, 1.0),
        ] {
            let mut analyzer = self.index.tokenizer_for_field(field).ok()?;
            let mut stream = analyzer.token_stream(text);
            let mut terms = Vec::new();
            while stream.advance() {
                terms.push(Term::from_field_text(field, &stream.token().text));
            }
            let query: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 => Box::new(TermQuery::new(
                    terms.remove(0),
                    IndexRecordOption::WithFreqs,
                )),
                _ => Box::new(PhraseQuery::new(terms)),
            };
            per_field.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
        }
        (!per_field.is_empty()).then(|| Box::new(BooleanQuery::new(per_field)) as Box<dyn Query>)
    }
}

/// Split on whitespace, keeping `"quoted phrases"` (also after `name:`) whole.
fn split_query(query: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in query.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(position: usize, title: &str, lang: &str, techniques: &[&str]) -> SearchDoc {
        let mut filters = BTreeMap::new();
        filters.insert("lang", vec![lang.to_string()]);
        filters.insert(
            "technique",
            techniques.iter().map(|t| t.to_string()).collect(),
        );
        SearchDoc {
            position,
            title: title.into(),
            description: String::new(),
            body: String::new(),
            names: format!(
                "rules/{position}-{}.yaml {position}",
                title.replace(' ', "")
            ),
            filters,
        }
    }

    fn index() -> SearchIndex {
        SearchIndex::build(vec![
            doc(
                0,
                "Azure Portal sign in from another tenant",
                "kql",
                &["T1199"],
            ),
            doc(
                1,
                "AWS console login without MFA",
                "kql",
                &["T1078.004", "T1078"],
            ),
            doc(2, "Console login from a new country", "sigma", &["T1078"]),
        ])
        .unwrap()
    }

    fn positions(r: SearchResults) -> Vec<usize> {
        let mut p: Vec<usize> = r.hits.into_iter().map(|(p, _)| p).collect();
        p.sort();
        p
    }

    #[test]
    fn filters_and_words_combine() {
        let idx = index();
        assert_eq!(
            positions(idx.search("console login", 10, 0).unwrap()),
            vec![1, 2]
        );
        assert_eq!(
            positions(idx.search("technique:t1078 lang:sigma", 10, 0).unwrap()),
            vec![2]
        );
        assert_eq!(
            positions(idx.search("T:T1078 -lang:sigma", 10, 0).unwrap()),
            vec![1]
        );
        assert_eq!(
            positions(idx.search("\"another tenant\"", 10, 0).unwrap()),
            vec![0]
        );
        assert_eq!(idx.search("", 10, 0).unwrap().total, 3);
    }

    #[test]
    fn file_names_and_ids_find_their_rule() {
        let idx = index();
        // `rules/1-AWSconsoleloginwithoutMFA.yaml`: one token for the name.
        assert_eq!(
            positions(idx.search("AWSconsoleloginwithoutMFA", 10, 0).unwrap()),
            vec![1]
        );
        assert_eq!(
            positions(
                idx.search("1-awsconsoleloginwithoutmfa.yaml", 10, 0)
                    .unwrap()
            ),
            vec![1]
        );
        assert_eq!(
            positions(
                idx.search("rules/2-Consoleloginfromanewcountry.yaml", 10, 0)
                    .unwrap()
            ),
            vec![2]
        );
    }

    #[test]
    fn pages_are_stable() {
        let idx = index();
        let all = idx.search("lang:kql", 10, 0).unwrap();
        let second = idx.search("lang:kql", 1, 1).unwrap();
        assert_eq!(all.total, 2);
        assert_eq!(second.hits[0].0, all.hits[1].0);
    }

    #[test]
    fn hostile_queries_are_refused_or_harmless() {
        let idx = index();
        assert_eq!(
            idx.search(&"a".repeat(MAX_QUERY_LEN + 1), 10, 0)
                .unwrap_err(),
            SearchError::TooLong
        );
        assert_eq!(
            idx.search(&"a ".repeat(100), 10, 0).unwrap_err(),
            SearchError::TooManyTerms
        );
        assert!(matches!(
            idx.search("colour:red", 10, 0).unwrap_err(),
            SearchError::UnknownFilter(_)
        ));
        assert_eq!(
            idx.search("/(a+)+$/ .* [a-z]{1,1000}", 10, 0)
                .unwrap()
                .total,
            0
        );
        assert_eq!(idx.search("\"unbalanced", 10, 0).unwrap().total, 0);
    }
}
