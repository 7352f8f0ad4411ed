//! The field mapping: canonical field ids and the names each vocabulary
//! gives them, optionally scoped to log sources.

use crate::error::DataError;
use crate::logsources::LogSources;
use crate::text::fold;
use ruledex_ir::Platform;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

const FIELDS_FILE: &str = "fields.toml";

/// A field-name vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vocabulary {
    /// Sigma field names (Windows event data names and the Sigma taxonomy).
    Sigma,
    /// Sentinel, Defender XDR and ASIM columns.
    Sentinel,
    /// Elastic Common Schema and Elastic integration fields.
    Ecs,
    /// Splunk CIM data model fields and raw names Splunk searches use.
    Cim,
    /// Chronicle UDM paths.
    Udm,
    /// The log's own JSON paths (Panther rules, raw CloudTrail, Okta, …).
    Native,
}

impl Vocabulary {
    /// Every vocabulary.
    pub const ALL: [Vocabulary; 6] = [
        Vocabulary::Sigma,
        Vocabulary::Sentinel,
        Vocabulary::Ecs,
        Vocabulary::Cim,
        Vocabulary::Udm,
        Vocabulary::Native,
    ];

    /// The id used in the data file and in JSON (`sentinel`).
    pub fn id(self) -> &'static str {
        match self {
            Vocabulary::Sigma => "sigma",
            Vocabulary::Sentinel => "sentinel",
            Vocabulary::Ecs => "ecs",
            Vocabulary::Cim => "cim",
            Vocabulary::Udm => "udm",
            Vocabulary::Native => "native",
        }
    }

    /// The vocabulary rules of `platform` write fields in.
    pub fn for_platform(platform: Platform) -> Vocabulary {
        match platform {
            Platform::Sentinel | Platform::DefenderXdr => Vocabulary::Sentinel,
            Platform::Sigma => Vocabulary::Sigma,
            Platform::Elastic => Vocabulary::Ecs,
            Platform::Splunk => Vocabulary::Cim,
            Platform::Chronicle => Vocabulary::Udm,
            Platform::Panther => Vocabulary::Native,
        }
    }

    /// The vocabularies a lookup tries, in order. Sigma cloud rules use the
    /// log's own JSON names; Splunk searches use CIM names, raw Windows event
    /// names (as Sigma does) and raw JSON names. Sentinel and Elastic queries
    /// fall back to Sigma's names: a Sigma rule converted by a backend whose
    /// field mapping lacks a field keeps its Sigma name (`CommandLine` in a
    /// Linux rule converted with a Windows ECS mapping), and so to the
    /// log's own names, which Sigma's cloud rules use.
    pub fn lookup_order(self) -> &'static [Vocabulary] {
        match self {
            Vocabulary::Sigma => &[Vocabulary::Sigma, Vocabulary::Native],
            Vocabulary::Cim => &[Vocabulary::Cim, Vocabulary::Sigma, Vocabulary::Native],
            Vocabulary::Sentinel => &[Vocabulary::Sentinel, Vocabulary::Sigma, Vocabulary::Native],
            Vocabulary::Ecs => &[Vocabulary::Ecs, Vocabulary::Sigma, Vocabulary::Native],
            Vocabulary::Udm => &[Vocabulary::Udm],
            Vocabulary::Native => &[Vocabulary::Native],
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One name of a field in a vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldName {
    /// The name as rules write it.
    pub name: String,
    /// The log sources it has this meaning on; empty means any log source
    /// without a scoped entry of its own.
    pub logsources: Vec<String>,
}

impl FieldName {
    /// True when the name applies on `logsource`.
    pub fn applies_to(&self, logsource: &str) -> bool {
        self.logsources.iter().any(|l| l == logsource)
    }
}

/// A canonical field and its names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Canonical id (ECS name where one exists).
    pub id: String,
    names: [Vec<FieldName>; 6],
}

impl Field {
    /// The names of this field in `vocabulary`.
    pub fn names(&self, vocabulary: Vocabulary) -> &[FieldName] {
        &self.names[vocabulary.index()]
    }
}

/// The field mapping.
///
/// ```
/// use ruledex_logsource::{FieldMap, Vocabulary};
///
/// let map = FieldMap::embedded();
/// assert_eq!(map.canonical(Vocabulary::Sigma, None, "CommandLine"), Some("process.command_line"));
/// assert_eq!(
///     map.canonical(Vocabulary::Sentinel, Some("windows.process_creation"), "FileName"),
///     Some("process.name"),
/// );
/// assert_eq!(map.canonical(Vocabulary::Sentinel, Some("windows.file_event"), "FileName"), Some("file.name"));
/// ```
#[derive(Clone, Debug)]
pub struct FieldMap {
    fields: Vec<Field>,
    by_id: HashMap<String, usize>,
    /// Canonical-field prefix → the log sources such fields exist on (see
    /// [`FieldMap::in_domain`]).
    domains: Vec<(String, Vec<String>)>,
    /// (vocabulary, folded name) → (field, name index).
    index: HashMap<(Vocabulary, String), Vec<(usize, usize)>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    domains: BTreeMap<String, Vec<String>>,
    field: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    id: String,
    #[serde(default = "yes")]
    ecs_name: bool,
    #[serde(default)]
    sigma: Vec<RawName>,
    #[serde(default)]
    sentinel: Vec<RawName>,
    #[serde(default)]
    ecs: Vec<RawName>,
    #[serde(default)]
    cim: Vec<RawName>,
    #[serde(default)]
    udm: Vec<RawName>,
    #[serde(default)]
    native: Vec<RawName>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawName {
    Name(String),
    Scoped {
        name: String,
        logsources: Vec<String>,
    },
}

impl FieldMap {
    /// The mapping shipped with the crate, parsed once.
    ///
    /// # Panics
    ///
    /// Never for the shipped data (a test parses it).
    pub fn embedded() -> &'static FieldMap {
        static MAP: OnceLock<FieldMap> = OnceLock::new();
        MAP.get_or_init(|| {
            FieldMap::from_toml(include_str!("../data/fields.toml"))
                .unwrap_or_else(|e| panic!("embedded field data is invalid: {e}"))
        })
    }

    /// Parse a mapping in the format of `data/fields.toml`.
    pub fn from_toml(text: &str) -> Result<FieldMap, DataError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| DataError::new(FIELDS_FILE, e.to_string()))?;
        let mut fields = Vec::with_capacity(raw.field.len());
        let mut by_id = HashMap::new();
        for raw_field in raw.field {
            if by_id.insert(raw_field.id.clone(), fields.len()).is_some() {
                return Err(DataError::new(
                    FIELDS_FILE,
                    format!("duplicate field `{}`", raw_field.id),
                ));
            }
            let mut ecs = Vec::new();
            if raw_field.ecs_name {
                ecs.push(RawName::Name(raw_field.id.clone()));
            }
            ecs.extend(raw_field.ecs);
            let lists = [
                raw_field.sigma,
                raw_field.sentinel,
                ecs,
                raw_field.cim,
                raw_field.udm,
                raw_field.native,
            ];
            let mut names: [Vec<FieldName>; 6] = Default::default();
            for (slot, list) in names.iter_mut().zip(lists) {
                for raw_name in list {
                    slot.push(match raw_name {
                        RawName::Name(name) => FieldName {
                            name,
                            logsources: Vec::new(),
                        },
                        RawName::Scoped { name, logsources } => FieldName {
                            name,
                            logsources: expand(&raw.groups, &logsources, &raw_field.id)?,
                        },
                    });
                }
            }
            fields.push(Field {
                id: raw_field.id,
                names,
            });
        }
        let mut index: HashMap<(Vocabulary, String), Vec<(usize, usize)>> = HashMap::new();
        for (f, field) in fields.iter().enumerate() {
            for vocabulary in Vocabulary::ALL {
                for (n, name) in field.names(vocabulary).iter().enumerate() {
                    index
                        .entry((vocabulary, fold(&name.name)))
                        .or_default()
                        .push((f, n));
                }
            }
        }
        let mut domains = Vec::new();
        for (prefix, scopes) in &raw.domains {
            let sources = expand(&raw.groups, scopes, prefix)?;
            if sources.is_empty() {
                return Err(DataError::new(
                    FIELDS_FILE,
                    format!("domain `{prefix}` names no log source"),
                ));
            }
            domains.push((prefix.clone(), sources));
        }
        // Longest prefix first, so the most specific domain decides.
        domains.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Ok(FieldMap {
            fields,
            by_id,
            domains,
            index,
        })
    }

    /// Whether canonical field `canonical` exists on `logsource`: true
    /// unless the field falls under a domain of the data file (`winlog.`
    /// fields exist on Windows event logs) that leaves `logsource` out. A
    /// domain entry is a log-source id, or a prefix ending in `.`
    /// (`windows.`).
    pub fn in_domain(&self, canonical: &str, logsource: &str) -> bool {
        match self
            .domains
            .iter()
            .find(|(prefix, _)| canonical.starts_with(prefix.as_str()))
        {
            None => true,
            Some((_, sources)) => sources.iter().any(|s| {
                if s.ends_with('.') {
                    logsource.starts_with(s.as_str())
                } else {
                    s == logsource
                }
            }),
        }
    }

    /// Every canonical field, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter()
    }

    /// Number of canonical fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The canonical field `id`.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.by_id.get(id).map(|&i| &self.fields[i])
    }

    /// The canonical id of `field` as written in `vocabulary` on
    /// `logsource`, or `None` when unmapped (the caller keeps the name,
    /// scoped to its log source).
    ///
    /// Tries the vocabularies of [`Vocabulary::lookup_order`]; in each, an
    /// exact-case name before a case-insensitive one, then an entry scoped
    /// to `logsource` before an unscoped one. Without a log source, a name
    /// that only has scoped entries resolves when they all agree.
    pub fn canonical(
        &self,
        vocabulary: Vocabulary,
        logsource: Option<&str>,
        field: &str,
    ) -> Option<&str> {
        let folded = fold(field);
        for &v in vocabulary.lookup_order() {
            let Some(entries) = self.index.get(&(v, folded.clone())) else {
                continue;
            };
            let exact: Vec<&(usize, usize)> = entries
                .iter()
                .filter(|(f, n)| self.fields[*f].names(v)[*n].name == field.trim())
                .collect();
            let mut pool: Vec<&(usize, usize)> = if exact.is_empty() {
                entries.iter().collect()
            } else {
                exact
            };
            // A name never means a field that does not exist on the rule's
            // log source (Sigma `Status` on Entra ID sign-ins is not the
            // Windows event field).
            if let Some(logsource) = logsource {
                pool.retain(|&&(f, _)| self.in_domain(&self.fields[f].id, logsource));
            }
            let name_of = |&&(f, n): &&(usize, usize)| &self.fields[f].names(v)[n];
            if let Some(logsource) = logsource {
                if let Some(&&(f, _)) = pool.iter().find(|e| name_of(e).applies_to(logsource)) {
                    return Some(&self.fields[f].id);
                }
            }
            if let Some(&&(f, _)) = pool.iter().find(|e| name_of(e).logsources.is_empty()) {
                return Some(&self.fields[f].id);
            }
            if logsource.is_none() {
                let first = pool.first().map(|&&(f, _)| f);
                if let Some(first) = first {
                    if pool.iter().all(|&&(f, _)| f == first) {
                        return Some(&self.fields[first].id);
                    }
                }
            }
        }
        None
    }

    /// The names of canonical field `canonical` in `vocabulary` (empty when
    /// unknown).
    pub fn names(&self, canonical: &str, vocabulary: Vocabulary) -> &[FieldName] {
        self.field(canonical).map_or(&[], |f| f.names(vocabulary))
    }

    /// Problems the parser does not catch: a name mapped to two fields with
    /// overlapping scopes or twice unscoped, and scopes naming log sources
    /// `sources` does not know. Empty for the shipped data.
    pub fn check(&self, sources: &LogSources) -> Vec<String> {
        let mut problems = Vec::new();
        for field in &self.fields {
            for vocabulary in Vocabulary::ALL {
                for name in field.names(vocabulary) {
                    for logsource in &name.logsources {
                        if sources.get(logsource).is_none() {
                            problems.push(format!(
                                "`{}` ({vocabulary} `{}`): unknown log source `{logsource}`",
                                field.id, name.name
                            ));
                        }
                    }
                }
            }
        }
        for (prefix, domain) in &self.domains {
            for logsource in domain {
                let known = if logsource.ends_with('.') {
                    sources.iter().any(|s| s.id.starts_with(logsource.as_str()))
                } else {
                    sources.get(logsource).is_some()
                };
                if !known {
                    problems.push(format!(
                        "domain `{prefix}`: unknown log source `{logsource}`"
                    ));
                }
            }
        }
        let mut keys: Vec<_> = self.index.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for ((vocabulary, _), entries) in keys {
            // Compare entries with the same exact spelling only: different
            // spellings are told apart by the exact-case lookup.
            for (i, &(fa, na)) in entries.iter().enumerate() {
                for &(fb, nb) in &entries[i + 1..] {
                    let a = &self.fields[fa].names(*vocabulary)[na];
                    let b = &self.fields[fb].names(*vocabulary)[nb];
                    if fa == fb || a.name != b.name {
                        continue;
                    }
                    let overlap = (a.logsources.is_empty() && b.logsources.is_empty())
                        || a.logsources.iter().any(|l| b.logsources.contains(l));
                    if overlap {
                        problems.push(format!(
                            "{vocabulary} `{}` maps to both `{}` and `{}` on the same log sources",
                            a.name, self.fields[fa].id, self.fields[fb].id
                        ));
                    }
                }
            }
        }
        problems
    }

    /// Number of (vocabulary, name) entries.
    pub fn name_count(&self) -> usize {
        self.fields
            .iter()
            .map(|f| f.names.iter().map(Vec::len).sum::<usize>())
            .sum()
    }
}

fn expand(
    groups: &BTreeMap<String, Vec<String>>,
    scopes: &[String],
    field: &str,
) -> Result<Vec<String>, DataError> {
    let mut out = Vec::new();
    for scope in scopes {
        match scope.strip_prefix('@') {
            Some(group) => match groups.get(group) {
                Some(members) => out.extend(members.iter().cloned()),
                None => {
                    return Err(DataError::new(
                        FIELDS_FILE,
                        format!("`{field}`: unknown group `@{group}`"),
                    ))
                }
            },
            None => out.push(scope.clone()),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
