//! Stable diagnostic codes of the Sigma loader.
//!
//! Codes are never reused for another meaning. Errors are what pySigma
//! rejects too; warnings are accepted by pySigma but worth a look.

ruledex_ir::diagnostic_codes! {
    /// Every Sigma code, for reports that describe codes (SARIF).
    pub const ALL;

    /// The file is not valid YAML (or exceeds the YAML reader's limits).
    INVALID_YAML = "SIG001";
    /// A document is not a mapping, or has an unknown `action`.
    INVALID_DOCUMENT = "SIG002";
    /// A required key is missing (`title`, `logsource`, `detection`,
    /// `condition`, correlation `type`/`rules`/`timespan`, filter `rules`).
    MISSING_KEY = "SIG003";
    /// A metadata value has the wrong type (a title that is not a string,
    /// `tags` that are not a list, …).
    WRONG_TYPE = "SIG004";
    /// A metadata value is invalid (id not a UUID, unknown level or status,
    /// bad date, tag without namespace, bad `related` entry, empty logsource).
    INVALID_VALUE = "SIG005";
    /// Unknown value modifier.
    UNKNOWN_MODIFIER = "SIG006";
    /// A modifier that cannot apply to its value or position (a chain that
    /// makes no sense: `contains` on a number, `re` after `contains`, …).
    BAD_MODIFIER_CHAIN = "SIG007";
    /// A detection value is invalid (bad regex or CIDR, wildcards under
    /// base64, nested list or map as a value, unsupported YAML type).
    INVALID_DETECTION_VALUE = "SIG008";
    /// An empty detection, or a field-less null value.
    EMPTY_DETECTION = "SIG009";
    /// The condition does not parse.
    CONDITION_SYNTAX = "SIG010";
    /// The condition names a detection that is not defined.
    UNDEFINED_DETECTION = "SIG011";
    /// A `1 of x*` / `all of x*` pattern matches no detection.
    EMPTY_SELECTOR = "SIG012";
    /// The deprecated aggregation pipe (`| count() by x > 5`, `| near`):
    /// parsed and represented, but pySigma rejects it (use a correlation rule).
    DEPRECATED_AGGREGATION = "SIG013", Warning;
    /// A correlation rule is invalid (unknown type, bad timespan, bad
    /// condition, …).
    INVALID_CORRELATION = "SIG014";
    /// A filter is invalid (condition not a string, bad `rules`).
    INVALID_FILTER = "SIG015";
    /// A key appears twice in one mapping; as in pySigma the last value wins.
    DUPLICATE_KEY = "SIG016", Warning;
    /// A detection is defined but the condition never uses it.
    UNUSED_DETECTION = "SIG017", Warning;
    /// A detection is used both negated and not negated by the condition; its
    /// indicators are reported as positive.
    MIXED_POLARITY = "SIG018", Warning;
}
