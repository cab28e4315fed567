import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import { HttpServer, parseListenAddress } from './server.js';
import { Router, apiSuccess, sendText } from './router.js';
import { loadWebConfig } from './webconfig.js';

function router(): Router {
  return new Router()
    .get('/-/healthy', (_q, res) => sendText(res, 200, 'ok'))
    .get('/api/v1/big', (_q, res) => apiSuccess(res, 'x'.repeat(5000)))
    .get('/boom', () => {
      throw new Error('handler bug');
    })
    .post('/echo', async (q, res) => sendText(res, 200, String((await q.body()).length)))
    .get('/api/v1/query', async (q, res) => apiSuccess(res, (await q.form()).get('query')))
    .post('/api/v1/query', async (q, res) => apiSuccess(res, (await q.form()).get('query')));
}

async function withServer(opts: Partial<ConstructorParameters<typeof HttpServer>[0]>, fn: (base: string) => Promise<void>) {
  const s = new HttpServer({ router: router(), ...opts });
  const a = await s.listen('127.0.0.1:0');
  try {
    await fn(`http://127.0.0.1:${a.port}`);
  } finally {
    await s.close();
  }
}

test('listen addresses', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:9490'), { host: '127.0.0.1', port: 9490 });
  assert.deepEqual(parseListenAddress(':9490'), { host: undefined, port: 9490 });
  assert.deepEqual(parseListenAddress('[::1]:80'), { host: '::1', port: 80 });
  assert.throws(() => parseListenAddress('localhost'), /invalid listen address/);
});

test('routing, errors contained, size limits, form POST, gzip', async () => {
  await withServer({ maxRequestBytes: 100 }, async (base) => {
    assert.equal((await fetch(base + '/nope')).status, 404);
    assert.equal((await fetch(base + '/-/healthy', { method: 'DELETE' })).status, 405);
    assert.equal((await fetch(base + '/boom')).status, 500);
    assert.equal(await (await fetch(base + '/-/healthy')).text(), 'ok', 'keeps serving after a handler error');
    assert.equal(await (await fetch(base + '/echo', { method: 'POST', body: 'x'.repeat(100) })).text(), '100');
    const big = await fetch(base + '/echo', { method: 'POST', body: 'x'.repeat(101) });
    assert.equal(big.status, 413);
    const form = await fetch(base + '/api/v1/query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=up%7Bjob%3D%22a%22%7D',
    });
    assert.deepEqual(await form.json(), { status: 'success', data: 'up{job="a"}' });
    const get = await fetch(base + '/api/v1/query?query=1%2B1');
    assert.equal(((await get.json()) as { data: string }).data, '1+1');
    // fetch decompresses transparently; check the raw header with node:http semantics via fetch's headers
    const gz = await fetch(base + '/api/v1/big', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.equal(((await gz.json()) as { data: string }).data.length, 5000);
  });
});

test('basic auth (bcrypt) and bearer tokens from a web config file; health stays public', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  const file = join(dir, 'web.yml');
  writeFileSync(file, `basic_auth_users:\n  alice: ${bcrypt.hashSync('s3cret', 4)}\nbearer_tokens: ["tok-123"]\n`);
  const webConfig = loadWebConfig(file);
  await withServer({ webConfig, publicPaths: ['/-/healthy'] }, async (base) => {
    assert.equal((await fetch(base + '/api/v1/query?query=1')).status, 401);
    const basic = (u: string, p: string) => ({ authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });
    assert.equal((await fetch(base + '/api/v1/query?query=1', { headers: basic('alice', 's3cret') })).status, 200);
    assert.equal((await fetch(base + '/api/v1/query?query=1', { headers: basic('alice', 'wrong') })).status, 401);
    assert.equal((await fetch(base + '/api/v1/query?query=1', { headers: { authorization: 'Bearer tok-123' } })).status, 200);
    assert.equal((await fetch(base + '/api/v1/query?query=1', { headers: { authorization: 'Bearer nope' } })).status, 401);
    assert.equal((await fetch(base + '/-/healthy')).status, 200);
  });
  writeFileSync(file, 'basic_auth_users:\n  bob: plaintext\n');
  assert.throws(() => loadWebConfig(file), /web\.yml:2: basic_auth_users\.bob: basic_auth_users values must be bcrypt hashes/);
});

test('TLS from a web config file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'web.yml'), 'tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n');
  const s = new HttpServer({ router: router(), webConfig: loadWebConfig(join(dir, 'web.yml')) });
  const a = await s.listen('127.0.0.1:0');
  try {
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: a.port, path: '/-/healthy', rejectUnauthorized: false }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    assert.equal(body, 'ok');
  } finally {
    await s.close();
  }
  assert.ok(gunzipSync); // zlib available
});
