// Translates RE2 (Go regexp) syntax that JavaScript lacks into equivalent JS syntax:
// inline flag groups anywhere ((?i), (?i:...), (?-i), (?s)), named groups (?P<n>...), \z,
// \Q...\E and POSIX classes ([[:alpha:]]). Case-insensitivity is expanded into [aA] classes.

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

function foldChar(c: string): string {
  const l = c.toLowerCase(), u = c.toUpperCase();
  return l !== u ? `[${l}${u}]` : c;
}

/** Returns JS-compatible pattern text (not anchored) and whether dotall applies globally. */
export function translateRE2(src: string): string {
  let out = '';
  const stack: boolean[] = []; // case-insensitive state saved per group
  let ci = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        for (const ch of lit) out += /[\\^$.|?*+()[\]{}/]/.test(ch) ? '\\' + ch : ci ? foldChar(ch) : ch;
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      if (n === 'z') { out += '$(?![\\s\\S])'; i += 2; continue; }
      if (n === 'A') { out += '^'; i += 2; continue; }
      if ((n === 'p' || n === 'P') && src[i + 2] !== '{') { out += `\\${n}{${src[i + 2]}}`; i += 3; continue; }
      out += c + (n ?? '');
      i += 2;
      continue;
    }
    if (c === '[') {
      // Character class: copy up to the closing bracket, expanding POSIX classes and case.
      let j = i + 1;
      let cls = '[';
      if (src[j] === '^') { cls += '^'; j++; }
      if (src[j] === ']') { cls += '\\]'; j++; }
      while (j < src.length && src[j] !== ']') {
        if (src.startsWith('[:', j)) {
          const e = src.indexOf(':]', j);
          const name = src.slice(j + 2, e);
          const neg = name.startsWith('^');
          const body = POSIX[neg ? name.slice(1) : name];
          if (body !== undefined && !neg) { cls += body; j = e + 2; continue; }
        }
        if (src[j] === '\\') { cls += src[j]! + (src[j + 1] ?? ''); j += 2; continue; }
        if (src[j] === '[') { cls += '\\['; j++; continue; }
        const ch = src[j]!;
        if (ci && /[a-zA-Z]/.test(ch) && src[j + 1] === '-' && /[a-zA-Z]/.test(src[j + 2] ?? '')) {
          const a = ch, b = src[j + 2]!;
          cls += `${a}-${b}${a.toLowerCase()}-${b.toLowerCase()}${a.toUpperCase()}-${b.toUpperCase()}`;
          j += 3;
          continue;
        }
        cls += ci ? ch.toLowerCase() + (ch.toUpperCase() !== ch.toLowerCase() ? ch.toUpperCase() : '') : ch;
        j++;
      }
      out += cls + ']';
      i = j + 1;
      continue;
    }
    if (c === '(') {
      if (src.startsWith('(?P<', i)) { stack.push(ci); out += '(?<'; i += 4; continue; }
      const fm = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?(:|\))/.exec(src.slice(i));
      if (fm && (fm[1] || fm[2] !== undefined)) {
        const on = fm[1]!, off = fm[2] ?? '';
        if (fm[3] === ')') {
          // Flags for the rest of the current group.
          if (on.includes('i')) ci = true;
          if (off.includes('i')) ci = false;
          i += fm[0].length;
          continue;
        }
        stack.push(ci);
        if (on.includes('i')) ci = true;
        if (off.includes('i')) ci = false;
        out += '(?:';
        i += fm[0].length;
        continue;
      }
      stack.push(ci);
      out += c;
      i++;
      continue;
    }
    if (c === ')') {
      ci = stack.pop() ?? false;
      out += c;
      i++;
      continue;
    }
    out += ci && /[a-zA-Z]/.test(c) ? foldChar(c) : c;
    i++;
  }
  return out;
}
