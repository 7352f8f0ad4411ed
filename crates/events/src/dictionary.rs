//! Loading a data-dictionary folder: one YAML file per event, under
//! `<platform>/<…>/events/`.

use rayon::prelude::*;
use ruledex_ir::{Diagnostic, LineIndex, Span};
use ruledex_yaml::Node;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Largest event file read (bytes); bigger files get a diagnostic.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A problem in one dictionary file. Loading never stops on one: the file
/// (or the part of it) is left out and this says why.
#[derive(Clone, Debug, Serialize)]
pub struct LoadDiagnostic {
    /// The file, relative to the dictionary folder (`/`-separated).
    pub path: String,
    /// What is wrong, with line and column where the problem has a place.
    pub diagnostic: Diagnostic,
}

impl std::fmt::Display for LoadDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.diagnostic;
        match (d.line, d.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {} {}", self.path, d.code, d.message),
            _ => write!(f, "{}: {} {}", self.path, d.code, d.message),
        }
    }
}

/// One field of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventField {
    /// The field's name in the event (`CommandLine`).
    pub name: String,
    /// Its type as the dictionary writes it (`UnicodeString`, `string`).
    pub kind: String,
    /// Its description (empty when the dictionary has none).
    pub description: String,
    /// A sample value, when given.
    pub sample: String,
    /// The dictionary's standard (OSSEM common model) name, unless `TBD`.
    pub standard_name: Option<String>,
    /// The event versions that carry the field (empty: the event has one
    /// version or the field is in all of them).
    pub versions: Vec<String>,
}

/// One event of a provider, its versions merged.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// Index of its provider in [`Dictionary::providers`].
    pub provider: usize,
    /// The event id (`4688`, `DeviceProcessEvents`, `signinlogs`).
    pub id: String,
    /// URL-safe form of the id.
    pub slug: String,
    /// The dictionary's title (`Event ID 1: Process creation`).
    pub title: String,
    /// Description (may hold Markdown; empty when none).
    pub description: String,
    /// The versions the dictionary describes, ascending.
    pub versions: Vec<String>,
    /// Fields: the newest version's in its order, then fields only older
    /// versions have.
    pub fields: Vec<EventField>,
    /// The files describing it (relative paths).
    pub files: Vec<String>,
}

/// A provider: the source of a set of events (a Windows ETW provider,
/// Sysmon, a Defender table family, an Azure or AWS log, a Zeek log group,
/// an osquery platform).
#[derive(Clone, Debug, Serialize)]
pub struct Provider {
    /// URL-safe id (`microsoft-windows-security-auditing`, `windows-sysmon`,
    /// `azure`).
    pub slug: String,
    /// Its name as the dictionary's `log_source` writes it, or the folder's
    /// name when its events disagree (`Microsoft-Windows-Sysmon`, `azure`).
    pub name: String,
    /// The `log_source` names its events give (several for Azure: one per
    /// sign-in log).
    pub log_sources: Vec<String>,
    /// The platform (`windows`, `azure`, `aws`, `zeek`, `linux`, …).
    pub platform: String,
    /// The folder holding its `events/` folder, relative to the dictionary.
    pub folder: String,
    /// Its events (indexes into [`Dictionary::events`]), by id (numbers in
    /// numeric order).
    pub events: Vec<usize>,
}

/// A loaded data dictionary.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Dictionary {
    /// Providers, sorted by platform then name.
    pub providers: Vec<Provider>,
    /// Events (see [`Provider::events`]).
    pub events: Vec<Event>,
    /// Problems found while loading.
    pub diagnostics: Vec<LoadDiagnostic>,
    /// Event files read.
    pub files: usize,
    #[serde(skip)]
    by_name: HashMap<(String, String), Vec<usize>>,
    #[serde(skip)]
    by_slug: HashMap<(String, String), usize>,
    /// Events by lower-cased id, for ids that are not numbers (table
    /// names): [`Dictionary::find_table`] is asked once per rule table.
    #[serde(skip)]
    by_table: HashMap<String, Vec<usize>>,
}

/// Errors opening a dictionary folder.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// The folder does not exist or is not a folder.
    #[error("event dictionary {0} is not a folder")]
    NotAFolder(PathBuf),
}

/// One parsed event file.
struct Parsed {
    path: String,
    folder: String,
    platform: String,
    log_source: String,
    id: String,
    version: String,
    title: String,
    description: String,
    fields: Vec<EventField>,
}

impl Dictionary {
    /// Load every event file under `root`, in parallel. Only a missing
    /// folder is an error; every problem in a file is a diagnostic.
    pub fn load(root: &Path) -> Result<Dictionary, EventsError> {
        if !root.is_dir() {
            return Err(EventsError::NotAFolder(root.to_path_buf()));
        }
        let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && is_event_file(e.path()))
            .map(|e| e.into_path())
            .collect();
        paths.sort();
        let files: Vec<(String, Result<String, String>)> = paths
            .par_iter()
            .map(|path| {
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                (relative, read_limited(path))
            })
            .collect();
        Ok(Dictionary::from_results(files))
    }

    /// Build a dictionary from files already read: (path relative to the
    /// dictionary folder, text). For tests and embedding.
    pub fn from_texts<P: Into<String>, T: Into<String>>(
        files: impl IntoIterator<Item = (P, T)>,
    ) -> Dictionary {
        Dictionary::from_results(
            files
                .into_iter()
                .map(|(p, t)| (p.into(), Ok(t.into())))
                .collect(),
        )
    }

    fn from_results(mut files: Vec<(String, Result<String, String>)>) -> Dictionary {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let count = files.len();
        let results: Vec<(Option<Parsed>, Vec<LoadDiagnostic>)> = files
            .par_iter()
            .map(|(path, text)| match text {
                Ok(text) => parse_file(path, text),
                Err(error) => (
                    None,
                    vec![LoadDiagnostic {
                        path: path.clone(),
                        diagnostic: Diagnostic::error("EVT001", format!("cannot read: {error}")),
                    }],
                ),
            })
            .collect();
        let mut diagnostics = Vec::new();
        let mut parsed = Vec::new();
        for (p, d) in results {
            diagnostics.extend(d);
            parsed.extend(p);
        }
        let mut dictionary = assemble(parsed, &mut diagnostics);
        dictionary.diagnostics = diagnostics;
        dictionary.files = count;
        dictionary
    }

    /// The event with `id` of the provider whose `log_source` (or folder
    /// name) is `provider`, compared case-insensitively. Several when the
    /// name is shared (osquery on each platform).
    pub fn find(&self, provider: &str, id: &str) -> &[usize] {
        self.by_name
            .get(&(provider.to_lowercase(), id.to_lowercase()))
            .map_or(&[], Vec::as_slice)
    }

    /// The provider with URL id `slug`.
    pub fn provider(&self, slug: &str) -> Option<(usize, &Provider)> {
        self.providers
            .iter()
            .enumerate()
            .find(|(_, p)| p.slug == slug)
    }

    /// The event with provider `provider_slug` and event slug `event_slug`.
    pub fn event_by_slug(&self, provider_slug: &str, event_slug: &str) -> Option<usize> {
        self.by_slug
            .get(&(provider_slug.to_string(), event_slug.to_string()))
            .copied()
    }

    /// True when a provider is named `name` (its `log_source`),
    /// case-insensitively.
    pub fn has_provider_named(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        self.providers
            .iter()
            .any(|p| p.log_sources.iter().any(|l| l.to_lowercase() == name))
    }

    /// Events whose id equals `table` case-insensitively and is not a
    /// number (Defender and Azure tables, AWS logs: `DeviceProcessEvents`,
    /// `SigninLogs`).
    pub fn find_table(&self, table: &str) -> Vec<usize> {
        if table.is_empty() || table.bytes().all(|b| b.is_ascii_digit()) {
            return Vec::new();
        }
        self.by_table
            .get(&table.to_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    /// The event's name without its provider and id (`Process creation`;
    /// empty when the dictionary gives none).
    pub fn name_of(&self, event: usize) -> String {
        let e = &self.events[event];
        short_title(&e.title, &e.id)
    }

    /// The event as pages label it: `Microsoft-Windows-Sysmon 1 Process
    /// creation`, `Microsoft-Windows-Security-Auditing 4688`, `Azure Signin
    /// Logs (signinlogs)`.
    pub fn label(&self, event: usize) -> String {
        let e = &self.events[event];
        let provider = &self.providers[e.provider];
        let short = short_title(&e.title, &e.id);
        if short.is_empty() {
            format!("{} {}", provider.name, e.id)
        } else if e.id.bytes().all(|b| b.is_ascii_digit()) {
            format!("{} {} {short}", provider.name, e.id)
        } else {
            format!("{} {short} ({})", provider.name, e.id)
        }
    }
}

/// A title without its `Event 4688 -` or `Event ID 1:` prefix.
fn short_title(title: &str, id: &str) -> String {
    let t = title.trim();
    for prefix in [
        format!("Event ID {id}:"),
        format!("Event {id} -"),
        format!("Event {id}:"),
    ] {
        if let Some(rest) = t.strip_prefix(&prefix) {
            let rest = rest.trim();
            // ETW manifests name tasks `task_0`: nothing to show.
            if rest.starts_with("task_") {
                return String::new();
            }
            return rest.to_string();
        }
    }
    if t.eq_ignore_ascii_case(id) {
        return String::new();
    }
    t.to_string()
}

fn is_event_file(path: &Path) -> bool {
    let yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
    yaml && path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "events")
}

fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} bytes, over the limit of {MAX_FILE_BYTES}",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A scalar's text, `None` for null, empty, `TBD` or a non-scalar.
fn text_of(node: Option<&Node>) -> Option<String> {
    let node = node?;
    let text = match node.resolve()? {
        ruledex_yaml::Resolved::Null => return None,
        ruledex_yaml::Resolved::Bool(b) => b.to_string(),
        ruledex_yaml::Resolved::Int(i) => i.to_string(),
        ruledex_yaml::Resolved::Float(_) | ruledex_yaml::Resolved::Str(_) => {
            node.as_str()?.to_string()
        }
    };
    let text = text.trim().to_string();
    if text.is_empty() || text.eq_ignore_ascii_case("tbd") {
        None
    } else {
        Some(text)
    }
}

/// The id and version a file name gives (`event-4688_v1.yml` → `4688`,
/// `1`; `DeviceEvents_v0.yml` → `DeviceEvents`, `0`).
fn name_parts(path: &str) -> (String, Option<String>) {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let stem = stem.strip_prefix("event-").unwrap_or(stem);
    match stem.rsplit_once("_v") {
        Some((id, v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
            (id.to_string(), Some(v.to_string()))
        }
        _ => (stem.to_string(), None),
    }
}

fn parse_file(path: &str, text: &str) -> (Option<Parsed>, Vec<LoadDiagnostic>) {
    let index = LineIndex::new(text);
    let mut diagnostics = Vec::new();
    let mut diag = |d: Diagnostic, span: Option<Span>| {
        let mut d = match span {
            Some(s) => d.with_span(s),
            None => d,
        };
        d.resolve(text, &index);
        diagnostics.push(LoadDiagnostic {
            path: path.to_string(),
            diagnostic: d,
        });
    };
    let docs = match ruledex_yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            diag(
                Diagnostic::error("EVT002", format!("not valid YAML: {}", e.message)),
                Some(e.span),
            );
            return (None, diagnostics);
        }
    };
    let Some(doc) = docs.first().filter(|d| d.is_mapping()) else {
        diag(
            Diagnostic::error("EVT003", "the file holds no event (expected a mapping)"),
            None,
        );
        return (None, diagnostics);
    };
    let folder = path
        .rsplit_once("/events/")
        .map_or(String::new(), |(f, _)| f.to_string());
    let (file_id, file_version) = name_parts(path);
    let id = match text_of(doc.get("event_id")) {
        Some(id) => id,
        None => {
            diag(
                Diagnostic::warning(
                    "EVT004",
                    format!("no `event_id`; using `{file_id}` from the file name"),
                ),
                doc.entry("event_id").map(|(k, _)| k.span),
            );
            file_id.clone()
        }
    };
    let version = text_of(doc.get("event_version"))
        .or(file_version)
        .unwrap_or_default();
    let platform = text_of(doc.get("platform"))
        .unwrap_or_else(|| folder.split('/').next().unwrap_or_default().to_string())
        .to_lowercase();
    let log_source = text_of(doc.get("log_source")).unwrap_or_else(|| {
        diag(
            Diagnostic::warning(
                "EVT005",
                "no `log_source`; the event is filed under its folder",
            ),
            None,
        );
        folder.rsplit('/').next().unwrap_or_default().to_string()
    });
    let mut fields = Vec::new();
    match doc.get("event_fields") {
        Some(list) if list.is_sequence() => {
            for item in list.items() {
                let Some(name) = text_of(item.get("name")) else {
                    diag(
                        Diagnostic::warning("EVT006", "a field without a `name` is left out"),
                        Some(item.span),
                    );
                    continue;
                };
                if fields.iter().any(|f: &EventField| f.name == name) {
                    diag(
                        Diagnostic::warning(
                            "EVT007",
                            format!("field `{name}` is listed twice; the first is kept"),
                        ),
                        Some(item.span),
                    );
                    continue;
                }
                fields.push(EventField {
                    name,
                    kind: text_of(item.get("type")).unwrap_or_default(),
                    description: text_of(item.get("description")).unwrap_or_default(),
                    sample: text_of(item.get("sample_value")).unwrap_or_default(),
                    standard_name: text_of(item.get("standard_name")),
                    versions: Vec::new(),
                });
            }
        }
        Some(node) if !node.is_null() => diag(
            Diagnostic::warning("EVT008", "`event_fields` is not a list; no fields read"),
            Some(node.span),
        ),
        _ => {}
    }
    let parsed = Parsed {
        path: path.to_string(),
        folder,
        platform,
        log_source,
        title: text_of(doc.get("name")).unwrap_or_else(|| id.clone()),
        description: text_of(doc.get("description")).unwrap_or_default(),
        id,
        version,
        fields,
    };
    (Some(parsed), diagnostics)
}

/// Compare versions and ids: numbers numerically, then as text.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)),
    }
}

/// URL-safe form: ASCII letters, digits, `-`, `_`, `.`; others become `-`.
pub fn slug(text: &str) -> String {
    let s: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() || s.starts_with('.') {
        format!("x{s}")
    } else {
        s
    }
}

/// A top-level folder that is a platform (`azure`, `aws`): its events'
/// `log_source` names one log each, not the provider.
fn folder_is_platform(folder: &str) -> bool {
    !folder.contains('/')
}

/// A provider named by its folder: `azure` → `Azure`, `linux/osquery` →
/// `Linux osquery`.
fn folder_name_label(folder: &str) -> String {
    let words: Vec<String> = folder
        .split('/')
        .enumerate()
        .map(|(i, w)| match w {
            "aws" => "AWS".to_string(),
            "macos" => "macOS".to_string(),
            "freebsd" => "FreeBSD".to_string(),
            _ if i == 0 => {
                let mut c = w.chars();
                c.next()
                    .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
            }
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
}

fn provider_slug(folder: &str) -> String {
    // ETW providers are known by their name; the rest by their path
    // (`windows/sysmon` → `windows-sysmon`).
    match folder.rsplit_once("/etw-providers/") {
        Some((_, name)) => slug(name),
        None => slug(&folder.replace('/', "-")),
    }
}

fn assemble(mut parsed: Vec<Parsed>, diagnostics: &mut Vec<LoadDiagnostic>) -> Dictionary {
    parsed.sort_by(|a, b| {
        a.folder
            .cmp(&b.folder)
            .then(natural(&a.id, &b.id))
            .then(natural(&a.version, &b.version))
            .then(a.path.cmp(&b.path))
    });
    // Providers by folder.
    let mut folders: Vec<&str> = parsed.iter().map(|p| p.folder.as_str()).collect();
    folders.dedup();
    let mut providers: Vec<Provider> = Vec::new();
    let mut provider_of: HashMap<String, usize> = HashMap::new();
    let mut slugs: HashSet<String> = HashSet::new();
    for folder in folders {
        let mut log_sources: Vec<String> = Vec::new();
        let mut platform = String::new();
        for p in parsed.iter().filter(|p| p.folder == folder) {
            if !log_sources.contains(&p.log_source) {
                log_sources.push(p.log_source.clone());
            }
            if platform.is_empty() {
                platform = p.platform.clone();
            }
        }
        let name =
            if log_sources.len() == 1 && !folder.contains("osquery") && !folder_is_platform(folder)
            {
                log_sources[0].clone()
            } else {
                folder_name_label(folder)
            };
        // Unique even when a folder's own slug looks like a numbered one:
        // after folders `x-a` and `x-a-2`, folder `x/a` is `x-a-3`.
        let base = provider_slug(folder);
        let mut s = base.clone();
        let mut n = 1;
        while slugs.contains(&s) {
            n += 1;
            s = format!("{base}-{n}");
        }
        slugs.insert(s.clone());
        provider_of.insert(folder.to_string(), providers.len());
        providers.push(Provider {
            slug: s,
            name,
            log_sources,
            platform,
            folder: folder.to_string(),
            events: Vec::new(),
        });
    }
    // Events: one per (folder, id), versions merged.
    let mut events: Vec<Event> = Vec::new();
    let mut event_of: HashMap<(usize, String), usize> = HashMap::new();
    let mut versions_seen: HashMap<(usize, String), Vec<String>> = HashMap::new();
    let mut per_version: HashMap<usize, Vec<(String, Vec<EventField>)>> = HashMap::new();
    for p in parsed {
        let provider = provider_of[&p.folder];
        let key = (provider, p.id.to_lowercase());
        let seen = versions_seen.entry(key.clone()).or_default();
        if seen.contains(&p.version) {
            diagnostics.push(LoadDiagnostic {
                path: p.path.clone(),
                diagnostic: Diagnostic::warning(
                    "EVT009",
                    format!(
                        "event `{}` version `{}` is described twice; the first file is kept",
                        p.id, p.version
                    ),
                ),
            });
            continue;
        }
        seen.push(p.version.clone());
        let index = *event_of.entry(key).or_insert_with(|| {
            events.push(Event {
                provider,
                slug: slug(&p.id),
                id: p.id.clone(),
                title: String::new(),
                description: String::new(),
                versions: Vec::new(),
                fields: Vec::new(),
                files: Vec::new(),
            });
            events.len() - 1
        });
        let event = &mut events[index];
        // Sorted by version: the newest file's title and description win,
        // unless empty.
        if !p.title.is_empty() {
            event.title = p.title;
        }
        if !p.description.is_empty() {
            event.description = p.description;
        }
        if !p.version.is_empty() {
            event.versions.push(p.version.clone());
        }
        event.files.push(p.path);
        per_version
            .entry(index)
            .or_default()
            .push((p.version, p.fields));
    }
    for (index, mut versions) in per_version {
        let all: Vec<String> = versions.iter().map(|(v, _)| v.clone()).collect();
        versions.reverse(); // newest first
        let mut fields: Vec<EventField> = Vec::new();
        for (version, list) in &versions {
            for field in list {
                match fields.iter_mut().find(|f| f.name == field.name) {
                    Some(f) => {
                        f.versions.push(version.clone());
                        if f.description.is_empty() {
                            f.description = field.description.clone();
                        }
                    }
                    None => {
                        let mut f = field.clone();
                        f.versions = vec![version.clone()];
                        fields.push(f);
                    }
                }
            }
        }
        for f in &mut fields {
            if f.versions.len() == all.len() {
                f.versions.clear();
            } else {
                f.versions.sort_by(|a, b| natural(a, b));
            }
        }
        events[index].fields = fields;
    }
    let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut by_slug = HashMap::new();
    let mut by_table: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in events.iter_mut().enumerate() {
        by_table.entry(e.id.to_lowercase()).or_default().push(i);
        let provider = &mut providers[e.provider];
        provider.events.push(i);
        let mut names: Vec<String> = provider
            .log_sources
            .iter()
            .map(|l| l.to_lowercase())
            .collect();
        names.push(
            provider
                .folder
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_lowercase(),
        );
        names.dedup();
        for name in names {
            by_name
                .entry((name, e.id.to_lowercase()))
                .or_default()
                .push(i);
        }
        let mut s = e.slug.clone();
        let mut n = 1;
        while by_slug.contains_key(&(provider.slug.clone(), s.clone())) {
            n += 1;
            s = format!("{}-{n}", e.slug);
        }
        e.slug = s.clone();
        by_slug.insert((provider.slug.clone(), s), i);
    }
    Dictionary {
        providers,
        events,
        diagnostics: Vec::new(),
        files: 0,
        by_name,
        by_slug,
        by_table,
    }
}
