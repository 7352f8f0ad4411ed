//! The fields a pipeline carries from command to command, and where each
//! came from: a filter on a renamed or computed field is traced to the
//! field it came from, a threshold on an aggregate is not an indicator,
//! and the rule's outputs are the fields left after the last command.

use ruledex_ir::StageRef;

/// Where a field's values come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A field of the events (or the data model) itself.
    Field,
    /// A copy or case-folding of another field (`rename a as b`,
    /// `eval b=lower(a)`).
    Traced {
        /// The source field.
        field: String,
        /// The command or expression as written.
        expression: String,
        /// True when the copy folds case (`lower`, `upper`).
        folds_case: bool,
    },
    /// An aggregation result (`count`, `dc(user) as n`), or a value
    /// computed only from aggregation results.
    Aggregate {
        /// The expression as written.
        expression: String,
    },
    /// A `rex` capture whose group is the whole regular expression
    /// (`rex field=F "(?<m>re)"`): present exactly when `F` matches `re`.
    Matched {
        /// The field matched.
        field: String,
        /// The regular expression.
        regex: String,
    },
    /// A flag computed from a condition (`eval c=if(isnotnull(m), "true",
    /// "false")` after such a capture): `c="true"` applies the condition.
    Condition {
        /// The condition.
        predicate: ruledex_ir::Predicate,
        /// The value the flag has when the condition holds.
        truthy: String,
    },
    /// Anything else the search computed (`rex` captures, lookup outputs,
    /// `eval` of several fields).
    Computed {
        /// The expression as written.
        expression: String,
    },
}

/// One field.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Where its values come from.
    pub origin: Origin,
    /// The stage that produced it, with its kind.
    pub produced_by: Option<(String, StageRef)>,
}

/// The fields at one point of a pipeline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Fields known by name, in order.
    pub known: Vec<Column>,
}

impl Columns {
    /// The field named `name`.
    pub fn get(&self, name: &str) -> Option<&Column> {
        self.known.iter().find(|c| c.name == name)
    }

    /// Add or replace a field.
    pub fn set(&mut self, column: Column) {
        match self.known.iter_mut().find(|c| c.name == column.name) {
            Some(existing) => *existing = column,
            None => self.known.push(column),
        }
    }

    /// Keep only fields matching one of `patterns`, in the order of the
    /// patterns (`table` orders its columns).
    pub fn keep(&mut self, patterns: &[&str], stage: &(String, StageRef)) {
        let mut kept = Vec::new();
        for pattern in patterns {
            if pattern.contains('*') {
                for c in self.known.iter().filter(|c| glob(pattern, &c.name)) {
                    if !kept.iter().any(|k: &Column| k.name == c.name) {
                        kept.push(c.clone());
                    }
                }
            } else if !kept.iter().any(|k: &Column| k.name == *pattern) {
                let column = self.get(pattern).cloned().unwrap_or(Column {
                    name: pattern.to_string(),
                    origin: Origin::Field,
                    produced_by: Some(stage.clone()),
                });
                kept.push(column);
            }
        }
        self.known = kept;
    }

    /// Remove fields matching `pattern`.
    pub fn remove(&mut self, pattern: &str) {
        self.known.retain(|c| !glob(pattern, &c.name));
    }

    /// Rename `from` to `to` (both may hold one `*`: `Processes.* as *`);
    /// a field not known yet is recorded as traced from `from`.
    pub fn rename(&mut self, from: &str, to: &str, expression: &str, stage: &(String, StageRef)) {
        if from.contains('*') {
            for c in &mut self.known {
                if let Some(captured) = capture(from, &c.name) {
                    let new_name = to.replacen('*', &captured, 1);
                    c.origin = traced_from(&c.origin, &c.name, expression);
                    c.name = new_name;
                    c.produced_by = Some(stage.clone());
                }
            }
            return;
        }
        match self.known.iter_mut().find(|c| c.name == from) {
            Some(c) => {
                c.origin = traced_from(&c.origin, from, expression);
                c.name = to.to_string();
                c.produced_by = Some(stage.clone());
            }
            None => self.known.push(Column {
                name: to.to_string(),
                origin: Origin::Traced {
                    field: from.to_string(),
                    expression: expression.to_string(),
                    folds_case: false,
                },
                produced_by: Some(stage.clone()),
            }),
        }
        // A later field of the new name replaces an earlier one.
        let mut seen = Vec::new();
        self.known.retain(|c| {
            if seen.contains(&c.name) {
                false
            } else {
                seen.push(c.name.clone());
                true
            }
        });
    }
}

/// The origin of a field renamed from `name`: a data field becomes a
/// trace to it, anything else keeps its origin.
fn traced_from(origin: &Origin, name: &str, expression: &str) -> Origin {
    match origin {
        Origin::Field => Origin::Traced {
            field: name.to_string(),
            expression: expression.to_string(),
            folds_case: false,
        },
        other => other.clone(),
    }
}

/// `*`-glob match.
pub fn glob(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// What the one `*` of `pattern` matches in `name`.
fn capture(pattern: &str, name: &str) -> Option<String> {
    let (prefix, suffix) = pattern.split_once('*')?;
    if suffix.contains('*') {
        return None;
    }
    let rest = name.strip_prefix(prefix)?;
    let inner = rest.strip_suffix(suffix)?;
    Some(inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_renames_strip_prefixes() {
        let stage = ("rename".to_string(), StageRef::main(1));
        let mut c = Columns::default();
        for n in ["Processes.dest", "count"] {
            c.set(Column {
                name: n.into(),
                origin: Origin::Field,
                produced_by: None,
            });
        }
        c.rename("Processes.*", "*", "rename Processes.* as *", &stage);
        assert_eq!(c.known[0].name, "dest");
        assert!(
            matches!(&c.known[0].origin, Origin::Traced { field, .. } if field == "Processes.dest")
        );
        assert_eq!(c.known[1].name, "count");
        assert!(glob("a*c", "abc") && !glob("a*c", "abd"));
    }
}
