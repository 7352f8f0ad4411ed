//! Errors of the loaders and of the table parser.

use std::path::PathBuf;

/// Why a knowledge base could not be loaded or assembled.
#[derive(Debug, thiserror::Error)]
pub enum AttackError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON, or not the JSON shape expected.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A line of a compact table is malformed.
    #[error("table line {line}: {message}")]
    Table {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The objects do not form a usable knowledge base (no techniques, a
    /// duplicate id, a malformed id, …).
    #[error("{0}")]
    Invalid(String),
}
