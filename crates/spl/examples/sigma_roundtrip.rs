//! The indicator keys of Sigma rules and of the SPL converted from them,
//! for the round-trip check `tools/diff/spl/roundtrip.py`.
//!
//! Reads JSON lines on stdin, `{"id": …, "sigma": "<rule YAML>", "spl":
//! ["<search>", …]}`, and prints one JSON line per input:
//! `{"id", "logsource", "sigma": [key, …], "spl": [key, …], "spl_errors":
//! [code, …]}`. A key is `canonical field|kind family|value`: the field as
//! the catalog maps it ([`ruledex_catalog::Normalizer::field_key`], Splunk's
//! vocabulary for the SPL, Sigma's for the rule), the kind folded as the
//! catalog folds it ([`ruledex_catalog::normalize::kind_family`]), the value
//! lowercased (both languages match case-insensitively here). Both rules
//! are scoped by the Sigma rule's log source: the converted search does not
//! say where its events come from, and the check is about indicators.
//!
//! `cargo run --release -p ruledex-spl --example sigma_roundtrip < pairs.jsonl`

use ruledex_catalog::Normalizer;
use ruledex_ir::{Language, OffsetMap, Platform, Rule, RuleFormat, SourceFile};
use serde_json::{json, Value};
use std::io::{BufRead, Write};

fn keys(normalizer: &Normalizer, rule: &Rule, logsources: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in &rule.indicators {
        let field = normalizer.field_key(rule, logsources, &i.field);
        let kind = ruledex_catalog::normalize::kind_family(i.kind);
        let negation = if i.exclusion { "!" } else { "" };
        if i.values.is_empty() {
            out.push(format!("{negation}{field}|{kind}|"));
        }
        for v in &i.values {
            let value = match v {
                ruledex_ir::Value::String(s) => s.to_lowercase(),
                other => other.normalized(false).trim_start_matches("n:").to_string(),
            };
            out.push(format!("{negation}{field}|{kind}|{value}"));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn main() {
    let normalizer = Normalizer::new();
    let stdin = std::io::stdin();
    let mut stdout = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Ok(input) = serde_json::from_str::<Value>(&line) else {
            eprintln!("not a JSON line: {line:.80}");
            continue;
        };
        let id = input["id"].clone();
        let sigma_text = input["sigma"].as_str().unwrap_or_default();
        let mut sigma_rules =
            ruledex_sigma::SigmaFormat.load(&SourceFile::standalone("rule.yml", sigma_text));
        let Some(sigma) = sigma_rules.first_mut() else {
            continue;
        };
        let logsources = normalizer.identify_logsources(sigma);
        let mut spl = Rule {
            platform: Platform::Splunk,
            language: Language::Spl,
            ..Rule::default()
        };
        for search in input["spl"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            spl.absorb(ruledex_spl::analyze(search, &OffsetMap::identity()));
        }
        let errors: Vec<&str> = spl
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.as_str())
            .collect();
        let out = json!({
            "id": id,
            "logsource": logsources.first(),
            "sigma": keys(&normalizer, sigma, &logsources),
            "spl": keys(&normalizer, &spl, &logsources),
            "spl_errors": errors,
        });
        let _ = writeln!(stdout, "{out}");
    }
}
