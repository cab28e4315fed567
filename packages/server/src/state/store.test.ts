import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { createLogger } from '../util/log.js';
import { LATEST_VERSION, MIGRATIONS, migrate, openStateStore, schemaVersion, StateStoreError, type HistoryRow, type Migration } from './index.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-state-'));
}

test('a new database is migrated to the latest schema, in WAL mode with synchronous=FULL', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    const st = openStateStore({ file });
    assert.equal(st.schemaVersion, LATEST_VERSION);
    st.close();
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const rows = db.prepare('SELECT version, description FROM schema_version ORDER BY version').all() as { version: number }[];
    assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
    db.close();
    // Reopening applies nothing new.
    const again = openStateStore({ file });
    assert.equal(again.schemaVersion, LATEST_VERSION);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migrations apply in order, only once, and a newer schema is refused', () => {
  const db = new Database(':memory:');
  const steps: Migration[] = [
    { version: 1, description: 'a', sql: 'CREATE TABLE a (x INTEGER)' },
    { version: 2, description: 'b', sql: 'ALTER TABLE a ADD COLUMN y TEXT' },
  ];
  assert.deepEqual(migrate(db, 'mem', steps.slice(0, 1)), [1]);
  assert.equal(schemaVersion(db), 1);
  assert.deepEqual(migrate(db, 'mem', steps), [2]);
  assert.deepEqual(migrate(db, 'mem', steps), []);
  db.prepare('INSERT INTO a (x, y) VALUES (1, ?)').run('ok');
  // A failing step leaves the previous version intact (transactional).
  const bad: Migration[] = [...steps, { version: 3, description: 'bad', sql: 'CREATE TABLE c (x); SELECT * FROM nope' }];
  assert.throws(() => migrate(db, 'mem', bad), /no such table: nope/);
  assert.equal(schemaVersion(db), 2);
  assert.equal((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'c'").get() as { n: number }).n, 0);
  // Downgrade: the database is newer than the code.
  assert.throws(() => migrate(db, '/x/state.db', steps.slice(0, 1)), /\/x\/state\.db has schema version 2, newer than this build supports \(1\)/);
  db.close();
});

test('silences repository: put, update, get, list, delete, retention; durable across reopen', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    let st = openStateStore({ file });
    const m = [{ name: 'alertname', value: 'A.*', isRegex: true, isEqual: true }];
    st.silences.put({ id: 's1', matchers: m, startsAt: 1000, endsAt: 5000, updatedAt: 1000, createdBy: 'me', comment: 'c' });
    st.silences.put({ id: 's2', matchers: m, startsAt: 2000, endsAt: 9000, updatedAt: 2000, createdBy: 'you', comment: 'd' });
    st.silences.put({ id: 's1', matchers: m, startsAt: 1000, endsAt: 3000, updatedAt: 2500, createdBy: 'me', comment: 'edited' });
    assert.equal(st.silences.get('s1')?.comment, 'edited');
    st.close();
    st = openStateStore({ file });
    assert.deepEqual(st.silences.all().map((s) => [s.id, s.endsAt, s.updatedAt]), [['s2', 9000, 2000], ['s1', 3000, 2500]]);
    assert.deepEqual(st.silences.get('s2')?.matchers, m);
    assert.equal(st.silences.deleteEndedBefore(3000), 1);
    assert.equal(st.silences.delete('s2'), true);
    assert.equal(st.silences.delete('s2'), false);
    assert.deepEqual(st.silences.all(), []);
    st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('notification log repository: upsert per receiver and group, expiry, reopen', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    let st = openStateStore({ file });
    const r = { groupName: 'team', integration: 'webhook', idx: 0 };
    st.nflog.put({ groupKey: '{}:{a="1"}', receiver: r, firingAlerts: ['f1'], resolvedAlerts: [], timestamp: 10, expiresAt: 100 });
    st.nflog.put({ groupKey: '{}:{a="1"}', receiver: r, firingAlerts: ['f1', 'f2'], resolvedAlerts: ['f0'], timestamp: 20, expiresAt: 200 });
    st.nflog.putMany([{ groupKey: '{}:{a="2"}', receiver: { ...r, idx: 1 }, firingAlerts: [], resolvedAlerts: ['x'], timestamp: 15, expiresAt: 50 }]);
    st.close();
    st = openStateStore({ file });
    const all = st.nflog.all();
    assert.equal(all.length, 2);
    assert.deepEqual(all[1], { groupKey: '{}:{a="1"}', receiver: r, firingAlerts: ['f1', 'f2'], resolvedAlerts: ['f0'], timestamp: 20, expiresAt: 200 });
    assert.equal(st.nflog.deleteExpired(50), 1);
    assert.equal(st.nflog.all().length, 1);
    st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('alert history repository: insert assigns ids, update, query filters, retention and cap', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    let st = openStateStore({ file });
    const mk = (name: string, startsAt: number, endsAt: number): HistoryRow => ({ fingerprint: `fp-${name}`, alertname: name, severity: 'critical', labels: { alertname: name, severity: 'critical' }, annotations: {}, startsAt, endsAt, notifications: {} });
    const a = mk('A', 100, 200);
    const b = mk('B', 150, 1000);
    const c = mk('A', 300, 400);
    st.history.save([a, b, c]);
    assert.ok(a.id! < b.id! && b.id! < c.id!);
    b.notifications = { pager: 2, mail: 1 };
    b.endsAt = 900;
    st.history.save([b]);
    st.close();
    st = openStateStore({ file });
    const rows = st.history.all();
    assert.deepEqual(rows.map((r) => [r.alertname, r.startsAt, r.endsAt]), [['A', 100, 200], ['B', 150, 900], ['A', 300, 400]]);
    assert.deepEqual(rows[1]!.notifications, { pager: 2, mail: 1 });
    assert.deepEqual(rows[1]!.labels, { alertname: 'B', severity: 'critical' });
    assert.deepEqual(st.history.query({ alertname: 'A' }).map((r) => r.startsAt), [100, 300]);
    assert.deepEqual(st.history.query({ from: 250, to: 350 }).map((r) => r.alertname), ['B', 'A']);
    assert.deepEqual(st.history.query({ limit: 1 }).map((r) => r.startsAt), [300]);
    assert.equal(st.history.deleteEndedBefore(200), 1);
    assert.equal(st.history.deleteOlderThan(c.id!), 1);
    assert.deepEqual(st.history.all().map((r) => r.id), [c.id]);
    st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('meta values and transactions: all writes commit together or none do', () => {
  const dir = tmp();
  try {
    const st = openStateStore({ file: join(dir, 'state.db') });
    st.setMeta('k', 'v1');
    st.setMeta('k', 'v2');
    assert.equal(st.getMeta('k'), 'v2');
    assert.equal(st.getMeta('missing'), undefined);
    assert.throws(() =>
      st.transaction(() => {
        st.silences.put({ id: 'x', matchers: [], startsAt: 1, endsAt: 2, updatedAt: 1, createdBy: '', comment: '' });
        throw new Error('abort');
      }),
    /abort/);
    assert.equal(st.silences.get('x'), undefined);
    st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt database file is moved aside, logged by name, and a fresh one started', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    const junk = Buffer.alloc(8192, 0x5a);
    writeFileSync(file, junk);
    const logs: string[] = [];
    const st = openStateStore({ file, logger: createLogger({ level: 'error', write: (l) => logs.push(l) }) });
    assert.equal(st.schemaVersion, LATEST_VERSION);
    st.silences.put({ id: 'new', matchers: [], startsAt: 1, endsAt: 2, updatedAt: 1, createdBy: '', comment: '' });
    st.close();
    const aside = readdirSync(dir).filter((f) => f.startsWith('state.db.corrupt-'));
    assert.equal(aside.length, 1);
    assert.deepEqual(readFileSync(join(dir, aside[0]!)), junk, 'the bad file is kept as it was');
    const log = logs.join('\n');
    assert.match(log, /state database unreadable; moved aside/);
    assert.ok(log.includes(file) && log.includes(aside[0]!), log);
    assert.match(log, /not a database/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database damaged inside (valid header, garbage pages) is detected and replaced', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    const st = openStateStore({ file });
    st.history.save(Array.from({ length: 300 }, (_, i) => ({ fingerprint: `f${i}`, alertname: 'A'.repeat(200), severity: '', labels: { i: String(i) }, annotations: {}, startsAt: i, endsAt: i + 1, notifications: {} })));
    st.close();
    const buf = readFileSync(file);
    assert.ok(buf.length > 4 * 4096);
    // Overwrite pages after the first (schema stays readable, b-tree pages are garbage).
    buf.fill(0xa5, 4096 * 2, buf.length);
    writeFileSync(file, buf);
    const logs: string[] = [];
    const again = openStateStore({ file, logger: createLogger({ level: 'error', write: (l) => logs.push(l) }) });
    assert.deepEqual(again.history.all(), []);
    again.close();
    assert.match(logs.join('\n'), /moved aside/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second open of the same database (this process or another) fails with a clear error', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    const st = openStateStore({ file });
    st.silences.put({ id: 'kept', matchers: [], startsAt: 1, endsAt: 2, updatedAt: 1, createdBy: '', comment: '' });
    assert.throws(() => openStateStore({ file, lockTimeoutMs: 10 }), (e: unknown) => e instanceof StateStoreError && e.message.includes(file) && /in use/.test(e.message));
    // Another process: same answer, and the file is not moved aside.
    const child = spawnSync(process.execPath, ['-e', `const D=require(${JSON.stringify(require_('better-sqlite3'))});const d=new D(${JSON.stringify(file)},{timeout:10});d.pragma('locking_mode = EXCLUSIVE');try{d.exec('BEGIN EXCLUSIVE; COMMIT');console.log('acquired')}catch(e){console.log(e.code)}`], { encoding: 'utf8' });
    assert.match(child.stdout, /SQLITE_BUSY/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('corrupt')), []);
    st.close();
    // Once closed it opens again, data intact.
    const again = openStateStore({ file });
    assert.equal(again.silences.get('kept')?.id, 'kept');
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function require_(name: string): string {
  return import.meta.resolve(name).replace(/^file:\/\//, '');
}

test('committed writes survive the process being killed (SIGKILL right after the call returns)', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'state.db');
    const mod = new URL('./index.js', import.meta.url).href;
    const code = `const { openStateStore } = await import(${JSON.stringify(mod)});
      const st = openStateStore({ file: ${JSON.stringify(file)} });
      for (let i = 0; i < 20; i++) st.silences.put({ id: 's' + i, matchers: [], startsAt: i, endsAt: i + 1, updatedAt: i, createdBy: '', comment: '' });
      st.history.save([{ fingerprint: 'f', alertname: 'A', severity: '', labels: {}, annotations: {}, startsAt: 1, endsAt: 2, notifications: { r: 1 } }]);
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), '--input-type=module', '-e', code], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const st = openStateStore({ file });
    assert.equal(st.silences.all().length, 20);
    assert.deepEqual(st.history.all()[0]?.notifications, { r: 1 });
    st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
