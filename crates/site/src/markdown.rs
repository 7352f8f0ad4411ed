//! Rule descriptions are Markdown written by strangers: render them, then
//! sanitize the HTML with an allow-list.
//!
//! Raw HTML in the Markdown survives only as far as the allow-list lets it
//! (no `<script>`, no event handlers, no `style`), links keep only
//! `http`, `https` and `mailto` targets and get `rel="noopener noreferrer
//! nofollow"`, and images are dropped, because a page must not load
//! anything from elsewhere.
//!
//! ```
//! let html = ruledex_site::markdown::to_safe_html("**bold** <script>alert(1)</script> [x](javascript:alert(1))");
//! assert!(html.contains("<strong>bold</strong>"));
//! assert!(!html.contains("<script") && !html.contains("javascript:"));
//! ```

use pulldown_cmark::{html, Options, Parser};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Longest description rendered as Markdown, in bytes; longer text is cut
/// at a character boundary (it is still shown in the rule body).
pub const MAX_MARKDOWN_LEN: usize = 64 * 1024;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .rm_tags(["img"])
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"));
        builder
    })
}

/// Markdown to sanitized HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let mut end = markdown.len().min(MAX_MARKDOWN_LEN);
    while !markdown.is_char_boundary(end) {
        end -= 1;
    }
    let parser = Parser::new_ext(
        &markdown[..end],
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut raw = String::with_capacity(end + end / 4);
    html::push_html(&mut raw, parser);
    cleaner().clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_removed() {
        let html = to_safe_html(
            "<img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\" onclick=\"x()\">l</a> \
             <iframe src=//evil></iframe> <svg onload=alert(1)></svg> [m](JaVaScRiPt:alert(1)) \
             <style>body{}</style> ![i](https://example.com/i.png)",
        );
        for bad in [
            "<img",
            "onerror",
            "javascript",
            "onclick",
            "<iframe",
            "onload",
            "<style",
            "example.com/i.png",
        ] {
            assert!(
                !html
                    .to_ascii_lowercase()
                    .contains(&bad.to_ascii_lowercase()),
                "{bad} in {html}"
            );
        }
    }

    #[test]
    fn ordinary_markdown_renders() {
        let html = to_safe_html("A *list*:\n\n- one\n- [two](https://example.com)\n\n`code`");
        assert!(html.contains("<em>list</em>"));
        assert!(html.contains("<li>one</li>"));
        assert!(html.contains(r#"rel="noopener noreferrer nofollow""#));
        assert!(html.contains("<code>code</code>"));
    }

    #[test]
    fn huge_input_is_cut_at_a_character_boundary() {
        let text = "é".repeat(MAX_MARKDOWN_LEN);
        let html = to_safe_html(&text);
        assert!(html.len() < MAX_MARKDOWN_LEN + 100);
    }
}
