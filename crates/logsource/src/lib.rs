//! Log sources and field vocabularies: the normalization tables of ruledex.
//!
//! Rules in different languages name the same data differently: Sentinel
//! reads the `SigninLogs` table, Sigma `product: azure, service: signinlogs`,
//! Elastic `logs-azure.signinlogs-*`, Panther `Azure.Audit`. This crate holds
//! the tables, written by hand from public facts, that let the catalog see
//! they are one log source, what the *operation* field of each source is,
//! which service an operation belongs to, and which field names mean the same
//! thing:
//!
//! - [`LogSources`]: the log-source table (`data/logsources.toml`) and the
//!   provider inference table (`data/providers.toml`). [`LogSources::identify`]
//!   turns a rule's data sources and [`Filter`]s into log sources with
//!   evidence; [`LogSources::operation_fields`],
//!   [`LogSources::normalize_operation`], [`LogSources::infer_provider`] and
//!   [`LogSources::operation_key`] give the action.
//! - [`FieldMap`]: canonical fields (ECS names where they exist) and their
//!   names per [`Vocabulary`] (`data/fields.toml`), scoped to log sources
//!   where one column means different things on different tables.
//!
//! There is no catalog logic here: the catalog uses these tables.
//!
//! ```
//! use ruledex_ir::{DataSource, DataSourceKind, Platform};
//! use ruledex_logsource::{FieldMap, Filter, LogSources, Vocabulary};
//!
//! let sources = LogSources::embedded();
//!
//! // An Elastic rule over the CloudTrail index, filtering ConsoleLogin.
//! let index = DataSource::new(DataSourceKind::Index, "logs-aws.cloudtrail-*");
//! let found = sources.identify(Platform::Elastic, &[index], &[]);
//! assert_eq!(found[0].logsource.id, "aws.cloudtrail");
//! assert_eq!(sources.operation_fields("aws.cloudtrail", Platform::Elastic)[0], "event.action");
//! assert_eq!(
//!     sources.operation_key("aws.cloudtrail", None, "consolelogin"),
//!     "signin.amazonaws.com:ConsoleLogin",
//! );
//!
//! // A Sentinel SecurityEvent query on event 4688 is process creation.
//! let table = DataSource::new(DataSourceKind::Table, "SecurityEvent");
//! let found = sources.identify(Platform::Sentinel, &[table], &[Filter::new("EventID", ["4688"])]);
//! assert_eq!(found[0].logsource.id, "windows.process_creation");
//!
//! // Field names across vocabularies.
//! let fields = FieldMap::embedded();
//! assert_eq!(fields.canonical(Vocabulary::Udm, None, "target.process.command_line"), Some("process.command_line"));
//! ```

mod error;
mod fields;
mod filter;
mod logsources;
mod text;

pub use error::DataError;
pub use fields::{Field, FieldMap, FieldName, Vocabulary};
pub use filter::Filter;
pub use logsources::{
    Category, Condition, Evidence, Identified, LogSource, LogSources, NameKind, OperationCase,
    PlatformNames, Selector, SigmaLogsource,
};
