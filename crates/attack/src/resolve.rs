//! Resolution of what rules write (an id, a name, a Sigma tag, a URL) against
//! the knowledge base, and the diagnostics the result deserves.
//!
//! [`Attack::resolve`] takes an [`AttackRef`] as a loader recorded it and
//! returns a [`Finding`]: the [`Resolution`] (known, provisional, revoked,
//! deprecated, another domain, unknown, …) plus any [`Problem`] noticed on
//! the way (the name disagrees with the id). [`Attack::resolve_threat`]
//! does the same for a group that states a tactic with its techniques
//! (Elastic `[[rule.threat]]`, Panther `TA0002:T1059`) and also checks that
//! they belong together. [`Attack::diagnostics`] turns findings into
//! [`Diagnostic`]s with stable codes:
//!
//! | code | severity | meaning |
//! |---|---|---|
//! | `ATT001` | warning | unknown id or name |
//! | `ATT002` | warning | revoked id (note names the replacement) |
//! | `ATT003` | warning | deprecated id |
//! | `ATT004` | warning | the name given does not match the id |
//! | `ATT005` | warning | the technique is not in the tactic it is filed under |
//! | `ATT006` | note | an id only the provisional v19.2 table knows |
//! | `ATT007` | note | a tactic or technique of another domain (ICS, Mobile, PRE-ATT&CK) |
//! | `ATT008` | warning | a name several techniques share |
//! | `ATT009` | warning | a sub-technique filed under a technique that is not its parent |
//! | `ATT010` | warning | an id field that holds no ATT&CK id |

use crate::attack::Attack;
use crate::domains::{
    domain_display, foreign_tactic_domain, foreign_tactic_named, foreign_technique_domain,
};
use crate::model::{ObjectKind, Status, Technique};
use crate::text::{bounded_distance, name_key, parse_id, typo_budget, AttackId, MAX_REFERENCE_LEN};
use ruledex_ir::{AttackKind, AttackRef, Diagnostic};
use serde::{Deserialize, Serialize};

/// A tactic or technique a reference resolved to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    /// Tactic or technique.
    pub kind: AttackKind,
    /// The ATT&CK id (`TA0002`, `T1059.001`).
    pub id: String,
    /// Its name in the version it comes from (for a sub-technique, without
    /// the parent's name).
    pub name: String,
}

/// What a reference resolves to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Resolution {
    /// A current tactic or technique of the base version.
    Known {
        /// What it is.
        target: Target,
    },
    /// An id or name only the provisional ATT&CK v19.2 table knows.
    Provisional {
        /// What it is, in v19.2 terms.
        target: Target,
        /// The base-version ids it lands on in the matrix (technique ids
        /// for techniques, tactic ids for tactics); the id itself when v19
        /// added something without a v18 counterpart.
        folds_onto: Vec<String>,
    },
    /// Deprecated in the base version, with no replacement.
    Deprecated {
        /// What it was.
        target: Target,
    },
    /// Revoked in the base version.
    Revoked {
        /// What it was.
        target: Target,
        /// Its replacement, when ATT&CK names one.
        by: Option<Target>,
    },
    /// A tactic or technique of another ATT&CK domain (ICS, Mobile) or of
    /// the retired PRE-ATT&CK: known, but not part of the Enterprise matrix.
    OtherDomain {
        /// As written.
        written: String,
        /// `ics-attack`, `mobile-attack`, `pre-attack`.
        domain: String,
        /// The tactic's name, when known.
        name: Option<String>,
    },
    /// An ATT&CK object that is neither tactic nor technique (`G0069`).
    OtherObject {
        /// Its kind.
        object: ObjectKind,
        /// Its id.
        id: String,
    },
    /// A name several techniques share, with nothing to choose between them.
    Ambiguous {
        /// As written.
        written: String,
        /// The techniques of that name.
        candidates: Vec<Target>,
    },
    /// Nothing in ATT&CK matches.
    Unknown {
        /// As written.
        written: String,
        /// A close match, for a "did you mean" note.
        suggestion: Option<Target>,
    },
}

impl Resolution {
    /// The tactic or technique resolved to, for every outcome that has one.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Resolution::Known { target }
            | Resolution::Provisional { target, .. }
            | Resolution::Deprecated { target }
            | Resolution::Revoked { target, .. } => Some(target),
            _ => None,
        }
    }

    /// True for [`Resolution::Known`] and [`Resolution::Provisional`]: the
    /// reference counts in coverage as written.
    pub fn is_current(&self) -> bool {
        matches!(
            self,
            Resolution::Known { .. } | Resolution::Provisional { .. }
        )
    }
}

/// Something wrong beside the resolution itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum Problem {
    /// The rule gives an id and a name that ATT&CK does not give that id.
    NameMismatch {
        /// The id.
        id: String,
        /// The name the rule gives.
        written: String,
        /// The name ATT&CK gives.
        expected: String,
    },
    /// A technique filed under a tactic it does not belong to.
    NotInTactic {
        /// The technique id.
        technique: String,
        /// The tactic it is filed under (base short name).
        tactic: String,
        /// The tactics it does belong to (base short names).
        tactics: Vec<String>,
    },
    /// A sub-technique filed under a technique that is not its parent.
    NotSubtechniqueOf {
        /// The sub-technique id.
        id: String,
        /// The technique it is filed under.
        filed_under: String,
    },
    /// An id field whose value is not an ATT&CK id (the name was used
    /// instead, when there was one).
    MalformedId {
        /// The value.
        written: String,
    },
}

/// The result of resolving one reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The reference as the rule wrote it (`T1059.001 PowerShell`).
    pub written: String,
    /// What it resolved to.
    pub resolution: Resolution,
    /// Other problems noticed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// A tactic with the techniques a rule files under it: one Elastic
/// `[[rule.threat]]` block, or the Panther `TA0002:T1059` pairs of a tactic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreatEntry {
    /// The tactic, when given.
    pub tactic: Option<AttackRef>,
    /// The techniques, each with the sub-techniques filed under it.
    pub techniques: Vec<TechniqueEntry>,
}

/// A technique of a [`ThreatEntry`] with its sub-techniques.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TechniqueEntry {
    /// The technique.
    pub technique: AttackRef,
    /// Sub-techniques filed under it (Elastic `[[rule.threat.technique.subtechnique]]`).
    pub subtechniques: Vec<AttackRef>,
}

impl TechniqueEntry {
    /// A technique without sub-techniques.
    pub fn new(technique: AttackRef) -> Self {
        TechniqueEntry {
            technique,
            subtechniques: Vec::new(),
        }
    }
}

/// `AttackRef` constructors for the common cases.
pub fn technique_ref(id: Option<&str>, name: Option<&str>) -> AttackRef {
    AttackRef {
        kind: AttackKind::Technique,
        id: id.map(str::to_string),
        name: name.map(str::to_string),
    }
}

/// An `AttackRef` for a tactic.
pub fn tactic_ref(id: Option<&str>, name: Option<&str>) -> AttackRef {
    AttackRef {
        kind: AttackKind::Tactic,
        id: id.map(str::to_string),
        name: name.map(str::to_string),
    }
}

impl Attack {
    /// Resolve one reference as a loader recorded it. The id, when given,
    /// decides; a name given with it is checked against ATT&CK's name for
    /// that id. A name alone is looked up among tactics and techniques (the
    /// stated kind first), accepting every spelling: `InitialAccess`,
    /// `initial_access`, `Initial Access`, `Valid Accounts: Cloud Accounts`.
    pub fn resolve(&self, reference: &AttackRef) -> Finding {
        self.resolve_within(reference, None)
    }

    /// [`Attack::resolve`], with a technique name several techniques share
    /// narrowed to those of `tactic` (any spelling).
    pub fn resolve_within(&self, reference: &AttackRef, tactic: Option<&str>) -> Finding {
        let written = written_of(reference);
        let mut problems = Vec::new();
        let id = reference
            .id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty());
        let name = reference
            .name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty());
        if let Some(id_text) = id {
            match parse_id(id_text) {
                Some(parsed) => {
                    let resolution = self.resolve_id(&parsed, id_text);
                    if let (Some(name), Some(target)) = (name, resolution.target()) {
                        if !self.name_agrees(target, name) {
                            problems.push(Problem::NameMismatch {
                                id: target.id.clone(),
                                written: name.to_string(),
                                expected: target.name.clone(),
                            });
                        }
                    }
                    return Finding {
                        written,
                        resolution,
                        problems,
                    };
                }
                // Reported only when a name can stand in; an id alone that
                // is not an id is simply unknown.
                None if name.is_some() => problems.push(Problem::MalformedId {
                    written: id_text.to_string(),
                }),
                None => {}
            }
        }
        let resolution = match name {
            Some(name) => self.resolve_name(name, Some(reference.kind), tactic),
            None => Resolution::Unknown {
                written: id.unwrap_or_default().to_string(),
                suggestion: None,
            },
        };
        Finding {
            written,
            resolution,
            problems,
        }
    }

    /// Resolve free text: an id in any spelling, a URL, or a tactic or
    /// technique name (tactics first).
    pub fn resolve_text(&self, text: &str) -> Finding {
        let trimmed = text.trim();
        // `attack.t1059` and `attack.initial_access` (Sigma's spelling) too.
        let bare = trimmed
            .get(..7)
            .filter(|head| head.eq_ignore_ascii_case("attack."))
            .map_or(trimmed, |_| &trimmed[7..]);
        let resolution = match parse_id(bare) {
            Some(parsed) => self.resolve_id(&parsed, trimmed),
            None => self.resolve_name(bare, None, None),
        };
        Finding {
            written: clip(trimmed),
            resolution,
            problems: Vec::new(),
        }
    }

    /// Resolve a tactic and the techniques filed under it, checking that
    /// each technique belongs to the tactic and each sub-technique to the
    /// technique it is filed under. Returns the tactic's finding first (when
    /// given), then each technique's followed by its sub-techniques'.
    pub fn resolve_threat(&self, entry: &ThreatEntry) -> Vec<Finding> {
        let mut findings = Vec::new();
        let tactic = entry.tactic.as_ref().map(|tactic| self.resolve(tactic));
        // The base column the group is filed under, when the tactic resolved.
        let column: Option<String> = tactic.as_ref().and_then(|finding| {
            let target = finding.resolution.target()?;
            (target.kind == AttackKind::Tactic)
                .then(|| self.fold_tactic(&target.id))
                .flatten()
                .map(|t| t.shortname.clone())
        });
        findings.extend(tactic);
        for technique_entry in &entry.techniques {
            let mut technique = self.resolve_within(&technique_entry.technique, column.as_deref());
            self.check_tactic(&mut technique, column.as_deref());
            let parent_id = technique
                .resolution
                .target()
                .map(|target| target.id.clone());
            findings.push(technique);
            for sub in &technique_entry.subtechniques {
                let mut finding = self.resolve_within(sub, column.as_deref());
                let sub_id = finding.resolution.target().map(|t| t.id.clone());
                if let (Some(parent_id), Some(sub_id)) = (&parent_id, sub_id) {
                    if self.roll_up(&sub_id) != parent_id && sub_id != *parent_id {
                        finding.problems.push(Problem::NotSubtechniqueOf {
                            id: sub_id,
                            filed_under: parent_id.clone(),
                        });
                    }
                }
                self.check_tactic(&mut finding, column.as_deref());
                findings.push(finding);
            }
        }
        findings
    }

    fn check_tactic(&self, finding: &mut Finding, column: Option<&str>) {
        let (Some(column), Some(target)) = (column, finding.resolution.target()) else {
            return;
        };
        if target.kind != AttackKind::Technique || !finding.resolution.is_current() {
            return;
        }
        let Some(technique) = self.technique(&target.id) else {
            return;
        };
        let tactics = self.tactics_of(technique);
        // A v18 id whose v19 listing moved it (Stealth, Defense
        // Impairment) belongs to the same base columns after folding, so
        // checking the base tactics covers both versions.
        if !tactics.contains(&column) {
            finding.problems.push(Problem::NotInTactic {
                technique: target.id.clone(),
                tactic: column.to_string(),
                tactics: tactics.iter().map(|t| t.to_string()).collect(),
            });
        }
    }

    /// Resolve a recognized id.
    fn resolve_id(&self, parsed: &AttackId, written: &str) -> Resolution {
        match parsed {
            AttackId::Technique(id) => match self.technique(id) {
                Some(technique) => self.technique_resolution(technique),
                None => match foreign_technique_domain(id) {
                    Some(domain) => Resolution::OtherDomain {
                        written: clip(written),
                        domain: domain.to_string(),
                        name: None,
                    },
                    None => Resolution::Unknown {
                        written: clip(written),
                        // An unknown sub-technique of a known technique:
                        // point at the parent.
                        suggestion: id
                            .split_once('.')
                            .and_then(|(parent, _)| self.technique(parent))
                            .filter(|t| t.is_active())
                            .map(technique_target),
                    },
                },
            },
            AttackId::Tactic(id) => {
                if let Some(tactic) = self.tactic(id) {
                    return Resolution::Known {
                        target: tactic_target(&tactic.id, &tactic.name),
                    };
                }
                if let Some(provisional) = self.provisional_tactic(id) {
                    return Resolution::Provisional {
                        target: tactic_target(&provisional.tactic.id, &provisional.tactic.name),
                        folds_onto: self
                            .tactic(&provisional.folds_onto)
                            .map(|t| vec![t.id.clone()])
                            .unwrap_or_default(),
                    };
                }
                match foreign_tactic_domain(id) {
                    Some(domain) => Resolution::OtherDomain {
                        written: clip(written),
                        domain: domain.to_string(),
                        name: None,
                    },
                    None => Resolution::Unknown {
                        written: clip(written),
                        suggestion: None,
                    },
                }
            }
            AttackId::Other(object, id) => Resolution::OtherObject {
                object: *object,
                id: id.clone(),
            },
        }
    }

    fn technique_resolution(&self, technique: &Technique) -> Resolution {
        let target = technique_target(technique);
        match technique.status() {
            Status::Active if technique.provisional => Resolution::Provisional {
                folds_onto: self
                    .cells_of(&technique.id)
                    .into_iter()
                    .map(|t| t.id.clone())
                    .collect(),
                target,
            },
            Status::Active => Resolution::Known { target },
            Status::Deprecated => Resolution::Deprecated { target },
            Status::Revoked => Resolution::Revoked {
                target,
                by: self.final_replacement(technique).map(technique_target),
            },
        }
    }

    /// What finally replaces a revoked technique: T1073 was revoked by
    /// T1574.002, itself revoked by T1574.001, so T1574.001. `None` when the
    /// chain ends at nothing current.
    fn final_replacement(&self, technique: &Technique) -> Option<&Technique> {
        let mut current = technique;
        for _ in 0..8 {
            let next = self.technique(current.revoked_by.as_deref()?)?;
            if next.is_active() {
                return Some(next);
            }
            current = next;
        }
        None
    }

    /// Resolve a name. `prefer` says which kind to try first; `tactic`
    /// narrows techniques that share a name.
    fn resolve_name(
        &self,
        text: &str,
        prefer: Option<AttackKind>,
        tactic: Option<&str>,
    ) -> Resolution {
        let text = text.trim();
        if text.len() > MAX_REFERENCE_LEN {
            return Resolution::Unknown {
                written: clip(text),
                suggestion: None,
            };
        }
        if let Some(parsed) = parse_id(text) {
            return self.resolve_id(&parsed, text);
        }
        let as_tactic = || self.tactic_by_name(text);
        let as_technique = || self.technique_by_name(text, tactic);
        let found = match prefer {
            Some(AttackKind::Technique) => as_technique().or_else(as_tactic),
            _ => as_tactic().or_else(as_technique),
        };
        if let Some(resolution) = found {
            return resolution;
        }
        if let Some(foreign) = foreign_tactic_named(text) {
            return Resolution::OtherDomain {
                written: clip(text),
                domain: foreign.domain.to_string(),
                name: Some(foreign.name.to_string()),
            };
        }
        Resolution::Unknown {
            written: clip(text),
            suggestion: self
                .suggest_subtechnique(text)
                .or_else(|| self.suggest(text, prefer)),
        }
    }

    /// For `Parent: Sub` where the parent is known and the sub is not (an
    /// older name, `Impair Defenses: Disable Cloud Logs`): the parent's
    /// current sub-technique with the closest name, or the parent.
    fn suggest_subtechnique(&self, text: &str) -> Option<Target> {
        let (parent, sub) = text.split_once(':')?;
        let parent = self
            .techniques_named(parent)
            .into_iter()
            .find(|t| t.is_active() && !t.is_subtechnique)?;
        let sub_key = name_key(sub);
        let budget = (sub_key.chars().count() / 2).max(2);
        self.subtechniques_of(&parent.id)
            .into_iter()
            .filter(|t| t.is_active())
            .filter_map(|t| bounded_distance(&sub_key, &name_key(&t.name), budget).map(|d| (d, t)))
            .min_by_key(|(d, t)| (*d, t.id.clone()))
            .map(|(_, t)| technique_target(t))
            .or_else(|| Some(technique_target(parent)))
    }

    fn tactic_by_name(&self, text: &str) -> Option<Resolution> {
        if let Some(tactic) = self.tactic(text) {
            return Some(Resolution::Known {
                target: tactic_target(&tactic.id, &tactic.name),
            });
        }
        let provisional = self.provisional_tactic(text)?;
        Some(Resolution::Provisional {
            target: tactic_target(&provisional.tactic.id, &provisional.tactic.name),
            folds_onto: self
                .tactic(&provisional.folds_onto)
                .map(|t| vec![t.id.clone()])
                .unwrap_or_default(),
        })
    }

    fn technique_by_name(&self, text: &str, tactic: Option<&str>) -> Option<Resolution> {
        // `Parent: Sub`, the form ATT&CK's own pages use for sub-techniques.
        if let Some((parent, sub)) = text.split_once(':') {
            let parent_key = name_key(parent);
            let matches: Vec<&Technique> = self
                .techniques_named(sub)
                .into_iter()
                .filter(|t| {
                    t.parent
                        .as_deref()
                        .and_then(|p| self.technique(p))
                        .is_some_and(|p| self.names_of(p).contains(&parent_key))
                })
                .collect();
            if let Some(resolution) = self.pick(text, matches, tactic) {
                return Some(resolution);
            }
        }
        let matches = self.techniques_named(text);
        self.pick(text, matches, tactic)
    }

    /// Choose among techniques sharing a name: current base techniques
    /// first, then provisional ones, then revoked or deprecated ones.
    fn pick(
        &self,
        written: &str,
        candidates: Vec<&Technique>,
        tactic: Option<&str>,
    ) -> Option<Resolution> {
        if candidates.is_empty() {
            return None;
        }
        let base_active: Vec<&Technique> = candidates
            .iter()
            .copied()
            .filter(|t| t.is_active() && !t.provisional)
            .collect();
        let provisional: Vec<&Technique> = candidates
            .iter()
            .copied()
            .filter(|t| t.is_active() && t.provisional)
            .collect();
        let inactive: Vec<&Technique> = candidates
            .iter()
            .copied()
            .filter(|t| !t.is_active())
            .collect();
        for group in [base_active, provisional, inactive] {
            if group.is_empty() {
                continue;
            }
            let narrowed: Vec<&Technique> = match tactic.and_then(|t| self.fold_tactic(t)) {
                Some(column) => group
                    .iter()
                    .copied()
                    .filter(|t| self.tactics_of(t).contains(&column.shortname.as_str()))
                    .collect(),
                None => Vec::new(),
            };
            let chosen = if narrowed.is_empty() { group } else { narrowed };
            return Some(match chosen.as_slice() {
                [one] => self.technique_resolution(one),
                many => Resolution::Ambiguous {
                    written: clip(written),
                    candidates: many.iter().map(|t| technique_target(t)).collect(),
                },
            });
        }
        None
    }

    /// Name keys a technique answers to: its name and v19 name, alone and
    /// prefixed by its parent's (`validaccountscloudaccounts`).
    fn names_of(&self, technique: &Technique) -> Vec<String> {
        let own_names = |t: &Technique| {
            let mut names = vec![name_key(&t.name)];
            if let Some(v19) = &t.v19 {
                names.push(name_key(&v19.name));
            }
            names
        };
        let own = own_names(technique);
        // One level: ATT&CK sub-techniques have no sub-techniques, and a
        // table with a parent cycle must not recurse forever.
        let parents: Vec<String> = technique
            .parent
            .as_deref()
            .and_then(|p| self.technique(p))
            .map(own_names)
            .unwrap_or_default();
        let mut keys = own.clone();
        for parent in &parents {
            for name in &own {
                keys.push(format!("{parent}{name}"));
            }
        }
        keys
    }

    fn name_agrees(&self, target: &Target, written: &str) -> bool {
        let key = name_key(written);
        match target.kind {
            AttackKind::Technique => self
                .technique(&target.id)
                .is_some_and(|t| self.names_of(t).contains(&key)),
            AttackKind::Tactic => {
                let same_column = |text: &str| {
                    self.fold_tactic(text)
                        .zip(self.fold_tactic(&target.id))
                        .is_some_and(|(a, b)| a.id == b.id)
                };
                key == name_key(&target.name) || same_column(written)
            }
        }
    }

    /// A close tactic or technique name for an unknown one, or the
    /// technique whose id hides in the text (`attackt1496`, a bare `1043`).
    fn suggest(&self, text: &str, prefer: Option<AttackKind>) -> Option<Target> {
        if let Some(technique) = embedded_technique_id(text).and_then(|id| self.technique(&id)) {
            return Some(technique_target(technique));
        }
        let key = name_key(text);
        let budget = typo_budget(key.len());
        if budget == 0 {
            return None;
        }
        let key_len = key.chars().count();
        let tactic_rank = u8::from(prefer == Some(AttackKind::Technique));
        let mut best: Option<(usize, u8, usize)> = None;
        for (position, candidate) in self.suggestion_keys.iter().enumerate() {
            // Keys are ASCII in practice, so byte length is a cheap first
            // filter before the distance.
            if candidate.key.len().abs_diff(key_len) > budget + 4 {
                continue;
            }
            let rank = if candidate.tactic {
                tactic_rank
            } else {
                1 - tactic_rank
            };
            if let Some(distance) = bounded_distance(&key, &candidate.key, budget) {
                if best
                    .as_ref()
                    .is_none_or(|(d, r, _)| (distance, rank) < (*d, *r))
                {
                    best = Some((distance, rank, position));
                }
            }
        }
        let (_, _, position) = best?;
        let candidate = self.suggestion_keys.get(position)?;
        if candidate.tactic {
            let tactic = self.tactics().get(candidate.index)?;
            Some(tactic_target(&tactic.id, &tactic.name))
        } else {
            self.techniques().get(candidate.index).map(technique_target)
        }
    }

    /// The diagnostics a finding deserves (none for a clean, known
    /// reference). Callers place them with `Diagnostic::with_span`.
    pub fn diagnostics(&self, finding: &Finding) -> Vec<Diagnostic> {
        let version = self.version_label();
        let mut out = Vec::new();
        match &finding.resolution {
            Resolution::Known { .. } | Resolution::OtherObject { .. } => {}
            Resolution::Provisional { target, folds_onto } => {
                let provisional = self
                    .provisional_version()
                    .map_or("a newer ATT&CK".to_string(), |v| {
                        format!("ATT&CK v{}", v.attack)
                    });
                let shown = match target.kind {
                    AttackKind::Tactic => {
                        let columns: Vec<String> = folds_onto
                            .iter()
                            .filter_map(|id| self.tactic(id))
                            .map(|t| format!("{} ({})", t.name, t.id))
                            .collect();
                        format!("counted as {} of {version}", columns.join(", "))
                    }
                    AttackKind::Technique
                        if folds_onto.is_empty()
                            || folds_onto == std::slice::from_ref(&target.id) =>
                    {
                        format!("shown as a provisional entry next to {version}")
                    }
                    AttackKind::Technique => {
                        let names: Vec<String> =
                            folds_onto.iter().map(|id| self.describe(id)).collect();
                        format!("counted on {} of {version}", names.join(", "))
                    }
                };
                out.push(Diagnostic::new(
                    ruledex_ir::DiagnosticSeverity::Note,
                    "ATT006",
                    format!(
                        "{} {} is from {provisional} (provisional table); {shown}",
                        target.id, target.name
                    ),
                ));
            }
            Resolution::Deprecated { target } => out.push(Diagnostic::warning(
                "ATT003",
                format!("{} {} is deprecated in {version}", target.id, target.name),
            )),
            Resolution::Revoked { target, by } => {
                let mut diagnostic = Diagnostic::warning(
                    "ATT002",
                    format!("{} {} is revoked in {version}", target.id, target.name),
                );
                if let Some(by) = by {
                    diagnostic = diagnostic.with_note(format!("use {} {}", by.id, by.name));
                }
                out.push(diagnostic);
            }
            Resolution::OtherDomain {
                written,
                domain,
                name,
            } => out.push(Diagnostic::new(
                ruledex_ir::DiagnosticSeverity::Note,
                "ATT007",
                format!(
                    "`{written}`{} belongs to {}, not Enterprise; it is not counted in coverage",
                    name.as_deref()
                        .filter(|n| name_key(n) != name_key(written))
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default(),
                    domain_display(domain)
                ),
            )),
            Resolution::Ambiguous {
                written,
                candidates,
            } => out.push(
                Diagnostic::warning(
                    "ATT008",
                    format!("`{written}` names several techniques; give the id"),
                )
                .with_note(format!(
                    "candidates: {}",
                    candidates
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ),
            Resolution::Unknown {
                written,
                suggestion,
            } => {
                let mut diagnostic = Diagnostic::warning(
                    "ATT001",
                    format!("`{written}` is not an ATT&CK tactic or technique in {version}"),
                );
                if let Some(suggestion) = suggestion {
                    diagnostic = diagnostic.with_note(format!(
                        "did you mean {} {}?",
                        suggestion.id, suggestion.name
                    ));
                }
                out.push(diagnostic);
            }
        }
        for problem in &finding.problems {
            out.push(match problem {
                Problem::NameMismatch {
                    id,
                    written,
                    expected,
                } => Diagnostic::warning(
                    "ATT004",
                    format!("{id} is named `{expected}` in {version}, not `{written}`"),
                ),
                Problem::NotInTactic {
                    technique,
                    tactic,
                    tactics,
                } => Diagnostic::warning(
                    "ATT005",
                    format!(
                        "{} is not a technique of {}",
                        self.describe(technique),
                        self.tactic(tactic)
                            .map_or(tactic.clone(), |t| t.name.clone())
                    ),
                )
                .with_note(format!("its tactics in {version}: {}", tactics.join(", "))),
                Problem::NotSubtechniqueOf { id, filed_under } => Diagnostic::warning(
                    "ATT009",
                    format!("{id} is not a sub-technique of {filed_under}"),
                ),
                Problem::MalformedId { written } => Diagnostic::warning(
                    "ATT010",
                    format!("`{}` is not an ATT&CK id", clip(written)),
                ),
            });
        }
        out
    }

    /// `T1562.001 Disable or Modify Tools`.
    fn describe(&self, id: &str) -> String {
        match self.technique(id) {
            Some(t) => format!("{} {}", t.id, t.name),
            None => id.to_string(),
        }
    }
}

/// A technique id inside text that is not one as a whole: `attackt1496`
/// → `T1496`, `1043` → `T1043`. Only the first four digits after a `t` (or
/// at the start) count, with an optional `.NNN`.
fn embedded_technique_id(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let starts = lower
        .char_indices()
        .filter(|(_, c)| *c == 't')
        .map(|(at, _)| at + 1)
        .chain(std::iter::once(0));
    for start in starts {
        let digits: String = lower[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.len() != 4 {
            continue;
        }
        let rest = &lower[start + 4..];
        let sub: String = rest
            .strip_prefix('.')
            .map(|r| r.chars().take_while(char::is_ascii_digit).collect())
            .unwrap_or_default();
        return Some(if sub.len() == 3 {
            format!("T{digits}.{sub}")
        } else {
            format!("T{digits}")
        });
    }
    None
}

fn technique_target(technique: &Technique) -> Target {
    Target {
        kind: AttackKind::Technique,
        id: technique.id.clone(),
        name: technique.name.clone(),
    }
}

fn tactic_target(id: &str, name: &str) -> Target {
    Target {
        kind: AttackKind::Tactic,
        id: id.to_string(),
        name: name.to_string(),
    }
}

fn written_of(reference: &AttackRef) -> String {
    let text = match (reference.id.as_deref(), reference.name.as_deref()) {
        (Some(id), Some(name)) => format!("{} {}", id.trim(), name.trim()),
        (Some(id), None) => id.trim().to_string(),
        (None, Some(name)) => name.trim().to_string(),
        (None, None) => String::new(),
    };
    clip(&text)
}

/// Text as shown in messages: at most 80 characters.
fn clip(text: &str) -> String {
    const SHOWN: usize = 80;
    if text.chars().count() <= SHOWN {
        text.to_string()
    } else {
        let mut clipped: String = text.chars().take(SHOWN).collect();
        clipped.push('…');
        clipped
    }
}
