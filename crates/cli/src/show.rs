//! `ruledex show`: one rule page in the terminal, or the rule IR as JSON.

use anyhow::{bail, Context, Result};
use clap::Args;
use ruledex_catalog::{load_file, SourceRoot};
use ruledex_ir::{Indicator, Rule, Stage};
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
    let mut rules = Vec::new();
    let mut texts = Vec::new();
    for path in &args.files {
        if !path.is_file() {
            bail!("{} is not a file", path.display());
        }
        let root = SourceRoot::from_path(path.parent().unwrap_or(path));
        let loaded = load_file(&root, path, &formats);
        if let Some(error) = &loaded.read_error {
            bail!("cannot read {}: {error}", path.display());
        }
        if loaded.format.is_none() {
            bail!(
                "{}: no known rule format recognizes this file (formats tried: {})",
                path.display(),
                formats.names().join(", ")
            );
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for rule in loaded.rules {
            texts.push((path.display().to_string(), text.clone()));
            rules.push(rule);
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "rules": rules }))?
        );
    } else {
        for (rule, (path, text)) in rules.iter().zip(&texts) {
            print!("{}", render_page(rule, path, text));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The terminal rule page. Sections without content are left out.
pub fn render_page(rule: &Rule, path: &str, file_text: &str) -> String {
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
    if !rule.attack.is_empty() {
        section(&mut out, "MITRE ATT&CK (as stated by the rule)");
        for a in &rule.attack {
            let what = match a.kind {
                ruledex_ir::AttackKind::Tactic => "tactic",
                ruledex_ir::AttackKind::Technique => "technique",
            };
            let label = [a.id.as_deref(), a.name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(out, "  {what:<9} {label}");
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
