//! MITRE ATT&CK Enterprise for ruledex: the knowledge base, the resolution of
//! what rules write, coverage on the matrix, and Navigator layers.
//!
//! - [`Attack::embedded`]: ATT&CK v18.1 Enterprise compiled into the crate
//!   (a compact table generated from MITRE's STIX data, `data/enterprise.tsv`),
//!   with a provisional ATT&CK v19.2 layer for ids v18.1 does not know, so
//!   the CLI works offline. [`Attack::from_stix_dir`] and
//!   [`Attack::from_stix_bundle`] load newer data (mitre/cti folder or one
//!   `enterprise-attack.json` bundle).
//! - [`written`]: how each rule format writes references (Sigma tags,
//!   Sentinel tactic names, Elastic threat blocks, Splunk
//!   `mitre_attack_id`, Panther `TA0002:T1059`, Chronicle `meta:`), as
//!   [`ruledex_ir::AttackRef`]s.
//! - [`Attack::resolve`]: a reference in, a [`Finding`] out (known,
//!   provisional, revoked, deprecated, another domain, unknown, plus problems
//!   such as a name that does not match its id); [`Attack::diagnostics`]
//!   turns it into diagnostics with stable codes (`ATT001`…, see
//!   [`resolve`]).
//! - [`Attack::coverage`], [`Attack::techniques_by_tactic`]: matrix cells,
//!   with sub-techniques rolled up and v19 ids folded onto v18 cells.
//! - [`Attack::navigator_layer`]: an ATT&CK Navigator layer (format 4.5).
//!
//! # Versions
//!
//! The matrix is ATT&CK v18.1, the official data ([`Attack::version_label`]
//! gives "ATT&CK v18.1" for pages). Rule repositories moved to v19 during
//! 2026 (Sigma tags `attack.t1685`, `attack.stealth`) while others still
//! write v18 ids (Elastic `T1562.001`). v19 ids resolve as
//! [`Resolution::Provisional`] and fold onto the v18 cell they took over, so
//! both land on the same cell; tactic Stealth (TA0005) and the new Defense
//! Impairment (TA0112) fold onto Defense Evasion. Pages say "provisional
//! v19.2" next to anything that comes from the provisional table.
//!
//! # Example
//!
//! ```
//! use ruledex_attack::{written, Attack, Resolution};
//!
//! let attack = Attack::embedded();
//! assert_eq!(attack.version_label(), "ATT&CK v18.1");
//!
//! // A Sigma tag in v19 terms and an Elastic id in v18 terms…
//! let sigma = attack.resolve(&written::sigma_tag("attack.t1685").unwrap());
//! let elastic = attack.resolve(&written::id("T1562.001"));
//! assert!(matches!(sigma.resolution, Resolution::Provisional { .. }));
//! // …land on the same matrix cell.
//! assert_eq!(attack.coverage(&[sigma.clone()]), attack.coverage(&[elastic]));
//! // The v19 id earns a note saying so.
//! assert_eq!(attack.diagnostics(&sigma)[0].code, "ATT006");
//!
//! // A Navigator layer scoring both, for ATT&CK 18.
//! let layer = attack.navigator_layer(
//!     [("T1562.001", 1.0, "elastic rule"), ("T1685", 1.0, "sigma rule")],
//!     "coverage",
//!     "rules per technique",
//! );
//! assert_eq!(layer["versions"]["attack"], "18");
//! assert_eq!(layer["techniques"][0]["techniqueID"], "T1562.001");
//! assert_eq!(layer["techniques"][0]["score"], 2.0);
//! ```
//!
//! # Regenerating the embedded table
//!
//! ```text
//! cargo run -p ruledex-attack --example generate -- /path/to/attack
//! ```
//!
//! where `/path/to/attack` holds `enterprise-attack/` (mitre/cti layout),
//! its `VERSION.json`, and `v19.2-provisional/`. The generator loads the
//! STIX folder with [`Attack::from_stix_dir`], checks the counts against
//! `VERSION.json`, layers the provisional table on with
//! [`Attack::with_provisional`] (same-name links computed, judged links from
//! `data/v18-v19-links.tsv`), and writes `data/enterprise.tsv`.

pub mod attack;
pub mod coverage;
pub mod domains;
pub mod error;
pub mod model;
pub mod navigator;
pub mod provisional;
pub mod resolve;
pub mod stix;
pub mod table;
pub mod text;
pub mod written;

pub use attack::{Attack, AttackParts, Counts, ProvisionalTactic};
pub use coverage::{Cell, MatrixCell, MatrixColumn};
pub use error::AttackError;
pub use model::{
    tactic_url, technique_url, LinkBasis, ObjectKind, Status, Tactic, Technique, V19Listing,
    VersionInfo, VersionLink,
};
pub use navigator::{LayerScore, LAYER_FORMAT, NAVIGATOR_VERSION};
pub use provisional::ProvisionalTable;
pub use resolve::{
    tactic_ref, technique_ref, Finding, Problem, Resolution, Target, TechniqueEntry, ThreatEntry,
};
pub use text::{name_key, parse_id, AttackId};
