//! The URL scheme, shared by the static site and the server.
//!
//! Every page has a path relative to the site root (`rules/<key>.html`).
//! The static site writes the page to that file; the server answers
//! `GET /<path>`. Links inside pages are `root + path`, where `root` is
//! `../` repeated to climb from the page's folder to the site root
//! ([`LinkStyle::Relative`], works from any static host and from disk) or
//! `/` ([`LinkStyle::Absolute`], the server). Nothing else differs, so the
//! two render the same pages.
//!
//! | page | path |
//! |---|---|
//! | home | `index.html` |
//! | rule | `rules/<catalog key>.html` |
//! | rules sharing a rule's behaviour (all of them, ranked) | `related/<catalog key>.html` |
//! | rules of a platform / language | `platform/<id>.html`, `lang/<id>.html` |
//! | ATT&CK matrix | `attack/index.html`; per platform and class: `attack/<platform or all>-<detections or all-classes>.html` |
//! | technique | `technique/<id>.html` (`technique/T1059.001.html`) |
//! | log sources / one log source / one action | `logsources.html`, `logsource/<id>.html`, `action/<slug>.html` |
//! | fields / one field | `fields.html`, `field/<slug>.html` |
//! | indicator (value shared by ≥ 2 rules) | `indicator/<hash>.html` |
//! | event coverage / provider / event (with an event dictionary) | `events.html`, `provider/<slug>.html`, `event/<provider slug>/<event slug>.html` |
//! | diagnostics | `diagnostics.html` |
//! | search | `search.html` (server: `search.html?q=…`) |
//! | Navigator layer | `attack/layer.json` |
//!
//! ```
//! use ruledex_site::paths::{rule_path, LinkStyle};
//! let page = rule_path("sigma/rules/a.yml");
//! assert_eq!(page, "rules/sigma/rules/a.yml.html");
//! assert_eq!(LinkStyle::Relative.root(&page), "../../../");
//! assert_eq!(LinkStyle::Absolute.root(&page), "/");
//! ```

use ruledex_ir::{Language, Platform};

/// How pages link to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkStyle {
    /// Relative links (`../../x.html`): the static site.
    Relative,
    /// Links from the site root (`/x.html`): the server.
    Absolute,
}

impl LinkStyle {
    /// The prefix that turns a site path into a link from the page at
    /// `page_path`.
    pub fn root(self, page_path: &str) -> String {
        match self {
            LinkStyle::Absolute => "/".to_string(),
            LinkStyle::Relative => "../".repeat(page_path.matches('/').count()),
        }
    }
}

/// The home page.
pub const HOME: &str = "index.html";
/// The search page.
pub const SEARCH: &str = "search.html";
/// Rules that did not parse.
pub const DIAGNOSTICS: &str = "diagnostics.html";
/// Every log source.
pub const LOGSOURCES: &str = "logsources.html";
/// Every field with a page.
pub const FIELDS: &str = "fields.html";
/// Event coverage: every provider of the event dictionary.
pub const EVENTS: &str = "events.html";
/// The default matrix.
pub const MATRIX: &str = "attack/index.html";
/// The Navigator layer of the whole catalog.
pub const LAYER: &str = "attack/layer.json";
/// The static search index (a script, so it loads from disk too).
pub const SEARCH_INDEX: &str = "assets/search-index.js";
/// The indicator values for the static search's `value:` filter, loaded
/// only when a query uses it.
pub const SEARCH_VALUES: &str = "assets/search-values.js";

/// Every rule sharing behaviour with a rule, ranked, when its page cannot
/// list them all.
pub fn related_path(key: &str) -> String {
    format!("related/{key}.html")
}

/// The plain-text copy of a rule whose body is too long to show whole on
/// its page (the rule page's body budget).
pub fn raw_path(key: &str) -> String {
    format!("raw/{key}.txt")
}

/// The page of the rule with catalog key `key`.
pub fn rule_path(key: &str) -> String {
    format!("rules/{key}.html")
}

/// The rules of a platform.
pub fn platform_path(platform: Platform) -> String {
    format!("platform/{}.html", platform.id())
}

/// The rules of a language.
pub fn language_path(language: Language) -> String {
    format!("lang/{}.html", language.id())
}

/// A technique's page.
pub fn technique_path(id: &str) -> String {
    format!("technique/{}.html", slug(id))
}

/// A matrix variant: one platform or all, detections only or every class.
pub fn matrix_path(platform: Option<Platform>, all_classes: bool) -> String {
    if platform.is_none() && !all_classes {
        return MATRIX.to_string();
    }
    format!(
        "attack/{}-{}.html",
        platform.map_or("all", Platform::id),
        if all_classes {
            "all-classes"
        } else {
            "detections"
        }
    )
}

/// A log source's page.
pub fn logsource_path(id: &str) -> String {
    format!("logsource/{}.html", slug(id))
}

/// An event provider's page (`slug` of the dictionary's provider).
pub fn provider_path(slug: &str) -> String {
    format!("provider/{slug}.html")
}

/// An event's page (the slugs of the dictionary).
pub fn event_path(provider: &str, event: &str) -> String {
    format!("event/{provider}/{event}.html")
}

/// The search page with query `query` (works on the static site and the
/// server alike).
pub fn search_query(query: &str) -> String {
    let mut out = String::from("search.html?q=");
    for b in query.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b':') {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An action's page (`slug` from [`slug`] of `logsource/operation`).
pub fn action_path(slug: &str) -> String {
    format!("action/{slug}.html")
}

/// A field's page.
pub fn field_path(slug: &str) -> String {
    format!("field/{slug}.html")
}

/// An indicator's page.
pub fn indicator_path(slug: &str) -> String {
    format!("indicator/{slug}.html")
}

/// A file-name-safe, URL-safe form of `text`: `[A-Za-z0-9._-]` kept, the
/// rest `_`, at most 80 characters; when anything was changed, a hash of
/// the original keeps different texts apart.
pub fn slug(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out != text || out.is_empty() {
        out.push_str(&format!("-{:08x}", fnv1a(text.as_bytes()) as u32));
    }
    out
}

/// 64-bit FNV-1a: small, stable across builds and platforms (page names
/// must not change from one build to the next).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_distinct() {
        assert_eq!(slug("process.command_line"), "process.command_line");
        let a = slug("azure.signin:AppDisplayName");
        let b = slug("azure.signin_AppDisplayName");
        assert_ne!(a, b);
        assert!(a.starts_with("azure.signin_AppDisplayName-"));
        for hostile in [
            "../../etc/passwd",
            "..",
            ".",
            "",
            "a/b",
            "<script>",
            "C:\\x",
        ] {
            let s = slug(hostile);
            assert!(
                !s.is_empty() && !s.starts_with('.') && !s.contains('/'),
                "{s}"
            );
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
                "{s}"
            );
        }
        assert!(slug(&"x".repeat(500)).len() < 100);
    }

    #[test]
    fn relative_roots_climb_to_the_site_root() {
        assert_eq!(LinkStyle::Relative.root(HOME), "");
        assert_eq!(LinkStyle::Relative.root(MATRIX), "../");
        assert_eq!(
            matrix_path(Some(Platform::Sigma), true),
            "attack/sigma-all-classes.html"
        );
        assert_eq!(matrix_path(None, false), MATRIX);
    }
}
