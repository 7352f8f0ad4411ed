//! `ruledex serve [--addr 127.0.0.1:8080]`: the site, search and the JSON
//! API over HTTP, reloading when source files change.

use anyhow::{Context, Result};
use clap::Args;
use ruledex_site::server::{self, ServerConfig, Shared};
use ruledex_site::Site;
use std::net::SocketAddr;
use std::process::ExitCode;

/// Arguments of `ruledex serve`.
#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Do not watch the sources for changes.
    #[arg(long)]
    no_watch: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let roots = args.sources.roots().context("choosing sources")?;
    let events = args.sources.events_path()?;
    let site = Site::new(crate::sources::build_catalog_with_events(
        &roots,
        events.as_deref(),
    )?);
    let rules = site.entries().len();
    let shared = Shared::new(site, ServerConfig::default());
    let _watcher = if args.no_watch {
        None
    } else {
        let paths: Vec<_> = roots.iter().map(|r| r.path.clone()).collect();
        let rebuild_roots = roots.clone();
        let rebuild_events = events.clone();
        let watcher = server::watch(
            &paths,
            shared.clone(),
            move || {
                let catalog = crate::sources::build_catalog_with_events(
                    &rebuild_roots,
                    rebuild_events.as_deref(),
                )
                .unwrap_or_else(|e| {
                    eprintln!("ruledex: {e:#}; reloading without events");
                    crate::sources::build_catalog(&rebuild_roots)
                });
                Site::new(catalog)
            },
            |generation, took| {
                eprintln!(
                    "reloaded the sources (generation {generation}, {:.2} s)",
                    took.as_secs_f64()
                )
            },
        )
        .context("watching the sources")?;
        Some(watcher)
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(n) = args.threads {
        runtime.worker_threads(n.max(1));
    }
    let runtime = runtime.build().context("starting the server runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("listening on {}", args.addr))?;
        eprintln!(
            "serving {rules} rules on http://{} (API under /api/v1/){}",
            listener.local_addr()?,
            if args.no_watch {
                ""
            } else {
                "; watching the sources"
            }
        );
        server::serve(listener, shared).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
