import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CfgNode } from '../config/node.js';
import { parseAlertingSection } from './config.js';
import { Notifier, type PostableAlert } from './notifier.js';

test('alerting section parses as prometheus.yml; errors name the field', () => {
  const n = CfgNode.parse('alertmanagers:\n  - path_prefix: /am/\n    static_configs:\n      - targets: ["127.0.0.1:9093"]\n', 'p.yml');
  const s = parseAlertingSection(n);
  assert.equal(s.targets[0]!.url, 'http://127.0.0.1:9093/am');
  assert.throws(() => parseAlertingSection(CfgNode.parse('alertmanagers:\n  - api_version: v1\n', 'p.yml')), /p\.yml:2: alertmanagers\[0\]\.api_version/);
});

test('notifier posts batches with external labels to every Alertmanager and to the local one', async () => {
  const got: PostableAlert[][] = [];
  const srv = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      assert.equal(req.url, '/api/v2/alerts');
      got.push(JSON.parse(b));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const local: PostableAlert[] = [];
  const n = new Notifier({ externalLabels: { cluster: 'c1' }, local: (a) => void local.push(...a) });
  n.setTargets([{ url: `http://127.0.0.1:${port}`, timeoutMs: 2000, headers: {} }]);
  n.send([{ labels: { alertname: 'X' }, annotations: {} }]);
  await n.drain();
  await new Promise((r) => setTimeout(r, 50));
  srv.close();
  assert.deepEqual(got[0]![0]!.labels, { cluster: 'c1', alertname: 'X' });
  assert.equal(local.length, 1);
  assert.equal(n.stats.errors, 0);
});

test('queue overflow drops the oldest and counts them', () => {
  const n = new Notifier({ queueCapacity: 2 });
  (n as unknown as { sending: boolean }).sending = true; // hold the queue
  n.send([1, 2, 3].map((i) => ({ labels: { alertname: String(i) }, annotations: {} })));
  assert.equal(n.queueLength, 2);
  assert.equal(n.stats.dropped, 1);
});
