//! The server over the fixture rules, spoken to over raw TCP so every byte
//! of a hostile request reaches it as sent: pages and headers, JSON API
//! errors, path traversal, oversized and slow requests, hostile search
//! queries, and reload when a source file changes.

mod common;

use ruledex_site::server::{self, ServerConfig, Shared};
use ruledex_site::Site;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Start a server for `site` on a free loopback port, in its own runtime
/// thread. The server lives as long as the test process.
fn start(site: Site, config: ServerConfig) -> (SocketAddr, Arc<Shared>) {
    let shared = Shared::new(site, config);
    let (tx, rx) = std::sync::mpsc::channel();
    let serving = shared.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let _ = server::serve(listener, serving).await;
        });
    });
    (rx.recv().unwrap(), shared)
}

fn quick_config() -> ServerConfig {
    ServerConfig {
        max_body: 1024,
        request_timeout: Duration::from_secs(5),
        header_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    }
}

#[test]
fn pages_and_api_over_http() {
    let site = common::site();
    let key = common::key(&site, "sentinel/cross-tenant-portal-signin.yaml");
    let (addr, _) = start(site, quick_config());

    let home = common::get(addr, "/");
    assert_eq!(home.status, 200);
    assert!(
        home.headers.contains("content-type: text/html"),
        "{}",
        home.headers
    );
    assert!(home
        .headers
        .contains("content-security-policy: default-src 'none'"));
    assert!(home.headers.contains("x-content-type-options: nosniff"));
    assert!(
        home.body.contains("href=\"/attack/index.html\""),
        "absolute links on the server"
    );

    let rule = common::get(addr, &format!("/rules/{key}.html"));
    assert_eq!(rule.status, 200);
    assert!(rule.body.contains("Cross-tenant Azure Portal sign-in"));
    // Cached on the second request, identical.
    assert_eq!(
        common::get(addr, &format!("/rules/{key}.html")).body,
        rule.body
    );

    let search = common::get(addr, "/search.html?q=powershell&lang=kql");
    assert_eq!(search.status, 200);
    assert!(
        search.body.contains("id=\"result-count\""),
        "server-side results"
    );
    assert!(search
        .body
        .contains("Encoded PowerShell started by an Office application"));

    let api = common::get(addr, &format!("/api/v1/rules/{key}"));
    assert_eq!(api.status, 200);
    assert!(api.headers.contains("content-type: application/json"));
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["data"]["key"], key.as_str());

    for (path, status) in [
        ("/api/v1/rules/none.yaml", 404),
        ("/api/v1/nothing", 404),
        ("/api/v2/rules", 404),
        ("/api/v1/rules?per_page=0", 400),
        ("/api/v1/search?q=colour:red", 400),
    ] {
        let reply = common::get(addr, path);
        assert_eq!(reply.status, status, "{path}");
        let json: serde_json::Value =
            serde_json::from_str(&reply.body).unwrap_or_else(|_| panic!("{path}: {}", reply.body));
        assert!(json["error"]["code"].is_string(), "{path}");
    }
    let post = common::request(addr, b"POST /api/v1/rules HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    assert_eq!(post.status, 405);
    assert!(post.body.contains("\"method_not_allowed\""));
    assert_eq!(common::get(addr, "/no/such/page.html").status, 404);
}

#[test]
fn path_traversal_finds_nothing() {
    let (addr, _) = start(common::site(), quick_config());
    for path in [
        "/../../etc/passwd",
        "/rules/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/rules/..%2f..%2f..%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "/assets/../../../../etc/passwd",
        "//etc/passwd",
        "/%252e%252e/etc/passwd",
        "/api/v1/rules/../../../etc/passwd",
    ] {
        let reply = common::get(addr, path);
        assert!(
            reply.status == 404 || reply.status == 400,
            "{path}: {}",
            reply.status
        );
        assert!(!reply.body.contains("root:"), "{path} leaked a file");
    }
}

#[test]
fn oversized_requests_are_refused() {
    let (addr, _) = start(common::site(), quick_config());
    let body = "x".repeat(4096);
    let raw = format!(
        "POST /search.html HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(common::request(addr, raw.as_bytes()).status, 413);
    let raw = format!(
        "GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(common::request(addr, raw.as_bytes()).status, 413);
    // Headers larger than the connection buffer: refused, never served.
    let raw = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "y".repeat(200_000)
    );
    let reply = common::request(addr, raw.as_bytes());
    assert_ne!(reply.status, 200);
}

#[test]
fn slow_clients_are_cut_off() {
    let (addr, _) = start(common::site(), quick_config());
    let mut stream = TcpStream::connect(addr).unwrap();
    // Our own read timeout is far above the server's header timeout: if
    // the read ends, it is because the server closed the connection.
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    // Never finish the headers; the server must give up on its own.
    let mut buf = Vec::new();
    let closed = stream.read_to_end(&mut buf);
    assert!(
        closed.is_ok(),
        "the server kept the connection open: {closed:?}"
    );
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
}

#[test]
fn hostile_search_queries_answer_with_results_or_an_error() {
    let (addr, _) = start(common::site(), quick_config());
    let long = "a".repeat(5000);
    let many = "x ".repeat(500);
    let hostile = [
        "/api/v1/search?q=(a%2B)%2B%24",
        "/api/v1/search?q=.*.*.*.*.*.*.*.*.*.*.*.*a",
        "/api/v1/search?q=%5Ba-z%5D%7B1%2C100000%7D",
        "/api/v1/search?q=%22unbalanced",
        "/api/v1/search?q=field:*",
        "/api/v1/search?q=-a%20-b%20-c",
        "/search.html?q=*%3F*%3F*%3F*%3F",
    ];
    let long_q = format!("/api/v1/search?q={long}");
    let many_q = format!("/api/v1/search?q={}", many.replace(' ', "%20"));
    for path in hostile
        .iter()
        .copied()
        .chain([long_q.as_str(), many_q.as_str()])
    {
        // No timing here: a query that ran away would meet the server's
        // request limit and answer 408 (or leave the client with no reply),
        // never 200 or 400. Search speed is measured by the load benchmark.
        let reply = common::get(addr, path);
        assert!(
            matches!(reply.status, 200 | 400),
            "{path}: {}",
            reply.status
        );
    }
}

#[test]
fn the_server_reloads_when_a_source_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir
        .path()
        .join("sentinel/aws-console-login-without-mfa.yaml");
    std::fs::create_dir_all(rule.parent().unwrap()).unwrap();
    std::fs::copy(
        common::fixtures().join("sentinel/aws-console-login-without-mfa.yaml"),
        &rule,
    )
    .unwrap();
    let site = Site::new(common::catalog_of(dir.path()));
    let key = common::key(&site, "sentinel/aws-console-login-without-mfa.yaml");
    let (addr, shared) = start(site, quick_config());
    let folder = dir.path().to_path_buf();
    let watched = [dir.path().to_path_buf()];
    let _watcher = server::watch(
        &watched,
        shared.clone(),
        move || Site::new(common::catalog_of(&folder)),
        |_, _| {},
    )
    .unwrap();
    let page = format!("/rules/{key}.html");
    assert!(common::get(addr, &page)
        .body
        .contains("AWS console sign-in without MFA"));
    let text = std::fs::read_to_string(&rule).unwrap();
    std::fs::write(
        &rule,
        text.replace(
            "name: AWS console sign-in without MFA",
            "name: Renamed while serving",
        ),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if common::get(addr, &page)
            .body
            .contains("Renamed while serving")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not reload");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(shared.generation() >= 2);
}
