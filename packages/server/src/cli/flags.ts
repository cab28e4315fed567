// Prometheus-style flag parsing: --name=value, --name value, --bool / --no-bool; repeated flags
// collect into arrays. Unknown flags are errors naming the flag.

export interface FlagSpec {
  name: string;
  help: string;
  default?: string | boolean;
  type?: 'string' | 'bool' | 'list';
}

export interface ParsedFlags {
  values: Record<string, string | boolean | string[]>;
  positional: string[];
}

export class UsageError extends Error {}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, string | boolean | string[]> = {};
  for (const s of specs) {
    if (s.type === 'list') values[s.name] = [];
    else if (s.default !== undefined) values[s.name] = s.default;
  }
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'bool') {
      spec = byName.get(name.slice(3));
      name = name.slice(3);
      value = 'false';
    }
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (spec.type === 'bool') {
      values[name] = value === undefined ? true : !['false', '0', 'no'].includes(value);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag --${name} needs a value`);
      value = argv[++i]!;
    }
    if (spec.type === 'list') (values[name] as string[]).push(value);
    else values[name] = value;
  }
  return { values, positional };
}

export function flagsHelp(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => {
      const def = s.default !== undefined && s.default !== '' ? ` (default: ${s.default})` : '';
      const arg = s.type === 'bool' ? '' : '=<value>';
      return `  --${s.name}${arg}\n      ${s.help}${def}`;
    })
    .join('\n');
}

export function str(p: ParsedFlags, name: string): string {
  const v = p.values[name];
  return typeof v === 'string' ? v : '';
}

export function bool(p: ParsedFlags, name: string): boolean {
  return p.values[name] === true;
}

export function list(p: ParsedFlags, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : [];
}
