//! Loaders for the file formats KQL rules come in.
//!
//! - [`SentinelFormat`]: Microsoft Sentinel analytics rules (Scheduled, NRT)
//!   and hunting queries, YAML with a `query:` key.
//! - [`MarkdownFormat`]: Markdown documents whose fenced KQL blocks are
//!   queries (Defender XDR hunting-query collections), one rule per block.
//! - [`PlainFormat`]: `.kql`, `.csl`, `.kusto` files, and `.txt` files whose
//!   content is KQL.
//!
//! Each loader extracts the query with an [`OffsetMap`] back to the file,
//! then [`analyze`](crate::analyze)s it, so every stage and diagnostic points
//! into the file.

mod markdown;
mod notebook;
mod plain;
mod sentinel;

pub use markdown::MarkdownFormat;
pub use plain::PlainFormat;
pub use sentinel::SentinelFormat;

use ruledex_ir::{Language, OffsetMap, Platform, Query, Rule};

/// Tables only Defender XDR advanced hunting has (Sentinel has them too when
/// the Defender connector streams them, but a query that reads nothing else
/// was written for advanced hunting).
const DEFENDER_TABLES: &[&str] = &[
    "AlertEvidence",
    "AlertInfo",
    "BehaviorEntities",
    "BehaviorInfo",
    "CloudAppEvents",
    "DeviceEvents",
    "DeviceFileCertificateInfo",
    "DeviceFileEvents",
    "DeviceImageLoadEvents",
    "DeviceInfo",
    "DeviceLogonEvents",
    "DeviceNetworkEvents",
    "DeviceNetworkInfo",
    "DeviceProcessEvents",
    "DeviceRegistryEvents",
    "DeviceTvmSoftwareInventory",
    "DeviceTvmSoftwareVulnerabilities",
    "DeviceTvmSecureConfigurationAssessment",
    "EmailAttachmentInfo",
    "EmailEvents",
    "EmailPostDeliveryEvents",
    "EmailUrlInfo",
    "IdentityDirectoryEvents",
    "IdentityInfo",
    "IdentityLogonEvents",
    "IdentityQueryEvents",
    "UrlClickEvents",
];

/// Analyze `query` (cut out of the file at `map`) into `rule`, recording the
/// query text and its first line.
fn attach_query(rule: &mut Rule, query: &str, map: &OffsetMap, file_text: &str) {
    let start = map.to_file(0);
    let line = ruledex_ir::LineIndex::new(file_text)
        .line_col(file_text, start)
        .line;
    rule.query = Some(Query {
        language: Language::Kql,
        text: query.to_string(),
        line,
    });
    rule.absorb(crate::analyze(query, map));
}

/// Defender XDR when every table the rule reads is an advanced-hunting
/// table, Sentinel otherwise.
fn platform_from_tables(rule: &Rule) -> Platform {
    let tables: Vec<&str> = rule
        .data_sources
        .iter()
        .filter(|d| d.kind == ruledex_ir::DataSourceKind::Table)
        .map(|d| d.name.as_str())
        .collect();
    if !tables.is_empty() && tables.iter().all(|t| DEFENDER_TABLES.contains(t)) {
        Platform::DefenderXdr
    } else {
        Platform::Sentinel
    }
}

/// The title of the n-th (0-based) query of a text holding several: the
/// document's title and a title read from the query's leading comment
/// (`Insider threat queries: Zip/Encrypt Sensitive File`; see
/// [`comment_title`]), else the query's number. The comment's whole text
/// stays in the description.
fn numbered_title(base: &str, n: usize, query: &str) -> String {
    match comment_title(query) {
        Some(title) => format!("{base}: {title}"),
        None => format!("{base} (query {})", n + 1),
    }
}

/// Longest title read from a comment, in characters.
const COMMENT_TITLE_CHARS: usize = 60;
/// Longest title taken from a heading, in characters.
pub(crate) const HEADING_TITLE_CHARS: usize = 100;

/// A title for a query from its leading `//` comment, as an author would
/// have headed it: the comment's first line when it stands alone (a line
/// without final punctuation followed by a capitalized one, `Zip/Encrypt
/// Sensitive File` / `This is using…`), else its first sentence (a wrapped
/// one is joined), without a `Query #2 -` numbering, a URL or a closing
/// colon, shortened to [`COMMENT_TITLE_CHARS`]. Lead-in lines (`Notice:`)
/// are skipped; a comment that starts with a list item or says nothing
/// gives none.
fn comment_title(query: &str) -> Option<String> {
    let comment = leading_comment_lines(query);
    let mut lines = comment
        .iter()
        .map(String::as_str)
        .skip_while(|l| l.ends_with(':') && l.split_whitespace().count() <= 2)
        .peekable();
    let first = *lines.peek()?;
    if first.starts_with(['-', '*', '•']) {
        return None;
    }
    let mut text = String::new();
    for line in lines.take(3) {
        if !text.is_empty() {
            let stands_alone = !ends_sentence(&text)
                && !text.ends_with(',')
                && line.starts_with(|c: char| c.is_uppercase() || !c.is_alphabetic());
            if stands_alone || line.starts_with(['-', '*', '•']) {
                break;
            }
            text.push(' ');
        }
        text.push_str(line);
        if ends_sentence(&text) {
            break;
        }
    }
    let sentence = first_sentence(&text);
    let sentence = sentence
        .split_once("http")
        .map_or(sentence, |(before, _)| before);
    let sentence = strip_query_number(sentence);
    let title = shorten_title(sentence, COMMENT_TITLE_CHARS);
    (title.chars().filter(|c| c.is_alphanumeric()).count() >= 3).then_some(title)
}

/// Abbreviations whose `.` ends no sentence.
const ABBREVIATIONS: &[&str] = &["e.g", "i.e", "etc", "vs", "eg", "ie", "cf"];

/// Whether the `.` at byte `at` of `text` closes an abbreviation.
fn abbreviation_at(text: &str, at: usize) -> bool {
    let word = text[..at].rsplit([' ', '(']).next().unwrap_or("");
    ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str())
}

/// Whether `text` ends a sentence (`.`, `!`, `?` or `:`, not after an
/// abbreviation).
fn ends_sentence(text: &str) -> bool {
    text.ends_with(['!', '?', ':'])
        || (text.ends_with('.') && !abbreviation_at(text, text.len() - 1))
}

/// The text up to the first `. ` that ends a sentence (not one after
/// `e.g`, `i.e`, `etc` or `vs`).
fn first_sentence(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find(". ").map(|i| from + i) {
        if !abbreviation_at(text, at) {
            return &text[..at];
        }
        from = at + 2;
    }
    text
}

/// `Query #1 - Find…`, `Query 2: C2 connection`: the text after the
/// numbering (the title says which query it is already), when there is any.
fn strip_query_number(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("Query")
        .or_else(|| text.strip_prefix("query"))
    else {
        return text;
    };
    let rest = rest.trim_start().trim_start_matches('#').trim_start();
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return text;
    }
    let rest = rest[digits..].trim_start_matches([' ', ':', '-', '.', '\u{2013}']);
    if rest.is_empty() {
        text
    } else {
        rest
    }
}

/// `text` as a title of at most `max` characters: without closing
/// punctuation, and when too long cut at the last clause boundary (`, `,
/// ` - `, ` (`, `; `) that keeps at least a third of it, else at the last
/// word, with `…`; an aside the cut leaves open (`… (get machines that`)
/// goes too.
pub(crate) fn shorten_title(text: &str, max: usize) -> String {
    let short = cut_title(text, max);
    match (short.rfind('('), short.rfind(')')) {
        (Some(open), close) if close.is_none_or(|c| c < open) && open >= 8 => {
            short[..open].trim_end().to_string()
        }
        _ => short,
    }
}

fn cut_title(text: &str, max: usize) -> String {
    let trimmed = text
        .trim()
        .trim_end_matches(['.', ':', ';', ',', '-', ' '])
        .trim();
    if trimmed.chars().count() <= max {
        return trimmed.to_string();
    }
    let cut = trimmed
        .char_indices()
        .nth(max)
        .map_or(trimmed.len(), |(i, _)| i);
    let head = &trimmed[..cut];
    let clause = [", ", " - ", " (", "; ", ": "]
        .iter()
        .filter_map(|b| head.rfind(b))
        .filter(|&at| at >= max / 3)
        .max();
    match clause {
        Some(at) => head[..at].trim_end().to_string(),
        None => {
            let mut words: Vec<&str> = head.split(' ').collect();
            if words.len() > 1 {
                words.pop(); // cut inside it
            }
            // A title does not end on a joining word (`… exploitation and…`).
            while words.len() > 1
                && words
                    .last()
                    .is_some_and(|w| JOINING_WORDS.contains(&w.to_ascii_lowercase().as_str()))
            {
                words.pop();
            }
            let kept = words.join(" ");
            format!("{}…", kept.trim_end_matches([',', ';', ':', '-', ' ']))
        }
    }
}

/// Words a shortened title should not end on.
const JOINING_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with",
];

/// The first lines of `//` comments at the top of a query, as a description.
fn leading_comment(query: &str) -> Option<String> {
    let lines = leading_comment_lines(query);
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// The `//` comment lines at the top of a query, without their slashes,
/// leaving out rules and banners (lines without a letter or digit).
fn leading_comment_lines(query: &str) -> Vec<String> {
    query
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with("//"))
        .map(|l| l.trim_matches('/').trim())
        .filter(|l| !l.is_empty() && l.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_comments_read_like_headings() {
        for (query, title) in [
            // A heading line, then prose.
            (
                "// Zip/Encrypt Sensitive File\n// This is using a very basic indicator\nT",
                Some("Zip/Encrypt Sensitive File"),
            ),
            // A wrapped sentence is joined, then cut at a clause.
            (
                "// All emails from the threat actor Phosphorus, masquerading as\n// conference organizers, based on the sender\nT",
                Some("All emails from the threat actor Phosphorus"),
            ),
            // Numbering and URLs go.
            ("// Query #1 - Find the machines\nT", Some("Find the machines")),
            ("// Query 2: C2 connection\nT", Some("C2 connection")),
            // An abbreviation ends no sentence; an aside cut open goes.
            (
                "// View audit events - but remove repeating events (e.g. multiple events with the same machine)\nT",
                Some("View audit events - but remove repeating events"),
            ),
            (
                "// Query #2: same as query #1 (get machines that have used a given local IP address at a given time)\nT",
                Some("same as query #1"),
            ),
            ("// Examples that combine multiple indicators//\nT", Some("Examples that combine multiple indicators")),
            (
                "// View events - but remove repeats (e.g.\n// the same machine, rule and file)\nT",
                Some("View events - but remove repeats"),
            ),
            (
                "// Original Sigma Rule: https://example.invalid/rule.yml\nT",
                Some("Original Sigma Rule"),
            ),
            // A lead-in and a list are no title (the example).
            (
                "// Notice:\n// - All common pairings are filtered out\n// - 'a' was ranked higher\nT",
                None,
            ),
            ("// ----------\nT", None),
            ("T | take 1", None),
        ] {
            assert_eq!(comment_title(query).as_deref(), title, "{query}");
        }
    }

    #[test]
    fn long_titles_are_cut_at_a_clause_or_a_word() {
        assert_eq!(shorten_title("Short title.", 60), "Short title");
        let long = "Oracle WebLogic process wlsvcX64.exe exploitation and execution of PowerShell script to download payloads";
        let short = shorten_title(long, 60);
        assert!(short.chars().count() <= 61, "{short}");
        assert_eq!(short, "Oracle WebLogic process wlsvcX64.exe exploitation…");
        assert_eq!(
            shorten_title(
                "Devices with a vulnerability, and every alert of them in the last thirty days",
                60
            ),
            "Devices with a vulnerability"
        );
        // Never cut inside a character.
        let accents = "é".repeat(100);
        assert_eq!(shorten_title(&accents, 10).chars().count(), 11);
    }
}
