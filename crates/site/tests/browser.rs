//! End-to-end tests in headless Chromium, driven through chromedriver:
//! open a rule page, follow a related rule into another language, search
//! with a filter (server-side, and the static site's script search), open
//! the ATT&CK matrix and a technique page, fetch a layer. Screenshots of the
//! rule page and the matrix go to `target/screenshots/`.
//!
//! Needs `chromium` and `chromium-driver` (Debian packages). Without them
//! the test fails when `CI` is set and is skipped, loudly, otherwise.

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use ruledex_site::server::{self, ServerConfig, Shared};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills chromedriver (and with it the browser) when the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    let message = format!(
        "browser tests need {CHROMIUM} and {CHROMEDRIVER}: apt-get install -y chromium chromium-driver"
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n");
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn connect(port: u16, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1600",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a browser session through chromedriver: {e}"),
        }
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Wait until `css` matches (scripts fill some parts after load).
async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(e) = client.find(Locator::Css(css)).await {
            return e;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never appeared on {}",
            client.current_url().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Filter queries both searches must answer alike; one finds nothing.
const FILTER_QUERIES: &[&str] = &[
    "value:ConsoleLogin",
    "value:\"azure portal\" lang:kql",
    "status:test",
    "kind:scheduled",
    "t:t1059",
    "-lang:kql field:eventName",
    "tactic:execution",
    "logsource:aws.cloudtrail",
    "severity:high",
    "class:detection -platform:elastic",
    "value:no-such-value",
];

/// Words naming a rule by its file or its id: both searches must find
/// exactly that rule (other words differ on purpose: the server also
/// searches rule text).
const NAME_QUERIES: &[&str] = &[
    "cross-tenant-portal-signin",
    "3f6f1c2a-8d0e-4b7e-9a51-0c2d7e1f9b10",
    "3f6f1c2a",
];

/// `pairs` as a URL query string.
fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let site = common::site();
    let seed_key = common::key(&site, "sentinel/cross-tenant-portal-signin.yaml");
    let ps_key = common::key(&site, "sentinel/encoded-powershell.yaml");
    let static_dir = tempfile::tempdir().unwrap();
    ruledex_site::static_site::build(&site, static_dir.path()).unwrap();
    // What the server's search finds for filter queries; the static
    // search must find the same rules.
    let mut expected: Vec<(&str, usize)> = FILTER_QUERIES
        .iter()
        .map(|q| (*q, site.catalog().search(q, 1, 0).unwrap().total))
        .collect();
    assert!(
        expected.iter().filter(|(_, n)| *n > 0).count() >= FILTER_QUERIES.len() - 1,
        "the fixture rules should answer almost every query: {expected:?}"
    );
    for query in NAME_QUERIES {
        let total = site.catalog().search(query, 1, 0).unwrap().total;
        assert_eq!(total, 1, "the server finds `{query}`'s one rule");
        expected.push((query, total));
    }

    let shared = Shared::new(site, ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(server::serve(listener, shared));
    let base = format!("http://{addr}");

    let port = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap();
    let client = connect(port, profile.path()).await;
    let shots = screenshots();

    // 1. The seed-like rule page: title, sections, deep links.
    client
        .goto(&format!("{base}/rules/{seed_key}.html"))
        .await
        .unwrap();
    std::fs::write(
        shots.join("rule-page.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    client
        .goto(&format!("{base}/rules/{seed_key}.html#indicator-2"))
        .await
        .unwrap();
    assert_eq!(
        text_of(&client, "h1").await,
        "Cross-tenant Azure Portal sign-in from a cloud provider address"
    );
    for section in [
        "#attack",
        "#events",
        "#body",
        "#stages",
        "#indicators",
        "#outputs",
        "#entities",
        "#dependencies",
    ] {
        client
            .find(Locator::Css(section))
            .await
            .unwrap_or_else(|_| panic!("section {section}"));
    }
    let indicator = text_of(&client, "#indicator-2").await;
    assert!(
        indicator.contains("AppDisplayName") && indicator.contains("case-insensitive"),
        "{indicator}"
    );
    // The copy button is shown (scripts run) and the body has line numbers.
    assert!(client
        .find(Locator::Css("button.copy"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    assert!(text_of(&client, "#L1").await.starts_with('1'));

    // 2. Follow a rule sharing its behaviour into another language (or,
    //    failing that, another platform).
    client
        .goto(&format!("{base}/rules/{ps_key}.html"))
        .await
        .unwrap();
    let items = client
        .find_all(Locator::Css("#related ol.related > li"))
        .await
        .unwrap();
    assert!(!items.is_empty(), "no related rules");
    // Each related rule says what the two rules share, in both rules' words.
    let evidence = items[0]
        .find(Locator::Css("ul.evidence > li"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        evidence.contains(" here; ") && evidence.ends_with(" there"),
        "{evidence}"
    );
    let mut target = None;
    let mut fallback = None;
    for item in &items {
        let language = item
            .find(Locator::Css(".badge.lang"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let platform = item
            .find(Locator::Css(".badge.platform"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = item.find(Locator::Css("a")).await.unwrap();
        if language != "kql" && target.is_none() {
            target = Some((link.clone(), language.clone()));
        }
        if platform != "sentinel" && fallback.is_none() {
            fallback = Some((link, platform));
        }
    }
    let (link, other) = match target {
        Some(t) => t,
        None => {
            eprintln!("\n!!!!!!!! NOTE: no related rule in another language yet (only KQL formats are registered); following one on another platform instead !!!!!!!!\n");
            fallback.expect("a related rule on another platform")
        }
    };
    let title = link.text().await.unwrap();
    link.click().await.unwrap();
    assert_eq!(text_of(&client, "h1").await, title);
    let crumbs = text_of(&client, ".crumbs").await.to_lowercase();
    let other_label = other.replace('-', " ");
    assert!(
        crumbs.contains(&other_label) || crumbs.contains("defender") || !crumbs.contains("kql"),
        "breadcrumb {crumbs} does not show {other}"
    );

    // 3. Search with a filter, served: type, choose a language, submit.
    client.goto(&format!("{base}/search.html")).await.unwrap();
    client
        .find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("powershell")
        .await
        .unwrap();
    client
        .find(Locator::Css("#f-lang option[value=kql]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#search button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let count = wait_for(&client, "#result-count")
        .await
        .text()
        .await
        .unwrap();
    assert!(count.contains("lang:kql"), "{count}");
    let results = text_of(&client, "ol.results").await;
    assert!(
        results.contains("Encoded PowerShell started by an Office application"),
        "{results}"
    );

    // ... and the static site's script search, opened from disk.
    let file_url = format!(
        "file://{}/search.html?q=powershell&platform=defender-xdr",
        static_dir.path().display()
    );
    client.goto(&file_url).await.unwrap();
    let count = wait_for(&client, "#result-count")
        .await
        .text()
        .await
        .unwrap();
    assert!(count.starts_with("1 rules match"), "{count}");
    assert!(text_of(&client, "ol.results")
        .await
        .contains("Office applications starting PowerShell"));
    // Every filter, file name and id finds the same number of rules on the
    // static site as on the server (`value:` loads its own script first).
    for (query, total) in &expected {
        let mut url = format!("file://{}/search.html?", static_dir.path().display());
        url.push_str(&form_urlencoded(&[("q", query)]));
        client.goto(&url).await.unwrap();
        let count = wait_for(&client, "#result-count")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            count.starts_with(&format!("{total} rules match")),
            "static search for `{query}` says `{count}`, the server finds {total}"
        );
    }
    client
        .goto(&format!(
            "file://{}/search.html?q=nosuchfilter%3Ax",
            static_dir.path().display()
        ))
        .await
        .unwrap();
    let error = wait_for(&client, "#results .error")
        .await
        .text()
        .await
        .unwrap();
    assert!(error.contains("unknown filter `nosuchfilter:`") && error.contains("value"));

    // 4. The ATT&CK matrix, then a technique page.
    client
        .goto(&format!("{base}/attack/index.html"))
        .await
        .unwrap();
    assert!(text_of(&client, "h1").await.contains("ATT&CK matrix"));
    let execution = text_of(&client, "#tactic-execution").await;
    assert!(execution.contains("Execution"));
    std::fs::write(shots.join("matrix.png"), client.screenshot().await.unwrap()).unwrap();
    client
        .find(Locator::Css("a.cell[href$='technique/T1059.html']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text_of(&client, "h1").await.starts_with("T1059"));
    let page = text_of(&client, "main").await;
    assert!(
        page.contains("Encoded PowerShell started by an Office application"),
        "technique page lists the rule"
    );
    assert!(page.contains("Fields filtered most"));

    // 5. Fetch a layer.
    client.goto(&format!("{base}/api/v1/layer")).await.unwrap();
    let body = text_of(&client, "body").await;
    let layer: serde_json::Value = serde_json::from_str(&body).expect("the layer is JSON");
    assert_eq!(layer["domain"], "enterprise-attack");
    assert!(layer["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["techniqueID"] == "T1059.001"));

    client.close().await.unwrap();
    assert!(shots.join("rule-page.png").exists() && shots.join("matrix.png").exists());
}

/// The event reference pages: an event page opens, its field table sorts
/// and filters, and its rule links open rule pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_pages_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let site = common::event_site();
    let shared = Shared::new(site, ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(server::serve(listener, shared));
    let base = format!("http://{addr}");
    let port = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap();
    let client = connect(port, profile.path()).await;

    // From the coverage page to a provider, to an event.
    client.goto(&format!("{base}/events.html")).await.unwrap();
    assert_eq!(text_of(&client, "h1").await, "Event coverage");
    client
        .find(Locator::Css(
            "#heatmap a[href$='provider/microsoft-windows-security-auditing.html']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&client, "#events").await;
    client
        .find(Locator::Css(
            "#events a[href$='event/microsoft-windows-security-auditing/4688.html']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&client, "table.event-fields").await;
    assert_eq!(
        text_of(&client, "h1").await,
        "Microsoft-Windows-Security-Auditing 4688"
    );
    std::fs::write(
        screenshots().join("event-page.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    let visible_fields = |client: Client| async move {
        let mut names = Vec::new();
        for row in client
            .find_all(Locator::Css("table.event-fields tbody tr"))
            .await
            .unwrap()
        {
            if row.is_displayed().await.unwrap() {
                let cell = row.find(Locator::Css("td code")).await.unwrap();
                names.push(cell.text().await.unwrap());
            }
        }
        names
    };
    // Sort by the rule count, descending (two clicks): CommandLine first.
    let rules_header = client
        .find(Locator::Css("table.event-fields thead th:nth-child(4)"))
        .await
        .unwrap();
    rules_header.click().await.unwrap();
    rules_header.click().await.unwrap();
    assert_eq!(
        rules_header.attr("aria-sort").await.unwrap().as_deref(),
        Some("descending")
    );
    let sorted = visible_fields(client.clone()).await;
    assert_eq!(
        sorted.first().map(String::as_str),
        Some("CommandLine"),
        "{sorted:?}"
    );
    // Filter: only the rows containing the words stay.
    let filter = client
        .find(Locator::Css("#fields input.filter-box"))
        .await
        .unwrap();
    filter.send_keys("ProcessName").await.unwrap();
    let filtered = visible_fields(client.clone()).await;
    assert_eq!(
        filtered,
        ["NewProcessName", "ParentProcessName"],
        "{filtered:?}"
    );

    // A rule link opens the rule page, which links back to the event.
    let link = client
        .find(Locator::Css("#rules table.rules tbody tr td a"))
        .await
        .unwrap();
    let title = link.text().await.unwrap();
    link.click().await.unwrap();
    wait_for(&client, "#events table.rule-events").await;
    assert_eq!(text_of(&client, "h1").await, title);
    client
        .find(Locator::Css(
            "#events a[href$='event/microsoft-windows-security-auditing/4688.html']",
        ))
        .await
        .unwrap();
    client.close().await.unwrap();
}
