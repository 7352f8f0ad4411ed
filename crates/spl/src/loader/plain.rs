//! Plain `.spl` files: the whole file is one search, after an optional
//! header of `#` or `//` comment lines (warning `SPL204`).

use super::{attach_search, new_rule};
use crate::diag::Code;
use ruledex_ir::{Diagnostic, OffsetMap, Rule, RuleFormat, SourceFile};

/// A `.spl` file holding one search. Its id is its path, its title its
/// name.
pub struct PlainFormat;

impl RuleFormat for PlainFormat {
    fn name(&self) -> &'static str {
        "spl"
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[crate::diag::Code::CODES]
    }

    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        file.extension() == "spl"
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let mut rule = new_rule(file, self.name(), None);
        if file.text.trim().is_empty() {
            rule.diagnostics.push(Diagnostic::error(
                Code::MissingSearch.as_str(),
                "the file is empty",
            ));
            return vec![rule];
        }
        let start = comment_header_len(file.text);
        if start > 0 {
            rule.diagnostics.push(
                Diagnostic::warning(
                    Code::CommentHeader.as_str(),
                    "the lines starting with `#` or `//` before the search are read as comments: SPL has none, and the search command would match their words",
                )
                .with_span(ruledex_ir::Span::new(0, start as u32)),
            );
        }
        let search = &file.text[start..];
        if search.trim().is_empty() {
            rule.diagnostics.push(Diagnostic::error(
                Code::MissingSearch.as_str(),
                "the file holds comments and no search",
            ));
            return vec![rule];
        }
        attach_search(&mut rule, file, search, &OffsetMap::shifted(start as u32));
        vec![rule]
    }
}

/// Length of the block of blank lines and `#`/`//` comment lines that
/// opens `text` (0 when the first line is part of the search).
fn comment_header_len(text: &str) -> usize {
    let mut end = 0;
    let mut comments = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            comments = true;
        } else if !trimmed.trim().is_empty() {
            break;
        }
        end += line.len();
    }
    if comments {
        end
    } else {
        0
    }
}
