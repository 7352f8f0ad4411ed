//! Corpus gate: the real Sentinel and Defender query repositories must
//! parse. Skips (with a note) when the corpus is not there, as in a user's
//! clone: it is looked for in `$RULEDEX_CORPUS`, else in `../shared/corpus`
//! next to the workspace.
//!
//! Microsoft's own parser accepts 99.31 % of the Sentinel YAML queries,
//! 97.5 % of the Defender Markdown blocks and 76 % of the Defender text
//! files (many are notes, not queries); we agree with it on every one of
//! them (see `tools/diff/kql/`).

use std::path::{Path, PathBuf};

fn corpus_root() -> Option<PathBuf> {
    let root = match std::env::var_os("RULEDEX_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    root.is_dir().then_some(root)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Fenced blocks with a `kusto`/`kql` or empty info string.
fn markdown_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<(bool, Vec<&str>)> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        let fence = trimmed.strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(info)) => {
                let info = info.trim().to_ascii_lowercase();
                let is_kql = info.is_empty() || info == "kusto" || info == "kql";
                current = Some((is_kql, Vec::new()));
            }
            (Some((is_kql, lines)), Some(info)) if info.trim().is_empty() => {
                if *is_kql && lines.iter().any(|l| !l.trim().is_empty()) {
                    blocks.push(lines.join("\n") + "\n");
                }
                current = None;
            }
            (Some((_, lines)), _) => lines.push(line),
            (None, None) => {}
        }
    }
    blocks
}

struct Rate {
    total: usize,
    ok: usize,
    failures: Vec<String>,
}

impl Rate {
    fn new() -> Self {
        Rate {
            total: 0,
            ok: 0,
            failures: Vec::new(),
        }
    }

    fn add(&mut self, name: &Path, query: &str) {
        self.total += 1;
        let parsed = ruledex_kql::parse(query);
        if parsed.errors.is_empty() {
            self.ok += 1;
        } else {
            let e = &parsed.errors[0];
            self.failures
                .push(format!("{}: {} {}", name.display(), e.code, e.message));
        }
    }

    fn percent(&self) -> f64 {
        100.0 * self.ok as f64 / self.total.max(1) as f64
    }
}

#[test]
fn corpus_queries_parse() {
    let Some(root) = corpus_root() else {
        eprintln!("note: no corpus found (set RULEDEX_CORPUS); skipping the corpus gate");
        return;
    };
    let mut sentinel = Rate::new();
    let mut files = Vec::new();
    files_under(&root.join("cloudflare__Azure-Sentinel"), &mut files);
    for path in &files {
        if !matches!(extension(path).as_str(), "yaml" | "yml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(docs) = ruledex_yaml::parse(&text) else {
            continue;
        };
        if let Some(query) = docs
            .first()
            .and_then(|d| d.get("query"))
            .and_then(|q| q.as_str())
        {
            sentinel.add(path, query);
        }
    }

    let mut markdown = Rate::new();
    let mut plain = Rate::new();
    let mut files = Vec::new();
    files_under(
        &root.join("microsoft__Microsoft-365-Defender-Hunting-Queries"),
        &mut files,
    );
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let text = text.trim_start_matches('\u{feff}');
        match extension(path).as_str() {
            "md" => {
                for block in markdown_blocks(text) {
                    markdown.add(path, &block);
                }
            }
            "txt" | "csl" | "kql" if !text.trim().is_empty() => plain.add(path, text),
            _ => {}
        }
    }

    for (name, rate) in [
        ("sentinel yaml", &sentinel),
        ("defender markdown", &markdown),
        ("defender text", &plain),
    ] {
        eprintln!(
            "{name}: {}/{} parse ({:.2} %)",
            rate.ok,
            rate.total,
            rate.percent()
        );
    }
    assert!(sentinel.total > 1000, "the Sentinel corpus looks empty");
    assert!(
        sentinel.percent() >= 99.0,
        "Sentinel parse rate {:.2} % is below 99 %; first failures:\n{}",
        sentinel.percent(),
        sentinel.failures[..sentinel.failures.len().min(20)].join("\n")
    );
    // Floors just under what Microsoft's parser accepts.
    assert!(markdown.percent() >= 97.0, "{:?}", &markdown.failures);
    assert!(plain.percent() >= 75.0, "{:?}", &plain.failures);
}
