//! Diagnostic codes of the EQL parser and checker.
//!
//! Codes are stable: a code is never reused for another meaning. Each code's
//! doc comment says what triggers it; `EQL0xx` codes are syntax and lexical
//! problems, `EQL1xx` codes are checks the reference implementation (the
//! `eql` Python package in Elasticsearch mode) also makes after parsing.

use ruledex_ir::QueryError;

ruledex_ir::diagnostic_code_enum! {
    /// A stable EQL diagnostic code.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Code {
        /// A character that starts no EQL token (`#`, `&`, `@`, …).
        UnexpectedCharacter = "EQL001",
        /// A string or back-quoted name without its closing quote, or
        /// a string running past the end of its line.
        UnterminatedString = "EQL002",
        /// A backslash escape EQL does not define (`"\d"`), or a bad
        /// `\u{...}`.
        InvalidEscape = "EQL003",
        /// A `/*` comment without `*/`.
        UnterminatedComment = "EQL004",
        /// A token where the grammar expects something else.
        UnexpectedToken = "EQL005",
        /// Nesting deeper than [`crate::MAX_DEPTH`].
        TooDeep = "EQL006",
        /// The query is empty.
        EmptyQuery = "EQL007",
        /// An event query without `category where` (`where x == 1`,
        /// or a bare condition).
        MissingEventCategory = "EQL008",
        /// A pipe without a base query (`| head 5`).
        MissingBaseQuery = "EQL009",
        /// A keyword (`where`, `sequence`, `by`, …) used as a name.
        KeywordAsName = "EQL101",
        /// `=` instead of `==`.
        SingleEquals = "EQL102",
        /// A string form Elasticsearch rejects (`'...'`, `?"..."`).
        UnsupportedString = "EQL103",
        /// Types that do not fit (a string where a boolean is needed,
        /// `1 == "a"`, arithmetic on strings, a number after `:`).
        TypeMismatch = "EQL104",
        /// A comparison of a field with another field, which
        /// Elasticsearch EQL does not support (the endpoint's EQL does).
        FieldComparison = "EQL105",
        /// A known function called with the wrong number or kind of
        /// arguments (including an invalid CIDR for `cidrMatch`).
        BadArguments = "EQL106",
        /// A `maxspan` without a unit, with an unknown unit, or not an
        /// integer.
        BadMaxspan = "EQL107",
        /// A `with runs=N` where `N` is not above 1, or placed on
        /// `until`.
        BadRuns = "EQL108",
        /// An unknown pipe.
        UnknownPipe = "EQL109",
        /// Wrong arguments to a pipe (`head "x"`, `unique` without
        /// fields, `filter` with two conditions).
        BadPipeArguments = "EQL110",
        /// Sequence, sample or join steps with different numbers of
        /// `by` keys.
        JoinKeyCount = "EQL111",
        /// A structural rule of sequences and samples: a sample of
        /// one step, a missing-event step `![...]` without `maxspan` or inside a
        /// sample or join, `fork` on the first step, an alias (`as x`) in
        /// Elasticsearch EQL, or, in the endpoint's, an alias off a sequence
        /// step or taken twice.
        BadSubqueries = "EQL112",
        /// An unknown sequence parameter (`with foo=1`) or step
        /// parameter, or a named subquery other than `descendant`, `child`,
        /// `event`.
        UnknownParameter = "EQL113",
        /// `$variable` syntax, which Elasticsearch EQL does not have.
        Variable = "EQL114",
    }
}

/// A problem in a query, with a span in the *query* text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with EQL's codes. Every EQL
/// code is an error.
pub type QueryDiagnostic = QueryError<Code>;
