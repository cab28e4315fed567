// Alertmanager API v2 (the subset amtool, Prometheus and Grafana use), JSON shapes as
// Alertmanager's OpenAPI spec. Errors: 400 with a message, as go-swagger responds.
import { compileAnchoredRegex, type Matcher } from '../../model/index.js';
import type { Router } from '../../web/router.js';
import { amJSON, badRequest, empty, jsonBody, swaggerError } from './respond.js';
import { ALERTMANAGER_API_VERSION, iso, toGettableAlert, toGettableSilence, type GettableAlert } from './models.js';
import { VERSION } from '../../version.js';
import type { Alertmanager } from '../alertmanager.js';
import { parseMatcher } from '../matchers.js';
import { SilenceError, type SilenceMatcher } from '../silence/index.js';
import { compareAlerts, labelSetBefore, labelSetString, type Alert, type PostableAlert } from '../types.js';
import { matches } from '../../model/index.js';
import { registerHistoryRoutes } from './history.js';
import { redactConfigText } from '../config/redact.js';
import type { AlertmanagerConfig } from '../config/index.js';

const redacted = new WeakMap<AlertmanagerConfig, string>();
function redactedOriginal(c: AlertmanagerConfig): string {
  let r = redacted.get(c);
  if (r === undefined) {
    r = redactConfigText(c.original);
    redacted.set(c, r);
  }
  return r;
}

export interface AlertmanagerRouteDeps {
  am: Alertmanager;
  /** Path prefix, e.g. "" (standalone) or "/alertmanager". */
  prefix?: string;
}

function boolParam(q: URLSearchParams, name: string, def: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return def;
  // go-swagger reads anything else as false.
  return v === 'true' || v === '1';
}

/** API filter semantics: an empty-valued matcher also matches a missing label. */
function matchFilter(ms: Matcher[], labels: Record<string, string>): boolean {
  for (const m of ms) {
    const v = labels[m.name];
    const present = v !== undefined;
    if (m.type === '!=' || m.type === '!~') {
      if (m.value === '' && present) continue;
    } else if (m.value === '' && !present) continue;
    if (!matches(m, v ?? '')) return false;
  }
  return true;
}

const STATE_ORDER = { active: 1, pending: 2, expired: 3 } as const;

interface AlertQuery { matchers: Matcher[]; receiver?: RegExp; active: boolean; silenced: boolean; inhibited: boolean }

function parseAlertQuery(q: URLSearchParams): AlertQuery {
  const matchers = q.getAll('filter').map((f) => parseMatcher(f));
  const r = q.get('receiver');
  let receiver: RegExp | undefined;
  if (r !== null && r !== '') {
    try {
      receiver = compileAnchoredRegex(r);
    } catch (e) {
      throw new Error(`failed to parse receiver param: ${(e as Error).message}`);
    }
  }
  return { matchers, receiver, active: boolParam(q, 'active', true), silenced: boolParam(q, 'silenced', true), inhibited: boolParam(q, 'inhibited', true) };
}

function alertPasses(am: Alertmanager, a: Alert, q: AlertQuery, now: number): boolean {
  if (a.endsAt !== 0 && a.endsAt < now) return false;
  const st = am.alertStatus(a);
  if (!q.active && st.state === 'active') return false;
  if (!q.silenced && st.silencedBy.length > 0) return false;
  if (!q.inhibited && st.inhibitedBy.length > 0) return false;
  return matchFilter(q.matchers, a.labels);
}

export function registerAlertmanagerRoutes(router: Router, deps: AlertmanagerRouteDeps): void {
  const { am } = deps;
  const p = deps.prefix ?? '';
  registerHistoryRoutes(router, am, p);

  router.get(`${p}/api/v2/status`, (_req, res) => {
    amJSON(res, 200, {
      cluster: { status: 'disabled', peers: [] },
      // `version` is the Alertmanager release whose API Vigil implements (amtool warns on a
      // mismatch); Vigil's own version is in `revision`.
      versionInfo: { branch: 'vigil', buildDate: '', buildUser: 'vigil', goVersion: `node${process.versions.node}`, revision: `vigil-${VERSION}`, version: ALERTMANAGER_API_VERSION },
      config: { original: redactedOriginal(am.config) },
      uptime: iso(am.startedAt),
    });
  });

  router.get(`${p}/api/v2/receivers`, (_req, res) => {
    amJSON(res, 200, am.config.receivers.map((r) => ({ name: r.name })));
  });

  router.get(`${p}/api/v2/alerts`, (req, res) => {
    let q: AlertQuery;
    try {
      q = parseAlertQuery(req.query);
    } catch (e) {
      return badRequest(res, (e as Error).message);
    }
    const now = am.clock.now();
    const out: GettableAlert[] = [];
    for (const a of am.store.list()) {
      const receivers = am.receiversFor(a.labels);
      if (q.receiver && !receivers.some((r) => q.receiver!.test(r))) continue;
      if (!alertPasses(am, a, q, now)) continue;
      out.push(toGettableAlert(am, a, receivers));
    }
    out.sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : x.fingerprint > y.fingerprint ? 1 : 0));
    amJSON(res, 200, out);
  });

  router.post(`${p}/api/v2/alerts`, async (req, res) => {
    const body = await jsonBody(req, res, 'alerts');
    if (body === undefined) return;
    if (!Array.isArray(body)) return swaggerError(res, 400, 400, `parsing alerts body from "" failed, because json: cannot unmarshal ${body === null ? 'null' : typeof body === 'object' ? 'object' : typeof body} into Go value of type models.PostableAlerts`);
    for (const a of body as { startsAt?: unknown; endsAt?: unknown }[]) {
      for (const f of ['startsAt', 'endsAt'] as const) {
        const t = a?.[f];
        if (t !== undefined && t !== null && (typeof t !== 'string' || Number.isNaN(Date.parse(t)))) {
          return swaggerError(res, 400, 400, `parsing alerts body from "" failed, because parsing time ${JSON.stringify(String(t))} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(String(t))} as RFC 3339`);
        }
      }
    }
    for (let i = 0; i < body.length; i++) {
      const a = body[i] as { labels?: unknown } | null;
      if (!a || typeof a !== 'object' || a.labels === undefined || a.labels === null) return swaggerError(res, 422, 602, `${i}.labels in body is required`);
    }
    const r = am.putAlerts(body as PostableAlert[]);
    if (r.errors.length) return badRequest(res, r.errors.join('; '));
    empty(res, 200);
  });

  router.get(`${p}/api/v2/alerts/groups`, (req, res) => {
    let q: AlertQuery;
    try {
      q = parseAlertQuery(req.query);
    } catch (e) {
      return badRequest(res, (e as Error).message);
    }
    const now = am.clock.now();
    const groups: { alerts: GettableAlert[]; labels: Record<string, string>; receiver: { name: string } }[] = [];
    const receiversByFp = new Map<string, string[]>();
    const selected: { g: ReturnType<Alertmanager['groups']>[number]; alerts: Alert[] }[] = [];
    for (const g of am.groups()) {
      const recv = g.route.opts.receiver;
      if (q.receiver && !q.receiver.test(recv)) continue;
      const alerts: Alert[] = [];
      for (const a of g.alerts.values()) {
        const cur = am.store.get(a.fingerprint) ?? a;
        if (!alertPasses(am, cur, q, now)) continue;
        alerts.push(cur);
        const l = receiversByFp.get(cur.fingerprint) ?? [];
        l.push(recv);
        receiversByFp.set(cur.fingerprint, l);
      }
      if (alerts.length) selected.push({ g, alerts });
    }
    for (const { g, alerts } of selected) {
      alerts.sort(compareAlerts);
      groups.push({
        alerts: alerts.map((a) => toGettableAlert(am, a, [...(receiversByFp.get(a.fingerprint) ?? [])].sort())),
        labels: g.labels,
        receiver: { name: g.route.opts.receiver },
      });
    }
    // Alertmanager's AlertGroups order: by label set (LabelSet.Before), then receiver name.
    groups.sort((a, b) => {
      if (labelSetString(a.labels) === labelSetString(b.labels)) return a.receiver.name < b.receiver.name ? -1 : a.receiver.name > b.receiver.name ? 1 : 0;
      return labelSetBefore(a.labels, b.labels) ? -1 : labelSetBefore(b.labels, a.labels) ? 1 : 0;
    });
    amJSON(res, 200, groups);
  });

  router.get(`${p}/api/v2/silences`, (req, res) => {
    let filter: Matcher[];
    try {
      filter = req.query.getAll('filter').map((f) => parseMatcher(f));
    } catch (e) {
      return badRequest(res, (e as Error).message);
    }
    const now = am.clock.now();
    const out = am.silences
      .list()
      .filter((s) =>
        filter.every((f) =>
          s.matchers.some((m) => m.name === f.name && m.value === f.value && m.isRegex === (f.type === '=~' || f.type === '!~') && m.isEqual === (f.type === '=' || f.type === '=~')),
        ),
      )
      .map((s) => toGettableSilence(s, now));
    out.sort((a, b) => {
      if (a.status.state !== b.status.state) return STATE_ORDER[a.status.state] - STATE_ORDER[b.status.state];
      if (a.status.state === 'active') return Date.parse(a.endsAt) - Date.parse(b.endsAt);
      if (a.status.state === 'pending') return Date.parse(a.startsAt) - Date.parse(b.startsAt);
      return Date.parse(b.endsAt) - Date.parse(a.endsAt);
    });
    amJSON(res, 200, out);
  });

  router.post(`${p}/api/v2/silences`, async (req, res) => {
    const body = (await jsonBody(req, res, 'silence')) as Record<string, unknown> | undefined;
    if (body === undefined) return;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return swaggerError(res, 400, 400, 'silence in body must be an object');
    for (const f of ['comment', 'createdBy', 'endsAt', 'matchers', 'startsAt']) {
      if (body[f] === undefined || body[f] === null) return swaggerError(res, 422, 602, `${f} in body is required`);
    }
    if (!Array.isArray(body.matchers)) return swaggerError(res, 422, 602, 'matchers in body must be of type array');
    if (body.matchers.length < 1) return swaggerError(res, 422, 612, 'matchers in body should have at least 1 items');
    const matchers: SilenceMatcher[] = [];
    for (const [i, raw] of (body.matchers as unknown[]).entries()) {
      const m = raw as Record<string, unknown>;
      if (!m || typeof m !== 'object') return swaggerError(res, 422, 602, `matchers.${i} in body must be an object`);
      for (const f of ['name', 'value', 'isRegex']) if (m[f] === undefined || m[f] === null) return swaggerError(res, 422, 602, `matchers.${i}.${f} in body is required`);
      if (typeof m.name !== 'string' || typeof m.value !== 'string' || typeof m.isRegex !== 'boolean' || (m.isEqual !== undefined && typeof m.isEqual !== 'boolean')) {
        return swaggerError(res, 422, 602, `matchers.${i}: name and value must be strings, isRegex and isEqual booleans`);
      }
      matchers.push({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual === undefined ? true : (m.isEqual as boolean) });
    }
    const startsAt = Date.parse(String(body.startsAt));
    const endsAt = Date.parse(String(body.endsAt));
    if (Number.isNaN(startsAt)) return swaggerError(res, 422, 602, `startsAt in body must be of type date-time: "${String(body.startsAt)}"`);
    if (Number.isNaN(endsAt)) return swaggerError(res, 422, 602, `endsAt in body must be of type date-time: "${String(body.endsAt)}"`);
    if (startsAt >= endsAt) return badRequest(res, 'Failed to create silence: start time must be before end time');
    if (endsAt < am.clock.now()) return badRequest(res, "Failed to create silence: end time can't be in the past");
    try {
      const id = am.silences.set({
        id: typeof body.id === 'string' ? body.id : '',
        matchers,
        startsAt,
        endsAt,
        createdBy: String(body.createdBy),
        comment: String(body.comment),
      });
      amJSON(res, 200, { silenceID: id });
    } catch (e) {
      if (e instanceof SilenceError && e.notFound) return amJSON(res, 404, e.message);
      // Anything else is the state store failing to commit: not acknowledged, not the client's fault.
      if (!(e instanceof SilenceError)) return amJSON(res, 500, `Failed to store silence: ${(e as Error).message}`);
      badRequest(res, (e as Error).message);
    }
  });

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  router.get(`${p}/api/v2/silence/:id`, (req, res) => {
    const id = req.params.id!;
    if (!UUID.test(id)) return swaggerError(res, 422, 601, `silenceID in path must be of type uuid: "${id}"`);
    const s = am.silences.get(id);
    if (!s) return empty(res, 404);
    amJSON(res, 200, toGettableSilence(s, am.clock.now()));
  });

  router.delete(`${p}/api/v2/silence/:id`, (req, res) => {
    const id = req.params.id!;
    if (!UUID.test(id)) return swaggerError(res, 422, 601, `silenceID in path must be of type uuid: "${id}"`);
    try {
      am.silences.expire(id);
      empty(res, 200);
    } catch (e) {
      // Alertmanager 0.25 answers 500 for any expiry failure, unknown IDs included.
      amJSON(res, 500, (e as Error).message);
    }
  });
}

