#!/usr/bin/env node
// `npm run conformance -- [promql|rules ...]`: runs the conformance suites over ../shared/conformance
// (compiled tests; run `npm run build` first). With no names, runs them all.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const repo = resolve(new URL('..', import.meta.url).pathname);
const suites = { promql: 'promql-conformance.test.js', rules: 'rules-conformance.test.js' };
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = names.length ? names : Object.keys(suites);
const files = [];
for (const n of chosen) {
  if (!suites[n]) {
    console.error(`conformance: unknown suite ${JSON.stringify(n)} (known: ${Object.keys(suites).join(', ')})`);
    process.exit(2);
  }
  const f = join(repo, 'packages/server/dist/test', suites[n]);
  if (!existsSync(f)) {
    console.error(`conformance: ${f} not built; run \`npm run build\``);
    process.exit(2);
  }
  files.push(f);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: repo });
process.exit(r.status ?? 1);
