//! What the site tests share: the fixture catalog and a tiny HTTP client.
#![allow(dead_code)]

use ruledex_catalog::{Catalog, Formats, SourceRoot};
use ruledex_site::Site;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The fixture folder: rules in every format of the workspace, written for
/// these tests.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every rule format of the workspace, as the CLI registers them
/// (`crates/cli/src/formats.rs`). Fixture files of a format not registered
/// here are counted as unknown and left out.
pub fn formats() -> Formats {
    Formats::new()
        .with(ruledex_sigma::SigmaFormat)
        .with(ruledex_elastic::ElasticFormat)
        .with(ruledex_kql::SentinelFormat)
        .with(ruledex_kql::MarkdownFormat)
        .with(ruledex_kql::PlainFormat)
}

/// The catalog of `folder` as one source named `fixtures`.
pub fn catalog_of(folder: &Path) -> Catalog {
    let root = SourceRoot {
        name: "fixtures".into(),
        path: folder.to_path_buf(),
        commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        web: Some("https://example.invalid/fixtures".into()),
    };
    Catalog::build(&[root], &formats(), &|_| {})
}

/// The site over the fixtures.
pub fn site() -> Site {
    Site::new(catalog_of(&fixtures()))
}

/// The catalog key of the fixture at `path` (relative to the fixtures).
pub fn key(site: &Site, path: &str) -> String {
    site.entries()
        .iter()
        .find(|e| e.rule.provenance.path == path)
        .unwrap_or_else(|| panic!("no rule from {path}"))
        .key
        .clone()
}

/// A response read by [`request`].
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// Send `raw` (a whole HTTP/1.1 request) and read the reply until the
/// server closes the connection.
pub fn request(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(raw).expect("write");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        headers: head.to_string(),
        body: body.to_string(),
    }
}

/// `GET path` with `Connection: close`.
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    request(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// The event dictionary fixture (written for the events crate's tests, in
/// the OSSEM layout).
pub fn dictionary() -> std::sync::Arc<ruledex_catalog::Dictionary> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../events/tests/fixtures/dd");
    std::sync::Arc::new(ruledex_catalog::Dictionary::load(&path).expect("event fixture"))
}

/// The site over the fixtures plus the event fixtures (rules on Security
/// 4688 in three languages), mapped onto the event dictionary fixture.
pub fn event_site() -> Site {
    let roots = [
        SourceRoot {
            name: "fixtures".into(),
            path: fixtures(),
            commit: None,
            web: None,
        },
        SourceRoot {
            name: "events".into(),
            path: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/event-fixtures"),
            commit: None,
            web: None,
        },
    ];
    let mut catalog = Catalog::build(&roots, &formats(), &|_| {});
    catalog.set_events(dictionary());
    Site::new(catalog)
}
