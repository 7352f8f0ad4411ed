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
    // Every page of the static site, rendered but not written: what
    // `ruledex build` spends on top of the catalog, less the disk.
    let t = Instant::now();
    let site = ruledex_site::Site::new(catalog);
    let site_index = t.elapsed();
    let pages = render_pages(&site);
    let pages_total: f64 = pages.iter().map(|k| k.seconds).sum();
    println!(
        "site indexes     {:>8.3} s  (fields, indicators, log sources for the pages)",
        site_index.as_secs_f64()
    );
    println!(
        "pages            {:>8.3} s  ({} pages, {:.1} MB, rendered in parallel, not written)",
        pages_total,
        pages.iter().map(|k| k.count).sum::<usize>(),
        pages.iter().map(|k| k.bytes).sum::<usize>() as f64 / 1e6
    );
    for kind in &pages {
        println!(
            "  {:<14} {:>8.3} s  ({} pages, {:.1} MB, largest {:.1} KB)",
            kind.name,
            kind.seconds,
            kind.count,
            kind.bytes as f64 / 1e6,
            kind.largest as f64 / 1e3
        );
    }
    println!(
        "total with pages {:>8.3} s  (without the search index the static site does not use)",
        all.as_secs_f64() - index.as_secs_f64() + site_index.as_secs_f64() + pages_total
    );
    if let Some(peak) = peak_memory_kib() {
        println!("peak memory      {:>8.1} MiB", peak as f64 / 1024.0);
    }
    Ok(ExitCode::SUCCESS)
}

/// The pages of one kind (the first part of their path: `rules`, `field`,
/// … or `top` for the pages at the site root) and what rendering them took.
struct PageKind {
    name: String,
    count: usize,
    bytes: usize,
    largest: usize,
    seconds: f64,
}

/// Render every page of `site`, kind by kind, each kind in parallel.
fn render_pages(site: &ruledex_site::Site) -> Vec<PageKind> {
    use rayon::prelude::*;
    use std::collections::BTreeMap;
    let mut by_kind: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let paths = ruledex_site::page_paths(site);
    for path in &paths {
        let kind = path.split_once('/').map_or("top", |(dir, _)| dir);
        by_kind.entry(kind).or_default().push(path);
    }
    let mut kinds: Vec<PageKind> = by_kind
        .into_iter()
        .map(|(name, paths)| {
            let t = Instant::now();
            let sizes: Vec<usize> = paths
                .par_iter()
                .filter_map(|p| {
                    ruledex_site::render(site, p, ruledex_site::LinkStyle::Relative, None)
                })
                .map(|page| page.body.len())
                .collect();
            PageKind {
                name: name.to_string(),
                count: sizes.len(),
                bytes: sizes.iter().sum(),
                largest: sizes.iter().copied().max().unwrap_or(0),
                seconds: t.elapsed().as_secs_f64(),
            }
        })
        .collect();
    kinds.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    kinds
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
