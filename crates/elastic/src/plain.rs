//! Plain query files in Elastic's languages: `.eql`, `.esql`, `.lucene`,
//! `.kuery`.
//!
//! A file holds one query and nothing else, as query converters (pySigma's
//! Elasticsearch backends) and hunting notebooks write them. The extension
//! names the language, because the languages cannot be told apart by
//! content alone: `process.name:cmd.exe` is valid Lucene *and* kuery, and
//! mean different things (kuery is case-sensitive on keyword fields where
//! Lucene query-string is analyzed). Without a rule wrapper there is no
//! title, id or index: the rule is named after its file, and its data
//! sources are what the query itself says (an EQL event category, an
//! ES|QL `FROM`, dataset filters).
//!
//! ```
//! use ruledex_elastic::plain::PlainQueryFormat;
//! use ruledex_ir::{Language, RuleFormat, SourceFile};
//!
//! let file = SourceFile::standalone(
//!     "hunt/shells.eql",
//!     "process where process.parent.name : \"nginx\" and process.name : (\"sh\", \"bash\")\n",
//! );
//! assert!(PlainQueryFormat.sniff(&file));
//! let rule = &PlainQueryFormat.load(&file)[0];
//! assert_eq!(rule.language, Language::Eql);
//! assert_eq!(rule.title, "shells");
//! assert_eq!(rule.indicators.len(), 2);
//! assert!(rule.parsed());
//! ```

use ruledex_ir::{
    resolve_positions, Diagnostic, Language, LineIndex, OffsetMap, Platform, Query, Rule,
    RuleFormat, SourceFile, Span,
};

/// The format of plain Elastic query files (`elastic-query-file`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PlainQueryFormat;

/// The format name recorded in provenance.
pub const FORMAT_NAME: &str = "elastic-query-file";

/// Diagnostic codes of plain query files. Stable; never reused. (The
/// query's own errors carry the codes of its language's crate.)
pub mod codes {
    ruledex_ir::diagnostic_codes! {
        /// Every code of plain query files.
        pub const ALL;

        /// The file holds no query (it is empty or only white space).
        EMPTY_FILE = "ELA101";
    }
}

/// The language a plain file's extension names. `.esql` only: `|` in a file
/// name (`.es|ql`) breaks shells and several file systems, and no tool
/// writes it.
pub fn language_of_extension(extension: &str) -> Option<Language> {
    match extension {
        "eql" => Some(Language::Eql),
        "esql" => Some(Language::Esql),
        "lucene" => Some(Language::Lucene),
        "kuery" => Some(Language::Kuery),
        _ => None,
    }
}

impl RuleFormat for PlainQueryFormat {
    fn name(&self) -> &'static str {
        FORMAT_NAME
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[
            codes::ALL,
            ruledex_eql::Code::CODES,
            ruledex_esql::ErrorCode::CODES,
            ruledex_kuery::ErrorCode::CODES,
            ruledex_lucene::ErrorCode::CODES,
        ]
    }

    /// By extension only: each of these extensions means one language.
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        language_of_extension(&file.extension()).is_some()
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let language = language_of_extension(&file.extension()).unwrap_or(Language::Kuery);
        let mut rule = Rule {
            id: file.path.to_string(),
            title: file.stem().to_string(),
            platform: Platform::Elastic,
            language,
            provenance: file.provenance(FORMAT_NAME, None),
            body: file.text.to_string(),
            ..Rule::default()
        };
        let start = file.text.len() - file.text.trim_start().len();
        let query = file.text[start..].trim_end();
        if query.is_empty() {
            rule.diagnostics.push(
                Diagnostic::error(codes::EMPTY_FILE, "the file holds no query")
                    .with_span(Span::empty(0)),
            );
        } else {
            let start32 = u32::try_from(start).unwrap_or(u32::MAX);
            let line = LineIndex::new(file.text).line_col(file.text, start32).line;
            rule.query = Some(Query {
                language,
                text: query.to_string(),
                line,
            });
            if let Some(analysis) =
                crate::dispatch::analyze(language, query, &OffsetMap::shifted(start32))
            {
                rule.absorb(analysis);
            }
            crate::finish(&mut rule);
        }
        let mut rules = vec![rule];
        resolve_positions(&mut rules, file.text);
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_elastic_query_language_has_one_extension() {
        for language in [
            Language::Eql,
            Language::Esql,
            Language::Lucene,
            Language::Kuery,
        ] {
            let extensions: Vec<&str> = ["eql", "esql", "lucene", "kuery"]
                .into_iter()
                .filter(|e| language_of_extension(e) == Some(language))
                .collect();
            assert_eq!(extensions.len(), 1, "{language:?}");
        }
        assert_eq!(language_of_extension("kql"), None, "KQL is Kusto's");
        assert_eq!(language_of_extension("txt"), None);
    }
}
