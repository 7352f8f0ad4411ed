//! The rule page.

use super::{Layout, RuleLink, PAGE_MAX_BYTES};
use crate::highlight::{self, Body, Mark, Syntax};
use crate::paths;
use crate::site::Site;
use askama::Template;
use ruledex_attack::Resolution;
use ruledex_ir::{
    BindingKind, DependencyKind, Indicator, IndicatorKind, Stage, StageRef, ValueSourceKind,
};
use std::collections::BTreeMap;

// A rule page is rendered with its full list budgets and, while it is
// larger than PAGE_MAX_BYTES, again with every list budget halved: a rule
// of hundreds of long stages and values keeps a fast page, and each cut
// list says how many more there are.

/// How much of each long list a rule page shows. Everything cut is still in
/// the rule body (or its plain-text copy) and the JSON API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Related rules listed before "and N more".
    pub related: usize,
    /// Evidence lines shown per related rule.
    pub evidence: usize,
    /// Stages (nested ones included) the main query shows before "and N
    /// more stages"; the let bindings share as many again.
    pub stages: usize,
    /// Values an indicator row lists before "and N more values".
    pub values_per_row: usize,
    /// Values the indicator table lists in all; rows past the budget give
    /// only their count (rules with thousands of hash indicators stay
    /// readable).
    pub values: usize,
    /// The same for the exclusions table.
    pub excluded_values: usize,
    /// Indicator rows listed before "and N more indicators".
    pub indicator_rows: usize,
    /// Exclusion rows listed before "and N more exclusions".
    pub exclusion_rows: usize,
    /// Sample events (a Panther rule's `Tests`) listed before "and N more
    /// tests".
    pub samples: usize,
    /// Bytes of one sample event's JSON shown; a larger event is cut, with
    /// a note.
    pub sample_bytes: usize,
}

impl Budget {
    /// What a page shows when it fits in [`PAGE_MAX_BYTES`].
    pub const FULL: Budget = Budget {
        related: 25,
        evidence: 4,
        stages: 50,
        values_per_row: 20,
        values: 200,
        excluded_values: 100,
        indicator_rows: 80,
        exclusion_rows: 40,
        samples: 20,
        sample_bytes: 3_000,
    };

    // A rule page lists the head of the related list that `Site` keeps.
    const _FITS_IN_HEAD: () = assert!(Budget::FULL.related <= crate::site::RELATED_HEAD_ROWS);

    /// The smallest budget a page is ever rendered with (three halvings):
    /// still a useful page, and small whatever the rule.
    pub const SMALLEST: Budget = Budget::FULL.halved().halved().halved();

    /// Every list budget halved, keeping at least a few of each.
    pub const fn halved(self) -> Budget {
        const fn half(n: usize, floor: usize) -> usize {
            if n / 2 > floor {
                n / 2
            } else {
                floor
            }
        }
        Budget {
            related: half(self.related, 5),
            evidence: half(self.evidence, 2),
            stages: half(self.stages, 5),
            values_per_row: half(self.values_per_row, 3),
            values: half(self.values, 20),
            excluded_values: half(self.excluded_values, 10),
            indicator_rows: half(self.indicator_rows, 10),
            exclusion_rows: half(self.exclusion_rows, 5),
            samples: half(self.samples, 3),
            sample_bytes: half(self.sample_bytes, 400),
        }
    }
}

/// Keep at most `max` views; return how many were dropped.
fn cap_stages(stages: &mut Vec<StageView>, max: usize) -> usize {
    let more = stages.len().saturating_sub(max);
    stages.truncate(max);
    more
}

/// Stage texts longer than this many lines show their first
/// [`STAGE_HEAD_LINES`] and point at the rule body for the rest (the body
/// holds the whole text once; repeating it would double large pages).
pub const STAGE_MAX_LINES: usize = 30;
/// See [`STAGE_MAX_LINES`].
pub const STAGE_HEAD_LINES: usize = 12;

/// Computed columns a stage lists before "and N more".
pub const ASSIGNMENTS_PER_STAGE: usize = 20;
/// Characters of a computed column's expression shown.
pub const EXPRESSION_MAX_CHARS: usize = 300;

/// `text` cut at `max` characters with an ellipsis.
fn cut_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{} …", &text[..at]),
        None => text.to_string(),
    }
}

/// Characters of a stage's rendered predicate shown before it is cut (a
/// predicate over hundreds of values repeats the indicator table).
pub const PREDICATE_MAX_CHARS: usize = 800;

/// Bytes of highlighted HTML of the rule's source a page shows. A few rules
/// are hundreds of kilobytes (lists of driver hashes); their page shows the
/// first lines and links to a plain-text copy. It is not part of the
/// [`Budget`]: which rules have a plain-text copy must not depend on how the
/// rest of the page renders.
pub const BODY_MAX_HTML: usize = 30_000;

/// Whether a rule's body is longer than its page shows, so it gets a
/// plain-text copy.
pub fn body_is_cut(site: &Site, position: usize) -> bool {
    match (site.body(position), site.entries().get(position)) {
        (Some(body), Some(entry)) => body.shown < entry.rule.body.len(),
        _ => false,
    }
}

/// The rule body highlighted for its page, within [`BODY_MAX_HTML`] bytes
/// ([`Site::body`] keeps it).
pub(crate) fn body_view(rule: &ruledex_ir::Rule) -> highlight::BodyHtml {
    let max_html = BODY_MAX_HTML;
    let file_syntax = highlight::Syntax::for_path(&rule.provenance.path)
        .unwrap_or_else(|| Syntax::for_language(rule.language));
    let query_syntax = Syntax::for_language(rule.language);
    let (first_line, query_lines) = body_lines(rule);
    let marks = rule
        .diagnostics
        .iter()
        .filter_map(|d| {
            let span = d.span?;
            let start = span.start.checked_sub(rule.body_offset)? as usize;
            let end = (span.end.saturating_sub(rule.body_offset) as usize).max(start);
            Some(Mark {
                range: start..end,
                title: format!("{} {}: {}", d.severity, d.code, d.message),
            })
        })
        .collect();
    highlight::body_html(&Body {
        text: &rule.body,
        first_line,
        file_syntax,
        query: query_lines.map(|lines| (query_syntax, lines)),
        marks,
        max_html,
    })
}

/// A predicate rendered for the page, cut at [`PREDICATE_MAX_CHARS`].
fn predicate_text(predicate: &ruledex_ir::Predicate) -> String {
    let text = predicate.to_string();
    let count = text.chars().count();
    if count <= PREDICATE_MAX_CHARS {
        return text;
    }
    let head: String = text.chars().take(PREDICATE_MAX_CHARS).collect();
    format!(
        "{head} … ({} more characters; every value is listed under Indicators)",
        count - PREDICATE_MAX_CHARS
    )
}

/// Where a stage's text starts in the body, as a file line number.
pub(crate) struct BodyLines<'a> {
    body: &'a str,
    body_offset: u32,
    first_line: u32,
}

impl BodyLines<'_> {
    fn line_of(&self, file_offset: u32) -> Option<u32> {
        let at = file_offset.checked_sub(self.body_offset)? as usize;
        let before = self.body.get(..at)?;
        Some(self.first_line + before.matches('\n').count() as u32)
    }
}

/// What rendering a stage needs besides the stage.
struct StageContext<'a> {
    syntax: Syntax,
    bindings: &'a [String],
    lines: &'a BodyLines<'a>,
}

/// The stage text, cut when long, as highlighted HTML.
fn stage_text_html(text: &str, syntax: Syntax, line: Option<u32>) -> String {
    let text = text.trim_end();
    let total = text.split('\n').count();
    if total <= STAGE_MAX_LINES {
        return highlight::highlight(text, syntax);
    }
    let head: Vec<&str> = text.split('\n').take(STAGE_HEAD_LINES).collect();
    let mut html = highlight::highlight(&head.join("\n"), syntax);
    let rest = total - STAGE_HEAD_LINES;
    match line {
        Some(l) => html.push_str(&format!(
            "\n<a class=more href=\"#L{}\">… {rest} more lines: see the rule body from line {}</a>",
            l as usize + STAGE_HEAD_LINES,
            l as usize + STAGE_HEAD_LINES
        )),
        None => html.push_str(&format!(
            "\n<span class=more>… {rest} more lines in the rule body</span>"
        )),
    }
    html
}

pub(crate) struct Badge {
    pub label: String,
    pub class: &'static str,
}

pub(crate) struct MetaRow {
    pub label: &'static str,
    pub text: String,
    pub href: Option<String>,
    pub extra: Option<String>,
}

impl MetaRow {
    /// A row of plain text, without link or note.
    fn plain(label: &'static str, text: impl Into<String>) -> MetaRow {
        MetaRow {
            label,
            text: text.into(),
            href: None,
            extra: None,
        }
    }
}

pub(crate) struct TechniqueLink {
    pub id: String,
    pub name: String,
    pub href: String,
    pub provisional: bool,
    pub subs: Vec<TechniqueLink>,
}

pub(crate) struct AttackRow {
    pub tactic: String,
    pub tactic_id: String,
    pub techniques: Vec<TechniqueLink>,
}

pub(crate) struct EventRow {
    pub id: String,
    pub name: String,
    pub href: String,
    pub operations: Vec<(String, String)>,
    pub written: String,
}

/// An event of the event dictionary the rule can match.
pub(crate) struct DictionaryEventRow {
    pub label: String,
    pub href: String,
    pub reason: String,
    /// Fields of the event the rule filters: (name, link to its row on the
    /// event page).
    pub fields: Vec<(String, String)>,
}

pub(crate) struct StageView {
    pub anchor: String,
    pub label: String,
    pub kind: String,
    pub name: Option<String>,
    pub text_html: String,
    pub predicate: Option<String>,
    pub assignments: Vec<(String, String)>,
    /// Computed columns not listed ([`ASSIGNMENTS_PER_STAGE`]).
    pub more_assignments: usize,
    pub uses: Vec<(String, Option<String>)>,
    pub nested: bool,
}

pub(crate) struct BindingView {
    pub anchor: String,
    pub name: String,
    pub kind: &'static str,
    pub parameters: String,
    pub values: String,
    pub text_html: String,
    pub stages: Vec<StageView>,
    /// Stages not shown ([`Budget::stages`]).
    pub more_stages: usize,
}

pub(crate) struct ValueView {
    pub text: String,
    pub href: Option<String>,
    pub count: usize,
    pub breakdown: String,
}

pub(crate) struct IndicatorView {
    pub anchor: String,
    pub number: usize,
    pub field: String,
    pub field_href: Option<String>,
    pub derived: Option<String>,
    pub kind: String,
    pub flags: Vec<&'static str>,
    pub values: Vec<ValueView>,
    /// Values not listed (over the [`Budget`]).
    pub more_values: usize,
    /// (text, link to the binding, link label).
    pub values_from: Option<(String, Option<String>, String)>,
    pub stage_label: String,
    pub stage_href: String,
}

pub(crate) struct OutputView {
    pub name: String,
    pub source: String,
    pub stage_href: Option<String>,
}

pub(crate) struct DiagView {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub place: Option<(String, String)>,
    pub notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "rule.html")]
pub(crate) struct RulePage {
    pub layout: Layout,
    pub title: String,
    pub platform_name: &'static str,
    pub platform_href: String,
    pub language_name: &'static str,
    pub language_href: String,
    pub badges: Vec<Badge>,
    pub banners: Vec<String>,
    pub meta: Vec<MetaRow>,
    pub description_html: Option<String>,
    pub alert: Vec<(String, String)>,
    pub attack_rows: Vec<AttackRow>,
    pub attack_other: Vec<String>,
    pub events: Vec<EventRow>,
    pub dictionary_events: Vec<DictionaryEventRow>,
    pub data_sources: Vec<String>,
    /// The rules sharing most behaviour, with their evidence.
    pub related: Vec<RelatedRow>,
    /// When more rules share behaviour than are listed: how many in all, and
    /// the page listing them.
    pub related_more: Option<(usize, String)>,
    /// Rules that only read the same log source: how many, the log source's
    /// name and page.
    pub same_logsource: Option<(usize, String, String)>,
    pub body_syntax: &'static str,
    pub source_url: Option<String>,
    pub body_html: String,
    /// When the body is cut: lines not shown, their size, and the link to
    /// the plain-text copy.
    pub body_rest: Option<(usize, String, String)>,
    /// Main-query stages not shown ([`Budget::stages`]).
    pub more_stages: usize,
    /// Indicator rows not listed ([`Budget::indicator_rows`]).
    pub more_indicators: usize,
    /// Exclusion rows not listed ([`Budget::exclusion_rows`]).
    pub more_exclusions: usize,
    pub bindings: Vec<BindingView>,
    pub stages: Vec<StageView>,
    pub exclusions: Vec<IndicatorView>,
    pub indicators: Vec<IndicatorView>,
    pub outputs: Vec<OutputView>,
    pub entities: Vec<(String, String, String)>,
    pub custom_details: Vec<(String, String)>,
    pub dependencies: Vec<(&'static str, String, Option<String>)>,
    pub diagnostics: Vec<DiagView>,
    /// The rule's own tests (Panther `Tests`): sample events with their
    /// expected result.
    pub samples: Vec<SampleView>,
    /// Tests not listed ([`Budget::samples`]).
    pub more_samples: usize,
}

/// One test of a rule: a sample event and the result its author expects.
pub(crate) struct SampleView {
    pub name: String,
    /// `alert`, `no alert`, or the expected value as written.
    pub expected: String,
    /// What evaluating the rule's lowered predicates on the event gives:
    /// `alert`, `no alert` or `unknown`, and whether that is the expected
    /// result.
    pub evaluated: (String, bool),
    /// The event as indented JSON, cut at [`Budget::sample_bytes`].
    pub event: String,
    /// When cut: the whole event's size in bytes.
    pub cut: Option<usize>,
    /// The functions the test mocks, with their return values.
    pub mocks: Vec<(String, String)>,
}

/// The rule's tests (`properties.tests`: name, expected result, event as
/// `log` or `resource`, `mocks`), each evaluated on the lowered predicates.
fn sample_views(rule: &ruledex_ir::Rule, budget: Budget) -> (Vec<SampleView>, usize) {
    let Some(serde_json::Value::Array(tests)) = rule.properties.get("tests") else {
        return (Vec::new(), 0);
    };
    let label = |b: bool| if b { "alert" } else { "no alert" };
    let mut evaluator = ruledex_eval::Evaluator::new();
    let mut out = Vec::new();
    for test in tests.iter().take(budget.samples) {
        let Some(event) = test.get("log").or_else(|| test.get("resource")) else {
            continue;
        };
        let expected = test.get("expected_result");
        let expected_bool = expected.and_then(serde_json::Value::as_bool);
        let expected = match (expected_bool, expected) {
            (Some(b), _) => label(b).to_string(),
            (None, Some(v)) => v.to_string(),
            (None, None) => "not given".to_string(),
        };
        let truth = evaluator.rule(rule, event);
        let evaluated = match truth.known() {
            Some(b) => (label(b).to_string(), Some(b) == expected_bool),
            None => ("unknown".to_string(), false),
        };
        let mut json = serde_json::to_string_pretty(event).unwrap_or_default();
        let cut = (json.len() > budget.sample_bytes).then(|| {
            let whole = json.len();
            let mut at = budget.sample_bytes;
            while !json.is_char_boundary(at) {
                at -= 1;
            }
            json.truncate(at);
            whole
        });
        let mocks = test
            .get("mocks")
            .and_then(serde_json::Value::as_array)
            .map(|mocks| {
                mocks
                    .iter()
                    .map(|m| {
                        let name = m
                            .get("objectName")
                            .and_then(serde_json::Value::as_str)
                            .unwrap_or("?")
                            .to_string();
                        let value = match m.get("returnValue") {
                            Some(serde_json::Value::String(s)) => s.clone(),
                            Some(v) => v.to_string(),
                            None => String::new(),
                        };
                        (name, value)
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(SampleView {
            name: test
                .get("name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("(unnamed)")
                .to_string(),
            expected,
            evaluated,
            event: json,
            cut,
            mocks,
        });
    }
    (out, tests.len().saturating_sub(budget.samples))
}

/// The anchor of a stage: `stage-3` (main query, 1-based) or
/// `binding-<name>-2`.
pub fn stage_anchor(stage: &StageRef) -> String {
    match &stage.binding {
        None => format!("stage-{}", stage.index + 1),
        Some(name) => format!("binding-{}-{}", anchor_part(name), stage.index + 1),
    }
}

/// The anchor of a binding: `binding-<name>`.
pub fn binding_anchor(name: &str) -> String {
    format!("binding-{}", anchor_part(name))
}

/// A name made safe for an `id` attribute and a URL fragment.
fn anchor_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn stage_label(stage: &StageRef) -> String {
    match &stage.binding {
        None => format!("Stage {}", stage.index + 1),
        Some(name) => format!("{name} stage {}", stage.index + 1),
    }
}

/// Only web links become links; anything else (a `javascript:` URL, a
/// path) is shown as text.
pub(crate) fn web_link(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.trim().to_string())
}

fn breakdown(per_language: &BTreeMap<ruledex_ir::Language, usize>) -> String {
    per_language
        .iter()
        .map(|(l, n)| format!("{} {n}", l.id()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn stage_views(
    stages: &[Stage],
    binding: Option<&str>,
    cx: &StageContext<'_>,
    out: &mut Vec<StageView>,
) {
    for (index, stage) in stages.iter().enumerate() {
        let stage_ref = StageRef {
            binding: binding.map(str::to_string),
            index,
        };
        let anchor = stage_anchor(&stage_ref);
        let number = index + 1;
        push_stage(
            stage,
            anchor.clone(),
            format!("Stage {number}"),
            false,
            cx,
            out,
        );
        for (q, sub) in stage.subqueries.iter().enumerate() {
            for (j, inner) in sub.iter().enumerate() {
                push_stage(
                    inner,
                    format!("{anchor}-{}-{}", q + 1, j + 1),
                    format!("Stage {number}, operand {} step {}", q + 1, j + 1),
                    true,
                    cx,
                    out,
                );
            }
        }
    }
}

fn push_stage(
    stage: &Stage,
    anchor: String,
    label: String,
    nested: bool,
    cx: &StageContext<'_>,
    out: &mut Vec<StageView>,
) {
    out.push(StageView {
        anchor,
        label,
        kind: stage.kind.clone(),
        name: stage.name.clone(),
        text_html: stage_text_html(&stage.text, cx.syntax, cx.lines.line_of(stage.span.start)),
        predicate: stage.predicate.as_ref().map(predicate_text),
        assignments: stage
            .assignments
            .iter()
            .take(ASSIGNMENTS_PER_STAGE)
            .map(|a| {
                (
                    a.name.clone(),
                    cut_chars(&a.expression, EXPRESSION_MAX_CHARS),
                )
            })
            .collect(),
        more_assignments: stage
            .assignments
            .len()
            .saturating_sub(ASSIGNMENTS_PER_STAGE),
        uses: stage
            .uses
            .iter()
            .map(|u| {
                let href = cx
                    .bindings
                    .iter()
                    .any(|b| b == u)
                    .then(|| format!("#{}", binding_anchor(u)));
                (u.clone(), href)
            })
            .collect(),
        nested,
    });
}

/// The columns a grouping stage groups by: its outputs that it does not
/// compute (`summarize … by A, B`, `stats … by A`). Taken from the last
/// such stage of the main query.
fn group_by(rule: &ruledex_ir::Rule) -> Vec<String> {
    for (index, stage) in rule.stages.iter().enumerate().rev() {
        let computed: Vec<&str> = stage.assignments.iter().map(|a| a.name.as_str()).collect();
        let groups: Vec<String> = rule
            .outputs
            .iter()
            .filter(|o| {
                o.stage
                    .as_ref()
                    .is_some_and(|s| s.binding.is_none() && s.index == index)
                    && !computed.contains(&o.name.as_str())
            })
            .map(|o| o.name.clone())
            .collect();
        let aggregates = !stage.assignments.is_empty();
        if aggregates
            && !groups.is_empty()
            && matches!(
                stage.kind.as_str(),
                "summarize" | "stats" | "tstats" | "match" | "stats_by"
            )
        {
            return groups;
        }
    }
    Vec::new()
}

/// The first body line's number in the file, and the body lines of the
/// query. The body is the whole file unless it is one rule of several.
fn body_lines(rule: &ruledex_ir::Rule) -> (u32, Option<std::ops::Range<usize>>) {
    let mut first_line = 1u32;
    if rule.body_offset > 0 {
        // Find an anchor with a known file line: the query.
        let anchor = rule.query.as_ref().and_then(|q| {
            let first = q.text.lines().find(|l| !l.trim().is_empty())?;
            let skipped = q.text.lines().take_while(|l| l.trim().is_empty()).count() as u32;
            let at = rule.body.find(first.trim())?;
            let body_line = rule.body[..at].matches('\n').count() as u32;
            Some((q.line + skipped).saturating_sub(body_line).max(1))
        });
        first_line = anchor
            .or_else(|| {
                rule.diagnostics.iter().find_map(|d| {
                    let span = d.span?;
                    let line = d.line?;
                    let at = span.start.checked_sub(rule.body_offset)? as usize;
                    let before = rule.body.get(..at)?.matches('\n').count() as u32;
                    Some(line.saturating_sub(before).max(1))
                })
            })
            .unwrap_or(1);
    }
    let query = rule.query.as_ref().and_then(|q| {
        let start = q.line.checked_sub(first_line)? as usize;
        let count = q.text.trim_end_matches('\n').split('\n').count();
        Some(start..start + count)
    });
    (first_line, query)
}

/// A related rule on a rule page: the link, the score, and what the two
/// rules share.
pub(crate) struct RelatedRow {
    pub link: RuleLink,
    pub score: String,
    /// The same detection: the same rule in another language.
    pub same_detection: bool,
    pub evidence: Vec<ruledex_catalog::Evidence>,
    /// Undocumented copies folded into this row (see
    /// `ruledex_catalog::Related::copies`): how many, and their languages.
    pub copies: Option<(usize, String)>,
}

/// What a rule page shows whatever its [`Budget`], computed once however
/// many times the page is rendered to fit: the ranked related rules and the
/// highlighted body.
struct Fixed<'s> {
    related: &'s crate::site::RelatedHead,
    body: &'s highlight::BodyHtml,
}

/// The page of the rule at `position`, within [`PAGE_MAX_BYTES`] when
/// halving the [`Budget`] can get it there.
pub(crate) fn render(site: &Site, position: usize, layout: Layout) -> Option<String> {
    let fixed = Fixed {
        related: site.related_head(position)?,
        body: site.body(position)?,
    };
    let mut budget = Budget::FULL;
    loop {
        let html = render_with(site, position, layout.clone(), budget, &fixed)?;
        if html.len() <= PAGE_MAX_BYTES || budget == Budget::SMALLEST {
            return Some(html);
        }
        budget = budget.halved();
    }
}

/// The page of the rule at `position`, showing what `budget` allows.
fn render_with(
    site: &Site,
    position: usize,
    layout: Layout,
    budget: Budget,
    fixed: &Fixed<'_>,
) -> Option<String> {
    let catalog = site.catalog();
    let entry = catalog.entries().get(position)?;
    let rule = &entry.rule;
    let attack = catalog.attack();
    let source = catalog.source_of(entry);

    // One badge where language and platform are the same (Sigma).
    let mut badges = if rule.platform.id() == rule.language.id() {
        vec![Badge {
            label: rule.language.display_name().to_string(),
            class: "platform lang",
        }]
    } else {
        vec![
            Badge {
                label: rule.platform.display_name().to_string(),
                class: "platform",
            },
            Badge {
                label: rule.language.display_name().to_string(),
                class: "lang",
            },
        ]
    };
    if let Some(sev) = rule.severity {
        badges.push(Badge {
            label: format!("{sev:?}").to_lowercase(),
            class: "sev",
        });
    }
    if let Some(status) = &rule.status {
        badges.push(Badge {
            label: status.clone(),
            class: "status",
        });
    }
    if let Some(kind) = &rule.kind {
        badges.push(Badge {
            label: kind.clone(),
            class: "kind",
        });
    }
    let mut banners = Vec::new();
    for class in &rule.classes {
        badges.push(Badge {
            label: ruledex_catalog::class_id(*class).replace('_', " "),
            class: "class",
        });
        banners.push(super::class_banner(*class).to_string());
    }
    if !rule.parsed() {
        badges.push(Badge {
            label: "did not parse".into(),
            class: "error",
        });
    }

    let mut meta = vec![MetaRow::plain("Id", rule.id.clone())];
    let s = &rule.schedule;
    for (label, value) in [
        ("Time window", &s.lookback),
        ("Runs every", &s.frequency),
        ("Triggers when", &s.trigger),
        ("Correlation window", &s.window),
    ] {
        if let Some(v) = value {
            meta.push(MetaRow::plain(label, v.clone()));
        }
    }
    let groups = group_by(rule);
    if !groups.is_empty() {
        meta.push(MetaRow::plain("Group by", groups.join(", ")));
    }
    if !rule.authors.is_empty() {
        meta.push(MetaRow::plain("Author", rule.authors.join(", ")));
    }
    for (label, value) in [
        ("Created", &rule.created),
        ("Modified", &rule.modified),
        ("Version", &rule.version),
    ] {
        if let Some(v) = value {
            meta.push(MetaRow::plain(label, v.clone()));
        }
    }
    let source_url = source.file_url(&rule.provenance.path);
    meta.push(MetaRow {
        label: "Source",
        text: format!("{} / {}", source.name, rule.provenance.path),
        href: source_url.clone(),
        extra: Some(match (&rule.provenance.commit, &rule.query) {
            (Some(c), Some(q)) => {
                format!("commit {}, query at line {}", &c[..c.len().min(12)], q.line)
            }
            (Some(c), None) => format!("commit {}", &c[..c.len().min(12)]),
            (None, Some(q)) => format!("query at line {}", q.line),
            (None, None) => String::new(),
        })
        .filter(|e| !e.is_empty()),
    });
    meta.push(MetaRow::plain("Format", rule.provenance.format.clone()));
    if !rule.tags.is_empty() {
        meta.push(MetaRow::plain("Tags", rule.tags.join(", ")));
    }
    for r in &rule.references {
        meta.push(MetaRow {
            label: "Reference",
            text: r.clone(),
            href: web_link(r),
            extra: None,
        });
    }
    for f in &rule.false_positives {
        meta.push(MetaRow::plain("False positives", f.clone()));
    }

    let description_html = rule
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(crate::markdown::to_safe_html);
    let mut alert = Vec::new();
    if let Some(a) = &rule.alert {
        if let Some(t) = &a.title {
            alert.push(("Title".to_string(), t.clone()));
        }
        if let Some(d) = &a.description {
            alert.push(("Description".to_string(), d.clone()));
        }
        for (k, v) in &a.other {
            alert.push((k.clone(), v.clone()));
        }
    }

    // ATT&CK: tactic → technique → sub-techniques, from the matrix cells.
    let mut by_tactic: BTreeMap<(u16, String), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for cell in &entry.cells {
        let order = attack.tactic(&cell.tactic).map_or(u16::MAX, |t| t.order);
        let subs = by_tactic
            .entry((order, cell.tactic.clone()))
            .or_default()
            .entry(cell.technique.clone())
            .or_default();
        if let Some(sub) = &cell.subtechnique {
            if !subs.contains(sub) {
                subs.push(sub.clone());
            }
        }
    }
    let link = |id: &str| {
        let t = attack.technique(id);
        TechniqueLink {
            id: id.to_string(),
            name: t.map_or_else(String::new, |t| t.name.clone()),
            href: paths::technique_path(id),
            provisional: t.is_some_and(|t| t.provisional),
            subs: Vec::new(),
        }
    };
    let attack_rows = by_tactic
        .into_iter()
        .map(|((_, shortname), techniques)| {
            let tactic = attack.tactic(&shortname);
            AttackRow {
                tactic: tactic.map_or_else(|| shortname.clone(), |t| t.name.clone()),
                tactic_id: tactic.map_or_else(String::new, |t| t.id.clone()),
                techniques: techniques
                    .into_iter()
                    .map(|(id, subs)| {
                        let mut t = link(&id);
                        t.subs = subs.iter().map(|s| link(s)).collect();
                        t
                    })
                    .collect(),
            }
        })
        .collect();
    let attack_other = entry
        .attack
        .iter()
        .filter_map(|f| match &f.resolution {
            Resolution::Known { .. } | Resolution::Provisional { .. } => None,
            Resolution::Deprecated { target } => {
                Some(format!("{} {} (deprecated)", target.id, target.name))
            }
            Resolution::Revoked { target, by } => Some(match by {
                Some(b) => format!(
                    "{} {} (revoked; replaced by {} {})",
                    target.id, target.name, b.id, b.name
                ),
                None => format!("{} {} (revoked)", target.id, target.name),
            }),
            Resolution::OtherDomain {
                written, domain, ..
            } => Some(format!("{written} ({domain})")),
            Resolution::OtherObject { id, object } => Some(format!("{id} ({object:?})")),
            Resolution::Ambiguous { written, .. } => Some(format!("{written} (ambiguous name)")),
            Resolution::Unknown { written, .. } => Some(format!("{written} (unknown)")),
        })
        .collect();

    let events = entry
        .logsources
        .iter()
        .map(|id| {
            let info = site.logsource(id);
            let operations = entry
                .actions
                .iter()
                .filter(|a| &a.logsource == id)
                .filter_map(|a| {
                    let op = a.operation.as_ref()?;
                    let action = site.action(id, op)?;
                    let label = match (&a.field, &a.value) {
                        (Some(f), Some(v)) => format!("{f} = {v}"),
                        _ => action.label.clone(),
                    };
                    Some((label, paths::action_path(&action.slug)))
                })
                .collect();
            let written = rule
                .data_sources
                .iter()
                .filter(|d| d.logsource.as_deref() == Some(id))
                .map(|d| d.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            EventRow {
                id: id.clone(),
                name: info.map_or_else(|| id.clone(), |l| l.name.clone()),
                href: paths::logsource_path(id),
                operations,
                written,
            }
        })
        .collect();
    let dictionary_events = dictionary_events(catalog, position);
    let data_sources = rule
        .data_sources
        .iter()
        .map(|d| {
            let mut text = format!("{} ({})", d.name, super::snake(&format!("{:?}", d.kind)));
            if !d.attributes.is_empty() {
                let attrs: Vec<String> = d
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                text.push_str(&format!(" [{}]", attrs.join(", ")));
            }
            text
        })
        .collect();

    let related_list = &fixed.related;
    let related: Vec<RelatedRow> = related_list
        .behaviour
        .iter()
        .take(budget.related)
        .filter_map(|r| {
            let link =
                super::rule_link(site, r.position, Some(catalog.related_reason(position, r)))?;
            let evidence = catalog
                .evidence(position, r)
                .into_iter()
                .take(budget.evidence)
                .collect();
            Some(RelatedRow {
                link,
                score: format!("{:.2}", r.score),
                same_detection: r.same_detection,
                evidence,
                copies: copies_summary(catalog, r),
            })
        })
        .collect();
    let related_more = (related_list.behaviour_total > related.len()).then(|| {
        (
            related_list.behaviour_rules,
            paths::related_path(&entry.key),
        )
    });
    let same_logsource = (related_list.same_logsource > 0).then(|| {
        let logsource = entry.logsources.first();
        let name = logsource
            .and_then(|l| catalog.normalizer().logsource_table().get(l))
            .map_or_else(String::new, |s| s.name.clone());
        let href = logsource.map_or_else(
            || paths::LOGSOURCES.to_string(),
            |l| paths::logsource_path(l),
        );
        (related_list.same_logsource, name, href)
    });

    // Body.
    let query_syntax = Syntax::for_language(rule.language);
    let (first_line, _) = body_lines(rule);
    let body = fixed.body;
    let body_rest = (body.shown < rule.body.len()).then(|| {
        let rest = &rule.body[body.shown..];
        let lines = rest.lines().count();
        let kib = format!("{:.0} KB", rest.len() as f64 / 1024.0);
        let href = format!("{}{}", layout.root, paths::raw_path(&entry.key));
        (lines, kib, href)
    });
    let body_html = body.html.clone();

    let binding_names: Vec<String> = rule.bindings.iter().map(|b| b.name.clone()).collect();
    let lines = BodyLines {
        body: &rule.body,
        body_offset: rule.body_offset,
        first_line,
    };
    let cx = StageContext {
        syntax: query_syntax,
        bindings: &binding_names,
        lines: &lines,
    };
    // The let bindings share one stage budget: a query of dozens of helper
    // functions would otherwise list each one's stages in full.
    let mut binding_stages_left = budget.stages;
    let bindings = rule
        .bindings
        .iter()
        .map(|b| {
            let mut stages = Vec::new();
            stage_views(&b.stages, Some(&b.name), &cx, &mut stages);
            let more_stages = cap_stages(&mut stages, binding_stages_left);
            binding_stages_left -= stages.len();
            BindingView {
                anchor: binding_anchor(&b.name),
                name: b.name.clone(),
                kind: match b.kind {
                    BindingKind::Scalar => "scalar",
                    BindingKind::Tabular => "tabular",
                    BindingKind::Function => "function",
                },
                parameters: b.parameters.join(", "),
                values: b
                    .values
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                text_html: stage_text_html(&b.text, query_syntax, lines.line_of(b.span.start)),
                stages,
                more_stages,
            }
        })
        .collect();
    let mut stages = Vec::new();
    stage_views(&rule.stages, None, &cx, &mut stages);
    let more_stages = cap_stages(&mut stages, budget.stages);

    let index = catalog.indicator_index();
    let per_row = budget.values_per_row;
    let mut values_left = budget.values;
    let indicator_views: Vec<IndicatorView> = rule
        .indicators
        .iter()
        .enumerate()
        .take(budget.indicator_rows)
        .map(|(i, ind)| {
            let shown = per_row.min(values_left).min(ind.values.len());
            values_left -= shown;
            indicator_view(site, position, i, ind, index, &binding_names, shown)
        })
        .collect();
    let more_indicators = rule.indicators.len().saturating_sub(budget.indicator_rows);
    let excluded = rule.indicators.iter().filter(|ind| ind.exclusion).count();
    let more_exclusions = excluded.saturating_sub(budget.exclusion_rows);
    let mut values_left = budget.excluded_values;
    let exclusions: Vec<IndicatorView> = rule
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, ind)| ind.exclusion)
        .take(budget.exclusion_rows)
        .map(|(i, ind)| {
            let shown = per_row.min(values_left).min(ind.values.len());
            values_left -= shown;
            indicator_view(site, position, i, ind, index, &binding_names, shown)
        })
        .map(|mut v| {
            v.anchor = format!("exclusion-{}", v.number);
            v
        })
        .collect();

    let outputs = rule
        .outputs
        .iter()
        .map(|o| OutputView {
            name: o.name.clone(),
            source: match &o.stage {
                Some(s) => format!("{} ({})", o.source, stage_label(s)),
                None => o.source.clone(),
            },
            stage_href: o.stage.as_ref().map(|s| format!("#{}", stage_anchor(s))),
        })
        .collect();
    let entities = rule
        .entities
        .iter()
        .flat_map(|e| {
            e.fields.iter().map(|f| {
                (
                    e.entity_type.clone(),
                    f.identifier.clone(),
                    f.column.clone(),
                )
            })
        })
        .collect();
    let custom_details = rule
        .custom_details
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let dependencies = rule
        .dependencies
        .iter()
        .map(|d| {
            let kind = match d.kind {
                DependencyKind::Url => "external data",
                DependencyKind::Watchlist => "watchlist",
                DependencyKind::Function => "function",
                DependencyKind::Lookup => "lookup",
                DependencyKind::Macro => "macro",
                DependencyKind::Rule => "rule",
                DependencyKind::MlJob => "machine-learning job",
            };
            let href = (d.kind == DependencyKind::Url)
                .then(|| web_link(&d.name))
                .flatten();
            (kind, d.name.clone(), href)
        })
        .collect();
    let diagnostics = rule
        .diagnostics
        .iter()
        .map(|d| DiagView {
            severity: d.severity.to_string(),
            code: d.code.clone(),
            message: d.message.clone(),
            place: d.line.map(|line| {
                let label = match d.column {
                    Some(c) => format!("line {line}, column {c}"),
                    None => format!("line {line}"),
                };
                (label, format!("#L{line}"))
            }),
            notes: d.notes.clone(),
        })
        .collect();

    let (samples, more_samples) = sample_views(rule, budget);
    let page = RulePage {
        layout,
        title: rule.title.clone(),
        platform_name: rule.platform.display_name(),
        platform_href: paths::platform_path(rule.platform),
        language_name: rule.language.display_name(),
        language_href: paths::language_path(rule.language),
        badges,
        banners,
        meta,
        description_html,
        alert,
        attack_rows,
        attack_other,
        events,
        dictionary_events,
        data_sources,
        related,
        related_more,
        same_logsource,
        body_syntax: rule.language.display_name(),
        source_url,
        body_html,
        body_rest,
        bindings,
        stages,
        exclusions,
        indicators: indicator_views,
        more_indicators,
        more_exclusions,
        more_stages,
        outputs,
        entities,
        custom_details,
        dependencies,
        diagnostics,
        samples,
        more_samples,
    };
    page.render().ok()
}

fn indicator_view(
    site: &Site,
    position: usize,
    i: usize,
    ind: &Indicator,
    index: &ruledex_catalog::IndicatorIndex,
    bindings: &[String],
    shown: usize,
) -> IndicatorView {
    let counts = site.catalog().indicator_counts(position, i);
    let keys = index.keys_of(position, i);
    let field_key = site.field_key_of(position, i).unwrap_or(&ind.field);
    let field_page = site.field_page(field_key);
    let field_values = matches!(ind.kind, IndicatorKind::Field(_));
    let values = ind
        .values
        .iter()
        .take(shown)
        .enumerate()
        .map(|(v, value)| {
            let text = match (field_values, value.as_str()) {
                (true, Some(name)) => name.to_string(),
                _ => value.to_string(),
            };
            let href = keys
                .get(v)
                .and_then(|k| site.indicator_page(k))
                .or_else(|| field_page.clone());
            let c = counts.get(v);
            ValueView {
                text,
                href,
                count: c.map_or(0, |c| c.total),
                breakdown: c.map_or_else(String::new, |c| breakdown(&c.per_language)),
            }
        })
        .collect();
    let mut flags = Vec::new();
    match ind.case_sensitive {
        Some(true) => flags.push("case-sensitive"),
        Some(false) => flags.push("case-insensitive"),
        None => {}
    }
    if ind.negated {
        flags.push("negated");
    }
    if ind.exclusion {
        flags.push("exclusion");
    }
    let values_from = ind.values_from.as_ref().map(|src| {
        let column = src
            .column
            .as_ref()
            .map(|c| format!("column {c} of "))
            .unwrap_or_default();
        match src.kind {
            ValueSourceKind::Binding => {
                let href = bindings
                    .iter()
                    .any(|b| b == &src.name)
                    .then(|| format!("#{}", binding_anchor(&src.name)));
                (
                    format!("values from {column}"),
                    href,
                    format!("binding {}", src.name),
                )
            }
            other => (
                format!(
                    "values from {column}{} {}",
                    super::snake(&format!("{other:?}")).replace('_', " "),
                    src.name
                ),
                None,
                String::new(),
            ),
        }
    });
    IndicatorView {
        anchor: format!("indicator-{}", i + 1),
        number: i + 1,
        field: ind.field.clone(),
        field_href: field_page,
        derived: ind.derived.as_ref().map(|d| {
            if d.traced {
                format!("{} = {}", d.column, d.expression)
            } else {
                format!(
                    "{} = {} (not traced to a source field)",
                    d.column, d.expression
                )
            }
        }),
        kind: ind.kind.name(),
        flags,
        values,
        more_values: ind.values.len() - shown,
        values_from,
        stage_label: stage_label(&ind.stage),
        stage_href: format!("#{}", stage_anchor(&ind.stage)),
    }
}

/// Most dictionary events listed on a rule page.
pub const RULE_PAGE_EVENTS: usize = 12;

/// The events of the event dictionary the rule at `position` can match,
/// with the fields it filters on each.
fn dictionary_events(
    catalog: &ruledex_catalog::Catalog,
    position: usize,
) -> Vec<DictionaryEventRow> {
    let Some(index) = catalog.events() else {
        return Vec::new();
    };
    let d = index.dictionary();
    index
        .of_rule(position)
        .iter()
        .take(RULE_PAGE_EVENTS)
        .map(|re| {
            let event = &d.events[re.matched.event];
            let href = paths::event_path(&d.providers[event.provider].slug, &event.slug);
            DictionaryEventRow {
                label: d.label(re.matched.event),
                reason: re.matched.reason.to_string(),
                fields: re
                    .fields
                    .iter()
                    .map(|(f, _)| {
                        let name = event.fields[*f].name.clone();
                        let anchor = format!("{href}#f-{}", paths::slug(&name));
                        (name, anchor)
                    })
                    .collect(),
                href,
            }
        })
        .collect()
}

/// How many undocumented copies a related row stands for, and their
/// languages (`None` when it stands for itself only).
pub(crate) fn copies_summary(
    catalog: &ruledex_catalog::Catalog,
    related: &ruledex_catalog::Related,
) -> Option<(usize, String)> {
    if related.copies.is_empty() {
        return None;
    }
    let mut languages: Vec<&str> = related
        .copies
        .iter()
        .map(|&p| catalog.entries()[p].rule.language.id())
        .collect();
    languages.sort_unstable();
    languages.dedup();
    Some((related.copies.len(), languages.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruledex_ir::{Comparison, Op, Predicate, Rule, Span, Stage};

    fn rule_with_tests(tests: serde_json::Value) -> Rule {
        let mut rule = Rule::default();
        let mut stage = Stage::new("return", "", Span::new(0, 0));
        stage.predicate = Some(Predicate::Compare(Comparison::new(
            "eventName",
            Op::Eq,
            vec!["ConsoleLogin".into()],
        )));
        rule.stages = vec![stage];
        rule.properties.insert("tests".into(), tests);
        rule
    }

    #[test]
    fn tests_show_expected_and_evaluated_results_and_cut_large_events() {
        let big = "x".repeat(10_000);
        let rule = rule_with_tests(serde_json::json!([
            {"name": "login", "expected_result": true, "log": {"eventName": "ConsoleLogin"}},
            {"name": "mocked", "expected_result": true, "log": {"eventName": "Other", "blob": big},
             "mocks": [{"objectName": "lookup", "returnValue": "1"}]},
            {"name": "no event", "expected_result": false},
        ]));
        let (views, more) = sample_views(&rule, Budget::FULL);
        assert_eq!(more, 0);
        assert_eq!(views.len(), 2);
        assert_eq!(views[0].expected, "alert");
        assert_eq!(views[0].evaluated, ("alert".to_string(), true));
        assert!(views[0].cut.is_none());
        assert_eq!(views[1].evaluated, ("no alert".to_string(), false));
        assert_eq!(
            views[1].mocks,
            vec![("lookup".to_string(), "1".to_string())]
        );
        assert!(views[1].cut.is_some_and(|n| n > 10_000));
        assert!(views[1].event.len() <= Budget::FULL.sample_bytes);
        // Long test lists are cut too.
        let many: Vec<serde_json::Value> = (0..50)
            .map(|i| serde_json::json!({"name": format!("t{i}"), "expected_result": false, "log": {}}))
            .collect();
        let (views, more) = sample_views(&rule_with_tests(many.into()), Budget::FULL);
        assert_eq!(
            (views.len(), more),
            (Budget::FULL.samples, 50 - Budget::FULL.samples)
        );
    }
}
