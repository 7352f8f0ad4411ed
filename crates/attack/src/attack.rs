//! [`Attack`]: the whole knowledge base, its indexes, and the lookups and
//! version folding everything else builds on.

use crate::error::AttackError;
use crate::model::{Status, Tactic, Technique, VersionInfo, VersionLink};
use crate::text::{name_key, parse_id, AttackId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// How far a chain of revocations is followed (T1 revoked by T2 revoked by
/// T3 …) before giving up; real chains are one or two long.
const MAX_REVOCATION_CHAIN: usize = 8;

/// A tactic of the provisional version and the base tactic whose matrix
/// column it lands in (Stealth and Defense Impairment → Defense Evasion).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionalTactic {
    /// The tactic as the provisional version defines it.
    pub tactic: Tactic,
    /// Short name of the base tactic it folds onto.
    pub folds_onto: String,
}

/// Counts of a knowledge base, in the terms of ATT&CK's release notes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counts {
    /// Techniques that are not sub-techniques (all statuses).
    pub techniques: usize,
    /// Sub-techniques (all statuses).
    pub subtechniques: usize,
    /// Techniques and sub-techniques neither deprecated nor revoked.
    pub active: usize,
    /// Deprecated techniques and sub-techniques.
    pub deprecated: usize,
    /// Revoked techniques and sub-techniques.
    pub revoked: usize,
    /// Tactics.
    pub tactics: usize,
}

/// Everything an [`Attack`] is built from. Loaders fill it; [`Attack::from_parts`]
/// validates it and builds the indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttackParts {
    /// The base version.
    pub version: VersionInfo,
    /// The provisional version layered on top, if any.
    pub provisional_version: Option<VersionInfo>,
    /// Base tactics (any order; sorted by `order`).
    pub tactics: Vec<Tactic>,
    /// Tactics of the provisional version.
    pub provisional_tactics: Vec<ProvisionalTactic>,
    /// Base and provisional techniques (any order; sorted by id).
    pub techniques: Vec<Technique>,
    /// Data component id → name.
    pub data_components: BTreeMap<String, String>,
    /// Links between base and provisional ids.
    pub links: Vec<VersionLink>,
    /// Counts the source says it has (for example from its `VERSION.json`),
    /// kept so that a check can compare them with what was loaded.
    pub stamped_counts: Option<Counts>,
}

/// Where a tactic key points.
#[derive(Clone, Copy, Debug)]
enum TacticSlot {
    Base(usize),
    Provisional(usize),
}

/// The ATT&CK Enterprise knowledge base: tactics, techniques, the version it
/// is, and the provisional v19 layer with its links to v18 ids.
///
/// Build one with [`Attack::embedded`] (offline, compiled in),
/// [`Attack::from_stix_dir`], [`Attack::from_stix_bundle`] or
/// [`Attack::from_table`].
///
/// **Which version the matrix shows.** The base version (ATT&CK v18.1 in the
/// embedded table, the official data) defines the matrix: its tactics are
/// the columns, its active techniques the cells. Ids that only the
/// provisional v19.2 table knows are folded onto the v18.1 cells they took
/// over from ([`Attack::cells_of`]: T1685 lands on T1562.001), or, when v19
/// added something new, onto a cell of their own marked provisional. Pages
/// show [`Attack::version_label`] ("ATT&CK v18.1") and say "provisional
/// v19.2" next to any name that comes from the provisional table.
#[derive(Clone, Debug)]
pub struct Attack {
    parts: AttackParts,
    technique_index: HashMap<String, usize>,
    technique_names: HashMap<String, Vec<usize>>,
    tactic_index: HashMap<String, TacticSlot>,
    children: HashMap<String, Vec<usize>>,
    /// Name keys of base tactics and current base techniques, computed once
    /// for "did you mean" suggestions.
    pub(crate) suggestion_keys: Vec<SuggestionKey>,
}

/// A name key a suggestion can point at.
#[derive(Clone, Debug)]
pub(crate) struct SuggestionKey {
    /// [`name_key`] of the name.
    pub(crate) key: String,
    /// A tactic (index into the base tactics) or a technique (index into
    /// the techniques).
    pub(crate) tactic: bool,
    pub(crate) index: usize,
}

impl Attack {
    /// Validate `parts` and build the indexes.
    pub fn from_parts(mut parts: AttackParts) -> Result<Attack, AttackError> {
        parts
            .tactics
            .sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        parts
            .provisional_tactics
            .sort_by(|a, b| (a.tactic.order, &a.tactic.id).cmp(&(b.tactic.order, &b.tactic.id)));
        parts.techniques.sort_by(|a, b| a.id.cmp(&b.id));
        if parts.techniques.is_empty() {
            return Err(AttackError::Invalid("no techniques".into()));
        }

        let mut technique_index = HashMap::new();
        for (index, technique) in parts.techniques.iter().enumerate() {
            if parse_id(&technique.id) != Some(AttackId::Technique(technique.id.clone())) {
                return Err(AttackError::Invalid(format!(
                    "malformed technique id {:?}",
                    technique.id
                )));
            }
            if technique_index
                .insert(technique.id.clone(), index)
                .is_some()
            {
                return Err(AttackError::Invalid(format!(
                    "duplicate technique id {}",
                    technique.id
                )));
            }
        }
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        let mut technique_names: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, technique) in parts.techniques.iter().enumerate() {
            if let Some(parent) = &technique.parent {
                children.entry(parent.clone()).or_default().push(index);
            }
            let mut keys = vec![name_key(&technique.name)];
            if let Some(v19) = &technique.v19 {
                keys.push(name_key(&v19.name));
            }
            keys.dedup();
            for key in keys {
                technique_names.entry(key).or_default().push(index);
            }
        }

        let mut tactic_index = HashMap::new();
        for (index, tactic) in parts.tactics.iter().enumerate() {
            if parse_id(&tactic.id) != Some(AttackId::Tactic(tactic.id.clone())) {
                return Err(AttackError::Invalid(format!(
                    "malformed tactic id {:?}",
                    tactic.id
                )));
            }
            if tactic_index
                .insert(tactic.id.clone(), TacticSlot::Base(index))
                .is_some()
            {
                return Err(AttackError::Invalid(format!(
                    "duplicate tactic id {}",
                    tactic.id
                )));
            }
            tactic_index.insert(name_key(&tactic.shortname), TacticSlot::Base(index));
            tactic_index.insert(name_key(&tactic.name), TacticSlot::Base(index));
        }
        for (index, provisional) in parts.provisional_tactics.iter().enumerate() {
            let tactic = &provisional.tactic;
            // Base spellings win: TA0005 is Defense Evasion in the base
            // version even though v19 calls it Stealth.
            for key in [
                tactic.id.clone(),
                name_key(&tactic.shortname),
                name_key(&tactic.name),
            ] {
                tactic_index
                    .entry(key)
                    .or_insert(TacticSlot::Provisional(index));
            }
        }

        let mut suggestion_keys = Vec::new();
        for (index, tactic) in parts.tactics.iter().enumerate() {
            for spelling in [&tactic.name, &tactic.shortname] {
                suggestion_keys.push(SuggestionKey {
                    key: name_key(spelling),
                    tactic: true,
                    index,
                });
            }
        }
        for (index, technique) in parts.techniques.iter().enumerate() {
            if technique.is_active() && !technique.provisional {
                suggestion_keys.push(SuggestionKey {
                    key: name_key(&technique.name),
                    tactic: false,
                    index,
                });
            }
        }

        Ok(Attack {
            parts,
            technique_index,
            technique_names,
            tactic_index,
            children,
            suggestion_keys,
        })
    }

    /// The table compiled into the crate: ATT&CK v18.1 Enterprise (official)
    /// with the provisional v19.2 additions and v18↔v19 links. Parsed once.
    ///
    /// # Panics
    ///
    /// Only if the crate was built with a corrupt `data/enterprise.tsv`,
    /// which the crate's tests rule out.
    pub fn embedded() -> &'static Attack {
        static EMBEDDED: OnceLock<Attack> = OnceLock::new();
        EMBEDDED.get_or_init(|| match Attack::from_table(EMBEDDED_TABLE) {
            Ok(attack) => attack,
            Err(error) => panic!("the embedded ATT&CK table is corrupt: {error}"),
        })
    }

    /// The parts this knowledge base was built from.
    pub fn parts(&self) -> &AttackParts {
        &self.parts
    }

    /// The base version (the one the matrix shows).
    pub fn version(&self) -> &VersionInfo {
        &self.parts.version
    }

    /// The provisional version layered on top, if any.
    pub fn provisional_version(&self) -> Option<&VersionInfo> {
        self.parts.provisional_version.as_ref()
    }

    /// What a page says about the ATT&CK version it uses: `ATT&CK v18.1`.
    pub fn version_label(&self) -> String {
        format!("ATT&CK v{}", self.parts.version.attack)
    }

    /// The version label with the provisional layer, when there is one:
    /// `ATT&CK v18.1 (ids only in v19.2 shown provisionally)`.
    pub fn full_version_label(&self) -> String {
        match &self.parts.provisional_version {
            Some(provisional) => format!(
                "ATT&CK v{} (ids only in v{} shown provisionally)",
                self.parts.version.attack, provisional.attack
            ),
            None => self.version_label(),
        }
    }

    /// Base tactics in matrix order.
    pub fn tactics(&self) -> &[Tactic] {
        &self.parts.tactics
    }

    /// Tactics of the provisional version, in its matrix order.
    pub fn provisional_tactics(&self) -> &[ProvisionalTactic] {
        &self.parts.provisional_tactics
    }

    /// Every technique and sub-technique, base and provisional, by id.
    pub fn techniques(&self) -> &[Technique] {
        &self.parts.techniques
    }

    /// The links between base and provisional ids.
    pub fn links(&self) -> &[VersionLink] {
        &self.parts.links
    }

    /// Data component names by id (`DC0001`).
    pub fn data_components(&self) -> &BTreeMap<String, String> {
        &self.parts.data_components
    }

    /// A technique by id, in any spelling [`parse_id`] accepts.
    pub fn technique(&self, id: &str) -> Option<&Technique> {
        let index = match self.technique_index.get(id) {
            Some(index) => *index,
            None => match parse_id(id)? {
                AttackId::Technique(canonical) => *self.technique_index.get(&canonical)?,
                _ => return None,
            },
        };
        self.parts.techniques.get(index)
    }

    /// A base tactic by id, short name or name in any spelling
    /// (`TA0001`, `initial-access`, `InitialAccess`, `Initial Access`).
    /// Provisional-only tactics are not returned; see
    /// [`Attack::provisional_tactic`].
    pub fn tactic(&self, key: &str) -> Option<&Tactic> {
        match self.tactic_slot(key)? {
            TacticSlot::Base(index) => self.parts.tactics.get(index),
            TacticSlot::Provisional(_) => None,
        }
    }

    /// A tactic that only the provisional version has under this spelling
    /// (`stealth`, `Defense Impairment`, `TA0112`).
    pub fn provisional_tactic(&self, key: &str) -> Option<&ProvisionalTactic> {
        match self.tactic_slot(key)? {
            TacticSlot::Provisional(index) => self.parts.provisional_tactics.get(index),
            TacticSlot::Base(_) => None,
        }
    }

    fn tactic_slot(&self, key: &str) -> Option<TacticSlot> {
        let id_key = match parse_id(key) {
            Some(AttackId::Tactic(id)) => id,
            Some(_) => return None,
            None => name_key(key),
        };
        self.tactic_index.get(&id_key).copied()
    }

    /// The base tactic short name a tactic spelling lands on in the matrix:
    /// base tactics are themselves, v19 Stealth and Defense Impairment land
    /// on `defense-evasion`.
    pub fn fold_tactic(&self, key: &str) -> Option<&Tactic> {
        match self.tactic_slot(key)? {
            TacticSlot::Base(index) => self.parts.tactics.get(index),
            TacticSlot::Provisional(index) => {
                let folds_onto = &self.parts.provisional_tactics.get(index)?.folds_onto;
                self.tactic(folds_onto)
            }
        }
    }

    /// Techniques whose name (or v19.2 name) is `name`, in any spelling.
    /// Names are not unique in ATT&CK (several sub-techniques are called
    /// `Cloud Accounts`), hence a list.
    pub fn techniques_named(&self, name: &str) -> Vec<&Technique> {
        self.technique_names
            .get(&name_key(name))
            .map(|indices| {
                indices
                    .iter()
                    .filter_map(|&i| self.parts.techniques.get(i))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Active techniques and sub-techniques of a base tactic, by id.
    pub fn techniques_in_tactic(&self, tactic: &str) -> Vec<&Technique> {
        let Some(tactic) = self.tactic(tactic) else {
            return Vec::new();
        };
        self.parts
            .techniques
            .iter()
            .filter(|t| t.is_active() && self.tactics_of(t).contains(&tactic.shortname.as_str()))
            .collect()
    }

    /// The sub-techniques of a technique, by id (all statuses).
    pub fn subtechniques_of(&self, id: &str) -> Vec<&Technique> {
        self.children
            .get(id)
            .map(|indices| {
                indices
                    .iter()
                    .filter_map(|&i| self.parts.techniques.get(i))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Base tactic short names of a technique: its own for base techniques,
    /// its v19 tactics folded onto base columns for provisional ones.
    pub fn tactics_of<'a>(&'a self, technique: &'a Technique) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for shortname in &technique.tactics {
            let folded = if technique.provisional {
                self.fold_tactic(shortname).map(|t| t.shortname.as_str())
            } else {
                Some(shortname.as_str())
            };
            if let Some(folded) = folded {
                if !out.contains(&folded) {
                    out.push(folded);
                }
            }
        }
        out.sort_by_key(|shortname| self.tactic(shortname).map_or(u16::MAX, |t| t.order));
        out
    }

    /// The parent of a sub-technique, or the technique itself: the cell a
    /// sub-technique's coverage rolls up to.
    pub fn roll_up<'a>(&'a self, id: &'a str) -> &'a str {
        match self.technique(id).and_then(|t| t.parent.as_deref()) {
            Some(parent) => parent,
            None => match id.split_once('.') {
                Some((parent, _)) if self.technique(id).is_none() => parent,
                _ => id,
            },
        }
    }

    /// The matrix cells (base technique ids, or a provisional id when v19
    /// added something with no v18 counterpart) a technique id lands on:
    ///
    /// - an active base technique: itself;
    /// - a revoked one: whatever replaced it (following the chain);
    /// - a provisional (v19-only) one: the v18 ids it took over from
    ///   (T1685 → T1562.001), or itself when v19 added it new;
    /// - deprecated or unknown: nothing.
    pub fn cells_of(&self, id: &str) -> Vec<&Technique> {
        let mut current = match self.technique(id) {
            Some(technique) => technique,
            None => return Vec::new(),
        };
        for _ in 0..MAX_REVOCATION_CHAIN {
            match current.status() {
                Status::Active if !current.provisional => return vec![current],
                Status::Active => {
                    let linked: Vec<&Technique> = self
                        .base_equivalents(&current.id)
                        .into_iter()
                        .filter(|t| t.is_active())
                        .collect();
                    return if linked.is_empty() {
                        vec![current]
                    } else {
                        linked
                    };
                }
                Status::Deprecated => return Vec::new(),
                Status::Revoked => {
                    match current
                        .revoked_by
                        .as_deref()
                        .and_then(|by| self.technique(by))
                    {
                        Some(next) => current = next,
                        None => return Vec::new(),
                    }
                }
            }
        }
        Vec::new()
    }

    /// The base (v18.1) ids linked to a provisional (v19.2) id.
    pub fn base_equivalents(&self, provisional_id: &str) -> Vec<&Technique> {
        self.parts
            .links
            .iter()
            .filter(|link| link.provisional == provisional_id)
            .filter_map(|link| self.technique(&link.base))
            .collect()
    }

    /// The provisional (v19.2) ids linked to a base (v18.1) id.
    pub fn provisional_equivalents(&self, base_id: &str) -> Vec<&Technique> {
        self.parts
            .links
            .iter()
            .filter(|link| link.base == base_id)
            .filter_map(|link| self.technique(&link.provisional))
            .collect()
    }

    /// Counts of the base version's techniques and tactics (provisional
    /// techniques excluded).
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            tactics: self.parts.tactics.len(),
            ..Counts::default()
        };
        for technique in self.parts.techniques.iter().filter(|t| !t.provisional) {
            if technique.is_subtechnique {
                counts.subtechniques += 1;
            } else {
                counts.techniques += 1;
            }
            match technique.status() {
                Status::Active => counts.active += 1,
                Status::Deprecated => counts.deprecated += 1,
                Status::Revoked => counts.revoked += 1,
            }
        }
        counts
    }

    /// The counts the source stamped (for the embedded table: those of the
    /// `VERSION.json` it was generated from).
    pub fn stamped_counts(&self) -> Option<Counts> {
        self.parts.stamped_counts
    }
}

/// The generated table, compiled in.
pub(crate) const EMBEDDED_TABLE: &str = include_str!("../data/enterprise.tsv");
