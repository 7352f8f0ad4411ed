//! The ATT&CK objects ruledex keeps: tactics, techniques, data components,
//! the version stamp, and the links between ATT&CK v18 and v19 ids.
//!
//! Only facts are kept (ids, names, tactic membership, parents, status,
//! platforms, data component ids). MITRE's descriptions are not.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A tactic: one column of the matrix (`TA0001` Initial Access).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tactic {
    /// The ATT&CK id (`TA0001`).
    pub id: String,
    /// The short name ATT&CK uses in kill chain phases and Navigator layers
    /// (`initial-access`).
    pub shortname: String,
    /// The display name (`Initial Access`).
    pub name: String,
    /// 1-based position in the matrix, left to right.
    pub order: u16,
}

/// Whether a technique is current.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Current.
    Active,
    /// Deprecated: withdrawn without a replacement.
    Deprecated,
    /// Revoked: replaced by another object (see [`Technique::revoked_by`]).
    Revoked,
}

impl Status {
    /// `active`, `deprecated` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Deprecated => "deprecated",
            Status::Revoked => "revoked",
        }
    }

    /// Parse [`Status::as_str`].
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "active" => Some(Status::Active),
            "deprecated" => Some(Status::Deprecated),
            "revoked" => Some(Status::Revoked),
            _ => None,
        }
    }
}

/// How the provisional ATT&CK v19.2 table lists a technique that is active
/// there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct V19Listing {
    /// The v19.2 name (differs from the base name for renamed techniques:
    /// T1211 became "Exploitation for Stealth").
    pub name: String,
    /// The v19.2 tactic short names (`stealth`, `defense-impairment`, …).
    pub tactics: Vec<String>,
}

/// A technique or sub-technique (`T1059`, `T1059.001`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Technique {
    /// The ATT&CK id (`T1059.001`).
    pub id: String,
    /// The name (`PowerShell`); for a sub-technique, without its parent's.
    pub name: String,
    /// Short names of the tactics it belongs to (`execution`). For a
    /// provisional technique these are v19 short names.
    pub tactics: Vec<String>,
    /// The parent technique of a sub-technique.
    pub parent: Option<String>,
    /// True for sub-techniques.
    pub is_subtechnique: bool,
    /// Deprecated in the base version.
    pub deprecated: bool,
    /// Revoked in the base version.
    pub revoked: bool,
    /// The object that replaces a revoked technique, when ATT&CK names one.
    pub revoked_by: Option<String>,
    /// Platforms (`Windows`, `IaaS`, …).
    pub platforms: Vec<String>,
    /// Data components (`DC0001`) whose analytics detect it.
    pub data_components: Vec<String>,
    /// Known only from the provisional ATT&CK v19.2 table: the official
    /// base data does not have this id.
    pub provisional: bool,
    /// How the provisional v19.2 table lists it, when it is active there.
    pub v19: Option<V19Listing>,
}

impl Technique {
    /// Active, deprecated or revoked.
    pub fn status(&self) -> Status {
        if self.revoked {
            Status::Revoked
        } else if self.deprecated {
            Status::Deprecated
        } else {
            Status::Active
        }
    }

    /// True when neither deprecated nor revoked.
    pub fn is_active(&self) -> bool {
        self.status() == Status::Active
    }

    /// The technique's page on attack.mitre.org.
    pub fn url(&self) -> String {
        technique_url(&self.id)
    }
}

/// The attack.mitre.org page of a technique id (`T1059.001` →
/// `https://attack.mitre.org/techniques/T1059/001/`).
pub fn technique_url(id: &str) -> String {
    format!(
        "https://attack.mitre.org/techniques/{}/",
        id.replace('.', "/")
    )
}

/// The attack.mitre.org page of a tactic id.
pub fn tactic_url(id: &str) -> String {
    format!("https://attack.mitre.org/tactics/{id}/")
}

/// Where a knowledge base (or a provisional layer of it) comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// The ATT&CK version (`18.1`).
    pub attack: String,
    /// The ATT&CK domain (`enterprise-attack`).
    pub domain: String,
    /// Where the data was taken from (`github.com/mitre/cti`).
    pub source: String,
    /// The source commit, when known.
    pub commit: Option<String>,
    /// The date of that commit, when known.
    pub date: Option<String>,
}

impl VersionInfo {
    /// The major version (`18` for `18.1`), as the ATT&CK Navigator wants it
    /// in a layer's `versions.attack`.
    pub fn major(&self) -> &str {
        let text = self.attack.trim_start_matches(['v', 'V']);
        text.split('.').next().unwrap_or(text)
    }
}

/// Why a v18 id and a v19 id are taken to name the same behaviour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "basis", content = "reason")]
pub enum LinkBasis {
    /// The v18.1 technique left the active list in v19.2 and a technique
    /// added in v19.2 has exactly its name (computed by the generator).
    SameName,
    /// Matched by a person reading both names; the reason says why.
    Judged(String),
}

/// A v18.1 id and the v19.2 id that took over its behaviour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionLink {
    /// The id in the base version (`T1562.001`).
    pub base: String,
    /// The id in the provisional version (`T1685`).
    pub provisional: String,
    /// Why they are linked.
    #[serde(flatten)]
    pub basis: LinkBasis,
}

/// ATT&CK object kinds that rules tag but that are neither tactics nor
/// techniques (Sigma `attack.g0069`, `attack.s0002`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectKind {
    /// `G0001`.
    Group,
    /// `S0001`.
    Software,
    /// `M1001`.
    Mitigation,
    /// `C0001`.
    Campaign,
    /// `DS0001`.
    DataSource,
    /// `DC0001`.
    DataComponent,
    /// `DET0001`.
    DetectionStrategy,
    /// `AN0001`.
    Analytic,
}

impl ObjectKind {
    /// The id prefix (`G`, `DS`).
    pub fn prefix(self) -> &'static str {
        match self {
            ObjectKind::Group => "G",
            ObjectKind::Software => "S",
            ObjectKind::Mitigation => "M",
            ObjectKind::Campaign => "C",
            ObjectKind::DataSource => "DS",
            ObjectKind::DataComponent => "DC",
            ObjectKind::DetectionStrategy => "DET",
            ObjectKind::Analytic => "AN",
        }
    }

    /// Every kind, longest prefix first so prefix matching is unambiguous.
    pub const ALL: [ObjectKind; 8] = [
        ObjectKind::DetectionStrategy,
        ObjectKind::DataSource,
        ObjectKind::DataComponent,
        ObjectKind::Analytic,
        ObjectKind::Group,
        ObjectKind::Software,
        ObjectKind::Mitigation,
        ObjectKind::Campaign,
    ];
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::Group => "group",
            ObjectKind::Software => "software",
            ObjectKind::Mitigation => "mitigation",
            ObjectKind::Campaign => "campaign",
            ObjectKind::DataSource => "data source",
            ObjectKind::DataComponent => "data component",
            ObjectKind::DetectionStrategy => "detection strategy",
            ObjectKind::Analytic => "analytic",
        })
    }
}
