//! Coverage: where the references of a rule land on the matrix, and the
//! matrix itself in display order.
//!
//! A cell is (tactic column, technique, sub-technique). Sub-techniques roll
//! up to their parent's cell (and keep their own sub-cell); v19-only ids fold
//! onto the v18 cells they took over; revoked ids land on their replacement.
//! A technique in several tactics lands in each of them, unless the rule
//! names tactics, in which case only those it shares with the technique.

use crate::attack::Attack;
use crate::model::{Tactic, Technique};
use crate::resolve::{Finding, Resolution};
use ruledex_ir::AttackKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One place on the matrix.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cell {
    /// Base tactic short name (the column).
    pub tactic: String,
    /// The top-level technique id (the cell).
    pub technique: String,
    /// The sub-technique, when the reference was to one.
    pub subtechnique: Option<String>,
}

/// A column of the matrix.
#[derive(Clone, Debug)]
pub struct MatrixColumn<'a> {
    /// The tactic.
    pub tactic: &'a Tactic,
    /// Its techniques, by name (the order of attack.mitre.org and the
    /// Navigator).
    pub techniques: Vec<MatrixCell<'a>>,
}

/// A technique cell with its sub-techniques.
#[derive(Clone, Debug)]
pub struct MatrixCell<'a> {
    /// The technique. Provisional when v19 added it without a v18
    /// counterpart.
    pub technique: &'a Technique,
    /// Its current sub-techniques, by id (provisional ones included).
    pub subtechniques: Vec<&'a Technique>,
}

impl Attack {
    /// The matrix: base tactics in order, each with its current
    /// techniques and their sub-techniques. Techniques only the provisional
    /// version has, and that fold onto no v18 cell, appear in the column
    /// their v19 tactic folds onto, marked [`Technique::provisional`].
    pub fn techniques_by_tactic(&self) -> Vec<MatrixColumn<'_>> {
        let mut columns: Vec<MatrixColumn<'_>> = self
            .tactics()
            .iter()
            .map(|tactic| MatrixColumn {
                tactic,
                techniques: Vec::new(),
            })
            .collect();
        for technique in self.techniques() {
            if technique.is_subtechnique || !technique.is_active() || !self.is_own_cell(technique) {
                continue;
            }
            let subtechniques: Vec<&Technique> = self
                .subtechniques_of(&technique.id)
                .into_iter()
                .filter(|sub| sub.is_active() && self.is_own_cell(sub))
                .collect();
            for shortname in self.tactics_of(technique) {
                if let Some(column) = columns.iter_mut().find(|c| c.tactic.shortname == shortname) {
                    column.techniques.push(MatrixCell {
                        technique,
                        subtechniques: subtechniques.clone(),
                    });
                }
            }
        }
        for column in &mut columns {
            column.techniques.sort_by(|a, b| {
                (&a.technique.name, &a.technique.id).cmp(&(&b.technique.name, &b.technique.id))
            });
        }
        columns
    }

    /// Whether a technique has a cell of its own: base techniques do;
    /// provisional ones only when they fold onto no v18 cell.
    fn is_own_cell(&self, technique: &Technique) -> bool {
        !technique.provisional
            || self
                .cells_of(&technique.id)
                .iter()
                .any(|cell| cell.id == technique.id)
    }

    /// The cells one rule covers, from the findings of its references.
    /// Tactic findings restrict techniques that belong to several tactics to
    /// the ones the rule names; technique findings that are deprecated,
    /// unknown, of another domain or ambiguous cover nothing.
    pub fn coverage(&self, findings: &[Finding]) -> BTreeSet<Cell> {
        let named_tactics: Vec<String> = findings
            .iter()
            .filter_map(|finding| match &finding.resolution {
                Resolution::Known { target } | Resolution::Provisional { target, .. }
                    if target.kind == AttackKind::Tactic =>
                {
                    self.fold_tactic(&target.id).map(|t| t.shortname.clone())
                }
                _ => None,
            })
            .collect();
        let mut cells = BTreeSet::new();
        for finding in findings {
            for technique in self.technique_cells(&finding.resolution) {
                let tactics = self.tactics_of(technique);
                let shared: Vec<&str> = tactics
                    .iter()
                    .copied()
                    .filter(|t| named_tactics.iter().any(|named| named == t))
                    .collect();
                let columns = if shared.is_empty() { tactics } else { shared };
                let top = self.roll_up(&technique.id).to_string();
                let sub = technique.is_subtechnique.then(|| technique.id.clone());
                for tactic in columns {
                    cells.insert(Cell {
                        tactic: tactic.to_string(),
                        technique: top.clone(),
                        subtechnique: sub.clone(),
                    });
                }
            }
        }
        cells
    }

    /// The techniques (matrix cells) a resolution lands on: see
    /// [`Attack::cells_of`]. Tactics and unresolved references land on none.
    pub fn technique_cells(&self, resolution: &Resolution) -> Vec<&Technique> {
        match resolution {
            Resolution::Known { target }
            | Resolution::Provisional { target, .. }
            | Resolution::Revoked { target, .. }
                if target.kind == AttackKind::Technique =>
            {
                self.cells_of(&target.id)
            }
            _ => Vec::new(),
        }
    }
}
