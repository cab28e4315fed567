#!/usr/bin/env node
// Runs the test suites with node's test runner.
//   node scripts/run-tests.mjs            compiled tests (dist/**/*.test.js) of every package
//   node scripts/run-tests.mjs --src      TypeScript sources via tsx (fast dev loop, no build)
//   node scripts/run-tests.mjs PATH...    only tests under these paths (src or dist by --src)
// Suites under packages/*/test/ (conformance, end-to-end) are included.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const src = args.includes('--src');
const roots = args.filter((a) => !a.startsWith('--'));
const repo = resolve(new URL('..', import.meta.url).pathname);

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules') continue;
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (src ? /\.test\.ts$/.test(e) : /\.test\.js$/.test(e)) out.push(p);
  }
  return out;
}

const files = [];
const pkgs = readdirSync(join(repo, 'packages'));
if (roots.length) {
  for (const r of roots) walk(resolve(r), files);
} else {
  for (const p of pkgs) {
    walk(join(repo, 'packages', p, src ? 'src' : 'dist'), files);
    walk(join(repo, 'packages', p, src ? 'test' : 'dist-test'), files);
  }
}
if (!src) for (let i = files.length - 1; i >= 0; i--) if (!files[i].includes(`${'/'}dist`)) files.splice(i, 1);
files.sort();
if (files.length === 0) {
  console.error('no test files found' + (src ? '' : ' (did the build run?)'));
  process.exit(1);
}
const nodeArgs = ['--test', '--test-concurrency=2', '--test-timeout=600000'];
if (src) nodeArgs.unshift('--import', 'tsx');
const r = spawnSync(process.execPath, [...nodeArgs, ...files], { stdio: 'inherit', cwd: repo });
process.exit(r.status ?? 1);
