// Helpers for the alerting suites: a webhook capture server, a real Alertmanager process, and
// an in-process Vigil Alertmanager with its API v2 on a loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Alertmanager, loadAlertmanagerConfig } from '../src/alerting/index.js';
import { registerAlertmanagerRoutes } from '../src/alerting/api/index.js';
import { Router, sendText } from '../src/web/router.js';
import { HttpServer } from '../src/web/server.js';
import { freePort } from './helpers/vigil-process.js';
import assert from 'node:assert/strict';

export interface Captured { path: string; at: number; body: WebhookBody }
export interface WebhookBody {
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string; fingerprint: string }[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: string;
  groupKey: string;
  truncatedAlerts: number;
}

export class CaptureServer {
  readonly received: Captured[] = [];
  private server: Server;
  port = 0;
  status = 200;
  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          this.received.push({ path: req.url ?? '', at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody });
        } catch {
          /* not JSON: ignore */
        }
        res.writeHead(this.status);
        res.end();
      });
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

export interface RealAlertmanager { url: string; proc: ChildProcess; configFile: string; stop(): Promise<void>; log(): string }

export async function startRealAlertmanager(bin: string, configText: string, extraArgs: string[] = []): Promise<RealAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-realam-'));
  const cfg = join(dir, 'alertmanager.yml');
  writeFileSync(cfg, configText);
  const port = await freePort();
  const proc = spawn(bin, [
    `--config.file=${cfg}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=', '--log.level=warn', ...extraArgs,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (c) => (log += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {
      /* starting */
    }
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error(`alertmanager did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    proc,
    configFile: cfg,
    log: () => log,
    stop: async () => {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface VigilAM { url: string; am: Alertmanager; stop(): Promise<void> }

export async function startVigilAlertmanager(configText: string, opts: { externalUrl?: string } = {}): Promise<VigilAM> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, configText);
  const am = new Alertmanager({ config: loadAlertmanagerConfig(configText, file), storagePath: join(dir, 'data'), externalUrl: opts.externalUrl ?? 'http://vigil.test' });
  const router = new Router();
  registerAlertmanagerRoutes(router, { am });
  router.get('/-/ready', (_q, res) => sendText(res, 200, 'OK'));
  const server = new HttpServer({ router });
  const port = await freePort();
  await server.listen(`127.0.0.1:${port}`);
  return {
    url: `http://127.0.0.1:${port}`,
    am,
    stop: async () => {
      am.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postJSON(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}

// ---- Differential runner: the same timeline against Alertmanager and Vigil ----

export type L = Record<string, string>;
export interface A { labels: L; annotations?: L; startsAt?: number; endsAt?: 'far' | 'now' | 'none' }
export type Step =
  | { at: number; alerts: A[] }
  | { at: number; silence: string; matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[] }
  | { at: number; expire: string }
  | { at: number; reload: (hook: string) => string }
  | { at: number; sinkStatus: number };

interface Norm { path: string; t: number; body: string }

/**
 * Runs `steps` (times in seconds from the start) against a real Alertmanager and Vigil with the
 * same config (webhook receivers at `${hook}/<name>`), waits until `runFor`, and asserts that
 * both delivered the same notifications: per receiver path and group key, the same sequence of
 * payloads (times within 0.8 s). `timeoutScenario` names scenarios whose endsAt is computed
 * from resolve_timeout (masked). Returns what each side received.
 */
export async function runDifferential(
  amPath: string,
  config: (hook: string) => string,
  steps: Step[],
  runFor: number,
  timeoutScenario: (scenario: string) => boolean = () => false,
): Promise<{ real: Captured[]; vigil: Captured[] }> {
  const capReal = new CaptureServer(), capVigil = new CaptureServer();
  const hookReal = await capReal.start(), hookVigil = await capVigil.start();
  const EXT = 'http://alertmanager.example:9093';
  const dir = mkdtempSync(join(tmpdir(), 'vigil-diff-'));
  const real = await startRealAlertmanager(amPath, config(hookReal), [`--web.external-url=${EXT}`]);
  const vigil = await startVigilAlertmanager(config(hookVigil), { externalUrl: EXT });
  const ids: Record<string, [string, string]> = {};
  try {
    const t0 = Date.now();
    const iso = (offsetSec: number) => new Date(t0 + offsetSec * 1000).toISOString();
    for (const step of steps) {
      const wait = t0 + step.at * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if ('alerts' in step) {
        const now = new Date().toISOString();
        const body = step.alerts.map((x) => ({
          labels: x.labels,
          annotations: x.annotations,
          startsAt: iso(x.startsAt ?? 0),
          ...(x.endsAt === 'none' ? {} : { endsAt: x.endsAt === 'now' ? now : iso(3600) }),
          generatorURL: 'http://prom.example/graph',
        }));
        const [r1, r2] = await Promise.all([postJSON(`${real.url}/api/v2/alerts`, body), postJSON(`${vigil.url}/api/v2/alerts`, body)]);
        assert.equal(r1.status, 200, r1.text);
        assert.equal(r2.status, 200, r2.text);
      } else if ('silence' in step) {
        const body = { matchers: step.matchers, startsAt: iso(-1), endsAt: iso(3600), createdBy: 'diff', comment: step.silence };
        const [r1, r2] = await Promise.all([postJSON(`${real.url}/api/v2/silences`, body), postJSON(`${vigil.url}/api/v2/silences`, body)]);
        assert.equal(r1.status, 200, r1.text);
        assert.equal(r2.status, 200, r2.text);
        ids[step.silence] = [(JSON.parse(r1.text) as { silenceID: string }).silenceID, (JSON.parse(r2.text) as { silenceID: string }).silenceID];
      } else if ('expire' in step) {
        const [idReal, idVigil] = ids[step.expire]!;
        const [r1, r2] = await Promise.all([fetch(`${real.url}/api/v2/silence/${idReal}`, { method: 'DELETE' }), fetch(`${vigil.url}/api/v2/silence/${idVigil}`, { method: 'DELETE' })]);
        assert.equal(r1.status, 200);
        assert.equal(r2.status, 200);
      } else if ('reload' in step) {
        writeFileSync(real.configFile, step.reload(hookReal));
        const text = step.reload(hookVigil);
        const file = join(dir, 'reload.yml');
        writeFileSync(file, text);
        const [r1] = await Promise.all([fetch(`${real.url}/-/reload`, { method: 'POST' }), Promise.resolve(vigil.am.applyConfig(loadAlertmanagerConfig(text, file)))]);
        assert.equal(r1.status, 200);
      } else {
        capReal.status = step.sinkStatus;
        capVigil.status = step.sinkStatus;
      }
    }
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + runFor * 1000 - Date.now())));
    const normalize = (c: Captured): Norm => {
      const b = c.body;
      const scenario = b.commonLabels.scenario ?? b.alerts[0]?.labels.scenario ?? '';
      const alerts = b.alerts.map((x) => ({ ...x, endsAt: timeoutScenario(scenario) && x.endsAt !== '0001-01-01T00:00:00Z' ? '<timeout>' : x.endsAt }));
      return { path: c.path, t: (c.at - t0) / 1000, body: JSON.stringify({ ...b, alerts }) };
    };
    const byKey = (cs: Captured[]) => {
      const m = new Map<string, Norm[]>();
      for (const c of cs) {
        const n = normalize(c);
        const k = `${n.path} ${c.body.groupKey}`;
        m.set(k, [...(m.get(k) ?? []), n]);
      }
      return m;
    };
    const R = byKey(capReal.received), V = byKey(capVigil.received);
    const problems: string[] = [];
    for (const k of [...new Set([...R.keys(), ...V.keys()])].sort()) {
      const r = R.get(k) ?? [], v = V.get(k) ?? [];
      if (r.length !== v.length) {
        problems.push(`${k}: Alertmanager sent ${r.length} (at ${r.map((x) => x.t.toFixed(1)).join(',')}), Vigil sent ${v.length} (at ${v.map((x) => x.t.toFixed(1)).join(',')})`);
        continue;
      }
      r.forEach((x, i) => {
        const y = v[i]!;
        if (x.body !== y.body) problems.push(`${k} #${i}:\n  alertmanager: ${x.body}\n  vigil:        ${y.body}`);
        if (Math.abs(x.t - y.t) > 0.8) problems.push(`${k} #${i}: sent at ${x.t.toFixed(2)}s by Alertmanager, ${y.t.toFixed(2)}s by Vigil`);
      });
    }
    assert.deepEqual(problems, [], real.log());
    return { real: capReal.received, vigil: capVigil.received };
  } finally {
    await Promise.all([real.stop(), vigil.stop(), capReal.close(), capVigil.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
