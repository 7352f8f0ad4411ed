//! Evaluate every Panther rule's `Tests` of a folder on its lowered
//! predicate tree, and print how many expected results are reproduced.
//!
//! ```text
//! cargo run --release -p ruledex-panther --example evaluate_tests -- FOLDER [--list]
//! ```

use ruledex_eval::{Evaluator, Truth};
use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_panther::{samples, PantherFormat};
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next() else {
        eprintln!("usage: evaluate_tests FOLDER [--list]");
        std::process::exit(2);
    };
    let list = args.any(|a| a == "--list");
    let root = Path::new(&root);
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                files.push((rel.to_string_lossy().replace('\\', "/"), text));
            }
        }
    }
    files.sort();
    let wanted: Vec<SourceFile<'_>> = files
        .iter()
        .filter(|(p, _)| PantherFormat.context_path(p))
        .map(|(p, t)| SourceFile::standalone(p, t))
        .collect();
    let context = PantherFormat.build_context(&wanted);
    let mut evaluator = Evaluator::new();
    let (mut total, mut reproduced, mut unknown, mut wrong) = (0, 0, 0, 0);
    let (mut mocked, mut mocked_reproduced) = (0, 0);
    for (p, t) in &files {
        let file = SourceFile::standalone(p, t).with_context(context.as_deref());
        if !PantherFormat.sniff(&file) {
            continue;
        }
        for rule in PantherFormat.load(&file) {
            for o in samples::evaluate(&rule, &mut evaluator) {
                if o.expected.is_none() {
                    continue;
                }
                if o.mocked {
                    mocked += 1;
                    mocked_reproduced += usize::from(o.reproduced());
                    continue;
                }
                total += 1;
                if o.reproduced() {
                    reproduced += 1;
                } else if o.evaluated == Truth::Unknown {
                    unknown += 1;
                    if list {
                        println!("unknown\t{}\t{}", rule.id, o.name);
                    }
                } else {
                    wrong += 1;
                    if list {
                        println!("wrong\t{}\t{}\texpected {:?}", rule.id, o.name, o.expected);
                    }
                }
            }
        }
    }
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    println!(
        "tests without mocks: {total}; reproduced {reproduced} ({:.1} %), unknown {unknown} ({:.1} %), wrong {wrong} ({:.1} %)",
        pct(reproduced, total),
        pct(unknown, total),
        pct(wrong, total)
    );
    println!(
        "tests with mocks: {mocked}; reproduced {mocked_reproduced} ({:.1} %)",
        pct(mocked_reproduced, mocked)
    );
}
