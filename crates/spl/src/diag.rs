//! Diagnostic codes of the SPL parser, macro expansion and loaders.
//!
//! Codes are stable: a code is never reused for another meaning. `SPL0xx`
//! are syntax errors (the search does not parse), `SPL1xx` warnings (the
//! search parses, but part of it could not be analyzed or probably does
//! not mean what it says), `SPL2xx` problems of the files searches come in.

use ruledex_ir::QueryError;

ruledex_ir::diagnostic_code_enum! {
    /// A stable SPL diagnostic code. `SPL1xx` codes and the loader's
    /// `SPL202`–`SPL204` are warnings; the rest are errors.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Code {
        /// A `"` string without its closing quote.
        UnterminatedString = "SPL001",
        /// A `` ` `` macro call without its closing backtick.
        UnterminatedMacro = "SPL002",
        /// A ```` ``` ```` comment without its closing backticks.
        UnterminatedComment = "SPL003",
        /// A `[` subsearch without `]`, or a `]` without `[`.
        UnbalancedBracket = "SPL004",
        /// A `(` without `)`, or a `)` without `(`.
        UnbalancedParen = "SPL005",
        /// A token where the grammar expects something else.
        UnexpectedToken = "SPL006",
        /// Nesting deeper than [`crate::MAX_DEPTH`] (parentheses,
        /// subsearches, function calls).
        TooDeep = "SPL007",
        /// The search is empty.
        EmptyQuery = "SPL008",
        /// A `|` with no command after it (`| |`, a trailing `|`).
        EmptyCommand = "SPL009",
        /// A command without an argument it requires (`where` with
        /// no condition, `rename a` without `as`, `lookup` without a table,
        /// `rex` without a regular expression).
        MissingArgument = "SPL010",
        /// An operator without its operand (`a=`, `x >`, `NOT` at the
        /// end, `a OR`).
        MissingOperand = "SPL011",
        /// A command ruledex does not know; parsed as its name and
        /// arguments.
        UnknownCommand = "SPL101", Warning,
        /// A macro the source does not define; kept as a dependency.
        UndefinedMacro = "SPL102", Warning,
        /// Macro expansion stopped: a macro expands into itself, or
        /// expansions nest deeper than [`crate::macros::MAX_EXPANSION_DEPTH`].
        MacroRecursion = "SPL103", Warning,
        /// A macro called with a number of arguments none of its
        /// definitions takes.
        MacroArity = "SPL104", Warning,
        /// A lowercase `and`/`or`/`not` between search terms: the
        /// search command reads it as a search term, not an operator.
        LowercaseOperator = "SPL105", Warning,
        /// A macro call at the end of a command it does not fit (no `|`
        /// before it); read as a command of its own, as a macro whose
        /// definition starts with `|` would expand.
        MacroAsCommand = "SPL106", Warning,
        /// The rule file is not valid YAML or not a mapping.
        InvalidYaml = "SPL200",
        /// The rule has no search (an empty or missing `search`).
        MissingSearch = "SPL201",
        /// The rule lacks metadata it should have (`id`, `name`).
        MissingMetadata = "SPL202", Warning,
        /// A record of a rule collection is in another query
        /// language; it is listed, not analyzed.
        NotSplunk = "SPL203", Warning,
        /// Lines starting with `#` or `//` before the search of a `.spl`
        /// file: read as a comment header (SPL has no such comments; the
        /// search command would match their words as terms).
        CommentHeader = "SPL204", Warning,
    }
}

/// A problem in a search, with a span in the *search* text: the shared
/// [`ruledex_ir::QueryError`] with SPL's codes.
pub type QueryDiagnostic = QueryError<Code>;
