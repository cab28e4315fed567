// RE2 (Go regexp) patterns run on JS RegExp: translate the syntax JS spells differently, reject
// what RE2 rejects (backreferences, lookaround), anchor as Prometheus does (^(?:re)$), and expand
// replacement templates exactly like Go's Regexp.Expand.

export class RegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexError';
  }
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Translates an RE2 pattern body into JS syntax plus flags; throws RegexError for RE2 errors. */
export function translateRE2(src: string): { body: string; flags: string } {
  let flags = '';
  let out = '';
  let i = 0;
  // Leading global flags, e.g. (?i) or (?is).
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1]!.includes('U')) throw new RegexError(`error parsing regexp: ungreedy flag (?U) is not supported: \`${src}\``);
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
    i = lead[0].length;
  }
  let inClass = false;
  let unicode = false;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const d = src[i + 1];
      if (d === undefined) throw new RegexError(`error parsing regexp: trailing backslash at end of expression: \`${src}\``);
      if (d === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += escapeLiteral(lit);
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      if (!inClass && d === 'z') {
        out += '(?![\\s\\S])';
        i += 2;
        continue;
      }
      if (!inClass && d === 'A') {
        out += '(?<![\\s\\S])';
        i += 2;
        continue;
      }
      if (d >= '1' && d <= '9') throw new RegexError(`error parsing regexp: invalid escape sequence: \`\\${d}\``);
      if (d === 'p' || d === 'P') {
        // RE2 \pL, \p{Lu}, \p{Greek}; JS spells scripts \p{Script=Greek}.
        unicode = true;
        let name: string;
        if (src[i + 2] === '{') {
          const end = src.indexOf('}', i + 3);
          if (end < 0) throw new RegexError(`error parsing regexp: invalid character class range: \`${src.slice(i)}\``);
          name = src.slice(i + 3, end);
          i = end + 1;
        } else {
          name = src[i + 2] ?? '';
          i += 3;
        }
        const neg = name.startsWith('^');
        if (neg) name = name.slice(1);
        const general = /^[LMNPSZC][a-z]?$/.test(name) || name === 'Any';
        out += `\\${neg !== (d === 'P') ? 'P' : 'p'}{${general ? (name === 'Any' ? 'Any' : name) : 'Script=' + name}}`;
        continue;
      }
      out += c + d;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        if (end > 0) {
          let name = src.slice(i + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const cls = POSIX[name];
          if (cls === undefined) throw new RegexError(`error parsing regexp: invalid character class range: \`[:${name}:]\``);
          if (neg) throw new RegexError(`negated POSIX class [:^${name}:] is not supported`);
          out += cls;
          i = end + 2;
          continue;
        }
      }
      if (c === ']') inClass = false;
      // JS (non-unicode) treats '[' inside a class literally, as RE2 does.
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (src[i] === '^') {
        out += '^';
        i++;
      }
      // A leading ']' is a literal in RE2.
      if (src[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
        continue;
      }
      if (rest.startsWith('<') && !rest.startsWith('<=') && !rest.startsWith('<!')) {
        out += '(?<'; // Go 1.22+ accepts (?<name>...)
        i += 3;
        continue;
      }
      throw new RegexError(`error parsing regexp: invalid or unsupported Perl syntax: \`(?${rest.slice(0, 2)}\``);
    }
    out += c;
    i++;
  }
  if (inClass) throw new RegexError(`error parsing regexp: missing closing ]: \`${src}\``);
  if (unicode) flags += 'u';
  return { body: out, flags };
}

/** Compiles an RE2 pattern anchored at both ends, as Prometheus relabel regexes are. */
export function compileAnchoredRE2(src: string): RegExp {
  const { body, flags } = translateRE2(src);
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (e) {
    throw new RegexError(`error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

/**
 * Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $; a name is the longest run of
 * word characters ($1x means ${1x}); unknown or unmatched groups expand to ""; a malformed
 * reference leaves the $ as text.
 */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  if (template.indexOf('$') < 0) return template;
  let out = '';
  let i = 0;
  const n = template.length;
  while (i < n) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (i < n && template.charCodeAt(i) === 36) {
      out += '$';
      i++;
      continue;
    }
    let brace = false;
    let j = i;
    if (j < n && template.charCodeAt(j) === 123) {
      brace = true;
      j++;
    }
    const ns = j;
    while (j < n && isWordChar(template.charCodeAt(j))) j++;
    const name = template.slice(ns, j);
    if (name === '' || (brace && (j >= n || template.charCodeAt(j) !== 125))) {
      out += '$';
      continue;
    }
    if (brace) j++;
    i = j;
    if (/^[0-9]+$/.test(name)) {
      if (name.length > 1 && name[0] === '0') continue; // leading zeros are not a number in Go
      const k = Number(name);
      if (k < m.length) out += m[k] ?? '';
    } else {
      out += m.groups?.[name] ?? '';
    }
  }
  return out;
}
