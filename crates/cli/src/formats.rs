//! The registry of every rule format this build knows. Adding a language
//! means adding its format here, and nowhere else.

use ruledex_catalog::Formats;

/// Every format, most specific first. Splunk's YAML formats go before
/// Sentinel's: each needs keys the others' files lack (`search:` with
/// `type:`/`id:`, `logic_format:`), and Sentinel's already refuses files
/// with a top-level `search:`.
pub fn all() -> Formats {
    Formats::new()
        .with(ruledex_sigma::SigmaFormat)
        .with(ruledex_elastic::ElasticFormat)
        .with(ruledex_spl::SecurityContentFormat)
        .with(ruledex_spl::CollectionFormat)
        .with(ruledex_elastic::plain::PlainQueryFormat)
        .with(ruledex_elastic::ndjson::NdjsonFormat)
        .with(ruledex_kql::SentinelFormat)
        .with(ruledex_kql::MarkdownFormat)
        .with(ruledex_kql::PlainFormat)
        .with(ruledex_panther::PantherFormat)
        .with(ruledex_yaral::YaralFormat)
        .with(ruledex_spl::PlainFormat)
        .with(ruledex_spl::SavedSearchesFormat)
}
