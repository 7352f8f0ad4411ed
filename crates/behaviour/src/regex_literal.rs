//! Plain readings of regular expressions: many rule regexes are a literal
//! with anchors (`\\certutil\.exe$`, `^(?i)c:\\windows\\`), or a handful of
//! such alternatives. Those compare with the `endswith`/`startswith`/`eq`
//! forms other languages write, so the behaviour keys read them the same
//! way. Anything richer stays a regex.

use crate::key::KeyKind;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// At most this many alternatives are expanded from one regex.
const MAX_ALTERNATIVES: usize = 64;
/// Regexes longer than this are not analyzed.
const MAX_PATTERN: usize = 4096;

/// A piece of one alternative of a regex.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Literal(String),
    /// `.*`, `.+`: any run of characters.
    AnyRun,
    Start,
    End,
}

/// The literal readings of `pattern`: each alternative as (kind, literal),
/// lower case. `anchored` says whether the language matches the whole value
/// (Elastic's regex queries) or searches within it (Sigma, KQL, YARA-L).
/// `None` when some alternative is not a plain literal.
pub(crate) fn literal_readings(pattern: &str, anchored: bool) -> Option<Vec<(KeyKind, String)>> {
    if pattern.len() > MAX_PATTERN {
        return None;
    }
    // Case is folded by the keys anyway; dropping the flag keeps literals
    // literal instead of turning each letter into a class.
    let text = pattern
        .trim()
        .trim_start_matches("(?i)")
        .trim_start_matches("(?s)")
        .to_lowercase();
    let hir = regex_syntax::ParserBuilder::new()
        .nest_limit(64)
        .build()
        .parse(&text)
        .ok()?;
    let alternatives = expand(&hir, 0)?;
    let mut out = Vec::new();
    for alternative in alternatives {
        out.push(reading(&alternative, anchored)?);
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// One alternative as (kind, literal): `[^] [.*] literal [.*] [$]`.
fn reading(pieces: &[Piece], anchored: bool) -> Option<(KeyKind, String)> {
    let mut middle = pieces;
    let has_start = matches!(middle.first(), Some(Piece::Start));
    if has_start {
        middle = &middle[1..];
    }
    let has_end = matches!(middle.last(), Some(Piece::End));
    if has_end {
        middle = &middle[..middle.len() - 1];
    }
    let left_open = matches!(middle.first(), Some(Piece::AnyRun));
    let right_open = matches!(middle.last(), Some(Piece::AnyRun));
    let inner: Vec<&Piece> = middle
        .iter()
        .skip_while(|p| matches!(p, Piece::AnyRun))
        .collect();
    let literal = match inner.as_slice() {
        [Piece::Literal(text), rest @ ..] if rest.iter().all(|p| matches!(p, Piece::AnyRun)) => {
            text.clone()
        }
        _ => return None,
    };
    if literal.is_empty() {
        return None;
    }
    let start = !left_open && (has_start || anchored);
    let end = !right_open && (has_end || anchored);
    let kind = match (start, end) {
        (true, true) => KeyKind::Eq,
        (true, false) => KeyKind::StartsWith,
        (false, true) => KeyKind::EndsWith,
        (false, false) => KeyKind::Contains,
    };
    Some((kind, literal))
}

/// Every alternative of `hir` as a sequence of pieces, or `None` when it
/// has anything but literals, `.*`, anchors, groups and alternations.
fn expand(hir: &Hir, depth: usize) -> Option<Vec<Vec<Piece>>> {
    if depth > 64 {
        return None;
    }
    match hir.kind() {
        HirKind::Empty => Some(vec![Vec::new()]),
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0).ok()?;
            Some(vec![vec![Piece::Literal(text.to_string())]])
        }
        HirKind::Class(class) => Some(vec![vec![Piece::Literal(class_char(class)?.to_string())]]),
        HirKind::Look(look) => match look {
            Look::Start | Look::StartLF | Look::StartCRLF => Some(vec![vec![Piece::Start]]),
            Look::End | Look::EndLF | Look::EndCRLF => Some(vec![vec![Piece::End]]),
            _ => None,
        },
        HirKind::Repetition(rep) => {
            let any = matches!(rep.sub.kind(), HirKind::Class(c) if is_any(c));
            if any && rep.min <= 1 && rep.max.is_none() {
                Some(vec![vec![Piece::AnyRun]])
            } else {
                None
            }
        }
        HirKind::Capture(capture) => expand(&capture.sub, depth + 1),
        HirKind::Concat(items) => {
            let mut acc: Vec<Vec<Piece>> = vec![Vec::new()];
            for item in items {
                let parts = expand(item, depth + 1)?;
                if acc.len() * parts.len() > MAX_ALTERNATIVES {
                    return None;
                }
                let mut next = Vec::with_capacity(acc.len() * parts.len());
                for prefix in &acc {
                    for part in &parts {
                        let mut joined = prefix.clone();
                        for piece in part {
                            match (joined.last_mut(), piece) {
                                (Some(Piece::Literal(a)), Piece::Literal(b)) => a.push_str(b),
                                _ => joined.push(piece.clone()),
                            }
                        }
                        next.push(joined);
                    }
                }
                acc = next;
            }
            Some(acc)
        }
        HirKind::Alternation(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(expand(item, depth + 1)?);
                if out.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(out)
        }
    }
}

/// The one character a class stands for: a single character, or "either
/// path separator" (`[\\/]`), read as `\`.
fn class_char(class: &Class) -> Option<char> {
    let Class::Unicode(class) = class else {
        return None;
    };
    let ranges = class.ranges();
    match ranges {
        [r] if r.start() == r.end() => Some(r.start()),
        [a, b] if a.start() == a.end() && b.start() == b.end() => {
            let pair = [a.start(), b.start()];
            (pair.contains(&'/') && pair.contains(&'\\')).then_some('\\')
        }
        _ => None,
    }
}

/// `.` (with or without newlines).
fn is_any(class: &Class) -> bool {
    match class {
        Class::Unicode(c) => {
            let total: u64 = c
                .ranges()
                .iter()
                .map(|r| u64::from(r.end()) - u64::from(r.start()) + 1)
                .sum();
            // Every scalar value, or all but `\n`.
            total >= 0x10_F7FE
        }
        Class::Bytes(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: &str) -> Option<Vec<(KeyKind, String)>> {
        literal_readings(p, false)
    }

    #[test]
    fn anchors_make_prefixes_suffixes_and_whole_values() {
        assert_eq!(
            read(r"\\certutil\.exe$"),
            Some(vec![(KeyKind::EndsWith, r"\certutil.exe".into())])
        );
        assert_eq!(
            read(r"(?i)^C:\\Windows\\"),
            Some(vec![(KeyKind::StartsWith, r"c:\windows\".into())])
        );
        assert_eq!(read("^cmd.exe$"), None, "an unescaped dot is any character");
        assert_eq!(
            read(r"^cmd\.exe$"),
            Some(vec![(KeyKind::Eq, "cmd.exe".into())])
        );
        assert_eq!(
            read("mimikatz"),
            Some(vec![(KeyKind::Contains, "mimikatz".into())])
        );
        assert_eq!(
            read(".*mimikatz.*"),
            Some(vec![(KeyKind::Contains, "mimikatz".into())])
        );
    }

    #[test]
    fn full_match_languages_read_the_same_text_differently() {
        assert_eq!(
            literal_readings(r".*\\certutil\.exe", true),
            Some(vec![(KeyKind::EndsWith, r"\certutil.exe".into())])
        );
        assert_eq!(
            literal_readings("powershell", true),
            Some(vec![(KeyKind::Eq, "powershell".into())])
        );
    }

    #[test]
    fn alternatives_expand_and_separators_fold() {
        assert_eq!(
            read(r"[\\/](certutil|certreq)\.exe$"),
            Some(vec![
                (KeyKind::EndsWith, r"\certreq.exe".into()),
                (KeyKind::EndsWith, r"\certutil.exe".into()),
            ])
        );
    }

    #[test]
    fn anything_richer_stays_a_regex() {
        assert_eq!(read(r"[a-z]+\.exe"), None);
        assert_eq!(read(r"a.*b"), None);
        assert_eq!(read(r"\d{3}"), None);
        assert_eq!(read("(unclosed"), None);
        assert_eq!(read(""), None);
        assert_eq!(read(&"(a|b)".repeat(10)), None, "too many alternatives");
    }
}
