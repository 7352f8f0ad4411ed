//! Dispatch of a rule's query to the crate of its language.
//!
//! Elastic rules use four query languages, each with a crate of its own
//! (`ruledex-eql`, `ruledex-kuery`, `ruledex-lucene`, `ruledex-esql`) and the
//! same entry point, `analyze(query, map) -> Analysis`.

use ruledex_ir::{Analysis, Language, OffsetMap};

/// Analyze `query`, written in `language`, whose text starts where `map`
/// says in the file. `None` for a language Elastic rules do not use.
pub fn analyze(language: Language, query: &str, map: &OffsetMap) -> Option<Analysis> {
    match language {
        Language::Eql => Some(ruledex_eql::analyze(query, map)),
        Language::Kuery => Some(ruledex_kuery::analyze(query, map)),
        Language::Lucene => Some(ruledex_lucene::analyze(query, map)),
        Language::Esql => Some(ruledex_esql::analyze(query, map)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eql_is_always_analyzed() {
        let analysis = analyze(Language::Eql, "any where true", &OffsetMap::identity());
        assert!(analysis.is_some_and(|a| a.stages.len() == 1));
    }
}
