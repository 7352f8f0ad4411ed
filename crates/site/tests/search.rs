//! Finding a rule by its file name or id, on the server's search and in
//! the static site's index (the browser test runs the static search
//! itself and compares counts).

mod common;

use ruledex_site::Site;
use std::path::Path;

/// Positions the server's search finds for `query`.
fn server_hits(site: &Site, query: &str) -> Vec<usize> {
    let found = site.catalog().search(query, 100, 0).unwrap();
    let mut hits: Vec<usize> = found.hits.into_iter().map(|(p, _)| p).collect();
    hits.sort();
    hits
}

/// Positions the static search's word test accepts for `word`: the same
/// test `assets/search.js` runs (lowercase substring of the title, the
/// description words or the names).
fn static_hits(site: &Site, word: &str) -> Vec<usize> {
    let index = ruledex_site::search_index::index(site);
    let word = word.to_lowercase();
    index["rules"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, row)| {
            row[0].as_str().unwrap().to_lowercase().contains(&word)
                || row[2].as_str().unwrap().contains(&word)
                || row[3].as_str().unwrap().contains(&word)
        })
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn file_names_and_ids_find_the_rule_on_both_searches() {
    let site = common::site();
    let key = common::key(&site, "sentinel/cross-tenant-portal-signin.yaml");
    let position = site.catalog().position(&key).unwrap();
    for query in [
        "cross-tenant-portal-signin",
        "cross-tenant-portal-signin.yaml",
        "sentinel/cross-tenant-portal-signin.yaml",
        "3f6f1c2a-8d0e-4b7e-9a51-0c2d7e1f9b10",
        "3F6F1C2A",
    ] {
        assert_eq!(server_hits(&site, query), vec![position], "server: {query}");
        assert_eq!(static_hits(&site, query), vec![position], "static: {query}");
    }
}

/// The seed rule (its file name is one word), when the shared data is
/// present.
#[test]
fn the_seed_rule_is_found_by_file_name_and_id() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed/rule");
    if !seed.is_dir() {
        eprintln!("note: {} not found; seed search skipped", seed.display());
        return;
    }
    let site = Site::new(common::catalog_of(&seed));
    assert_eq!(site.entries().len(), 1);
    for query in [
        "AzurePortalSigninfromanotherAzureTenant",
        "AzurePortalSigninfromanotherAzureTenant.yaml",
        "87210ca1",
        "87210ca1-49a4-4a7d-bb4a-4988752f978c",
    ] {
        assert_eq!(server_hits(&site, query), vec![0], "server: {query}");
        assert_eq!(static_hits(&site, query), vec![0], "static: {query}");
    }
}
