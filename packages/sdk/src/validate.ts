// Name validation, done once when a metric or child is created, never at scrape time.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a valid Prometheus metric name (prom-client compatible helper). */
export function validateMetricName(name: string): boolean {
  return typeof name === 'string' && METRIC_NAME.test(name);
}

/** True when every name is a valid label name (prom-client compatible helper). */
export function validateLabelName(names: readonly string[] = []): boolean {
  return names.every((n) => typeof n === 'string' && LABEL_NAME.test(n));
}

export function checkMetricName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new Error('Missing mandatory name parameter');
  if (!METRIC_NAME.test(name)) {
    throw new Error(`Invalid metric name ${JSON.stringify(name)}: must match [a-zA-Z_:][a-zA-Z0-9_:]*`);
  }
  return name;
}

export function checkLabelName(metric: string, name: unknown, reserved?: string): string {
  if (typeof name !== 'string' || !LABEL_NAME.test(name)) {
    throw new Error(`Invalid label name ${JSON.stringify(name)} for metric ${metric}: must match [a-zA-Z_][a-zA-Z0-9_]*`);
  }
  if (name.startsWith('__')) {
    throw new Error(`Invalid label name ${JSON.stringify(name)} for metric ${metric}: names starting with "__" are reserved`);
  }
  if (reserved !== undefined && name === reserved) {
    throw new Error(`Invalid label name "${name}" for metric ${metric}: ${reserved} is a reserved label keyword`);
  }
  return name;
}

export function checkLabelNames(metric: string, names: unknown, reserved?: string): string[] {
  if (names === undefined || names === null) return [];
  if (!Array.isArray(names)) throw new Error(`labelNames for metric ${metric} must be an array of strings`);
  const seen = new Set<string>();
  for (const n of names) {
    checkLabelName(metric, n, reserved);
    if (seen.has(n)) throw new Error(`Duplicate label name ${JSON.stringify(n)} for metric ${metric}`);
    seen.add(n);
  }
  return [...names] as string[];
}
