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

export interface RealAlertmanager { url: string; proc: ChildProcess; stop(): Promise<void>; log(): string }

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
