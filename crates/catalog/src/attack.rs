//! ATT&CK references of rules, as the catalog indexes them.

use ruledex_ir::{AttackKind, Rule};

/// Search terms for a rule's tactics and techniques as the rule states
/// them: ids lower-cased, sub-techniques also under their parent, tactic
/// names in their written and hyphenated forms.
pub fn search_terms(rule: &Rule) -> (Vec<String>, Vec<String>) {
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    for a in &rule.attack {
        match a.kind {
            AttackKind::Tactic => {
                tactics.extend(a.id.iter().map(|i| i.to_lowercase()));
                if let Some(n) = &a.name {
                    tactics.push(n.to_lowercase());
                    tactics.push(hyphenated(n));
                }
            }
            AttackKind::Technique => {
                if let Some(id) = &a.id {
                    let id = id.trim().to_lowercase();
                    if let Some((parent, _)) = id.split_once('.') {
                        techniques.push(parent.to_string());
                    }
                    techniques.push(id);
                }
            }
        }
    }
    tactics.sort();
    tactics.dedup();
    techniques.sort();
    techniques.dedup();
    (tactics, techniques)
}

/// `InitialAccess`, `Initial Access`, `initial_access` → `initial-access`.
fn hyphenated(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == ' ' || c == '_' || c == '-' {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            prev_lower = false;
        } else if c.is_uppercase() && prev_lower {
            out.push('-');
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else {
            out.extend(c.to_lowercase());
            prev_lower = c.is_lowercase();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tactic_spellings_hyphenate() {
        assert_eq!(hyphenated("InitialAccess"), "initial-access");
        assert_eq!(hyphenated("Defense Evasion"), "defense-evasion");
        assert_eq!(hyphenated("command_and_control"), "command-and-control");
    }
}
