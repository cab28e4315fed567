// filepath.Glob for rule_files: `*`, `?` and `[...]` within one path element, results sorted.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

function hasMeta(s: string): boolean {
  return /[*?[\\]/.test(s);
}

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) throw new Error(`syntax error in pattern: ${seg}`);
      let body = seg.slice(i + 1, end);
      if (body.startsWith('^')) body = '^' + body.slice(1).replace(/\\/g, '\\\\');
      else body = body.replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < seg.length) {
      re += seg[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expands a glob pattern (relative ones against baseDir); a pattern without meta returns itself if it exists. */
export function glob(pattern: string, baseDir = '.'): string[] {
  const abs = isAbsolute(pattern);
  const full = abs ? pattern : join(baseDir, pattern);
  if (!hasMeta(pattern)) {
    try {
      statSync(full);
      return [full];
    } catch {
      return [];
    }
  }
  const parts = full.split(sep);
  // Absolute: start at the root; relative: start at "." (and keep results relative).
  let paths = [parts[0] === '' ? sep : ''];
  for (let i = parts[0] === '' ? 1 : 0; i < parts.length; i++) {
    const seg = parts[i]!;
    if (seg === '') continue;
    const next: string[] = [];
    for (const p of paths) {
      if (!hasMeta(seg)) {
        const q = p === '' ? seg : join(p, seg);
        try {
          statSync(q);
          next.push(q);
        } catch {
          /* missing */
        }
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(p === '' ? '.' : p);
      } catch {
        continue;
      }
      const re = segmentRegex(seg);
      for (const n of names.sort()) if (re.test(n)) next.push(p === '' ? n : join(p, n));
    }
    paths = next;
  }
  return paths.sort();
}
