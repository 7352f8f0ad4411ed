//! Plain KQL files: `.kql`, `.csl`, `.kusto`, and `.txt` files that hold KQL.

use ruledex_ir::{OffsetMap, Rule, RuleClass, RuleFormat, SourceFile};

/// A file whose content is one KQL query, or a notebook of queries
/// separated by blank lines (one rule per query, as the Defender editor runs them).
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

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[crate::codes::ALL]
    }

    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        match file.extension().as_str() {
            "kql" | "csl" | "kusto" => true,
            "txt" => looks_like_kql(file.text),
            _ => false,
        }
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let parts = super::notebook::queries_of(file.text);
        let several = parts.len() > 1;
        let count = parts.len();
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
                        Some(i) => super::numbered_title(file.stem(), i, text),
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
                if several && n == 0 {
                    let span = ruledex_ir::Span::new(offset as u32, (offset + text.len()) as u32);
                    rule.diagnostics
                        .push(super::notebook::split_warning(count, span));
                }
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
}
