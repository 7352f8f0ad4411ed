//! The columns a pipeline carries from stage to stage, and where each came
//! from.
//!
//! Tracking columns serves two purposes: predicates on computed columns are
//! traced back to the fields they were computed from (`extend x =
//! tolower(F) | where x == "a"` filters `F`), and the rule's output fields are
//! what is left after the last stage (a later `project` narrows them).

use ruledex_ir::{Predicate, StageRef, Value, ValueSource};

/// Where a column's values come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A field of the data source itself.
    Field,
    /// A copy or transformation of one field (`x = tolower(F)`, `x = F`,
    /// `x = tostring(parse_json(F).k)`), so a filter on `x` is a filter on
    /// `field`.
    Traced {
        /// The source field.
        field: String,
        /// The expression as written.
        expression: String,
        /// True when the transformation folds case (`tolower`, `toupper`).
        folds_case: bool,
    },
    /// A boolean column computed from a condition (`m =
    /// ipv4_is_in_any_range(IP, ranges)`); filtering on `m` applies the
    /// condition.
    Condition {
        /// The condition, lowered.
        predicate: Predicate,
        /// The expression as written.
        expression: String,
    },
    /// A constant (`x = "v4"`, `n = 5`).
    Constant(Vec<Value>),
    /// An aggregation result (`count_`, `Total = count()`).
    Aggregate {
        /// The expression as written.
        expression: String,
    },
    /// A column of a binding, brought in by a join, lookup or union.
    Binding(ValueSource),
    /// A node or edge variable of a graph pattern (`graph-match
    /// (user)-[e]->(app)`): `app.AppDisplayName` is the column
    /// `AppDisplayName` of the node table.
    GraphElement,
    /// Anything else the rule computed.
    Computed {
        /// The expression as written.
        expression: String,
    },
}

/// One column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Where its values come from.
    pub origin: Origin,
    /// The stage that produced (or last re-selected) it, with that stage's
    /// kind; `None` for columns of the data source never named explicitly.
    pub produced_by: Option<(String, StageRef)>,
}

/// The columns at one point of a pipeline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Columns known by name, in order.
    pub known: Vec<Column>,
    /// True when the data source's own columns (unknown without a schema)
    /// are also present.
    pub open: bool,
}

impl Columns {
    /// The columns of a table or other source of unknown schema.
    pub fn open() -> Self {
        Columns {
            known: Vec::new(),
            open: true,
        }
    }

    /// The column named `name`.
    pub fn get(&self, name: &str) -> Option<&Column> {
        self.known.iter().find(|c| c.name == name)
    }

    /// Add or replace a column (KQL `extend` replaces a column of the same
    /// name in place).
    pub fn set(&mut self, column: Column) {
        match self.known.iter_mut().find(|c| c.name == column.name) {
            Some(existing) => *existing = column,
            None => self.known.push(column),
        }
    }

    /// Remove columns matching `pattern` (`*` wildcards allowed).
    pub fn remove_matching(&mut self, pattern: &str) {
        self.known.retain(|c| !wildcard_match(pattern, &c.name));
    }

    /// Keep only columns matching one of `patterns`.
    pub fn keep_matching(&mut self, patterns: &[&str]) {
        self.known
            .retain(|c| patterns.iter().any(|p| wildcard_match(p, &c.name)));
        self.open = false;
    }

    /// Rename `old` to `new`, keeping its origin.
    pub fn rename(&mut self, old: &str, new: &str, stage: (String, StageRef)) {
        match self.known.iter_mut().find(|c| c.name == old) {
            Some(c) => {
                c.name = new.to_string();
                c.produced_by = Some(stage);
            }
            None => self.known.push(Column {
                name: new.to_string(),
                origin: Origin::Traced {
                    field: old.to_string(),
                    expression: old.to_string(),
                    folds_case: false,
                },
                produced_by: Some(stage),
            }),
        }
    }

    /// Columns of `other` that this set does not have yet (a join's right
    /// side); `open` if either is.
    pub fn merge(&mut self, other: Columns) {
        for column in other.known {
            if self.get(&column.name).is_none() {
                self.known.push(column);
            }
        }
        self.open |= other.open;
    }
}

/// `*`-glob match of a column name.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("Device*", "DeviceName"));
        assert!(wildcard_match("*Id", "TenantId"));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "axxbyy"));
        assert!(wildcard_match("exact", "exact"));
        assert!(!wildcard_match("exact", "exactly"));
    }
}
