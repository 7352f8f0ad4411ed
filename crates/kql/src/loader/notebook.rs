//! Query notebooks: texts holding several queries one after another, each
//! separated from the next by a blank line and no `;`.
//!
//! Hunting-query collections and webcast scripts are written this way: the
//! Defender XDR query editor and Kusto Explorer run the block around the
//! cursor, delimited by blank lines. Read as one query, such a text does not
//! parse (the second query needs a `;`); read as the editor reads it, each
//! query does. So a text that does not parse whole is split at blank lines
//! into queries — a `let` block or comment before a blank line stays with
//! the query after it — and each query becomes a rule of its own, with a
//! warning on the first one saying the text is not one query.

use ruledex_ir::{Diagnostic, Span};

/// The queries of `text`, with their byte offsets: `text` itself when it
/// parses as one query or cannot be split into several.
pub(crate) fn queries_of(text: &str) -> Vec<(usize, &str)> {
    let whole = vec![(0, text)];
    if crate::parse(text).is_ok() {
        return whole;
    }
    let chunks = blank_line_chunks(text);
    let mut groups: Vec<(usize, usize)> = Vec::new(); // byte ranges
    let mut open: Option<usize> = None;
    for (start, end) in chunks {
        let chunk = &text[start..end];
        let begin = open.unwrap_or(start);
        if has_query_statement(chunk) {
            groups.push((begin, end));
            open = None;
        } else {
            // Comments and `let`s belong to the query that follows them.
            open = Some(begin);
        }
    }
    if let (Some(begin), Some(last)) = (open, groups.last_mut()) {
        // Trailing comments or lets stay with the last query.
        last.1 = text.len().max(begin);
    }
    if groups.len() < 2 {
        return whole;
    }
    groups
        .into_iter()
        .map(|(s, e)| (s, text[s..e].trim_end()))
        .collect()
}

/// The warning on the first query of a split text.
pub(crate) fn split_warning(count: usize, span: Span) -> Diagnostic {
    Diagnostic::warning(
        crate::codes::SEVERAL_QUERIES,
        format!("this text holds {count} queries separated by blank lines and no `;`; each is analyzed as its own rule"),
    )
    .with_span(span)
    .with_note("the Defender XDR query editor and Kusto Explorer run the query around the cursor the same way; as one query the text does not parse")
}

/// Byte ranges of the non-blank runs of lines.
fn blank_line_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut chunks = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                chunks.push((s, offset));
            }
        } else if start.is_none() {
            start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        chunks.push((s, text.len()));
    }
    chunks
}

/// True when the chunk holds a statement other than `let`, `set` and
/// `declare` (a query), by its parse tree.
fn has_query_statement(chunk: &str) -> bool {
    crate::parse(chunk).script.queries().next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_valid_query_is_not_split() {
        let text = "let x = 1;\n\nT\n| where a > x\n";
        assert_eq!(queries_of(text), vec![(0, text)]);
    }

    #[test]
    fn a_notebook_splits_with_lets_and_comments_kept_with_their_query() {
        let text =
            "// first\nT | take 1\n\n// second\nlet n = 5;\n\nU\n| where a > n\n\nV | count\n";
        let parts: Vec<&str> = queries_of(text).into_iter().map(|(_, q)| q).collect();
        assert_eq!(
            parts,
            [
                "// first\nT | take 1",
                "// second\nlet n = 5;\n\nU\n| where a > n",
                "V | count"
            ]
        );
        let (offset, q) = queries_of(text)[2];
        assert_eq!(&text[offset..offset + q.len()], "V | count");
    }

    #[test]
    fn a_broken_single_query_stays_whole() {
        let text = "T\n| where a ==\n| take 1\n";
        assert_eq!(queries_of(text).len(), 1);
    }
}
