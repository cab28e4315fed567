// file_sd_configs: target groups from JSON or YAML files (globs in the file name allowed),
// re-read when the files change (fs.watch on their directories) and every refresh_interval.
// A file that fails to parse keeps its previous targets; the error is logged and counted.
import { readFileSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYAML } from 'yaml';
import type { Logger } from '../util/log.js';
import type { FileSDConfig, TargetGroup } from './config.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses the content of one SD file into target groups; throws with a message naming the problem. */
export function parseFileSDContent(text: string, path: string): TargetGroup[] {
  const isJSON = /\.json$/i.test(path);
  let doc: unknown;
  try {
    doc = isJSON ? JSON.parse(text) : parseYAML(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc == null) return [];
  if (!Array.isArray(doc)) throw new Error(`${path}: expected a list of target groups`);
  return doc.map((g: unknown, i: number): TargetGroup => {
    if (typeof g !== 'object' || g === null || Array.isArray(g)) throw new Error(`${path}: group ${i}: expected an object with targets and labels`);
    const o = g as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'targets' && k !== 'labels') throw new Error(`${path}: group ${i}: field ${k} not found`);
    const targets = o.targets ?? [];
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) throw new Error(`${path}: group ${i}: targets must be a list of strings`);
    const labels: Record<string, string> = {};
    const ls = o.labels ?? {};
    if (typeof ls !== 'object' || ls === null || Array.isArray(ls)) throw new Error(`${path}: group ${i}: labels must be a mapping`);
    for (const [k, v] of Object.entries(ls as Record<string, unknown>)) {
      if (!LABEL_NAME.test(k)) throw new Error(`${path}: group ${i}: ${JSON.stringify(k)} is not a valid label name`);
      if (typeof v !== 'string') throw new Error(`${path}: group ${i}: label ${k} must be a string`);
      labels[k] = v;
    }
    labels.__meta_filepath = path;
    return { targets: targets as string[], labels, source: `${path}:${i}` };
  });
}

function globToRegExp(g: string): RegExp {
  return new RegExp('^' + g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
}

/** Expands a pattern (glob allowed in the last path element only, as Prometheus validates). */
export function expandFilePattern(pattern: string): string[] {
  const dir = dirname(pattern), base = basename(pattern);
  if (!/[*?]/.test(base)) return [pattern];
  try {
    const re = globToRegExp(base);
    return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export class FileSD {
  private readonly byFile = new Map<string, TargetGroup[]>();
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Read errors since start (exported as a metric by the manager). */
  readErrors = 0;

  constructor(
    private readonly cfg: FileSDConfig,
    private readonly onChange: (groups: TargetGroup[]) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.refresh();
    for (const dir of new Set(this.cfg.files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, () => this.scheduleRefresh());
        w.on('error', () => {});
        this.watchers.push(w);
      } catch (e) {
        this.logger.warn('file_sd: cannot watch directory; relying on refresh_interval', { dir, err: e as Error });
      }
    }
    this.timer = setInterval(() => this.refresh(), this.cfg.refreshIntervalMs);
    this.timer.unref();
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.refresh(), 50);
    this.debounce.unref();
  }

  /** Re-reads every matching file; emits when anything changed. */
  refresh(): void {
    if (this.stopped) return;
    const seen = new Set<string>();
    let changed = false;
    for (const pattern of this.cfg.files) {
      for (const path of expandFilePattern(pattern)) {
        seen.add(path);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
          this.readErrors++;
          this.logger.error('file_sd: cannot read file', { path, err: e as Error });
          continue;
        }
        try {
          const groups = parseFileSDContent(text, path);
          const prev = this.byFile.get(path);
          if (!prev || JSON.stringify(prev) !== JSON.stringify(groups)) changed = true;
          this.byFile.set(path, groups);
        } catch (e) {
          this.readErrors++;
          if (this.byFile.has(path)) seen.add(path);
          this.logger.error('file_sd: invalid file; keeping its previous targets', { path, err: e as Error });
        }
      }
    }
    for (const path of [...this.byFile.keys()]) {
      if (!seen.has(path)) {
        this.byFile.delete(path);
        changed = true;
      }
    }
    if (changed || !this.emitted) {
      this.emitted = true;
      this.onChange(this.groups());
    }
  }
  private emitted = false;

  groups(): TargetGroup[] {
    return [...this.byFile.values()].flat();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
  }
}
