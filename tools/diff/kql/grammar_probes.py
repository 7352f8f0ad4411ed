#!/usr/bin/env python3
"""Write probe queries that walk Microsoft's public KQL grammar, section by
section: lexical forms (numbers, timespans, strings, typed literals,
dynamic values), names, scalar operators, function calls, every tabular
operator with its parameters and clauses, and statements.

Each section combines the forms the grammar allows with the mistakes it
rejects (a clause left out, a wrong token in its place), so the probes test
both verdicts. The output is deterministic; `grammar_probes.jsonl` beside
this script is its output, kept so the comparison runs without Python.

Usage: grammar_probes.py [OUT.jsonl]   (default: grammar_probes.jsonl here)

Then, as for the other probe sets (see README.md):
    node tools/diff/kql/ms_parse.js OUT.jsonl > ms.jsonl
    cargo run --profile quick -p ruledex-kql --example parse_jsonl -- verdicts OUT.jsonl > ours.jsonl
    python3 tools/diff/kql/compare.py OUT.jsonl ms.jsonl ours.jsonl
"""
import json
import os
import sys

# ----- lexical forms -------------------------------------------------------

NUMBERS = [
    "1", "0", "007", "0x1F", "0X1f", "0xFFFFFFFFFFFFFFFF", "0x", "1.5", "1.", "1000.", ".5",
    "1e3", "1E3", "1e+3", "1e-3", "1.5e3", "1.e3", "1e", "1.5.3", "12345678901234567890",
    "1_000", "1l", "1L", "1f", "1.0d", "-1", "+1", "- 1", "--1", "-1.5e-3", "1..2",
    "1.x", "1.a", "1.5.", "1.d", "1.h", "1._", "0x1.5", "1e5d", "1.e", "1.E3", "0x1F.", "1.)",
    "1. ", "(1.)", "1.+2", "1.*2", "+.5", "1.5e3h", "0.", "00.", "1.e-3", "5.m",
]

TIMESPANS = [
    "1d", "1.5d", "2day", "2days", "3h", "3hr", "3hrs", "3hour", "3hours", "5m", "5min",
    "5minute", "5minutes", "10s", "10sec", "10second", "10seconds", "100ms", "100milli",
    "100millis", "100millisec", "100millisecond", "100milliseconds", "7micro", "7micros",
    "7microsec", "7microsecond", "7microseconds", "9nano", "9nanos", "9nanosec",
    "9nanosecond", "9nanoseconds", "1tick", "2ticks", ".5h", "1.5e3s", "1D", "1H", "5M",
    "1Day", "1w", "1y", "1mo", "5mins", "5secs", "1hours2", "1d2h",
]

STRINGS = [
    "'a'", '"a"', "@'C:\\a'", '@"C:\\a"', "h'secret'", 'H"secret"', "h@'x'", "H@\"x\"",
    "@'it''s'", '@"say ""hi"""', "'it\\'s'", '"tab\\t"', "'\\u0041'", "'\\x41'", "'\\101'",
    "'\\q'", "'\\'", "'a' 'b'", "'a' \"b\" @'c'", "```multi```", "```a\nb```", "~~~x~~~",
    "'''", "''", '""', "'a", '"a', "@'a", "h'a", "'a\nb'", "'\\\\'", "'\\/'", "'\\$'",
]

TYPED = [
    "datetime(2024-01-01)", "datetime(2024-01-01 10:00)", "datetime(2024-01-01T10:00:00Z)",
    "datetime(2024-01-01T10:00:00.1234567Z)", "datetime(null)", 'datetime("2024-01-01")',
    "datetime(1/2/2024)", "datetime(2024-01-01 10:00 PM)", "datetime()", "datetime(x y)",
    "date(2024-01-01)", "time(1:00:00)", "time(1.02:03:04)", "timespan(1d)",
    "timespan(00:01:00)", "timespan(1.02:03:04.5)", "timespan(null)", "timespan(2)",
    "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", "guid(null)", "guid(74be27de)",
    "int(1)", "int(-1)", "int(null)", "int(1.5)", "int(abc)", "int(0x10)", "long(1)",
    "long(-9223372036854775808)", "long(null)", "real(1.5)", "real(-inf)", "real(+inf)",
    "real(nan)", "real(1e3)", "real(null)", "real(abc)", "double(1)", "decimal(1.5)",
    "decimal(null)", "decimal(nan)", "bool(true)", "bool(false)", "bool(null)", "bool(1)",
    "boolean(true)", "bool(maybe)", "string(a)", "int()", "int(1) 2", "int32(1)", "int64(1)",
    "int64(x)", "uint(1)", "float(1)", "int16(1)", "guid(x y)", "datetime(2024-01-01",
    "int(1", "long(1)(2)", "real(1).a",
]

DYNAMIC = [
    "dynamic(null)", "dynamic([])", "dynamic({})", "dynamic(1)", "dynamic(-1.5)", 'dynamic("a")',
    "dynamic(true)", "dynamic([1, 2, 3])", 'dynamic(["a", "b"])', 'dynamic({"a": 1})',
    "dynamic({'a': 'b'})", 'dynamic({"a": {"b": [1, {"c": null}]}})', "dynamic([1,])",
    'dynamic({"a": 1,})', "dynamic({a: 1})", 'dynamic({"a": })', 'dynamic({"a" 1})',
    "dynamic([1 2])", "dynamic()", "dynamic([datetime(2024-01-01), 1d, guid(null)])",
    "dynamic([-1, -1.5, -1d])", 'dynamic([h"x", @"y"])', "dynamic(x)", "dynamic([x])",
    "dynamic([[[]]])", 'dynamic({"a": dynamic(1)})', "dynamic([int(1)])", "dynamic([0x1F])",
    "dynamic({1: 2})", "dynamic([,])", "dynamic({,})", "dynamic([date(2024-01-01)])",
    "dynamic([time(1:00)])", "dynamic([timespan(1d)])", "dynamic([real(1)])", "dynamic([long(1)])",
    "dynamic([bool(true)])", "dynamic([decimal(1)])", "dynamic([true, false])",
    "dynamic([datetime(null)])", "dynamic([+1])", "dynamic([-0x1F])", "dynamic([1.])",
    "dynamic([typeof(int)])", "dynamic({p})", "dynamic([{p}])", "dynamic(-1d)",
]

# ----- names ---------------------------------------------------------------

NAMES = [
    "a", "_a", "a1", "a_b", "ä", "['a b']", '["a b"]', "['a' 'b']", "[@'a']", "['']", "[a]",
    "[1]", "$left", "$right", "$x", "@", "a.b", "a.b.c", "a['b']", 'a["b"]', "a[0]", "a[-1]",
    "a[0][1]", "a.['b']", "a.[0]", "a.b[0].c", "a .b", "a. b", "a.", "a..b", "a[]", "['a'].b",
    "{p}", "{ p }", "{p.q}", "{1}", "{p}x", "x{p}", "é", "aé", "_é", "π", "日本", "Ä",
    "a\u00e9", "[a + 1]", "[a, b]", "[]", "['a'][0]", "[a].b", "[1] + 1", "[ 'a' ]", "kind", "title", "count", "range", "type", "table", "database", "step",
    "from", "with", "on", "by", "of", "to", "in", "and", "not", "null", "true", "typeof",
    "asc", "desc", "nulls", "first", "last", "where", "project", "extend", "summarize",
    "string", "int", "long", "dynamic", "bool", "guid", "datetime", "timespan", "real",
    "decimal", "double", "date", "time", "uniqueid", "int64", "like", "has", "contains",
    "between", "startswith", "matches", "regex", "let", "set", "alias", "declare", "view",
    "materialize", "toscalar", "totable", "union", "search", "find", "print", "as",
    "invoke", "sample", "others", "isfuzzy", "withsource", "bagexpansion",
    "with_itemindex", "hint", "limit", "take", "top", "join", "restrict", "access",
    "pattern", "query_parameters", "datascope", "external_data", "externaldata",
    "datatable", "evaluate", "parse", "render", "facet", "fork", "partition", "scan",
    "serialize", "consume", "getschema", "distinct", "filter", "lookup", "reduce",
    "id", "optional", "output", "declare", "packed", "pack", "cluster", "entity_group",
]


# The words Kusto's parser knows as keywords (`SyntaxFacts.IsKeyword` of the
# reference parser), each tried wherever a name can stand: some are
# reserved everywhere, some only where they would be ambiguous.
KEYWORDS = [
    "3Dchart", "access", "accumulate", "alias", "and", "anomalychart", "areachart", "as", "asc",
    "bagexpansion", "barchart", "best_effort", "between", "bin", "bin_legacy", "bool", "boolean",
    "by", "byte", "cachingpolicy", "callout", "cancel", "card", "char", "columnchart", "consume",
    "contains", "contains_cs", "containscs", "count", "cycles", "database", "dataexport",
    "dataformat", "datascope", "datatable", "date", "datetime", "datetime_pattern", "decimal",
    "declare", "decodeblocks", "default", "desc", "distinct", "double", "dynamic", "earliest",
    "edges", "encodingpolicy", "endswith", "endswith_cs", "entity_group", "evaluate",
    "expandoutput", "extend", "extent_tags_retention", "external_data", "externaldata", "facet",
    "filter", "find", "first", "flags", "float", "force_remote", "fork", "from", "getschema",
    "graph", "guid", "harddelete", "hardretention", "has", "has_all", "has_any", "has_cs",
    "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs", "hotcache", "id", "in",
    "inline_external_table", "int", "int16", "int32", "int64", "int8", "invoke", "isfuzzy", "join",
    "journal", "kind", "ladderchart", "last", "latest", "let", "like", "likecs", "limit",
    "linechart", "long", "lookup", "materialize", "mdm", "missing", "mvapply", "mvexpand", "nodes",
    "nooptimization", "notcontains", "notcontainscs", "notlike", "notlikecs", "null", "nulls", "of",
    "on", "optional", "or", "order", "others", "output", "pack", "parse", "partition", "pathformat",
    "pattern", "piechart", "pivotchart", "plotly", "print", "project", "queries",
    "query_parameters", "query_results", "range", "real", "reduce", "regex", "relaxed", "render",
    "restrict", "restricted_view_access", "row_level_security", "rowstore", "rowstore_references",
    "rowstore_sealinfo", "rowstorepolicy", "rowstores", "sample", "scan", "scatterchart", "seal",
    "seals", "search", "serialize", "set", "shards", "simple", "softdelete", "softretention", "sort",
    "sql", "stackedareachart", "startswith", "startswith_cs", "statistics", "step",
    "storedqueryresultcontainers", "string", "summarize", "tablepurge", "take", "time",
    "timechart", "timeline", "timepivot", "timespan", "title", "to", "top", "toscalar", "totable",
    "treemap", "typeof", "uint", "uint16", "uint32", "uint64", "uint8", "ulong", "union",
    "uniqueid", "unrestrictedviewers", "uuid", "verbose", "view", "viewers", "views", "where",
    "with", "with_itemindex", "with_match_id", "with_node_id", "with_source", "with_step_name",
    "withsource", "writeaheadlog",
]

KEYWORD_POSITIONS = [
    "T | project {w}", "T | extend {w} = 1", "T | where {w} == 1", "print {w}",
    "let {w} = 1; print 1", "T | project x.{w}", "T | summarize count() by {w}",
    "T | project-away {w}", "T | extend x = f({w})", "{w} | take 1", "T | extend x = {w}(1)",
    "T | project-rename {w} = x", "T | sort by {w}", "T | join (S) on {w}",
]


# Operator parameters (`name=value` before the arguments): which names each
# operator takes. Some operators take any known parameter name, some only
# their own, some any dotted name.
PARAMETER_NAMES = [
    "kind", "withsource", "with_source", "isfuzzy", "hint.strategy", "hint.remote",
    "hint.shufflekey", "hint.num_partitions", "hint.concurrency", "hint.spread",
    "hint.materialized", "hint.distribution", "hint.progressive_top", "hint.pass_filters",
    "hint.foo", "bagexpansion", "with_itemindex", "decodeblocks", "flags", "threshold",
    "characters", "with_match_id", "with_step_name", "datascope", "foo", "foo.bar", "output",
    "cycles", "with_node_id",
]

PARAMETER_POSITIONS = [
    "T | as {p} X", "T | consume {p}", "T | distinct {p} a", "T | evaluate {p} f(1)",
    "T | where {p} a == 1", "T | find {p} where a == 1", "T | join {p} (S) on a",
    "T | lookup {p} (S) on a", "T | make-series {p} count() on t step 1h",
    "T | mv-apply {p} a on (take 1)", "T | mv-expand {p} a", "T | parse {p} a with b",
    "T | parse-where {p} a with b", "T | partition {p} by a (take 1)", "T | reduce {p} by a",
    "T | sample {p} 10", "T | sample-distinct {p} 10 of a", "T | scan {p} with (step s: a;)",
    "T | search {p} 'x'", "T | serialize {p}", "T | sort {p} by a", "T | summarize {p} count()",
    "T | take {p} 1", "T | top {p} 1 by a", "T | union {p} S", "union {p} T",
    "T | macro-expand {p} E as X (X)", "T | graph-match {p} (a)--(b) project a",
    "T | render timechart with ({p})", "T | reduce by a with {p}",
    "externaldata (a: string) ['x'] with ({p})", "datatable {p} (a: int) [1]",
    "print toscalar({p} T | count)", "T | extend x = toscalar({p} T | count)",
]

# ----- scalar operators ----------------------------------------------------

STRING_OPS = [
    "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs", "contains",
    "contains_cs", "containscs", "startswith", "startswith_cs", "endswith", "endswith_cs",
    "like", "likecs", "matches regex",
]
NEGATABLE = [
    "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs", "contains",
    "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs", "in", "in~",
    "between", "has_any", "has_all", "like", "likecs", "matches regex", "containscs",
]
WORD_NEGATIONS = ["notcontains", "notcontainscs", "notlike", "notlikecs", "notbetween",
                  "nothas", "notin", "not in", "not has", "not contains"]

EXPRESSIONS = [
    "a == 1", "a != 1", "a <> 1", "a =~ 'x'", "a !~ 'x'", "a < 1", "a <= 1", "a > 1",
    "a >= 1", "a == 1 == 2", "a < 1 < 2", "a has 'x' has 'y'", "a has 'x' == true",
    "a == 1 and b == 2 or c == 3", "a == 1 && b == 2", "a == 1 || b == 2", "a == 1 AND b",
    "a == 1 Or b", "not(a)", "not a", "!a", "!(a)", "not (a == 1)", "-a", "+a", "- -a",
    "-(-a)", "a + b * c - d / e % f", "a * -b", "a - -1", "a--1", "a++1", "a ? b : c",
    "a = 1", "a == ", "== 1", "(a == 1", "a == 1)", "((a))", "()", "(a, b)", "a in (1, 2)",
    "a in (1)", "a in ()", "a in 1", "a in (dynamic([1]))", "a in ('x',)", "a in (T | project b)",
    "a in ((T | project b))", "a in~ ('x')", "a !in ('x')", "a !in~ ('x')", "a in ~('x')",
    "a ! in ('x')", "a !in~('x')", "a in (range(1, 3, 1))", "a has_any ('x')",
    "a has_any ('x', 'y')", "a has_any (dynamic(['x']))", "a has_all ('x')",
    "a has_any ()", "a !has_any ('x')", "a between (1 .. 2)", "a between (1..2)",
    "a between (1, 2)", "a between 1 .. 2", "a between (1 .. )", "a !between (1 .. 2)",
    "a between (ago(1d) .. now())", "a between (datetime(2024-01-01) .. 1d)",
    "a between ((1) .. (2))", "a between (-1 .. +1)", "a between (1 .. 2) and b",
    "* has 'x'", "* contains 'x'", "* == 'x'", "* != 'x'", "* =~ 'x'", "* > 1", "* startswith 'x'",
    "* in ('x')", "* has_any ('x')", "a : 'x'", "a matches regex 'x'", "a matches 'x'",
    "a regex 'x'", "a matches regex", "a like 'x%'", "a !like 'x'", "a notlike 'x'",
    "a has @'x'", "a has h'x'", "a has 'x' 'y'", "a == datetime(2024-01-01)",
    "a == toscalar(T | count)", "a == toscalar(T)", "a == toscalar(kind=nooptimization T | count)",
    "a == toscalar((T | count))", "a.b == 1", "a['b'] == 1", "a[0] == 1", "a.b.c.d == 1",
    "$left.a == $right.b", "a == $right", "iff(a, 1, 2) == 1", "case(a, 1, 2) == 1",
    "a == 1d", "a > ago(1d)", "a > ago(1d) and a < now()", "a == -1", "a == +1",
    "tolower(a) == 'x'", "a.tolower() == 'x'", "a == 'x' and not(b)", "true", "false",
    "null", "a == null", "isnull(a)", "1", "'x'", "a", "a b", "a, b", "a ==> b",
    "a =< 1", "a => 1", "a >== 1", "a === 1", "a !== 1", "a ~= 'x'", "a !=~ 'x'",
]

CALLS = [
    "f()", "f(1)", "f(1, 2)", "f(1,)", "f(,1)", "f(x=1)", "f(x = 1, y = 2)", "f(*)", "f(a, *)",
    "f(*, a)", "f(T | count)", "count()", "count(*)", "countif(a > 1)", "dcount(a, 2)",
    "arg_max(t, *)", "arg_max(t, a, b)", "arg_min(t, *, a)", "make_set(a, 10)",
    "percentile(a, 95)", "percentiles(a, 5, 50, 95)", "strcat(a, 'b', c)", "bin(t, 1h)",
    "bin_at(t, 1h, now())", "ago(1d)", "now()", "now(-1d)", "datetime_add('day', 1, t)",
    "format_datetime(t, 'yyyy')", "extract(@'(\\d+)', 1, a)", "extract('x', 1, a, typeof(int))",
    "parse_json(a).b", "parse_json(a)['b']", "parse_json(a).b.c[0]", "todynamic(a).b",
    "pack('a', 1)", "bag_pack('a', 1)", "pack_all()", "pack_array(a, b)", "range(1, 10, 1)",
    "materialize(T)", "toscalar(1)", "totable(1)", "cluster('c')", "database('d')",
    "table('T')", "table('T', 'all')", "column_ifexists('a', 1)", "isempty(a)", "iif(a, 1, 2)",
    "a.b()", "a.b(1)", "f(1)(2)", "f(1).g(2)", "f(1)[0]", "f(1).a", "f (1)", "f\n(1)",
    "geo_point_in_circle(1, 2, 3, 4, 5)", "series_fir(s, dynamic([1]))", "row_number()",
    "prev(a)", "next(a, 2)", "row_cumsum(a)", "hash(a, 10)", "hash_sha256(a)",
    "ipv4_is_in_range(a, '10.0.0.0/8')", "ipv4_is_private(a)", "ipv6_compare(a, b)",
    "tostring(a)", "toint(a)", "tolong(a)", "toreal(a)", "todouble(a)", "todecimal(a)",
    "tobool(a)", "toboolean(a)", "todatetime(a)", "totimespan(a)", "toguid(a)",
    "string(a)", "int(a)", "long(a)", "typeof(string)", "typeof(a:string)", "typeof(*)",
    "typeof(a:string, *)", "typeof(int16)", "typeof(foo)", "typeof()", "typeof(a:(b:int))",
    "gettype(a)", "assert(a, 'b')", "not(a, b)", "not()", "strcat()", "f(a:int)", "f(a =)",
]

# ----- tabular operators ---------------------------------------------------

OPERATORS = {
    "as": [
        "as X", "as hint.materialized=true X", "as X | take 1", "as", "as 1", "as X Y",
        "as ['X']", "as hint.foo=true X",
    ],
    "consume": ["consume", "consume decodeblocks=true", "consume x", "consume foo=1"],
    "count": ["count", "count as N", "count as", "count as ['N']", "count x", "count()"],
    "distinct": [
        "distinct a", "distinct a, b", "distinct *", "distinct", "distinct a = tolower(b)",
        "distinct a = tolower(b), c", "distinct tolower(b)", "distinct a.b", "distinct a, *",
        "distinct hint.strategy=shuffle a", "distinct hint.shufflekey=a a", "distinct (a, b) = f(x)",
        "distinct a,", "distinct a b",
    ],
    "evaluate": [
        "evaluate bag_unpack(x)", "evaluate bag_unpack(x) : (A: string, B: long)",
        "evaluate bag_unpack(x): (A:string)", "evaluate pivot(k): (a: string, b: long, c: real)",
        "evaluate pivot(k, sum(v)) : (*)", "evaluate bag_unpack(x) : ()",
        "evaluate bag_unpack(x) : (A)", "evaluate bag_unpack(x) : A:string",
        "evaluate bag_unpack(x) :", "evaluate bag_unpack(x) : (A: string,)",
        "evaluate bag_unpack(x) : (A: string, *)", "evaluate bag_unpack(x) : (A: foo)",
        "evaluate bag_unpack(x) : (['a b']: string)", "evaluate hint.distribution=per_node f(1)",
        "evaluate hint.pass_filters=true f(1)", "evaluate hint.remote=auto f(1)",
        "evaluate f", "evaluate", "evaluate 1", "evaluate f(1) g(2)", "evaluate a.b(1)",
        "evaluate bag_unpack(x, 'p_') : (p_a: string)", "evaluate narrow()",
        "evaluate python(typeof(*, x:int), 'x')", "evaluate autocluster(0.6)",
        "evaluate basket()", "evaluate diffpatterns(s, 'a', 'b')",
        "evaluate sequence_detect(t, 1h, 1d, a = x == 1, b = x == 2, u)",
        "evaluate funnel_sequence(u, t, ago(1d), now(), 1d, 1h, s, dynamic(['a']))",
        "evaluate foo.bar=1 f(1)", "evaluate kind=x f(1)",
    ],
    "execute-and-cache": ["execute-and-cache", "execute-and-cache 1"],
    "extend": [
        "extend a = 1", "extend a = 1, b = 2", "extend 1", "extend a", "extend (a, b) = f(x)",
        "extend (a) = f(x)", "extend () = f(x)", "extend (a, ) = f(x)", "extend a = 1,",
        "extend", "extend a = ", "extend ['a b'] = 1", "extend a.b = 1", "extend a = b = 1",
        "extend a == 1", "extend a = 1 b = 2", "extend kind = 1", "extend title = 1",
        "extend count = 1", "extend type = 1", "extend a = 1 // c", "extend x = * ",
        "extend a=1,b=2", "extend (a, b) = (1, 2)", "extend [a] = 1", "extend {p} = 1",
    ],
    "facet": [
        "facet by a", "facet by a, b", "facet by a with (take 1)", "facet by a with (where x == 1 | take 1)",
        "facet by a with take 1", "facet a", "facet by", "facet by a with ()", "facet by a.b",
        "facet by f(a)",
    ],
    "where": [
        "where a", "where a == 1", "where", "where a = 1", "where a = 1 and b", "where (a = 1)",
        "where hint.foo=1 a", "where a == 1 b == 2", "filter a == 1", "where * has 'x'",
        "where a has 'x' and * has 'y'", "where a == 1,", "where a == 1, b == 2",
        "where a.b = 1", "where ['a'] = 1", "where a = b = 1", "where kind == 1",
        "where title == 1", "where type == 1", "where count == 1", "where table == 1",
        "where 'x'", "where (a)", "where a in (1) in (2)",
    ],
    "find": [
        "find 'x'", "find in (T) where a == 1", "find in (T*, S) where a == 1",
        "find in (T) where a == 1 project a, b", "find in (T) where a == 1 project-smart",
        "find in (T) where a == 1 project-away a", "find in (T) where a == 1 project pack(*)",
        "find in (T) where a == 1 project a: string", "find withsource=S where a == 1",
        "find withsource=S 'x'", "find datascope=hotcache 'x'", "find datascope=all where a == 1",
        "find datascope=foo 'x'", "find in () where a", "find in (T) a == 1", "find where",
        "find in (database('d').T) where a", "find in (cluster('c').database('d').T) where a",
        "find in (T) where a project", "find in (T) where a project *",
        "find in (T) where a project-smart, a", "find decodeblocks=true where a",
        "find hint.x=1 where a",
    ],
    "fork": [
        "fork (take 1)", "fork (take 1) (take 2)", "fork a = (take 1) b = (take 2)", "fork",
        "fork take 1", "fork (take 1), (take 2)", "fork (where a | take 1)", "fork (1)",
        "fork ()", "fork a (take 1)", "fork (T | take 1)", "fork (count) (summarize count())",
    ],
    "getschema": ["getschema", "getschema 1", "getschema a"],
    "invoke": [
        "invoke f()", "invoke f(1)", "invoke f", "invoke", "invoke a.f()", "invoke f().g()",
        "invoke 1", "invoke database('d').f()", "invoke f() | take 1",
    ],
    "join": [
        "join (S) on a", "join S on a", "join (S) on a, b", "join (S) on $left.a == $right.b",
        "join kind=inner (S) on a", "join kind=leftouter (S) on a", "join kind=foo (S) on a",
        "join (S) where a == 1", "join (S) on", "join (S)", "join on a", "join",
        "join kind=inner hint.strategy=broadcast hint.remote=auto (S) on a",
        "join withsource=X (S) on a", "join (S | take 1) on a", "join (S) on a and b",
        "join (S) on (a)", "join (S) on a == b", "join kind = inner (S) on a",
        "join kind=inner S | take 1", "join hint.shufflekey=a (S) on a", "join (S), (R) on a",
        "join (S) on $left.a == $right.b and $left.c == $right.d", "join (S) on a,",
        "join foo.bar=1 (S) on a", "join (S) on 1", "join (database('d').S) on a",
        "join kind=inner (T | where a == 1) on $left.a == $right.b, c",
    ],
    "lookup": [
        "lookup (S) on a", "lookup S on a", "lookup kind=leftouter (S) on a", "lookup (S)",
        "lookup (S) where a", "lookup kind=inner S on $left.a == $right.b", "lookup",
        "lookup hint.remote=auto (S) on a", "lookup (S) on a, b",
    ],
    "make-series": [
        "make-series count() on t from ago(1d) to now() step 1h",
        "make-series c = count() default = 0 on t from ago(1d) to now() step 1h by a",
        "make-series count() on t in range(ago(1d), now(), 1h)",
        "make-series count() on t step 1h", "make-series count() on t from ago(1d) step 1h",
        "make-series count() on t to now() step 1h", "make-series count() on t",
        "make-series count() on t from ago(1d) to now()", "make-series on t step 1h",
        "make-series count(), avg(x) on t step 1h", "make-series kind=nonempty count() on t step 1h",
        "make-series hint.shufflekey=a count() on t step 1h", "make-series count() t step 1h",
        "make-series count() default=0, sum(x) default=1 on t step 1h by a, b",
        "make-series count() on t in range(1, 2)", "make-series count() on bin(t, 1h) step 1h",
        "make-series count() on t step 1h by a = tolower(b)",
        "make-series foo=1 count() on t step 1h",
    ],
    "mv-apply": [
        "mv-apply a on (take 1)", "mv-apply a to typeof(long) on (take 1)",
        "mv-apply x = a on (take 1)", "mv-apply a, b on (take 1)", "mv-apply a limit 10 on (take 1)",
        "mv-apply a id x on (take 1)", "mv-apply a limit 10 id x on (take 1)",
        "mv-apply with_itemindex=i a on (take 1)", "mv-apply a on take 1", "mv-apply a",
        "mv-apply on (take 1)", "mv-apply to typeof(long) on (take 1)", "mvapply a on (take 1)",
        "mv-apply a on (T | take 1)", "mv-apply a on (where a > 1 | summarize sum(a))",
        "mv-apply kind=array a on (take 1)", "mv-apply foo=1 a on (take 1)",
        "mv-apply a on ()",
    ],
    "mv-expand": [
        "mv-expand a", "mv-expand a, b", "mv-expand x = a", "mv-expand a to typeof(string)",
        "mv-expand a limit 10", "mv-expand to typeof(string)", "mv-expand",
        "mv-expand bagexpansion=bag a", "mv-expand bagexpansion=array a",
        "mv-expand with_itemindex=i a", "mv-expand kind=array a", "mv-expand foo=1 a",
        "mvexpand a", "mvexpand a limit 1", "mv-expand a to typeof(foo)", "mv-expand a to string",
        "mv-expand a limit", "mv-expand a,", "mv-expand f(a)", "mv-expand a.b", "mv-expand a[0]",
        "mv-expand a = f(b) to typeof(int), c",
    ],
    "parse": [
        "parse a with b", "parse a with 'x' b", "parse a with * 'x' b:int *",
        "parse a with b:string 'x' c:long", "parse kind=regex a with 'x' b", "parse kind=relaxed a with * b",
        "parse kind=regex flags=Ui a with 'x' b", "parse a with", "parse a", "parse with b",
        "parse a with b c", "parse a with 'x' 'y'", "parse a with b: int", "parse a with b:foo",
        "parse a with b:(c:int)", "parse a with *", "parse a with * *", "parse a with b:", "parse f(a) with b",
        "parse a.b with c", "parse-where a with 'x' b", "parse-where kind=regex a with 'x' b",
        "parse a with 'x' @'y' h'z' b", "parse a with b:int, c:int",
    ],
    "partition": [
        "partition by a (take 1)", "partition by a { T | take 1 }", "partition hint.strategy=native by a (take 1)",
        "partition by a in (dynamic([1])) (take 1)", "partition by a in (f()) (take 1)",
        "partition by a", "partition a (take 1)", "partition by (take 1)", "partition by a.b (take 1)",
        "partition by a (T | take 1)", "partition by a { take 1 }", "partition by a hint.x=1 (take 1)",
        "partition hint.concurrency=2 hint.spread=1 by a (take 1)",
    ],
    "print": [
        "print 1", "print a = 1", "print 1, 2", "print", "print a = 1, b", "print (a, b) = f(x)",
        "print 1,", "print *",
    ],
    "project": [
        "project a", "project a, b", "project a = b", "project a = 1, b", "project", "project a,",
        "project a b", "project *", "project a*", "project (a, b) = f(x)", "project a.b",
        "project a = b.c", "project f(a)", "project ['a b']", "project a = ", "project kind",
        "project title", "project type", "project count", "project-away a", "project-away a, b",
        "project-away a*", "project-away *a", "project-away *1", "project-away a*b", "project-away *",
        "project-away a1*", "project-away *_1", "project-away a*1*", "project-away a, *1, b2*",
        "project-away ['a*']", "project-away", "project-away a = b", "project-away f(a)",
        "project-away a.b", "project-away a, ", "project-away * 1", "project-away 1*",
        "project-away *1a", "project-away *kind", "project-away kind", "project-away *and",
        "project-keep a", "project-keep a*", "project-keep *1", "project-keep", "project-keep a = b",
        "project-keep *_s, *_d", "project-rename a = b", "project-rename a = b, c = d",
        "project-rename a", "project-rename a = 1", "project-rename a = f(b)", "project-rename",
        "project-rename a = b.c", "project-reorder a", "project-reorder a, b*", "project-reorder a asc",
        "project-reorder a desc, b asc", "project-reorder a granny-asc", "project-reorder a granny-desc",
        "project-reorder a nulls first", "project-reorder *1 asc", "project-reorder",
        "project-reorder a = b", "project-smart", "project-by-names 'a'",
    ],
    "range": [
        "range x from 1 to 10 step 1", "range x from 1 to 10", "range x from 1 step 1",
        "range from 1 to 10 step 1", "range x from ago(1d) to now() step 1h", "range x to 10 step 1",
        "range ['x'] from 1 to 2 step 1",
    ],
    "reduce": [
        "reduce by a", "reduce by a with threshold=0.1", "reduce by a with threshold=0.1, characters='x'",
        "reduce by a with characters=',' ", "reduce kind=source by a", "reduce a", "reduce by",
        "reduce by a with", "reduce by a with foo=1", "reduce by x = a",
    ],
    "render": [
        "render timechart", "render piechart", "render foo", "render", "render timechart with (title='x')",
        "render timechart with (title='x', xtitle='y', ycolumns=a, b)", "render timechart with ()",
        "render timechart with (foo=1)", "render timechart with title='x'", "render timechart kind=stacked",
        "render timechart by a", "render timechart with a", "render timechart title='x' by a",
        "render timechart by a, b", "render timechart with (kind=stacked100, legend=hidden)",
        "render timechart with (ymin=0, ymax=100)", "render timechart with (xcolumn=t, series=a, b)",
        "render anomalychart with (anomalycolumns=a)", "render card", "render table",
        "render scatterchart with (kind=map)", "render 1", "render timechart with (title=x)",
        "render timechart with (accumulate=true)", "render timechart with (ysplit=panels)",
    ],
    "sample": [
        "sample 10", "sample", "sample a", "sample 10 by a", "sample hint.x=1 10", "sample-distinct 10 of a",
        "sample-distinct 10", "sample-distinct of a", "sample-distinct 10 of a, b",
        "sample-distinct hint.x=1 10 of a",
    ],
    "scan": [
        "scan with (step s: a == 1;)", "scan with (step s: a == 1 => x = 1;)",
        "scan with (step s: a == 1; step t: b == 2;)", "scan with (step s optional: a == 1;)",
        "scan order by t with (step s: a == 1;)", "scan partition by u with (step s: a == 1;)",
        "scan order by t partition by u with (step s: a == 1;)",
        "scan declare (x: int = 0) with (step s: true => x = s.x + 1;)",
        "scan declare (x: int) with (step s: true => x = 1, y = 2;)",
        "scan with_match_id=m with (step s: a == 1;)", "scan with (step s: a == 1)",
        "scan with (step s a == 1;)", "scan with ()", "scan", "scan with (s: a == 1;)",
        "scan with (step s: a == 1 => ;)", "scan with (step s output=all: a == 1;)",
        "scan with (step s output=none: a == 1;)", "scan order by t asc with (step s: a;)",
        "scan with (step s: a == 1;) | take 1",
    ],
    "search": [
        "search 'x'", "search a", "search a == 1", "search a:'x'", "search * has 'x'",
        "search kind=case_sensitive 'x'", "search kind=case_insensitive 'x'", "search in (T) 'x'",
        "search in (T, S*) 'x'", "search datascope=hotcache 'x'", "search 'x' and a > 1", "search",
        "search in (T)", "search 'x*'", "search 'x' or 'y'", "search not('x')", "search * and a",
        "search withsource=S 'x'", "search kind=foo 'x'", "search in () 'x'",
    ],
    "serialize": [
        "serialize", "serialize a = row_number()", "serialize a = 1, b = 2", "serialize a",
        "serialize hint.x=1", "serialize a =",
    ],
    "sort": [
        "sort by a", "sort by a asc", "sort by a desc nulls last", "sort by a nulls first",
        "sort by a, b desc", "sort a", "sort by", "order by a", "order by a asc nulls first, b",
        "sort hint.strategy=shuffle by a", "sort by a = b", "sort by f(a) desc", "sort by a first",
        "sort by a nulls", "sort by a asc desc", "sort by a granny-asc", "sort by *",
    ],
    "summarize": [
        "summarize count()", "summarize count() by a", "summarize by a", "summarize", "summarize by",
        "summarize c = count() by a = tolower(b)", "summarize count() by bin(t, 1h)",
        "summarize count() by a, b", "summarize count(), dcount(a) by b",
        "summarize (a, b) = arg_max(t, x) by c", "summarize count() by a bin = 1h",
        "summarize count() by t bin=1h", "summarize count() by a,", "summarize count(),",
        "summarize hint.strategy=shuffle count() by a", "summarize hint.shufflekey=a count() by a",
        "summarize hint.num_partitions=2 count() by a", "summarize foo=1 count()",
        "summarize count() a", "summarize count() by", "summarize a = count(), b = 1",
        "summarize by a, b = f(c)", "summarize arg_max(t, *) by a", "summarize take_any(*)",
        "summarize make_set(a) by b | where 1", "summarize count() by kind",
        "summarize count() by title", "summarize count() by type",
    ],
    "take": [
        "take 1", "take", "take a", "take 1 + 1", "take hint.x=1 1", "limit 1", "limit",
        "take 1 2", "take -1", "take 1.5", "take x = 1",
    ],
    "top": [
        "top 10 by a", "top 10 by a desc", "top 10 by a asc nulls first", "top 10", "top by a",
        "top 10 by a, b", "top hint.x=1 10 by a", "top 10 by a = b", "top a by b",
        "top-hitters 5 of a", "top-hitters 5 of a by b", "top-hitters of a", "top-hitters 5 a",
        "top-nested 3 of a by count()", "top-nested of a by count()", "top-nested 3 of a by c = count()",
        "top-nested 3 of a with others='x' by count()", "top-nested 3 of a by count() desc",
        "top-nested 3 of a by count(), top-nested 2 of b by sum(c)", "top-nested 3 of a",
        "top-nested 3 by count()", "top-nested 3 of a by count(),", "top-nested 3 of x = a by count()",
        "top-nested 3 of a with others by count()",
    ],
    "union": [
        "union S", "union S, R", "union (S), (R)", "union S*", "union *", "union kind=outer S",
        "union kind=inner S", "union withsource=X S", "union isfuzzy=true S", "union",
        "union S | take 1", "union (S | take 1)", "union database('d').S", "union f()",
        "union S,", "union hint.concurrency=2 S", "union hint.spread=2 S", "union kind=foo S",
        "union S R", "union T1*, T2*", "union ['a b']", "union withsource=['x'] S",
        "union foo=1 S", "union S as X", "union *1",
    ],
}

# The same operators in the positions where the grammar also puts queries.
SUBQUERY_FORMS = [
    "T | join (S | where a == 1 | project b) on b",
    "T | union (S | extend a = 1), R",
    "T | lookup (S | project a) on a",
    "T | where a in (S | project b)",
    "T | where a in ((S | project b))",
    "T | where a !in (S | where c | project b)",
    "T | extend x = toscalar(S | count)",
    "T | extend x = toscalar(S)",
    "T | mv-apply a on (T | take 1)",
    "T | fork (T | take 1)",
    "T | partition by a (T)",
    "T | facet by a with (T | take 1)",
    "(T | take 1)",
    "(T) | take 1",
    "((T)) | take 1",
    "(T | take 1) | take 1",
    "(T, S) | take 1",
    "(where a)",
    "(take 1)",
    "T | take 1 | (S)",
    "T | (take 1)",
    "print x = toscalar(T | count)",
    "print (T | count)",
    "print toscalar(T | count)",
]

STATEMENTS = [
    "let x = 1; T", "let x = 1; let y = 2; T", "let x = 1", "let x = 1;", "let x = T; x",
    "let x = T | take 1; x", "let x = (T | take 1); x", "let x = materialize(T); x",
    "let x = materialize(T | take 1); x", "let x = materialize(1); x",
    "let f = () { T }; f()", "let f = () { T; }; f()", "let f = () { let y = 1; T }; f()",
    "let f = (a: string) { T | where x == a }; f('x')", "let f = (a: string = 'x') { T }; f()",
    "let f = (a: string, b: int = 1) { T }; f('x')", "let f = (t: (*)) { t }; f(T)",
    "let f = (t: (a: string)) { t }; f(T)", "let f = (t: (a: string, *)) { t }; f(T)",
    "let f = (a) { T }; f(1)", "let f = (a: foo) { T }; f(1)", "let f = () {}; f()",
    "let f = () { }; f()", "let f = view () { T }; f", "let f = view (a: int) { T }; f(1)",
    "let f = () T; f", "let f = () { T ; ; }; f()", "let f = (a: string = b) { T }; f()",
    "let f = (a: string = -1) { T }; f()", "let f = (a: dynamic = dynamic([1])) { T }; f()",
    "let f = (a: int = 1, b: string) { T }; f()", "let = 1; T", "let x; T", "let x 1; T",
    "let 1 = 1; T", "let ['x y'] = 1; print ['x y']", "let x = 1 T", "let x = 1;; T",
    "let x = ; T", "let x = 1; let x = 2; T", "let x = datatable (a: int) [1]; x",
    "let x = datatable (a: int) [1,]; x", "let x = datatable (a: int) []; x",
    "let x = datatable (a: int, b: string) [1, 'a', 2, 'b']; x",
    "let x = datatable (a: int) [x]; x", "let x = datatable (a: int) [1 + 1]; x",
    "let x = datatable (a: int) [-1]; x", "let x = datatable (a: dynamic) [dynamic([1])]; x",
    "let x = datatable (a: int) [1]", "let x = datatable [1]; x", "let x = datatable (a) [1]; x",
    "let x = externaldata (a: string) ['https://x'] with (format='csv'); x",
    "let x = externaldata (a: string) ['https://x']; x",
    "let x = externaldata (a: string) [h'https://x', 'y'] with (format='csv', ignoreFirstRecord=true); x",
    "let x = externaldata (a: string) ['https://x'] with (foo=1); x",
    "let x = external_data (a: string) ['https://x']; x",
    "let x = externaldata (a: string) 'https://x'; x", "let x = toscalar(T | count); print x",
    "let x = range(1, 2, 1); print x", "let x = T | summarize count(); x",
    "let x = union T, S; x", "let x = print 1; x", "let x = ago(1d); T | where t > x",
    "let x = dynamic(['a']); T | where a in (x)", "let x = 'a'; T | where a has x",
    "let x = (a: int) { a + 1 }; print x(1)", "let x = (a:int){a}; print x(1)",
    "let x = 1d; print x", "let x = 1; x", "let x = {p}; T",
    "set x; T", "set x = 1; T", "set x = true; T", "set x = 'a'; T", "set x.y = 1; T",
    "set query_now = datetime(2024-01-01); T", "set notruncation; T", "set x = 1",
    "set; T", "set x =; T", "set x = 1 2; T",
    "declare query_parameters (a: string); T", "declare query_parameters (a: string = 'x', b: int); T",
    "declare query_parameters (); T", "declare query_parameters a: string; T",
    "declare pattern p; T", "declare pattern p = (a: string) { ('x').b = { T }; }; p('x').b",
    "restrict access to (T); T", "restrict access to (T, S*); T", "restrict access to T; T",
    "alias database d = cluster('c').database('d'); T", "alias database d; T",
    "alias d = cluster('c').database('d'); T", "T; S", "T;; S", "; T", "T;", "T ;", "",
    "// only a comment", "T // c\n| take 1", "T\n| take 1\n| take 2", "T | take 1\nS | take 1",
    "T | take 1;\nS | take 1", "print 1; print 2", "let x = 1;\n\nT", "T\n\n| take 1",
    "cluster('c').database('d').T", "database('d').T | take 1", "database('d').['T']",
    "cluster('c').database('d').table('T')", "T.a", "T | where a == 1 | T", "T | | take 1",
    "T |", "| take 1", "T take 1", "T | take 1 |", "T | take 1 ;; S", "{p} | take 1",
    "datatable (a: int) [1] | take 1", "range x from 1 to 2 step 1 | take 1",
    "print 1 | take 1", "union T, S | take 1", "find 'x' | take 1", "search 'x' | take 1",
    "evaluate f() | take 1", "evaluate f() : (a: int) | take 1", "T | evaluate f() : (a: int) | take 1",
    "externaldata (a: string) ['x'] | take 1", "materialize(T) | take 1",
    "toscalar(T | count)", "1", "'x'", "1 + 1", "T | extend a = 1 | project a",
    "T | as X | where a == 1 | join (X) on a", "macro-expand E as X (X)",
    "contextual_datatable(1, (a: int))", "materialized_view('v')", "materialized_view('v', 1d)",
    "T | where a == 1 | summarize by b | where b > 0 | sort by b",
    "T | fork (T | take 1) (S)", "T | fork (S)", "T | partition by a (T | where x)",
    "T | mv-apply a on (S)", "T | facet by a with (S)", "T | project-away *count",
    "T | project-away a*count", "T | project-away *1a", "T | project-away *_1*", "T | union T*1",
    "T | project-away a*, *1", "T | project-keep *2024*", "T | project-away *a1 , b",
    "T | project-away * 1", "T | project-away *\n1",
]


def statement_probes():
    yield from STATEMENTS


def keyword_probes():
    for word in KEYWORDS:
        for position in KEYWORD_POSITIONS:
            yield position.format(w=word)


def parameter_probes():
    for position in PARAMETER_POSITIONS:
        for name in PARAMETER_NAMES:
            yield position.format(p=f"{name}=v")
            yield position.format(p=f"{name} = 1")


def literal_probes():
    for form in NUMBERS + TIMESPANS + STRINGS + TYPED + DYNAMIC:
        yield f"print x = {form}"
    # Numbers and timespans where they meet operators and punctuation.
    for form in ["1000.", "1.", "1.5", "1e3", "5m", "1h", "0x10", "1d"]:
        yield f"T | summarize s = sum(x) / {form} by y"
        yield f"T | where x > {form}"
        yield f"T | extend y = x*{form}"
        yield f"T | extend y = ({form})"
        yield f"T | extend y = f({form}, 2)"
    for form in ["1.", "1000.", "5m", "1d", "0x1F", "1.5"]:
        yield f"T | where x in ({form}, 2)"
        yield f"T | where x between ({form} .. 10)"
        yield f"print dynamic([{form}])"
        yield f"T | take {form}"


def name_probes():
    for name in NAMES:
        yield f"T | project {name}"
        yield f"T | extend {name} = 1"
        yield f"T | where {name} == 1"
        yield f"print {name}"
        yield f"let {name} = 1; print 1"


def expression_probes():
    for expr in EXPRESSIONS:
        yield f"T | where {expr}"
    for op in STRING_OPS:
        yield f"T | where a {op} 'x'"
        yield f"T | where a {op} ('x')"
        yield f"T | where a {op}"
        yield f"T | extend y = a {op} 'x'"
    for op in NEGATABLE:
        rhs = "(1 .. 2)" if op == "between" else "('x')" if op in (
            "in", "in~", "has_any", "has_all") else "'x'"
        yield f"T | where a !{op} {rhs}"
        yield f"T | where a ! {op} {rhs}"
        yield f"T | where a !{op.upper()} {rhs}"
    for op in WORD_NEGATIONS:
        yield f"T | where a {op} 'x'"
    for op in STRING_OPS[:6]:
        yield f"T | where a {op.upper()} 'x'"
        yield f"T | where a {op.capitalize()} 'x'"
    for call in CALLS:
        yield f"T | extend y = {call}"


def operator_probes():
    for name in sorted(OPERATORS):
        for body in OPERATORS[name]:
            yield f"T | {body}"
    # Operators where a source is expected, and after a newline.
    for name in sorted(OPERATORS):
        body = OPERATORS[name][0]
        yield f"T\n| {body}\n| take 1"
        yield f"{body}"
    yield from SUBQUERY_FORMS


SECTIONS = [
    ("literal", literal_probes),
    ("name", name_probes),
    ("keyword", keyword_probes),
    ("parameter", parameter_probes),
    ("expr", expression_probes),
    ("operator", operator_probes),
    ("statement", statement_probes),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "grammar_probes.jsonl")
    seen = set()
    count = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for section, probes in SECTIONS:
            for query in probes():
                if query in seen:
                    continue
                seen.add(query)
                record = {
                    "id": f"grammar#{count}",
                    "source": f"grammar__{section}",
                    "path": section,
                    "kind": "probe",
                    "query": query,
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} probes written to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
