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
    let mut catalog = Catalog::from_files(&roots, files);
    let normalize = t.elapsed();
    // The event dictionary: loaded and every rule mapped onto it.
    let t = Instant::now();
    let events_path = args.sources.events_path()?;
    let events = match &events_path {
        Some(path) => {
            let dictionary = ruledex_catalog::Dictionary::load(path)?;
            let counts = (dictionary.events.len(), dictionary.files);
            catalog.set_events(std::sync::Arc::new(dictionary));
            Some(counts)
        }
        None => None,
    };
    let events_time = t.elapsed();
    let t = Instant::now();
    let total = catalog.search("", 1, 0)?.total;
    let index = t.elapsed();
    let all = started.elapsed();
    // Every related list, as the static site computes them (in parallel),
    // then each list alone and warm, as the server answers one request.
    let t = Instant::now();
    let linked: usize = {
        use rayon::prelude::*;
        (0..catalog.entries().len())
            .into_par_iter()
            .map(|p| catalog.related(p).behaviour.len())
            .sum()
    };
    let related_all = t.elapsed();
    let mut one: Vec<f64> = (0..catalog.entries().len())
        .map(|p| {
            let t = Instant::now();
            let list = catalog.related(p);
            if let Some(first) = list.behaviour.first() {
                std::hint::black_box(catalog.evidence(p, first));
            }
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    one.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        one.get(((one.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
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
    if let Some((count, files)) = events {
        println!(
            "events           {:>8.3} s  ({count} events from {files} files, rules mapped)",
            events_time.as_secs_f64()
        );
    }
    println!(
        "search index     {:>8.3} s  ({total} documents)",
        index.as_secs_f64()
    );
    println!("total            {:>8.3} s", all.as_secs_f64());
    println!(
        "related, all     {:>8.3} s  ({linked} links over {} keys)",
        related_all.as_secs_f64(),
        catalog.related_index().key_count()
    );
    println!(
        "related, one     p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (warm, one thread)",
        quantile(0.5),
        quantile(0.99),
        quantile(1.0)
    );
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
