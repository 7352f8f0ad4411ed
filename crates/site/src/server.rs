//! The HTTP server: the same pages as the static site (absolute links),
//! server-side search, the JSON API, and reload when sources change.
//!
//! - Pages are rendered from memory and cached per catalog generation; a
//!   reload builds a new catalog on a background thread and swaps it in
//!   atomically, so requests never wait for a rebuild.
//! - Limits: request bodies over [`ServerConfig::max_body`] get 413; a
//!   request that takes longer than [`ServerConfig::request_timeout`] gets
//!   408; a client that does not finish sending its headers within
//!   [`ServerConfig::header_timeout`] is disconnected. Search queries are
//!   bounded by the catalog (length, term count, no regex or wildcard
//!   expansion).
//! - Paths are looked up in memory, never on disk: `..` and encoded
//!   variants are refused and can reach nothing anyway.

use crate::api;
use crate::pages;
use crate::paths::LinkStyle;
use crate::site::Site;
use arc_swap::ArcSwap;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;

/// Server settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Longest time a request may take.
    pub request_timeout: Duration,
    /// Longest time a client may take to send its request headers.
    pub header_timeout: Duration,
    /// Most pages kept rendered in memory.
    pub cache_pages: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body: 16 * 1024,
            request_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(5),
            cache_pages: 20_000,
        }
    }
}

/// One catalog generation with its page cache.
struct Generation {
    site: Site,
    cache: RwLock<HashMap<String, CachedPage>>,
}

/// A rendered page ready to send: cloning the bytes is a reference count.
#[derive(Clone)]
struct CachedPage {
    body: axum::body::Bytes,
    content_type: &'static str,
}

/// The state every request reads: the current generation, swapped
/// atomically on reload.
pub struct Shared {
    current: ArcSwap<Generation>,
    generation: AtomicU64,
    config: ServerConfig,
}

impl Shared {
    /// Serve `site`.
    pub fn new(site: Site, config: ServerConfig) -> Arc<Shared> {
        site.warm_search();
        Arc::new(Shared {
            current: ArcSwap::from_pointee(Generation {
                site,
                cache: RwLock::new(HashMap::new()),
            }),
            generation: AtomicU64::new(1),
            config,
        })
    }

    /// Replace the site (after a reload).
    pub fn replace(&self, site: Site) {
        site.warm_search();
        self.current.store(Arc::new(Generation {
            site,
            cache: RwLock::new(HashMap::new()),
        }));
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// How many sites have been served (1, then +1 per reload).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// The router with every route and limit.
pub fn router(shared: Arc<Shared>) -> Router {
    let config = shared.config.clone();
    Router::new()
        .fallback(handle)
        .with_state(shared)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            config.max_body,
        ))
}

/// Serve on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    let header_timeout = shared.config.header_timeout;
    let app = router(shared);
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: back off, keep serving.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            builder
                .http1()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(64 * 1024);
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = builder.serve_connection(io, service).await;
        });
    }
}

/// Bind `addr` and serve.
pub async fn bind_and_serve(addr: SocketAddr, shared: Arc<Shared>) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    serve(listener, shared).await
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn with_headers(mut response: Response, content_type: &'static str) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn json_response(r: api::ApiResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&r.body).unwrap_or_default();
    with_headers((status, body).into_response(), "application/json")
}

fn page_not_found() -> Response {
    with_headers(
        (
            StatusCode::NOT_FOUND,
            "<!doctype html><title>Not found</title><p>No such page. <a href=\"/\">Home</a></p>",
        )
            .into_response(),
        "text/html; charset=utf-8",
    )
}

/// Decode `%xx` escapes of a path; `None` for invalid UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            match u8::from_str_radix(hex, 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => return None,
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The site path a request path names: leading `/` removed, `index.html`
/// for folders; `None` for anything with `..`, `.`, backslashes or NUL.
pub fn site_path(request_path: &str) -> Option<String> {
    let decoded = percent_decode(request_path)?;
    let trimmed = decoded.trim_start_matches('/');
    if trimmed.contains('\\') || trimmed.contains('\0') {
        return None;
    }
    if trimmed.split('/').any(|seg| seg == ".." || seg == ".") {
        return None;
    }
    let mut path = trimmed.to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    Some(path)
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let raw_path = uri.path();
    let query = uri.query().unwrap_or("");
    // `/api/v1` and `/api/v1/` both answer the index of endpoints.
    let api_rest = raw_path
        .strip_prefix("/api/v1/")
        .or((raw_path == "/api/v1").then_some(""));
    if let Some(rest) = api_rest {
        if method != Method::GET && method != Method::HEAD {
            return json_response(api::ApiResponse::error(
                405,
                "method_not_allowed",
                "only GET is supported",
            ));
        }
        let generation = shared.current.load();
        let rest = match percent_decode(rest) {
            Some(r) => r,
            None => {
                return json_response(api::ApiResponse::error(
                    400,
                    "bad_path",
                    "the path is not valid UTF-8",
                ))
            }
        };
        return json_response(api::handle(&generation.site, &rest, query));
    }
    if raw_path == "/api" || raw_path.starts_with("/api/") {
        return json_response(api::ApiResponse::error(
            404,
            "not_found",
            "the API lives under /api/v1/",
        ));
    }
    if method != Method::GET && method != Method::HEAD {
        return with_headers(
            (StatusCode::METHOD_NOT_ALLOWED, "only GET is supported").into_response(),
            "text/plain; charset=utf-8",
        );
    }
    let Some(path) = site_path(raw_path) else {
        return page_not_found();
    };
    let generation = shared.current.load();
    // The search page depends on the query; everything else is cached.
    if path == crate::paths::SEARCH {
        return match pages::render(&generation.site, &path, LinkStyle::Absolute, Some(query)) {
            Some(page) => with_headers(page.body.into_response(), page.content_type),
            None => page_not_found(),
        };
    }
    let cached = generation
        .cache
        .read()
        .ok()
        .and_then(|c| c.get(&path).cloned());
    let page = match cached {
        Some(page) => page,
        None => {
            let Some(page) = pages::render(&generation.site, &path, LinkStyle::Absolute, None)
            else {
                return page_not_found();
            };
            let page = CachedPage {
                body: axum::body::Bytes::from(page.body),
                content_type: page.content_type,
            };
            if let Ok(mut cache) = generation.cache.write() {
                if cache.len() < shared.config.cache_pages {
                    cache.insert(path, page.clone());
                }
            }
            page
        }
    };
    with_headers(Response::new(Body::from(page.body)), page.content_type)
}

/// How long sources must be quiet before a rebuild: an editor or a `git
/// pull` writes many files in a burst, and one rebuild covers them all.
const SETTLE: Duration = Duration::from_millis(400);

/// Watch `paths` and call `rebuild` (off the request path) after files
/// settle, swapping the result in. Returns the watcher; dropping it stops
/// watching.
///
/// Only changes count (files created, written, renamed, removed): reading
/// the sources during a rebuild produces access events on Linux, and
/// reacting to those would rebuild forever.
pub fn watch(
    paths: &[PathBuf],
    shared: Arc<Shared>,
    rebuild: impl Fn() -> Site + Send + 'static,
    on_reload: impl Fn(u64, Duration) + Send + 'static,
) -> Result<notify::RecommendedWatcher, notify::Error> {
    use notify::Watcher as _;
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if matches!(
                event.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(_)
                    | notify::EventKind::Remove(_)
            ) && !matches!(
                event.kind,
                notify::EventKind::Modify(notify::event::ModifyKind::Metadata(_))
            ) {
                let _ = tx.send(());
            }
        }
    })?;
    for path in paths {
        watcher.watch(path, notify::RecursiveMode::Recursive)?;
    }
    std::thread::Builder::new()
        .name("ruledex-reload".into())
        .spawn(move || {
            while rx.recv().is_ok() {
                // Wait until the sources are quiet, then rebuild once.
                while rx.recv_timeout(SETTLE).is_ok() {}
                let started = std::time::Instant::now();
                let site = rebuild();
                shared.replace(site);
                on_reload(shared.generation(), started.elapsed());
            }
        })
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../../etc/passwd",
            "/rules/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/rules/..%2f..%2fetc/passwd",
            "/a\\..\\b",
            "/%00",
            "/%ff",
            "/./index.html",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/attack/").as_deref(), Some("attack/index.html"));
        assert_eq!(
            site_path("/rules/a%20b.html").as_deref(),
            Some("rules/a b.html")
        );
        assert_eq!(site_path("/%"), Some("%".into()));
    }
}
