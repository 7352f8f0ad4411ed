//! Pages over the fixture rules: the rule page shows what the issue lists,
//! every link of the static site resolves, hostile rule text stays inert on
//! every page, and the JSON API answers with stable shapes and JSON errors.

mod common;

use ruledex_site::api::handle;
use ruledex_site::{page_paths, render, LinkStyle, Site};
use std::collections::BTreeSet;
use std::path::Path;

/// The page of the fixture rule at `path`, with server-style links.
fn rule_page(site: &ruledex_site::Site, path: &str) -> String {
    page_of_key(site, &common::key(site, path), LinkStyle::Absolute)
}

/// The page of the rule with catalog key `key`, with links in `style`.
fn page_of_key(site: &ruledex_site::Site, key: &str, style: LinkStyle) -> String {
    render(site, &format!("rules/{key}.html"), style, None)
        .expect("rule page")
        .body
}

#[test]
fn the_rule_page_shows_every_section_with_correct_content() {
    let site = common::site();
    let html = rule_page(&site, "sentinel/cross-tenant-portal-signin.yaml");
    // Title, badges, metadata.
    assert!(
        html.contains("<h1>Cross-tenant Azure Portal sign-in from a cloud provider address</h1>")
    );
    for badge in [
        "Microsoft Sentinel",
        "KQL",
        "medium",
        "Available",
        "Scheduled",
    ] {
        assert!(
            html.contains(&format!("\">{badge}</span>")),
            "badge {badge}"
        );
    }
    assert!(html.contains("<dt>Time window</dt><dd>1h"));
    assert!(html.contains("<dt>Runs every</dt><dd>1h"));
    assert!(html.contains("<dt>Group by</dt><dd>UserPrincipalName, IPAddress, HomeTenantId"));
    assert!(html.contains("https://example.invalid/fixtures/blob/0123456789abcdef0123456789abcdef01234567/sentinel/cross-tenant-portal-signin.yaml"));
    // Description rendered from Markdown.
    assert!(html.contains("<div class=\"md\"><p>Finds successful Azure Portal sign-ins"));
    // ATT&CK: tactic → technique with name, version stated.
    assert!(html.contains("Initial Access"));
    assert!(html.contains("T1199 Trusted Relationship</a>"));
    assert!(html.contains("ATT&#38;CK v18.1"));
    // Log source coverage.
    assert!(html.contains("Entra ID sign-in logs"));
    // Body: line numbers, highlighting, copy button.
    assert!(html.contains("<span id=L1 class=l><i>1</i><span class=y>id</span>"));
    assert!(html.contains("<span class=k>where</span>"));
    assert!(html.contains("class=\"copy\" data-copy=\"#code\""));
    // Stages: bindings first, each stage anchored, binding links.
    let binding = html
        .find("id=\"binding-cloud_ranges\"")
        .expect("binding section");
    let main = html.find("id=\"stage-1\"").expect("stage 1");
    assert!(binding < main, "bindings come first");
    assert!(html.contains("id=\"binding-cloud_ranges-1\""));
    assert!(html.contains("<a href=\"#binding-cloud_ranges\">binding cloud_ranges</a>"));
    // Predicates rendered readably, never garbled.
    assert!(html.contains("<code>AppDisplayName =~ &#34;Azure Portal&#34;</code>"));
    assert!(html.contains("<code>HomeTenantId != ResourceTenantId</code>"));
    // Indicators: kinds, case flags, field-to-field, the IP-range match naming its binding.
    assert!(html.contains("id=\"indicator-1\""));
    assert!(html.contains("<td>eq <span class=\"flag\">case-insensitive</span>"));
    // A field compared with another field is what the rule looks for, not
    // an exclusion.
    assert!(html.contains("<td>field_ne"));
    assert!(!html.contains("<td>field_ne <span class=\"flag\">exclusion</span>"));
    assert!(html.contains("<td>cidr</td>"));
    assert!(html.contains("values from column prefixes of  <a href=\"#binding-cloud_ranges\">binding cloud_ranges</a>"));
    // This rule excludes nothing, so it has no exclusions section.
    assert!(!html.contains("<section id=\"exclusions\">"));
    // Outputs with implicit names and their stage.
    assert!(html.contains("<code>set_ResourceDisplayName</code>"));
    assert!(html.contains("<code>count_</code>"));
    // Entities, dependencies.
    assert!(
        html.contains("<td>Account</td><td>FullName</td><td><code>UserPrincipalName</code></td>")
    );
    assert!(html.contains("external data: <a href=\"https://example.org/feeds/cloud-ranges.json\""));
    // Empty sections are left out entirely.
    for absent in ["id=\"custom-details\"", "id=\"diagnostics\"", "<h2></h2>"] {
        assert!(!html.contains(absent), "{absent} should not be on the page");
    }
    assert!(html.len() < 100_000, "rule page is {} bytes", html.len());
}

#[test]
fn sigma_rules_show_one_badge_for_language_and_platform() {
    let site = common::site();
    let html = rule_page(&site, "sigma/aws-console-login-without-mfa.yml");
    assert!(
        html.contains("<span class=\"badge platform lang\">Sigma</span>"),
        "one badge"
    );
    let badges = html
        .split_once("<p class=\"badges\">")
        .and_then(|(_, rest)| rest.split_once("</p>"))
        .map(|(badges, _)| badges)
        .unwrap();
    assert_eq!(
        badges.matches("Sigma").count(),
        1,
        "not `Sigma Sigma`: {badges}"
    );
}

#[test]
fn corpus_counts_and_related_rules_link_across_platforms() {
    let site = common::site();
    let html = rule_page(&site, "sentinel/encoded-powershell.yaml");
    // The Defender hunting query watches the same Office parents starting
    // PowerShell: it is related by that behaviour, with the evidence, not
    // by the log source alone.
    assert!(
        html.contains("Office applications starting PowerShell</a>"),
        "related Defender rule"
    );
    assert!(
        html.contains("parent process winword.exe"),
        "evidence of the shared parent process"
    );
    assert!(!html.contains("both read Windows process creation"));
    // ... and so does the Sigma rule, in another language.
    assert!(
        html.contains(
            "Office Application Starts Encoded PowerShell</a> <span class=\"badge lang platform\">sigma</span> <span class=\"score\""
        ),
        "related Sigma rule"
    );
    // Shared indicator values count the other rule, per language, and link to an indicator page.
    assert!(
        html.contains("<div>1 <span class=\"muted\">(kql 1)</span></div>"),
        "corpus count with breakdown"
    );
    assert!(html.contains("href=\"/indicator/"));
    // A class banner for the hunting query.
    let hunting = rule_page(&site, "defender/office-spawns-powershell.md");
    assert!(hunting.contains("class=\"banner\">A hunting query"));
}

#[test]
fn a_rule_that_does_not_parse_has_a_page_with_its_diagnostics() {
    let site = common::site();
    let html = rule_page(&site, "sentinel/broken-query.yaml");
    assert!(html.contains("did not parse"));
    assert!(html.contains("<section id=\"diagnostics\">"));
    assert!(html.contains("<strong>error[KQL"), "{html}");
    assert!(
        html.contains("data-diag=1"),
        "the body marks the diagnostic line"
    );
    assert!(
        html.contains("<mark class"),
        "the body marks the diagnostic range"
    );
    let list = render(&site, "diagnostics.html", LinkStyle::Absolute, None)
        .unwrap()
        .body;
    assert!(list.contains("A rule whose query does not parse</a>"));
}

#[test]
fn every_page_renders_and_every_relative_link_resolves() {
    let site = common::site();
    let out = tempfile::tempdir().unwrap();
    let report = ruledex_site::static_site::build(&site, out.path()).unwrap();
    assert!(report.files > 20);
    let mut checked = 0;
    for path in page_paths(&site).iter().filter(|p| p.ends_with(".html")) {
        let file = out.path().join(path);
        let html = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{path} not written"));
        let ids: BTreeSet<String> = attribute_values(&html, "id").into_iter().collect();
        for target in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with("mailto:")
                || target.starts_with('?')
            {
                continue;
            }
            assert!(
                !target.starts_with('/'),
                "{path}: absolute link {target} in the static site"
            );
            let (file_part, fragment) = target.split_once('#').unwrap_or((&target, ""));
            if file_part.is_empty() {
                assert!(ids.contains(fragment), "{path}: no id for #{fragment}");
                continue;
            }
            let resolved = file.parent().unwrap().join(file_part);
            assert!(resolved.exists(), "{path}: {target} does not resolve");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

/// The tags of `html` (`<a href="x">` without the brackets), skipping
/// text: escaped rule text never starts a tag.
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        out.push(&rest[at + 1..end]);
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out
}

/// Values of `name="…"` and `name=…` attributes (good enough for the markup
/// this crate writes).
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in tags(html) {
        for quoted in [true, false] {
            let pattern = if quoted {
                format!(" {name}=\"")
            } else {
                format!(" {name}=")
            };
            let mut rest = tag;
            while let Some(at) = rest.find(&pattern) {
                rest = &rest[at + pattern.len()..];
                if !quoted && rest.starts_with('"') {
                    continue;
                }
                let end = rest
                    .find(if quoted { &['"'][..] } else { &[' ', '>'][..] })
                    .unwrap_or(rest.len());
                out.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

#[test]
fn hostile_rule_text_is_inert_on_every_page() {
    let site = common::site();
    let key = common::key(&site, "sentinel/hostile-markup.yaml");
    let mut seen_on = 0;
    for style in [LinkStyle::Relative, LinkStyle::Absolute] {
        let mut paths = page_paths(&site);
        paths.push("search.html".into());
        for path in &paths {
            let query = (path == "search.html").then_some("q=alert");
            let Some(page) = render(&site, path, style, query) else {
                continue;
            };
            let body = &page.body;
            if body.contains("Hostile") {
                seen_on += 1;
            }
            assert_inert(path, body, page.content_type);
        }
    }
    // Rule, platform, language, technique, field, indicator and search pages show it.
    assert!(
        seen_on >= 8,
        "the hostile rule appears on only {seen_on} pages"
    );
    let html = page_of_key(&site, &key, LinkStyle::Relative);
    assert!(
        html.contains("Hostile &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"),
        "title shown as text"
    );
}

fn assert_inert(path: &str, body: &str, content_type: &str) {
    if content_type.starts_with("text/javascript") {
        // The search index: JSON in a script, never able to close it.
        assert!(!body.contains("</script"), "{path}: </script in a script");
        return;
    }
    if !content_type.starts_with("text/html") {
        return;
    }
    let lower = body.to_ascii_lowercase();
    // The only scripts are our own files.
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..lower[at..].find('>').map_or(lower.len(), |e| at + e)];
        assert!(
            tag.contains("src=\"") && tag.contains("assets/"),
            "{path}: foreign script tag {tag}"
        );
    }
    for bad in ["<img", "<iframe", "<svg", "<b onmouseover"] {
        assert!(!lower.contains(bad), "{path}: {bad} reached the page");
    }
    // No event handler or script URL inside any tag; as text they are harmless.
    for tag in tags(&lower) {
        for handler in [
            " onerror",
            " onclick",
            " onload",
            " onmouseover",
            "javascript:",
        ] {
            assert!(!tag.contains(handler), "{path}: {handler} in tag <{tag}>");
        }
    }
}

#[test]
fn the_api_answers_with_stable_shapes_and_json_errors() {
    let site = common::site();
    let key = common::key(&site, "sentinel/cross-tenant-portal-signin.yaml");

    let list = handle(&site, "rules", "lang=kql&per_page=2&page=1");
    assert_eq!(list.status, 200);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
    let total = list.body["pagination"]["total"].as_u64().unwrap();
    assert!(total >= 6);
    assert_eq!(
        list.body["pagination"]["pages"].as_u64().unwrap(),
        total.div_ceil(2)
    );
    for field in [
        "key", "id", "title", "language", "platform", "severity", "classes", "parsed", "source",
        "path", "page",
    ] {
        assert!(
            list.body["data"][0].get(field).is_some(),
            "summary field {field}"
        );
    }

    let one = handle(&site, &format!("rules/{key}"), "");
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["data"]["key"], key.as_str());
    assert_eq!(
        one.body["data"]["rule"]["title"],
        "Cross-tenant Azure Portal sign-in from a cloud provider address"
    );
    assert!(one.body["data"]["indicator_counts"].is_array());

    let by_id = handle(
        &site,
        "rules/by-id/3F6F1C2A-8D0E-4B7E-9A51-0C2D7E1F9B10",
        "",
    );
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.body["data"][0]["key"], key.as_str());

    let ps = common::key(&site, "sentinel/encoded-powershell.yaml");
    let related = handle(&site, &format!("rules/{ps}/related"), "");
    assert_eq!(related.status, 200);
    assert!(related.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["reason"]
            .as_str()
            .unwrap()
            .contains("Windows process creation")));

    let search = handle(&site, "search", "q=powershell%20lang:kql");
    assert_eq!(search.status, 200);
    assert!(search.body["pagination"]["total"].as_u64().unwrap() >= 2);
    assert!(search.body["data"][0]["score"].is_number());

    let coverage = handle(&site, "coverage", "");
    assert_eq!(coverage.status, 200);
    assert!(
        coverage.body["techniques"]["T1059"]["rules"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(coverage.body["attack"], "ATT&CK v18.1");

    let layer = handle(&site, "layer", "platform=sentinel");
    assert_eq!(layer.status, 200);
    assert_eq!(layer.body["domain"], "enterprise-attack");
    assert!(layer.body["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["techniqueID"] == "T1199"));

    let stats = handle(&site, "stats", "");
    assert_eq!(stats.status, 200);
    assert!(stats.body["rules"].as_u64().unwrap() >= 6);

    for (path, query, status, code) in [
        ("rules/nope/nothing.yaml", "", 404, "not_found"),
        ("rules/by-id/nothing", "", 404, "not_found"),
        ("rules/nope/related", "", 404, "not_found"),
        ("nothing", "", 404, "not_found"),
        ("rules", "page=0", 400, "bad_parameter"),
        ("rules", "per_page=100000", 400, "bad_parameter"),
        ("rules", "page=abc", 400, "bad_parameter"),
        ("rules", "lang=cobol", 400, "bad_parameter"),
        ("coverage", "platform=mainframe", 400, "bad_parameter"),
        ("search", "q=colour:red", 400, "bad_query"),
    ] {
        let r = handle(&site, path, query);
        assert_eq!(r.status, status, "{path}?{query}: {}", r.body);
        assert_eq!(r.body["error"]["code"], code, "{path}?{query}");
        assert!(r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn a_rebuild_into_an_existing_site_is_allowed_but_not_into_a_foreign_folder() {
    let site = common::site();
    let out = tempfile::tempdir().unwrap();
    ruledex_site::static_site::build(&site, out.path()).unwrap();
    ruledex_site::static_site::build(&site, out.path()).unwrap();
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("thesis.tex"), "x").unwrap();
    assert!(ruledex_site::static_site::build(&site, foreign.path()).is_err());
    assert!(Path::new(&foreign.path().join("thesis.tex")).exists());
}

/// A site of the one rule `text`, written to `dir/name`: the site, the
/// rule's key and its page (relative links, as the static site has them).
fn single_rule_page(dir: &tempfile::TempDir, name: &str, text: &str) -> (Site, String, String) {
    std::fs::write(dir.path().join(name), text).unwrap();
    let site = Site::new(common::catalog_of(dir.path()));
    let key = common::key(&site, name);
    let page = page_of_key(&site, &key, LinkStyle::Relative);
    (site, key, page)
}

/// A rule of thousands of lines and indicators still gets a small page:
/// the body shows its first lines and links to a plain-text copy, and the
/// long lists say how many more there are.
#[test]
fn a_huge_rule_gets_a_small_page_and_a_plain_text_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut query = String::from("DeviceProcessEvents\n");
    for i in 0..3_000 {
        query.push_str(&format!(
            "| where ProcessCommandLine !contains \"tool-{i:04}.exe\"\n"
        ));
    }
    let (site, key, page) = single_rule_page(&dir, "huge.kql", &query);
    assert!(page.len() < 100 * 1024, "{} bytes", page.len());
    assert!(page.contains("more lines"), "the cut body says so");
    assert!(
        page.contains(&format!("raw/{key}.txt")),
        "and links to the copy"
    );
    assert!(
        page.contains("more indicators"),
        "the indicator list says how many more"
    );
    let raw = render(&site, &format!("raw/{key}.txt"), LinkStyle::Relative, None).unwrap();
    assert_eq!(raw.body, query);
    assert!(raw.content_type.starts_with("text/plain"));
    assert!(
        page_paths(&site).contains(&format!("raw/{key}.txt")),
        "the static site writes the copy"
    );
}

/// A rule whose every list is long at once (many detections of many long
/// values, as registry-autorun and domain-list Sigma rules are) still gets a
/// page under the size bar: the page is rendered again with smaller list
/// budgets until it fits, and each cut list says how many more there are.
#[test]
fn a_rule_long_in_every_section_still_fits_the_page_size_bar() {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "title: Autorun keys under many hives\n\
         id: 3f0c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c\n\
         status: test\n\
         logsource:\n    category: registry_set\n    product: windows\n\
         detection:\n",
    );
    let detections = 60;
    for d in 0..detections {
        yaml.push_str(&format!(
            "    selection_{d:02}:\n        TargetObject|contains:\n"
        ));
        for v in 0..25 {
            yaml.push_str(&format!(
                "            - '\\Software\\Vendor{d:02}\\Product{v:02}\\CurrentVersion\\Run\\Component'\n"
            ));
        }
        yaml.push_str(&format!(
            "    filter_{d:02}:\n        Details|startswith: 'C:\\Program Files\\Vendor{d:02}\\'\n"
        ));
    }
    yaml.push_str("    condition: 1 of selection_* and not 1 of filter_*\nlevel: medium\n");
    let (site, key, page) = single_rule_page(&dir, "long.yml", &yaml);
    assert!(
        page.len() <= ruledex_site::PAGE_MAX_BYTES,
        "{} bytes",
        page.len()
    );
    for said in ["more stages", "more values", "more lines"] {
        assert!(page.contains(said), "a cut list says `{said}`");
    }
    assert!(page.contains("id=\"stage-1\"") && page.contains("id=\"indicator-1\""));
    assert!(page_paths(&site).contains(&format!("raw/{key}.txt")));
}

/// A catalog of thousands of rules on one field still gets list pages under
/// the size bar: the language, field and log source pages cut their tables
/// to the first rules and link to the search that lists them all.
#[test]
fn long_lists_are_cut_with_a_link_to_the_search() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..1_500 {
        let rule = format!(
            "title: Suspicious tool number {i:04} started with a long descriptive title\n\
             id: 00000000-0000-4000-8000-{i:012}\n\
             status: test\n\
             logsource:\n    category: process_creation\n    product: windows\n\
             detection:\n    selection:\n        CommandLine|contains: 'tool-{i:04}.exe --quiet'\n\
             \x20   condition: selection\n\
             level: medium\n\
             tags:\n    - attack.execution\n    - attack.t1059.001\n"
        );
        std::fs::write(dir.path().join(format!("tool_{i:04}.yml")), rule).unwrap();
    }
    let site = Site::new(common::catalog_of(dir.path()));
    let paths = page_paths(&site);
    for path in [
        "lang/sigma.html",
        "platform/sigma.html",
        "field/process.command_line.html",
        "logsource/windows.process_creation.html",
        "technique/T1059.html",
    ] {
        assert!(paths.iter().any(|p| p == path), "{path} is a page");
        let page = render(&site, path, LinkStyle::Relative, None).unwrap().body;
        assert!(
            page.len() <= ruledex_site::PAGE_MAX_BYTES,
            "{path}: {} bytes",
            page.len()
        );
        assert!(page.contains("more not shown"), "{path} says it is cut");
    }
    let field = render(
        &site,
        "field/process.command_line.html",
        LinkStyle::Relative,
        None,
    )
    .unwrap()
    .body;
    assert!(field.contains("href=\"../search.html?q=field%3Aprocess.command_line\""));
    // What the link promises: the search finds every one of the rules.
    let found = site
        .catalog()
        .search("field:process.command_line", 1, 0)
        .unwrap();
    assert_eq!(found.total, 1_500);
}

/// A query of many helper functions shares one stage budget across its let
/// bindings, so its page fits the size bar too.
#[test]
fn many_let_bindings_share_the_stage_budget() {
    let dir = tempfile::tempdir().unwrap();
    let mut query = String::new();
    for i in 0..120 {
        query.push_str(&format!(
            "let Helper{i:03} = (Ids: dynamic) {{\n    DeviceProcessEvents\n    | where DeviceId in (Ids)\n    | where FileName =~ \"tool-{i:03}.exe\"\n    | extend Marker = strcat(\"helper-{i:03}-\", DeviceName)\n    | summarize count() by DeviceId, Marker\n}};\n"
        ));
    }
    query.push_str("Helper000(dynamic([\"a\"]))\n");
    let (_, _, page) = single_rule_page(&dir, "helpers.kql", &query);
    assert!(
        page.len() <= ruledex_site::PAGE_MAX_BYTES,
        "{} bytes",
        page.len()
    );
    assert!(page.contains("more stages"));
}

#[test]
fn undocumented_copies_fold_into_one_related_entry() {
    // Two Sigma files with the same keys (the console login without MFA,
    // successful) and nothing said about themselves: one entry of the
    // documented rule's related list, in the API and on the page, the other
    // named as its copy.
    let site = common::site();
    let key = common::key(&site, "sigma/aws-console-login-without-mfa.yml");
    let related = handle(&site, &format!("rules/{key}/related"), "");
    assert_eq!(related.status, 200);
    let data = related.body["data"].as_array().unwrap();
    let from_queries: Vec<&serde_json::Value> = data
        .iter()
        .filter(|r| r["key"].as_str().unwrap().contains("copies"))
        .collect();
    assert_eq!(from_queries.len(), 1, "{data:#?}");
    let copies = from_queries[0]["copies"].as_array().expect("copies");
    assert_eq!(copies.len(), 1);
    assert!(copies[0]["key"].as_str().unwrap().contains("copies"));
    assert_ne!(copies[0]["key"], from_queries[0]["key"]);
    let html = rule_page(&site, "sigma/aws-console-login-without-mfa.yml");
    assert!(html.contains("and 1 undocumented copies (sigma)"), "{html}");
}
