// Differential tests against Debian's real promtool: Vigil's `check rules` and `test rules` must
// give the same exit code and the same error text as promtool on the fixtures in
// src/rules/testdata (templates with humanize*/printf/query, pending→firing→resolved, keep_firing_for,
// template execution errors, limits, validation errors with line:column).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPeer } from '../src/testing/peers.js';
import { rulesUnitTest } from '../src/rules/unittest.js';

const here = dirname(fileURLToPath(import.meta.url));
function repoRoot(): string {
  let d = here;
  while (d !== '/' && !existsSync(join(d, 'packages'))) d = dirname(d);
  return d;
}
const root = repoRoot();
const dataDir = join(root, 'packages', 'server', 'src', 'rules', 'testdata');
const vigil = join(root, 'packages', 'server', 'bin', 'vigil.js');
const promtool = findPeer('promtool');

function run(cmd: string, args: string[], cwd: string): { code: number; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function runVigil(args: string[], cwd: string) {
  // The launcher needs the compiled CLI; under tsx run the TypeScript entry directly.
  if (existsSync(join(root, 'packages', 'server', 'dist', 'src', 'cli', 'main.js'))) return run(process.execPath, [vigil, ...args], cwd);
  return run(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(join(root, 'packages/server/src/cli/main.ts'))}).then(async m => { process.exitCode = await m.run(${JSON.stringify(args)}); })`], cwd);
}

const testFiles = existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.endsWith('-test.yml')).sort() : [];
const checkDir = join(dataDir, 'check');
const checkFiles = existsSync(checkDir) ? readdirSync(checkDir).filter((f) => f.endsWith('.yml')).sort() : [];

// The shipped examples (docs/examples/rules) are tested the same way.
const exampleDir = join(root, 'docs', 'examples', 'rules');
const exampleFiles = existsSync(exampleDir) ? readdirSync(exampleDir).filter((f) => f.endsWith('-test.yml')).sort() : [];
const allTests = [...testFiles.map((f) => [dataDir, f] as const), ...exampleFiles.map((f) => [exampleDir, f] as const)];

/** Runs `vigil test rules` in this process (fast), from `dir` like the CLI would be. */
async function runVigilInProcess(f: string, dir: string): Promise<{ code: number; out: string; err: string }> {
  const cwd = process.cwd();
  let out = '', err = '';
  process.chdir(dir);
  try {
    const code = await rulesUnitTest([f], { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

allTests.forEach(([dir, f], i) => {
  test(`test rules vs promtool: ${f}`, { skip: promtool.skip }, async () => {
    const p = run(promtool.path!, ['test', 'rules', f], dir);
    // The first file also goes through the real CLI; the rest run in-process (same code path).
    const v = i === 0 ? runVigil(['test', 'rules', f], dir) : await runVigilInProcess(f, dir);
    assert.equal(v.code, p.code, `exit codes differ\nvigil:\n${v.out}${v.err}\npromtool:\n${p.out}${p.err}`);
    assert.equal(v.err, p.err);
    assert.equal(v.out, p.out);
  });
});

for (const f of checkFiles) {
  test(`check rules vs promtool: ${f}`, { skip: promtool.skip }, () => {
    const p = run(promtool.path!, ['check', 'rules', f], checkDir);
    const v = runVigil(['check', 'rules', f], checkDir);
    assert.equal(v.code, p.code, `exit codes differ\nvigil:\n${v.out}${v.err}\npromtool:\n${p.out}${p.err}`);
    assert.equal(v.out, p.out);
    // YAML syntax errors come from different YAML parsers; everything else must match (as sorted
    // lines: promtool reports label errors in Go's random map order).
    const lines = (s: string) => s.split('\n').sort().join('\n');
    if (!/yaml: line/.test(p.err)) assert.equal(lines(v.err), lines(p.err));
    else assert.match(v.err, /FAILED:\n.*yaml: line \d+/);
  });
}
