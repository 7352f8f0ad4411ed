//! Corpus gate (skipped without `../shared/corpus`): at least 99.5 % of the
//! Sigma files load without error diagnostics.

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_sigma::SigmaFormat;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn sigma_corpus_parses() {
    // `../shared/corpus` beside the workspace (CI), or beside the worktree
    // folder; `RULEDEX_CORPUS` overrides.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        std::env::var_os("RULEDEX_CORPUS").map(PathBuf::from),
        Some(workspace.join("../shared/corpus")),
        Some(workspace.join("../../shared/corpus")),
    ];
    let Some(root) = candidates
        .into_iter()
        .flatten()
        .map(|c| c.join("SigmaHQ__sigma"))
        .find(|c| c.exists())
    else {
        eprintln!("note: ../shared/corpus absent, Sigma corpus gate skipped");
        return;
    };
    let mut files = Vec::new();
    walk(&root, &mut files);
    let (mut ok, mut total, mut failed) = (0usize, 0usize, Vec::new());
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let file = SourceFile::standalone("x.yml", &text);
        if !SigmaFormat.sniff(&file) {
            continue;
        }
        total += 1;
        let rules = SigmaFormat.load(&file);
        if rules.iter().all(|r| r.parsed()) {
            ok += 1;
        } else {
            failed.push(path.display().to_string());
        }
    }
    eprintln!("sigma corpus: {ok}/{total} files parse; failing: {failed:#?}");
    assert!(total > 1000);
    assert!(ok * 1000 >= total * 995, "{ok}/{total}");

    // No other format's YAML is taken for Sigma.
    let corpus = root.parent().unwrap_or(&root).to_path_buf();
    let mut others = Vec::new();
    for entry in std::fs::read_dir(&corpus).into_iter().flatten().flatten() {
        if entry.file_name() != "SigmaHQ__sigma" {
            walk(&entry.path(), &mut others);
        }
    }
    let wrongly: Vec<_> = others
        .iter()
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                let name = p.to_string_lossy();
                SigmaFormat.sniff(&SourceFile::standalone(&name, &t))
            })
        })
        .collect();
    eprintln!(
        "other YAML files: {}, sniffed as Sigma: {}",
        others.len(),
        wrongly.len()
    );
    assert!(wrongly.is_empty(), "{wrongly:#?}");
}
