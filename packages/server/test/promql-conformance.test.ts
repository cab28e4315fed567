// PromQL conformance: runs Prometheus's test files (../shared/conformance/promql/testdata, read
// at run time, never copied) against Vigil's engine. Evals listed in promql/known-failures.json
// may fail; any other failure fails the suite, and newly passing known failures are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTestFile, type EvalOutcome, type Tier } from './promql/runner.js';
import { MemStorage } from './promql/memstorage.js';
import type { Storage } from '../src/storage/interface.js';

const here = dirname(fileURLToPath(import.meta.url));
// Works from test/ (tsx) and dist-test/ (compiled): walk up to the repo root (has packages/).
function repoRoot(): string {
  let d = here;
  while (d !== '/' && !existsSync(join(d, 'packages'))) d = dirname(d);
  return d;
}
const shared = process.env.VIGIL_SHARED ?? resolve(repoRoot(), '..', 'shared');
const dataDir = join(shared, 'conformance', 'promql', 'testdata');
const knownPath = (() => {
  for (const p of [join(here, 'promql', 'known-failures.json'), join(repoRoot(), 'packages', 'server', 'test', 'promql', 'known-failures.json')]) if (existsSync(p)) return p;
  return join(here, 'promql', 'known-failures.json');
})();
const known: Record<string, string> = existsSync(knownPath) ? JSON.parse(readFileSync(knownPath, 'utf8')) : {};

async function newStorage(): Promise<Storage> {
  if (process.env.VIGIL_PROMQL_STORAGE !== 'mem') {
    try {
      const mod = (await import('../src/tsdb/index.js')) as { openTSDB?: (o: object) => Promise<Storage> };
      if (mod.openTSDB) return await mod.openTSDB({ compactionIntervalMs: 0 });
    } catch {
      /* TSDB not available: fall back */
    }
  }
  return new MemStorage();
}

const files = existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.endsWith('.test')).sort() : [];
const all: EvalOutcome[] = [];

test('promql conformance data present', { skip: files.length ? false : `no test files under ${dataDir}` }, () => {
  assert.ok(files.length > 0);
});

for (const f of files) {
  test(`promql conformance: ${f}`, async () => {
    const outcomes = await runTestFile(f, readFileSync(join(dataDir, f), 'utf8'), { newStorage });
    all.push(...outcomes);
    const unexpected = outcomes.filter((o) => !o.ok && !(`${o.file}:${o.line}` in known));
    const newlyPassing = outcomes.filter((o) => o.ok && `${o.file}:${o.line}` in known);
    const passed = outcomes.filter((o) => o.ok).length;
    console.log(`# ${f}: ${passed}/${outcomes.length} evals passed`);
    for (const o of newlyPassing) console.log(`# newly passing (remove from known-failures.json): ${o.file}:${o.line} ${o.query}`);
    if (process.env.VIGIL_PROMQL_VERBOSE) for (const o of outcomes) if (!o.ok) console.log(`# FAIL ${o.file}:${o.line} [${o.tier}] ${o.query} -- ${o.error}`);
    assert.deepEqual(unexpected.map((o) => `${o.file}:${o.line} ${o.query} -- ${o.error}`), []);
  });
}

test('promql conformance summary', () => {
  const tiers: Tier[] = ['core', 'metadata', 'native_histograms', 'experimental'];
  for (const t of tiers) {
    const xs = all.filter((o) => o.tier === t);
    const p = xs.filter((o) => o.ok).length;
    console.log(`# tier ${t}: ${p}/${xs.length} (${xs.length ? ((100 * p) / xs.length).toFixed(1) : '0'}%)`);
  }
  const p = all.filter((o) => o.ok).length;
  console.log(`# promql conformance: ${p}/${all.length} evals passed`);
  // Failures by cause, for the report.
  const causes = new Map<string, number>();
  for (const o of all) {
    if (o.ok) continue;
    const cause = o.file === 'start_timestamps.test' ? 'start timestamps'
      : o.tier === 'native_histograms' ? `native histograms (${o.file}:${o.line})` : `other (${o.file}:${o.line})`;
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
  }
  for (const [c, n] of causes) console.log(`# failing: ${n} x ${c}`);
  if (process.env.VIGIL_PROMQL_WRITE_KNOWN) {
    const obj: Record<string, string> = {};
    for (const o of all) if (!o.ok) obj[`${o.file}:${o.line}`] = `[${o.tier}] ${o.query} -- ${(o.error ?? '').slice(0, 200)}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    import('node:fs').then((fs) => fs.writeFileSync(knownPath, JSON.stringify(obj, null, 1) + '\n'));
  }
});
