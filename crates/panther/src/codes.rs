//! Stable diagnostic codes of the Panther loader.
//!
//! Codes are never reused for another meaning. `PAN0xx` are about the YAML
//! spec, `PAN1xx` about the Python program, `PAN2xx` about SQL queries and
//! `PAN3xx` about simple and correlation detections.

ruledex_ir::diagnostic_codes! {
    /// Every Panther code, for reports that describe codes (SARIF).
    pub const ALL;

    /// The spec is not valid YAML (or exceeds the YAML reader's limits).
    INVALID_YAML = "PAN001";
    /// The spec is not a mapping, or its `AnalysisType` is missing or unknown.
    INVALID_SPEC = "PAN002";
    /// A required key is missing (`RuleID`, `PolicyID`, `QueryName`, `Query`,
    /// `Filename` or `Detection`, `LogTypes` or `ScheduledQueries`, …).
    MISSING_KEY = "PAN003";
    /// A key has a value of the wrong type (`LogTypes` that is not a list,
    /// `Tests` entries that are not mappings, …).
    WRONG_TYPE = "PAN004";
    /// A value is not one the spec allows (an unknown `Severity`, a `Reports`
    /// entry that is not a `TA…:T…` pair; the latter only warns).
    INVALID_VALUE = "PAN005";

    /// The Python program named by `Filename` is not in the source: the rule's
    /// metadata is loaded, its logic is not analyzed (a warning).
    PROGRAM_NOT_FOUND = "PAN101", Warning;
    /// The Python program does not parse.
    PYTHON_SYNTAX = "PAN102";
    /// The program defines no `rule(event)` (or `policy(resource)`) function.
    NO_ENTRY_FUNCTION = "PAN103";
    /// A construct of the program is kept as an opaque condition: the message
    /// names it (a loop over event data, an external call, a dynamic lookup).
    NOT_LOWERED = "PAN104", Warning;
    /// `event.udm("name")` names a field no data model of the rule's log types
    /// maps; it is kept under its data-model name.
    UNRESOLVED_UDM = "PAN105", Warning;
    /// The program nests deeper than the analysis follows: an error when
    /// its brackets nest too deep to parse, a warning when one expression
    /// is kept opaque.
    TOO_DEEP = "PAN106";

    /// The SQL query does not parse (Snowflake dialect).
    SQL_SYNTAX = "PAN201";
    /// A Jinja block of a templated query was skipped: the query is analyzed
    /// without it (a warning).
    JINJA_SKIPPED = "PAN202", Warning;

    /// A simple detection is malformed (an unknown `Condition`, a match
    /// expression without `Key`, a combinator that is not a list).
    INVALID_DETECTION = "PAN301";
    /// A correlation rule's `Detection` is malformed (no `Sequence` or
    /// `Group`, a step without `RuleID`).
    INVALID_CORRELATION = "PAN302";
}
