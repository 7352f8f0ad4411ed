//! What the Panther format reads from a whole source before its rules: the
//! Python programs next to the specs, the global helpers, the data models,
//! and the scheduled queries scheduled rules run on.

use crate::python::module::{Constant, Module};
use ruledex_ir::SourceFile;
use std::collections::HashMap;

/// How a data model maps one `event.udm(...)` name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UdmMapping {
    /// A JSON path in the event (`$.userIdentity.arn` → `userIdentity.arn`).
    Path(String),
    /// A function of the data model's program that computes the value.
    Method(String),
}

/// One data model: the log types it covers and its mappings.
#[derive(Debug)]
pub struct DataModel {
    /// `DataModelID`.
    pub id: String,
    /// Log types (`LogTypes`).
    pub log_types: Vec<String>,
    /// Name → mapping.
    pub mappings: HashMap<String, UdmMapping>,
    /// The data model's program (for `Method` mappings), when present.
    pub program: Option<String>,
}

/// The context of one source (see [`ruledex_ir::RuleFormat::build_context`]).
#[derive(Debug, Default)]
pub struct PantherContext {
    /// Program texts by path relative to the source root.
    programs: HashMap<String, String>,
    /// Parsed modules importable by name (global helpers, data-model
    /// programs), by module name.
    modules: HashMap<String, Module>,
    /// Data models.
    data_models: Vec<DataModel>,
    /// Scheduled and saved queries: `QueryName` → the log types it reads.
    queries: HashMap<String, Vec<String>>,
}

impl PantherContext {
    /// Whether the format reads the file at `path` for context: every
    /// Python program, data-model specs and query specs.
    pub fn wants(path: &str) -> bool {
        let lower = path.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
        lower.ends_with(".py")
            || (yaml && (in_folder(&lower, "data_models") || in_folder(&lower, "queries")))
    }

    /// Build the context from the files [`PantherContext::wants`].
    pub fn build(files: &[SourceFile<'_>]) -> PantherContext {
        let mut ctx = PantherContext::default();
        let mut model_specs = Vec::new();
        for file in files {
            let lower = file.path.to_ascii_lowercase();
            if lower.ends_with(".py") {
                ctx.programs
                    .insert(file.path.to_string(), file.text.to_string());
                // Rules import helpers by module name; global helpers and
                // data-model programs are the importable ones.
                if in_folder(&lower, "global_helpers") || in_folder(&lower, "data_models") {
                    ctx.modules
                        .insert(file.stem().to_string(), Module::parse(file.path, file.text));
                }
            } else if let Ok(docs) = ruledex_yaml::parse(file.text) {
                let Some(doc) = docs.first() else { continue };
                match doc.get("AnalysisType").and_then(|v| v.as_str()) {
                    Some("datamodel") => model_specs.push((file.path, doc.clone())),
                    Some("scheduled_query" | "saved_query") => {
                        let (Some(name), Some(query)) = (
                            doc.get("QueryName").and_then(|v| v.as_str()),
                            doc.get("Query").and_then(|v| v.as_str()),
                        ) else {
                            continue;
                        };
                        let tables = crate::sql::log_types_of(query);
                        ctx.queries.insert(name.to_string(), tables);
                    }
                    _ => {}
                }
            }
        }
        for (path, doc) in model_specs {
            let mut model = DataModel {
                id: doc
                    .get("DataModelID")
                    .and_then(|v| v.as_str())
                    .unwrap_or(path)
                    .to_string(),
                log_types: doc
                    .get("LogTypes")
                    .map(|v| v.strings().into_iter().map(str::to_string).collect())
                    .unwrap_or_default(),
                mappings: HashMap::new(),
                program: None,
            };
            if let Some(filename) = doc.get("Filename").and_then(|v| v.as_str()) {
                model.program = Some(sibling(path, filename));
            }
            for mapping in doc.get("Mappings").map(|m| m.items()).unwrap_or_default() {
                let Some(name) = mapping.get("Name").and_then(|v| v.as_str()) else {
                    continue;
                };
                let target = if let Some(p) = mapping.get("Path").and_then(|v| v.as_str()) {
                    UdmMapping::Path(json_path(p))
                } else if let Some(m) = mapping.get("Method").and_then(|v| v.as_str()) {
                    UdmMapping::Method(m.to_string())
                } else {
                    continue;
                };
                model.mappings.insert(name.to_string(), target);
            }
            ctx.data_models.push(model);
        }
        ctx
    }

    /// The program at `path`.
    pub fn program(&self, path: &str) -> Option<&str> {
        self.programs.get(path).map(String::as_str)
    }

    /// The importable module `name` (a global helper).
    pub fn module(&self, name: &str) -> Option<&Module> {
        self.modules.get(name)
    }

    /// A module-level constant `name` of module `module`, following one
    /// re-export (`from a import X` in module `b`).
    pub fn constant(&self, module: &str, name: &str) -> Option<Constant> {
        let m = self.modules.get(module)?;
        if let Some(c) = m.constants.get(name) {
            return Some(c.clone());
        }
        let (from, original) = m.imports.get(name)?;
        self.modules.get(from)?.constants.get(original).cloned()
    }

    /// The mappings of `name` for each of `log_types` that a data model
    /// covers, with the data model's program path.
    pub fn udm(&self, log_types: &[String], name: &str) -> Vec<(&DataModel, &UdmMapping)> {
        let mut out = Vec::new();
        for model in &self.data_models {
            if !model.log_types.iter().any(|l| log_types.contains(l)) {
                continue;
            }
            if let Some(mapping) = model.mappings.get(name) {
                out.push((model, mapping));
            }
        }
        out
    }

    /// The module of a data model's program.
    pub fn data_model_module(&self, model: &DataModel) -> Option<&Module> {
        let path = model.program.as_deref()?;
        let stem = path.rsplit('/').next()?.trim_end_matches(".py");
        self.modules.get(stem)
    }

    /// The log types a scheduled query reads.
    pub fn query_log_types(&self, name: &str) -> Option<&[String]> {
        self.queries.get(name).map(Vec::as_slice)
    }
}

/// `dir/of/spec.yml` + `file.py` → `dir/of/file.py`.
pub fn sibling(spec_path: &str, filename: &str) -> String {
    match spec_path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{filename}"),
        None => filename.to_string(),
    }
}

/// A data-model path (`$.a.b`, `a.b`, `$['a']['b']`) as the dotted field
/// name indicators use.
pub fn json_path(path: &str) -> String {
    let trimmed = path.trim().trim_start_matches('$').trim_start_matches('.');
    let mut out = String::with_capacity(trimmed.len());
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                let mut inner = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    inner.push(d);
                }
                let key = inner.trim_matches(['\'', '"']);
                if key == "*" || key.chars().all(|d| d.is_ascii_digit()) {
                    // Array elements: the field is the array's.
                    continue;
                }
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            c => out.push(c),
        }
    }
    out
}

fn in_folder(lower_path: &str, folder: &str) -> bool {
    lower_path.starts_with(&format!("{folder}/")) || lower_path.contains(&format!("/{folder}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_become_dotted_fields() {
        assert_eq!(json_path("$.userIdentity.arn"), "userIdentity.arn");
        assert_eq!(json_path("sourceIPAddress"), "sourceIPAddress");
        assert_eq!(json_path("$['a']['b c']"), "a.b c");
        assert_eq!(json_path("$.ips[0]"), "ips");
        assert_eq!(json_path("$.items[*].name"), "items.name");
    }

    #[test]
    fn wanted_paths() {
        assert!(PantherContext::wants("rules/x/y.py"));
        assert!(PantherContext::wants("data_models/aws.yml"));
        assert!(PantherContext::wants("queries/aws_queries/q.yml"));
        assert!(!PantherContext::wants("rules/x/y.yml"));
    }
}
