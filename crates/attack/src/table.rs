//! The compact table format of the embedded knowledge base
//! (`data/enterprise.tsv`): one record a line, tab-separated, sorted, so a
//! regeneration shows up as a readable diff.
//!
//! ```text
//! version      base|provisional  <attack>  <domain>  <source>  <commit>  <date>
//! counts       techniques=N  subtechniques=N  active=N  deprecated=N  revoked=N  tactics=N
//! tactic       <id>  <shortname>  <name>  <order>
//! tactic-v19   <id>  <shortname>  <name>  <order>  <folds onto base shortname>
//! component    <DC id>  <name>
//! technique    <id>  <name>  <tactics>  <parent>  <status>  <revoked by>  <platforms>  <components>  <v19 name>  <v19 tactics>
//! provisional  (same columns as technique: an id only the v19 table knows)
//! link         <v18 id>  <v19 id>  same-name
//! link         <v18 id>  <v19 id>  judged  <reason>
//! ```
//!
//! Lists are comma-separated; `-` stands for none. Lines starting with `#`
//! are comments.

use crate::attack::{Attack, AttackParts, Counts, ProvisionalTactic};
use crate::error::AttackError;
use crate::model::{LinkBasis, Status, Tactic, Technique, V19Listing, VersionInfo, VersionLink};
use std::fmt::Write as _;

const NONE: &str = "-";

impl Attack {
    /// Parse a table in the format of `data/enterprise.tsv`.
    pub fn from_table(text: &str) -> Result<Attack, AttackError> {
        let mut parts = AttackParts::default();
        let mut saw_base_version = false;
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = line.trim_end_matches('\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let error = |message: String| AttackError::Table {
                line: line_no,
                message,
            };
            let expect = |count: usize| {
                if fields.len() == count {
                    Ok(())
                } else {
                    Err(error(format!(
                        "`{}` needs {} fields, found {}",
                        fields[0],
                        count,
                        fields.len()
                    )))
                }
            };
            match fields[0] {
                "version" => {
                    expect(7)?;
                    let info = VersionInfo {
                        attack: fields[2].to_string(),
                        domain: fields[3].to_string(),
                        source: fields[4].to_string(),
                        commit: optional(fields[5]),
                        date: optional(fields[6]),
                    };
                    match fields[1] {
                        "base" => {
                            parts.version = info;
                            saw_base_version = true;
                        }
                        "provisional" => parts.provisional_version = Some(info),
                        other => return Err(error(format!("unknown version kind {other:?}"))),
                    }
                }
                "counts" => {
                    let mut counts = Counts::default();
                    for field in &fields[1..] {
                        let (key, value) = field
                            .split_once('=')
                            .ok_or_else(|| error(format!("expected key=value, found {field:?}")))?;
                        let value: usize = value
                            .parse()
                            .map_err(|_| error(format!("not a count: {value:?}")))?;
                        match key {
                            "techniques" => counts.techniques = value,
                            "subtechniques" => counts.subtechniques = value,
                            "active" => counts.active = value,
                            "deprecated" => counts.deprecated = value,
                            "revoked" => counts.revoked = value,
                            "tactics" => counts.tactics = value,
                            other => return Err(error(format!("unknown count {other:?}"))),
                        }
                    }
                    parts.stamped_counts = Some(counts);
                }
                "tactic" => {
                    expect(5)?;
                    parts.tactics.push(tactic(&fields, &error)?);
                }
                "tactic-v19" => {
                    expect(6)?;
                    parts.provisional_tactics.push(ProvisionalTactic {
                        tactic: tactic(&fields, &error)?,
                        folds_onto: fields[5].to_string(),
                    });
                }
                "component" => {
                    expect(3)?;
                    parts
                        .data_components
                        .insert(fields[1].to_string(), fields[2].to_string());
                }
                kind @ ("technique" | "provisional") => {
                    expect(11)?;
                    let status = Status::parse(fields[5])
                        .ok_or_else(|| error(format!("unknown status {:?}", fields[5])))?;
                    let parent = optional(fields[4]);
                    let v19_name = optional(fields[9]);
                    let v19 = v19_name.map(|name| V19Listing {
                        name,
                        tactics: list(fields[10]),
                    });
                    parts.techniques.push(Technique {
                        id: fields[1].to_string(),
                        name: fields[2].to_string(),
                        tactics: list(fields[3]),
                        is_subtechnique: parent.is_some(),
                        parent,
                        deprecated: status == Status::Deprecated,
                        revoked: status == Status::Revoked,
                        revoked_by: optional(fields[6]),
                        platforms: list(fields[7]),
                        data_components: list(fields[8]),
                        provisional: kind == "provisional",
                        v19,
                    });
                }
                "link" => {
                    let basis = match fields.get(3).copied() {
                        Some("same-name") => {
                            expect(4)?;
                            LinkBasis::SameName
                        }
                        Some("judged") => {
                            expect(5)?;
                            LinkBasis::Judged(fields[4].to_string())
                        }
                        other => return Err(error(format!("unknown link basis {other:?}"))),
                    };
                    parts.links.push(VersionLink {
                        base: fields[1].to_string(),
                        provisional: fields[2].to_string(),
                        basis,
                    });
                }
                other => return Err(error(format!("unknown record {other:?}"))),
            }
        }
        if !saw_base_version {
            return Err(AttackError::Invalid(
                "table has no `version base` line".into(),
            ));
        }
        Attack::from_parts(parts)
    }

    /// Write this knowledge base as a table that [`Attack::from_table`]
    /// reads back. `header` lines are written first as `#` comments.
    pub fn to_table(&self, header: &[&str]) -> String {
        let parts = self.parts();
        let mut out = String::new();
        for line in header {
            let _ = writeln!(out, "# {}", cell(line));
        }
        write_version(&mut out, "base", &parts.version);
        if let Some(provisional) = &parts.provisional_version {
            write_version(&mut out, "provisional", provisional);
        }
        if let Some(c) = parts.stamped_counts {
            let _ = writeln!(
                out,
                "counts\ttechniques={}\tsubtechniques={}\tactive={}\tdeprecated={}\trevoked={}\ttactics={}",
                c.techniques, c.subtechniques, c.active, c.deprecated, c.revoked, c.tactics
            );
        }
        for t in &parts.tactics {
            let _ = writeln!(
                out,
                "tactic\t{}\t{}\t{}\t{}",
                cell(&t.id),
                cell(&t.shortname),
                cell(&t.name),
                t.order
            );
        }
        for p in &parts.provisional_tactics {
            let t = &p.tactic;
            let _ = writeln!(
                out,
                "tactic-v19\t{}\t{}\t{}\t{}\t{}",
                cell(&t.id),
                cell(&t.shortname),
                cell(&t.name),
                t.order,
                cell(&p.folds_onto)
            );
        }
        for (id, name) in &parts.data_components {
            let _ = writeln!(out, "component\t{}\t{}", cell(id), cell(name));
        }
        for t in &parts.techniques {
            let kind = if t.provisional {
                "provisional"
            } else {
                "technique"
            };
            let _ = writeln!(
                out,
                "{kind}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                cell(&t.id),
                cell(&t.name),
                join(&t.tactics),
                t.parent.as_deref().map_or(NONE.to_string(), cell),
                t.status().as_str(),
                t.revoked_by.as_deref().map_or(NONE.to_string(), cell),
                join(&t.platforms),
                join(&t.data_components),
                t.v19.as_ref().map_or(NONE.to_string(), |v| cell(&v.name)),
                t.v19
                    .as_ref()
                    .map_or(NONE.to_string(), |v| join(&v.tactics)),
            );
        }
        for link in &parts.links {
            match &link.basis {
                LinkBasis::SameName => {
                    let _ = writeln!(
                        out,
                        "link\t{}\t{}\tsame-name",
                        cell(&link.base),
                        cell(&link.provisional)
                    );
                }
                LinkBasis::Judged(reason) => {
                    let _ = writeln!(
                        out,
                        "link\t{}\t{}\tjudged\t{}",
                        cell(&link.base),
                        cell(&link.provisional),
                        cell(reason)
                    );
                }
            }
        }
        out
    }
}

fn tactic(fields: &[&str], error: &dyn Fn(String) -> AttackError) -> Result<Tactic, AttackError> {
    Ok(Tactic {
        id: fields[1].to_string(),
        shortname: fields[2].to_string(),
        name: fields[3].to_string(),
        order: fields[4]
            .parse()
            .map_err(|_| error(format!("not an order: {:?}", fields[4])))?,
    })
}

fn write_version(out: &mut String, kind: &str, info: &VersionInfo) {
    let _ = writeln!(
        out,
        "version\t{kind}\t{}\t{}\t{}\t{}\t{}",
        cell(&info.attack),
        cell(&info.domain),
        cell(&info.source),
        info.commit.as_deref().map_or(NONE.to_string(), cell),
        info.date.as_deref().map_or(NONE.to_string(), cell),
    );
}

fn optional(field: &str) -> Option<String> {
    (field != NONE && !field.is_empty()).then(|| field.to_string())
}

fn list(field: &str) -> Vec<String> {
    if field == NONE || field.is_empty() {
        return Vec::new();
    }
    field.split(',').map(str::to_string).collect()
}

/// A field value with the separators of the format replaced, so no value
/// can break a line or shift columns.
fn cell(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    if cleaned.is_empty() {
        NONE.to_string()
    } else {
        cleaned
    }
}

fn join(items: &[String]) -> String {
    if items.is_empty() {
        return NONE.to_string();
    }
    items
        .iter()
        .map(|item| cell(item).replace(',', " "))
        .collect::<Vec<_>>()
        .join(",")
}
