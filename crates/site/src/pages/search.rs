//! The search page: a form with structured filters. The server fills in
//! results; the static site's script does the same from the search index.

use super::{rule_link, Layout, RuleLink};
use crate::paths::LinkStyle;
use crate::site::Site;
use askama::Template;
use ruledex_ir::{Language, Platform};

/// Results per page.
pub const PER_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchPage {
    pub layout: Layout,
    pub server: bool,
    /// What was submitted, shown again in the form.
    pub form: SearchForm,
    pub languages: Vec<(String, &'static str)>,
    pub platforms: Vec<(String, &'static str)>,
    pub classes: Vec<String>,
    pub error: Option<String>,
    pub total: Option<usize>,
    pub effective: String,
    pub first: usize,
    pub results: Vec<RuleLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// The parameters of a search form submission.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchForm {
    /// Free text and filters.
    pub q: String,
    /// `lang:` filter.
    pub lang: String,
    /// `platform:` filter.
    pub platform: String,
    /// `class:` filter.
    pub class: String,
    /// `technique:` filter.
    pub technique: String,
    /// `field:` filter.
    pub field: String,
    /// 1-based page.
    pub page: usize,
}

impl SearchForm {
    /// Read the form from a URL query string (`q=…&lang=…`).
    pub fn parse(query: &str) -> SearchForm {
        let mut form = SearchForm {
            page: 1,
            ..SearchForm::default()
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "q" => form.q = v,
                "lang" => form.lang = v,
                "platform" => form.platform = v,
                "class" => form.class = v,
                "technique" => form.technique = v,
                "field" => form.field = v,
                "page" => form.page = v.parse().unwrap_or(1).max(1),
                _ => {}
            }
        }
        form
    }

    /// The query the form means: the text plus one filter per field set.
    /// Filter values with spaces are quoted.
    pub fn effective_query(&self) -> String {
        let mut q = self.q.trim().to_string();
        for (name, value) in [
            ("lang", &self.lang),
            ("platform", &self.platform),
            ("class", &self.class),
            ("technique", &self.technique),
            ("field", &self.field),
        ] {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            if !q.is_empty() {
                q.push(' ');
            }
            if value.contains(char::is_whitespace) {
                q.push_str(&format!("{name}:\"{}\"", value.replace('"', "")));
            } else {
                q.push_str(&format!("{name}:{value}"));
            }
        }
        q
    }

    fn to_query_string(&self, page: usize) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("lang", &self.lang),
            ("platform", &self.platform),
            ("class", &self.class),
            ("technique", &self.technique),
            ("field", &self.field),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &page.to_string());
        s.finish()
    }
}

pub(crate) fn render(
    site: &Site,
    layout: Layout,
    query: Option<&str>,
    style: LinkStyle,
) -> Option<String> {
    let server = style == LinkStyle::Absolute;
    let form = query.map(SearchForm::parse).unwrap_or_default();
    let present = site.catalog().totals();
    let mut languages: Vec<Language> = present.keys().map(|(_, l)| *l).collect();
    languages.sort();
    languages.dedup();
    let mut platforms: Vec<Platform> = present.keys().map(|(p, _)| *p).collect();
    platforms.dedup();
    let mut page = SearchPage {
        layout,
        server,
        form: form.clone(),
        languages: languages
            .iter()
            .map(|l| (l.id().to_string(), l.display_name()))
            .collect(),
        platforms: platforms
            .iter()
            .map(|p| (p.id().to_string(), p.display_name()))
            .collect(),
        classes: [
            "detection",
            "hunting",
            "alert_forwarding",
            "building_block",
            "deprecated",
            "correlation",
            "filter",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        error: None,
        total: None,
        effective: String::new(),
        first: 1,
        results: Vec::new(),
        prev: None,
        next: None,
    };
    let effective = form.effective_query();
    if server && !effective.is_empty() {
        let offset = (form.page.saturating_sub(1)).saturating_mul(PER_PAGE);
        match site.catalog().search(&effective, PER_PAGE, offset) {
            Ok(results) => {
                page.total = Some(results.total);
                page.first = offset + 1;
                page.results = results
                    .hits
                    .iter()
                    .filter_map(|(p, _)| rule_link(site, *p, None))
                    .collect();
                if form.page > 1 {
                    page.prev = Some(format!("?{}", form.to_query_string(form.page - 1)));
                }
                if offset + PER_PAGE < results.total {
                    page.next = Some(format!("?{}", form.to_query_string(form.page + 1)));
                }
            }
            Err(e) => page.error = Some(e.to_string()),
        }
        page.effective = effective;
    }
    page.render().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_become_filters() {
        let form =
            SearchForm::parse("q=portal+sign&lang=kql&technique=T1199&field=App+Name&page=2");
        assert_eq!(form.page, 2);
        assert_eq!(
            form.effective_query(),
            "portal sign lang:kql technique:T1199 field:\"App Name\""
        );
        assert_eq!(SearchForm::parse("page=0").page, 1);
    }
}
