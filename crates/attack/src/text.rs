//! Text-level helpers that need no knowledge base: recognizing ATT&CK ids in
//! the many ways rules write them, and the key under which names compare.

use crate::model::ObjectKind;
use serde::{Deserialize, Serialize};

/// Longest text examined as one reference; anything longer is not an id or
/// a name and is rejected before any work proportional to its length.
pub const MAX_REFERENCE_LEN: usize = 256;

/// An ATT&CK id recognized in text, in canonical form (upper case, `.`
/// before the sub-technique number).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum AttackId {
    /// `T1059` or `T1059.001`.
    Technique(String),
    /// `TA0002`.
    Tactic(String),
    /// A group, software, mitigation, … id.
    Other(ObjectKind, String),
}

impl AttackId {
    /// The canonical id text.
    pub fn as_str(&self) -> &str {
        match self {
            AttackId::Technique(id) | AttackId::Tactic(id) | AttackId::Other(_, id) => id,
        }
    }
}

/// Recognize an ATT&CK id written in any case and spacing, bare or as an
/// attack.mitre.org URL:
///
/// `T1059.001`, `t1059.001`, ` T1059 .001 `, `T1059/001`,
/// `https://attack.mitre.org/techniques/T1059/001/`,
/// `https://attack.mitre.org/versions/v13/techniques/T1059/`, `TA0002`,
/// `G0069`, `DS0005`.
///
/// Prefixes that belong to a rule format (Sigma's `attack.`) are removed by
/// the format helpers in [`crate::written`], not here.
pub fn parse_id(text: &str) -> Option<AttackId> {
    if text.len() > MAX_REFERENCE_LEN {
        return None;
    }
    let text = text.trim();
    let path = url_path(text);
    let candidate = path.unwrap_or(text);
    let compact: String = candidate
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let compact = compact.trim_end_matches('/');
    if let Some(digits) = compact.strip_prefix("TA") {
        return is_digits(digits, 4).then(|| AttackId::Tactic(compact.to_string()));
    }
    if let Some(rest) = compact.strip_prefix('T') {
        return technique_digits(rest).map(AttackId::Technique);
    }
    for kind in ObjectKind::ALL {
        if let Some(digits) = compact.strip_prefix(kind.prefix()) {
            if is_digits(digits, 4) {
                return Some(AttackId::Other(kind, compact.to_string()));
            }
        }
    }
    None
}

/// For an attack.mitre.org URL, the object part of its path
/// (`techniques/T1059/001/` → `T1059/001`), with any `versions/vNN/`
/// removed. `None` for other text.
fn url_path(text: &str) -> Option<&str> {
    let (_, path) = text.split_once("attack.mitre.org/")?;
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = match path.strip_prefix("versions/") {
        Some(rest) => rest.split_once('/').map_or("", |(_, after)| after),
        None => path,
    };
    let (section, object) = path.split_once('/')?;
    match section {
        "techniques"
        | "tactics"
        | "groups"
        | "software"
        | "mitigations"
        | "campaigns"
        | "datasources"
        | "datacomponents"
        | "detectionstrategies"
        | "analytics" => Some(object),
        _ => None,
    }
}

/// `1059`, `1059.001` or `1059/001` → `T1059`, `T1059.001`.
fn technique_digits(rest: &str) -> Option<String> {
    let (main, sub) = match rest.find(['.', '/']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    if !is_digits(main, 4) {
        return None;
    }
    match sub {
        None => Some(format!("T{main}")),
        Some(sub) if is_digits(sub, 3) => Some(format!("T{main}.{sub}")),
        Some(_) => None,
    }
}

fn is_digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

/// The key under which tactic and technique names compare: lower case
/// letters and digits only, `&` read as `and`. `Command and Control`,
/// `CommandAndControl`, `command_and_control`, `command-and-control` and
/// `Command & Control` all give `commandandcontrol`.
pub fn name_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len().min(MAX_REFERENCE_LEN));
    for c in text.chars().take(MAX_REFERENCE_LEN) {
        if c == '&' {
            key.push_str("and");
        } else if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
        }
    }
    key
}

/// Levenshtein distance between `a` and `b` when it is at most `limit`;
/// `None` when larger. Cost is `O(len(a) × len(b))` on inputs capped at
/// [`MAX_REFERENCE_LEN`], with an early exit on the length difference.
pub fn bounded_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        // Name keys are ASCII in practice: compare bytes, no allocation
        // of character vectors.
        let a = &a.as_bytes()[..a.len().min(MAX_REFERENCE_LEN)];
        let b = &b.as_bytes()[..b.len().min(MAX_REFERENCE_LEN)];
        return distance_of(a, b, limit);
    }
    let a: Vec<char> = a.chars().take(MAX_REFERENCE_LEN).collect();
    let b: Vec<char> = b.chars().take(MAX_REFERENCE_LEN).collect();
    distance_of(&a, &b, limit)
}

fn distance_of<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= limit).then_some(distance)
}

/// How many edits a misspelling of a name with key length `len` may have and
/// still earn a "did you mean" note.
pub fn typo_budget(len: usize) -> usize {
    match len {
        0..=5 => 0,
        6..=11 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn technique(id: &str) -> Option<AttackId> {
        Some(AttackId::Technique(id.to_string()))
    }

    #[test]
    fn ids_in_any_case_spacing_and_url_form() {
        let cases = [
            ("T1059.001", technique("T1059.001")),
            ("t1059.001", technique("T1059.001")),
            ("  T1059 .001 ", technique("T1059.001")),
            ("T1059/001", technique("T1059.001")),
            ("T1059", technique("T1059")),
            (
                "https://attack.mitre.org/techniques/T1566/002/",
                technique("T1566.002"),
            ),
            (
                "https://attack.mitre.org/versions/v13/techniques/T1078/004/",
                technique("T1078.004"),
            ),
            (
                "https://attack.mitre.org/tactics/TA0001/",
                Some(AttackId::Tactic("TA0001".into())),
            ),
            ("ta0005", Some(AttackId::Tactic("TA0005".into()))),
            (
                "g0069",
                Some(AttackId::Other(ObjectKind::Group, "G0069".into())),
            ),
            (
                "DS0005",
                Some(AttackId::Other(ObjectKind::DataSource, "DS0005".into())),
            ),
            (
                "S0002",
                Some(AttackId::Other(ObjectKind::Software, "S0002".into())),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_id(text), expected, "{text:?}");
        }
    }

    #[test]
    fn not_ids() {
        for text in [
            "",
            "T105",
            "T10590",
            "T1059.01",
            "T1059.0001",
            "T1059.",
            "None",
            "Execution",
            "TA01",
            "https://example.com/techniques/T1059/",
            "https://attack.mitre.org/resources/",
            "car.2016-04-005",
        ] {
            assert_eq!(parse_id(text), None, "{text:?}");
        }
        assert_eq!(parse_id(&"T".repeat(10_000)), None);
    }

    #[test]
    fn name_keys_agree_across_spellings() {
        let key = name_key("Command and Control");
        for spelling in [
            "CommandAndControl",
            "command_and_control",
            "command-and-control",
            "Command & Control",
            "command&control",
            "  COMMAND and control ",
        ] {
            assert_eq!(name_key(spelling), key, "{spelling:?}");
        }
    }

    #[test]
    fn distance_is_bounded() {
        assert_eq!(
            bounded_distance("initialacces", "initialaccess", 2),
            Some(1)
        );
        assert_eq!(
            bounded_distance("commanandcontrol", "commandandcontrol", 2),
            Some(1)
        );
        assert_eq!(bounded_distance("execution", "exfiltration", 2), None);
        assert_eq!(bounded_distance("", "", 0), Some(0));
        assert_eq!(bounded_distance("écrire", "ecrire", 1), Some(1));
    }
}
