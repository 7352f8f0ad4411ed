//! Value normalizers, one per [`Normalizer`]: what a value means decides
//! how it is written in a key.

use crate::key::{Aspect, KeyKind};
use crate::tables::{Normalizer, Paths, Spelling};

/// One normalized value: which aspect of the subject, how it matches, and
/// the value.
pub(crate) type Normalized = (Aspect, KeyKind, String);

/// Normalize `text`, matched as `kind`, the way `normalizer` says.
/// `provider` is the event provider for event ids.
pub(crate) fn normalize(
    normalizer: Normalizer,
    kind: KeyKind,
    text: &str,
    paths: &Paths,
    provider: Option<&str>,
) -> Vec<Normalized> {
    let text = text.trim();
    if text.is_empty() && kind != KeyKind::Eq && kind != KeyKind::Exists {
        return Vec::new();
    }
    match normalizer {
        Normalizer::Selector => Vec::new(),
        Normalizer::File => file(kind, text, paths),
        Normalizer::Extension => extension(kind, text),
        Normalizer::CommandLine => command_line(kind, text, paths)
            .map(|v| vec![(Aspect::Whole, kind, v)])
            .unwrap_or_default(),
        Normalizer::Argument => {
            let kind = match kind {
                KeyKind::Eq | KeyKind::StartsWith | KeyKind::EndsWith => KeyKind::Contains,
                other => other,
            };
            command_line(kind, text, paths)
                .map(|v| vec![(Aspect::Whole, kind, v)])
                .unwrap_or_default()
        }
        Normalizer::Registry => registry(kind, text, paths),
        Normalizer::EventId => event_id(kind, text, provider),
        Normalizer::Ip => ip(kind, text),
        Normalizer::Port => port(kind, text),
        Normalizer::Domain => domain(kind, text),
        Normalizer::Hash => hash(kind, text),
        Normalizer::Text => vec![(Aspect::Whole, kind, text.to_lowercase())],
    }
}

/// Lower case, `/` as `\`, doubled separators collapsed (rules escape
/// backslashes inconsistently: `\\Windows\\` and `\Windows\` are one path).
fn path_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().to_lowercase().chars() {
        let c = if c == '/' { '\\' } else { c };
        if c == '\\' && out.ends_with('\\') {
            continue;
        }
        out.push(c);
    }
    out
}

/// The folders of a path fragment, with the drive letter dropped and
/// folder spellings folded (`C:\Users\bob\AppData\Roaming\x` →
/// `%appdata%\x`). Leading and trailing separators and `*` are trimmed, so
/// the fragment reads the same whether a rule wrote it as a prefix, a
/// suffix or a substring.
fn path_fragment(text: &str, paths: &Paths) -> String {
    let mut text = text;
    let bytes = text.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        text = &text[2..];
    }
    let segments: Vec<String> = text
        .split('\\')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let folded = fold_spellings(segments, &paths.folders);
    let joined = folded.join("\\");
    joined.trim_matches(|c| c == '*' || c == '\\').to_string()
}

/// Replace every run of segments matching a spelling by its token,
/// longest spellings first, left to right.
fn fold_spellings(segments: Vec<String>, spellings: &[Spelling]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(segments.len());
    let mut i = 0;
    'outer: while i < segments.len() {
        for spelling in spellings {
            let n = spelling.segments.len();
            if i + n <= segments.len()
                && spelling
                    .segments
                    .iter()
                    .zip(&segments[i..i + n])
                    .all(|(want, have)| want == "<user>" || want == have)
            {
                out.extend(spelling.token.iter().cloned());
                i += n;
                continue 'outer;
            }
        }
        out.push(segments[i].clone());
        i += 1;
    }
    out
}

/// A file or process image.
fn file(kind: KeyKind, text: &str, paths: &Paths) -> Vec<Normalized> {
    let t = path_text(text);
    let (dir, tail) = match t.rfind('\\') {
        Some(at) => (Some(&t[..at]), &t[at + 1..]),
        None => (None, t.as_str()),
    };
    let has_wildcard = |s: &str| s.contains(['*', '?']);
    let name = |v: &str| vec![(Aspect::Name, KeyKind::Eq, v.to_string())];
    let path = |k: KeyKind, v: &str| {
        let fragment = path_fragment(v, paths);
        // A glob whose wildcards were only around the folder is a fragment.
        let k = if k == KeyKind::Glob && !fragment.contains(['*', '?']) {
            KeyKind::Contains
        } else {
            k
        };
        if fragment.is_empty() {
            Vec::new()
        } else {
            vec![(Aspect::Path, k, fragment)]
        }
    };
    match kind {
        KeyKind::Eq => {
            if tail.is_empty() {
                path(KeyKind::Contains, &t)
            } else {
                name(tail)
            }
        }
        KeyKind::EndsWith => match dir {
            // `\certutil.exe`: the whole base name.
            Some(_) if !tail.is_empty() => name(tail),
            // `\Temp\`: a folder.
            Some(_) => path(KeyKind::Contains, &t),
            // `.exe`: an extension; `certutil.exe`: a name.
            None if tail.starts_with('.') && !tail[1..].contains('.') => {
                vec![(Aspect::Extension, KeyKind::Eq, tail[1..].to_string())]
            }
            None if tail.contains('.') => name(tail),
            None => vec![(Aspect::Name, KeyKind::EndsWith, tail.to_string())],
        },
        KeyKind::StartsWith | KeyKind::Contains => match dir {
            Some(_) => path(KeyKind::Contains, &t),
            None => vec![(Aspect::Name, kind, tail.to_string())],
        },
        KeyKind::Glob => {
            if dir.is_some() && !tail.is_empty() && !has_wildcard(tail) {
                return name(tail);
            }
            if let Some(ext) = tail.strip_prefix("*.") {
                if !ext.is_empty() && !has_wildcard(ext) && !ext.contains('.') {
                    return vec![(Aspect::Extension, KeyKind::Eq, ext.to_string())];
                }
            }
            path(KeyKind::Glob, &t)
        }
        KeyKind::Regex => vec![(Aspect::Path, KeyKind::Regex, t)],
        KeyKind::Exists => vec![(Aspect::Whole, KeyKind::Exists, String::new())],
        other => vec![(Aspect::Whole, other, t)],
    }
}

/// `exe`, `.exe`, `*.exe` → `exe`.
fn extension(kind: KeyKind, text: &str) -> Vec<Normalized> {
    let t = text.trim().to_lowercase();
    let ext = t.trim_start_matches('*').trim_start_matches('.');
    match kind {
        KeyKind::Exists => vec![(Aspect::Whole, KeyKind::Exists, String::new())],
        _ if ext.is_empty() => Vec::new(),
        KeyKind::Eq => vec![(Aspect::Extension, KeyKind::Eq, ext.to_string())],
        other => vec![(Aspect::Extension, other, ext.to_string())],
    }
}

/// A command-line fragment: lower case, quotes dropped, white space
/// collapsed, and a flag's leading dash or slash read as `-`.
pub(crate) fn command_line(kind: KeyKind, text: &str, paths: &Paths) -> Option<String> {
    if kind == KeyKind::Exists {
        return Some(String::new());
    }
    let lowered = text.to_lowercase();
    // Quotes are the shell's; backslashes are dropped too, because the
    // languages disagree on them where the rules do not: a Sigma
    // `\msdt.exe` fragment reaches ES|QL as a LIKE pattern whose `\m` is
    // an escaped `m` (pySigma writes it so), and a UNC path keeps one, two
    // or four of its backslashes depending on the string syntax. A
    // regular expression keeps them: there they are its syntax.
    let unquoted: String = lowered
        .chars()
        .filter(|c| !matches!(c, '"' | '\'') && (kind == KeyKind::Regex || *c != '\\'))
        .collect();
    let mut tokens = Vec::new();
    for token in unquoted.split_whitespace() {
        let mut chars = token.chars();
        let first = chars.next();
        let second = chars.next();
        let is_flag = match (first, second) {
            (Some(f), Some(s)) if paths.flag_starts.contains(&f) => {
                (s.is_alphanumeric() || s == '?')
                    // `/tmp/x` is a path, not a flag.
                    && !(f == '/' && token[1..].contains(['/', '\\']))
            }
            _ => false,
        };
        if is_flag {
            let rest: String = token.chars().skip(1).collect();
            tokens.push(format!("-{rest}"));
        } else {
            tokens.push(token.to_string());
        }
    }
    let joined = tokens.join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// A registry path: the part below the hive, as a fragment.
fn registry(kind: KeyKind, text: &str, paths: &Paths) -> Vec<Normalized> {
    let t = path_text(text);
    match kind {
        KeyKind::Regex => return vec![(Aspect::Whole, KeyKind::Regex, t)],
        KeyKind::Exists => return vec![(Aspect::Whole, KeyKind::Exists, String::new())],
        _ => {}
    }
    let t = t.strip_prefix("registry::").unwrap_or(&t);
    let mut segments: Vec<String> = t
        .split('\\')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(':').to_string())
        .collect();
    // Leading wildcards stand for a hive the rule does not care about.
    while segments
        .first()
        .is_some_and(|s| s.chars().all(|c| c == '*'))
    {
        segments.remove(0);
    }
    for hive in &paths.hives {
        let n = hive.segments.len();
        if segments.len() >= n && segments[..n] == hive.segments[..] {
            segments.drain(..n);
            if hive.user_folder && !segments.is_empty() {
                let user = segments.remove(0);
                if user.ends_with("_classes") {
                    segments.splice(0..0, ["software".to_string(), "classes".to_string()]);
                }
            }
            segments.splice(0..0, hive.below.iter().cloned());
            break;
        }
    }
    let segments: Vec<String> = fold_spellings(segments, &paths.registry_folders)
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let joined = segments.join("\\");
    let fragment = joined.trim_matches(|c| c == '*' || c == '\\').to_string();
    if fragment.is_empty() {
        return Vec::new();
    }
    let kind = if kind == KeyKind::Glob && fragment.contains(['*', '?']) {
        KeyKind::Glob
    } else {
        KeyKind::Contains
    };
    vec![(Aspect::Whole, kind, fragment)]
}

/// `<provider>:<id>`; nothing without a provider (`EventID: 1` alone means
/// nothing).
fn event_id(kind: KeyKind, text: &str, provider: Option<&str>) -> Vec<Normalized> {
    let Some(provider) = provider else {
        return Vec::new();
    };
    if kind != KeyKind::Eq {
        return Vec::new();
    }
    match text.trim().parse::<u32>() {
        Ok(id) => vec![(Aspect::Whole, KeyKind::Eq, format!("{provider}:{id}"))],
        Err(_) => Vec::new(),
    }
}

/// An address or a network, in canonical form.
fn ip(kind: KeyKind, text: &str) -> Vec<Normalized> {
    let t = text.trim().to_lowercase();
    let network = |t: &str| -> Option<String> {
        let (addr, bits) = t.split_once('/')?;
        let addr: std::net::IpAddr = addr.trim().parse().ok()?;
        let bits: u8 = bits.trim().parse().ok()?;
        Some(match addr {
            std::net::IpAddr::V4(v4) if bits <= 32 => {
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                format!("{}/{bits}", std::net::Ipv4Addr::from(u32::from(v4) & mask))
            }
            std::net::IpAddr::V6(v6) if bits <= 128 => {
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                format!("{}/{bits}", std::net::Ipv6Addr::from(u128::from(v6) & mask))
            }
            _ => return None,
        })
    };
    match kind {
        KeyKind::Eq | KeyKind::Cidr => {
            if let Some(net) = network(&t) {
                return vec![(Aspect::Whole, KeyKind::Cidr, net)];
            }
            match t.parse::<std::net::IpAddr>() {
                Ok(addr) => vec![(Aspect::Whole, KeyKind::Eq, addr.to_string())],
                Err(_) => vec![(Aspect::Whole, kind, t)],
            }
        }
        other => vec![(Aspect::Whole, other, t)],
    }
}

fn port(kind: KeyKind, text: &str) -> Vec<Normalized> {
    match text.trim().parse::<u32>() {
        Ok(n) => vec![(Aspect::Whole, kind, n.to_string())],
        Err(_) => vec![(Aspect::Whole, kind, text.trim().to_lowercase())],
    }
}

/// Lower case, without a trailing dot or a leading `*.`/`.`.
fn domain(kind: KeyKind, text: &str) -> Vec<Normalized> {
    let t = text.trim().to_lowercase();
    let t = t.trim_end_matches('.');
    let (kind, t) = match t.strip_prefix("*.") {
        Some(rest) if kind == KeyKind::Eq || kind == KeyKind::Glob => (KeyKind::EndsWith, rest),
        _ => (kind, t),
    };
    let t = t.trim_start_matches('.');
    if t.is_empty() {
        return Vec::new();
    }
    vec![(Aspect::Whole, kind, t.to_string())]
}

/// Lower-case hex, without an `ALGO=` prefix; a fragment of a `Hashes`
/// list is the hash itself.
fn hash(kind: KeyKind, text: &str) -> Vec<Normalized> {
    let t = text.trim().to_lowercase();
    let t = match t.split_once('=') {
        Some((algo, value)) if algo.chars().all(|c| c.is_ascii_alphanumeric()) => value,
        _ => &t,
    };
    let t = t.trim_matches(|c: char| c == ',' || c.is_whitespace());
    if t.is_empty() {
        return Vec::new();
    }
    let is_hex = t.chars().all(|c| c.is_ascii_hexdigit());
    let kind = if is_hex && kind == KeyKind::Contains {
        KeyKind::Eq
    } else {
        kind
    };
    vec![(Aspect::Whole, kind, t.to_string())]
}
