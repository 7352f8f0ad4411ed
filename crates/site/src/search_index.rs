//! The static site's search index: one small script that sets
//! `window.RULEDEX_SEARCH`, read by `assets/search.js`.
//!
//! A script rather than a JSON file so that search works when the site is
//! opened from disk, where browsers refuse to fetch files. Repeated strings
//! (languages, platforms, log sources) are stored once in tables and rules
//! refer to them by number.
//!
//! Shape (`v` is the format version):
//!
//! ```text
//! {"v":1,"lang":["kql",…],"platform":["sentinel",…],"logsource":["azure.signin",…],
//!  "rules":[[title, path, lang#, platform#, severity, "classes", "techniques",
//!            "tactics", [logsource#…], "fields", "description words", "source", "id"], …]}
//! ```

use crate::paths;
use crate::site::Site;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

/// How much of a description the index keeps, in characters.
pub const DESCRIPTION_CHARS: usize = 240;

/// The index as JSON.
pub fn index(site: &Site) -> Value {
    let catalog = site.catalog();
    let mut langs: Vec<&'static str> = Vec::new();
    let mut platforms: Vec<&'static str> = Vec::new();
    let mut logsources: Vec<String> = Vec::new();
    let mut lookup: HashMap<String, usize> = HashMap::new();
    let mut intern = |table: &mut Vec<String>, s: &str| -> usize {
        if let Some(&i) = lookup.get(s) {
            return i;
        }
        table.push(s.to_string());
        lookup.insert(s.to_string(), table.len() - 1);
        table.len() - 1
    };
    let attack = catalog.attack();
    let rules: Vec<Value> = catalog
        .entries()
        .iter()
        .enumerate()
        .map(|(position, e)| {
            let r = &e.rule;
            let lang = position_of(&mut langs, r.language.id());
            let platform = position_of(&mut platforms, r.platform.id());
            let classes: Vec<&str> = if r.classes.is_empty() {
                vec!["detection"]
            } else {
                r.classes
                    .iter()
                    .map(|c| ruledex_catalog::class_id(*c))
                    .collect()
            };
            let mut techniques = BTreeSet::new();
            let mut tactics = BTreeSet::new();
            for cell in &e.cells {
                techniques.insert(cell.technique.to_lowercase());
                if let Some(s) = &cell.subtechnique {
                    techniques.insert(s.to_lowercase());
                }
                tactics.insert(cell.tactic.clone());
                if let Some(t) = attack.tactic(&cell.tactic) {
                    tactics.insert(t.id.to_lowercase());
                }
            }
            let ls: Vec<usize> = e
                .logsources
                .iter()
                .map(|l| intern(&mut logsources, l))
                .collect();
            let mut fields = BTreeSet::new();
            for (i, ind) in r.indicators.iter().enumerate() {
                fields.insert(ind.field.to_lowercase());
                if let Some(k) = site.field_key_of(position, i) {
                    fields.insert(k.to_lowercase());
                }
            }
            let description: String = r
                .description
                .as_deref()
                .unwrap_or_default()
                .chars()
                .take(DESCRIPTION_CHARS)
                .collect();
            json!([
                r.title,
                paths::rule_path(&e.key),
                lang,
                platform,
                r.severity
                    .map(|s| format!("{s:?}").to_lowercase())
                    .unwrap_or_default(),
                classes.join(" "),
                techniques.into_iter().collect::<Vec<_>>().join(" "),
                tactics.into_iter().collect::<Vec<_>>().join(" "),
                ls,
                fields.into_iter().collect::<Vec<_>>().join(" "),
                description.to_lowercase(),
                catalog.source_of(e).name.to_lowercase(),
                r.id.to_lowercase(),
            ])
        })
        .collect();
    json!({ "v": 1, "lang": langs, "platform": platforms, "logsource": logsources, "rules": rules })
}

fn position_of(table: &mut Vec<&'static str>, value: &'static str) -> usize {
    match table.iter().position(|v| *v == value) {
        Some(i) => i,
        None => {
            table.push(value);
            table.len() - 1
        }
    }
}

/// The index as the script the search page loads. `</` is escaped so no
/// rule text can close the script element, whatever it holds.
pub fn script(site: &Site) -> String {
    let json = index(site).to_string().replace("</", "<\\/");
    format!("window.RULEDEX_SEARCH={json};\n")
}
