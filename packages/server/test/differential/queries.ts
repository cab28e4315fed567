// Generated PromQL queries covering functions, operators, aggregations and modifiers whose
// semantics are the same in Prometheus 2.42 and 3.x (the engines under comparison).
const counter = ['http_requests_total', 'http_requests_total{method="GET"}', 'http_requests_total{status=~"5..|4.."}', 'node_cpu_seconds_total{mode!="idle"}'];
const gauge = ['node_load1', 'node_memory_MemAvailable_bytes', 'node_load1{instance!~"10.0.0.2.*"}'];
const ranges = ['1m', '5m', '17m', '1h'];

export function generateQueries(): string[] {
  const q: string[] = [];
  // range-vector functions
  for (const f of ['rate', 'irate', 'increase', 'resets']) for (const s of counter) for (const r of ranges.slice(0, 3)) q.push(`${f}(${s}[${r}])`);
  for (const f of ['delta', 'idelta', 'deriv', 'changes', 'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time']) {
    for (const s of gauge) for (const r of ['2m', '10m']) q.push(`${f}(${s}[${r}])`);
  }
  for (const s of gauge) {
    q.push(`quantile_over_time(0.9, ${s}[10m])`, `quantile_over_time(0.1, ${s}[1h])`);
    q.push(`predict_linear(${s}[10m], 600)`, `predict_linear(${s}[30m], -300)`);
    q.push(`absent_over_time(${s}[5m])`, `absent(${s})`);
  }
  q.push('absent(nonexistent_metric{job="x"})', 'absent_over_time(nonexistent[5m])');
  // aggregations
  const inner = ['rate(http_requests_total[5m])', 'node_load1', 'increase(node_cpu_seconds_total[10m])'];
  const groupings = ['', ' by (instance)', ' without (instance)', ' by (job, method)'];
  for (const agg of ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']) for (const g of groupings) for (const e of inner.slice(0, 2)) q.push(`${agg}${g} (${e})`);
  for (const g of groupings) {
    q.push(`topk${g} (2, rate(http_requests_total[5m]))`, `bottomk${g} (1, node_load1)`);
    q.push(`quantile${g} (0.75, rate(http_requests_total[5m]))`);
  }
  q.push('count_values("load", round(node_load1 * 10))', 'count_values by (instance) ("x", node_cpu_seconds_total > bool 0)');
  // histograms
  for (const g of ['le', 'le, instance']) {
    for (const p of ['0.5', '0.9', '0.99', '0']) q.push(`histogram_quantile(${p}, sum by (${g}) (rate(http_request_duration_seconds_bucket[5m])))`);
  }
  q.push('rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])');
  // binary operators, matching, set ops
  const a = 'rate(http_requests_total[5m])';
  for (const op of ['+', '-', '*', '/', '%', '^', '==', '!=', '>', '<', '>=', '<=']) {
    q.push(`node_load1 ${op} 0.5`, `2 ${op} node_load1`);
    if (!['==', '!=', '>', '<', '>=', '<='].includes(op)) q.push(`sum by (instance) (${a}) ${op} on (instance) node_load1`);
  }
  for (const op of ['==', '!=', '>', '<', '>=', '<=']) q.push(`node_load1 ${op} bool 0.5`, `sum by (instance) (${a}) ${op} bool on (instance) (node_load1 * 10)`);
  q.push(
    `${a} / on (instance) group_left node_load1`,
    `${a} * ignoring (method, status) group_left node_load1`,
    `node_load1 * on (instance) group_right sum by (instance, method) (${a})`,
    `${a} > 1 and on (instance) node_load1 > 0.5`,
    `${a} unless on (instance) node_load1 > 0.6`,
    `node_load1 > 0.7 or node_load1 < 0.3`,
    `node_load1 or node_memory_MemAvailable_bytes`,
    `node_load1 and node_load1 offset 5m`,
    '-node_load1', '+node_load1', '2 ^ 3 ^ 2', '(1 + 2) * 3 - 4 / 2 % 3', '1 - -1', 'node_load1 - node_load1 offset 1m',
  );
  // instant-vector functions
  for (const f of ['abs', 'ceil', 'floor', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn', 'timestamp', 'sort', 'sort_desc']) q.push(`${f}(node_load1 - 0.5)`);
  q.push('round(node_load1, 0.1)', 'round(node_memory_MemAvailable_bytes / 1e6)', 'clamp(node_load1, 0.2, 0.8)', 'clamp_min(node_load1, 0.5)', 'clamp_max(node_load1, 0.5)');
  q.push(
    'label_replace(node_load1, "host", "$1", "instance", "(.*):.*")',
    'label_replace(node_load1, "instance", "", "instance", ".*")',
    'label_join(node_load1, "combo", "-", "job", "instance")',
    'scalar(sum(node_load1))', 'vector(1)', 'time()', 'vector(time())',
    'hour()', 'minute()', 'day_of_week()', 'day_of_month()', 'days_in_month()', 'month()', 'year()',
    'hour(timestamp(node_load1))', 'minute(node_load1 * 1e9)',
    'node_load1 * scalar(count(node_load1))',
  );
  // modifiers and subqueries
  q.push(
    'node_load1 offset 10m', 'rate(http_requests_total[5m] offset 30m)', 'node_load1 offset -5m',
    'max_over_time(rate(http_requests_total[5m])[30m:1m])', 'avg_over_time(node_load1[20m:30s])',
    'min_over_time(sum by (instance) (rate(http_requests_total[2m]))[15m:])', 'deriv(node_load1[10m:1m])',
    'rate(http_requests_total[5m] @ end())', 'node_load1 @ start()', 'sum(node_load1 @ 1700003000)',
    'max_over_time(node_load1[5m:1m] offset 5m)',
    '{__name__=~"node_load.*"}', '{__name__="node_load1", instance=~".*1.*"}', 'node_load1{instance=~""}', 'node_load1{job=~"no.*|nod."}',
  );
  return q;
}
