//! Metadata checks: title, id, level, status, dates, tags, related,
//! logsource — pySigma's `from_dict_common_params` and log source rules.
//!
//! A metadata value that breaks the specification (a tag without a
//! namespace, `references` as a string, an `id` that is no UUID) does not
//! stop the rule from being understood: it is a specification warning
//! ([`ruledex_ir::Diagnostic::specification`]), which `ruledex check
//! --strict` counts as an error. So is a missing `logsource` (Hayabusa's
//! own rules name their channel in the detection instead). A missing
//! `title` and a malformed log source stay errors: the log source is part
//! of what the rule matches.

use super::*;

impl Checker<'_> {
    /// A specification warning at `span`.
    pub(super) fn spec(&mut self, code: &str, message: impl Into<String>, span: Span) {
        self.diagnostics
            .push(ruledex_ir::Diagnostic::specification_warning(code, message).with_span(span));
    }

    /// `key` must be a string when present.
    fn string(&mut self, doc: &Node, key: &str) {
        if let Some(v) = doc.get(key) {
            let t = typed(v);
            if !matches!(t, Typed::Str(_) | Typed::Null) {
                self.spec(
                    codes::WRONG_TYPE,
                    format!("`{key}` must be a string, not {}", type_name(&t)),
                    v.span,
                );
            }
        }
    }

    /// `key` must be a list when present.
    fn list(&mut self, doc: &Node, key: &str) {
        if let Some(v) = doc.get(key) {
            let t = typed(v);
            if !matches!(t, Typed::Seq | Typed::Null) {
                self.spec(
                    codes::WRONG_TYPE,
                    format!("`{key}` must be a list, not {}", type_name(&t)),
                    v.span,
                );
            }
        }
    }

    pub(super) fn common(&mut self, doc: &Node) {
        match doc.get("title") {
            None => self.err(
                codes::MISSING_KEY,
                "a Sigma rule must have a `title`",
                doc_start(doc),
            ),
            Some(v) => match typed(v) {
                Typed::Str(t) if t.chars().count() > 256 => self.spec(
                    codes::INVALID_VALUE,
                    "the title must not exceed 256 characters",
                    v.span,
                ),
                Typed::Str(_) => {}
                Typed::Null => self.err(
                    codes::MISSING_KEY,
                    "a Sigma rule must have a `title`",
                    v.span,
                ),
                t => self.spec(
                    codes::WRONG_TYPE,
                    format!("`title` must be a string, not {}", type_name(&t)),
                    v.span,
                ),
            },
        }
        if let Some(v) = doc.get("id") {
            match typed(v) {
                Typed::Null => {}
                Typed::Str(s) if is_uuid(s) => {}
                _ => self.spec(codes::INVALID_VALUE, "the rule `id` must be a UUID", v.span),
            }
        }
        if let Some(v) = doc.get("name") {
            match typed(v) {
                Typed::Null => {}
                Typed::Str("") => {
                    self.spec(codes::INVALID_VALUE, "`name` must not be empty", v.span)
                }
                Typed::Str(_) => {}
                t => self.spec(
                    codes::WRONG_TYPE,
                    format!("`name` must be a string, not {}", type_name(&t)),
                    v.span,
                ),
            }
        }
        if let Some(v) = doc.get("taxonomy") {
            match typed(v) {
                Typed::Null => {}
                Typed::Str("") => {
                    self.spec(codes::INVALID_VALUE, "`taxonomy` must not be empty", v.span)
                }
                Typed::Str(_) => {}
                t => self.spec(
                    codes::WRONG_TYPE,
                    format!("`taxonomy` must be a string, not {}", type_name(&t)),
                    v.span,
                ),
            }
        }
        self.enum_value(
            doc,
            "level",
            &["informational", "low", "medium", "high", "critical"],
        );
        self.enum_value(
            doc,
            "status",
            &[
                "unsupported",
                "deprecated",
                "experimental",
                "test",
                "stable",
            ],
        );
        self.related(doc);
        self.tags(doc);
        self.date(doc, "date");
        self.date(doc, "modified");
        for key in ["fields", "falsepositives", "references", "scope"] {
            self.list(doc, key);
        }
        for key in ["author", "description", "license"] {
            self.string(doc, key);
        }
    }

    fn enum_value(&mut self, doc: &Node, key: &str, allowed: &[&str]) {
        let Some(v) = doc.get(key) else { return };
        match typed(v) {
            Typed::Null => {}
            Typed::Str(s) if allowed.contains(&s.to_ascii_lowercase().as_str()) => {}
            Typed::Str(s) => self.diagnostics.push(
                ruledex_ir::Diagnostic::specification_warning(
                    codes::INVALID_VALUE,
                    format!("`{s}` is not a valid Sigma rule {key}"),
                )
                .with_span(v.span)
                .with_note(format!("expected one of: {}", allowed.join(", "))),
            ),
            t => self.spec(
                codes::WRONG_TYPE,
                format!("`{key}` must be a string, not {}", type_name(&t)),
                v.span,
            ),
        }
    }

    fn related(&mut self, doc: &Node) {
        let Some(v) = doc.get("related") else { return };
        match typed(v) {
            Typed::Null => return,
            Typed::Seq => {}
            _ => {
                return self.spec(codes::WRONG_TYPE, "`related` must be a list", v.span);
            }
        }
        // pySigma stops at the first bad entry; so do we.
        for item in v.items() {
            if !item.is_mapping() {
                return self.spec(
                    codes::INVALID_VALUE,
                    "each `related` entry must be a mapping with `id` and `type`",
                    item.span,
                );
            }
            let (Some(id), Some(kind)) = (item.get("id"), item.get("type")) else {
                let missing = if item.get("id").is_none() {
                    "id"
                } else {
                    "type"
                };
                return self.spec(
                    codes::MISSING_KEY,
                    format!("a `related` entry must have a `{missing}`"),
                    item.span,
                );
            };
            match typed(id) {
                Typed::Str(s) if is_uuid(s) => {}
                _ => {
                    return self.spec(
                        codes::INVALID_VALUE,
                        "a `related` id must be a UUID",
                        id.span,
                    )
                }
            }
            match typed(kind) {
                Typed::Str(s)
                    if [
                        "correlation",
                        "derived",
                        "merged",
                        "obsolete",
                        "renamed",
                        "similar",
                    ]
                    .contains(&s.to_ascii_lowercase().as_str()) => {}
                _ => {
                    return self.spec(
                        codes::INVALID_VALUE,
                        format!(
                            "`{}` is not a valid related type (correlation, derived, merged, obsolete, renamed, similar)",
                            kind.as_str().unwrap_or("")
                        ),
                        kind.span,
                    )
                }
            }
        }
    }

    fn tags(&mut self, doc: &Node) {
        let Some(v) = doc.get("tags") else { return };
        match typed(v) {
            Typed::Null => {}
            Typed::Seq => {
                for tag in v.items() {
                    match typed(tag) {
                        Typed::Str(s) if s.contains('.') => {}
                        Typed::Str(s) => self.spec(
                            codes::INVALID_VALUE,
                            format!(
                                "tag `{s}` must start with a namespace and a dot (`attack.t1059`)"
                            ),
                            tag.span,
                        ),
                        _ => self.spec(codes::WRONG_TYPE, "tags must be strings", tag.span),
                    }
                }
            }
            t => self.spec(
                codes::WRONG_TYPE,
                format!("`tags` must be a list, not {}", type_name(&t)),
                v.span,
            ),
        }
    }

    fn date(&mut self, doc: &Node, key: &str) {
        let Some(v) = doc.get(key) else { return };
        let t = typed(v);
        let text = match t {
            Typed::Null | Typed::Timestamp(_) => return,
            Typed::Str(s) => s.to_string(),
            Typed::Int(i) => i.to_string(),
            Typed::Bool(b) => if b { "True" } else { "False" }.to_string(),
            Typed::Float(f) => f.to_string(),
            _ => String::new(),
        };
        if !is_valid_date(&text) {
            self.spec(
                codes::INVALID_VALUE,
                format!("rule {key} `{text}` is invalid, use yyyy-mm-dd"),
                v.span,
            );
        }
    }

    pub(super) fn logsource(&mut self, doc: &Node, what: &str) {
        let Some((ls_key, ls)) = doc.entry("logsource") else {
            return self.spec(
                codes::MISSING_KEY,
                format!("a Sigma {what} must have a `logsource`"),
                doc_start(doc),
            );
        };
        if !ls.is_mapping() {
            return self.err(codes::WRONG_TYPE, "`logsource` must be a mapping", ls.span);
        }
        let mut any = false;
        for key in ["category", "product", "service", "definition"] {
            if let Some(v) = ls.get(key) {
                let t = typed(v);
                if key != "definition" && t != Typed::Null {
                    any = true;
                }
                let falsy = matches!(
                    t,
                    Typed::Null | Typed::Str("") | Typed::Int(0) | Typed::Bool(false)
                ) || t == Typed::Float(0.0)
                    || (t == Typed::Seq && v.items().is_empty())
                    || (t == Typed::Map && v.entries().next().is_none());
                if !falsy && !matches!(t, Typed::Str(_)) {
                    self.err(
                        codes::WRONG_TYPE,
                        format!("logsource `{key}` must be a string, not {}", type_name(&t)),
                        v.span,
                    );
                }
            }
        }
        if !any {
            self.err(
                codes::INVALID_VALUE,
                "the logsource must name a category, product or service",
                ls_key.span,
            );
        }
    }
}

pub(super) fn doc_start(doc: &Node) -> Span {
    Span::empty(doc.span.start)
}

/// Python's `uuid.UUID(text)`: optional braces and `urn:uuid:`, hyphens
/// anywhere, 32 hex digits.
pub fn is_uuid(text: &str) -> bool {
    // The canonical 8-4-4-4-12 form, without allocating.
    let b = text.as_bytes();
    if b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
    {
        return true;
    }
    let t = text.replace("urn:", "").replace("uuid:", "");
    let t = t.trim_matches(|c| c == '{' || c == '}');
    let hex: Vec<u8> = t.bytes().filter(|&b| b != b'-').collect();
    hex.len() == 32 && hex.iter().all(u8::is_ascii_hexdigit)
}

/// pySigma's accepted date strings: `YYYY-MM-DD` and `YYYY/M/D`.
pub(super) fn is_valid_date(text: &str) -> bool {
    let (sep, exact) = if text.contains('-') {
        ('-', true)
    } else {
        ('/', false)
    };
    let parts: Vec<&str> = text.split(sep).collect();
    let [y, m, d] = parts[..] else { return false };
    let digits = |s: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let (lo, hi) = if exact { (2, 2) } else { (1, 2) };
    if !(digits(y, 4, 4) && digits(m, lo, hi) && digits(d, lo, hi)) {
        return false;
    }
    if !matches!(y.as_bytes()[0], b'1'..=b'3') {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    if exact && !(m / 10 <= 1 && d / 10 <= 3) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}
