//! The SPL parser: hand-written recursive descent over the tokens of each
//! command.
//!
//! A search is cut into commands at its top-level `|` first
//! ([`crate::lexer::split_commands`]), so an error in one command never
//! spills into the next: recovery happens at every `|`. Each command is
//! then lexed in the mode its grammar needs and parsed by its own
//! function. Recursion (parentheses, `NOT`, subsearches, function calls)
//! is bounded by [`crate::MAX_DEPTH`].

mod commands;
mod expr;
mod search;

use crate::ast::{MacroCall, Pipeline, Spanned};
use crate::diag::{Code, QueryDiagnostic};
use crate::lexer::{self, Mode, Token, TokenKind};
use ruledex_ir::Span;

/// The parser's state: the text, the diagnostics and the current depth.
pub(crate) struct Parser<'t, 'd> {
    pub(crate) text: &'t str,
    pub(crate) diagnostics: &'d mut Vec<QueryDiagnostic>,
    pub(crate) depth: usize,
}

/// The tokens of one command (or part of one) and a cursor.
pub(crate) struct Tokens {
    pub(crate) toks: Vec<Token>,
    pub(crate) pos: usize,
}

impl Tokens {
    pub(crate) fn new(text: &str, start: usize, end: usize, mode: Mode) -> Self {
        Tokens {
            toks: lexer::lex(text, start, end, mode),
            pos: 0,
        }
    }

    pub(crate) fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> &Token {
        &self.toks[(self.pos + ahead).min(self.toks.len() - 1)]
    }

    pub(crate) fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    pub(crate) fn at_end(&self) -> bool {
        self.peek().kind == TokenKind::Eof
    }

    pub(crate) fn eat(&mut self, kind: &TokenKind) -> Option<Token> {
        (&self.peek().kind == kind).then(|| self.next())
    }

    /// Skip every token that starts before `offset`.
    pub(crate) fn skip_to(&mut self, offset: u32) {
        while !self.at_end() && self.peek().span.start < offset {
            self.pos += 1;
        }
    }

    /// The end of the previous token (or of the first one when none was
    /// read).
    pub(crate) fn last_end(&self) -> u32 {
        if self.pos == 0 {
            self.toks[0].span.start
        } else {
            self.toks[self.pos - 1].span.end
        }
    }
}

impl<'t> Parser<'t, '_> {
    pub(crate) fn error(&mut self, code: Code, message: impl Into<String>, span: Span) {
        self.diagnostics
            .push(QueryDiagnostic::new(code, message, span));
    }

    /// Enter one level of nesting; `false` (and an error at `span`) past
    /// the limit.
    pub(crate) fn enter(&mut self, span: Span) -> bool {
        if self.depth >= crate::MAX_DEPTH {
            self.error(
                Code::TooDeep,
                format!("nesting deeper than {} levels", crate::MAX_DEPTH),
                span,
            );
            return false;
        }
        self.depth += 1;
        true
    }

    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// A word, string or quoted name as a [`Spanned`].
    pub(crate) fn spanned(&self, token: &Token) -> Spanned {
        Spanned {
            text: token.value(self.text),
            span: token.span,
        }
    }

    /// Report the first token left over in a command, if any.
    pub(crate) fn expect_end(&mut self, tokens: &Tokens, what: &str) {
        if !tokens.at_end() {
            let t = tokens.peek().clone();
            let shown = t.text(self.text).chars().take(40).collect::<String>();
            self.error(
                Code::UnexpectedToken,
                format!("unexpected `{shown}` in {what}"),
                t.span,
            );
        }
    }

    /// Parse `text[start..end]` as a pipeline. `first_level` is true for
    /// the whole search (lexical errors are reported there, once).
    pub(crate) fn pipeline(&mut self, start: usize, end: usize, first_level: bool) -> Pipeline {
        let segments = lexer::split_commands(self.text, start, end, first_level, self.diagnostics);
        let mut commands = Vec::new();
        for (index, segment) in segments.iter().enumerate() {
            let body = lexer::skip_trivia(self.text, segment.start as usize, segment.end as usize);
            let empty = body >= segment.end as usize;
            match (index, segment.pipe, empty) {
                // The empty text before a leading `|`.
                (0, None, true) if segments.len() > 1 => continue,
                (0, None, true) => {
                    if first_level {
                        self.error(
                            Code::EmptyQuery,
                            "the search is empty",
                            Span::empty(start as u32),
                        );
                    } else {
                        self.error(
                            Code::EmptyQuery,
                            "the subsearch is empty",
                            Span::empty(start as u32),
                        );
                    }
                }
                (_, Some(pipe), true) => self.error(
                    Code::EmptyCommand,
                    "no command after `|`",
                    Span::new(pipe, pipe + 1),
                ),
                (_, pipe, false) => {
                    let implicit = index == 0 && pipe.is_none();
                    let before = self.diagnostics.len();
                    let command = self.command(*segment, body, implicit);
                    let failed = self.diagnostics[before..]
                        .iter()
                        .any(QueryDiagnostic::is_error);
                    match trailing_macro(self.text, body, segment.end as usize) {
                        // A macro left at the end of a command it does not
                        // fit (``| eval a=b `risk_score(a)` ``): macros
                        // expand as text, and one whose definition is not
                        // in the source may well start a new command. Read
                        // it as one, rather than fail the search.
                        Some((head_end, macro_start)) if failed && !implicit => {
                            self.diagnostics.truncate(before);
                            let head = lexer::Segment {
                                end: head_end as u32,
                                ..*segment
                            };
                            commands.push(self.command(head, body, false));
                            let tail = lexer::Segment {
                                start: macro_start as u32,
                                end: segment.end,
                                pipe: None,
                            };
                            let call = self.command(tail, macro_start, false);
                            self.error(
                                Code::MacroAsCommand,
                                format!(
                                    "the macro `{}` does not fit the end of the command before it: read as a command of its own",
                                    call.name.text
                                ),
                                call.name.span,
                            );
                            commands.push(call);
                        }
                        _ => commands.push(command),
                    }
                }
                _ => {}
            }
        }
        Pipeline {
            commands,
            span: Span::from_range(start..end),
        }
    }

    /// Parse a macro call token (`` `name(a, b)` ``).
    pub(crate) fn macro_call(&self, token: &Token) -> MacroCall {
        parse_macro_call(token.text(self.text), token.span)
    }
}

/// Split a macro call's text (backticks included) into name and
/// arguments.
pub fn parse_macro_call(raw: &str, span: Span) -> MacroCall {
    let inner = raw.trim_start_matches('`').trim_end_matches('`').trim();
    let (name, args) = match inner.find('(') {
        Some(open) if inner.ends_with(')') => {
            let args_text = &inner[open + 1..inner.len() - 1];
            (inner[..open].trim(), split_arguments(args_text))
        }
        _ => (inner, Vec::new()),
    };
    MacroCall {
        name: name.to_string(),
        args,
        span,
    }
}

/// Split macro arguments at commas outside quotes and parentheses.
fn split_arguments(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    let mut current = String::new();
    for c in text.chars() {
        if escaped {
            escaped = false;
            current.push(c);
            continue;
        }
        match c {
            '\\' if quoted => {
                escaped = true;
                current.push(c);
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                current.push(c);
            }
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if !quoted && depth == 0 => {
                out.push(std::mem::take(&mut current).trim().to_string())
            }
            c => current.push(c),
        }
    }
    out.push(current.trim().to_string());
    out
}

/// When the command text `text[body..end]` ends with a macro call that
/// does not start it and follows a blank: the end of the text before the
/// call (blanks dropped) and the call's start.
fn trailing_macro(text: &str, body: usize, end: usize) -> Option<(usize, usize)> {
    let command = text.get(body..end)?;
    let trimmed = command.trim_end();
    let inner = trimmed.strip_suffix('`')?;
    let open = inner.rfind('`')?;
    if open == 0 || !inner[..open].ends_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let head_end = body + inner[..open].trim_end().len();
    Some((head_end, body + open))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_calls_split_their_arguments() {
        let m = parse_macro_call("`f(a, \"b,c\", g(1,2))`", Span::new(0, 10));
        assert_eq!(m.name, "f");
        assert_eq!(m.args, ["a", "\"b,c\"", "g(1,2)"]);
        let m = parse_macro_call("`sysmon`", Span::new(0, 8));
        assert_eq!((m.name.as_str(), m.args.len()), ("sysmon", 0));
    }
}
