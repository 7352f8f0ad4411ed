//! The provisional ATT&CK v19.2 layer: reading the provisional table and
//! diff, merging it onto an official base, and linking v18 ids to v19 ids.
//!
//! The rule: the official base stays authoritative. The provisional table is
//! used only for ids the base does not know (they become techniques marked
//! [`Technique::provisional`]) and to note how v19.2 lists ids the base
//! does know ([`Technique::v19`]). Links say which v19.2 id took over which
//! v18.1 id, so coverage can put both on one matrix cell.
//!
//! The v18.1 → v19.2 diff lists what left the active list
//! (`removed_active_v18`) and what was added (`added`) but not which
//! replaced which. Pairs with exactly the same name are linked
//! automatically ([`LinkBasis::SameName`]); the others are judged by a
//! person and kept in `data/v18-v19-links.tsv` with a reason
//! ([`LinkBasis::Judged`]).

use crate::attack::{Attack, ProvisionalTactic};
use crate::error::AttackError;
use crate::model::{LinkBasis, Tactic, Technique, V19Listing, VersionInfo, VersionLink};
use crate::text::name_key;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One row of `enterprise-techniques-v19.2.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProvisionalTechnique {
    /// `T1685`.
    pub id: String,
    /// Its v19.2 name.
    pub name: String,
    /// v19.2 tactic short names.
    pub tactic_shortnames: Vec<String>,
    /// Parent id of a sub-technique.
    pub parent: Option<String>,
    /// True for sub-techniques.
    pub is_subtechnique: bool,
    /// Deprecated (as the table says).
    pub deprecated: bool,
    /// Revoked (as the table says).
    pub revoked: bool,
    /// Platforms, when the table has them.
    pub platforms: Vec<String>,
    /// Set on rows copied from v18.1 that are not active in v19.2.
    pub deprecated_or_revoked_in_v19: bool,
}

impl ProvisionalTechnique {
    /// Whether v19.2 lists it as active.
    pub fn active_in_v19(&self) -> bool {
        !self.deprecated_or_revoked_in_v19 && !self.deprecated && !self.revoked
    }
}

/// The parts of `diff-v18.1-to-v19.2.json` that linking needs.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProvisionalDiff {
    /// `"T1685 Disable or Modify Tools [defense-impairment]"`.
    pub added: Vec<String>,
    /// `"T1562.001 Disable or Modify Tools"`.
    pub removed_active_v18: Vec<String>,
}

/// The provisional v19.2 folder, read.
#[derive(Clone, Debug, Default)]
pub struct ProvisionalTable {
    /// Where it comes from, for the version stamp.
    pub version: VersionInfo,
    /// The v19.2 tactics.
    pub tactics: Vec<Tactic>,
    /// The v19.2 technique table (active rows and v18.1 leftovers).
    pub techniques: Vec<ProvisionalTechnique>,
    /// The v18.1 → v19.2 diff.
    pub diff: ProvisionalDiff,
}

impl ProvisionalTable {
    /// Read `tactics-v19.2.json`, `enterprise-techniques-v19.2.json` and
    /// `diff-v18.1-to-v19.2.json` from `dir`.
    pub fn read_dir(dir: impl AsRef<Path>) -> Result<ProvisionalTable, AttackError> {
        let dir = dir.as_ref();
        #[derive(Deserialize)]
        struct TacticRow {
            id: String,
            shortname: String,
            name: String,
            order: u16,
        }
        let tactics: Vec<TacticRow> = read(&dir.join("tactics-v19.2.json"))?;
        let techniques: Vec<ProvisionalTechnique> =
            read(&dir.join("enterprise-techniques-v19.2.json"))?;
        let diff: ProvisionalDiff = read(&dir.join("diff-v18.1-to-v19.2.json"))?;
        Ok(ProvisionalTable {
            version: VersionInfo {
                attack: "19.2".into(),
                domain: crate::stix::ENTERPRISE.into(),
                source: "provisional table transcribed from a third-party listing of the official v19.2 bundle".into(),
                commit: None,
                date: None,
            },
            tactics: tactics
                .into_iter()
                .map(|row| Tactic {
                    id: row.id,
                    shortname: row.shortname,
                    name: row.name,
                    order: row.order,
                })
                .collect(),
            techniques,
            diff,
        })
    }
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, AttackError> {
    let bytes = std::fs::read(path).map_err(|source| AttackError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| AttackError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Parse the hand-written judged links: `<v18 id> TAB <v19 id> TAB <reason>`
/// a line, `#` comments.
pub fn parse_judged_links(text: &str) -> Result<Vec<VersionLink>, AttackError> {
    let mut links = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [base, provisional, reason] = fields[..] else {
            return Err(AttackError::Table {
                line: index + 1,
                message: format!("expected 3 tab-separated fields, found {}", fields.len()),
            });
        };
        links.push(VersionLink {
            base: base.trim().to_string(),
            provisional: provisional.trim().to_string(),
            basis: LinkBasis::Judged(reason.trim().to_string()),
        });
    }
    Ok(links)
}

/// `"T1685 Disable or Modify Tools [defense-impairment]"` → (`T1685`,
/// `Disable or Modify Tools`).
fn split_diff_entry(entry: &str) -> Option<(&str, &str)> {
    let (id, rest) = entry.trim().split_once(' ')?;
    let name = match rest.rfind(" [") {
        Some(at) if rest.ends_with(']') => &rest[..at],
        _ => rest,
    };
    Some((id, name.trim()))
}

/// The links the diff proves by itself: a v18.1 technique that left the
/// active list and a v19.2 addition with exactly the same name.
pub fn same_name_links(diff: &ProvisionalDiff) -> Vec<VersionLink> {
    let added: Vec<(&str, String)> = diff
        .added
        .iter()
        .filter_map(|entry| split_diff_entry(entry))
        .map(|(id, name)| (id, name_key(name)))
        .collect();
    let mut links = Vec::new();
    for (base, name) in diff
        .removed_active_v18
        .iter()
        .filter_map(|entry| split_diff_entry(entry))
    {
        let key = name_key(name);
        for (provisional, _) in added.iter().filter(|(_, added_key)| *added_key == key) {
            links.push(VersionLink {
                base: base.to_string(),
                provisional: provisional.to_string(),
                basis: LinkBasis::SameName,
            });
        }
    }
    links
}

impl Attack {
    /// This knowledge base with the provisional table layered on: ids the
    /// base does not know become provisional techniques, ids it knows get
    /// their v19.2 listing, the v19.2 tactics are added with the base
    /// column each folds onto, and the same-name links plus `judged_links`
    /// connect v18.1 and v19.2 ids. A judged link naming an id that neither
    /// side knows is an error.
    pub fn with_provisional(
        &self,
        table: &ProvisionalTable,
        judged_links: &[VersionLink],
    ) -> Result<Attack, AttackError> {
        let mut parts = self.parts().clone();
        let base_ids: HashMap<String, usize> = parts
            .techniques
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let mut added = Vec::new();
        for row in table.techniques.iter().filter(|row| row.active_in_v19()) {
            let listing = V19Listing {
                name: row.name.clone(),
                tactics: row.tactic_shortnames.clone(),
            };
            match base_ids.get(&row.id) {
                Some(&index) => parts.techniques[index].v19 = Some(listing),
                None => added.push(Technique {
                    id: row.id.clone(),
                    name: row.name.clone(),
                    tactics: row.tactic_shortnames.clone(),
                    parent: row.parent.clone(),
                    is_subtechnique: row.is_subtechnique,
                    deprecated: false,
                    revoked: false,
                    revoked_by: None,
                    platforms: row.platforms.clone(),
                    data_components: Vec::new(),
                    provisional: true,
                    v19: Some(listing),
                }),
            }
        }
        parts.techniques.extend(added);

        let mut links = same_name_links(&table.diff);
        for link in judged_links {
            let known = |id: &str| parts.techniques.iter().any(|t| t.id == id);
            if !known(&link.base) || !known(&link.provisional) {
                return Err(AttackError::Invalid(format!(
                    "judged link {} → {} names an unknown id",
                    link.base, link.provisional
                )));
            }
            if !links
                .iter()
                .any(|l| l.base == link.base && l.provisional == link.provisional)
            {
                links.push(link.clone());
            }
        }
        links.sort_by(|a, b| (&a.base, &a.provisional).cmp(&(&b.base, &b.provisional)));
        parts.links = links;

        parts.provisional_tactics = fold_tactics(
            &parts.tactics,
            &table.tactics,
            &parts.techniques,
            &parts.links,
        );
        parts.provisional_version = Some(table.version.clone());
        Attack::from_parts(parts)
    }

    /// This knowledge base with `donor`'s provisional layer (for example the
    /// embedded one) copied onto it, for ids this base does not know. Use it
    /// after loading your own STIX data to keep v19 ids resolvable.
    pub fn with_provisional_from(&self, donor: &Attack) -> Result<Attack, AttackError> {
        let Some(version) = donor.provisional_version() else {
            return Ok(self.clone());
        };
        let mut parts = self.parts().clone();
        let own: HashMap<String, usize> = parts
            .techniques
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let mut added = Vec::new();
        for technique in donor.techniques() {
            match own.get(&technique.id) {
                Some(&index) if parts.techniques[index].v19.is_none() => {
                    parts.techniques[index].v19 = technique.v19.clone();
                }
                Some(_) => {}
                None if technique.provisional => added.push(technique.clone()),
                None => {}
            }
        }
        parts.techniques.extend(added);
        let known: Vec<&str> = parts.techniques.iter().map(|t| t.id.as_str()).collect();
        parts.links = donor
            .links()
            .iter()
            .filter(|l| known.contains(&l.base.as_str()) && known.contains(&l.provisional.as_str()))
            .cloned()
            .collect();
        let donor_tactics: Vec<Tactic> = donor
            .provisional_tactics()
            .iter()
            .map(|p| p.tactic.clone())
            .collect();
        parts.provisional_tactics = fold_tactics(
            &parts.tactics,
            &donor_tactics,
            &parts.techniques,
            &parts.links,
        );
        parts.provisional_version = Some(version.clone());
        Attack::from_parts(parts)
    }
}

/// Decide the base column each provisional tactic lands in. A tactic whose
/// id the base has lands there (v19 Stealth is TA0005, Defense Evasion
/// renamed). A new tactic lands where most of its techniques came from: the
/// base tactics of the base techniques linked to its techniques, and of its
/// techniques that the base already has (Defense Impairment → Defense
/// Evasion).
fn fold_tactics(
    base: &[Tactic],
    provisional: &[Tactic],
    techniques: &[Technique],
    links: &[VersionLink],
) -> Vec<ProvisionalTactic> {
    let by_id: HashMap<&str, &Technique> = techniques.iter().map(|t| (t.id.as_str(), t)).collect();
    provisional
        .iter()
        .map(|tactic| {
            let folds_onto = match base.iter().find(|b| b.id == tactic.id) {
                Some(same) => same.shortname.clone(),
                None => {
                    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
                    for technique in techniques {
                        let in_tactic = technique
                            .v19
                            .as_ref()
                            .is_some_and(|v| v.tactics.contains(&tactic.shortname));
                        if !in_tactic {
                            continue;
                        }
                        let mut sources: Vec<&Technique> = Vec::new();
                        if technique.provisional {
                            sources.extend(
                                links
                                    .iter()
                                    .filter(|l| l.provisional == technique.id)
                                    .filter_map(|l| by_id.get(l.base.as_str()).copied()),
                            );
                        } else {
                            sources.push(technique);
                        }
                        for source in sources.into_iter().filter(|s| !s.provisional) {
                            for shortname in &source.tactics {
                                *votes.entry(shortname.as_str()).or_default() += 1;
                            }
                        }
                    }
                    votes
                        .into_iter()
                        .max_by_key(|(_, count)| *count)
                        .map(|(shortname, _)| shortname.to_string())
                        .unwrap_or_default()
                }
            };
            ProvisionalTactic {
                tactic: tactic.clone(),
                folds_onto,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_entries_split_into_id_and_name() {
        assert_eq!(
            split_diff_entry("T1685 Disable or Modify Tools [defense-impairment]"),
            Some(("T1685", "Disable or Modify Tools"))
        );
        assert_eq!(
            split_diff_entry("T1562.001 Disable or Modify Tools"),
            Some(("T1562.001", "Disable or Modify Tools"))
        );
        assert_eq!(split_diff_entry("T1562"), None);
    }

    #[test]
    fn same_name_pairs_only() {
        let diff = ProvisionalDiff {
            added: vec![
                "T1685 Disable or Modify Tools [defense-impairment]".into(),
                "T1690 Prevent Command History Logging [defense-impairment]".into(),
            ],
            removed_active_v18: vec![
                "T1562.001 Disable or Modify Tools".into(),
                "T1562.003 Impair Command History Logging".into(),
            ],
        };
        let links = same_name_links(&diff);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].base, "T1562.001");
        assert_eq!(links[0].provisional, "T1685");
        assert_eq!(links[0].basis, LinkBasis::SameName);
    }

    #[test]
    fn judged_links_parse_and_reject_short_lines() {
        let links = parse_judged_links("# comment\nT1562.003\tT1690\tsame behaviour\n").unwrap();
        assert_eq!(links.len(), 1);
        assert!(matches!(links[0].basis, LinkBasis::Judged(ref r) if r == "same behaviour"));
        assert!(parse_judged_links("T1562.003\tT1690\n").is_err());
    }
}
