//! The data files: field meanings (`data/meanings.toml`) and the spellings
//! of folders, registry hives and flags (`data/paths.toml`).

use serde::Deserialize;
use std::collections::HashMap;

/// A data file that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DataError {
    /// The data file (`meanings.toml`).
    pub file: &'static str,
    /// What is wrong.
    pub message: String,
}

impl DataError {
    fn new(file: &'static str, message: impl Into<String>) -> Self {
        DataError {
            file,
            message: message.into(),
        }
    }
}

/// How the values of a field are normalized (see `data/meanings.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalizer {
    /// A file or process image: base name, folder fragment or extension.
    File,
    /// A file extension.
    Extension,
    /// A command-line fragment.
    CommandLine,
    /// One argument of a command line: equal to an argument is containing
    /// it.
    Argument,
    /// A registry path, below its hive.
    Registry,
    /// A Windows event id, keyed with its provider.
    EventId,
    /// An IP address or network.
    Ip,
    /// A port number.
    Port,
    /// A DNS name.
    Domain,
    /// A hash in hex.
    Hash,
    /// Lower case, trimmed.
    Text,
    /// Names the data, not an action: no key.
    Selector,
}

/// What a canonical field's values are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meaning {
    /// The subject keys name (`process`, `command line`).
    pub id: String,
    /// How values are normalized.
    pub normalizer: Normalizer,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeanings {
    meaning: Vec<RawMeaning>,
    #[serde(default)]
    provider: Vec<RawProvider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    id: String,
    spellings: Vec<String>,
    #[serde(default)]
    data_sources: Vec<String>,
    #[serde(default)]
    logsources: Vec<String>,
    #[serde(default)]
    dictionary: Vec<String>,
}

/// A Windows event provider and how rules name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Provider {
    pub id: String,
    pub spellings: Vec<String>,
    pub data_sources: Vec<String>,
    pub logsources: Vec<String>,
    pub dictionary: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeaning {
    id: String,
    normalizer: Normalizer,
    fields: Vec<String>,
}

/// Canonical field → its meaning, and the event providers.
pub(crate) fn parse_meanings(
    text: &str,
) -> Result<(HashMap<String, Meaning>, Vec<Provider>), DataError> {
    const FILE: &str = "meanings.toml";
    let raw: RawMeanings = toml::from_str(text).map_err(|e| DataError::new(FILE, e.to_string()))?;
    let mut providers = Vec::new();
    for p in raw.provider {
        let all_lower = p
            .spellings
            .iter()
            .chain(&p.data_sources)
            .all(|s| s.to_lowercase() == *s);
        if p.id.is_empty() || !all_lower {
            return Err(DataError::new(
                FILE,
                format!("provider `{}` needs an id and lower-case names", p.id),
            ));
        }
        providers.push(Provider {
            id: p.id,
            spellings: p.spellings,
            data_sources: p.data_sources,
            logsources: p.logsources,
            dictionary: p.dictionary,
        });
    }
    let mut out = HashMap::new();
    for meaning in raw.meaning {
        if meaning.id.trim().is_empty() || meaning.fields.is_empty() {
            return Err(DataError::new(
                FILE,
                format!("meaning `{}` needs an id and fields", meaning.id),
            ));
        }
        for field in meaning.fields {
            let value = Meaning {
                id: meaning.id.clone(),
                normalizer: meaning.normalizer,
            };
            if out.insert(field.clone(), value).is_some() {
                return Err(DataError::new(
                    FILE,
                    format!("field `{field}` has two meanings"),
                ));
            }
        }
    }
    Ok((out, providers))
}

/// One folder and its spellings, as path segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spelling {
    /// The segments, `<user>` for any one segment.
    pub segments: Vec<String>,
    /// What they fold into (segments; empty drops them).
    pub token: Vec<String>,
}

/// A registry hive and what follows its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hive {
    pub segments: Vec<String>,
    /// The next segment is a user's SID.
    pub user_folder: bool,
    /// Segments the hive stands for below HKLM/HKCU (`software\classes`).
    pub below: Vec<String>,
}

/// The parsed `data/paths.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Paths {
    /// File-system folders, longest spelling first.
    pub folders: Vec<Spelling>,
    /// Registry hives, longest spelling first.
    pub hives: Vec<Hive>,
    /// Registry folders with several names.
    pub registry_folders: Vec<Spelling>,
    /// Characters that start a command-line flag.
    pub flag_starts: Vec<char>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    folder: Vec<RawSpelling>,
    hive: Vec<RawHive>,
    registry_folder: Vec<RawSpelling>,
    command_line: RawCommandLine,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpelling {
    token: String,
    spellings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHive {
    spellings: Vec<String>,
    #[serde(default)]
    user_folder: bool,
    #[serde(default)]
    below: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommandLine {
    flag_starts: Vec<String>,
}

/// `\users\<user>\appdata` → `["users", "<user>", "appdata"]`.
pub(crate) fn segments(path: &str) -> Vec<String> {
    path.split('\\')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) fn parse_paths(text: &str) -> Result<Paths, DataError> {
    const FILE: &str = "paths.toml";
    let raw: RawPaths = toml::from_str(text).map_err(|e| DataError::new(FILE, e.to_string()))?;
    let lower = |s: &str, what: &str| -> Result<(), DataError> {
        if s.to_lowercase() == s {
            Ok(())
        } else {
            Err(DataError::new(
                FILE,
                format!("{what} `{s}` is not lower case"),
            ))
        }
    };
    let spellings = |list: Vec<RawSpelling>| -> Result<Vec<Spelling>, DataError> {
        let mut out = Vec::new();
        for entry in list {
            lower(&entry.token, "token")?;
            for spelling in entry.spellings {
                lower(&spelling, "spelling")?;
                let segments = segments(&spelling);
                if segments.is_empty() {
                    return Err(DataError::new(FILE, "an empty spelling"));
                }
                out.push(Spelling {
                    segments,
                    token: self::segments(&entry.token),
                });
            }
        }
        // Longest first, so `\users\<user>\appdata\local\temp` wins over
        // `\users\<user>\appdata\local`.
        out.sort_by_key(|s| std::cmp::Reverse(s.segments.len()));
        Ok(out)
    };
    let mut hives = Vec::new();
    for hive in raw.hive {
        for spelling in &hive.spellings {
            lower(spelling, "hive")?;
            hives.push(Hive {
                segments: segments(spelling),
                user_folder: hive.user_folder,
                below: segments(&hive.below),
            });
        }
    }
    hives.sort_by_key(|h| std::cmp::Reverse(h.segments.len()));
    let mut flag_starts = Vec::new();
    for start in raw.command_line.flag_starts {
        let mut chars = start.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => flag_starts.push(c),
            _ => {
                return Err(DataError::new(
                    FILE,
                    format!("flag start `{start}` is not one character"),
                ))
            }
        }
    }
    Ok(Paths {
        folders: spellings(raw.folder)?,
        hives,
        registry_folders: spellings(raw.registry_folder)?,
        flag_starts,
    })
}
