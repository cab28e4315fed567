// Insight over the real storage and query engine: source samples go into an in-memory TSDB, the
// InsightManager evaluates its job through the PromQL engine and writes scores and bands back,
// and PromQL reads them like any series (alert-style expressions included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTSDB } from '../src/tsdb/index.js';
import { Engine } from '../src/promql/index.js';
import { CfgNode } from '../src/config/node.js';
import { labelsOf, getLabel } from '../src/model/labels.js';
import { InsightManager, engineQueryFn, parseAnomalyConfig } from '../src/insight/index.js';

const STEP = 60_000;
const T0 = Date.UTC(2024, 0, 1);

test('scores and threshold bands are ordinary series PromQL can alert on', async () => {
  const db = await openTSDB({});
  try {
    const engine = new Engine({});
    const cfg = parseAnomalyConfig(CfgNode.parse(`
anomaly:
  jobs:
    - name: lat
      expr: 'latency_seconds{job="api"}'
      interval: 1m
      seasonality: none
`, 'vigil.yml').get('anomaly'));
    const m = new InsightManager(cfg, { query: engineQueryFn(engine, db), appendable: db });
    const N = 1200;
    for (let i = 0; i < N; i++) {
      const t = T0 + i * STEP;
      const app = db.appender();
      for (const inst of ['a', 'b']) {
        const v = 0.2 + 0.01 * Math.sin(i / 7) + ((i * 31 + inst.charCodeAt(0)) % 7) * 0.001 + (inst === 'a' && i >= N - 8 ? 1 : 0);
        app.append(0, labelsOf('__name__', 'latency_seconds', 'job', 'api', 'instance', inst), t, v);
      }
      await app.commit();
      await m.evaluate('lat', t);
    }
    const end = T0 + (N - 1) * STEP;
    const score = await engine.instantQuery(db, 'max_over_time(vigil_anomaly_score{detector="ensemble"}[60m]) >= 0.5', end);
    assert.equal(score.value.type, 'vector');
    const hits = score.value.type === 'vector' ? score.value.samples.map((s) => getLabel(s.labels, 'instance')) : [];
    assert.deepEqual(hits, ['a']);
    const above = await engine.instantQuery(db, 'latency_seconds > vigil_threshold_upper', end);
    // The last 8 samples of instance a (< 1% of its history) are far above its learnt p99.
    assert.ok(above.value.type === 'vector' && above.value.samples.some((s) => getLabel(s.labels, 'instance') === 'a'));
    const bands = await engine.instantQuery(db, 'vigil_threshold_upper - vigil_threshold_lower', end);
    assert.ok(bands.value.type === 'vector' && bands.value.samples.length === 2 && bands.value.samples.every((s) => s.v > 0));
    // Explain the anomalous series: expected range excludes what was observed.
    const [ex] = m.explain([{ type: '=', name: 'instance', value: 'a' }]);
    assert.ok(ex && ex.observed > 1 && ex.band && ex.observed > ex.band.upper);
  } finally {
    await db.close();
  }
});
