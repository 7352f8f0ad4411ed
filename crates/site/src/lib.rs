//! The ruledex web site: every page of the catalog rendered by one
//! renderer, written as a static site or served with a JSON API.
//!
//! - [`Site`] indexes a [`ruledex_catalog::Catalog`] for the pages (fields,
//!   indicator values, log sources, actions, techniques).
//! - [`render`] renders the page at a site path ([`paths`] has the URL
//!   scheme) with relative links ([`LinkStyle::Relative`], the static site)
//!   or absolute ones ([`LinkStyle::Absolute`], the server). Templates are
//!   compiled [askama] templates, so all rule text is HTML-escaped;
//!   descriptions are Markdown sanitized by [`markdown`]; rule bodies are
//!   coloured by the small [`highlight`]er.
//! - [`static_site::build`] writes every page to a folder, with a
//!   client-side search index ([`search_index`]).
//! - [`server`] serves the same pages, server-side search and the JSON
//!   [`api`], with request limits and reload on change.
//!
//! ```
//! use ruledex_catalog::{Catalog, Formats};
//! use ruledex_site::{render, LinkStyle, Site};
//!
//! let site = Site::new(Catalog::from_files(&[], Vec::new()));
//! let home = render(&site, "index.html", LinkStyle::Relative, None).unwrap();
//! assert!(home.body.contains("<h1>Detection rules</h1>"));
//! assert!(render(&site, "rules/nope.html", LinkStyle::Absolute, None).is_none());
//! # let _ = Formats::new();
//! ```

pub mod api;
pub mod assets;
pub mod highlight;
pub mod markdown;
mod pages;
pub mod paths;
pub mod search_index;
pub mod server;
mod site;
pub mod static_site;

pub use pages::{page_paths, render, Rendered, PAGE_MAX_BYTES};
pub use paths::LinkStyle;
pub use site::{
    ActionInfo, FieldInfo, LogsourceInfo, RelatedHead, Site, MIN_RULES_FOR_PAGE, RELATED_HEAD_ROWS,
};
