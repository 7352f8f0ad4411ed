//! Diagnostic codes of the EQL parser and checker.
//!
//! Codes are stable: a code is never reused for another meaning. Each code's
//! doc comment says what triggers it; `EQL0xx` codes are syntax and lexical
//! problems, `EQL1xx` codes are checks the reference implementation (the
//! `eql` Python package in Elasticsearch mode) also makes after parsing.

use ruledex_ir::{QueryError, QueryErrorCode};

/// A stable EQL diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// `EQL001`: a character that starts no EQL token (`#`, `&`, `@`, …).
    UnexpectedCharacter,
    /// `EQL002`: a string or back-quoted name without its closing quote, or
    /// a string running past the end of its line.
    UnterminatedString,
    /// `EQL003`: a backslash escape EQL does not define (`"\d"`), or a bad
    /// `\u{...}`.
    InvalidEscape,
    /// `EQL004`: a `/*` comment without `*/`.
    UnterminatedComment,
    /// `EQL005`: a token where the grammar expects something else.
    UnexpectedToken,
    /// `EQL006`: nesting deeper than [`crate::MAX_DEPTH`].
    TooDeep,
    /// `EQL007`: the query is empty.
    EmptyQuery,
    /// `EQL008`: an event query without `category where` (`where x == 1`,
    /// or a bare condition).
    MissingEventCategory,
    /// `EQL009`: a pipe without a base query (`| head 5`).
    MissingBaseQuery,
    /// `EQL101`: a keyword (`where`, `sequence`, `by`, …) used as a name.
    KeywordAsName,
    /// `EQL102`: `=` instead of `==`.
    SingleEquals,
    /// `EQL103`: a string form Elasticsearch rejects (`'...'`, `?"..."`).
    UnsupportedString,
    /// `EQL104`: types that do not fit (a string where a boolean is needed,
    /// `1 == "a"`, arithmetic on strings, a number after `:`).
    TypeMismatch,
    /// `EQL105`: a comparison of a field with another field, which
    /// Elasticsearch EQL does not support.
    FieldComparison,
    /// `EQL106`: a known function called with the wrong number or kind of
    /// arguments (including an invalid CIDR for `cidrMatch`).
    BadArguments,
    /// `EQL107`: a `maxspan` without a unit, with an unknown unit, or not an
    /// integer.
    BadMaxspan,
    /// `EQL108`: a `with runs=N` where `N` is not above 1, or placed on
    /// `until`.
    BadRuns,
    /// `EQL109`: an unknown pipe.
    UnknownPipe,
    /// `EQL110`: wrong arguments to a pipe (`head "x"`, `unique` without
    /// fields, `filter` with two conditions).
    BadPipeArguments,
    /// `EQL111`: sequence, sample or join steps with different numbers of
    /// `by` keys.
    JoinKeyCount,
    /// `EQL112`: a structural rule of sequences and samples: a sample of
    /// one step, a missing-event step `![...]` without `maxspan` or inside a
    /// sample or join, `fork` on the first step, an alias (`as x`).
    BadSubqueries,
    /// `EQL113`: an unknown sequence parameter (`with foo=1`) or step
    /// parameter, or a named subquery other than `descendant`, `child`,
    /// `event`.
    UnknownParameter,
    /// `EQL114`: `$variable` syntax, which Elasticsearch EQL does not have.
    Variable,
}

impl Code {
    /// The code as shown (`EQL005`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnexpectedCharacter => "EQL001",
            Code::UnterminatedString => "EQL002",
            Code::InvalidEscape => "EQL003",
            Code::UnterminatedComment => "EQL004",
            Code::UnexpectedToken => "EQL005",
            Code::TooDeep => "EQL006",
            Code::EmptyQuery => "EQL007",
            Code::MissingEventCategory => "EQL008",
            Code::MissingBaseQuery => "EQL009",
            Code::KeywordAsName => "EQL101",
            Code::SingleEquals => "EQL102",
            Code::UnsupportedString => "EQL103",
            Code::TypeMismatch => "EQL104",
            Code::FieldComparison => "EQL105",
            Code::BadArguments => "EQL106",
            Code::BadMaxspan => "EQL107",
            Code::BadRuns => "EQL108",
            Code::UnknownPipe => "EQL109",
            Code::BadPipeArguments => "EQL110",
            Code::JoinKeyCount => "EQL111",
            Code::BadSubqueries => "EQL112",
            Code::UnknownParameter => "EQL113",
            Code::Variable => "EQL114",
        }
    }

    /// Every code, for documentation and tests.
    pub const ALL: [Code; 23] = [
        Code::UnexpectedCharacter,
        Code::UnterminatedString,
        Code::InvalidEscape,
        Code::UnterminatedComment,
        Code::UnexpectedToken,
        Code::TooDeep,
        Code::EmptyQuery,
        Code::MissingEventCategory,
        Code::MissingBaseQuery,
        Code::KeywordAsName,
        Code::SingleEquals,
        Code::UnsupportedString,
        Code::TypeMismatch,
        Code::FieldComparison,
        Code::BadArguments,
        Code::BadMaxspan,
        Code::BadRuns,
        Code::UnknownPipe,
        Code::BadPipeArguments,
        Code::JoinKeyCount,
        Code::BadSubqueries,
        Code::UnknownParameter,
        Code::Variable,
    ];
}

/// A problem in a query, with a span in the *query* text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with EQL's codes. Every EQL
/// code is an error.
pub type QueryDiagnostic = QueryError<Code>;

impl QueryErrorCode for Code {
    fn code(self) -> &'static str {
        self.as_str()
    }
}
