//! Parser throughput on the fixture queries (`cargo bench -p ruledex-kql`).
//!
//! Each fixture file is parsed as one script; `all_fixtures` parses them all
//! and reports bytes per second. The side-by-side comparison with
//! Microsoft's parser on the real corpus lives in `tools/bench/kql/`.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

fn fixtures() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| {
            let path = e.path();
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("fixture text"))
        })
        .collect();
    out.sort();
    out
}

#[divan::bench(args = ["statements", "literals", "expressions", "names", "tabular", "joins", "expand_parse", "plugins_misc", "sources"])]
fn fixture(bencher: Bencher, name: &str) {
    let text = fixtures()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
        .expect("fixture exists");
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| ruledex_kql::parse(black_box(&text)));
}

#[divan::bench]
fn all_fixtures(bencher: Bencher) {
    let texts: Vec<String> = fixtures().into_iter().map(|(_, t)| t).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for text in &texts {
            black_box(ruledex_kql::parse(black_box(text)));
        }
    });
}

#[divan::bench]
fn lex_only(bencher: Bencher) {
    let texts: Vec<String> = fixtures().into_iter().map(|(_, t)| t).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for text in &texts {
            black_box(ruledex_kql::lexer::lex(black_box(text)));
        }
    });
}
