//! Kusto Query Language (KQL) for ruledex. (Parser module pending merge.)

pub mod loader;

pub use loader::{MarkdownFormat, PlainFormat, SentinelFormat};

/// Analyze a KQL query (placeholder until the parser lands; never merged).
pub fn analyze(_query: &str, _map: &ruledex_ir::OffsetMap) -> ruledex_ir::Analysis {
    ruledex_ir::Analysis::default()
}
