//! Event reference pages, event search filters and the events API, over
//! the fixture rules and the event dictionary fixture.

mod common;

use ruledex_site::{api, render, LinkStyle};

fn page(site: &ruledex_site::Site, path: &str) -> String {
    let html = render(site, path, LinkStyle::Relative, None)
        .unwrap_or_else(|| panic!("no page {path}"))
        .body;
    assert!(html.len() < 100_000, "{path} is {} bytes", html.len());
    html
}

#[test]
fn security_4688_lists_rules_in_three_languages_with_field_counts() {
    let site = common::event_site();
    let html = page(&site, "event/microsoft-windows-security-auditing/4688.html");
    assert!(
        html.contains("<h1>Microsoft-Windows-Security-Auditing 4688</h1>"),
        "{html}"
    );
    // Rules: the three certutil rules (Sigma, KQL, kuery) and the Sigma
    // process_creation rule by its category.
    for lang in ["sigma", "kql", "kuery"] {
        assert!(html.contains(&format!("<td>{lang}</td>")), "{lang} missing");
    }
    assert!(html.contains("Certutil Download From the Security Log"));
    assert!(html.contains("Office Application Starts Encoded PowerShell"));
    // CommandLine: filtered by the three certutil rules and the Sigma
    // process_creation rule (its `CommandLine` maps to the same field).
    let row = html
        .split("<tr id=\"f-CommandLine\"")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("CommandLine row");
    assert!(row.contains(">4</a>"), "{row}");
    assert!(row.contains("kql 1, sigma 2, kuery 1"), "{row}");
    assert!(
        row.contains("<code>urlcache</code>") || row.contains("urlcache"),
        "{row}"
    );
    // A field no rule filters.
    assert!(html.contains("Fields no rule filters"));
    assert!(html.contains("href=\"#f-SubjectUserName\""));
    // The versions merged: CommandLine only in version 1.
    assert!(row.contains("versions 1"), "{row}");
}

#[test]
fn sysmon_1_counts_sigma_and_defender_names_as_one_field() {
    let site = common::event_site();
    let html = page(&site, "event/windows-sysmon/1.html");
    assert!(html.contains("Office Application Starts Encoded PowerShell"));
    let row = html
        .split("<tr id=\"f-Image\"")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("Image row");
    assert!(row.contains("sigma"), "{row}");
    assert!(row.contains("powershell.exe"), "{row}");
}

#[test]
fn the_rule_page_links_its_events_with_the_fields_marked() {
    let site = common::event_site();
    let key = common::key(&site, "sentinel/cross-tenant-portal-signin.yaml");
    let html = page(&site, &format!("rules/{key}.html"));
    let section = html.split("id=\"events\"").nth(1).expect("events section");
    assert!(section.contains("event/azure/signinlogs.html"), "{section}");
    for field in [
        "ResultType",
        "AppDisplayName",
        "HomeTenantId",
        "ResourceTenantId",
    ] {
        assert!(
            section.contains(&format!("signinlogs.html#f-{field}\"><mark>{field}</mark>")),
            "{field} not marked: {section}"
        );
    }
    // The event page marks the rows they link to.
    let event = page(&site, "event/azure/signinlogs.html");
    assert!(event.contains("<tr id=\"f-HomeTenantId\">"));
    assert!(event.contains("Azure Portal") || event.contains("azure portal"));
}

#[test]
fn provider_and_coverage_pages_show_gaps() {
    let site = common::event_site();
    let html = page(&site, "provider/microsoft-windows-security-auditing.html");
    assert!(html.contains("Events with rules"));
    assert!(html.contains("class=\"heat\""));
    // 4625 has no rule: listed among the gaps.
    let gaps = html.split("id=\"without\"").nth(1).expect("gaps");
    assert!(gaps.contains("4625"), "{gaps}");
    assert!(html.contains("data-e=\"4625\""));
    let coverage = page(&site, "events.html");
    assert!(coverage.contains("Event coverage"));
    assert!(coverage.contains("provider/windows-sysmon.html"));
    // The Events link shows in the header.
    assert!(coverage.contains("href=\"events.html\">Events</a>"));
    // Every event page is in the static site.
    let paths = ruledex_site::page_paths(&site);
    assert!(paths.iter().any(|p| p == "event/windows-sysmon/10.html"));
    assert!(paths.iter().any(|p| p == "provider/azure.html"));
    for path in paths.iter().filter(|p| p.starts_with("event")) {
        page(&site, path);
    }
}

#[test]
fn search_filters_events_and_providers() {
    let site = common::event_site();
    let catalog = site.catalog();
    let titles = |q: &str| -> Vec<String> {
        let r = catalog.search(q, 100, 0).unwrap();
        let mut t: Vec<String> = r
            .hits
            .iter()
            .map(|(p, _)| catalog.entries()[*p].rule.title.clone())
            .collect();
        t.sort();
        t
    };
    let on_4688 = titles("event:4688");
    assert!(on_4688.len() >= 4, "{on_4688:?}");
    assert_eq!(
        titles("event:4688 lang:kql"),
        ["Certutil download in process creation events"]
    );
    assert!(titles("provider:sysmon")
        .iter()
        .any(|t| t == "Office Application Starts Encoded PowerShell"));
    assert!(!titles("event:azure/signinlogs").is_empty());
}

#[test]
fn the_api_serves_providers_and_events() {
    let site = common::event_site();
    let r = api::handle(&site, "events", "");
    assert_eq!(r.status, 200);
    assert!(r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["slug"] == "windows-sysmon"));
    let r = api::handle(&site, "events/microsoft-windows-security-auditing/4688", "");
    assert_eq!(r.status, 200, "{}", r.body);
    let fields = r.body["data"]["field_list"].as_array().unwrap();
    let command_line = fields.iter().find(|f| f["name"] == "CommandLine").unwrap();
    assert_eq!(command_line["rules"], 4);
    assert_eq!(command_line["per_language"]["kql"], 1);
    let r = api::handle(&site, "events/windows-sysmon", "");
    assert_eq!(r.status, 200);
    assert_eq!(api::handle(&site, "events/nope/1", "").status, 404);
    // Without a dictionary: 404 with a message.
    let plain = common::site();
    assert_eq!(api::handle(&plain, "events", "").status, 404);
    // The rule detail lists its events.
    let key = common::key(&site, "sentinel/cross-tenant-portal-signin.yaml");
    let r = api::handle(&site, &format!("rules/{key}"), "");
    let events = r.body["data"]["events"].as_array().unwrap();
    assert_eq!(events[0]["event"], "signinlogs");
    // The OpenAPI description names the endpoints.
    let doc = api::openapi();
    assert!(doc["paths"]["/api/v1/events/{provider}/{event}"].is_object());
}
