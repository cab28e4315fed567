// A small writer for the Prometheus text format: families with HELP/TYPE, then samples.

export type FamilyType = 'counter' | 'gauge' | 'untyped';

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

export class ExpositionWriter {
  private out: string[] = [];
  private family = '';

  /** Starts a family; samples added next belong to it. */
  family_(name: string, help: string, type: FamilyType): this {
    this.family = name;
    this.out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  /** Adds a sample of the current family (or of `name` when given). Label order is kept. */
  sample(labels: Record<string, string> | null, value: number, name = this.family): this {
    let ls = '';
    if (labels) {
      const parts: string[] = [];
      for (const k of Object.keys(labels)) parts.push(`${k}="${escapeValue(labels[k]!)}"`);
      if (parts.length) ls = `{${parts.join(',')}}`;
    }
    this.out.push(`${name}${ls} ${formatValue(value)}`);
    return this;
  }

  /** A family with one unlabeled sample. */
  single(name: string, help: string, type: FamilyType, value: number): this {
    return this.family_(name, help, type).sample(null, value);
  }

  text(): string {
    return this.out.length ? this.out.join('\n') + '\n' : '';
  }
}
