//! Loading and lowering speed: `cargo bench -p ruledex-sigma`.
//!
//! Uses the shipped examples and the test fixtures (always present) and,
//! when `../shared/corpus/SigmaHQ__sigma` exists, the whole Sigma corpus.

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_sigma::SigmaFormat;
use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml") {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path.to_string_lossy().into_owned(), text));
            }
        }
    }
}

fn files(which: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    match which {
        "corpus" => {
            // `../shared/corpus` beside the workspace (or beside the worktree
            // folder); `RULEDEX_CORPUS` overrides. Empty when absent.
            let candidates = [
                std::env::var_os("RULEDEX_CORPUS").map(PathBuf::from),
                Some(root.join("../shared/corpus")),
                Some(root.join("../../shared/corpus")),
            ];
            if let Some(dir) = candidates
                .into_iter()
                .flatten()
                .map(|c| c.join("SigmaHQ__sigma"))
                .find(|c| c.exists())
            {
                walk(&dir, &mut out);
            }
        }
        _ => {
            walk(&root.join("examples/sigma"), &mut out);
            walk(&root.join("crates/sigma/tests/fixtures/valid"), &mut out);
        }
    }
    out
}

#[divan::bench(args = ["fixtures", "corpus"])]
fn load_and_lower(bencher: divan::Bencher, which: &str) {
    let files = files(which);
    bencher
        .counter(divan::counter::ItemsCount::new(files.len()))
        .bench(|| {
            let mut n = 0;
            for (path, text) in &files {
                n += SigmaFormat.load(&SourceFile::standalone(path, text)).len();
            }
            n
        });
}

#[divan::bench]
fn condition_parser() -> usize {
    let text = divan::black_box(
        "(selection_img or selection_cli) and not 1 of filter_main_* and not all of filter_optional_*",
    );
    ruledex_sigma::condition::parse_condition(text).map_or(0, |c| c.expr.to_string().len())
}
