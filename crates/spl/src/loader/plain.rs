//! Plain `.spl` files: the whole file is one search.

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
        attach_search(&mut rule, file, file.text, &OffsetMap::identity());
        vec![rule]
    }
}
