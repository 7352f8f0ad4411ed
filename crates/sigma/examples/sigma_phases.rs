//! Time the phases (YAML, checks, lowering) over ROOT, for profiling.
use ruledex_ir::SourceFile;
use std::time::Instant;
fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)
        } else if p.extension().is_some_and(|x| x == "yml") {
            out.push(p)
        }
    }
}
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_default());
    let mut files = Vec::new();
    walk(&root, &mut files);
    let texts: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let t = Instant::now();
    for text in &texts {
        let _ = ruledex_yaml::parse(text);
    }
    println!("yaml: {:?}", t.elapsed());
    let t = Instant::now();
    for text in &texts {
        let _ = ruledex_sigma::parse::parse_file(text);
    }
    println!("yaml+check: {:?}", t.elapsed());
    let t = Instant::now();
    for text in &texts {
        let _ = ruledex_sigma::load(&SourceFile::standalone("x.yml", text));
    }
    println!("all: {:?}", t.elapsed());
}
