//! Search macros: definitions, and their expansion into the search text.
//!
//! Splunk expands macros as text before it parses a search: a call
//! `` `name(a, b)` `` is replaced by the definition of `name(2)` (macros
//! are overloaded by arity) with `$arg$` replaced by the arguments, and the
//! result is expanded again. [`expand`] does the same, recursively up to
//! [`MAX_EXPANSION_DEPTH`], never inside quoted strings or comments, and
//! remembers where every byte of the expanded text came from: original
//! text keeps its offsets, expanded text belongs to the call in the
//! original search that produced it. Spans of the parsed expanded text map
//! back through [`Expansion::to_original`].
//!
//! Two macros are known without a definition: `drop_dm_object_name(1)`
//! (Splunk's CIM app: `rename Object.* as *`) and
//! `security_content_ctime(1)` (`convert … ctime(field)`). A definition in
//! the source wins over them.

use crate::diag::{Code, QueryDiagnostic};
use crate::lexer;
use crate::parser::parse_macro_call;
use ruledex_ir::Span;
use std::collections::HashMap;

/// Deepest nesting of macro expansions.
pub const MAX_EXPANSION_DEPTH: usize = 16;

/// The expanded text may grow to this many times the search (plus a
/// constant) before expansion stops: a guard against exponential macros.
const MAX_GROWTH: usize = 64;

/// One macro definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDef {
    /// The name, without `(N)`.
    pub name: String,
    /// Argument names, in order.
    pub arguments: Vec<String>,
    /// The definition text.
    pub definition: String,
    /// Its description, if the definition file has one.
    pub description: Option<String>,
}

impl MacroDef {
    /// A definition of `name` with `arguments`.
    pub fn new(name: &str, arguments: &[&str], definition: &str) -> Self {
        MacroDef {
            name: name.to_string(),
            arguments: arguments.iter().map(|a| a.to_string()).collect(),
            definition: definition.to_string(),
            description: None,
        }
    }

    /// True for a definition that filters nothing: empty, or `search *`
    /// (the default of security_content's `*_filter` macros).
    pub fn is_empty_filter(&self) -> bool {
        let d = self.definition.trim();
        d.is_empty() || d == "*" || d.eq_ignore_ascii_case("search *")
    }
}

/// The macro definitions of one source, by name and arity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Macros {
    defs: HashMap<(String, usize), MacroDef>,
}

impl Macros {
    /// No definitions.
    pub fn new() -> Self {
        Macros::default()
    }

    /// Add (or replace) a definition. A name written `name(N)` is stored
    /// as `name` with arity N.
    pub fn insert(&mut self, mut def: MacroDef) {
        if let Some(open) = def.name.find('(') {
            def.name.truncate(open);
        }
        self.defs
            .insert((def.name.clone(), def.arguments.len()), def);
    }

    /// The definition of `name` taking `arity` arguments.
    pub fn get(&self, name: &str, arity: usize) -> Option<&MacroDef> {
        self.defs.get(&(name.to_string(), arity))
    }

    /// The arities `name` is defined with.
    pub fn arities(&self, name: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .defs
            .keys()
            .filter(|(n, _)| n == name)
            .map(|(_, a)| *a)
            .collect();
        out.sort_unstable();
        out
    }

    /// Number of definitions.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }
}

/// The definition of a macro Splunk's apps provide, used when the source
/// does not define it.
pub fn builtin(name: &str, args: &[String]) -> Option<String> {
    let arg = |i: usize| args.get(i).map(|a| a.trim().trim_matches('"').to_string());
    match (name, args.len()) {
        ("drop_dm_object_name", 1) => Some(format!("rename {}.* as *", arg(0)?)),
        ("security_content_ctime", 1) => Some(format!(
            "convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime({})",
            arg(0)?
        )),
        _ => None,
    }
}

/// True for the names [`builtin`] knows.
pub fn is_builtin(name: &str) -> bool {
    matches!(name, "drop_dm_object_name" | "security_content_ctime")
}

/// A call in the original search and what it became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The macro name.
    pub name: String,
    /// The arguments as written.
    pub args: Vec<String>,
    /// The call in the original search, backticks included.
    pub span: Span,
    /// The fully expanded text; `None` when the macro is not defined (the
    /// call stays in the text as written).
    pub expansion: Option<String>,
    /// The definition used, when the source defines the macro.
    pub definition: Option<MacroDef>,
    /// Macros called from inside the expansion, in order.
    pub nested: Vec<String>,
}

/// Where a run of the expanded text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// Original text starting at this offset.
    Text(u32),
    /// The expansion of this call (index into [`Expansion::calls`]).
    Call(usize),
}

/// A search with its macros expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// The expanded text.
    pub text: String,
    /// Every macro call of the original search, in order.
    pub calls: Vec<Call>,
    /// Problems (spans in the original search).
    pub diagnostics: Vec<QueryDiagnostic>,
    /// `(start in expanded text, origin)`, sorted.
    pieces: Vec<(u32, Origin)>,
}

impl Expansion {
    /// The original offset of expanded offset `offset`: itself in original
    /// text, the call's start inside an expansion.
    pub fn to_original(&self, offset: u32) -> u32 {
        let i = match self.pieces.binary_search_by_key(&offset, |p| p.0) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        match self.pieces.get(i) {
            Some((start, Origin::Text(orig))) => orig + (offset - start),
            Some((_, Origin::Call(c))) => self.calls[*c].span.start,
            None => offset,
        }
    }

    /// The call whose expansion holds expanded offset `offset`, if any.
    pub fn call_at(&self, offset: u32) -> Option<&Call> {
        let i = match self.pieces.binary_search_by_key(&offset, |p| p.0) {
            Ok(i) => i,
            Err(0) => return None,
            Err(i) => i - 1,
        };
        match self.pieces.get(i) {
            Some((_, Origin::Call(c))) => self.calls.get(*c),
            _ => None,
        }
    }

    /// An expanded span as a span of the original search: inside an
    /// expansion, the whole call.
    pub fn span_to_original(&self, span: Span) -> Span {
        if let Some(call) = self.call_at(span.start) {
            return call.span;
        }
        let start = self.to_original(span.start);
        let end = if span.is_empty() {
            start
        } else {
            match self.call_at(span.end - 1) {
                Some(call) => call.span.end,
                None => self.to_original(span.end - 1) + 1,
            }
        };
        Span::new(start, end.max(start))
    }

    /// True when no macro was expanded (the text is the original).
    pub fn is_identity(&self) -> bool {
        self.calls.iter().all(|c| c.expansion.is_none())
    }
}

/// Expand every macro call of `search` that `macros` (or [`builtin`])
/// defines.
pub fn expand(search: &str, macros: &Macros) -> Expansion {
    let mut out = Expansion {
        text: String::with_capacity(search.len()),
        calls: Vec::new(),
        diagnostics: Vec::new(),
        pieces: Vec::new(),
    };
    let budget = search.len().saturating_mul(MAX_GROWTH) + 65_536;
    let bytes = search.as_bytes();
    let mut copied = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'`' if bytes[i..].starts_with(b"```") => {
                i = search[i + 3..]
                    .find("```")
                    .map_or(bytes.len(), |p| i + 3 + p + 3);
            }
            b'`' => {
                let Some(close) = bytes[i + 1..].iter().position(|b| *b == b'`') else {
                    break;
                };
                let end = i + 1 + close + 1;
                let span = Span::from_range(i..end);
                let call = parse_macro_call(&search[i..end], span);
                let mut record = Call {
                    name: call.name.clone(),
                    args: call.args.clone(),
                    span,
                    expansion: None,
                    definition: None,
                    nested: Vec::new(),
                };
                let mut stack = vec![call.name.clone()];
                let expanded = expand_call(
                    &call.name,
                    &call.args,
                    macros,
                    &mut stack,
                    &mut record,
                    span,
                    &mut out.diagnostics,
                    budget.saturating_sub(out.text.len()),
                );
                if let Some(text) = expanded {
                    // Original text up to the call.
                    if copied < i {
                        out.pieces
                            .push((out.text.len() as u32, Origin::Text(copied as u32)));
                        out.text.push_str(&search[copied..i]);
                    }
                    out.pieces
                        .push((out.text.len() as u32, Origin::Call(out.calls.len())));
                    // Surrounded by spaces, as Splunk's substitution
                    // does not glue tokens together.
                    out.text.push(' ');
                    out.text.push_str(&text);
                    out.text.push(' ');
                    record.expansion = Some(text);
                    copied = end;
                }
                out.calls.push(record);
                i = end;
            }
            _ => i += 1,
        }
    }
    if copied < search.len() || out.pieces.is_empty() {
        out.pieces
            .push((out.text.len() as u32, Origin::Text(copied as u32)));
        out.text.push_str(&search[copied..]);
    }
    out
}

fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The expansion of one call, recursively; `None` when the macro is not
/// defined (or expansion had to stop), with diagnostics at `span`.
#[allow(clippy::too_many_arguments)]
fn expand_call(
    name: &str,
    args: &[String],
    macros: &Macros,
    stack: &mut Vec<String>,
    record: &mut Call,
    span: Span,
    diagnostics: &mut Vec<QueryDiagnostic>,
    budget: usize,
) -> Option<String> {
    let body = match macros.get(name, args.len()) {
        Some(def) => {
            if stack.len() == 1 {
                record.definition = Some(def.clone());
            }
            substitute(&def.definition, &def.arguments, args)
        }
        None => match builtin(name, args) {
            Some(text) => text,
            None => {
                let arities = macros.arities(name);
                if !arities.is_empty() {
                    diagnostics.push(QueryDiagnostic::new(
                        Code::MacroArity,
                        format!(
                            "macro `{name}` is called with {} argument(s) but is defined with {}",
                            args.len(),
                            arities
                                .iter()
                                .map(usize::to_string)
                                .collect::<Vec<_>>()
                                .join(" or ")
                        ),
                        span,
                    ));
                }
                return None;
            }
        },
    };
    // Expand the macros the definition calls.
    let bytes = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut copied = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'`' if bytes[i..].starts_with(b"```") => {
                i = body[i + 3..]
                    .find("```")
                    .map_or(bytes.len(), |p| i + 3 + p + 3);
            }
            b'`' => {
                let Some(close) = bytes[i + 1..].iter().position(|b| *b == b'`') else {
                    break;
                };
                let end = i + 1 + close + 1;
                let inner = parse_macro_call(&body[i..end], Span::default());
                record.nested.push(inner.name.clone());
                if stack.len() >= MAX_EXPANSION_DEPTH || stack.contains(&inner.name) {
                    diagnostics.push(QueryDiagnostic::new(
                        Code::MacroRecursion,
                        format!(
                            "macro `{}` expands into itself or nests too deep ({}); expansion stopped",
                            inner.name,
                            stack.join(" → ")
                        ),
                        span,
                    ));
                    i = end;
                    continue;
                }
                stack.push(inner.name.clone());
                let nested = expand_call(
                    &inner.name,
                    &inner.args,
                    macros,
                    stack,
                    record,
                    span,
                    diagnostics,
                    budget.saturating_sub(out.len()),
                );
                stack.pop();
                if let Some(text) = nested {
                    out.push_str(&body[copied..i]);
                    out.push(' ');
                    out.push_str(&text);
                    out.push(' ');
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
        if out.len() > budget {
            diagnostics.push(QueryDiagnostic::new(
                Code::MacroRecursion,
                format!("macro `{name}` expands to too much text; expansion stopped"),
                span,
            ));
            return None;
        }
    }
    out.push_str(&body[copied..]);
    if out.len() > budget {
        diagnostics.push(QueryDiagnostic::new(
            Code::MacroRecursion,
            format!("macro `{name}` expands to too much text; expansion stopped"),
            span,
        ));
        return None;
    }
    Some(out)
}

/// Replace `$arg$` with the call's arguments.
fn substitute(definition: &str, names: &[String], values: &[String]) -> String {
    if names.is_empty() || !definition.contains('$') {
        return definition.to_string();
    }
    let mut out = definition.to_string();
    for (name, value) in names.iter().zip(values) {
        out = out.replace(&format!("${name}$"), value);
    }
    out
}

/// Read the macro definitions of one security_content `macros/*.yml` file
/// (`name`, `definition`, optional `arguments` and `description`).
pub fn from_yaml(text: &str) -> Option<MacroDef> {
    let docs = ruledex_yaml::parse(text).ok()?;
    let doc = docs.first()?;
    let name = doc.get("name")?.as_str()?.trim().to_string();
    let definition = doc
        .get("definition")
        .and_then(|d| {
            d.as_str()
                .map(str::to_string)
                .or_else(|| (!d.is_null()).then(|| d.to_json().to_string()))
        })
        .unwrap_or_default();
    let arguments = doc
        .get("arguments")
        .map(|a| a.strings().into_iter().map(str::to_string).collect())
        .unwrap_or_default();
    Some(MacroDef {
        name,
        arguments,
        definition,
        description: doc
            .get("description")
            .and_then(|d| d.as_str())
            .map(str::to_string),
    })
}

/// Every macro call in `text` outside strings and comments: `(name, args,
/// span)`, spans in `text`.
pub fn calls_in(text: &str) -> Vec<crate::ast::MacroCall> {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    for segment in lexer::split_commands(text, 0, text.len(), false, &mut diagnostics) {
        for token in lexer::lex(
            text,
            segment.start as usize,
            segment.end as usize,
            lexer::Mode::Args,
        ) {
            if token.kind == lexer::TokenKind::Macro {
                out.push(parse_macro_call(token.text(text), token.span));
            }
        }
    }
    out
}

/// The macros of a Splunk app's `macros.conf`: one per stanza with a
/// `definition` (`[name(N)]`, `args = a, b`). A stanza whose name says N
/// arguments but lists none gets them named `arg1` … `argN`, so its arity
/// still matches the calls.
pub fn from_conf(text: &str) -> Vec<MacroDef> {
    crate::conf::parse(text)
        .into_iter()
        .filter(|stanza| stanza.name != "default")
        .filter_map(|stanza| {
            let definition = stanza.value("definition")?.to_string();
            let mut arguments: Vec<String> = stanza
                .value("args")
                .map(|a| {
                    a.split(',')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let declared = stanza
                .name
                .split_once('(')
                .and_then(|(_, n)| n.trim_end_matches(')').trim().parse::<usize>().ok());
            if let Some(n) = declared {
                if arguments.is_empty() {
                    arguments = (1..=n).map(|i| format!("arg{i}")).collect();
                }
            }
            Some(MacroDef {
                name: stanza.name.clone(),
                arguments,
                definition,
                description: stanza.value("description").map(str::to_string),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> Macros {
        let mut m = Macros::new();
        m.insert(MacroDef::new("sysmon", &[], "index=win sourcetype=sysmon"));
        m.insert(MacroDef::new(
            "process_x",
            &[],
            "(Processes.process_name=x.exe OR `orig(x.exe)`)",
        ));
        m.insert(MacroDef::new(
            "orig",
            &["n"],
            "Processes.original_file_name=$n$",
        ));
        m.insert(MacroDef::new("loop", &[], "a `loop`"));
        m
    }

    #[test]
    fn expands_recursively_with_arguments_and_maps_back() {
        let search = "`sysmon` EventCode=1 `process_x` \"`sysmon`\"";
        let e = expand(search, &defs());
        assert!(e.text.contains("index=win sourcetype=sysmon"));
        assert!(e.text.contains("Processes.original_file_name=x.exe"));
        // The quoted call is not expanded.
        assert!(e.text.ends_with("\"`sysmon`\""));
        assert_eq!(e.calls.len(), 2);
        assert_eq!(e.calls[1].nested, ["orig"]);
        let at = e.text.find("EventCode").unwrap() as u32;
        assert_eq!(e.to_original(at), search.find("EventCode").unwrap() as u32);
        let inside = e.text.find("original_file_name").unwrap() as u32;
        assert_eq!(e.call_at(inside).unwrap().name, "process_x");
        assert_eq!(
            e.span_to_original(Span::new(inside, inside + 4)),
            e.calls[1].span
        );
    }

    #[test]
    fn recursion_and_arity_are_reported() {
        let e = expand("`loop` `orig(a, b)` `nope`", &defs());
        let codes: Vec<_> = e.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["SPL103", "SPL104"]);
        assert!(e.calls[2].expansion.is_none());
    }

    #[test]
    fn builtins_expand_without_definitions() {
        let e = expand("| `drop_dm_object_name(\"Processes\")`", &Macros::new());
        assert!(e.text.contains("rename Processes.* as *"), "{}", e.text);
    }
}
