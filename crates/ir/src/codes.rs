//! Diagnostic code tables: each language declares its codes once, with
//! their documentation, and gets both the documented items (constants or
//! an enum) and a table of [`CodeInfo`] that reports read at run time
//! (the rule descriptions of `ruledex check --format sarif`).
//!
//! Codes as constants, for loaders that build [`Diagnostic`]s
//! directly:
//!
//! ```
//! mod codes {
//!     ruledex_ir::diagnostic_codes! {
//!         /// Every code of this loader.
//!         pub const ALL;
//!
//!         /// The file is not valid YAML.
//!         INVALID_YAML = "XYZ001";
//!         /// A key appears twice; the last value wins.
//!         DUPLICATE_KEY = "XYZ002", Warning;
//!     }
//! }
//! assert_eq!(codes::INVALID_YAML, "XYZ001");
//! assert_eq!(codes::ALL[1].description(), "A key appears twice; the last value wins.");
//! assert_eq!(codes::ALL[1].severity, ruledex_ir::DiagnosticSeverity::Warning);
//! ```
//!
//! Codes as an enum, for parsers reporting [`QueryError`]s (the enum
//! implements [`QueryErrorCode`]):
//!
//! ```
//! use ruledex_ir::QueryErrorCode;
//!
//! ruledex_ir::diagnostic_code_enum! {
//!     /// What went wrong.
//!     #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
//!     pub enum Code {
//!         /// A token that cannot appear here.
//!         UnexpectedToken = "XYZ101",
//!         /// A tab where a backslash was meant.
//!         WhitespaceEscape = "XYZ102", Warning,
//!     }
//! }
//! assert_eq!(Code::WhitespaceEscape.code(), "XYZ102");
//! assert!(Code::WhitespaceEscape.is_warning());
//! assert_eq!(Code::CODES[0].code, "XYZ101");
//! assert_eq!(Code::ALL.len(), 2);
//! ```
//!
//! [`Diagnostic`]: crate::Diagnostic
//! [`QueryError`]: crate::QueryError
//! [`QueryErrorCode`]: crate::QueryErrorCode

use crate::diagnostic::Severity;

/// One diagnostic code as documentation and reports describe it: the code,
/// the severity it is reported with, and its documentation (the doc
/// comment it was declared with, Markdown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code (`KQL001`).
    pub code: &'static str,
    /// The severity diagnostics with this code have.
    pub severity: Severity,
    /// The declaration's doc comment, one line per doc line.
    pub doc: &'static str,
}

impl CodeInfo {
    /// The documentation as one paragraph of text: lines joined, and
    /// rustdoc link brackets (``[`crate::MAX_DEPTH`]``) reduced to the
    /// name (`` `MAX_DEPTH` ``).
    pub fn description(&self) -> String {
        let joined = self
            .doc
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let mut out = String::with_capacity(joined.len());
        let mut rest = joined.as_str();
        while let Some(at) = rest.find("[`") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            match after.find("`]") {
                Some(end) => {
                    let path = &after[..end];
                    let name = path.rsplit("::").next().unwrap_or(path);
                    out.push('`');
                    out.push_str(name);
                    out.push('`');
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str("[`");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The first clause of [`CodeInfo::description`]: up to the first `.`
    /// or `;` that ends a clause outside parentheses, for one-line
    /// listings.
    pub fn summary(&self) -> String {
        let description = self.description();
        let bytes = description.as_bytes();
        let mut depth = 0i32;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b'.' | b';' if depth <= 0 && bytes.get(i + 1).is_none_or(|n| *n == b' ') => {
                    return description[..i].to_string();
                }
                _ => {}
            }
        }
        description.trim_end_matches('.').to_string()
    }
}

/// Declare diagnostic codes as documented `&str` constants plus a table of
/// [`CodeInfo`] (see the [module documentation](crate::codes)). A code is
/// an error unless `, Warning` (or `, Note`) follows it.
#[macro_export]
macro_rules! diagnostic_codes {
    (
        $(#[doc = $table_doc:literal])*
        $vis:vis const $table:ident;
        $(
            $(#[doc = $doc:literal])+
            $name:ident = $code:literal $(, $severity:ident)?;
        )+
    ) => {
        $(
            #[doc = concat!("`", $code, "`", $crate::__code_label!($($severity)?), ": ")]
            $(#[doc = $doc])+
            $vis const $name: &str = $code;
        )+

        $(#[doc = $table_doc])*
        $vis const $table: &[$crate::CodeInfo] = &[
            $(
                $crate::CodeInfo {
                    code: $code,
                    severity: $crate::__code_severity!($($severity)?),
                    doc: concat!($($doc, "\n"),+),
                },
            )+
        ];
    };
}

/// Declare a parser's diagnostic codes as a documented enum implementing
/// [`QueryErrorCode`](crate::QueryErrorCode), with `ALL` (every variant),
/// `CODES` (their [`CodeInfo`]) and `as_str` (see the [module
/// documentation](crate::codes)).
#[macro_export]
macro_rules! diagnostic_code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $enum:ident {
            $(
                $(#[doc = $doc:literal])+
                $variant:ident = $code:literal $(, $severity:ident)?,
            )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $enum {
            $(
                #[doc = concat!("`", $code, "`", $crate::__code_label!($($severity)?), ": ")]
                $(#[doc = $doc])+
                $variant,
            )+
        }

        impl $enum {
            /// Every code, in declaration order.
            pub const ALL: &'static [$enum] = &[$($enum::$variant),+];

            /// What every code means, in declaration order.
            pub const CODES: &'static [$crate::CodeInfo] = &[
                $(
                    $crate::CodeInfo {
                        code: $code,
                        severity: $crate::__code_severity!($($severity)?),
                        doc: concat!($($doc, "\n"),+),
                    },
                )+
            ];

            /// The code as shown (`KUE001`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($enum::$variant => $code,)+
                }
            }
        }

        impl $crate::QueryErrorCode for $enum {
            fn code(self) -> &'static str {
                self.as_str()
            }

            fn is_warning(self) -> bool {
                match self {
                    $(
                        $enum::$variant => matches!(
                            $crate::__code_severity!($($severity)?),
                            $crate::DiagnosticSeverity::Warning
                        ),
                    )+
                }
            }
        }
    };
}

/// The severity of a code declared with an optional severity name.
#[doc(hidden)]
#[macro_export]
macro_rules! __code_severity {
    () => {
        $crate::DiagnosticSeverity::Error
    };
    ($severity:ident) => {
        $crate::DiagnosticSeverity::$severity
    };
}

/// How a code's documentation names its severity (`` `X001` (warning): ``).
#[doc(hidden)]
#[macro_export]
macro_rules! __code_label {
    () => {
        ""
    };
    (Warning) => {
        " (warning)"
    };
    (Note) => {
        " (note)"
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_read_as_text() {
        let info = CodeInfo {
            code: "X001",
            severity: Severity::Error,
            doc: " Groups nested deeper than [`crate::MAX_DEPTH`] (see\n the limits). A second sentence.\n",
        };
        assert_eq!(
            info.description(),
            "Groups nested deeper than `MAX_DEPTH` (see the limits). A second sentence."
        );
        assert_eq!(
            info.summary(),
            "Groups nested deeper than `MAX_DEPTH` (see the limits)"
        );
        let odd = CodeInfo {
            doc: "a [`b unclosed; `c.d` e",
            ..info
        };
        assert_eq!(odd.description(), "a [`b unclosed; `c.d` e");
        assert_eq!(odd.summary(), "a [`b unclosed");
    }
}
