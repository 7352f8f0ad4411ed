//! Behaviour keys: what a rule's indicators mean, normalized so that rules in
//! different languages that look for the same behaviour share keys.
//!
//! A log source is not an action: "both read Windows process creation"
//! relates a rule to thousands of others. What detection engineers mean by
//! "rules detecting the same thing" is shared *behaviour*: the same
//! executable with the same flag, the same registry key, the same API call,
//! the same sign-in property compared. This crate turns one indicator value
//! (a canonical field, an operator, a value) into [`Key`]s, normalizing the
//! value by what the field *means* (`data/meanings.toml`):
//!
//! - a process or file image becomes its base name (`Image|endswith:
//!   '\certutil.exe'`, `process.name : "certutil.exe"`, `FileName =~
//!   "certutil.exe"` are one key), a folder a fragment with drive letters,
//!   environment variables and user folders folded (`data/paths.toml`);
//! - a command-line fragment drops quotes and reads `/x`, `-x`, `–x` alike;
//! - a registry path is the path below its hive, whatever the hive spelling;
//! - an event id carries its provider; IPs, networks, ports, domains and
//!   hashes have canonical forms;
//! - regexes that are plain anchored literals read as the prefix, suffix or
//!   whole value they are.
//!
//! Which canonical field a rule's field name is, and which log source the
//! rule reads, is decided before (by `ruledex-logsource`); ranking rules by
//! shared keys is the catalog's job.
//!
//! ```
//! use ruledex_behaviour::{Behaviour, ValueContext};
//! use ruledex_ir::{Op, Value};
//!
//! let behaviour = Behaviour::embedded();
//! let context = ValueContext::default();
//! let sigma = behaviour.keys("process.executable", Op::EndsWith, &Value::from(r"\CertUtil.exe"), &context);
//! let elastic = behaviour.keys("process.name", Op::Eq, &Value::from("certutil.exe"), &context);
//! assert_eq!(sigma, elastic);
//! assert_eq!(sigma[0].to_string(), "process certutil.exe");
//!
//! let flag = behaviour.keys("process.command_line", Op::Contains, &Value::from("/urlcache"), &context);
//! assert_eq!(flag[0].to_string(), "command line contains -urlcache");
//! ```

mod key;
mod normalize;
mod regex_literal;
mod tables;

pub use key::{Aspect, Key, KeyKind};
pub use tables::{DataError, Meaning, Normalizer};

use ruledex_ir::{Op, Pattern, PatternShape, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What the keys of one value depend on besides the field and the value.
#[derive(Clone, Copy, Debug, Default)]
pub struct ValueContext<'a> {
    /// The rule's language matches regexes against the whole value
    /// (Elastic's query languages) rather than searching within it.
    pub regex_anchored: bool,
    /// The provider of Windows event ids (`security`, `sysmon`), when the
    /// rule's log source or filters say it; event ids without one give no
    /// key.
    pub event_provider: Option<&'a str>,
}

/// The behaviour tables: field meanings and the spellings of folders,
/// hives and flags.
#[derive(Clone, Debug)]
pub struct Behaviour {
    meanings: HashMap<String, Meaning>,
    providers: Vec<tables::Provider>,
    paths: tables::Paths,
}

impl Behaviour {
    /// The tables shipped with the crate, parsed once.
    ///
    /// # Panics
    ///
    /// Never for the shipped data (a test parses it).
    pub fn embedded() -> &'static Behaviour {
        static TABLES: OnceLock<Behaviour> = OnceLock::new();
        TABLES.get_or_init(|| {
            Behaviour::from_toml(
                include_str!("../data/meanings.toml"),
                include_str!("../data/paths.toml"),
            )
            .unwrap_or_else(|e| panic!("embedded behaviour data is invalid: {e}"))
        })
    }

    /// Parse tables in the formats of `data/meanings.toml` and
    /// `data/paths.toml`.
    pub fn from_toml(meanings: &str, paths: &str) -> Result<Behaviour, DataError> {
        let (meanings, providers) = tables::parse_meanings(meanings)?;
        Ok(Behaviour {
            meanings,
            providers,
            paths: tables::parse_paths(paths)?,
        })
    }

    /// The event provider a channel or provider name means (`Security`,
    /// `Microsoft-Windows-Sysmon/Operational`, or the channel as Splunk's
    /// `source` names it, `WinEventLog:Security`): a known provider's id,
    /// else the channel name itself, lower case.
    pub fn provider_of_channel(&self, name: &str) -> String {
        let name = name.trim().to_lowercase();
        if let Some(provider) = self.providers.iter().find(|p| p.spellings.contains(&name)) {
            return provider.id.clone();
        }
        if let Some(id) = self.provider_of_data_source(&name) {
            return id.to_string();
        }
        // Splunk's Windows add-on names a channel's source `WinEventLog:<channel>`.
        let channel = ["xmlwineventlog:", "wineventlog:"]
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix))
            .unwrap_or(&name);
        match self
            .providers
            .iter()
            .find(|p| p.spellings.iter().any(|s| s == channel))
        {
            Some(provider) => provider.id.clone(),
            None => channel.to_string(),
        }
    }

    /// The provider whose events a table, index, sourcetype or macro named
    /// `name` holds, when it holds one provider's events.
    pub fn provider_of_data_source(&self, name: &str) -> Option<&str> {
        let name = name.trim().to_lowercase();
        self.providers
            .iter()
            .find(|p| p.data_sources.iter().any(|glob| glob_match(glob, &name)))
            .map(|p| p.id.as_str())
    }

    /// The provider of every event of log source `logsource`, if one.
    pub fn provider_of_logsource(&self, logsource: &str) -> Option<&str> {
        self.providers
            .iter()
            .find(|p| p.logsources.iter().any(|l| l == logsource))
            .map(|p| p.id.as_str())
    }

    /// The event-dictionary providers (`log_source` names of the OSSEM data
    /// dictionaries, `Microsoft-Windows-Security-Auditing`) whose events
    /// provider `id` writes; empty when the table names none (the event
    /// crate then compares the channel name itself).
    pub fn dictionary_providers(&self, id: &str) -> &[String] {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .map_or(&[], |p| p.dictionary.as_slice())
    }

    /// The meaning of canonical field `field`, when the table gives one
    /// (other fields are compared as text under their own name).
    pub fn meaning(&self, field: &str) -> Option<&Meaning> {
        self.meanings.get(field)
    }

    /// Every canonical field with a meaning.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Meaning)> {
        self.meanings.iter().map(|(f, m)| (f.as_str(), m))
    }

    /// True when values of `field` name the data rather than an action
    /// (`event.dataset`, `host.os.type`): they give no key.
    pub fn is_selector(&self, field: &str) -> bool {
        self.meaning(field)
            .is_some_and(|m| m.normalizer == Normalizer::Selector)
    }

    /// The keys of one value of an indicator: `field` is the canonical field
    /// (or an unmapped name scoped to its log source, `azure.signin:Status`),
    /// `op` the indicator's operator (negative operators fold into their
    /// positive form), `value` one of its values. Empty when the value says
    /// nothing about behaviour (a selector field, an event id without
    /// provider, an empty fragment, a date).
    pub fn keys(&self, field: &str, op: Op, value: &Value, context: &ValueContext<'_>) -> Vec<Key> {
        let (subject, normalizer) = match self.meaning(field) {
            Some(m) => (m.id.as_str(), m.normalizer),
            None => (field, Normalizer::Text),
        };
        if normalizer == Normalizer::Selector {
            return Vec::new();
        }
        let kind = KeyKind::of_op(op);
        if kind == KeyKind::Exists {
            return vec![Key::new(subject, Aspect::Whole, KeyKind::Exists, "")];
        }
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (*f as i64).to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null | Value::Timespan { .. } | Value::Datetime { .. } => return Vec::new(),
        };
        let readings: Vec<(KeyKind, String)> = match kind {
            KeyKind::Glob => vec![glob_reading(&text)],
            KeyKind::Regex => regex_literal::literal_readings(&text, context.regex_anchored)
                .unwrap_or_else(|| vec![(KeyKind::Regex, text.clone())]),
            other => vec![(other, text)],
        };
        let mut keys = Vec::new();
        for (kind, text) in readings {
            if kind == KeyKind::Exists {
                keys.push(Key::new(subject, Aspect::Whole, KeyKind::Exists, ""));
                continue;
            }
            for (aspect, kind, value) in
                normalize::normalize(normalizer, kind, &text, &self.paths, context.event_provider)
            {
                let key = Key::new(subject, aspect, kind, value);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        keys
    }
}

/// `*` matches any run of characters; linear, with backtracking to the
/// last star only.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && p[i] != '*' && p[i] == t[j] {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// A glob as the plain match it is (`*x*` contains, `x*` prefix), else the
/// glob; `*` alone is "present".
fn glob_reading(text: &str) -> (KeyKind, String) {
    let (shape, literal) = Pattern::parse(text, None).shape();
    let kind = match shape {
        PatternShape::Exact => KeyKind::Eq,
        PatternShape::Contains => KeyKind::Contains,
        PatternShape::StartsWith => KeyKind::StartsWith,
        PatternShape::EndsWith => KeyKind::EndsWith,
        PatternShape::Any => KeyKind::Exists,
        PatternShape::Glob => KeyKind::Glob,
    };
    (kind, literal)
}
