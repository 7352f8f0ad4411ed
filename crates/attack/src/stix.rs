//! Loaders for MITRE's STIX 2.1 data, in both layouts MITRE publishes:
//!
//! - the mitre/cti folder (`enterprise-attack/attack-pattern/*.json`, …),
//!   each file a bundle holding one object, relationships in
//!   `relationship/` (or gathered in one file such as
//!   `relationships-subset.json`);
//! - one bundle file (`enterprise-attack.json` of mitre-attack/attack-stix-data),
//!   which also carries an `x-mitre-collection` object with the version.
//!
//! Only the facts the model keeps are read; descriptions are skipped.

use crate::attack::{Attack, AttackParts, Counts};
use crate::error::AttackError;
use crate::model::{Tactic, Technique, VersionInfo};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The ATT&CK domain ruledex loads.
pub const ENTERPRISE: &str = "enterprise-attack";

/// Deepest folder nesting walked under a STIX folder.
const MAX_WALK_DEPTH: usize = 8;

impl Attack {
    /// Load a STIX 2.1 folder in the mitre/cti layout. `path` may be the
    /// `enterprise-attack` folder itself or a folder holding it. A
    /// `VERSION.json` in `path` (or, for the `enterprise-attack` folder, in
    /// its parent) with `attack_version`, `source`, `commit`, `commit_date`
    /// and `counts` stamps the version; otherwise the version is `unknown`
    /// unless the data carries an `x-mitre-collection` object.
    pub fn from_stix_dir(path: impl AsRef<Path>) -> Result<Attack, AttackError> {
        let path = path.as_ref();
        let (data_dir, version_file) = if path.join(ENTERPRISE).is_dir() {
            (path.join(ENTERPRISE), path.join("VERSION.json"))
        } else {
            let parent_version = path
                .parent()
                .map(|parent| parent.join("VERSION.json"))
                .unwrap_or_default();
            let own_version = path.join("VERSION.json");
            let version_file = if own_version.is_file() {
                own_version
            } else {
                parent_version
            };
            (path.to_path_buf(), version_file)
        };
        let mut files = Vec::new();
        collect_json_files(&data_dir, 0, &mut files)?;
        files.sort();
        let mut collector = Collector::default();
        for file in &files {
            let value = read_json(file)?;
            collector.add_document(value);
        }
        let stamp = if version_file.is_file() {
            Some(read_version_file(&version_file)?)
        } else {
            None
        };
        collector.build(stamp)
    }

    /// Load one STIX 2.1 bundle file (`enterprise-attack.json`).
    pub fn from_stix_bundle(path: impl AsRef<Path>) -> Result<Attack, AttackError> {
        let path = path.as_ref();
        let value = read_json(path)?;
        Attack::from_stix_value(value)
    }

    /// Load STIX 2.1 from JSON already in memory: a bundle, a list of
    /// objects, or one object.
    pub fn from_stix_json(text: &str) -> Result<Attack, AttackError> {
        let value: Value = serde_json::from_str(text).map_err(|source| AttackError::Json {
            path: PathBuf::from("<memory>"),
            source,
        })?;
        Attack::from_stix_value(value)
    }

    fn from_stix_value(value: Value) -> Result<Attack, AttackError> {
        let mut collector = Collector::default();
        collector.add_document(value);
        collector.build(None)
    }
}

/// What a `VERSION.json` beside a STIX folder says.
struct VersionStamp {
    info: VersionInfo,
    counts: Option<Counts>,
}

fn read_version_file(path: &Path) -> Result<VersionStamp, AttackError> {
    #[derive(Deserialize)]
    struct VersionFile {
        attack_version: Option<String>,
        domain: Option<String>,
        source: Option<String>,
        commit: Option<String>,
        commit_date: Option<String>,
        counts: Option<Counts>,
    }
    let value = read_json(path)?;
    let file: VersionFile = serde_json::from_value(value).map_err(|source| AttackError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(VersionStamp {
        info: VersionInfo {
            attack: file.attack_version.unwrap_or_else(|| "unknown".into()),
            domain: file.domain.unwrap_or_else(|| ENTERPRISE.into()),
            source: file.source.unwrap_or_default(),
            commit: file.commit,
            date: file.commit_date,
        },
        counts: file.counts,
    })
}

fn read_json(path: &Path) -> Result<Value, AttackError> {
    let bytes = std::fs::read(path).map_err(|source| AttackError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| AttackError::Json {
        path: path.to_path_buf(),
        source,
    })
}

fn collect_json_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), AttackError> {
    if depth > MAX_WALK_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| AttackError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| AttackError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|source| AttackError::Io {
            path: path.clone(),
            source,
        })?;
        if file_type.is_dir() {
            collect_json_files(&path, depth + 1, out)?;
        } else if path.extension().is_some_and(|ext| ext == "json")
            && path.file_name().is_some_and(|name| name != "VERSION.json")
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The fields of a STIX object the model needs. Everything is optional and
/// unknown fields are ignored, so objects of newer specification versions
/// still load.
#[derive(Default, Deserialize)]
#[serde(default)]
struct StixObject {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    name: Option<String>,
    external_references: Option<Vec<ExternalReference>>,
    kill_chain_phases: Option<Vec<KillChainPhase>>,
    x_mitre_is_subtechnique: Option<bool>,
    x_mitre_deprecated: Option<bool>,
    revoked: Option<bool>,
    x_mitre_platforms: Option<Vec<String>>,
    x_mitre_shortname: Option<String>,
    x_mitre_domains: Option<Vec<String>>,
    x_mitre_version: Option<String>,
    tactic_refs: Option<Vec<String>>,
    relationship_type: Option<String>,
    source_ref: Option<String>,
    target_ref: Option<String>,
    x_mitre_analytic_refs: Option<Vec<String>>,
    x_mitre_log_source_references: Option<Vec<LogSourceReference>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ExternalReference {
    source_name: Option<String>,
    external_id: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct KillChainPhase {
    kill_chain_name: Option<String>,
    phase_name: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct LogSourceReference {
    x_mitre_data_component_ref: Option<String>,
}

impl StixObject {
    /// The ATT&CK id (`T1059.001`, `TA0002`, `DC0001`).
    fn attack_id(&self) -> Option<&str> {
        self.external_references
            .as_deref()?
            .iter()
            .find(|r| {
                matches!(
                    r.source_name.as_deref(),
                    Some("mitre-attack" | "mitre-ics-attack" | "mitre-mobile-attack")
                )
            })
            .and_then(|r| r.external_id.as_deref())
    }

    fn in_enterprise(&self) -> bool {
        match &self.x_mitre_domains {
            Some(domains) if !domains.is_empty() => domains.iter().any(|d| d == ENTERPRISE),
            _ => true,
        }
    }

    fn deprecated(&self) -> bool {
        self.x_mitre_deprecated.unwrap_or(false)
    }

    fn revoked(&self) -> bool {
        self.revoked.unwrap_or(false)
    }
}

/// Gathers objects from any number of documents, then builds the model.
#[derive(Default)]
struct Collector {
    objects: Vec<StixObject>,
    skipped: usize,
}

impl Collector {
    /// Take the objects of a bundle (`{"type": "bundle", "objects": [...]}`),
    /// of any object with an `objects` list, of a plain list, or a single
    /// object. JSON that is none of these is ignored.
    fn add_document(&mut self, value: Value) {
        let items = match value {
            Value::Array(items) => items,
            Value::Object(mut map) => match map.remove("objects") {
                Some(Value::Array(items)) => items,
                Some(_) => Vec::new(),
                None if map.contains_key("type") && map.contains_key("id") => {
                    vec![Value::Object(map)]
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        for item in items {
            match serde_json::from_value::<StixObject>(item) {
                Ok(object) if !object.kind.is_empty() => self.objects.push(object),
                _ => self.skipped += 1,
            }
        }
    }

    fn build(self, stamp: Option<VersionStamp>) -> Result<Attack, AttackError> {
        let by_stix_id: HashMap<&str, &StixObject> =
            self.objects.iter().map(|o| (o.id.as_str(), o)).collect();
        let attack_id_of = |stix_id: &str| -> Option<String> {
            by_stix_id
                .get(stix_id)
                .and_then(|o| o.attack_id())
                .map(str::to_string)
        };

        // Tactics, ordered by the enterprise matrix.
        let matrix = self.objects.iter().find(|o| {
            o.kind == "x-mitre-matrix"
                && !o.revoked()
                && !o.deprecated()
                && o.attack_id() == Some(ENTERPRISE)
        });
        let matrix = matrix.or_else(|| {
            self.objects
                .iter()
                .find(|o| o.kind == "x-mitre-matrix" && !o.revoked() && !o.deprecated())
        });
        let mut tactics: Vec<Tactic> = Vec::new();
        let tactic_from = |object: &StixObject, order: u16| -> Option<Tactic> {
            Some(Tactic {
                id: object.attack_id()?.to_string(),
                shortname: object.x_mitre_shortname.clone()?,
                name: object.name.clone()?,
                order,
            })
        };
        match matrix.and_then(|m| m.tactic_refs.as_ref()) {
            Some(refs) => {
                for (position, stix_id) in refs.iter().enumerate() {
                    let order = u16::try_from(position + 1).unwrap_or(u16::MAX);
                    if let Some(tactic) = by_stix_id
                        .get(stix_id.as_str())
                        .and_then(|object| tactic_from(object, order))
                    {
                        tactics.push(tactic);
                    }
                }
            }
            None => {
                // No matrix object: every current enterprise tactic, by id.
                let mut found: Vec<&StixObject> = self
                    .objects
                    .iter()
                    .filter(|o| {
                        o.kind == "x-mitre-tactic"
                            && o.in_enterprise()
                            && !o.revoked()
                            && !o.deprecated()
                    })
                    .collect();
                found.sort_by_key(|o| o.attack_id().unwrap_or_default().to_string());
                for (position, object) in found.into_iter().enumerate() {
                    let order = u16::try_from(position + 1).unwrap_or(u16::MAX);
                    if let Some(tactic) = tactic_from(object, order) {
                        tactics.push(tactic);
                    }
                }
            }
        }
        let tactic_order: HashMap<String, u16> = tactics
            .iter()
            .map(|t| (t.shortname.clone(), t.order))
            .collect();

        // Relationships.
        let mut parent_of: HashMap<&str, String> = HashMap::new();
        let mut revoked_by: HashMap<&str, String> = HashMap::new();
        let mut components_of: HashMap<&str, BTreeSet<String>> = HashMap::new();
        for relationship in self.objects.iter().filter(|o| o.kind == "relationship") {
            if relationship.revoked() || relationship.deprecated() {
                continue;
            }
            let (Some(source), Some(target)) = (
                relationship.source_ref.as_deref(),
                relationship.target_ref.as_deref(),
            ) else {
                continue;
            };
            match relationship.relationship_type.as_deref() {
                Some("subtechnique-of") => {
                    if let Some(parent) = attack_id_of(target) {
                        parent_of.insert(source, parent);
                    }
                }
                Some("revoked-by") => {
                    if let Some(replacement) = attack_id_of(target) {
                        revoked_by.insert(source, replacement);
                    }
                }
                Some("detects") => {
                    let Some(detector) = by_stix_id.get(source) else {
                        continue;
                    };
                    let components = components_of.entry(target).or_default();
                    match detector.kind.as_str() {
                        // ATT&CK v18: detection strategy → analytics → log
                        // sources → data components.
                        "x-mitre-detection-strategy" => {
                            for analytic in detector.x_mitre_analytic_refs.iter().flatten() {
                                let Some(analytic) = by_stix_id.get(analytic.as_str()) else {
                                    continue;
                                };
                                for log_source in
                                    analytic.x_mitre_log_source_references.iter().flatten()
                                {
                                    if let Some(id) = log_source
                                        .x_mitre_data_component_ref
                                        .as_deref()
                                        .and_then(attack_id_of)
                                    {
                                        components.insert(id);
                                    }
                                }
                            }
                        }
                        // ATT&CK v17 and earlier: the data component itself.
                        "x-mitre-data-component" => {
                            if let Some(id) = detector.attack_id() {
                                components.insert(id.to_string());
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }

        // Techniques.
        let mut techniques = Vec::new();
        for object in self.objects.iter().filter(|o| o.kind == "attack-pattern") {
            if !object.in_enterprise() {
                continue;
            }
            let Some(id) = object.attack_id() else {
                continue;
            };
            let Some(name) = object.name.clone() else {
                continue;
            };
            let mut technique_tactics: Vec<String> = object
                .kill_chain_phases
                .iter()
                .flatten()
                .filter(|phase| phase.kill_chain_name.as_deref() == Some("mitre-attack"))
                .filter_map(|phase| phase.phase_name.clone())
                .collect();
            technique_tactics.sort_by_key(|shortname| {
                (
                    tactic_order.get(shortname).copied().unwrap_or(u16::MAX),
                    shortname.clone(),
                )
            });
            technique_tactics.dedup();
            let is_subtechnique = object.x_mitre_is_subtechnique.unwrap_or(id.contains('.'));
            let parent = parent_of.get(object.id.as_str()).cloned().or_else(|| {
                is_subtechnique
                    .then(|| id.split_once('.').map(|(parent, _)| parent.to_string()))
                    .flatten()
            });
            let mut platforms = object.x_mitre_platforms.clone().unwrap_or_default();
            platforms.sort_by_key(|p| p.to_lowercase());
            platforms.dedup();
            techniques.push(Technique {
                id: id.to_string(),
                name,
                tactics: technique_tactics,
                parent,
                is_subtechnique,
                deprecated: object.deprecated(),
                revoked: object.revoked(),
                revoked_by: revoked_by.get(object.id.as_str()).cloned(),
                platforms,
                data_components: components_of
                    .get(object.id.as_str())
                    .map(|set| set.iter().cloned().collect())
                    .unwrap_or_default(),
                provisional: false,
                v19: None,
            });
        }

        let data_components: BTreeMap<String, String> = self
            .objects
            .iter()
            .filter(|o| o.kind == "x-mitre-data-component" && !o.revoked())
            .filter_map(|o| Some((o.attack_id()?.to_string(), o.name.clone()?)))
            .collect();

        let collection = self.objects.iter().find(|o| o.kind == "x-mitre-collection");
        let (version, stamped_counts) = match (stamp, collection) {
            (Some(stamp), _) => (stamp.info, stamp.counts),
            (None, Some(collection)) => (
                VersionInfo {
                    attack: collection
                        .x_mitre_version
                        .clone()
                        .unwrap_or_else(|| "unknown".into()),
                    domain: ENTERPRISE.into(),
                    source: collection.name.clone().unwrap_or_default(),
                    commit: None,
                    date: None,
                },
                None,
            ),
            (None, None) => (
                VersionInfo {
                    attack: "unknown".into(),
                    domain: ENTERPRISE.into(),
                    ..VersionInfo::default()
                },
                None,
            ),
        };

        if techniques.is_empty() {
            return Err(AttackError::Invalid(format!(
                "no ATT&CK techniques among {} STIX objects ({} not STIX objects)",
                self.objects.len(),
                self.skipped
            )));
        }
        Attack::from_parts(AttackParts {
            version,
            provisional_version: None,
            tactics,
            provisional_tactics: Vec::new(),
            techniques,
            data_components,
            links: Vec::new(),
            stamped_counts,
        })
    }
}
