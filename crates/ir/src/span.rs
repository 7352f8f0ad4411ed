//! Byte spans, line/column positions, and the map from an embedded query back
//! to the file it was cut out of.
//!
//! Every span in the IR is a byte range into the **file** a rule came from, so
//! a diagnostic can always be printed as `file:line:col` with a snippet. Query
//! text is often embedded (a YAML block scalar loses its indentation, a TOML
//! string its quotes), so parsers work on the extracted text and translate
//! their spans through an [`OffsetMap`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// A half-open byte range `start..end`.
///
/// Offsets are `u32`: rule files are far below 4 GiB, and half-size spans keep
/// ASTs small.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`; swapped if given backwards.
    pub fn new(start: u32, end: u32) -> Self {
        if start <= end {
            Span { start, end }
        } else {
            Span {
                start: end,
                end: start,
            }
        }
    }

    /// A span from `usize` offsets (saturating at `u32::MAX`).
    pub fn from_range(range: std::ops::Range<usize>) -> Self {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span::new(clamp(range.start), clamp(range.end))
    }

    /// An empty span at `offset`.
    pub fn empty(offset: u32) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> u32 {
        self.end - self.start
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span as a `usize` range, for slicing.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The text this span covers in `text`, or `""` when out of bounds or not
    /// on character boundaries.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.range()).unwrap_or("")
    }

    /// This span without the whitespace at either end of the text it
    /// covers in `text`.
    pub fn trimmed(self, text: &str) -> Span {
        let slice = self.slice(text);
        let start = self.start + (slice.len() - slice.trim_start().len()) as u32;
        let end = self.start + slice.trim_end().len() as u32;
        Span::new(start, end.max(start))
    }

    /// This span moved `delta` bytes to the right.
    pub fn shift(self, delta: u32) -> Span {
        Span {
            start: self.start.saturating_add(delta),
            end: self.end.saturating_add(delta),
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and column. Columns count Unicode scalar values, which is
/// what editors show for the rule files we read (no tabs in practice; a tab
/// counts as one column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number, starting at 1.
    pub column: u32,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Line starts of a text, for turning byte offsets into [`LineCol`].
///
/// Built once per file in `O(n)`; each lookup is a binary search.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Index the line starts of `text`. A line ends after `\n`; a `\r` before
    /// it belongs to the line.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        LineIndex {
            line_starts,
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        }
    }

    /// Number of lines (a text without a final newline still has its last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based line `line` starts, if it exists.
    pub fn line_start(&self, line: usize) -> Option<u32> {
        self.line_starts.get(line).copied()
    }

    /// The byte range of 0-based line `line`, without its line terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Option<Span> {
        let start = self.line_start(line)?;
        let next = self.line_start(line + 1).unwrap_or(self.len);
        let mut end = next;
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end as usize - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        Some(Span::new(start, end))
    }

    /// The 1-based line and column of byte `offset` in `text` (the same text
    /// the index was built from). Offsets past the end map to the end.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text.get(start..end).map_or(0, |s| s.chars().count());
        LineCol {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

/// Maps byte offsets in an extracted text (a query cut out of a YAML block
/// scalar, a TOML string, a Markdown fence) back to byte offsets in the file.
///
/// The map is a sorted list of segments; inside a segment the two texts
/// advance together byte for byte (the usual case: one segment per line of a
/// block scalar, shifted by the stripped indentation). An offset that falls
/// between segments maps to the start of the next segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetMap {
    /// `(offset in extracted text, offset in file)`, sorted by the first.
    segments: Vec<(u32, u32)>,
    /// The file's length when known: no offset maps past it (a YAML block
    /// scalar ends with a line break the file may not have).
    #[serde(default = "unbounded")]
    file_len: u32,
}

fn unbounded() -> u32 {
    u32::MAX
}

impl Default for OffsetMap {
    /// The identity map.
    fn default() -> Self {
        OffsetMap::identity()
    }
}

impl OffsetMap {
    /// The identity map: the extracted text *is* the file.
    pub fn identity() -> Self {
        OffsetMap {
            segments: vec![(0, 0)],
            file_len: u32::MAX,
        }
    }

    /// A map where the extracted text starts at file offset `base` and
    /// continues verbatim (TOML literal strings, Markdown fences, whole files).
    pub fn shifted(base: u32) -> Self {
        OffsetMap {
            segments: vec![(0, base)],
            file_len: u32::MAX,
        }
    }

    /// Build a map from explicit segments `(extracted offset, file offset)`.
    /// Segments are sorted by extracted offset; duplicates keep the last.
    pub fn from_segments(mut segments: Vec<(u32, u32)>) -> Self {
        segments.sort_by_key(|s| s.0);
        segments.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 = b.1;
                true
            } else {
                false
            }
        });
        if segments.first().is_none_or(|s| s.0 != 0) {
            let first_file = segments.first().map_or(0, |s| s.1);
            segments.insert(0, (0, first_file));
        }
        OffsetMap {
            segments,
            file_len: u32::MAX,
        }
    }

    /// Locate each line of `extracted` in `file`, searching forward from
    /// `search_from`, and build the map line by line.
    ///
    /// This is how a YAML block scalar maps back: every line of the value
    /// appears in the file, in order, behind its indentation. Lines that cannot
    /// be found (folded or escaped scalars) map to the previous line's
    /// position, so spans stay close even when not exact.
    pub fn locate_lines(file: &str, search_from: u32, extracted: &str) -> Self {
        let mut segments = Vec::new();
        let mut cursor = (search_from as usize).min(file.len());
        // A start inside a multi-byte character moves to its end.
        while !file.is_char_boundary(cursor) {
            cursor += 1;
        }
        let mut extracted_offset = 0usize;
        for line in extracted.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            if content.trim().is_empty() {
                // Blank lines carry no indentation in the file; advance past
                // the next newline so later lines are searched after them.
                segments.push((extracted_offset as u32, cursor as u32));
                if let Some(nl) = file[cursor..].find('\n') {
                    cursor += nl + 1;
                }
            } else if let Some(found) = find_line(file, cursor, content) {
                segments.push((extracted_offset as u32, found as u32));
                cursor = found + content.len();
                if let Some(nl) = file[cursor..].find('\n') {
                    cursor += nl + 1;
                }
            } else {
                segments.push((extracted_offset as u32, cursor as u32));
            }
            extracted_offset += line.len();
        }
        let mut map = OffsetMap::from_segments(segments);
        map.file_len = u32::try_from(file.len()).unwrap_or(u32::MAX);
        map
    }

    /// The file offset of extracted offset `offset`.
    pub fn to_file(&self, offset: u32) -> u32 {
        let i = match self.segments.binary_search_by_key(&offset, |s| s.0) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let (ext, file) = self.segments[i];
        file.saturating_add(offset - ext).min(self.file_len)
    }

    /// A span in the extracted text, as a span in the file.
    pub fn span_to_file(&self, span: Span) -> Span {
        let start = self.to_file(span.start);
        // The end maps through the segment holding its last byte, so a span
        // ending at a line break does not jump to the next line's indentation.
        let end = if span.is_empty() {
            start
        } else {
            (self.to_file(span.end - 1) + 1).min(self.file_len)
        };
        Span::new(start, end.max(start))
    }
}

/// Find `needle` as the content of a line at or after `from`: either behind
/// nothing but indentation, or on the very line where the search starts (a
/// value that shares its line with its key).
fn find_line(file: &str, from: usize, needle: &str) -> Option<usize> {
    let first_line_end = file[from..].find('\n').map_or(file.len(), |i| from + i);
    let mut search = from;
    while search <= file.len() {
        let found = search + file.get(search..)?.find(needle)?;
        let line_start = file[..found].rfind('\n').map_or(0, |i| i + 1);
        let indented = file[line_start..found]
            .chars()
            .all(|c| c == ' ' || c == '\t');
        if indented || found < first_line_end {
            return Some(found);
        }
        search = found + needle.len().max(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncd\n\nef";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 4), LineCol { line: 2, column: 2 });
        assert_eq!(idx.line_col(text, 6), LineCol { line: 3, column: 1 });
        assert_eq!(idx.line_col(text, 8), LineCol { line: 4, column: 2 });
        assert_eq!(idx.line_col(text, 999), LineCol { line: 4, column: 3 });
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "é=1";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 2), LineCol { line: 1, column: 2 });
    }

    #[test]
    fn line_span_strips_terminators() {
        let text = "one\r\ntwo\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_span(text, 0).unwrap().slice(text), "one");
        assert_eq!(idx.line_span(text, 1).unwrap().slice(text), "two");
    }

    #[test]
    fn block_scalar_lines_map_behind_indentation() {
        let file = "name: x\nquery: |\n  T\n\n  | where A == 1\n    | take 1\nkind: S\n";
        let extracted = "T\n\n| where A == 1\n  | take 1\n";
        let map = OffsetMap::locate_lines(file, 8, extracted);
        let where_at = extracted.find("where").unwrap() as u32;
        let in_file = map.to_file(where_at) as usize;
        assert_eq!(&file[in_file..in_file + 5], "where");
        let take_at = extracted.find("take").unwrap() as u32;
        let in_file = map.to_file(take_at) as usize;
        assert_eq!(&file[in_file..in_file + 4], "take");
        let idx = LineIndex::new(file);
        assert_eq!(
            idx.line_col(file, in_file as u32),
            LineCol { line: 6, column: 7 }
        );
    }

    #[test]
    fn span_end_stays_on_its_line() {
        let file = "q: |\n  ab\n  cd\n";
        let map = OffsetMap::locate_lines(file, 4, "ab\ncd\n");
        let span = map.span_to_file(Span::new(0, 3));
        assert_eq!(span.slice(file), "ab\n");
    }

    #[test]
    fn a_start_inside_a_character_is_not_a_panic() {
        let file = "é\nab\n";
        let map = OffsetMap::locate_lines(file, 1, "ab\n");
        assert_eq!(map.to_file(0), 3);
    }

    #[test]
    fn trimmed_drops_surrounding_whitespace() {
        let text = "  a b \n";
        assert_eq!(Span::new(0, 7).trimmed(text).slice(text), "a b");
        assert_eq!(Span::new(0, 2).trimmed(text), Span::new(2, 2));
    }

    #[test]
    fn a_final_line_break_the_file_lacks_maps_to_its_end() {
        let file = "q: |\n  T | x";
        let map = OffsetMap::locate_lines(file, 5, "T | x\n");
        assert_eq!(map.span_to_file(Span::new(0, 6)), Span::new(7, 12));
    }

    #[test]
    fn shifted_map_is_linear() {
        let map = OffsetMap::shifted(10);
        assert_eq!(map.span_to_file(Span::new(2, 5)), Span::new(12, 15));
    }
}
