//! The catalog: every rule of every configured source, loaded, normalized
//! and cross-referenced.
//!
//! This crate knows no rule language. Languages plug in as
//! [`ruledex_ir::RuleFormat`]s collected in a [`Formats`] registry by the
//! binary; ingest asks them to recognize and load each file.
//!
//! ```no_run
//! use ruledex_catalog::{load_roots, Formats, SourceRoot};
//!
//! let formats = Formats::new(); // the binary registers every language here
//! let files = load_roots(&[SourceRoot::from_path("rules/")], &formats, &|_| {});
//! let rules: usize = files.iter().map(|f| f.rules.len()).sum();
//! println!("{rules} rules");
//! ```

pub mod attack;
pub mod behaviour;
pub mod catalog;
pub mod changes;
pub mod config;
pub mod counts;
pub mod entry;
pub mod events;
pub mod git;
pub mod infer;
pub mod ingest;
pub mod normalize;
pub mod related;
pub mod search;
pub mod stats;

pub use attack::counts_in_coverage;
pub use behaviour::RuleKey;
pub use catalog::{Catalog, IngestReport};
pub use changes::{Change, ChangeBasis};
pub use config::{roots_from_paths, Config, ConfigError, SourceConfig, PUBLIC_SOURCES};
pub use counts::{IndicatorCounts, IndicatorIndex};
pub use entry::{class_id, Entry, SourceInfo};
pub use events::{EventIndex, EventUse, FieldUse, RuleEvent};
pub use ingest::{
    discover, load_file, load_roots, Formats, LoadedFile, SourceContexts, SourceRoot,
};
pub use normalize::{Action, Normalizer};
pub use related::{Evidence, Related, RelatedIndex, RelatedList, RelatedRank, SharedKey};
pub use ruledex_events::{Dictionary, Provider as DictionaryProvider};
pub use search::{SearchDoc, SearchError, SearchIndex, SearchResults, SEARCH_FILTERS};
pub use stats::LanguageStats;
