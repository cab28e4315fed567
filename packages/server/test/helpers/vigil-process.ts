// Starts the built `vigil` CLI as a child process for end-to-end tests.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

/** Path of bin/vigil.js, from either src (tsx) or dist (compiled) test locations. */
export function vigilBin(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'bin', 'vigil.js');
    if (existsSync(p)) return p;
    d = dirname(d);
  }
  throw new Error('bin/vigil.js not found');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export interface VigilProcess {
  pid: number;
  url: string;
  exited: Promise<number | null>;
  stderr(): string;
  stdout(): string;
  /** SIGTERM and wait; resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startVigil(args: string[], opts: { waitReady?: boolean; command?: string[]; timeoutMs?: number } = {}): Promise<VigilProcess> {
  const child = spawn(process.execPath, [vigilBin(), ...(opts.command ?? ['serve']), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '', out = '';
  child.stderr.on('data', (c) => (err += c));
  child.stdout.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const li = args.indexOf('--web.listen-address');
  const addr = li >= 0 ? args[li + 1]! : '127.0.0.1:9490';
  const url = `http://${addr}`;
  const p: VigilProcess = {
    pid: child.pid!,
    url,
    exited,
    stderr: () => err,
    stdout: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  if (opts.waitReady === false) return p;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let done = false;
  void exited.then(() => (done = true));
  while (Date.now() < deadline && !done) {
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.status === 200) return p;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`vigil did not become ready: ${err}`);
}

/** Polls `${url}/-/ready` (Vigil, Prometheus, Alertmanager) until it answers 200. */
export async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

/** A Prometheus API v1 query (instant or range) as a form POST; returns the parsed JSON. */
export async function apiQuery(base: string, params: Record<string, string>, range: boolean): Promise<unknown> {
  const r = await fetch(`${base}/api/v1/${range ? 'query_range' : 'query'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return r.json();
}
