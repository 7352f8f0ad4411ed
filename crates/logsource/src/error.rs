//! Errors reading the data files.

use std::fmt;

/// A data file that does not parse or does not make sense (unknown group,
/// duplicate id, a selector list on the wrong platform, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// Which file (`logsources.toml`, `fields.toml`, `providers.toml`).
    pub file: String,
    /// What is wrong, with the offending id or name.
    pub message: String,
}

impl DataError {
    pub(crate) fn new(file: &str, message: impl Into<String>) -> Self {
        DataError {
            file: file.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for DataError {}
