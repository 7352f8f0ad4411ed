//! Print ruledex's differential dump (one JSON line per `.yml`/`.yaml` file under
//! ROOT, sorted by path) — the Rust side of `tools/diff/sigma`.
//!
//! `cargo run --release -p ruledex-sigma --example sigma_dump -- ROOT > ruledex.jsonl`

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

fn main() {
    let Some(root) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: sigma_dump ROOT");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                println!(
                    "{}",
                    serde_json::json!({"file": rel, "error": e.to_string(), "rules": []})
                );
                continue;
            }
        };
        println!("{}", ruledex_sigma::dump::dump_file(&rel, &text));
    }
}
