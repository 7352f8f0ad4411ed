//! The stylesheet and scripts every page uses, compiled into the binary.

/// A file served as is.
pub struct Asset {
    /// Its content.
    pub body: &'static str,
    /// Its content type.
    pub content_type: &'static str,
}

/// The assets by site path.
pub const ASSETS: &[(&str, Asset)] = &[
    (
        "assets/style.css",
        Asset {
            body: include_str!("../assets/style.css"),
            content_type: "text/css; charset=utf-8",
        },
    ),
    (
        "assets/app.js",
        Asset {
            body: include_str!("../assets/app.js"),
            content_type: "text/javascript; charset=utf-8",
        },
    ),
    (
        "assets/search.js",
        Asset {
            body: include_str!("../assets/search.js"),
            content_type: "text/javascript; charset=utf-8",
        },
    ),
];

/// The asset at site path `path`.
pub fn get(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|(p, _)| *p == path).map(|(_, a)| a)
}
