// Lexer for Go text/template syntax: text and {{actions}} with trim markers, comments, and the
// tokens allowed inside actions. Positions are byte offsets into the source string (UTF-16
// units here), turned into line numbers for error messages.

export type TokType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'nil'
  | 'bool'
  | 'number'
  | 'charConstant'
  | 'string'
  | 'rawString'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'char' // ( ) ,
  | 'comment'
  | 'eof'
  | 'error';

export interface Token {
  type: TokType;
  val: string;
  pos: number;
  line: number;
}

export const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

const TRIM = '-';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
function isAlnum(c: string): boolean {
  return c === '_' || /[\p{L}\p{Nd}]/u.test(c);
}

/** Tokenises the whole input eagerly; an 'error' token ends the stream. */
export function lex(input: string, leftDelim = '{{', rightDelim = '}}'): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;
  let trimLeadingSpace = false;

  const emit = (type: TokType, val = input.slice(start, pos)) => {
    out.push({ type, val, pos: start, line: startLine });
    start = pos;
    startLine = line;
  };
  const advanceTo = (p: number) => {
    for (let i = pos; i < p; i++) if (input.charCodeAt(i) === 10) line++;
    pos = p;
  };
  const ignore = () => {
    start = pos;
    startLine = line;
  };
  const fail = (msg: string): Token[] => {
    out.push({ type: 'error', val: msg, pos: start, line: startLine });
    return out;
  };
  // A right delimiter, possibly preceded by a trim marker (one space char, then "-").
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (isSpace(input[pos] ?? '') && input.startsWith(TRIM + rightDelim, pos + 1)) return { delim: true, trim: true };
    if (input.startsWith(rightDelim, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };


  for (;;) {
    // Text state.
    if (trimLeadingSpace) {
      let p = pos;
      while (p < input.length && isSpace(input[p]!)) p++;
      advanceTo(p);
      ignore();
      trimLeadingSpace = false;
    }
    const x = input.indexOf(leftDelim, pos);
    if (x < 0) {
      advanceTo(input.length);
      if (pos > start) emit('text');
      out.push({ type: 'eof', val: '', pos, line });
      return out;
    }
    // Text before the delimiter; trimmed when the delimiter carries a trim marker.
    const afterLeft = x + leftDelim.length;
    const trimLeft = input[afterLeft] === TRIM && isSpace(input[afterLeft + 1] ?? '');
    advanceTo(x);
    if (pos > start) {
      let text = input.slice(start, pos);
      if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
      if (text.length > 0) emit('text', text);
      else ignore();
    }
    // Left delimiter.
    advanceTo(afterLeft + (trimLeft ? 2 : 0));
    // Comment?
    if (input.startsWith('/*', pos)) {
      const commentStart = pos;
      const end = input.indexOf('*/', pos + 2);
      if (end < 0) return fail('unclosed comment');
      advanceTo(end + 2);
      const text = input.slice(commentStart, pos);
      const rd = atRightDelim();
      if (!rd.delim) return fail('comment ends before closing delimiter');
      start = commentStart;
      emit('comment', text);
      advanceTo(pos + (rd.trim ? 2 : 0) + rightDelim.length);
      ignore();
      trimLeadingSpace = rd.trim;
      continue;
    }
    out.push({ type: 'leftDelim', val: leftDelim, pos: x, line });
    ignore();
    parenDepth = 0;
    // Inside action.
    for (;;) {
      const rd = atRightDelim();
      if (rd.delim && parenDepth === 0) {
        if (rd.trim) {
          advanceTo(pos + 2);
          ignore();
        }
        advanceTo(pos + rightDelim.length);
        start = pos - rightDelim.length;
        out.push({ type: 'rightDelim', val: rightDelim, pos: start, line: startLine });
        ignore();
        trimLeadingSpace = rd.trim;
        break;
      }
      if (pos >= input.length) return fail('unclosed action');
      const c = input[pos]!;
      if (isSpace(c)) {
        // A space run; "space -}}" is handled above, so look ahead for it.
        let p = pos;
        while (p < input.length && isSpace(input[p]!)) {
          if (input.startsWith(TRIM + rightDelim, p + 1) && parenDepth === 0) break;
          p++;
        }
        if (p === pos) {
          continue;
        }
        advanceTo(p);
        emit('space');
        continue;
      }
      if (c === '=') {
        advanceTo(pos + 1);
        emit('assign');
        continue;
      }
      if (c === ':') {
        if (input[pos + 1] !== '=') {
          advanceTo(pos + 1);
          return fail('expected :=');
        }
        advanceTo(pos + 2);
        emit('declare');
        continue;
      }
      if (c === '|') {
        advanceTo(pos + 1);
        emit('pipe');
        continue;
      }
      if (c === '"') {
        let p = pos + 1;
        for (;;) {
          const ch = input[p];
          if (ch === undefined || ch === '\n') {
            advanceTo(p);
            return fail('unterminated quoted string');
          }
          if (ch === '\\') {
            p += 2;
            continue;
          }
          p++;
          if (ch === '"') break;
        }
        advanceTo(p);
        emit('string');
        continue;
      }
      if (c === '`') {
        const end = input.indexOf('`', pos + 1);
        if (end < 0) {
          advanceTo(input.length);
          return fail('unterminated raw quoted string');
        }
        advanceTo(end + 1);
        emit('rawString');
        continue;
      }
      if (c === "'") {
        let p = pos + 1;
        for (;;) {
          const ch = input[p];
          if (ch === undefined || ch === '\n') {
            advanceTo(p);
            return fail('unterminated character constant');
          }
          if (ch === '\\') {
            p += 2;
            continue;
          }
          p++;
          if (ch === "'") break;
        }
        advanceTo(p);
        emit('charConstant');
        continue;
      }
      if (c === '$') {
        let p = pos + 1;
        while (p < input.length && isAlnum(input[p]!)) p++;
        advanceTo(p);
        emit('variable');
        continue;
      }
      if (c === '.') {
        const n = input[pos + 1];
        if (n === undefined || !/[0-9]/.test(n)) {
          if (n !== undefined && isAlnum(n)) {
            let p = pos + 1;
            while (p < input.length && isAlnum(input[p]!)) p++;
            advanceTo(p);
            emit('field');
            continue;
          }
          advanceTo(pos + 1);
          emit('dot');
          continue;
        }
        // fall through to number
      }
      if (c === '+' || c === '-' || c === '.' || /[0-9]/.test(c)) {
        // Go's scanNumber: sign, base prefix, digits, fraction, exponent, 'i'; must end at a
        // non-alphanumeric (else "bad number syntax"); the parser validates the text.
        let p = pos;
        const accept = (set: string) => {
          if (p < input.length && set.includes(input[p]!)) {
            p++;
            return true;
          }
          return false;
        };
        const acceptRun = (set: string) => {
          while (p < input.length && set.includes(input[p]!)) p++;
        };
        accept('+-');
        let digits = '0123456789_';
        if (accept('0')) {
          if (accept('xX')) digits = '0123456789abcdefABCDEF_';
          else if (accept('oO')) digits = '01234567_';
          else if (accept('bB')) digits = '01_';
        }
        acceptRun(digits);
        if (accept('.')) acceptRun(digits);
        if (digits.length === 11 && accept('eE')) {
          accept('+-');
          acceptRun('0123456789_');
        }
        if (digits.length === 23 && accept('pP')) {
          accept('+-');
          acceptRun('0123456789_');
        }
        accept('i');
        if (p < input.length && isAlnum(input[p]!)) {
          advanceTo(p + 1);
          return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
        }
        advanceTo(p);
        emit('number');
        continue;
      }
      if (isAlnum(c)) {
        let p = pos;
        while (p < input.length && isAlnum(input[p]!)) p++;
        advanceTo(p);
        const word = input.slice(start, pos);
        // Identifiers must end at a terminator.
        const nc = input[pos];
        if (nc !== undefined && !(isSpace(nc) || nc === '.' || nc === ',' || nc === '|' || nc === ':' || nc === ')' || nc === '(' || input.startsWith(rightDelim, pos))) {
          return fail(`bad character ${JSON.stringify(nc)}`);
        }
        if (KEYWORDS.has(word)) emit('keyword');
        else if (word === 'true' || word === 'false') emit('bool');
        else if (word === 'nil') emit('nil');
        else emit('identifier');
        continue;
      }
      if (c === '(') {
        parenDepth++;
        advanceTo(pos + 1);
        emit('char');
        continue;
      }
      if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) {
          advanceTo(pos + 1);
          return fail(`unexpected right paren`);
        }
        advanceTo(pos + 1);
        emit('char');
        continue;
      }
      if (c === ',') {
        advanceTo(pos + 1);
        emit('char');
        continue;
      }
      // Other printable ASCII is a "char" token the parser reports in context.
      advanceTo(pos + 1);
      if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) > 0x20) {
        emit('char');
        continue;
      }
      return fail(`unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
}
