//! Which words may be names where.
//!
//! Kusto keywords are contextual: `count`, `range` or `join` are ordinary
//! column names, while `and`, `asc` or `string` need the bracketed form
//! `['and']` everywhere, and a few are allowed in one position but not in
//! another (`extend by = 1` is valid, `where by == 1` is not). These tables
//! record, per position, what Microsoft's parser accepts; they were derived
//! by running every keyword of its grammar through every name position
//! (`tools/diff/kql/grammar_probes.py`, section `keyword`).

/// Keywords that are never a bare name: not a column, not a new column, not
/// a `let` name, not a function.
const ALWAYS_RESERVED: &[&str] = &[
    "3Dchart",
    "and",
    "anomalychart",
    "areachart",
    "asc",
    "bagexpansion",
    "barchart",
    "between",
    "bin_legacy",
    "boolean",
    "byte",
    "cachingpolicy",
    "callout",
    "cancel",
    "card",
    "char",
    "columnchart",
    "contains_cs",
    "containscs",
    "cycles",
    "dataexport",
    "datascope",
    "decodeblocks",
    "desc",
    "encodingpolicy",
    "endswith",
    "endswith_cs",
    "expandoutput",
    "extent_tags_retention",
    "external_data",
    "first",
    "flags",
    "float",
    "force_remote",
    "harddelete",
    "hardretention",
    "has_all",
    "has_any",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "hotcache",
    "int16",
    "int8",
    "isfuzzy",
    "journal",
    "ladderchart",
    "last",
    "like",
    "likecs",
    "linechart",
    "missing",
    "nooptimization",
    "notcontains",
    "notcontainscs",
    "notlike",
    "notlikecs",
    "or",
    "others",
    "pathformat",
    "piechart",
    "pivotchart",
    "queries",
    "query_results",
    "relaxed",
    "restricted_view_access",
    "row_level_security",
    "rowstore",
    "rowstore_references",
    "rowstore_sealinfo",
    "rowstorepolicy",
    "rowstores",
    "scatterchart",
    "seal",
    "seals",
    "shards",
    "simple",
    "softdelete",
    "softretention",
    "stackedareachart",
    "startswith",
    "startswith_cs",
    "statistics",
    "storedqueryresultcontainers",
    "string",
    "tablepurge",
    "timechart",
    "timeline",
    "timepivot",
    "treemap",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "ulong",
    "union",
    "uniqueid",
    "unrestrictedviewers",
    "views",
    "with_itemindex",
    "with_match_id",
    "with_step_name",
    "writeaheadlog",
];

/// Keywords that may name a new column (`extend title = 1`,
/// `project-rename by = x`) but cannot be referred to without brackets.
const DECLARABLE_ONLY: &[&str] = &[
    "accumulate",
    "as",
    "by",
    "contains",
    "datatable",
    "earliest",
    "externaldata",
    "find",
    "has",
    "in",
    "invoke",
    "latest",
    "materialize",
    "mdm",
    "of",
    "print",
    "sample",
    "search",
    "set",
    "sql",
    "title",
    "to",
    "verbose",
    "viewers",
    "where",
];

/// Type names: only a literal or conversion after them (`int(1)`,
/// `int64(x)`), never a name.
const TYPE_NAMES: &[&str] = &[
    "date", "datetime", "decimal", "double", "dynamic", "int", "int32", "int64", "long", "real",
    "time", "timespan",
];

/// Keywords that are columns in expressions but cannot name a new column,
/// be a `let` name, be left out by `project-away` or be called.
const REFERENCE_ONLY: &[&str] = &["kind", "withsource", "with_source"];

/// Functions whose name is a keyword: callable and declarable, never a
/// plain name.
const CALL_ONLY: &[&str] = &["toscalar", "totable"];

/// The keywords that name types (`typeof(float)`, `typeof(uint8)`).
const TYPE_KEYWORDS: &[&str] = &[
    "bool", "boolean", "date", "datetime", "decimal", "double", "dynamic", "float", "guid", "int",
    "int8", "int16", "int32", "int64", "long", "real", "string", "time", "timespan", "uint",
    "uint8", "uint16", "uint32", "uint64", "ulong", "uniqueid",
];

/// True for the keywords that name a type.
pub(super) fn is_type_keyword(word: &str) -> bool {
    TYPE_KEYWORDS.contains(&word)
}

/// True for the type names that call like functions (`int64(x)`).
pub(super) fn is_type_name(word: &str) -> bool {
    TYPE_NAMES.contains(&word)
}

/// Keywords that are also names wherever a name may stand (`count`,
/// `range`, `join`, …).
const NAME_KEYWORDS: &[&str] = &[
    "access",
    "alias",
    "best_effort",
    "bin",
    "bool",
    "consume",
    "count",
    "database",
    "dataformat",
    "datetime_pattern",
    "declare",
    "default",
    "distinct",
    "edges",
    "entity_group",
    "evaluate",
    "extend",
    "facet",
    "filter",
    "fork",
    "from",
    "getschema",
    "graph",
    "guid",
    "id",
    "inline_external_table",
    "join",
    "let",
    "limit",
    "lookup",
    "mvapply",
    "mvexpand",
    "nodes",
    "null",
    "nulls",
    "on",
    "optional",
    "order",
    "output",
    "pack",
    "parse",
    "partition",
    "pattern",
    "plotly",
    "query_parameters",
    "range",
    "reduce",
    "regex",
    "render",
    "restrict",
    "scan",
    "serialize",
    "sort",
    "step",
    "summarize",
    "take",
    "top",
    "typeof",
    "uuid",
    "view",
    "with",
    "with_node_id",
];

/// True for every keyword of Kusto's grammar, names or not (`render`
/// takes a chart type, or a name that is no keyword).
pub(super) fn is_keyword(word: &str) -> bool {
    NAME_KEYWORDS.contains(&word) || reserved_in_expression(word) || REFERENCE_ONLY.contains(&word)
}

/// True when `word` cannot stand for a column, table or `let` name in an
/// expression (it needs `['word']`).
pub(super) fn reserved_in_expression(word: &str) -> bool {
    ALWAYS_RESERVED.contains(&word)
        || DECLARABLE_ONLY.contains(&word)
        || TYPE_NAMES.contains(&word)
        || CALL_ONLY.contains(&word)
        // `project` alone starts an operator, even in an expression.
        || word == "project"
}

/// True when `word` cannot name a new column (`extend word = ...`).
pub(super) fn reserved_in_declaration(word: &str) -> bool {
    ALWAYS_RESERVED.contains(&word)
        || TYPE_NAMES.contains(&word)
        || REFERENCE_ONLY.contains(&word)
        || word == "project"
}

/// True when `word` cannot be a `let` name: it must be both a valid
/// reference and a valid declaration.
pub(super) fn reserved_in_let(word: &str) -> bool {
    reserved_in_expression(word) || reserved_in_declaration(word)
}

/// True when `word` cannot be listed by `project-away`, `project-keep` and
/// `project-reorder`, or joined into a wildcard pattern (`*count` is a
/// pattern, `*kind` is not).
pub(super) fn reserved_in_column_list(word: &str) -> bool {
    reserved_in_expression(word) || REFERENCE_ONLY.contains(&word)
}

/// True when `word(...)` is a call Kusto accepts: ordinary names, the
/// keyword functions (`toscalar`, `totable`) and the conversions spelled
/// like types (`int64(x)`; `int(1)` is a literal token).
pub(super) fn callable(word: &str) -> bool {
    CALL_ONLY.contains(&word)
        || TYPE_NAMES.contains(&word)
        || !(reserved_in_expression(word) || REFERENCE_ONLY.contains(&word) || word == "typeof")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_differ_per_keyword() {
        // A column name everywhere.
        assert!(!reserved_in_expression("count") && !reserved_in_declaration("count"));
        // Never a name.
        assert!(reserved_in_expression("asc") && reserved_in_declaration("asc"));
        // A new column, but not a reference.
        assert!(reserved_in_expression("title") && !reserved_in_declaration("title"));
        assert!(reserved_in_let("title"));
        // A reference, but not a new column.
        assert!(!reserved_in_expression("kind") && reserved_in_declaration("kind"));
        assert!(reserved_in_column_list("kind") && !callable("kind"));
        assert!(callable("toscalar") && callable("int64") && !callable("where"));
    }
}
