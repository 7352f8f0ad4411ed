//! Diagnostic codes of the YARA-L parser and loader.
//!
//! Codes are stable: a code is never reused for another meaning. `YRL0xx`
//! are syntax errors (the rule does not parse), `YRL1xx` warnings (the rule
//! parses, but part of it probably does not mean what it says), `YRL2xx`
//! problems of the file the rule comes in.

use ruledex_ir::QueryError;

ruledex_ir::diagnostic_code_enum! {
    /// A stable YARA-L diagnostic code.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Code {
        /// A `"` string or `` ` `` raw string without its closing quote.
        UnterminatedString = "YRL001",
        /// A `/…/` regular expression without its closing slash.
        UnterminatedRegex = "YRL002",
        /// A `/*` comment without its closing `*/`.
        UnterminatedComment = "YRL003",
        /// A character no YARA-L token starts with.
        InvalidCharacter = "YRL004",
        /// A token where the grammar expects something else.
        UnexpectedToken = "YRL005",
        /// Syntax of another language that YARA-L does not have: `:=`,
        /// `?.`, `==`, `&&`, `||`.
        ForeignSyntax = "YRL006",
        /// Nesting deeper than [`crate::MAX_DEPTH`] (parentheses, `not`s,
        /// function calls).
        TooDeep = "YRL007",
        /// The file holds no `rule name { … }`.
        NoRule = "YRL008",
        /// A `(`, `[` or `{` without its closing bracket.
        Unclosed = "YRL009",
        /// A section name YARA-L does not have (`meta`, `events`, `match`,
        /// `outcome`, `condition` and `options` are the sections).
        UnknownSection = "YRL010",
        /// A rule without the `events` or the `condition` section, which
        /// every rule needs.
        MissingSection = "YRL011",
        /// A function in a namespace YARA-L does not have (`foo.bar(…)`),
        /// or an unknown function without a namespace.
        UnknownFunction = "YRL012",
        /// A `match` section without its window (`$x over 5m`).
        InvalidMatch = "YRL013",
        /// An operator without its operand (`$e.x =` at the end of a
        /// statement, `and` with nothing after it).
        MissingOperand = "YRL014",
        /// A section that appears twice, or out of the order `meta`,
        /// `events`, `match`, `outcome`, `condition`, `options`.
        SectionOrder = "YRL101", Warning,
        /// A function YARA-L's documented namespace does not list
        /// (`strings.frobnicate`): kept as a call, probably a typo.
        UnknownNamespaceFunction = "YRL102", Warning,
        /// A `match` window outside YARA-L's limits (1 minute to 48 hours).
        WindowOutOfRange = "YRL103", Warning,
    }
}

/// A problem in a rule, with a span in the rule text: the shared
/// [`ruledex_ir::QueryError`] with YARA-L's codes.
pub type QueryDiagnostic = QueryError<Code>;
