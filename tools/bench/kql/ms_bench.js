#!/usr/bin/env node
// Time Microsoft's Kusto parser (@kusto/language-service-next) on every
// query of a JSONL file: KustoCode.Parse + GetSyntaxDiagnostics, the same
// work our parser does (a tree plus syntax errors). Prints one JSON line.
//
// Usage: KUSTO_MODULE=/path/to/node_modules/@kusto/language-service-next \
//          node ms_bench.js queries.jsonl [ROUNDS]
'use strict';
const fs = require('fs');
const path = require('path');

const base = process.env.KUSTO_MODULE ||
  path.join(process.cwd(), 'node_modules/@kusto/language-service-next');
require(path.join(base, 'bridge.min.js'));
require(path.join(base, 'Kusto.Language.Bridge.min.js'));
const Kusto = global.Kusto.Language;

const queries = fs.readFileSync(process.argv[2], 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l).query);
const rounds = Number(process.argv[3] || 3);
const bytes = queries.reduce((n, q) => n + Buffer.byteLength(q, 'utf8'), 0);

let sink = 0;
for (const q of queries) sink += Kusto.KustoCode.Parse(q).GetSyntaxDiagnostics().Count; // warm-up
const start = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  for (const q of queries) sink += Kusto.KustoCode.Parse(q).GetSyntaxDiagnostics().Count;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({
  parser: '@kusto/language-service-next',
  queries: queries.length, bytes, rounds, seconds,
  queries_per_second: queries.length * rounds / seconds,
  mb_per_second: bytes * rounds / seconds / 1e6,
  checksum: sink,
}));
