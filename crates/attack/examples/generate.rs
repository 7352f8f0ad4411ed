//! Regenerate `data/enterprise.tsv`, the table compiled into the crate.
//!
//! ```text
//! cargo run -p ruledex-attack --example generate -- <attack folder> [--out <file>]
//! ```
//!
//! `<attack folder>` holds the official STIX data in the mitre/cti layout
//! (`enterprise-attack/`), its `VERSION.json`, and the provisional v19.2
//! folder (`v19.2-provisional/`). The output defaults to the crate's
//! `data/enterprise.tsv`. The run fails, writing nothing, when the loaded
//! counts differ from those `VERSION.json` states, or when the written table
//! does not read back to the same knowledge base.

use ruledex_attack::provisional::parse_judged_links;
use ruledex_attack::{Attack, ProvisionalTable};
use std::path::PathBuf;
use std::process::ExitCode;

/// The hand-written v18.1 → v19.2 links (judged, with reasons).
const JUDGED_LINKS: &str = include_str!("../data/v18-v19-links.tsv");

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("generate: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut root: Option<PathBuf> = None;
    let mut out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/enterprise.tsv"));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from).ok_or("--out needs a file")?,
            "-h" | "--help" => {
                println!("usage: generate <attack folder> [--out <file>]");
                return Ok(());
            }
            _ if root.is_none() => root = Some(PathBuf::from(arg)),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let root = root.ok_or("usage: generate <attack folder> [--out <file>]")?;

    let base = Attack::from_stix_dir(&root).map_err(|e| e.to_string())?;
    let loaded = base.counts();
    match base.stamped_counts() {
        Some(stamped) if stamped == loaded => {}
        Some(stamped) => {
            return Err(format!(
                "loaded counts {loaded:?} differ from VERSION.json {stamped:?}"
            ))
        }
        None => return Err("no VERSION.json with counts beside the STIX data".into()),
    }
    let table =
        ProvisionalTable::read_dir(root.join("v19.2-provisional")).map_err(|e| e.to_string())?;
    let judged = parse_judged_links(JUDGED_LINKS).map_err(|e| e.to_string())?;
    let attack = base
        .with_provisional(&table, &judged)
        .map_err(|e| e.to_string())?;

    let header = [
        "ruledex ATT&CK Enterprise table: generated, do not edit by hand.",
        "Regenerate: cargo run -p ruledex-attack --example generate -- <attack folder>",
        "Facts only (ids, names, tactic membership, parents, status, platforms, data component ids),",
        "taken from MITRE ATT&CK STIX data (ATT&CK Terms of Use); no MITRE descriptions.",
        "`provisional` rows and `tactic-v19` rows come from a provisional ATT&CK v19.2 table,",
        "used only for ids the official base does not know; `link` rows map v18.1 ids to v19.2 ids.",
    ];
    let text = attack.to_table(&header);
    let reread =
        Attack::from_table(&text).map_err(|e| format!("written table does not parse: {e}"))?;
    if reread.to_table(&header) != text || reread.techniques() != attack.techniques() {
        return Err("written table does not read back to the same knowledge base".into());
    }
    std::fs::write(&out, &text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;

    let provisional = attack.techniques().iter().filter(|t| t.provisional).count();
    println!(
        "wrote {} ({} bytes): {} v{} (commit {}), counts {:?}",
        out.display(),
        text.len(),
        attack.version().domain,
        attack.version().attack,
        attack.version().commit.as_deref().unwrap_or("-"),
        loaded
    );
    println!(
        "provisional v{}: {} techniques only it knows, {} links ({} same-name, {} judged)",
        table.version.attack,
        provisional,
        attack.links().len(),
        attack
            .links()
            .iter()
            .filter(|l| l.basis == ruledex_attack::LinkBasis::SameName)
            .count(),
        judged.len()
    );
    for folded in attack.provisional_tactics() {
        println!(
            "  tactic {} {} → {}",
            folded.tactic.id, folded.tactic.shortname, folded.folds_onto
        );
    }
    Ok(())
}
