// Alertmanager API v2 responses, byte for byte against the real Alertmanager 0.25: status
// codes, content types and bodies (times and generated IDs masked) for good and bad requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPeer } from '../src/testing/peers.js';
import { startRealAlertmanager, startVigilAlertmanager } from './alerting-helpers.js';

const am = findPeer('alertmanager');

test('API v2 responses match Alertmanager (status, content type, body)', { skip: am.skip, timeout: 60_000 }, async () => {
  const cfg = 'route:\n  receiver: a\n  group_by: [alertname]\n  routes: [{matchers: [team=db], receiver: b, continue: true}, {matchers: [alertname=h], receiver: a, group_by: ["..."]}]\nreceivers:\n  - name: a\n  - name: b\n';
  const real = await startRealAlertmanager(am.path!, cfg);
  const vigil = await startVigilAlertmanager(cfg);
  try {
    const now = Date.now();
    const iso = (d: number) => new Date(now + d).toISOString();
    const sil = (extra: Record<string, unknown>) => JSON.stringify({ matchers: [{ name: 'a', value: 'b', isRegex: false }], startsAt: iso(0), endsAt: iso(3600e3), createdBy: 'x', comment: 'c', ...extra });
    const cases: [string, string, string?][] = [
      ['POST', '/api/v2/alerts', JSON.stringify([{ labels: { alertname: 'x', team: 'db' }, annotations: { s: '<b>&' }, generatorURL: 'http://g/?a=1&b=2' }])],
      ['POST', '/api/v2/alerts', JSON.stringify([{ labels: {} }])],
      ['POST', '/api/v2/alerts', JSON.stringify([{ annotations: {} }])],
      ['POST', '/api/v2/alerts', JSON.stringify([{ labels: { 'a-b': 'x' } }])],
      ['POST', '/api/v2/alerts', JSON.stringify([{ labels: { a: 'x' }, startsAt: iso(60e3), endsAt: iso(0) }])],
      ['POST', '/api/v2/alerts', JSON.stringify({ labels: { a: 'b' } })],
      ['POST', '/api/v2/silences', sil({})],
      ['POST', '/api/v2/silences', sil({ matchers: [] })],
      ['POST', '/api/v2/silences', sil({ matchers: [{ name: 'a', value: '', isRegex: false }] })],
      ['POST', '/api/v2/silences', sil({ matchers: [{ name: 'a', value: '(', isRegex: true }] })],
      ['POST', '/api/v2/silences', sil({ endsAt: iso(-3600e3) })],
      ['POST', '/api/v2/silences', sil({ startsAt: iso(-7200e3), endsAt: iso(-3600e3) })],
      ['POST', '/api/v2/silences', sil({ id: '11111111-1111-1111-1111-111111111111' })],
      ['POST', '/api/v2/silences', sil({ startsAt: undefined })],
      ['GET', '/api/v2/silence/11111111-1111-1111-1111-111111111111'],
      ['GET', '/api/v2/silence/nope'],
      ['DELETE', '/api/v2/silence/11111111-1111-1111-1111-111111111111'],
      ['GET', '/api/v2/alerts?active=maybe'],
      ['GET', '/api/v2/alerts?filter=a'],
      ['GET', '/api/v2/alerts?filter=team%3D~%22d.%2A%22&receiver=b'],
      ['GET', '/api/v2/alerts?silenced=false&inhibited=false&active=true'],
      ['GET', '/api/v2/silences?filter=a=~"('],
      ['GET', '/api/v2/silences?filter=a%3Db'],
      ['POST', '/api/v2/alerts', JSON.stringify([
        { labels: { alertname: 'g', team: 'db', instance: 'b', job: 'j2' } }, { labels: { alertname: 'g', team: 'db', instance: 'a' } },
        { labels: { alertname: 'g', team: 'db', job: 'j1' } }, { labels: { alertname: 'h', zone: 'z', x: '1' } }, { labels: { alertname: 'h', y: '2' } },
      ])],
      ['GET', '/api/v2/alerts/groups'],
      ['GET', '/api/v2/alerts/groups?filter=alertname=x'],
      ['GET', '/api/v2/receivers'],
    ];
    const mask = (s: string) => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, 'TIME').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
    const problems: string[] = [];
    for (const [m, p, b] of cases) {
      const go = async (base: string) => {
        const r = await fetch(base + p, { method: m, body: b, headers: b ? { 'Content-Type': 'application/json' } : {} });
        return `${r.status} ${r.headers.get('content-type')} ${mask(await r.text())}`;
      };
      const x = await go(real.url), y = await go(vigil.url);
      if (x !== y) problems.push(`${m} ${p} ${b ?? ''}\n  alertmanager: ${x}\n  vigil:        ${y}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await Promise.all([real.stop(), vigil.stop()]);
  }
});
