//! Parse every `.yaral` file under a folder and print the rate and each
//! failing file's first error.
//!
//! `cargo run -p ruledex-yaral --example parse_dir -- FOLDER`

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_yaral::YaralFormat;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let mut stack = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaral") {
                files.push(path);
            }
        }
    }
    files.sort();
    let (mut ok, mut total) = (0, 0);
    let mut opaque: Vec<String> = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        for rule in YaralFormat.load(&SourceFile::standalone(&rel, &text)) {
            total += 1;
            for d in rule.diagnostics.iter().filter(|d| !d.is_error()) {
                println!("{}", d.headline(&rel));
            }
            for stage in &rule.stages {
                if let Some(p) = &stage.predicate {
                    p.visit_leaves(|leaf, _| {
                        if let ruledex_ir::Predicate::Opaque { text, .. } = leaf {
                            if stage.kind == "events"
                                && !text.contains(" = $")
                                && !text.starts_with('$')
                            {
                                opaque.push(text.clone());
                            }
                        }
                    });
                }
            }
            if rule.parsed() {
                ok += 1;
            } else if let Some(d) = rule.diagnostics.iter().find(|d| d.is_error()) {
                println!("{}", d.headline(&rel));
            }
        }
    }
    if std::env::var_os("SHOW_OPAQUE").is_some() {
        for o in &opaque {
            println!("opaque: {o}");
        }
    }
    println!(
        "{} opaque event conditions (not placeholders)",
        opaque.len()
    );
    println!("{ok}/{total} rules parse");
}
