//! Lowering KQL to the common model, shown on queries written for these
//! tests (`tests/lower/*.kql`). Each snapshot lists bindings, stages with
//! their predicates, indicators, outputs, data sources, dependencies and
//! diagnostics in a compact text form, so a change in the analysis reads as
//! a change in a page.

use ruledex_ir::{collect_indicators, Analysis, LineIndex, OffsetMap, Stage, Value};
use std::fmt::Write as _;

fn render_stages(out: &mut String, stages: &[Stage], indent: &str) {
    for (i, s) in stages.iter().enumerate() {
        let text = ruledex_ir::collapse_whitespace(&s.text);
        let _ = writeln!(out, "{indent}{i} {}: {text}", s.kind);
        if let Some(p) = &s.predicate {
            let _ = writeln!(out, "{indent}    ⇒ {p}");
        }
        for a in &s.assignments {
            let _ = writeln!(out, "{indent}    = {} ← {}", a.name, a.expression);
        }
        if !s.uses.is_empty() {
            let _ = writeln!(out, "{indent}    uses {}", s.uses.join(", "));
        }
        for sub in &s.subqueries {
            let _ = writeln!(out, "{indent}    subquery:");
            render_stages(out, sub, &format!("{indent}      "));
        }
    }
}

fn value(v: &Value) -> String {
    v.to_string()
}

/// The analysis as text.
fn render(query: &str, analysis: &Analysis) -> String {
    let mut out = String::new();
    if !analysis.bindings.is_empty() {
        out.push_str("bindings:\n");
        for b in &analysis.bindings {
            let _ = write!(out, "  {} ({:?})", b.name, b.kind);
            if !b.parameters.is_empty() {
                let _ = write!(out, " params [{}]", b.parameters.join(", "));
            }
            if !b.values.is_empty() {
                let _ = write!(
                    out,
                    " values [{}]",
                    b.values.iter().map(value).collect::<Vec<_>>().join(", ")
                );
            }
            out.push('\n');
            render_stages(&mut out, &b.stages, "    ");
        }
    }
    out.push_str("stages:\n");
    render_stages(&mut out, &analysis.stages, "  ");
    let indicators = collect_indicators(&analysis.bindings, &analysis.stages);
    if !indicators.is_empty() {
        out.push_str("indicators:\n");
        for i in &indicators {
            let values: Vec<String> = i.values.iter().map(value).collect();
            let _ = write!(out, "  {} {} [{}]", i.field, i.kind, values.join(", "));
            match i.case_sensitive {
                Some(true) => out.push_str(" cs"),
                Some(false) => out.push_str(" ci"),
                None => {}
            }
            if i.negated {
                out.push_str(" negated");
            }
            if i.exclusion {
                out.push_str(" exclusion");
            }
            if let Some(d) = &i.derived {
                let _ = write!(
                    out,
                    " via {} = {}{}",
                    d.column,
                    d.expression,
                    if d.traced { "" } else { " (untraced)" }
                );
            }
            if let Some(s) = &i.values_from {
                let _ = write!(
                    out,
                    " from {:?} {}{}",
                    s.kind,
                    s.name,
                    s.column
                        .as_ref()
                        .map(|c| format!(".{c}"))
                        .unwrap_or_default()
                );
            }
            let _ = writeln!(
                out,
                " @{}{}",
                i.stage
                    .binding
                    .as_ref()
                    .map(|b| format!("{b}:"))
                    .unwrap_or_default(),
                i.stage.index
            );
        }
    }
    if !analysis.outputs.is_empty() {
        let outputs: Vec<String> = analysis
            .outputs
            .iter()
            .map(|o| format!("{} ({})", o.name, o.source))
            .collect();
        let _ = writeln!(out, "outputs: {}", outputs.join(", "));
    }
    if !analysis.data_sources.is_empty() {
        let sources: Vec<String> = analysis
            .data_sources
            .iter()
            .map(|d| format!("{:?} {}", d.kind, d.name))
            .collect();
        let _ = writeln!(out, "data sources: {}", sources.join(", "));
    }
    if !analysis.dependencies.is_empty() {
        let deps: Vec<String> = analysis
            .dependencies
            .iter()
            .map(|d| format!("{:?} {}", d.kind, d.name))
            .collect();
        let _ = writeln!(out, "dependencies: {}", deps.join(", "));
    }
    let index = LineIndex::new(query);
    for d in &analysis.diagnostics {
        let at = d
            .span
            .map(|s| index.line_col(query, s.start).to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "diagnostic {} at {at}: {}", d.code, d.message);
    }
    out
}

#[test]
fn lowering_fixtures() {
    insta::glob!("lower/*.kql", |path| {
        let query = std::fs::read_to_string(path).unwrap();
        let analysis = ruledex_kql::analyze(&query, &OffsetMap::identity());
        insta::assert_snapshot!(render(&query, &analysis));
    });
}
