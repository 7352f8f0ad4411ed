//! The static site's search index: two small scripts, read by
//! `assets/search.js`.
//!
//! Scripts rather than JSON files so that search works when the site is
//! opened from disk, where browsers refuse to fetch files. The filter values
//! are the catalog's own ([`Catalog::search_filters`]), the ones the
//! server's search index holds, so a filter query gives the same rules on
//! the static site as on the server. Words are matched against titles,
//! descriptions, file paths and ids (so a file name or an id finds its rule
//! on both): the rule text stays out of the browser's download.
//!
//! [`script`] sets `window.RULEDEX_SEARCH` (`v` is the format version):
//!
//! ```text
//! {"v":3,
//!  "filters":[["technique",["t","technique","techniques"]], …],  // name, aliases
//!  "tables":{"technique":["t1059",…], "lang":["kql",…], …},      // distinct values
//!  "rules":[[title, page, "description words", "file path and id", [technique#…], …], …]}
//! ```
//!
//! Each rule lists, after its four texts, the positions in `tables` of its
//! values for every filter in `filters` order, except `value`. Indicator
//! values are most of the index's weight and most searches do not use them,
//! so they live in [`values_script`], which the search page loads only for a
//! query with a `value:` filter; it sets `window.RULEDEX_SEARCH_VALUES` to
//! `{"v":3,"table":[…],"rules":[[value#…], …]}`, rules in the same order.
//!
//! [`Catalog::search_filters`]: ruledex_catalog::Catalog::search_filters

use crate::paths;
use crate::site::Site;
use ruledex_catalog::SEARCH_FILTERS;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// How much of a description the index keeps, in characters.
pub const DESCRIPTION_CHARS: usize = 240;

/// The filter whose values live in [`values_script`].
pub const VALUE_FILTER: &str = "value";

/// Distinct strings, each stored once and referred to by position.
#[derive(Default)]
struct Table {
    values: Vec<String>,
    positions: HashMap<String, usize>,
}

impl Table {
    fn position(&mut self, value: &str) -> usize {
        if let Some(&i) = self.positions.get(value) {
            return i;
        }
        self.values.push(value.to_string());
        self.positions
            .insert(value.to_string(), self.values.len() - 1);
        self.values.len() - 1
    }

    fn positions(&mut self, values: &[String]) -> Value {
        json!(values.iter().map(|v| self.position(v)).collect::<Vec<_>>())
    }
}

/// Filters stored in the main index, in [`SEARCH_FILTERS`] order.
fn main_filters() -> impl Iterator<Item = &'static (&'static str, &'static [&'static str])> {
    SEARCH_FILTERS
        .iter()
        .filter(|(name, _)| *name != VALUE_FILTER)
}

/// The main index as JSON.
pub fn index(site: &Site) -> Value {
    let catalog = site.catalog();
    let mut tables: HashMap<&'static str, Table> = HashMap::new();
    let rules: Vec<Value> = catalog
        .entries()
        .iter()
        .enumerate()
        .map(|(position, e)| {
            let r = &e.rule;
            let filters = catalog.search_filters(position).unwrap_or_default();
            let description: String = r
                .description
                .as_deref()
                .unwrap_or_default()
                .chars()
                .take(DESCRIPTION_CHARS)
                .collect();
            let names = format!("{} {}", r.provenance.path, r.id);
            let mut row = vec![
                json!(r.title),
                json!(paths::rule_path(&e.key)),
                json!(description.to_lowercase()),
                json!(names.to_lowercase()),
            ];
            for (name, _) in main_filters() {
                let values = filters.get(name).map_or(&[][..], Vec::as_slice);
                row.push(tables.entry(name).or_default().positions(values));
            }
            Value::Array(row)
        })
        .collect();
    let filters: Vec<Value> = SEARCH_FILTERS
        .iter()
        .map(|(name, aliases)| json!([name, aliases]))
        .collect();
    let tables: Map<String, Value> = main_filters()
        .map(|(name, _)| {
            let values = tables.remove(name).unwrap_or_default().values;
            (name.to_string(), json!(values))
        })
        .collect();
    json!({ "v": 3, "filters": filters, "tables": tables, "rules": rules })
}

/// The indicator values of every rule as JSON, rules in catalog order.
pub fn values(site: &Site) -> Value {
    let catalog = site.catalog();
    let mut table = Table::default();
    let rules: Vec<Value> = (0..catalog.entries().len())
        .map(|position| {
            let filters = catalog.search_filters(position).unwrap_or_default();
            let values = filters.get(VALUE_FILTER).map_or(&[][..], Vec::as_slice);
            table.positions(values)
        })
        .collect();
    json!({ "v": 3, "table": table.values, "rules": rules })
}

/// `value` as a script that assigns it to `window.<name>`. `</` is escaped
/// so no rule text can close the script element, whatever it holds.
fn assign(name: &str, value: &Value) -> String {
    let json = value.to_string().replace("</", "<\\/");
    format!("window.{name}={json};\n")
}

/// The main index as the script the search page loads.
pub fn script(site: &Site) -> String {
    assign("RULEDEX_SEARCH", &index(site))
}

/// The indicator values as the script the search page loads for `value:`.
pub fn values_script(site: &Site) -> String {
    assign("RULEDEX_SEARCH_VALUES", &values(site))
}
