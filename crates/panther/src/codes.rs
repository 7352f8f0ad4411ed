//! Stable diagnostic codes of the Panther loader.
//!
//! Codes are never reused for another meaning. `PAN0xx` are about the YAML
//! spec, `PAN1xx` about the Python program, `PAN2xx` about SQL queries and
//! `PAN3xx` about simple and correlation detections.

/// The spec is not valid YAML (or exceeds the YAML reader's limits).
pub const INVALID_YAML: &str = "PAN001";
/// The spec is not a mapping, or its `AnalysisType` is missing or unknown.
pub const INVALID_SPEC: &str = "PAN002";
/// A required key is missing (`RuleID`, `PolicyID`, `QueryName`, `Query`,
/// `Filename` or `Detection`, `LogTypes` or `ScheduledQueries`, …).
pub const MISSING_KEY: &str = "PAN003";
/// A key has a value of the wrong type (`LogTypes` that is not a list,
/// `Tests` entries that are not mappings, …).
pub const WRONG_TYPE: &str = "PAN004";
/// A value is not one the spec allows (an unknown `Severity`, a `Reports`
/// entry that is not a `TA…:T…` pair).
pub const INVALID_VALUE: &str = "PAN005";

/// The Python program named by `Filename` is not in the source: the rule's
/// metadata is loaded, its logic is not analyzed (a warning).
pub const PROGRAM_NOT_FOUND: &str = "PAN101";
/// The Python program does not parse.
pub const PYTHON_SYNTAX: &str = "PAN102";
/// The program defines no `rule(event)` (or `policy(resource)`) function.
pub const NO_ENTRY_FUNCTION: &str = "PAN103";
/// A construct of the program is kept as an opaque condition: the message
/// names it (a loop over event data, an external call, a dynamic lookup).
pub const NOT_LOWERED: &str = "PAN104";
/// `event.udm("name")` names a field no data model of the rule's log types
/// maps; it is kept under its data-model name.
pub const UNRESOLVED_UDM: &str = "PAN105";
/// The program nests deeper than the analysis follows.
pub const TOO_DEEP: &str = "PAN106";

/// The SQL query does not parse (Snowflake dialect).
pub const SQL_SYNTAX: &str = "PAN201";
/// A Jinja block of a templated query was skipped: the query is analyzed
/// without it (a warning).
pub const JINJA_SKIPPED: &str = "PAN202";

/// A simple detection is malformed (an unknown `Condition`, a match
/// expression without `Key`, a combinator that is not a list).
pub const INVALID_DETECTION: &str = "PAN301";
/// A correlation rule's `Detection` is malformed (no `Sequence` or
/// `Group`, a step without `RuleID`).
pub const INVALID_CORRELATION: &str = "PAN302";
