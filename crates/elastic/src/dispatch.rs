//! Dispatch of a rule's query to the crate of its language.
//!
//! Elastic rules use four query languages. EQL is parsed by `ruledex-eql`,
//! a dependency of this crate. kuery, Lucene and ES|QL have crates of their
//! own (`ruledex-kuery`, `ruledex-lucene`, `ruledex-esql`), which all offer
//! the same entry point, `analyze(query, map) -> Analysis`; they are wired in
//! at exactly one place, [`analyze_other_language`].

use ruledex_ir::{Analysis, Language, OffsetMap};

/// Analyze `query`, written in `language`, whose text starts where `map`
/// says in the file. `None` when no analyzer for the language is linked into
/// this build; the caller then keeps the query as text.
pub fn analyze(language: Language, query: &str, map: &OffsetMap) -> Option<Analysis> {
    match language {
        Language::Eql => Some(ruledex_eql::analyze(query, map)),
        other => analyze_other_language(other, query, map),
    }
}

/// **The plug-in point for kuery, Lucene and ES|QL.**
///
/// Analyzes a query in a non-EQL Elastic language. Until the crates of
/// those languages are merged into the workspace this returns `None`, and
/// rules in those languages keep their query text and language with a note
/// (`ELA010`) instead of an analysis — nothing is faked. To plug a crate
/// in, add it to `crates/elastic/Cargo.toml` and replace its `None` below,
/// e.g. `Language::Kuery => Some(ruledex_kuery::analyze(query, map))`.
pub fn analyze_other_language(
    language: Language,
    query: &str,
    map: &OffsetMap,
) -> Option<Analysis> {
    let _ = (query, map);
    match language {
        // Some(ruledex_kuery::analyze(query, map)) once `crates/kuery` is merged.
        Language::Kuery => None,
        // Some(ruledex_lucene::analyze(query, map)) once `crates/lucene` is merged.
        Language::Lucene => None,
        // Some(ruledex_esql::analyze(query, map)) once `crates/esql` is merged.
        Language::Esql => None,
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
