//! `ruledex show`: one rule page in the terminal, or the rule IR as JSON.

use anyhow::{bail, Context, Result};
use clap::Args;
use ruledex_catalog::{Catalog, Entry, SourceRoot};
use ruledex_ir::{Indicator, Stage};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ruledex show`.
#[derive(Args)]
pub struct ShowArgs {
    /// Rule files to show.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print `{"rules": [...]}` with the full IR of each rule.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &ShowArgs) -> Result<ExitCode> {
    let formats = crate::formats::all();
    let mut roots = Vec::new();
    for path in &args.files {
        if !path.is_file() {
            bail!("{} is not a file", path.display());
        }
        // Each file is a source of its own, so the rules go through the same
        // normalization (log sources, ATT&CK) as in a catalog.
        let mut root = SourceRoot::from_path(path);
        root.path = path.clone();
        roots.push(root);
    }
    let catalog = Catalog::build(&roots, &formats, &|_| {});
    let report = catalog.report();
    if let Some((path, error)) = report.unreadable.first() {
        bail!("cannot read {}: {error}", path.display());
    }
    if let Some(path) = report.unknown.first() {
        bail!(
            "{}: no known rule format recognizes this file (formats tried: {})",
            path.display(),
            formats.names().join(", ")
        );
    }
    if args.json {
        let rules: Vec<&ruledex_ir::Rule> = catalog.entries().iter().map(|e| &e.rule).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "rules": rules }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    for entry in catalog.entries() {
        let source = catalog.source_of(entry);
        let text = std::fs::read_to_string(&source.path)
            .with_context(|| format!("reading {}", source.path.display()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        print!(
            "{}",
            render_page(&catalog, entry, &source.path.display().to_string(), text)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The terminal rule page. Sections without content are left out.
pub fn render_page(catalog: &Catalog, entry: &Entry, path: &str, file_text: &str) -> String {
    let rule = &entry.rule;
    let mut out = String::new();
    let _ = writeln!(out, "{}", rule.title);
    let _ = writeln!(out, "{}", "=".repeat(rule.title.chars().count().max(3)));
    let mut badges = vec![
        rule.platform.display_name().to_string(),
        rule.language.display_name().to_string(),
    ];
    if let Some(sev) = rule.severity {
        badges.push(format!("{sev:?}").to_lowercase());
    }
    badges.extend(rule.status.iter().cloned());
    badges.extend(rule.kind.iter().cloned());
    badges.extend(rule.classes.iter().map(|c| format!("{c:?}").to_lowercase()));
    let _ = writeln!(out, "[{}]", badges.join("] ["));
    let _ = writeln!(out, "id: {}", rule.id);
    let _ = write!(out, "file: {path}");
    if let Some(q) = &rule.query {
        let _ = write!(out, " (query at line {})", q.line);
    }
    out.push('\n');
    let schedule = &rule.schedule;
    let mut sched = Vec::new();
    if let Some(f) = &schedule.frequency {
        sched.push(format!("runs every {f}"));
    }
    if let Some(l) = &schedule.lookback {
        sched.push(format!("looks back {l}"));
    }
    if let Some(t) = &schedule.trigger {
        sched.push(format!("triggers when {t}"));
    }
    if let Some(w) = &schedule.window {
        sched.push(format!("window {w}"));
    }
    if !sched.is_empty() {
        let _ = writeln!(out, "schedule: {}", sched.join(", "));
    }
    if !rule.authors.is_empty() {
        let _ = writeln!(out, "author: {}", rule.authors.join(", "));
    }
    if let Some(d) = &rule.description {
        section(&mut out, "Description");
        let _ = writeln!(out, "{}", d.trim());
    }
    if !entry.cells.is_empty() {
        let attack = catalog.attack();
        section(
            &mut out,
            &format!("MITRE ATT&CK ({})", attack.version_label()),
        );
        for cell in &entry.cells {
            let tactic = attack
                .tactic(&cell.tactic)
                .map_or(cell.tactic.as_str(), |t| t.name.as_str());
            let id = cell.subtechnique.as_deref().unwrap_or(&cell.technique);
            let name = |id: &str| {
                attack
                    .technique(id)
                    .map_or(String::new(), |t| t.name.clone())
            };
            let label = match &cell.subtechnique {
                Some(sub) => format!("{} {}: {}", sub, name(&cell.technique), name(sub)),
                None => format!("{id} {}", name(id)),
            };
            let _ = writeln!(out, "  {tactic:<22} {label}");
        }
    }
    if !entry.logsources.is_empty() {
        section(&mut out, "Log sources and actions");
        let table = catalog.normalizer().logsource_table();
        for action in &entry.actions {
            let name = table
                .get(&action.logsource)
                .map_or(action.logsource.as_str(), |l| l.name.as_str());
            match (&action.field, &action.value) {
                (Some(field), Some(value)) => {
                    let _ = writeln!(out, "  {name} ({}): {field} = {value}", action.logsource);
                }
                _ => {
                    let _ = writeln!(out, "  {name} ({})", action.logsource);
                }
            }
        }
    }
    if !rule.data_sources.is_empty() {
        section(&mut out, "Data sources");
        for d in &rule.data_sources {
            let _ = writeln!(out, "  {} ({:?})", d.name, d.kind);
        }
    }
    if !rule.bindings.is_empty() || !rule.stages.is_empty() {
        section(&mut out, "Stages and predicates");
        for b in &rule.bindings {
            let _ = writeln!(out, "  binding {} ({:?})", b.name, b.kind);
            if b.stages.is_empty() {
                let _ = writeln!(out, "    {}", one_line(&b.text));
            }
            render_stages(&mut out, &b.stages, "    ");
        }
        if !rule.bindings.is_empty() {
            let _ = writeln!(out, "  main query");
        }
        render_stages(&mut out, &rule.stages, "    ");
    }
    let exclusions: Vec<&Indicator> = rule.indicators.iter().filter(|i| i.exclusion).collect();
    if !exclusions.is_empty() {
        section(&mut out, "Exclusions");
        for i in exclusions {
            let _ = writeln!(out, "  {}", indicator_line(i));
        }
    }
    if !rule.indicators.is_empty() {
        section(&mut out, "Indicators");
        for i in &rule.indicators {
            let _ = writeln!(out, "  {}", indicator_line(i));
        }
    }
    if !rule.outputs.is_empty() {
        section(&mut out, "Output fields");
        for o in &rule.outputs {
            let _ = writeln!(out, "  {:<32} {}", o.name, o.source);
        }
    }
    if !rule.entities.is_empty() {
        section(&mut out, "Entity mappings");
        for e in &rule.entities {
            let fields: Vec<String> = e
                .fields
                .iter()
                .map(|f| format!("{} ← {}", f.identifier, f.column))
                .collect();
            let _ = writeln!(out, "  {}: {}", e.entity_type, fields.join(", "));
        }
    }
    if !rule.custom_details.is_empty() {
        section(&mut out, "Custom details");
        for (k, v) in &rule.custom_details {
            let _ = writeln!(out, "  {k} ← {v}");
        }
    }
    if !rule.dependencies.is_empty() {
        section(&mut out, "Dependencies");
        for d in &rule.dependencies {
            let _ = writeln!(out, "  {:?}: {}", d.kind, d.name);
        }
    }
    if !rule.diagnostics.is_empty() {
        section(&mut out, "Diagnostics");
        for d in &rule.diagnostics {
            out.push_str(&d.render(path, file_text));
        }
    }
    out.push('\n');
    out
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}\n{}", "-".repeat(title.chars().count()));
}

fn render_stages(out: &mut String, stages: &[Stage], indent: &str) {
    for (i, s) in stages.iter().enumerate() {
        let name = s.name.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}{:>2}. {}{name}: {}",
            i + 1,
            s.kind,
            one_line(&s.text)
        );
        if let Some(p) = &s.predicate {
            let _ = writeln!(out, "{indent}      ⇒ {p}");
        }
        for a in &s.assignments {
            let _ = writeln!(out, "{indent}      {} = {}", a.name, a.expression);
        }
        if !s.uses.is_empty() {
            let _ = writeln!(out, "{indent}      uses binding {}", s.uses.join(", "));
        }
        for sub in &s.subqueries {
            render_stages(out, sub, &format!("{indent}      "));
        }
    }
}

fn indicator_line(i: &Indicator) -> String {
    // The other side of a field comparison is a field: no quotes.
    let values: Vec<String> = match i.kind {
        ruledex_ir::IndicatorKind::Field(_) => i
            .values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        ruledex_ir::IndicatorKind::Value(_) => i.values.iter().map(ToString::to_string).collect(),
    };
    let mut line = format!(
        "{:<28} {:<14} {}",
        i.field,
        i.kind.name(),
        values.join(", ")
    );
    if let Some(src) = &i.values_from {
        let col = src
            .column
            .as_ref()
            .map(|c| format!("{c} of "))
            .unwrap_or_default();
        let _ = write!(line, "<{col}{:?} {}>", src.kind, src.name);
    }
    match i.case_sensitive {
        Some(true) => line.push_str("  (case-sensitive)"),
        Some(false) => line.push_str("  (case-insensitive)"),
        None => {}
    }
    if i.negated {
        line.push_str("  (negated)");
    }
    if let Some(d) = &i.derived {
        let _ = write!(line, "  via {} = {}", d.column, d.expression);
    }
    line
}

fn one_line(text: &str) -> String {
    let collapsed = ruledex_ir::collapse_whitespace(text);
    if collapsed.chars().count() > 160 {
        let cut: String = collapsed.chars().take(157).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}
