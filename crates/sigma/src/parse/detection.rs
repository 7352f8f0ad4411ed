//! Detections, their items and values, and the conditions over them.

use super::*;

impl Checker<'_> {
    /// One of Hayabusa's value mappings (see [`is_hayabusa_value`]), read as
    /// the value it stands for; a specification warning either way, since
    /// Sigma has none of them. `None` for `min_length`, which no value
    /// models: the warning says it is left out.
    fn hayabusa_value(&mut self, node: &Node) -> Option<SigmaValue> {
        let (key, value) = node.entries().next()?;
        let name = key.as_str().unwrap_or_default();
        let text = match typed(value) {
            Typed::Str(s) => s.to_string(),
            Typed::Int(i) => i.to_string(),
            _ => String::new(),
        };
        let (message, out) = match name {
            "value" => (
                "`value:` is Hayabusa's, not Sigma's: read as the plain value".to_string(),
                Some(match typed(value) {
                    Typed::Int(i) => SigmaValue::Number(Number::Int(i)),
                    _ => SigmaValue::String(SigmaString::parse(&text)),
                }),
            ),
            "regexes" | "allowlist" => (
                format!(
                    "`{name}:` is Hayabusa's, not Sigma's: the value matches {} of the regular expressions listed in `{text}`, which the analysis does not read",
                    if name == "regexes" { "one" } else { "none" }
                ),
                Some(SigmaValue::RegexList {
                    file: text,
                    matches: name == "regexes",
                }),
            ),
            _ => (
                format!("`{name}:` is Hayabusa's, not Sigma's: this condition is left out of the analysis"),
                None,
            ),
        };
        self.spec(codes::INVALID_DETECTION_VALUE, message, node.span);
        out
    }

    pub(super) fn detections(
        &mut self,
        key_span: Span,
        section: &Node,
        is_filter: bool,
    ) -> Detections {
        let mut out = Detections {
            span: section.span,
            ..Detections::default()
        };
        let mut has_condition = false;
        for (key, value) in section.entries() {
            let name = key.as_str().unwrap_or_default();
            match name {
                "condition" => {
                    has_condition = true;
                    self.conditions(value, &mut out.conditions);
                    continue;
                }
                "rules" if is_filter => continue,
                _ => {}
            }
            if name == "timeframe" && !is_filter {
                if let Some(t) = value.as_str() {
                    out.timeframe = Some((t.to_string(), value.span));
                }
            }
            let mut depth = 0;
            let node = self.detection_node(value, &mut depth);
            out.detections.push(Detection {
                name: name.to_string(),
                key_span: key.span,
                span: key.span.cover(value.span),
                node,
            });
        }
        if !has_condition {
            self.err(
                codes::MISSING_KEY,
                "the detection must have a `condition`",
                key_span,
            );
        } else if out.conditions.is_empty() {
            self.err(
                codes::MISSING_KEY,
                "the `condition` is empty",
                section.get("condition").map_or(section.span, |c| c.span),
            );
        }
        if out.detections.is_empty() {
            self.err(
                codes::EMPTY_DETECTION,
                "no detections are defined",
                key_span,
            );
        }
        self.check_conditions(&out);
        out
    }

    fn conditions(&mut self, value: &Node, out: &mut Vec<ConditionEntry>) {
        let nodes: Vec<&Node> = match typed(value) {
            Typed::Seq => value.items().iter().collect(),
            _ => vec![value],
        };
        for node in nodes {
            let Typed::Str(text) = typed(node) else {
                self.err(
                    codes::CONDITION_SYNTAX,
                    "a condition must be a string",
                    node.span,
                );
                continue;
            };
            let map = node.text_map(self.text);
            let parsed = match parse_condition(text) {
                Ok(c) => {
                    if let Some((agg, span)) = &c.aggregation {
                        let what = match agg {
                            Aggregation::Near(_) => "`near`",
                            Aggregation::Function { .. } => "the aggregation",
                        };
                        self.diagnostics.push(
                            Diagnostic::warning(
                                codes::DEPRECATED_AGGREGATION,
                                format!(
                                    "{what} after `|` is deprecated Sigma syntax that pySigma rejects"
                                ),
                            )
                            .with_span(map.span_to_file(*span))
                            .with_note("express it as a correlation rule"),
                        );
                    }
                    Some(c)
                }
                Err(e) => {
                    self.err(codes::CONDITION_SYNTAX, e.message, map.span_to_file(e.span));
                    None
                }
            };
            out.push(ConditionEntry {
                text: text.to_string(),
                span: node.span,
                map,
                parsed,
            });
        }
    }

    /// Names the conditions use must exist; patterns must match; keyword
    /// detections without values are an error once used (as in pySigma).
    fn check_conditions(&mut self, det: &Detections) {
        let names: Vec<&str> = det.detections.iter().map(|d| d.name.as_str()).collect();
        let by_name: HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut checked: HashSet<usize> = HashSet::new();
        let mut selected: HashMap<&str, Vec<usize>> = HashMap::new();
        for entry in &det.conditions {
            let Some(parsed) = &entry.parsed else {
                continue;
            };
            let mut exprs = vec![&parsed.expr];
            if let Some((Aggregation::Near(e), _)) = &parsed.aggregation {
                exprs.push(e);
            }
            let mut stack = exprs;
            while let Some(e) = stack.pop() {
                match e {
                    Expr::And(items, _) | Expr::Or(items, _) => stack.extend(items.iter().rev()),
                    Expr::Not(inner, _) => stack.push(inner),
                    Expr::Ident(name, span) => {
                        if let Some(&i) = by_name.get(name.as_str()) {
                            if checked.insert(i) {
                                self.check_used(&det.detections[i]);
                            }
                        } else {
                            let mut diag = error(
                                codes::UNDEFINED_DETECTION,
                                format!("detection `{name}` is not defined"),
                                entry.map.span_to_file(*span),
                            );
                            if let Some(close) = closest(name, &names) {
                                diag = diag.with_note(format!("did you mean `{close}`?"));
                            }
                            self.diagnostics.push(diag);
                        }
                    }
                    Expr::Selector {
                        quantifier,
                        pattern,
                        span,
                    } => {
                        let matched = selected.entry(pattern.as_str()).or_insert_with(|| {
                            select(pattern, names.iter().copied())
                                .into_iter()
                                .filter_map(|n| by_name.get(n).copied())
                                .collect()
                        });
                        if matched.is_empty() {
                            self.err(
                                codes::EMPTY_SELECTOR,
                                format!("`{quantifier} of {pattern}` matches no detection"),
                                entry.map.span_to_file(*span),
                            );
                        }
                        for &i in matched.iter() {
                            if checked.insert(i) {
                                self.check_used(&det.detections[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    fn check_used(&mut self, d: &Detection) {
        let mut stack = vec![&d.node];
        while let Some(n) = stack.pop() {
            for child in &n.children {
                match child {
                    DetectionChild::Nested(inner) => stack.push(inner),
                    DetectionChild::Item(item) => {
                        if item.field.is_none() && item.values.is_empty() {
                            let msg = format!(
                                "detection `{}` has a keyword list without values (a null value needs a field)",
                                d.name
                            );
                            if !self.diagnostics.iter().any(|x| x.message == msg) {
                                self.err(codes::EMPTY_DETECTION, msg, item.value_span);
                            }
                        }
                    }
                }
            }
        }
    }

    fn detection_node(&mut self, value: &Node, depth: &mut usize) -> DetectionNode {
        *depth += 1;
        let span = value.span;
        let mut node = DetectionNode {
            children: Vec::new(),
            and: true,
            span,
        };
        match typed(value) {
            Typed::Map => {
                for (k, v) in value.entries() {
                    if let Some(item) = self.item(Some(k), v) {
                        node.children.push(DetectionChild::Item(item));
                    }
                }
                if value.entries().next().is_none() {
                    self.err(codes::EMPTY_DETECTION, "the detection is empty", span);
                }
            }
            Typed::Seq => {
                let items = value.items();
                let all_plain = items.iter().all(|i| {
                    !i.is_mapping() && !i.is_sequence() && !matches!(typed(i), Typed::Timestamp(_))
                });
                if all_plain {
                    if let Some(item) = self.item(None, value) {
                        node.children.push(DetectionChild::Item(item));
                    }
                } else if *depth > 32 {
                    self.err(
                        codes::INVALID_DETECTION_VALUE,
                        "detection nested too deeply",
                        span,
                    );
                } else {
                    node.and = false;
                    for i in items {
                        let child = self.detection_node(i, depth);
                        node.children.push(DetectionChild::Nested(child));
                    }
                }
            }
            Typed::Timestamp(_) => self.err(
                codes::INVALID_DETECTION_VALUE,
                "a date is not a supported detection value (quote it)",
                span,
            ),
            _ => {
                if let Some(item) = self.item(None, value) {
                    node.children.push(DetectionChild::Item(item));
                }
            }
        }
        *depth -= 1;
        node
    }

    fn item(&mut self, key: Option<&Node>, value: &Node) -> Option<Item> {
        let (field, modifier_names, key_span) = match key {
            None => (None, Vec::new(), None),
            Some(k) => {
                let text = k.as_str().unwrap_or_default();
                let mut parts = text.split('|');
                let field = parts.next().unwrap_or_default();
                let mods: Vec<String> = parts.map(str::to_string).collect();
                (
                    Some(field.to_string()).filter(|f| !f.is_empty()),
                    mods,
                    Some(k.span),
                )
            }
        };
        let mut modifiers = Vec::with_capacity(modifier_names.len());
        let mut unknown = false;
        for name in &modifier_names {
            if let Some((meaning, sigma)) = hayabusa_modifier(name) {
                let span = key_span
                    .and_then(|ks| modifier_span(self.text, ks, name))
                    .unwrap_or(value.span);
                self.spec(
                    codes::UNKNOWN_MODIFIER,
                    format!("`{name}` is Hayabusa's modifier, not Sigma's: read as `{sigma}`"),
                    span,
                );
                modifiers.extend_from_slice(meaning);
                continue;
            }
            match Modifier::from_name(name) {
                Some(m) => modifiers.push(m),
                None => {
                    unknown = true;
                    let span = key_span
                        .and_then(|ks| modifier_span(self.text, ks, name))
                        .unwrap_or(value.span);
                    let mut d = error(
                        codes::UNKNOWN_MODIFIER,
                        format!("unknown modifier `{name}`"),
                        span,
                    );
                    if let Some(close) = closest(name, &Modifier::NAMES) {
                        d = d.with_note(format!("did you mean `{close}`?"));
                    }
                    self.diagnostics.push(d);
                }
            }
        }
        let is_re = modifiers.contains(&Modifier::Re);
        let nodes: &[Node] = if value.is_sequence() {
            value.items()
        } else {
            std::slice::from_ref(value)
        };
        let mut values = Vec::with_capacity(nodes.len());
        // A value the analysis leaves out (with a warning) must not leave an
        // empty list behind: that would read as a null check.
        let mut left_out = false;
        for n in nodes {
            let t = typed(n);
            let v = match t {
                Typed::Str(s) if is_re => SigmaValue::String(SigmaString::plain(s)),
                // pySigma hands `re` whatever YAML produced and uses its
                // Python `str()`.
                Typed::Int(i) if is_re => SigmaValue::String(SigmaString::plain(&i.to_string())),
                Typed::Float(f) if is_re => {
                    SigmaValue::String(SigmaString::plain(&crate::value::python_float_repr(f)))
                }
                Typed::Bool(b) if is_re => {
                    SigmaValue::String(SigmaString::plain(if b { "True" } else { "False" }))
                }
                Typed::Null if is_re => SigmaValue::String(SigmaString::plain("None")),
                Typed::Seq | Typed::Map if is_re => {
                    SigmaValue::String(SigmaString::plain(&py_repr(n, 0)))
                }
                Typed::Str(s) => SigmaValue::String(SigmaString::parse(s)),
                Typed::Int(i) => SigmaValue::Number(Number::Int(i)),
                Typed::Float(f) if f.is_finite() => SigmaValue::Number(Number::from_f64(f)),
                Typed::Float(_) => {
                    self.err(
                        codes::INVALID_DETECTION_VALUE,
                        "invalid number (infinite or not a number)",
                        n.span,
                    );
                    continue;
                }
                Typed::Bool(b) => SigmaValue::Bool(b),
                Typed::Null => SigmaValue::Null,
                Typed::Map if is_hayabusa_value(n) => match self.hayabusa_value(n) {
                    Some(v) => v,
                    None => {
                        left_out = true;
                        continue;
                    }
                },
                Typed::Timestamp(_) | Typed::Seq | Typed::Map => {
                    self.err(
                        codes::INVALID_DETECTION_VALUE,
                        format!("{} is not a supported detection value", type_name(&t)),
                        n.span,
                    );
                    continue;
                }
            };
            values.push(v);
        }
        if left_out && values.is_empty() {
            return None;
        }
        let mut item = Item {
            field,
            modifier_names,
            modifiers,
            semantic_values: None,
            values,
            all: false,
            negated: false,
            key_span,
            value_span: value.span,
        };
        if unknown {
            return Some(item);
        }
        if item.modifiers.is_empty() {
            return Some(item);
        }
        let has_field = item.field.is_some();
        // Checking with the encodings left out finds the same errors (an
        // encoding maps a string to strings), and gives the values the rule
        // model uses.
        match apply_modifiers(&item.modifiers, item.values.clone(), has_field, false) {
            Ok(applied) => {
                item.semantic_values = Some(applied.values);
                item.all = applied.all;
                item.negated = applied.negated;
            }
            Err(e) => {
                let code = match e {
                    ModifierError::InvalidValue(_) => codes::INVALID_DETECTION_VALUE,
                    _ => codes::BAD_MODIFIER_CHAIN,
                };
                let span = match (&e, key_span) {
                    (ModifierError::InvalidValue(_), _) | (_, None) => value.span,
                    (_, Some(k)) => k,
                };
                self.err(code, e.message(), span);
                // Keep what can be kept for the page: `all`/`neq` still apply.
                item.all = item.modifiers.contains(&Modifier::All);
                item.negated = item.modifiers.contains(&Modifier::Neq);
            }
        }
        Some(item)
    }
}

/// Python's `repr` of what PyYAML builds from `node` (pySigma's `re`
/// modifier stringifies whatever value it gets).
fn py_repr(node: &Node, depth: usize) -> String {
    if depth > 64 {
        return "...".into();
    }
    let quote = |s: &str| {
        if s.contains('\'') && !s.contains('"') {
            format!("\"{s}\"")
        } else {
            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
        }
    };
    match typed(node) {
        Typed::Str(s) => quote(s),
        Typed::Int(i) => i.to_string(),
        Typed::Float(f) => crate::value::python_float_repr(f),
        Typed::Bool(b) => if b { "True" } else { "False" }.into(),
        Typed::Null => "None".into(),
        Typed::Timestamp(t) => format!("datetime.date({t})"),
        Typed::Seq => format!(
            "[{}]",
            node.items()
                .iter()
                .map(|i| py_repr(i, depth + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Typed::Map => format!(
            "{{{}}}",
            node.entries()
                .map(|(k, v)| format!("{}: {}", py_repr(k, depth + 1), py_repr(v, depth + 1)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The span of modifier `name` inside the key at `key_span`.
fn modifier_span(text: &str, key_span: Span, name: &str) -> Option<Span> {
    let key = key_span.slice(text);
    let needle = format!("|{name}");
    let mut from = 0;
    while let Some(i) = key[from..].find(&needle) {
        let start = from + i + 1;
        let end = start + name.len();
        if key[end..].is_empty() || key[end..].starts_with(['|', '\'', '"']) {
            return Some(Span::from_range(
                key_span.start as usize + start..key_span.start as usize + end,
            ));
        }
        from = end;
    }
    None
}

/// The candidate closest to `word` by edit distance, if close enough.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Hayabusa's value mappings, which its rules use in place of a plain value:
/// `value: x`, `regexes: file`, `allowlist: file`, `min_length: n`, one key
/// each.
fn is_hayabusa_value(node: &Node) -> bool {
    let mut entries = node.entries();
    let (Some((key, _)), None) = (entries.next(), entries.next()) else {
        return false;
    };
    matches!(
        key.as_str(),
        Some("value" | "regexes" | "allowlist" | "min_length")
    )
}

/// Hayabusa's field-comparison modifiers, with the Sigma modifiers they
/// mean and how Sigma writes them.
fn hayabusa_modifier(name: &str) -> Option<(&'static [Modifier], &'static str)> {
    match name {
        "equalsfield" => Some((&[Modifier::FieldRef], "fieldref")),
        "endswithfield" => Some((
            &[Modifier::FieldRef, Modifier::EndsWith],
            "fieldref|endswith",
        )),
        _ => None,
    }
}
