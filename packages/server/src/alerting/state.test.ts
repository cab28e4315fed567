// Alerting state in the embedded store: JSON snapshot import, retention, locking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Alertmanager } from './alertmanager.js';
import { ManualClock } from './clock.js';
import { loadAlertmanagerConfig } from './config/index.js';
import { openStateStore } from '../state/index.js';
import { createLogger } from '../util/log.js';

const T0 = Date.UTC(2024, 0, 3, 12, 0, 0);
const HOUR = 3600_000;

function start(dir: string, clock = new ManualClock(T0), logs: string[] = []): Alertmanager {
  return new Alertmanager({
    config: loadAlertmanagerConfig('route: {receiver: a}\nreceivers: [{name: a}]\n', 'am.yml'),
    clock,
    storagePath: dir,
    retentionMs: 10 * HOUR,
    logger: createLogger({ level: 'info', write: (l) => logs.push(l) }),
  });
}

test('JSON snapshots from earlier versions are imported once and left untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-amstate-'));
  try {
    const sil = [{ id: '11111111-1111-4111-8111-111111111111', matchers: [{ name: 'alertname', value: 'Old', isRegex: false, isEqual: true }], startsAt: T0 - HOUR, endsAt: T0 + HOUR, updatedAt: T0 - HOUR, createdBy: 'ops', comment: 'imported' }];
    const nflog = [{ groupKey: '{}:{}', receiver: { groupName: 'a', integration: 'webhook', idx: 0 }, firingAlerts: ['abc'], resolvedAlerts: [], timestamp: T0 - 60_000, expiresAt: T0 + HOUR }];
    const hist = [{ fingerprint: 'f1', alertname: 'Old', severity: 'warning', labels: { alertname: 'Old', severity: 'warning' }, annotations: {}, startsAt: T0 - 2 * HOUR, endsAt: T0 - HOUR, notifications: { a: 2 } }];
    const files = { 'silences.json': JSON.stringify(sil), 'nflog.json': JSON.stringify(nflog), 'history.json': JSON.stringify(hist) };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    const logs: string[] = [];
    let am = start(dir, new ManualClock(T0), logs);
    assert.deepEqual(am.silences.list(), sil);
    assert.equal(am.silences.mutedBy({ alertname: 'Old' }).length, 1);
    assert.equal(am.nflog.query({ groupName: 'a', integration: 'webhook', idx: 0 }, '{}:{}')?.firingAlerts[0], 'abc');
    const h = am.history.query();
    assert.deepEqual(h.map((x) => [x.alertname, x.state, x.durationSeconds, x.notificationsSent]), [['Old', 'resolved', 3600, 2]]);
    assert.match(logs.join('\n'), /imported JSON alerting state into the state store/);
    am.silences.expire(sil[0]!.id);
    am.stop();
    assert.ok(existsSync(join(dir, 'state.db')));
    for (const [f, text] of Object.entries(files)) assert.equal(readFileSync(join(dir, f), 'utf8'), text, `${f} untouched`);
    // Not imported again: the expiry made in the store wins over the old file.
    am = start(dir);
    assert.equal(am.silences.list().length, 1);
    assert.equal(am.silences.list()[0]!.endsAt, T0);
    assert.equal(am.silences.mutedBy({ alertname: 'Old' }).length, 0);
    am.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a silence is in the database when set() returns; retention deletes old rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-amstate-'));
  try {
    const clock = new ManualClock(T0);
    const am = start(dir, clock);
    const id = am.silences.set({ id: '', matchers: [{ name: 'job', value: 'x', isRegex: false, isEqual: true }], startsAt: T0, endsAt: T0 + HOUR, createdBy: 'me', comment: 'c' });
    // Read the WAL-mode database as the process's own connection committed it: the row is there
    // before any maintenance or shutdown runs.
    const db = (am as unknown as { state: { silences: { get(id: string): unknown } } }).state;
    assert.ok(db.silences.get(id));
    am.putAlerts([{ labels: { alertname: 'H' }, endsAt: new Date(T0 + 1000).toISOString(), startsAt: new Date(T0).toISOString() }]);
    am.snapshot();
    await clock.advance(12 * HOUR);
    am.snapshot(); // what the maintenance timer does
    am.stop();
    const st = openStateStore({ file: join(dir, 'state.db') });
    assert.deepEqual(st.silences.all(), [], 'silence ended 11h ago, retention 10h');
    assert.deepEqual(st.history.all(), [], 'episode ended 12h ago');
    st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('history written in batches survives a restart with notification counts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-amstate-'));
  try {
    let am = start(dir);
    am.putAlerts([{ labels: { alertname: 'B', severity: 'critical' } }]);
    am.history.noteNotification(am.history.query()[0]!.fingerprint, 'a');
    am.stop();
    am = start(dir);
    const h = am.history.query();
    assert.deepEqual(h.map((x) => [x.alertname, x.severity, x.state, x.notifications]), [['B', 'critical', 'firing', { a: 1 }]]);
    am.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two instances on one storage path: the second fails naming the database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-amstate-'));
  try {
    const am = start(dir);
    assert.throws(() => start(dir), new RegExp(`state database ${join(dir, 'state.db').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is in use`));
    am.stop();
    start(dir).stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt state.db: logged by name, moved aside, and the instance starts empty and works', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-amstate-'));
  try {
    writeFileSync(join(dir, 'state.db'), 'this is not a database'.repeat(300));
    const logs: string[] = [];
    const am = start(dir, new ManualClock(T0), logs);
    assert.match(logs.join('\n'), new RegExp(`state database unreadable; moved aside.*${join(dir, 'state.db.corrupt-').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const id = am.silences.set({ id: '', matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }], startsAt: T0, endsAt: T0 + HOUR, createdBy: 'x', comment: 'y' });
    am.stop();
    const again = start(dir);
    assert.equal(again.silences.get(id)?.comment, 'y');
    again.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
