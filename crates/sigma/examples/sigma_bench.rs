//! Time loading + lowering every `.yml` file under ROOT (reading included),
//! single-threaded, best of N runs: the Rust side of `tools/bench/sigma`.
//!
//! `cargo run --release -p ruledex-sigma --example sigma_bench -- ROOT [RUNS]`
//! prints `files=… rules=… seconds=… rules_per_second=… cpu_seconds=…
//! parallel_seconds=… threads=…`; the parallel figure loads files on every
//! core (rayon), as a catalog ingest does
//! (CPU time of the process from `/proc/self/schedstat` on Linux: robust
//! when other work shares the machine).

use ruledex_ir::{RuleFormat, SourceFile};

/// The allocator the `ruledex` binary uses, so the figure is the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use ruledex_sigma::SigmaFormat;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml") {
            out.push(path);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next().map(PathBuf::from) else {
        eprintln!("usage: sigma_bench ROOT [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut rule_count = 0;
    for _ in 0..runs {
        let cpu_start = cpu_seconds();
        let start = Instant::now();
        let mut n = 0;
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let name = path.to_string_lossy();
            n += SigmaFormat
                .load(&SourceFile::standalone(&name, &text))
                .len();
        }
        best = best.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, cpu_seconds()) {
            best_cpu = best_cpu.min(b - a);
        }
        rule_count = n;
    }
    let mut best_parallel = f64::MAX;
    for _ in 0..runs {
        use rayon::prelude::*;
        let start = Instant::now();
        let n: usize = files
            .par_iter()
            .map(|path| {
                let Ok(text) = std::fs::read_to_string(path) else {
                    return 0;
                };
                let name = path.to_string_lossy();
                SigmaFormat
                    .load(&SourceFile::standalone(&name, &text))
                    .len()
            })
            .sum();
        assert_eq!(n, rule_count);
        best_parallel = best_parallel.min(start.elapsed().as_secs_f64());
    }
    println!(
        "files={} rules={} seconds={:.4} rules_per_second={:.0} cpu_seconds={:.4} parallel_seconds={:.4} threads={}",
        files.len(),
        rule_count,
        best,
        rule_count as f64 / best,
        if best_cpu == f64::MAX { best } else { best_cpu },
        best_parallel,
        rayon::current_num_threads(),
    );
}

/// CPU time this process has run, in seconds (Linux), for timing that
/// other processes on the machine do not distort.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
