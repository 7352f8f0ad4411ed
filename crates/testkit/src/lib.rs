//! Test support shared by ruledex's query-language crates (a
//! dev-dependency only): reading a crate's fixture queries, feeding every
//! truncation and a fixed set of mutations of them to a parser, checking
//! that an analysis keeps its spans inside the text, and the compact view
//! of an analysis the snapshot tests record.
//!
//! ```
//! use ruledex_ir::{Analysis, OffsetMap};
//!
//! let fixtures = vec!["a : 1".to_string()];
//! let mut seen = 0;
//! ruledex_testkit::each_truncation(&fixtures, |_| seen += 1);
//! assert_eq!(seen, 10);
//! ruledex_testkit::assert_spans_inside("a : 1", &Analysis::default(), 0);
//! ```

use ruledex_ir::{
    collect_indicators, Analysis, LineIndex, OffsetMap, Predicate, QueryError, QueryErrorCode,
};
use std::path::Path;

/// The fixture queries of a crate: every file with `extension` in
/// `<crate_dir>/tests/fixtures`, sorted; at least `at_least` of them, so a
/// misplaced folder cannot make the tests pass vacuously.
pub fn fixtures(crate_dir: &str, extension: &str, at_least: usize) -> Vec<String> {
    let dir = Path::new(crate_dir).join("tests/fixtures");
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture folder {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == extension))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    assert!(
        out.len() >= at_least,
        "{} .{extension} fixtures, expected at least {at_least}",
        out.len()
    );
    out
}

/// `(relative path, text)` of every file of the shared corpus folder
/// `source` (`../shared/corpus/<source>` next to the workspace, from the
/// checkout or a worktree one level deeper), sorted; only files ending in
/// `.<extension>` when one is given. Empty when there is no corpus, so the
/// benchmarks that read it still run on a user's clone.
pub fn corpus_files(
    crate_dir: &str,
    source: &str,
    extension: Option<&str>,
) -> Vec<(String, String)> {
    let base = Path::new(crate_dir);
    let Some(root) = ["../../../shared/corpus", "../../../../shared/corpus"]
        .iter()
        .map(|rel| base.join(rel).join(source))
        .find(|p| p.is_dir())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if extension.is_none_or(|x| path.extension().is_some_and(|e| e == x)) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    let rel = path.strip_prefix(&root).unwrap_or(&path);
                    out.push((rel.to_string_lossy().into_owned(), text));
                }
            }
        }
    }
    out.sort();
    out
}

/// Call `f` with every prefix and every suffix of every fixture (cut at
/// character boundaries).
pub fn each_truncation(fixtures: &[String], mut f: impl FnMut(&str)) {
    for fixture in fixtures {
        for (i, _) in fixture.char_indices() {
            f(&fixture[..i]);
            f(&fixture[i..]);
        }
    }
}

/// Call `f` with `per_fixture` mutations of each fixture: up to four edits
/// each (a character removed, a run removed, or one of `specials` inserted),
/// from a fixed generator so every run tests the same inputs.
pub fn each_mutation(
    fixtures: &[String],
    specials: &[&str],
    per_fixture: usize,
    mut f: impl FnMut(&str),
) {
    // A linear congruential generator: deterministic, no dependency.
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for fixture in fixtures {
        let chars: Vec<char> = fixture.chars().collect();
        for _ in 0..per_fixture {
            let mut text: Vec<char> = chars.clone();
            for _ in 0..1 + next() % 4 {
                let at = next() % (text.len() + 1);
                match next() % 3 {
                    0 if at < text.len() => {
                        text.remove(at);
                    }
                    1 if at < text.len() => {
                        let end = (at + next() % 8).min(text.len());
                        text.drain(at..end);
                    }
                    _ if !specials.is_empty() => {
                        let insert = specials[next() % specials.len()];
                        for (k, c) in insert.chars().enumerate() {
                            text.insert(at + k, c);
                        }
                    }
                    _ => {}
                }
            }
            f(&text.iter().collect::<String>());
        }
    }
}

/// Assert that every diagnostic of `analysis`, analyzed with a map shifted
/// by `shift`, lies inside `query`.
pub fn assert_spans_inside(query: &str, analysis: &Analysis, shift: u32) {
    for d in &analysis.diagnostics {
        let span = d.span.unwrap_or_default();
        assert!(
            span.end as usize <= query.len() + shift as usize,
            "{query:?}: {d:?}"
        );
    }
}

/// One query language as the robustness tests drive it: its parser's
/// errors, its analysis, and the code it reports past its depth limit.
#[derive(Clone, Copy)]
pub struct Language<C: 'static> {
    /// The errors of parsing a query.
    pub parse_errors: fn(&str) -> Vec<QueryError<C>>,
    /// The analysis of a query cut out of a file through the map.
    pub analyze: fn(&str, &OffsetMap) -> Analysis,
    /// The code for nesting deeper than the parser's limit.
    pub too_deep: C,
}

impl<C: QueryErrorCode + Send + 'static> Language<C> {
    /// Parse and analyze `query`: both must return, every error span must
    /// lie in the query, and every analysis span inside it once the query
    /// is placed 7 bytes into a file.
    pub fn exercise(&self, query: &str) {
        for error in (self.parse_errors)(query) {
            assert!(
                error.span.end as usize <= query.len(),
                "{query:?}: {error:?}"
            );
        }
        let analysis = (self.analyze)(query, &OffsetMap::shifted(7));
        assert_spans_inside(query, &analysis, 7);
    }

    /// Each of `queries` (deeply nested input) on a thread with a 1 MiB
    /// stack: the parser must report [`Language::too_deep`] and
    /// [`Language::exercise`] must pass, so the depth limit, not the stack
    /// size, stops the recursion.
    pub fn assert_depth_limited(&self, queries: Vec<String>) {
        for query in queries {
            let language = *self;
            let handle = std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || {
                    assert!(
                        (language.parse_errors)(&query)
                            .iter()
                            .any(|e| e.code == language.too_deep),
                        "no depth error for input starting {:?}",
                        &query[..40.min(query.len())]
                    );
                    language.exercise(&query);
                })
                .expect("thread starts");
            handle.join().expect("no panic, no overflow");
        }
    }
}

/// What the snapshot tests record of an analysis: the query, each stage's
/// rendered predicate, the indicators in one line each, and the analysis.
pub fn snapshot_view(query: &str, analysis: &Analysis) -> serde_json::Value {
    let indicators: Vec<String> = collect_indicators(&[], &analysis.stages)
        .iter()
        .map(|i| {
            format!(
                "{} {} {} case_sensitive={:?} negated={} exclusion={}{}",
                i.field,
                i.kind,
                serde_json::to_string(&i.values).unwrap_or_default(),
                i.case_sensitive,
                i.negated,
                i.exclusion,
                i.derived
                    .as_ref()
                    .map(|d| format!(" derived_from={}", d.column))
                    .unwrap_or_default()
            )
        })
        .collect();
    let rendered: Vec<String> = analysis
        .stages
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s.kind,
                s.predicate
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            )
        })
        .collect();
    serde_json::json!({
        "query": query,
        "rendered": rendered,
        "indicators": indicators,
        "analysis": analysis,
    })
}

/// A diagnostic placed in its file: `(code, line, column)`, 1-based.
pub type Placed = (String, u32, u32);

/// The diagnostics `analyze` reports for `query` embedded in a TOML-like
/// rule file, as the Elastic loader embeds it: the query starts on line 4,
/// column 1, so a query's line `n` is the file's line `n + 3`.
pub fn diagnostics_in_toml(
    query: &str,
    analyze: impl Fn(&str, &OffsetMap) -> Analysis,
) -> Vec<Placed> {
    let (file, map) = embed_in_toml(query);
    place(&file, analyze(query, &map))
}

/// `query` as the `query` value of a TOML-like rule file, starting on line
/// 4, column 1, with the map from query offsets to file offsets.
pub fn embed_in_toml(query: &str) -> (String, OffsetMap) {
    let file = format!("[rule]\nname = \"test\"\nquery = '''\n{query}'''\n");
    let base = file.find("'''\n").map_or(0, |i| i + 4);
    (file, OffsetMap::shifted(u32::try_from(base).unwrap_or(0)))
}

/// Embed each fixture with [`embed_in_toml`], analyze it, and assert that
/// every span is a span of the file: each stage's span holds the stage's
/// text, and each comparison's span holds non-blank text of the query.
/// Returns how many comparison spans were checked, so a caller can insist
/// the check was not vacuous.
pub fn assert_spans_point_into_the_file(
    fixtures: &[String],
    analyze: impl Fn(&str, &OffsetMap) -> Analysis,
) -> usize {
    let mut comparisons = 0;
    for query in fixtures {
        let (file, map) = embed_in_toml(query);
        let base = map.to_file(0);
        let analysis = analyze(query, &map);
        for stage in &analysis.stages {
            assert_eq!(stage.span.slice(&file), stage.text, "{query}");
            let Some(predicate) = &stage.predicate else {
                continue;
            };
            predicate.visit_leaves(|leaf, _| {
                let span = match leaf {
                    Predicate::Compare(c) => c.span,
                    Predicate::FieldCompare(c) => c.span,
                    _ => None,
                };
                if let Some(span) = span {
                    comparisons += 1;
                    assert!(span.start >= base, "{query}: {span} before the query");
                    let text = span.slice(&file);
                    assert!(!text.trim().is_empty(), "{query}: empty text at {span}");
                    assert!(
                        stage.text.contains(text) || query.contains(text),
                        "{query}: {text:?} is not in the query"
                    );
                }
            });
        }
    }
    comparisons
}

/// The diagnostics `analyze` reports for `query` embedded as a YAML block
/// scalar whose lines are indented by four spaces, starting on line 3: a
/// query's line `n`, column `c` is the file's line `n + 2`, column `c + 4`
/// once the query's own indentation is gone.
pub fn diagnostics_in_indented_block(
    query: &str,
    analyze: impl Fn(&str, &OffsetMap) -> Analysis,
) -> Vec<Placed> {
    let mut file = String::from("rule:\n  query: |\n");
    for line in query.lines() {
        file.push_str("    ");
        file.push_str(line);
        file.push('\n');
    }
    let map = OffsetMap::locate_lines(&file, 0, query);
    place(&file, analyze(query, &map))
}

/// Resolve each diagnostic's span to a line and column of `file`.
fn place(file: &str, analysis: Analysis) -> Vec<Placed> {
    let index = LineIndex::new(file);
    analysis
        .diagnostics
        .into_iter()
        .map(|mut d| {
            d.resolve(file, &index);
            (d.code, d.line.unwrap_or(0), d.column.unwrap_or(0))
        })
        .collect()
}
