//! Loading Panther specs with their programs: the fixture folder, loaded
//! as one source (context, then every spec).

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_panther::PantherFormat;
use std::path::Path;

fn main() {
    divan::main();
}

fn fixture_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let rel = path
                    .strip_prefix(&root)
                    .expect("inside")
                    .to_string_lossy()
                    .to_string();
                out.push((rel, text));
            }
        }
    }
    out.sort();
    out
}

#[divan::bench]
fn load_fixture_source(bencher: divan::Bencher) {
    let files = fixture_files();
    bencher.bench(|| {
        let sources: Vec<SourceFile<'_>> = files
            .iter()
            .filter(|(p, _)| PantherFormat.context_path(p))
            .map(|(p, t)| SourceFile::standalone(p, t))
            .collect();
        let context = PantherFormat.build_context(&sources);
        let mut rules = 0;
        for (p, t) in &files {
            let file = SourceFile::standalone(p, t).with_context(context.as_deref());
            if PantherFormat.sniff(&file) {
                rules += PantherFormat.load(&file).len();
            }
        }
        divan::black_box(rules)
    });
}

#[divan::bench]
fn lower_query(bencher: divan::Bencher) {
    let query = "SELECT actor:alternateId AS a, COUNT(*) AS n FROM panther_logs.public.okta_systemlog \
                 WHERE p_occurs_since(1h) AND eventType IN ('user.session.start', 'x') AND outcome:result = 'FAILURE' \
                 GROUP BY a HAVING COUNT(*) > 10";
    bencher.bench(|| {
        ruledex_panther::sql::lower_query(
            divan::black_box(query),
            &ruledex_ir::OffsetMap::identity(),
        )
    });
}
