//! The functions YARA-L 2.0 documents, per namespace, written from
//! Google's function reference. A namespace YARA-L does not have is an
//! error; an undocumented name in a known namespace only a warning (new
//! functions appear in the language before they appear here).

/// Every namespace, for messages.
pub const NAMESPACES: &[&str] = &[
    "arrays",
    "bytes",
    "cast",
    "fingerprint",
    "group",
    "hash",
    "math",
    "metrics",
    "net",
    "optimization",
    "re",
    "strings",
    "timestamp",
    "window",
];

const ARRAYS: &[&str] = &[
    "concat",
    "contains",
    "index_to_float",
    "index_to_int",
    "index_to_str",
    "join_string",
    "length",
    "max",
    "min",
    "size",
];

const BYTES: &[&str] = &["to_base64"];

const CAST: &[&str] = &["as_bool", "as_float", "as_int", "as_string", "as_timestamp"];

const HASH: &[&str] = &["fingerprint2011", "sha256"];

const MATH: &[&str] = &[
    "abs",
    "ceil",
    "floor",
    "geo_distance",
    "is_increasing",
    "log",
    "pow",
    "random",
    "round",
    "sqrt",
];

const NET: &[&str] = &["ip_in_range_cidr"];

const OPTIMIZATION: &[&str] = &["sample_rate"];

const RE: &[&str] = &["regex", "capture", "capture_all", "replace"];

const STRINGS: &[&str] = &[
    "base64_decode",
    "coalesce",
    "concat",
    "contains",
    "count_substrings",
    "ends_with",
    "extract_domain",
    "extract_hostname",
    "from_base64",
    "from_hex",
    "ltrim",
    "reverse",
    "rtrim",
    "split",
    "starts_with",
    "to_lower",
    "to_upper",
    "trim",
    "url_decode",
];

const TIMESTAMP: &[&str] = &[
    "as_unix_seconds",
    "current_seconds",
    "diff",
    "get_date",
    "get_day_of_week",
    "get_hour",
    "get_minute",
    "get_timestamp",
    "get_week",
    "now",
];

const WINDOW: &[&str] = &[
    "avg", "first", "last", "median", "mode", "stddev", "variance",
];

/// Functions without a namespace: outcome aggregates, `if`, and the
/// aggregates of search and dashboards.
pub const BARE: &[&str] = &[
    "if",
    "max",
    "min",
    "sum",
    "count",
    "count_distinct",
    "array",
    "array_distinct",
    "avg",
    "stddev",
    "earliest",
    "latest",
];

/// `None` when `ns` is no namespace; `Some(None)` for a namespace whose
/// names are open (metrics, fingerprint, group); `Some(Some(names))`
/// otherwise.
pub fn namespace(ns: &str) -> Option<Option<&'static [&'static str]>> {
    Some(match ns {
        "arrays" => Some(ARRAYS),
        "bytes" => Some(BYTES),
        "cast" => Some(CAST),
        "hash" => Some(HASH),
        "math" => Some(MATH),
        "net" => Some(NET),
        "optimization" => Some(OPTIMIZATION),
        "re" => Some(RE),
        "strings" => Some(STRINGS),
        "timestamp" => Some(TIMESTAMP),
        "window" => Some(WINDOW),
        "metrics" | "fingerprint" | "group" => None,
        _ => return None,
    })
}
