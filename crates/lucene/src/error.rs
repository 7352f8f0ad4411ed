//! Parse errors with stable codes.

use ruledex_ir::QueryError;

ruledex_ir::diagnostic_code_enum! {
    /// What went wrong. Each variant has a stable code (`LUC001`, …) that is
    /// never reused for another meaning.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum ErrorCode {
        /// A token that cannot appear here (a stray `)`, an operator
        /// without operands, a `:` without a field).
        UnexpectedToken = "LUC001",
        /// A `(`, `[` or `{` that is never closed.
        Unclosed = "LUC002",
        /// A phrase `"…` or regex `/…` without its closing quote or
        /// slash.
        Unterminated = "LUC003",
        /// A backslash at the very end of the query, escaping nothing.
        DanglingEscape = "LUC004",
        /// Groups nested deeper than [`crate::MAX_DEPTH`].
        TooDeep = "LUC005",
        /// A field with `:` but no value, or an operator without its
        /// right operand.
        MissingValue = "LUC006",
        /// A range without `TO` or without a bound (`[1 5]`, `[1 TO]`).
        MalformedRange = "LUC007",
        /// `^` without a number (a boost needs one), or a number after
        /// `~` or `^` that is not one.
        BadNumber = "LUC008",
    }
}

/// One problem in a query, with a span in the query text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with this crate's codes.
pub type ParseError = QueryError<ErrorCode>;
