// Edge-case expositions scraped by Debian's Prometheus 2.42 and by Vigil: both must accept or
// reject each body the same way (target health), and store the same series when accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { findPeer } from '../src/testing/peers.js';
import { CfgNode } from '../src/config/node.js';
import { labelsToObject } from '../src/model/labels.js';
import { RecordingAppendable, ScrapeManager, parseGlobalConfig, parseScrapeConfigs, targetsResponse } from '../src/scrape/index.js';
import { freePort } from './peer-helpers.js';

const prom = findPeer('prometheus');
const TEXT = 'text/plain; version=0.0.4';
const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
// Explicit timestamps must be recent, or Prometheus's head rejects them as out of bounds.
const NOW = Date.now();

// name -> [content type, body]
const CASES: Record<string, [string, string]> = {
  plain: [TEXT, `# HELP a A.\n# TYPE a counter\na{x="1"} 1\nb 2 ${NOW}\n`],
  no_final_newline: [TEXT, 'a 1'],
  blank_lines_and_comments: [TEXT, '\n# just a comment\n\na 1\n\n'],
  trailing_comma: [TEXT, 'a{x="1",} 1\n'],
  escapes: [TEXT, 'a{x="q\\"uote\\\\back\\nnl"} 1\n'],
  special_values: [TEXT, 'a NaN\nb +Inf\nc -Inf\n'],
  bad_value: [TEXT, 'a one\n'],
  bad_label: [TEXT, 'a{1x="1"} 1\n'],
  unterminated: [TEXT, 'a{x="1} 1\n'],
  bad_type: [TEXT, '# TYPE a blob\na 1\n'],
  float_timestamp: [TEXT, 'a 1 1.5\n'],
  spaces_around_labels: [TEXT, 'a { x = "1" , y="2" } 1\n'],
  tabs: [TEXT, 'a\t1\n'],
  om_plain: [OM, `# TYPE a counter\n# HELP a A.\na_total{x="1"} 1 ${NOW / 1000}\n# EOF\n`],
  om_no_eof: [OM, '# TYPE a counter\na_total 1\n'],
  om_exemplar: [OM, `# TYPE a counter\na_total 1 # {trace_id="abc"} 1.0 ${NOW / 1000}\n# EOF\n`],
  om_double_space: [OM, 'a  1\n# EOF\n'],
  om_bad_unit: [OM, '# TYPE a_bytes gauge\n# UNIT a_bytes seconds\na_bytes 1\n# EOF\n'],
  duplicate_label: [TEXT, 'a{x="1",x="2"} 1\n'],
  help_no_text: [TEXT, '# HELP a\na 1\n'],
  help_escapes: [TEXT, '# HELP a x\\ny \\\\ z\na 1\n'],
  colon_name: [TEXT, 'a:b:c 1\n'],
  num_exp: [TEXT, 'a 1e3\nb 1E-3\n'],
  num_plus: [TEXT, 'a +1\n'],
  num_dot: [TEXT, 'a .5\nb 5.\n'],
  num_inf: [TEXT, 'a Inf\nb -inf\nc +Infinity\n'],
  num_nan_lower: [TEXT, 'a nan\n'],
  num_hexfloat: [TEXT, 'a 0x1p3\n'],
  plus_timestamp: [TEXT, `a 1 +${NOW}\n`],
  blank_line_spaces: [TEXT, 'a 1\n   \nb 2\n'],
  comment_no_space: [TEXT, '#comment\na 1\n'],
  help_no_space: [TEXT, '#HELP a x\na 1\n'],
  tab_after_hash: [TEXT, '#\tHELP a x\na 1\n'],
  om_newline_in_value: [OM, 'a{x="1\n2"} 1\n# EOF\n'],
  om_unit_no_text: [OM, '# UNIT a_bytes\na_bytes 1\n# EOF\n'],
  om_help_empty_text: [OM, '# HELP a \na 1\n# EOF\n'],
  underscore_number: [TEXT, 'a 1_000\n'],
  hex_int: [TEXT, 'a 0x10\n'],
  negative_timestamp: [TEXT, `a 1 -${NOW}\n`],
  leading_space: [TEXT, ' a 1\n'],
  unknown_escape: [TEXT, 'a{x="t\\tab"} 1\n'],
  newline_in_value: [TEXT, 'a{x="1\n2"} 1\n'],
  empty_value: [TEXT, 'a{x="",y="1"} 1\n'],
  empty_braces: [TEXT, 'a{} 1\n'],
  type_twice: [TEXT, '# TYPE a gauge\n# TYPE a gauge\na 1\n'],
  om_help_no_text: [OM, '# HELP a\na 1\n# EOF\n'],
  om_info: [OM, '# TYPE a info\na_info{v="1"} 1\n# EOF\n'],
  om_stateset: [OM, '# TYPE s stateset\ns{s="a"} 1\ns{s="b"} 0\n# EOF\n'],
  om_created: [OM, `# TYPE a counter\na_total 1\na_created ${NOW / 1000}\n# EOF\n`],
  om_space_in_labels: [OM, 'a{x="1", y="2"} 1\n# EOF\n'],
  om_int_timestamp: [OM, `a 1 ${Math.floor(NOW / 1000)}\n# EOF\n`],
  om_eof_no_newline: [OM, 'a 1\n# EOF'],
  om_comment: [OM, '# hello\na 1\n# EOF\n'],
  om_blank_line: [OM, 'a 1\n\n# EOF\n'],
  om_trailing_comma: [OM, 'a{x="1",} 1\n# EOF\n'],
  om_counter_no_total: [OM, '# TYPE a counter\na 1\n# EOF\n'],
  om_empty_exemplar: [OM, '# TYPE a counter\na_total 1 # {} 1\n# EOF\n'],
  om_special_values: [OM, 'a NaN\nb +Inf\nc -Inf\n# EOF\n'],
  om_negative_ts: [OM, 'a 1 -1.5\n# EOF\n'],
  om_type_mismatch: [OM, '# TYPE a counter\nb_total 1\n# EOF\n'],
  om_unknown_escape: [OM, 'a{x="t\\tab"} 1\n# EOF\n'],
  no_space_before_value: [TEXT, 'a{x="1"}1\n'],
  missing_comma: [TEXT, 'a{x="1" y="2"} 1\n'],
  duplicate_series: [TEXT, 'a 1\na 2\nb 3\n'],
  dotted_name_unquoted: [TEXT, 'a.b 1\n'],
  reserved_label: [TEXT, 'a{__x="1"} 1\n'],
  name_label: [TEXT, 'a{__name__="b"} 1\n'],
  trailing_comment: [TEXT, 'a 1 # c\n'],
  help_after_sample: [TEXT, 'a 1\n# HELP a late\n# TYPE a gauge\n'],
  crlf: [TEXT, 'a 1\r\nb 2\r\n'],
  help_blanks: [TEXT, '# HELP a  two  spaces  \n# HELP b\ttab\na 1\nb 1\n'],
  help_unknown_escape: [TEXT, '# HELP a x\\ty\\"z\na 1\n'],
  untyped: [TEXT, '# TYPE a untyped\na 1\n'],
  type_two_spaces: [TEXT, '# TYPE a  gauge\na 1\n'],
  om_unit: [OM, '# TYPE a_seconds gauge\n# UNIT a_seconds seconds\n# HELP a_seconds Time.\na_seconds 1\n# EOF\n'],
  type_trailing_blank: [TEXT, '# TYPE a counter  \na 1\n'],
  value_trailing_blank: [TEXT, 'a 1  \nb{x="y"} 2\t\n'],
  om_crlf: [OM, 'a 1\r\n# EOF\n'],
  om_type_trailing_blank: [OM, '# TYPE a gauge \na 1\n# EOF\n'],
};

test('Prometheus 2.42 and Vigil accept and reject the same expositions', { skip: prom.skip, timeout: 90_000 }, async () => {
  const srv = http.createServer((req, res) => {
    const name = (req.url ?? '').split('/')[1] ?? '';
    const c = CASES[name];
    if (!c) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': c[0] });
    res.end(c[1]);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const jobs = Object.keys(CASES)
    .map((n) => `  - job_name: ${n}\n    metrics_path: /${n}\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`)
    .join('');
  const yml = `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n${jobs}`;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-expo-compat-'));
  writeFileSync(join(dir, 'prometheus.yml'), yml);
  const pPort = await freePort();
  const p = spawn(prom.path!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${pPort}`], { stdio: 'ignore' });
  const rec = new RecordingAppendable();
  const m = new ScrapeManager({ appendable: rec });
  try {
    const root = CfgNode.parse(yml, 'prometheus.yml');
    m.applyConfig({ scrapeConfigs: parseScrapeConfigs(root.get('scrape_configs'), parseGlobalConfig(root.get('global'))) });
    await m.scrapeAllNow();
    const base = `http://127.0.0.1:${pPort}`;
    let theirs: { scrapePool: string; health: string; lastError: string }[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const r = (await (await fetch(`${base}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: typeof theirs } };
        theirs = r.data.activeTargets;
        if (theirs.length === Object.keys(CASES).length && theirs.every((t) => t.health !== 'unknown')) break;
      } catch {
        /* starting */
      }
      if (Date.now() > deadline) throw new Error('Prometheus did not scrape every case in time');
      await new Promise((r) => setTimeout(r, 200));
    }
    const ours = targetsResponse(m, 'active').activeTargets;
    const diff: string[] = [];
    for (const t of theirs) {
      const o = ours.find((x) => x.scrapePool === t.scrapePool)!;
      if (o.health !== t.health) diff.push(`${t.scrapePool}: prometheus ${t.health} (${t.lastError}) vs vigil ${o.health} (${o.lastError})`);
    }
    assert.deepEqual(diff, []);
    // Same series where accepted.
    // Cases whose samples Prometheus's storage rejects (too old) are compared on health only.
    const HEALTH_ONLY = new Set(['om_negative_ts']);
    const healthy = theirs.filter((t) => t.health === 'up' && !HEALTH_ONLY.has(t.scrapePool)).map((t) => t.scrapePool);
    const q = `{job=~"${healthy.join('|')}",__name__!~"up|scrape_.*"}`;
    const series = ((await (await fetch(`${base}/api/v1/series?match[]=${encodeURIComponent(q)}`)).json()) as { data: Record<string, string>[] }).data;
    const key = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort());
    const vigil = [...rec.series.values()]
      .filter((s) => s.n > 0)
      .map((s) => labelsToObject(s.labels))
      .filter((o) => healthy.includes(o.job!) && !/^(up|scrape_.*)$/.test(o.__name__!));
    assert.deepEqual(vigil.map(key).sort(), series.map(key).sort());
    // Same metadata (HELP/TYPE/UNIT) per target.
    const md = ((await (await fetch(`${base}/api/v1/targets/metadata`)).json()) as {
      data: { target: { job: string }; metric: string; type: string; help: string; unit: string }[];
    }).data;
    const theirMeta = md.filter((x) => healthy.includes(x.target.job)).map((x) => JSON.stringify([x.target.job, x.metric, x.type, x.help, x.unit])).sort();
    const ourMeta = targetsResponse(m, 'active').activeTargets
      .filter((a) => healthy.includes(a.scrapePool))
      .flatMap((a) => [...m.targets().active.find((t) => t.scrapePool === a.scrapePool)!.target.metadata].map(([metric, x]) => JSON.stringify([a.scrapePool, metric, x.type, x.help, x.unit])))
      .sort();
    assert.deepEqual(ourMeta, theirMeta);
  } finally {
    await m.stop();
    p.kill('SIGTERM');
    await new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
