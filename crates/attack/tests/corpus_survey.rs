//! Corpus survey: every ATT&CK reference of every rule in the shared corpora,
//! the spellings they use, and how they resolve against the embedded table.
//!
//! ```text
//! cargo test -p ruledex-attack --test corpus_survey -- --nocapture
//! ```
//!
//! Skips (printing a note) when the corpora are absent. The corpus folder is
//! `$RULEDEX_SHARED/corpus`, else `../shared/corpus` from the workspace root
//! (or from its parent, for git worktrees kept one level deeper).
//!
//! The extraction here is deliberately small (YAML through `ruledex-yaml`,
//! TOML through `toml`, YARA-L and Markdown by lines): it reads only the
//! fields that carry ATT&CK references, the way each format's loader will.

use ruledex_attack::resolve::ThreatEntry;
use ruledex_attack::written::{self, ElasticTechnique};
use ruledex_attack::{parse_id, Attack, AttackId, Finding, Problem, Resolution};
use ruledex_ir::{AttackKind, AttackRef};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("RULEDEX_SHARED") {
        let dir = PathBuf::from(dir);
        return dir.join("corpus").is_dir().then_some(dir);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [root.join("../shared"), root.join("../../shared")]
        .into_iter()
        .find(|dir| dir.join("corpus").is_dir())
}

fn files(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, extensions, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(path);
        }
    }
}

fn sorted_files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    files(dir, extensions, &mut out);
    out.sort();
    out
}

/// The strings of a scalar or sequence, without null items (`- ` with
/// nothing after it, which Sentinel files have).
fn non_null_strings(node: &ruledex_yaml::Node) -> Vec<&str> {
    if node.is_sequence() {
        node.items()
            .iter()
            .filter(|item| !item.is_null())
            .filter_map(|item| item.as_str())
            .collect()
    } else if node.is_null() {
        Vec::new()
    } else {
        node.as_str().into_iter().collect()
    }
}

fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    text.strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text)
}

/// The resolution class, as the report names it.
fn class(resolution: &Resolution) -> &'static str {
    match resolution {
        Resolution::Known { .. } => "known",
        Resolution::Provisional { .. } => "provisional-v19",
        Resolution::Deprecated { .. } => "deprecated",
        Resolution::Revoked { .. } => "revoked",
        Resolution::OtherDomain { .. } => "other-domain",
        Resolution::OtherObject { .. } => "other-object",
        Resolution::Ambiguous { .. } => "ambiguous",
        Resolution::Unknown { .. } => "unknown",
    }
}

fn problem_name(problem: &Problem) -> &'static str {
    match problem {
        Problem::NameMismatch { .. } => "name-mismatch",
        Problem::NotInTactic { .. } => "not-in-tactic",
        Problem::NotSubtechniqueOf { .. } => "not-subtechnique-of",
        Problem::MalformedId { .. } => "malformed-id",
    }
}

/// The shape of a written form: ids with digits as 9 (`attack.t9999.999`,
/// `https://attack.mitre.org/techniques/T9999/999/`), names by style.
fn shape(text: &str) -> String {
    let text = text.trim();
    if text.contains("attack.mitre.org") {
        return text
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect::<String>()
            .replace("/v99/", "/vNN/")
            .replace("/v9/", "/vNN/");
    }
    let bare = text
        .strip_prefix("attack.")
        .or_else(|| text.strip_prefix("attck."))
        .unwrap_or(text);
    if parse_id(bare).is_some() || bare.contains("attack.mitre.org") {
        return text
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect::<String>()
            .replace("/v99/", "/vNN/")
            .replace("/v9/", "/vNN/");
    }
    let prefix = &text[..text.len() - bare.len()];
    let style = if bare.contains(':') {
        "Parent: Sub"
    } else if bare.contains('_') {
        "snake_case"
    } else if bare.contains('-') {
        "kebab-case"
    } else if bare.contains(' ') {
        if bare
            .split(' ')
            .filter(|w| !w.is_empty() && !["and", "or", "for", "of"].contains(w))
            .all(|w| w.starts_with(char::is_uppercase))
        {
            "Title Case words"
        } else if bare == bare.to_lowercase() {
            "lower case words"
        } else {
            "Sentence case words"
        }
    } else if bare.chars().skip(1).any(char::is_uppercase) {
        "CamelCase"
    } else if bare.starts_with(char::is_uppercase) {
        "Capitalized word"
    } else {
        "lowercase word"
    };
    format!("{prefix}<{style}>")
}

#[derive(Default)]
struct Tally {
    files: usize,
    files_with_refs: usize,
    references: usize,
    classes: BTreeMap<&'static str, usize>,
    problems: BTreeMap<&'static str, usize>,
    forms: BTreeMap<(String, String), usize>,
    tactic_spellings: BTreeMap<String, (usize, String)>,
    unresolved: BTreeMap<String, (usize, String)>,
    problem_examples: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, attack: &Attack, written_as: &str, kind: AttackKind, finding: &Finding) {
        self.references += 1;
        *self.classes.entry(class(&finding.resolution)).or_default() += 1;
        let kind_name = match (&finding.resolution, kind) {
            (Resolution::OtherObject { .. }, _) => "object",
            (_, AttackKind::Tactic) => "tactic",
            (_, AttackKind::Technique) => "technique",
        };
        // Name-only references may be of either kind; report what they
        // resolved to.
        let kind_name = match finding.resolution.target() {
            Some(target) if target.kind == AttackKind::Tactic => "tactic",
            Some(_) => "technique",
            None => kind_name,
        };
        *self
            .forms
            .entry((kind_name.to_string(), shape(written_as)))
            .or_default() += 1;
        let outcome = match &finding.resolution {
            Resolution::Known { target } => format!("{} {}", target.id, target.name),
            Resolution::Provisional { target, folds_onto } => format!(
                "{} {} (v19, folds onto {})",
                target.id,
                target.name,
                folds_onto.join(",")
            ),
            other => attack
                .diagnostics(&Finding {
                    written: finding.written.clone(),
                    resolution: other.clone(),
                    problems: Vec::new(),
                })
                .first()
                .map(|d| {
                    let mut text = format!("{} {}", d.code, d.message);
                    for note in &d.notes {
                        let _ = write!(text, " ({note})");
                    }
                    text
                })
                .unwrap_or_else(|| class(other).to_string()),
        };
        let unresolved_tactic = kind == AttackKind::Tactic && finding.resolution.target().is_none();
        if kind_name == "tactic" || unresolved_tactic {
            let entry = self
                .tactic_spellings
                .entry(written_as.to_string())
                .or_insert((0, outcome.clone()));
            entry.0 += 1;
        }
        if !finding.resolution.is_current()
            && !matches!(finding.resolution, Resolution::OtherObject { .. })
        {
            let entry = self
                .unresolved
                .entry(written_as.to_string())
                .or_insert((0, outcome));
            entry.0 += 1;
        }
        for problem in &finding.problems {
            *self.problems.entry(problem_name(problem)).or_default() += 1;
            let diagnostic = attack
                .diagnostics(&Finding {
                    written: finding.written.clone(),
                    resolution: Resolution::Known {
                        target: ruledex_attack::Target {
                            kind,
                            id: String::new(),
                            name: String::new(),
                        },
                    },
                    problems: vec![problem.clone()],
                })
                .into_iter()
                .next()
                .map(|d| format!("{} {}", d.code, d.message))
                .unwrap_or_default();
            *self.problem_examples.entry(diagnostic).or_default() += 1;
        }
    }

    fn resolved_share(&self) -> f64 {
        let current = self.classes.get("known").copied().unwrap_or(0)
            + self.classes.get("provisional-v19").copied().unwrap_or(0)
            + self.classes.get("other-object").copied().unwrap_or(0);
        if self.references == 0 {
            1.0
        } else {
            current as f64 / self.references as f64
        }
    }

    fn report(&self, name: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n== {name}: {} files, {} with ATT&CK references, {} references",
            self.files, self.files_with_refs, self.references
        );
        let _ = writeln!(
            out,
            "resolution: {}  (current: {:.2}%)",
            self.classes
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            100.0 * self.resolved_share()
        );
        if !self.problems.is_empty() {
            let _ = writeln!(
                out,
                "problems: {}",
                self.problems
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(out, "forms:");
        for ((kind, form), count) in &self.forms {
            let _ = writeln!(out, "  {kind:<9} {form:<55} {count}");
        }
        let _ = writeln!(out, "tactic spellings:");
        for (spelling, (count, outcome)) in &self.tactic_spellings {
            let _ = writeln!(out, "  {spelling:<45} {count:>5}  {outcome}");
        }
        if !self.unresolved.is_empty() {
            let _ = writeln!(out, "not current (not counted as written):");
            for (spelling, (count, outcome)) in &self.unresolved {
                let _ = writeln!(out, "  {spelling:<45} {count:>5}  {outcome}");
            }
        }
        if !self.problem_examples.is_empty() {
            let _ = writeln!(out, "problem details:");
            for (message, count) in &self.problem_examples {
                let _ = writeln!(out, "  {count:>5}  {message}");
            }
        }
        out
    }
}

/// Record plain references.
fn tally_refs(attack: &Attack, tally: &mut Tally, refs: &[(String, AttackRef)]) {
    if !refs.is_empty() {
        tally.files_with_refs += 1;
    }
    for (written_as, reference) in refs {
        let finding = attack.resolve(reference);
        tally.add(attack, written_as, reference.kind, &finding);
    }
}

/// Record grouped references (Elastic, Panther): `written` lists the
/// spellings in the order `resolve_threat` returns findings.
fn tally_threat(
    attack: &Attack,
    tally: &mut Tally,
    entry: &ThreatEntry,
    written: &[(String, AttackKind)],
) {
    let findings = attack.resolve_threat(entry);
    assert_eq!(findings.len(), written.len());
    for (finding, (written_as, kind)) in findings.iter().zip(written) {
        tally.add(attack, written_as, *kind, finding);
    }
}

fn sigma(attack: &Attack, dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in sorted_files(dir, &["yml", "yaml"]) {
        tally.files += 1;
        let text = read(&path);
        let Ok(docs) = ruledex_yaml::parse(&text) else {
            continue;
        };
        let mut refs = Vec::new();
        let mut objects = 0;
        for doc in &docs {
            for tag in doc.get("tags").map(non_null_strings).unwrap_or_default() {
                match written::sigma_tag(tag) {
                    Some(reference) => refs.push((tag.to_string(), reference)),
                    None if tag.to_ascii_lowercase().starts_with("attack.") => {
                        // Groups, software, data sources: counted as objects.
                        objects += 1;
                        let id = parse_id(&tag[7..]);
                        let finding = attack.resolve_text(&tag[7..]);
                        assert!(
                            matches!(id, Some(AttackId::Other(..))),
                            "unexpected attack tag {tag}"
                        );
                        tally.add(attack, tag, AttackKind::Technique, &finding);
                    }
                    None => {}
                }
            }
        }
        if objects > 0 && refs.is_empty() {
            tally.files_with_refs += 1;
        }
        tally_refs(attack, &mut tally, &refs);
    }
    tally
}

fn sentinel(attack: &Attack, dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in sorted_files(dir, &["yml", "yaml"]) {
        tally.files += 1;
        let text = read(&path);
        let Ok(docs) = ruledex_yaml::parse(&text) else {
            continue;
        };
        let mut refs = Vec::new();
        for doc in &docs {
            for tactic in doc.get("tactics").map(non_null_strings).unwrap_or_default() {
                refs.push((tactic.to_string(), written::tactic(tactic)));
            }
            for id in doc
                .get("relevantTechniques")
                .map(non_null_strings)
                .unwrap_or_default()
            {
                refs.push((id.to_string(), written::id(id)));
            }
        }
        tally_refs(attack, &mut tally, &refs);
    }
    tally
}

fn defender(attack: &Attack, dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in sorted_files(dir, &["md", "txt"]) {
        tally.files += 1;
        let text = read(&path);
        let mut refs = Vec::new();
        let mut in_table = false;
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.contains("Technique, tactic, or state") {
                in_table = true;
                continue;
            }
            if in_table {
                if !trimmed.starts_with('|') {
                    in_table = false;
                    continue;
                }
                let cells: Vec<&str> = trimmed
                    .trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .collect();
                let (Some(name), Some(covered)) = (cells.first(), cells.get(1)) else {
                    continue;
                };
                if name.starts_with("---") || !covered.eq_ignore_ascii_case("v") {
                    continue;
                }
                refs.push((name.to_string(), written::tactic(name)));
            }
            // Technique links in the text (`attack.mitre.org/techniques/T1566/002/`).
            let mut rest = line;
            while let Some(at) = rest.find("attack.mitre.org/techniques/") {
                let url: String = rest[at..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '|' | ']' | '"'))
                    .collect();
                refs.push((url.clone(), written::id(&url)));
                rest = &rest[at + url.len().max(1)..];
            }
        }
        tally_refs(attack, &mut tally, &refs);
    }
    tally
}

/// An Elastic technique's id, name, and sub-techniques' ids and names.
type OwnedTechnique = (String, String, Vec<(String, String)>);

fn elastic(attack: &Attack, dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in sorted_files(dir, &["toml"]) {
        tally.files += 1;
        let text = read(&path);
        let Ok(value) = text.parse::<toml::Table>() else {
            continue;
        };
        let threats = value
            .get("rule")
            .and_then(|r| r.get("threat"))
            .and_then(|t| t.as_array())
            .cloned()
            .unwrap_or_default();
        if !threats.is_empty() {
            tally.files_with_refs += 1;
        }
        for threat in &threats {
            let str_of = |v: Option<&toml::Value>, key: &str| {
                v.and_then(|v| v.get(key))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let tactic = threat.get("tactic");
            let tactic_pair = tactic.map(|t| (str_of(Some(t), "id"), str_of(Some(t), "name")));
            let mut owned: Vec<OwnedTechnique> = Vec::new();
            for technique in threat
                .get("technique")
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
            {
                let subs = technique
                    .get("subtechnique")
                    .and_then(|s| s.as_array())
                    .into_iter()
                    .flatten()
                    .map(|s| (str_of(Some(s), "id"), str_of(Some(s), "name")))
                    .collect();
                owned.push((
                    str_of(Some(technique), "id"),
                    str_of(Some(technique), "name"),
                    subs,
                ));
            }
            let sub_refs: Vec<Vec<(&str, &str)>> = owned
                .iter()
                .map(|(_, _, subs)| subs.iter().map(|(i, n)| (i.as_str(), n.as_str())).collect())
                .collect();
            let techniques: Vec<ElasticTechnique<'_>> = owned
                .iter()
                .zip(&sub_refs)
                .map(|((id, name, _), subs)| ElasticTechnique {
                    id,
                    name,
                    subtechniques: subs,
                })
                .collect();
            let entry = written::elastic_threat(
                tactic_pair.as_ref().map(|(i, n)| (i.as_str(), n.as_str())),
                &techniques,
            );
            let mut spellings = Vec::new();
            if let Some((id, _)) = &tactic_pair {
                spellings.push((id.clone(), AttackKind::Tactic));
            }
            for (id, _, subs) in &owned {
                spellings.push((id.clone(), AttackKind::Technique));
                for (sub, _) in subs {
                    spellings.push((sub.clone(), AttackKind::Technique));
                }
            }
            tally_threat(attack, &mut tally, &entry, &spellings);
            // Tactic names as written, for the spelling list.
            if let Some((_, name)) = &tactic_pair {
                let finding = attack.resolve(&written::tactic(name));
                let entry = tally
                    .tactic_spellings
                    .entry(name.clone())
                    .or_insert((0, class(&finding.resolution).to_string()));
                entry.0 += 1;
            }
        }
    }
    tally
}

fn splunk(attack: &Attack, dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in sorted_files(dir, &["yml", "yaml"]) {
        tally.files += 1;
        let text = read(&path);
        let Ok(docs) = ruledex_yaml::parse(&text) else {
            continue;
        };
        let mut refs = Vec::new();
        for doc in &docs {
            for id in doc
                .get("tags")
                .and_then(|t| t.get("mitre_attack_id"))
                .map(non_null_strings)
                .unwrap_or_default()
            {
                refs.push((id.to_string(), written::id(id)));
            }
        }
        tally_refs(attack, &mut tally, &refs);
    }
    tally
}

fn panther(attack: &Attack, dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in sorted_files(dir, &["yml", "yaml"]) {
        tally.files += 1;
        let text = read(&path);
        let Ok(docs) = ruledex_yaml::parse(&text) else {
            continue;
        };
        let mut any = false;
        for doc in &docs {
            for report in doc
                .get("Reports")
                .and_then(|r| r.get("MITRE ATT&CK"))
                .map(non_null_strings)
                .unwrap_or_default()
            {
                any = true;
                let entry = written::panther_report(report);
                let mut spellings = Vec::new();
                if entry.tactic.is_some() {
                    spellings.push((
                        report.split(':').next().unwrap_or_default().to_string(),
                        AttackKind::Tactic,
                    ));
                }
                if !entry.techniques.is_empty() {
                    spellings.push((
                        report.rsplit(':').next().unwrap_or_default().to_string(),
                        AttackKind::Technique,
                    ));
                }
                tally_threat(attack, &mut tally, &entry, &spellings);
            }
        }
        if any {
            tally.files_with_refs += 1;
        }
    }
    tally
}

fn chronicle(attack: &Attack, dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in sorted_files(dir, &["yaral"]) {
        tally.files += 1;
        let text = read(&path);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if key.is_empty() || key.contains(char::is_whitespace) {
                continue;
            }
            let (Some(open), Some(close)) = (value.find('"'), value.rfind('"')) else {
                continue;
            };
            if close > open {
                pairs.push((key.to_string(), value[open + 1..close].to_string()));
            }
        }
        let refs = written::chronicle_meta_all(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let refs: Vec<(String, AttackRef)> = refs
            .into_iter()
            .map(|r| {
                let spelling = r.id.clone().or_else(|| r.name.clone()).unwrap_or_default();
                (spelling, r)
            })
            .collect();
        tally_refs(attack, &mut tally, &refs);
    }
    tally
}

#[test]
fn corpus_survey() {
    let Some(shared) = shared_dir() else {
        eprintln!("note: no shared corpus (set RULEDEX_SHARED); skipping the survey");
        return;
    };
    let corpus = shared.join("corpus");
    let attack = Attack::embedded();
    let surveys: Vec<(&str, Tally, f64)> = vec![
        (
            "SigmaHQ__sigma",
            sigma(attack, &corpus.join("SigmaHQ__sigma")),
            0.99,
        ),
        (
            "cloudflare__Azure-Sentinel",
            sentinel(attack, &corpus.join("cloudflare__Azure-Sentinel")),
            0.95,
        ),
        (
            "microsoft__Microsoft-365-Defender-Hunting-Queries",
            defender(
                attack,
                &corpus.join("microsoft__Microsoft-365-Defender-Hunting-Queries"),
            ),
            0.50,
        ),
        (
            "elastic__detection-rules",
            elastic(attack, &corpus.join("elastic__detection-rules")),
            0.99,
        ),
        (
            "splunk__security_content",
            splunk(attack, &corpus.join("splunk__security_content")),
            0.99,
        ),
        (
            "panther-labs__panther-analysis",
            panther(attack, &corpus.join("panther-labs__panther-analysis")),
            0.99,
        ),
        (
            "chronicle__detection-rules",
            chronicle(attack, &corpus.join("chronicle__detection-rules")),
            0.85,
        ),
    ];
    println!("{}", attack.full_version_label());
    let mut failures = Vec::new();
    for (name, tally, floor) in &surveys {
        println!("{}", tally.report(name));
        assert!(tally.references > 0, "{name}: no references found");
        if tally.resolved_share() < *floor {
            failures.push(format!(
                "{name}: {:.2}% current, floor {:.0}%",
                100.0 * tally.resolved_share(),
                100.0 * floor
            ));
        }
    }
    // Every tactic spelling the official formats use must resolve.
    for (name, tally, _) in &surveys {
        for (spelling, (_, outcome)) in &tally.tactic_spellings {
            let official = matches!(
                *name,
                "SigmaHQ__sigma" | "elastic__detection-rules" | "panther-labs__panther-analysis"
            );
            if official && (outcome.starts_with("ATT001") || outcome == "unknown") {
                failures.push(format!(
                    "{name}: tactic spelling {spelling:?} does not resolve"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
