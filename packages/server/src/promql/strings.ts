// PromQL/Go string literals. Invalid UTF-8 bytes produced by \x escapes are kept as lone
// surrogates U+DC80..U+DCFF ("surrogate escape"), so validity checks and Go-style quoting work.

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Decodes the body of a quoted string (without quotes). Throws Error with a message on bad escapes. */
export function unquoteBody(body: string, quote: string): string {
  if (quote === '`') return body;
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    if (bytes.length) {
      out += decodeBytes(bytes);
      bytes.length = 0;
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error('escape sequence not terminated');
    if (e in SIMPLE) {
      if ((e === '"' && quote === "'") || (e === "'" && quote === '"')) throw new Error('unknown escape sequence');
      flush();
      out += SIMPLE[e];
    } else if (e === 'x') {
      const h = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error('illegal character in escape sequence');
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) throw new Error('illegal character in escape sequence');
      bytes.push(parseInt(o, 8));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = body.slice(i + 1, i + 1 + n);
      if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new Error('illegal character in escape sequence');
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new Error('escape sequence is an invalid Unicode code point');
      flush();
      out += String.fromCodePoint(cp);
      i += n;
    } else {
      throw new Error('unknown escape sequence');
    }
  }
  flush();
  return out;
}

function decodeBytes(b: number[]): string {
  let s = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0, cp = 0, min = 0;
    if (c < 0x80) { s += String.fromCharCode(c); i++; continue; }
    else if ((c & 0xe0) === 0xc0) { n = 1; cp = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) === 0xe0) { n = 2; cp = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) === 0xf0) { n = 3; cp = c & 0x07; min = 0x10000; }
    else { s += String.fromCharCode(0xdc00 + c); i++; continue; }
    let ok = i + n < b.length;
    for (let k = 1; ok && k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp < 0xe000)) {
      s += String.fromCodePoint(cp);
      i += n + 1;
    } else {
      s += String.fromCharCode(0xdc00 + c);
      i++;
    }
  }
  return s;
}

/** True when the string holds no escaped invalid bytes / lone surrogates. */
export function isValidUTF8(s: string): boolean {
  return !/[\ud800-\udfff]/u.test(s);
}

/** Go's strconv.Quote, understanding surrogate-escaped bytes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += '\\x' + (cp - 0xdc00).toString(16).padStart(2, '0');
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 10) out += '\\n';
    else if (cp === 13) out += '\\r';
    else if (cp === 9) out += '\\t';
    else if (cp === 11) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0x80 && cp < 0xa0) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}
