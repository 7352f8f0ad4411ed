//! Correlation sections and filter rule references.

use super::*;

impl Checker<'_> {
    pub(super) fn filter_rules(&mut self, key_span: Span, f: &Node) -> Option<FilterRules> {
        match f.get("condition").map(typed) {
            None => self.err(
                codes::INVALID_FILTER,
                "a filter must have exactly one `condition`",
                key_span,
            ),
            Some(Typed::Str(_)) => {}
            Some(_) => self.err(
                codes::INVALID_FILTER,
                "a filter's `condition` must be a string",
                f.get("condition").map_or(f.span, |n| n.span),
            ),
        }
        let Some(rules) = f.get("rules") else {
            self.err(
                codes::MISSING_KEY,
                "a filter must have `rules` (use `any` to apply it to every rule of its logsource)",
                key_span,
            );
            return None;
        };
        match typed(rules) {
            Typed::Str(s) if s.eq_ignore_ascii_case("any") => Some(FilterRules::Any),
            Typed::Str(s) => Some(FilterRules::Rules(vec![(s.to_string(), rules.span)])),
            Typed::Seq if rules.items().is_empty() => Some(FilterRules::Any),
            Typed::Seq => Some(FilterRules::Rules(
                rules
                    .items()
                    .iter()
                    .map(|r| (r.as_str().unwrap_or_default().to_string(), r.span))
                    .collect(),
            )),
            _ => {
                self.err(
                    codes::INVALID_FILTER,
                    "a filter's `rules` must be `any`, a rule id or name, or a list of them",
                    rules.span,
                );
                None
            }
        }
    }

    pub(super) fn correlation(&mut self, section: &Node) -> Correlation {
        let mut out = Correlation {
            span: section.span,
            ..Correlation::default()
        };
        if !section.is_mapping() {
            self.err(
                codes::INVALID_CORRELATION,
                "`correlation` must be a mapping",
                section.span,
            );
            return out;
        }
        const TYPES: [&str; 8] = [
            "event_count",
            "value_count",
            "temporal",
            "temporal_ordered",
            "value_sum",
            "value_avg",
            "value_percentile",
            "value_median",
        ];
        let mut valid_type = None;
        match section.get("type") {
            None => self.err(
                codes::MISSING_KEY,
                "a correlation rule must have a `type`",
                section.span,
            ),
            Some(t) => {
                let written = t.as_str().unwrap_or_default().to_string();
                if TYPES.contains(&written.to_ascii_lowercase().as_str()) {
                    valid_type = Some(written.to_ascii_lowercase());
                } else {
                    self.diagnostics.push(
                        error(
                            codes::INVALID_CORRELATION,
                            format!("`{written}` is not a valid correlation type"),
                            t.span,
                        )
                        .with_note(format!("expected one of: {}", TYPES.join(", "))),
                    );
                }
                out.kind = Some(written);
            }
        }
        let temporal = matches!(valid_type.as_deref(), Some("temporal" | "temporal_ordered"));
        match section.get("rules") {
            Some(r) => match typed(r) {
                Typed::Str(s) => out.rules.push((s.to_string(), r.span)),
                Typed::Seq => out.rules.extend(
                    r.items()
                        .iter()
                        .map(|i| (i.as_str().unwrap_or_default().to_string(), i.span)),
                ),
                Typed::Null if temporal => {}
                _ => self.err(
                    codes::INVALID_CORRELATION,
                    "`rules` must be a rule id or name, or a list of them",
                    r.span,
                ),
            },
            None if !temporal => self.err(
                codes::MISSING_KEY,
                "a correlation rule must reference `rules`",
                section.span,
            ),
            None => {}
        }
        if let Some(g) = section.get("generate") {
            match typed(g) {
                Typed::Bool(b) => out.generate = b,
                Typed::Null => {}
                _ => self.err(
                    codes::INVALID_CORRELATION,
                    "`generate` must be a boolean",
                    g.span,
                ),
            }
        }
        if let Some(g) = section.get("group-by") {
            match typed(g) {
                Typed::Seq => out.group_by.extend(
                    g.items()
                        .iter()
                        .map(|i| (i.as_str().unwrap_or_default().to_string(), i.span)),
                ),
                Typed::Null => {}
                Typed::Map => self.err(
                    codes::INVALID_CORRELATION,
                    "`group-by` must be a field or a list of fields",
                    g.span,
                ),
                _ => out
                    .group_by
                    .push((g.as_str().unwrap_or_default().to_string(), g.span)),
            }
        }
        match section.get("timespan") {
            None => self.err(
                codes::MISSING_KEY,
                "a correlation rule must have a `timespan`",
                section.span,
            ),
            Some(t) => {
                let ok = match typed(t) {
                    Typed::Str(s) => match s.strip_suffix(['s', 'm', 'h', 'd', 'w', 'M', 'y']) {
                        Some(count) => {
                            !count.is_empty()
                                && count.bytes().all(|b| b.is_ascii_digit())
                                && count.bytes().any(|b| b != b'0')
                        }
                        None => false,
                    },
                    _ => false,
                };
                if ok {
                    out.timespan = t.as_str().map(str::to_string);
                } else {
                    self.diagnostics.push(
                        error(
                            codes::INVALID_CORRELATION,
                            format!("timespan `{}` is invalid", t.as_str().unwrap_or("")),
                            t.span,
                        )
                        .with_note("a positive count and a unit: s, m, h, d, w, M or y (`5m`)"),
                    );
                }
            }
        }
        if let Some(a) = section.get("aliases") {
            if a.is_mapping() {
                for (alias, mapping) in a.entries() {
                    if !mapping.is_mapping() {
                        self.err(
                            codes::INVALID_CORRELATION,
                            "each correlation alias must map rules to fields",
                            mapping.span,
                        );
                        continue;
                    }
                    out.aliases.push((
                        alias.as_str().unwrap_or_default().to_string(),
                        mapping
                            .entries()
                            .map(|(r, f)| {
                                (
                                    r.as_str().unwrap_or_default().to_string(),
                                    f.as_str().unwrap_or_default().to_string(),
                                )
                            })
                            .collect(),
                    ));
                }
            } else if !a.is_null() {
                self.err(
                    codes::INVALID_CORRELATION,
                    "`aliases` must be a mapping",
                    a.span,
                );
            }
        }
        match section.get("condition") {
            Some(cond) if cond.is_mapping() => self.correlation_condition(cond, &mut out),
            Some(cond) if matches!(typed(cond), Typed::Str(_)) => {
                if !temporal {
                    self.err(
                        codes::INVALID_CORRELATION,
                        "an extended (string) condition is only allowed for temporal and temporal_ordered correlations",
                        cond.span,
                    );
                } else {
                    let text = cond.as_str().unwrap_or_default();
                    match parse_condition(text) {
                        Ok(parsed) if parsed.aggregation.is_none() => {
                            out.extended = Some((parsed.expr, text.to_string()));
                        }
                        Ok(_) => self.err(
                            codes::INVALID_CORRELATION,
                            "an extended correlation condition cannot have `|`",
                            cond.span,
                        ),
                        Err(e) => {
                            let map = cond.text_map(self.text);
                            self.err(
                                codes::INVALID_CORRELATION,
                                format!("extended condition: {}", e.message),
                                map.span_to_file(e.span),
                            );
                        }
                    }
                }
            }
            Some(cond) => self.err(
                codes::INVALID_CORRELATION,
                "the correlation `condition` must be a mapping (`gte: 5`) or, for temporal types, a string",
                cond.span,
            ),
            None if !temporal && valid_type.is_some() => self.err(
                codes::MISSING_KEY,
                "a non-temporal correlation rule must have a `condition`",
                section.span,
            ),
            // pySigma's default for temporal types: every listed rule matched.
            None if temporal => {
                out.condition = Some(("gte".into(), out.rules.len().to_string(), None));
            }
            None => {}
        }
        if let (Some(t), Some((_, _, None))) = (&valid_type, &out.condition) {
            if t.starts_with("value_") {
                self.err(
                    codes::INVALID_CORRELATION,
                    format!("a {t} correlation needs the `field` of its condition"),
                    section.get("condition").map_or(section.span, |c| c.span),
                );
            }
        }
        if let Some((expr, _)) = &out.extended {
            let mut names = Vec::new();
            collect_idents(expr, &mut names);
            if !out.rules.is_empty() {
                let listed: Vec<&str> = out.rules.iter().map(|(r, _)| r.as_str()).collect();
                let unref: Vec<&str> = listed
                    .iter()
                    .copied()
                    .filter(|r| !names.iter().any(|n| n == r))
                    .collect();
                let undef: Vec<&String> = names
                    .iter()
                    .filter(|n| !listed.contains(&n.as_str()))
                    .collect();
                if !unref.is_empty() || !undef.is_empty() {
                    self.err(
                        codes::INVALID_CORRELATION,
                        "the extended condition and `rules` must name the same rules",
                        section.get("condition").map_or(section.span, |c| c.span),
                    );
                }
            }
        }
        out
    }

    fn correlation_condition(&mut self, cond: &Node, out: &mut Correlation) {
        const OPS: [&str; 6] = ["lt", "lte", "gt", "gte", "eq", "neq"];
        let mut op = None;
        let mut count = 0;
        for (k, v) in cond.entries() {
            let key = k.as_str().unwrap_or_default();
            if OPS.contains(&key) {
                count += 1;
                let threshold = match typed(v) {
                    Typed::Int(i) => Some(i.to_string()),
                    Typed::Float(f) if f.is_finite() => Some(Number::from_f64(f).canonical()),
                    Typed::Str(s) => s
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .map(|f| Number::from_f64(f).canonical()),
                    Typed::Bool(b) => Some(u8::from(b).to_string()),
                    _ => None,
                };
                match threshold {
                    Some(t) => op = Some((key.to_string(), t)),
                    None => self.err(
                        codes::INVALID_CORRELATION,
                        format!(
                            "`{}` is not a valid correlation condition count",
                            v.as_str().unwrap_or("")
                        ),
                        v.span,
                    ),
                }
            } else if !matches!(key, "field" | "percentile") {
                self.err(
                    codes::INVALID_CORRELATION,
                    format!("unknown correlation condition key `{key}`"),
                    k.span,
                );
            }
        }
        if count != 1 {
            self.diagnostics.push(
                error(
                    codes::INVALID_CORRELATION,
                    "a correlation condition must have exactly one comparison",
                    cond.span,
                )
                .with_note("one of: lt, lte, gt, gte, eq, neq"),
            );
        }
        let field = cond.get("field").and_then(|f| match typed(f) {
            Typed::Seq => Some(
                f.items()
                    .iter()
                    .filter_map(Node::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Typed::Null => None,
            _ => f.as_str().map(str::to_string),
        });
        if let Some((op, t)) = op {
            out.condition = Some((op, t, field));
        }
    }
}

fn collect_idents(e: &Expr, out: &mut Vec<String>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::And(items, _) | Expr::Or(items, _) => stack.extend(items.iter().rev()),
            Expr::Not(inner, _) => stack.push(inner),
            Expr::Ident(n, _) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            Expr::Selector { pattern, .. } => out.push(pattern.clone()),
        }
    }
}
