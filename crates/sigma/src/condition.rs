//! The `condition` language: detection names combined with `and`, `or`,
//! `not`, parentheses and the quantifiers `1 of`, `any of`, `all of`
//! (`them` or a name pattern with `*`), plus the deprecated aggregation
//! pipes (`| count(Field) by Group > 5`, `| near other`).
//!
//! The grammar and precedence follow pySigma: `not` binds tighter than
//! `and`, which binds tighter than `or`; a chain of the same operator is one
//! n-ary node, parentheses nest. Keywords are lower case. Identifiers are
//! ASCII letters, digits, `_` and `-`; patterns after `of` are letters,
//! digits, `_` and `*`.
//!
//! ```
//! use ruledex_sigma::condition::{parse_condition, Expr};
//!
//! let parsed = parse_condition("selection and not 1 of filter_*").unwrap();
//! assert_eq!(parsed.expr.to_string(), "and(selection,not(of(1,filter_*)))");
//! ```

use ruledex_ir::Span;
use std::fmt;

/// Deepest nesting of parentheses and `not` accepted.
pub const MAX_DEPTH: usize = 64;

/// A condition expression; spans are byte ranges in the condition text.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// All must hold.
    And(Vec<Expr>, Span),
    /// Any must hold.
    Or(Vec<Expr>, Span),
    /// Must not hold.
    Not(Box<Expr>, Span),
    /// A detection name.
    Ident(String, Span),
    /// `1 of x*`, `all of them`.
    Selector {
        /// `1`, `any` or `all`, as written.
        quantifier: String,
        /// The pattern (`them` or a name with `*`).
        pattern: String,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// Where the expression is in the condition text.
    pub fn span(&self) -> Span {
        match self {
            Expr::And(_, s) | Expr::Or(_, s) | Expr::Not(_, s) | Expr::Ident(_, s) => *s,
            Expr::Selector { span, .. } => *span,
        }
    }
}

impl fmt::Display for Expr {
    /// The structural form compared with pySigma: `and(a,not(b))`,
    /// `of(1,sel_*)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(items, _) | Expr::Or(items, _) => {
                f.write_str(if matches!(self, Expr::And(..)) {
                    "and("
                } else {
                    "or("
                })?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Expr::Not(inner, _) => write!(f, "not({inner})"),
            Expr::Ident(name, _) => f.write_str(name),
            Expr::Selector {
                quantifier,
                pattern,
                ..
            } => write!(f, "of({quantifier},{pattern})"),
        }
    }
}

/// A deprecated aggregation after `|`.
#[derive(Clone, Debug, PartialEq)]
pub enum Aggregation {
    /// `count(field) by group > 5` and the other functions.
    Function {
        /// `count`, `sum`, `min`, `max`, `avg`.
        function: String,
        /// The aggregated field, if any.
        field: Option<String>,
        /// The `by` field, if any.
        group_by: Option<String>,
        /// Comparison operator as written (`>`, `>=`, …).
        op: String,
        /// The threshold as written.
        threshold: String,
    },
    /// `near expression`.
    Near(Expr),
}

/// A parsed condition: the expression and the optional aggregation.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The boolean part (before any `|`).
    pub expr: Expr,
    /// The aggregation after `|`, if any.
    pub aggregation: Option<(Aggregation, Span)>,
}

/// A syntax error in a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionError {
    /// What is wrong.
    pub message: String,
    /// Where, in the condition text.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    LParen,
    RParen,
    Other(char),
}

fn tokenize(text: &str, base: usize) -> Vec<(Tok, Span)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let start = base + i;
        if c.is_whitespace() {
            continue;
        }
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            c if is_word_char(c) => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !is_word_char(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                out.push((
                    Tok::Word(text[i..end].to_string()),
                    Span::from_range(start..base + end),
                ));
                continue;
            }
            other => Tok::Other(other),
        };
        out.push((tok, Span::from_range(start..start + c.len_utf8())));
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*')
}

struct Parser<'a> {
    toks: &'a [(Tok, Span)],
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn here(&self) -> Span {
        self.toks
            .get(self.pos)
            .map_or(Span::empty(self.end as u32), |(_, s)| *s)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ConditionError> {
        Err(ConditionError {
            message: message.into(),
            span: self.here(),
        })
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut items = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(join(items, false))
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut items = vec![self.not()?];
        while self.is_word("and") {
            self.pos += 1;
            items.push(self.not()?);
        }
        Ok(join(items, true))
    }

    fn not(&mut self) -> Result<Expr, ConditionError> {
        if self.is_word("not") {
            let start = self.here();
            self.pos += 1;
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            let span = start.cover(inner.span());
            return Ok(Expr::Not(Box::new(inner), span));
        }
        self.primary()
    }

    fn enter(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!("condition nested deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<Expr, ConditionError> {
        let span = self.here();
        match self.peek().cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Tok::RParen) {
                    return self.error("expected `)` to close the parenthesis");
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Tok::Word(w)) => {
                let next_is_of =
                    matches!(self.toks.get(self.pos + 1), Some((Tok::Word(x), _)) if x == "of");
                if matches!(w.as_str(), "1" | "any" | "all") && next_is_of {
                    self.pos += 2;
                    let Some((Tok::Word(pattern), pspan)) = self.toks.get(self.pos).cloned() else {
                        return self.error(format!(
                            "expected `them` or a detection name pattern after `{w} of`"
                        ));
                    };
                    if pattern.contains('-') {
                        return Err(ConditionError {
                            message: format!(
                                "`{pattern}`: a pattern after `of` may only contain letters, digits, `_` and `*`"
                            ),
                            span: pspan,
                        });
                    }
                    self.pos += 1;
                    return Ok(Expr::Selector {
                        quantifier: w,
                        pattern,
                        span: span.cover(pspan),
                    });
                }
                if matches!(w.as_str(), "and" | "or" | "of") {
                    return self.error(format!("expected a detection name, found `{w}`"));
                }
                if w.contains('*') {
                    return self.error(format!(
                        "`{w}`: wildcards are only allowed after `1 of` / `all of`"
                    ));
                }
                self.pos += 1;
                Ok(Expr::Ident(w, span))
            }
            Some(Tok::RParen) => self.error("unexpected `)`"),
            Some(Tok::Other(c)) => self.error(format!("unexpected character `{c}`")),
            None => self.error("expected a detection name, found the end of the condition"),
        }
    }
}

fn join(mut items: Vec<Expr>, conjunction: bool) -> Expr {
    if items.len() == 1 {
        return items
            .pop()
            .unwrap_or(Expr::Ident(String::new(), Span::default()));
    }
    let span = items
        .iter()
        .map(Expr::span)
        .reduce(Span::cover)
        .unwrap_or_default();
    if conjunction {
        Expr::And(items, span)
    } else {
        Expr::Or(items, span)
    }
}

/// Parse the boolean part of a condition (`text[base..]`, spans relative to
/// the start of `text`).
fn parse_expr(text: &str, base: usize) -> Result<Expr, ConditionError> {
    let toks = tokenize(&text[base..], base);
    let mut parser = Parser {
        toks: &toks,
        pos: 0,
        end: text.len(),
        depth: 0,
    };
    let expr = parser.or()?;
    if parser.pos < toks.len() {
        let found = match &toks[parser.pos].0 {
            Tok::Word(w) => format!("`{w}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Other(c) => format!("`{c}`"),
        };
        return parser.error(format!(
            "expected `and`, `or` or the end of the condition, found {found}"
        ));
    }
    Ok(expr)
}

/// Parse a condition, with an optional deprecated aggregation after `|`.
pub fn parse_condition(text: &str) -> Result<Condition, ConditionError> {
    let (head, tail) = match text.find('|') {
        Some(i) => (&text[..i], Some(i)),
        None => (text, None),
    };
    let expr = parse_expr(head, 0).map_err(|e| {
        if tail.is_some() && e.span.start as usize >= head.len() {
            ConditionError {
                message: "expected a detection name before `|`".into(),
                span: e.span,
            }
        } else {
            e
        }
    })?;
    let aggregation = match tail {
        None => None,
        Some(pipe) => Some(parse_aggregation(text, pipe + 1)?),
    };
    Ok(Condition { expr, aggregation })
}

fn parse_aggregation(text: &str, start: usize) -> Result<(Aggregation, Span), ConditionError> {
    let body = &text[start..];
    let trimmed_start = start + (body.len() - body.trim_start().len());
    let span = Span::from_range(trimmed_start..start + body.trim_end().len());
    let rest = text[trimmed_start..].trim_end();
    let bad = |message: &str| ConditionError {
        message: message.to_string(),
        span,
    };
    if let Some(after) = rest.strip_prefix("near") {
        if after.starts_with(|c: char| c.is_whitespace()) {
            let expr = parse_expr(text, trimmed_start + 4)?;
            return Ok((Aggregation::Near(expr), span));
        }
    }
    // function ( field? ) [by group] op threshold
    let open = rest.find('(').ok_or_else(|| {
        bad("expected an aggregation such as `count(field) by group > 5` after `|`")
    })?;
    let function = rest[..open].trim().to_string();
    if !matches!(function.as_str(), "count" | "sum" | "min" | "max" | "avg") {
        return Err(bad(&format!(
            "unknown aggregation function `{function}` (expected count, sum, min, max or avg)"
        )));
    }
    let close = rest[open..]
        .find(')')
        .map(|i| open + i)
        .ok_or_else(|| bad("expected `)` after the aggregated field"))?;
    let field = Some(rest[open + 1..close].trim().to_string()).filter(|f| !f.is_empty());
    let mut tail = rest[close + 1..].trim_start();
    let mut group_by = None;
    if let Some(after) = tail.strip_prefix("by") {
        let after = after.trim_start();
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '=' | '!'))
            .unwrap_or(after.len());
        group_by = Some(after[..end].to_string()).filter(|g| !g.is_empty());
        tail = after[end..].trim_start();
    }
    let op_len = tail
        .find(|c: char| !matches!(c, '<' | '>' | '=' | '!'))
        .unwrap_or(tail.len());
    let op = tail[..op_len].to_string();
    if !matches!(op.as_str(), "<" | "<=" | ">" | ">=" | "=" | "==" | "!=") {
        return Err(bad(
            "expected a comparison (`>`, `>=`, `<`, `<=`, `=`) after the aggregation",
        ));
    }
    let threshold = tail[op_len..].trim().to_string();
    if threshold.is_empty() || threshold.parse::<f64>().is_err() {
        return Err(bad("expected a number after the comparison"));
    }
    Ok((
        Aggregation::Function {
            function,
            field,
            group_by,
            op,
            threshold,
        },
        span,
    ))
}

/// The detection names a selector pattern matches, in `names` order. As in
/// pySigma, names starting with `_` only match patterns starting with `_`.
pub fn select<'a>(pattern: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|name| {
            (pattern == "them" || glob_match(pattern, name))
                && (pattern.starts_with('_') || !name.starts_with('_'))
        })
        .collect()
}

/// `*` matches any run of characters; everything else literally.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        match parse_condition(text) {
            Ok(c) => c.expr.to_string(),
            Err(e) => format!("error: {} at {}", e.message, e.span),
        }
    }

    #[test]
    fn precedence_is_not_and_or() {
        assert_eq!(show("a or b and not c"), "or(a,and(b,not(c)))");
        assert_eq!(show("a and b and c"), "and(a,b,c)");
        assert_eq!(show("(a and b) and c"), "and(and(a,b),c)");
        assert_eq!(show("((a))"), "a");
        assert_eq!(show("not not a"), "not(not(a))");
        assert_eq!(show("notepad and android"), "and(notepad,android)");
    }

    #[test]
    fn selectors() {
        assert_eq!(show("1 of selection_*"), "of(1,selection_*)");
        assert_eq!(show("all of them"), "of(all,them)");
        assert_eq!(
            show("any of x and not 1 of f*"),
            "and(of(any,x),not(of(1,f*)))"
        );
        // `all` without `of` is a name.
        assert_eq!(show("all"), "all");
    }

    #[test]
    fn errors_point_at_the_token() {
        assert_eq!(
            show("a and"),
            "error: expected a detection name, found the end of the condition at 5..5"
        );
        assert_eq!(
            show("a b"),
            "error: expected `and`, `or` or the end of the condition, found `b` at 2..3"
        );
        assert_eq!(
            show("(a"),
            "error: expected `)` to close the parenthesis at 2..2"
        );
        assert!(show("a AND b").starts_with("error"));
        assert!(show("sel*").starts_with("error"));
        assert!(show("2 of x").starts_with("error"));
        assert!(show("1 of sel-*").starts_with("error"));
    }

    #[test]
    fn depth_is_limited() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(show(&deep).contains("deeper"));
        let nots = format!("{}a", "not ".repeat(10_000));
        assert!(show(&nots).contains("deeper"));
    }

    #[test]
    fn aggregation_pipes_are_parsed() {
        let c = parse_condition("selection | count(dst) by src > 10").unwrap();
        assert_eq!(c.expr.to_string(), "selection");
        let Some((
            Aggregation::Function {
                function,
                field,
                group_by,
                op,
                threshold,
            },
            _,
        )) = c.aggregation
        else {
            panic!("no aggregation");
        };
        assert_eq!(
            (
                function.as_str(),
                field.as_deref(),
                group_by.as_deref(),
                op.as_str(),
                threshold.as_str()
            ),
            ("count", Some("dst"), Some("src"), ">", "10")
        );
        let c = parse_condition("a | near b and not c").unwrap();
        assert!(matches!(c.aggregation, Some((Aggregation::Near(_), _))));
        assert!(parse_condition("a | frobnicate").is_err());
    }

    #[test]
    fn selector_matching() {
        let names = ["sel_a", "sel_b", "filter", "_hidden"];
        assert_eq!(select("sel_*", names), ["sel_a", "sel_b"]);
        assert_eq!(select("them", names), ["sel_a", "sel_b", "filter"]);
        assert_eq!(select("*", names), ["sel_a", "sel_b", "filter"]);
        assert_eq!(select("_*", names), ["_hidden"]);
        assert_eq!(select("filter", names), ["filter"]);
        assert_eq!(select("*_b", names), ["sel_b"]);
    }
}
