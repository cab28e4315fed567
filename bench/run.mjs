#!/usr/bin/env node
// Benchmark dispatcher: `npm run bench -- [suite...]` runs bench/<suite>/run.mjs for each named
// suite (all suites when none is named). Suites run Vigil and its peers side by side and print
// ratios; they need a build (`npm run build`) first.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const here = new URL('.', import.meta.url).pathname;
const all = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'run.mjs')))
  .map((d) => d.name)
  .sort();
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const passThrough = args.filter((a) => a.startsWith('-'));
const suites = names.length ? names : all;
let failed = 0;
for (const s of suites) {
  if (!all.includes(s)) {
    console.error(`bench: unknown suite ${JSON.stringify(s)} (known: ${all.join(', ')})`);
    failed++;
    continue;
  }
  console.log(`\n=== bench ${s} ===`);
  const r = spawnSync(process.execPath, [join(here, s, 'run.mjs'), ...passThrough], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
