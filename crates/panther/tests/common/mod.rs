//! Loading a fixture folder the way the catalog loads a source: the
//! context first, then every spec.

#![allow(dead_code)]

use ruledex_ir::{Rule, RuleFormat, SourceFile};
use ruledex_panther::PantherFormat;
use std::path::Path;

/// Every file under `root`, as (relative path, text), sorted.
pub fn files(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, text));
            }
        }
    }
    out.sort();
    out
}

/// Load every spec of `root` with the folder's context: (path, rules).
pub fn load_folder(root: &Path) -> Vec<(String, Vec<Rule>)> {
    let files = files(root);
    let wanted: Vec<SourceFile<'_>> = files
        .iter()
        .filter(|(p, _)| PantherFormat.context_path(p))
        .map(|(p, t)| SourceFile {
            source: "fixtures",
            path: p,
            text: t,
            commit: None,
            context: None,
        })
        .collect();
    let context = PantherFormat.build_context(&wanted);
    files
        .iter()
        .filter_map(|(p, t)| {
            let file = SourceFile {
                source: "fixtures",
                path: p,
                text: t,
                commit: None,
                context: None,
            }
            .with_context(context.as_deref());
            PantherFormat
                .sniff(&file)
                .then(|| (p.clone(), PantherFormat.load(&file)))
        })
        .collect()
}

/// The fixture folder `name`.
pub fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
