//! Plain KQL files: `.kql`, `.csl`, `.kusto`, and `.txt` files that hold KQL.

use ruledex_ir::{OffsetMap, Rule, RuleClass, RuleFormat, SourceFile};

/// A file whose whole content is one KQL query (or, for `.csl` scratch files,
/// several queries separated by blank lines, as Kusto Explorer runs them).
pub struct PlainFormat;

/// Words a KQL query may start with besides a table name.
const STARTERS: &[&str] = &[
    "let",
    "union",
    "search",
    "find",
    "print",
    "range",
    "datatable",
    "externaldata",
    "materialize",
    "declare",
    "set",
    "evaluate",
];

impl RuleFormat for PlainFormat {
    fn name(&self) -> &'static str {
        "kql-file"
    }

    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        match file.extension().as_str() {
            "kql" | "csl" | "kusto" => true,
            "txt" => looks_like_kql(file.text),
            _ => false,
        }
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let parts = if file.extension() == "csl" {
            split_on_blank_lines(file.text)
        } else {
            vec![(0, file.text)]
        };
        let several = parts.len() > 1;
        parts
            .into_iter()
            .enumerate()
            .map(|(n, (offset, text))| {
                let index = several.then_some(n);
                let mut rule = Rule {
                    id: match index {
                        Some(i) => format!("{}#{}", file.path, i + 1),
                        None => file.path.to_string(),
                    },
                    title: match index {
                        Some(i) => format!("{} (query {})", file.stem(), i + 1),
                        None => file.stem().to_string(),
                    },
                    description: super::leading_comment(text),
                    provenance: file.provenance(self.name(), index),
                    body: text.to_string(),
                    body_offset: offset as u32,
                    kind: Some("Hunting".to_string()),
                    ..Rule::default()
                };
                rule.add_class(RuleClass::Hunting);
                super::attach_query(
                    &mut rule,
                    text,
                    &OffsetMap::shifted(offset as u32),
                    file.text,
                );
                rule.platform = super::platform_from_tables(&rule);
                rule
            })
            .collect()
    }
}

/// True when `text` reads as a KQL query: its first code line starts with a
/// name or a query keyword, and some line continues it with a pipe.
pub(crate) fn looks_like_kql<'a>(text: &'a str) -> bool {
    // Zero-width spaces pasted from web pages are not content.
    let trim = |l: &'a str| {
        l.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}')
    };
    let mut code = text
        .lines()
        .map(trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"));
    let Some(first) = code.next() else {
        return false;
    };
    let word: String = first
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let starts_like_kql = !word.is_empty()
        && (STARTERS.contains(&word.to_ascii_lowercase().as_str())
            || (word.chars().next().is_some_and(char::is_alphabetic)
                && (first.len() == word.len()
                    || first[word.len()..]
                        .trim_start()
                        .starts_with(['|', '(', ';']))));
    starts_like_kql
        && text
            .lines()
            .any(|l| l.trim_start().starts_with('|') || l.contains(" | "))
}

/// Split a scratch file into queries at blank lines, keeping each query's
/// byte offset. Comment-only parts are dropped.
fn split_on_blank_lines(text: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                parts.push((s, &text[s..offset]));
            }
        } else if start.is_none() {
            start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        parts.push((s, &text[s..]));
    }
    parts.retain(|(_, p)| {
        p.lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
    });
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_kql_text() {
        assert!(looks_like_kql(
            "// comment\nDeviceProcessEvents\n| where A == 1\n"
        ));
        assert!(looks_like_kql("let x = 1;\nT | where y > x"));
        assert!(!looks_like_kql(
            "This is a readme.\nIt has words | and pipes.\n"
        ));
        assert!(!looks_like_kql("no pipes here"));
    }

    #[test]
    fn scratch_files_split_at_blank_lines() {
        let parts = split_on_blank_lines("// intro\n\nA\n| take 1\n\n\nB | count\n");
        assert_eq!(parts, vec![(10, "A\n| take 1\n"), (23, "B | count\n")]);
    }
}
