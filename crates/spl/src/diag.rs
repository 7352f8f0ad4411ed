//! Diagnostic codes of the SPL parser, macro expansion and loaders.
//!
//! Codes are stable: a code is never reused for another meaning. `SPL0xx`
//! are syntax errors (the search does not parse), `SPL1xx` warnings (the
//! search parses, but part of it could not be analyzed or probably does
//! not mean what it says), `SPL2xx` problems of the files searches come in.

use ruledex_ir::{QueryError, QueryErrorCode};

/// A stable SPL diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// `SPL001`: a `"` string without its closing quote.
    UnterminatedString,
    /// `SPL002`: a `` ` `` macro call without its closing backtick.
    UnterminatedMacro,
    /// `SPL003`: a ```` ``` ```` comment without its closing backticks.
    UnterminatedComment,
    /// `SPL004`: a `[` subsearch without `]`, or a `]` without `[`.
    UnbalancedBracket,
    /// `SPL005`: a `(` without `)`, or a `)` without `(`.
    UnbalancedParen,
    /// `SPL006`: a token where the grammar expects something else.
    UnexpectedToken,
    /// `SPL007`: nesting deeper than [`crate::MAX_DEPTH`] (parentheses,
    /// subsearches, function calls).
    TooDeep,
    /// `SPL008`: the search is empty.
    EmptyQuery,
    /// `SPL009`: a `|` with no command after it (`| |`, a trailing `|`).
    EmptyCommand,
    /// `SPL010`: a command without an argument it requires (`where` with
    /// no condition, `rename a` without `as`, `lookup` without a table,
    /// `rex` without a regular expression).
    MissingArgument,
    /// `SPL011`: an operator without its operand (`a=`, `x >`, `NOT` at the
    /// end, `a OR`).
    MissingOperand,
    /// `SPL101`: a command ruledex does not know; parsed as its name and
    /// arguments.
    UnknownCommand,
    /// `SPL102`: a macro the source does not define; kept as a dependency.
    UndefinedMacro,
    /// `SPL103`: macro expansion stopped: a macro expands into itself, or
    /// expansions nest deeper than [`crate::macros::MAX_EXPANSION_DEPTH`].
    MacroRecursion,
    /// `SPL104`: a macro called with a number of arguments none of its
    /// definitions takes.
    MacroArity,
    /// `SPL105`: a lowercase `and`/`or`/`not` between search terms: the
    /// search command reads it as a search term, not an operator.
    LowercaseOperator,
    /// `SPL200`: the rule file is not valid YAML or not a mapping.
    InvalidYaml,
    /// `SPL201`: the rule has no search (an empty or missing `search`).
    MissingSearch,
    /// `SPL202`: the rule lacks metadata it should have (`id`, `name`).
    MissingMetadata,
    /// `SPL203`: a record of a rule collection is in another query
    /// language; it is listed, not analyzed.
    NotSplunk,
}

impl Code {
    /// Every code, for documentation and tests.
    pub const ALL: [Code; 20] = [
        Code::UnterminatedString,
        Code::UnterminatedMacro,
        Code::UnterminatedComment,
        Code::UnbalancedBracket,
        Code::UnbalancedParen,
        Code::UnexpectedToken,
        Code::TooDeep,
        Code::EmptyQuery,
        Code::EmptyCommand,
        Code::MissingArgument,
        Code::MissingOperand,
        Code::UnknownCommand,
        Code::UndefinedMacro,
        Code::MacroRecursion,
        Code::MacroArity,
        Code::LowercaseOperator,
        Code::InvalidYaml,
        Code::MissingSearch,
        Code::MissingMetadata,
        Code::NotSplunk,
    ];

    /// The code as shown (`SPL006`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnterminatedString => "SPL001",
            Code::UnterminatedMacro => "SPL002",
            Code::UnterminatedComment => "SPL003",
            Code::UnbalancedBracket => "SPL004",
            Code::UnbalancedParen => "SPL005",
            Code::UnexpectedToken => "SPL006",
            Code::TooDeep => "SPL007",
            Code::EmptyQuery => "SPL008",
            Code::EmptyCommand => "SPL009",
            Code::MissingArgument => "SPL010",
            Code::MissingOperand => "SPL011",
            Code::UnknownCommand => "SPL101",
            Code::UndefinedMacro => "SPL102",
            Code::MacroRecursion => "SPL103",
            Code::MacroArity => "SPL104",
            Code::LowercaseOperator => "SPL105",
            Code::InvalidYaml => "SPL200",
            Code::MissingSearch => "SPL201",
            Code::MissingMetadata => "SPL202",
            Code::NotSplunk => "SPL203",
        }
    }
}

impl QueryErrorCode for Code {
    fn code(self) -> &'static str {
        self.as_str()
    }

    /// `SPL1xx` codes are warnings; the rest are errors (the loader's
    /// `SPL202`/`SPL203` are issued as warnings directly).
    fn is_warning(self) -> bool {
        matches!(
            self,
            Code::UnknownCommand
                | Code::UndefinedMacro
                | Code::MacroRecursion
                | Code::MacroArity
                | Code::LowercaseOperator
                | Code::MissingMetadata
                | Code::NotSplunk
        )
    }
}

/// A problem in a search, with a span in the *search* text: the shared
/// [`ruledex_ir::QueryError`] with SPL's codes.
pub type QueryDiagnostic = QueryError<Code>;
