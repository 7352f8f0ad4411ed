#!/usr/bin/env node
// Parse every query of a JSONL file (from extract.py) with Microsoft's Kusto
// parser (@kusto/language-service-next) and print one JSON line per query:
// {"id", "ok", "diagnostics": [[code, message, start, length], ...]}.
//
// Syntax only: KustoCode.Parse + GetSyntaxDiagnostics. Semantic analysis
// needs a database schema and is not what "the parser rejects it" means.
//
// Usage: KUSTO_MODULE=/path/to/node_modules/@kusto/language-service-next \
//          node ms_parse.js queries.jsonl > ms.jsonl
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const base = process.env.KUSTO_MODULE ||
  path.join(process.cwd(), 'node_modules/@kusto/language-service-next');
require(path.join(base, 'bridge.min.js'));
require(path.join(base, 'Kusto.Language.Bridge.min.js'));
const Kusto = global.Kusto.Language;

async function main() {
  const input = readline.createInterface({ input: fs.createReadStream(process.argv[2]) });
  for await (const line of input) {
    if (!line.trim()) continue;
    const record = JSON.parse(line);
    const out = [];
    try {
      const code = Kusto.KustoCode.Parse(record.query);
      const diags = code.GetSyntaxDiagnostics();
      for (let i = 0; i < diags.Count; i++) {
        const d = diags.getItem(i);
        out.push([d.Code, d.Message, d.Start, d.Length]);
      }
    } catch (e) {
      // The parser itself fails on a few malformed inputs; that is no
      // acceptance, so it counts as a rejection with a code of its own.
      out.push(['CRASH', String(e && e.message || e), 0, 0]);
    }
    process.stdout.write(JSON.stringify({ id: record.id, ok: out.length === 0, diagnostics: out }) + '\n');
  }
}
main();
