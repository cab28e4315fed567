import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CfgNode } from '../../config/node.js';
import { labelsOf } from '../../model/labels.js';
import { MemAppendable } from '../../ingest/memappendable.js';
import { parseRemoteWriteConfigs } from './config.js';
import { RemoteWriter } from './queue.js';
import { fanoutAppendable } from './fanout.js';

test('remote_write over HTTPS with tls_config.ca_file and authorization.credentials_file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rw-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'token'), 's3cret\n');
  const auths: (string | undefined)[] = [];
  const srv = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
    auths.push(req.headers.authorization);
    req.resume();
    req.on('end', () => {
      res.writeHead(req.headers.authorization === 'Bearer s3cret' ? 204 : 401);
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const mk = (extra: string) =>
    parseRemoteWriteConfigs(CfgNode.parse(`remote_write:\n  - url: https://127.0.0.1:${port}/api/v1/write\n    authorization: {credentials_file: ${join(dir, 'token')}}\n    queue_config: {batch_send_deadline: 20ms, min_backoff: 10ms, max_backoff: 20ms}\n${extra}`, 'v.yml').get('remote_write'))[0]!;
  const good = new RemoteWriter(mk(`    tls_config: {ca_file: ${join(dir, 'c.pem')}}\n`));
  const bad = new RemoteWriter(mk(''));
  try {
    for (const w of [good, bad]) {
      const a = fanoutAppendable(new MemAppendable(), w).appender();
      a.append(0, labelsOf('__name__', 'tls_ok'), 1000, 1);
      await a.commit();
    }
    assert.ok(await good.flush(5000));
    assert.equal(good.stats().samplesSent, 1);
    assert.equal(auths[0], 'Bearer s3cret');
    await new Promise((r) => setTimeout(r, 300));
    const st = bad.stats();
    assert.equal(st.samplesSent, 0, 'unknown CA is refused');
    assert.match(st.lastError, /certificate/i);
  } finally {
    await good.stop(100);
    await bad.stop(100);
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
