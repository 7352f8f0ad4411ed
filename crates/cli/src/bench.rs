//! `ruledex bench`: time a whole-catalog build, phase by phase, and report
//! peak memory — the whole-corpus timing command behind the figures in the
//! notes.

use anyhow::Result;
use clap::Args;
use ruledex_catalog::{load_roots, Catalog};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `ruledex bench`.
#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
}

pub fn run(args: &BenchArgs) -> Result<ExitCode> {
    let roots = args.sources.roots()?;
    let formats = crate::formats::all();
    let started = Instant::now();
    let files = load_roots(&roots, &formats, &|_| {});
    let ingest = started.elapsed();
    let bytes: usize = files.iter().map(|f| f.bytes).sum();
    let count = files.len();
    let t = Instant::now();
    let catalog = Catalog::from_files(&roots, files);
    let normalize = t.elapsed();
    let t = Instant::now();
    let total = catalog.search("", 1, 0)?.total;
    let index = t.elapsed();
    let all = started.elapsed();
    println!("files            {count} ({:.1} MB)", bytes as f64 / 1e6);
    println!("rules            {}", catalog.entries().len());
    println!(
        "ingest + parse   {:>8.3} s  ({} threads)",
        ingest.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!(
        "normalize        {:>8.3} s  (log sources, actions, ATT&CK, corpus counts, related index)",
        normalize.as_secs_f64()
    );
    println!(
        "search index     {:>8.3} s  ({total} documents)",
        index.as_secs_f64()
    );
    println!("total            {:>8.3} s", all.as_secs_f64());
    if let Some(peak) = peak_memory_kib() {
        println!("peak memory      {:>8.1} MiB", peak as f64 / 1024.0);
    }
    Ok(ExitCode::SUCCESS)
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
