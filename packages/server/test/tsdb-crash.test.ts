// Crash safety: a child process appends continuously and prints each acknowledged batch; it
// is SIGKILLed at random moments, many times. After each kill the TSDB is reopened and must
// hold every acknowledged sample, and nothing that was never written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTSDB } from '../src/tsdb/index.js';
import { labelsOf } from '../src/model/labels.js';
import { newMatcher } from '../src/model/matchers.js';

const SERIES = 40;
const STEP = 1000;
const ROUND_SPAN = 20_000_000; // ms of timestamps reserved per round
const value = (s: number, t: number) => (t / STEP) * 0.25 + s; // exactly representable

async function child(dir: string, round: number): Promise<void> {
  const db = await openTSDB({ dir, blockRangeMs: 600_000, compactionIntervalMs: 100, walSegmentBytes: 256 * 1024 });
  const refs = new Array<number>(SERIES + 1).fill(0);
  const roundLabels = labelsOf('__name__', 'crash_round', 'round', String(round));
  for (let k = 0; ; k++) {
    const t = round * ROUND_SPAN + k * STEP;
    const a = db.appender();
    for (let s = 0; s < SERIES; s++) refs[s] = a.append(refs[s]!, labelsOf('__name__', 'crash_test', 's', String(s)), t, value(s, t));
    refs[SERIES] = a.append(refs[SERIES]!, roundLabels, t, value(-1, t));
    await a.commit();
    writeSync(1, `ack ${t}\n`);
    if (k % 50 === 49) await new Promise((r) => setImmediate(r));
  }
}

if (process.env.VIGIL_CRASH_CHILD) {
  void child(process.env.VIGIL_CRASH_CHILD, Number(process.env.VIGIL_CRASH_ROUND));
} else {
  test('acknowledged samples survive SIGKILL of the writer', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
    const self = fileURLToPath(import.meta.url);
    const args = self.endsWith('.ts') ? ['--import', 'tsx', self] : [self];
    const rounds = Number(process.env.VIGIL_CRASH_ROUNDS ?? 15);
    const acked = new Map<number, Set<number>>(); // round -> acked timestamps
    const deadline = Date.now() + 90_000;
    let done = 0;
    for (let round = 1; round <= rounds && Date.now() < deadline; round++) {
      const p = spawn(process.execPath, args, { env: { ...process.env, VIGIL_CRASH_CHILD: dir, VIGIL_CRASH_ROUND: String(round) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<void>((res) => p.on('exit', () => res()));
      // Wait for the first ack, then kill at a random moment.
      const started = Date.now();
      while (!out.includes('ack') && Date.now() - started < 20_000 && p.exitCode === null) await new Promise((r) => setTimeout(r, 10));
      assert.ok(out.includes('ack'), `writer produced no ack: ${err}`);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 400));
      p.kill('SIGKILL');
      await exited;
      const set = new Set<number>();
      for (const line of out.split('\n')) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) set.add(Number(m[1]));
      }
      acked.set(round, set);

      // Reopen and verify everything so far.
      const db = await openTSDB({ dir, blockRangeMs: 600_000, compactionIntervalMs: 0 });
      const q = db.querier(0, Number.MAX_SAFE_INTEGER);
      const ss = await q.select({ start: 0, end: Number.MAX_SAFE_INTEGER }, [newMatcher('=~', '__name__', 'crash_.*')]);
      const byName = new Map(ss.map((s) => [s.labels.map((l) => `${l.name}=${l.value}`).join(','), s.samples()]));
      for (let s = -1; s < SERIES; s++) {
        const key = s < 0 ? null : `__name__=crash_test,s=${s}`;
        for (let r = 1; r <= round; r++) {
          const k = key ?? `__name__=crash_round,round=${r}`;
          const smp = byName.get(k);
          const want = acked.get(r)!;
          const have = new Set<number>();
          if (smp) {
            for (let i = 0; i < smp.t.length; i++) {
              const t: number = smp.t[i]!;
              if (t < r * ROUND_SPAN || t >= (r + 1) * ROUND_SPAN) continue;
              assert.equal((t - r * ROUND_SPAN) % STEP, 0, `${k}: unexpected timestamp ${t}`);
              assert.equal(smp.v[i], value(s, t), `${k}: wrong value at ${t}`);
              have.add(t);
            }
          }
          for (const t of want) assert.ok(have.has(t), `${k}: acknowledged sample at ${t} lost after kill in round ${round}`);
          // Anything beyond the last ack must be a batch that was in flight (at most one commit).
          const maxAck = Math.max(...want);
          let extra = 0;
          for (const t of have) if (t > maxAck) extra++;
          assert.ok(extra <= 1, `${k}: ${extra} unacknowledged batches present`);
        }
      }
      q.close();
      if (process.env.VIGIL_CRASH_DEBUG) {
        const st = db.stats();
        console.log(`round ${round}: acks ${set.size} blocks ${st.blocks} headSeries ${st.headSeries} wal ${st.walBytes} walCorruptions ${st.walCorruptions}`);
      }
      await db.close();
      done++;
    }
    assert.ok(done >= Math.min(rounds, 5), `only ${done} rounds ran`);
    rmSync(dir, { recursive: true, force: true });
  });
}
