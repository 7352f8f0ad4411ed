//! Markdown documents whose fenced KQL blocks are queries, as in the Defender
//! XDR hunting-query collections: one rule per block, titled from the
//! document's headings.

use ruledex_ir::{
    AttackKind, AttackRef, Diagnostic, OffsetMap, Rule, RuleClass, RuleFormat, SourceFile,
};

/// Markdown with fenced KQL blocks (info string `kusto`/`kql`, or no info
/// string and content that reads as KQL).
pub struct MarkdownFormat;

/// Tactic rows of the "Technique, tactic, or state" table that are not
/// ATT&CK tactics but security states; kept as tags.
const STATES: &[&str] = &["vulnerability", "misconfiguration", "malware, component"];

/// Headings that name the section, not the query.
const GENERIC_HEADINGS: &[&str] = &[
    "query",
    "queries",
    "kql",
    "kusto",
    "sample query",
    "hunting query",
    "the query",
];

impl RuleFormat for MarkdownFormat {
    fn name(&self) -> &'static str {
        "markdown-kql"
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[crate::codes::ALL]
    }

    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        matches!(file.extension().as_str(), "md" | "markdown") && !kql_blocks(file.text).is_empty()
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        let doc = Document::read(file.text);
        let blocks = kql_blocks(file.text);
        // Each block holds one query, or several in notebook style.
        let queries: Vec<(usize, &Block, usize, &str, usize)> = blocks
            .iter()
            .enumerate()
            .flat_map(|(b, block)| {
                let parts = super::notebook::queries_of(&block.content);
                let count = parts.len();
                parts
                    .into_iter()
                    .map(move |(offset, text)| (b, block, offset, text, count))
            })
            .collect();
        let several = queries.len() > 1;
        let mut rules = Vec::with_capacity(queries.len());
        for (n, &(b, block, offset, text, count)) in queries.iter().enumerate() {
            let index = several.then_some(n);
            // Titles come from headings, shortened; what a shortened title
            // or a query's comment said stays in the description.
            let heading = doc.title_for(block, b, blocks.len() > 1, file.stem());
            let short = super::shorten_title(&heading, super::HEADING_TITLE_CHARS);
            let mut said: Vec<String> = Vec::new();
            if short != heading.trim_end_matches('.') {
                said.push(heading.clone());
            }
            let title = if count > 1 {
                said.extend(super::leading_comment(text));
                super::numbered_title(&short, n, text)
            } else {
                short
            };
            said.extend(doc.description.clone());
            let description = (!said.is_empty()).then(|| said.join("\n\n"));
            let mut rule = Rule {
                id: match index {
                    Some(i) => format!("{}#{}", file.path, i + 1),
                    None => file.path.to_string(),
                },
                title,
                description,
                provenance: file.provenance(self.name(), index),
                body: file.text[block.fence_start..block.fence_end].to_string(),
                body_offset: block.fence_start as u32,
                authors: doc.authors.clone(),
                kind: Some("Hunting".to_string()),
                ..Rule::default()
            };
            rule.add_class(RuleClass::Hunting);
            for tactic in &doc.tactics {
                rule.attack.push(AttackRef {
                    kind: AttackKind::Tactic,
                    id: None,
                    name: Some(tactic.clone()),
                });
            }
            rule.tags
                .extend(doc.states.iter().map(|s| format!("state: {s}")));
            let block_map =
                OffsetMap::locate_lines(file.text, block.content_start as u32, &block.content);
            let map = OffsetMap::locate_lines(file.text, block_map.to_file(offset as u32), text);
            super::attach_query(&mut rule, text, &map, file.text);
            rule.platform = super::platform_from_tables(&rule);
            if let (Some((start, end)), 0) = (block.tagged_close, offset) {
                rule.diagnostics.push(
                    Diagnostic::warning(
                        crate::codes::TAGGED_CLOSING_FENCE,
                        "the query ends at a closing fence that carries a language tag",
                    )
                    .with_span(ruledex_ir::Span::from_range(start..end))
                    .with_note("Markdown closes a code block only with a bare fence (```); this one was read as the end of the block, as its author meant"),
                );
            }
            if count > 1 && offset == 0 {
                // The whole block, as the file has it.
                let whole = ruledex_ir::Span::from_range(0..block.content.len());
                rule.diagnostics.push(super::notebook::split_warning(
                    count,
                    block_map.span_to_file(whole),
                ));
            }
            rules.push(rule);
        }
        rules
    }
}

/// A fenced code block holding KQL.
struct Block {
    /// Byte offset of the opening fence line.
    fence_start: usize,
    /// Byte offset just past the closing fence line (or the end of file).
    fence_end: usize,
    /// Byte offset of the first content line.
    content_start: usize,
    /// The content, with the fence's indentation removed.
    content: String,
    /// The byte range of a closing fence that carries a language tag
    /// (` ```Kusto `), when that is what ended the block.
    tagged_close: Option<(usize, usize)>,
}

/// Every query of `text`: its fenced KQL blocks, or, in a document without
/// any, the body of a section headed "Query" when it reads as KQL (some
/// collections paste the query unfenced).
fn kql_blocks(text: &str) -> Vec<Block> {
    let fenced = fenced_kql_blocks(text);
    if fenced.is_empty() {
        unfenced_query_section(text).into_iter().collect()
    } else {
        fenced
    }
}

fn unfenced_query_section(text: &str) -> Option<Block> {
    let mut offset = 0;
    let mut section: Option<(usize, usize)> = None; // heading start, body start
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('#') {
            if let Some((heading, body)) = section {
                return query_section_block(text, heading, body, offset);
            }
            let name = t.trim_start_matches('#').trim().to_ascii_lowercase();
            if GENERIC_HEADINGS.contains(&name.as_str()) {
                section = Some((offset, offset + line.len()));
            }
        }
        offset += line.len();
    }
    section.and_then(|(heading, body)| query_section_block(text, heading, body, text.len()))
}

fn query_section_block(text: &str, heading: usize, body: usize, end: usize) -> Option<Block> {
    let content = text[body..end].trim_end();
    let lead = content.len() - content.trim_start().len();
    let content = content.trim_start();
    super::plain::looks_like_kql(content).then(|| Block {
        fence_start: heading,
        fence_end: end,
        content_start: body + lead,
        content: format!("{content}\n"),
        tagged_close: None,
    })
}

/// Every fenced block of `text` that holds KQL.
fn fenced_kql_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut offset = 0usize;
    let mut open: Option<(usize, usize, String, usize, char, usize)> = None; // start, content_start, info, indent, fence char, fence len
    let mut content = String::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let indent = trimmed.len() - trimmed.trim_start_matches(' ').len();
        let rest = &trimmed[indent..];
        let fence_char = rest.chars().next().filter(|c| *c == '`' || *c == '~');
        let fence_len = fence_char.map_or(0, |c| rest.chars().take_while(|x| *x == c).count());
        match &open {
            None if indent <= 3 && fence_len >= 3 => {
                let info = rest[fence_len..].trim().to_string();
                open = Some((
                    offset,
                    offset + line.len(),
                    info,
                    indent,
                    fence_char.unwrap_or('`'),
                    fence_len,
                ));
                content.clear();
            }
            Some((start, content_start, info, _, c, len))
                if indent <= 3 && fence_char == Some(*c) && fence_len >= *len =>
            {
                let tag = rest[fence_len..].trim();
                // CommonMark closes only on a bare fence; a fence with a
                // language tag (` ```Kusto `) keeps the block open. Authors
                // who write one at the end of a KQL block mean it to close
                // the block, so it does, with a warning — unless it can be
                // the start of a multi-line string (an even number of
                // ``` before it in the block).
                let tagged = !tag.is_empty()
                    && is_language_tag(tag)
                    && is_kql_block(info, &content)
                    && content.matches("```").count().is_multiple_of(2);
                if tag.is_empty() || tagged {
                    if is_kql_block(info, &content) {
                        blocks.push(Block {
                            fence_start: *start,
                            fence_end: offset + line.len(),
                            content_start: *content_start,
                            content: std::mem::take(&mut content),
                            tagged_close: tagged.then_some((offset, offset + trimmed.len())),
                        });
                    }
                    open = None;
                } else {
                    let strip = indent.min(open.as_ref().map_or(0, |o| o.3));
                    content.push_str(&line[strip..]);
                }
            }
            Some((_, _, _, fence_indent, _, _)) => {
                // Content lines lose up to the fence's indentation.
                let strip = indent.min(*fence_indent);
                content.push_str(&line[strip..]);
            }
            None => {}
        }
        offset += line.len();
    }
    if let Some((start, content_start, info, ..)) = open {
        // An unclosed fence runs to the end of the document.
        if is_kql_block(&info, &content) {
            blocks.push(Block {
                fence_start: start,
                fence_end: text.len(),
                content_start,
                content,
                tagged_close: None,
            });
        }
    }
    blocks
}

/// A fence's info string that is a single language name (`Kusto`, `kql`,
/// `text`), not prose.
fn is_language_tag(tag: &str) -> bool {
    tag.len() <= 20
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.'))
}

fn is_kql_block(info: &str, content: &str) -> bool {
    let lang = info
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match lang.as_str() {
        "kusto" | "kql" | "csl" | "kusto-query" => !content.trim().is_empty(),
        "" => super::plain::looks_like_kql(content),
        _ => false,
    }
}

/// What the document around the blocks says.
struct Document {
    /// First top-level heading.
    title: Option<String>,
    /// Headings with their byte offsets, in order.
    headings: Vec<(usize, String)>,
    /// Prose between the title and the first code block or second heading.
    description: Option<String>,
    /// Tactics marked covered in the category table.
    tactics: Vec<String>,
    /// Non-tactic states marked covered.
    states: Vec<String>,
    /// `**Contributor:**` names.
    authors: Vec<String>,
}

impl Document {
    fn read(text: &str) -> Self {
        let mut doc = Document {
            title: None,
            headings: Vec::new(),
            description: None,
            tactics: Vec::new(),
            states: Vec::new(),
            authors: Vec::new(),
        };
        let mut offset = 0;
        let mut in_fence = false;
        let mut description: Vec<&str> = Vec::new();
        let mut collecting = false;
        for line in text.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with("```") || t.starts_with("~~~") {
                in_fence = !in_fence;
                collecting = false;
            } else if !in_fence {
                if let Some(heading) = t.strip_prefix('#') {
                    let level = 1 + heading.chars().take_while(|c| *c == '#').count();
                    let heading = heading
                        .trim_start_matches('#')
                        .trim()
                        .trim_end_matches('#')
                        .trim()
                        .to_string();
                    if level == 1 && doc.title.is_none() && !heading.is_empty() {
                        doc.title = Some(heading.clone());
                        collecting = true;
                    } else {
                        collecting = false;
                    }
                    doc.headings.push((offset, heading));
                } else if t.starts_with('|') {
                    doc.read_category_row(t);
                } else if let Some(rest) = t.strip_prefix("**Contributor:**") {
                    let name = rest.trim();
                    if !name.is_empty() {
                        doc.authors.push(name.to_string());
                    }
                } else if collecting {
                    description.push(t);
                }
            }
            offset += line.len();
        }
        let description = description.join("\n").trim().to_string();
        doc.description = (!description.is_empty()).then_some(description);
        doc
    }

    /// `| Execution | v |  |` marks a tactic (or state) as covered.
    fn read_category_row(&mut self, row: &str) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let marked = ["v", "x", "yes", "y", "✓", "✔"]
            .iter()
            .any(|m| cells.get(1).is_some_and(|c| c.eq_ignore_ascii_case(m)));
        if !marked {
            return;
        }
        let name = cells[0].to_string();
        if STATES.contains(&name.to_ascii_lowercase().as_str()) {
            self.states.push(name);
        } else if !name.is_empty() && !name.starts_with('-') {
            self.tactics.push(name);
        }
    }

    /// The block's title: the nearest heading above it unless that heading
    /// is generic ("Query"); then the document title, numbered when the
    /// document holds several queries.
    fn title_for(&self, block: &Block, n: usize, several: bool, stem: &str) -> String {
        let title = self.title.clone().unwrap_or_else(|| stem.to_string());
        let nearest = self
            .headings
            .iter()
            .rev()
            .find(|(at, _)| *at < block.fence_start)
            .map(|(_, h)| h.clone());
        match nearest {
            Some(h)
                if !GENERIC_HEADINGS.contains(&h.to_ascii_lowercase().as_str())
                    && Some(&h) != self.title.as_ref() =>
            {
                if several {
                    format!("{title}: {h}")
                } else {
                    h
                }
            }
            _ if several => format!("{title} (query {})", n + 1),
            _ => title,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfenced_query_section_is_a_query() {
        let text = "# Title\n\n## Query\n\nEmailEvents\n| where A != \"x\"\n\n## Category\n| Initial access | X |  |\n";
        let blocks = kql_blocks(text);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].content, "EmailEvents\n| where A != \"x\"\n");
        assert_eq!(
            &text[blocks[0].content_start..blocks[0].content_start + 11],
            "EmailEvents"
        );
        let doc = Document::read(text);
        assert_eq!(doc.tactics, vec!["Initial access"]);
    }

    #[test]
    fn a_tagged_fence_inside_a_multiline_string_stays_content() {
        // The ``` before it opened a KQL string; this one closes it.
        let text = "```kusto\nprint x = ```a\n```kql\n| take 1\n```\n";
        let blocks = kql_blocks(text);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].content, "print x = ```a\n```kql\n| take 1\n");
        assert!(blocks[0].tagged_close.is_none());
        // Without the open string, the same fence ends the block.
        let text = "```kusto\nT | take 1\n```kql\nprose\n";
        let blocks = kql_blocks(text);
        assert_eq!(blocks[0].content, "T | take 1\n");
        assert_eq!(blocks[0].tagged_close, Some((20, 26)));
    }

    #[test]
    fn finds_kusto_and_bare_kql_fences_only() {
        let text = "# T\n\n```kusto\nA | take 1\n```\n\n```powershell\nGet-Item\n```\n\n  ```\n  B\n  | where x == 1\n  ```\n";
        let blocks = kql_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].content, "A | take 1\n");
        assert_eq!(blocks[1].content, "B\n| where x == 1\n");
        let map = OffsetMap::locate_lines(text, blocks[1].content_start as u32, &blocks[1].content);
        let at = map.to_file(2) as usize;
        assert_eq!(&text[at..at + 7], "| where");
    }
}
