//! Stable diagnostic codes of the Sigma loader.
//!
//! Codes are never reused for another meaning. Errors are what pySigma
//! rejects too; warnings are accepted by pySigma but worth a look.

/// The file is not valid YAML (or exceeds the YAML reader's limits).
pub const INVALID_YAML: &str = "SIG001";
/// A document is not a mapping, or has an unknown `action`.
pub const INVALID_DOCUMENT: &str = "SIG002";
/// A required key is missing (`title`, `logsource`, `detection`,
/// `condition`, correlation `type`/`rules`/`timespan`, filter `rules`).
pub const MISSING_KEY: &str = "SIG003";
/// A metadata value has the wrong type (a title that is not a string,
/// `tags` that are not a list, …).
pub const WRONG_TYPE: &str = "SIG004";
/// A metadata value is invalid (id not a UUID, unknown level or status,
/// bad date, tag without namespace, bad `related` entry, empty logsource).
pub const INVALID_VALUE: &str = "SIG005";
/// Unknown value modifier.
pub const UNKNOWN_MODIFIER: &str = "SIG006";
/// A modifier that cannot apply to its value or position (a chain that
/// makes no sense: `contains` on a number, `re` after `contains`, …).
pub const BAD_MODIFIER_CHAIN: &str = "SIG007";
/// A detection value is invalid (bad regex or CIDR, wildcards under
/// base64, nested list or map as a value, unsupported YAML type).
pub const INVALID_DETECTION_VALUE: &str = "SIG008";
/// An empty detection, or a field-less null value.
pub const EMPTY_DETECTION: &str = "SIG009";
/// The condition does not parse.
pub const CONDITION_SYNTAX: &str = "SIG010";
/// The condition names a detection that is not defined.
pub const UNDEFINED_DETECTION: &str = "SIG011";
/// A `1 of x*` / `all of x*` pattern matches no detection.
pub const EMPTY_SELECTOR: &str = "SIG012";
/// The deprecated aggregation pipe (`| count() by x > 5`, `| near`):
/// parsed and represented, but pySigma rejects it (use a correlation rule).
pub const DEPRECATED_AGGREGATION: &str = "SIG013";
/// A correlation rule is invalid (unknown type, bad timespan, bad
/// condition, …).
pub const INVALID_CORRELATION: &str = "SIG014";
/// A filter is invalid (condition not a string, bad `rules`).
pub const INVALID_FILTER: &str = "SIG015";
/// A key appears twice in one mapping; as in pySigma the last value wins.
pub const DUPLICATE_KEY: &str = "SIG016";
/// A detection is defined but the condition never uses it.
pub const UNUSED_DETECTION: &str = "SIG017";
/// A detection is used both negated and not negated by the condition; its
/// indicators are reported as positive.
pub const MIXED_POLARITY: &str = "SIG018";
