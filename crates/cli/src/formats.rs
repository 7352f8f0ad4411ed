//! The registry of every rule format this build knows. Adding a language
//! means adding its format here, and nowhere else.

use ruledex_catalog::Formats;

/// Every format, most specific first.
pub fn all() -> Formats {
    Formats::new()
        .with(ruledex_sigma::SigmaFormat)
        .with(ruledex_elastic::ElasticFormat)
        .with(ruledex_elastic::plain::PlainQueryFormat)
        .with(ruledex_elastic::ndjson::NdjsonFormat)
        .with(ruledex_kql::SentinelFormat)
        .with(ruledex_kql::MarkdownFormat)
        .with(ruledex_kql::PlainFormat)
}
