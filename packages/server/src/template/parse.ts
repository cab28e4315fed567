// Parser for Go text/template: builds one Tree per template defined in the text (the main one
// plus every {{define}} / {{block}}). Errors read like Go's: `template: NAME:LINE: message`.
import { lex, type Token } from './lexer.js';
import type { ArgNode, CommandNode, ListNode, Node, NumberConst, PipeNode, Tree } from './ast.js';
import { isEmptyTree } from './ast.js';
import { unquoteGo } from './quote.js';

export class TemplateParseError extends Error {
  constructor(
    readonly templateName: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`template: ${templateName}:${line}: ${reason}`);
    this.name = 'TemplateParseError';
  }
}

interface EndNode {
  kind: 'end';
  pos: number;
  line: number;
}
interface ElseNode {
  kind: 'else';
  pos: number;
  line: number;
}
type ItemNode = Node | EndNode | ElseNode;

/** Returns the trees defined by `text` (keyed by name); the main tree is under `name`. */
export function parseTemplate(name: string, text: string, hasFunc: (name: string) => boolean, leftDelim = '{{', rightDelim = '}}'): Map<string, Tree> {
  const toks = lex(text, leftDelim, rightDelim);
  const p = new Parser(name, text, toks, hasFunc);
  return p.parseAll();
}

function tokString(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'EOF';
    case 'error':
      return t.val;
    case 'keyword':
      return `<${t.val}>`;
    case 'leftDelim':
    case 'rightDelim':
    case 'space':
    case 'text':
    default:
      if (t.val.length > 10) return `${JSON.stringify(t.val.slice(0, 10))}...`;
      return JSON.stringify(t.val);
  }
}

class Parser {
  private i = 0;
  private lastLine = 1;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private readonly trees = new Map<string, Tree>();
  private curName: string;

  constructor(
    private readonly parseName: string,
    private readonly text: string,
    private readonly toks: Token[],
    private readonly hasFunc: (name: string) => boolean,
  ) {
    this.curName = parseName;
  }

  private errorf(msg: string): never {
    throw new TemplateParseError(this.parseName, this.lastLine, msg);
  }

  private next(): Token {
    const t = this.toks[this.i] ?? this.toks[this.toks.length - 1]!;
    if (this.i < this.toks.length) this.i++;
    this.lastLine = t.line;
    if (t.type === 'error') this.errorf(t.val);
    return t;
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }
  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.type === 'space');
    return t;
  }
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }
  private expect(type: Token['type'], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }
  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      this.errorf(t.val);
    }
    this.errorf(`unexpected ${tokString(t)} in ${context}`);
  }

  private addTree(tree: Tree): void {
    const old = this.trees.get(tree.name);
    if (!old || isEmptyTree(old.root)) {
      this.trees.set(tree.name, tree);
      return;
    }
    if (!isEmptyTree(tree.root)) this.errorf(`template: multiple definition of template ${JSON.stringify(tree.name)}`);
  }

  parseAll(): Map<string, Tree> {
    const root: ListNode = { nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        this.next();
        const t = this.nextNonSpace();
        if (t.type === 'keyword' && t.val === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.errorf(`unexpected {{${n.kind}}}`);
      root.nodes.push(n);
    }
    this.addTree({ name: this.parseName, parseName: this.parseName, root, text: this.text });
    return this.trees;
  }

  private parseTemplateName(t: Token, context: string): string {
    if (t.type === 'string' || t.type === 'rawString') {
      try {
        return unquoteGo(t.val);
      } catch {
        this.errorf(`bad string syntax: ${t.val}`);
      }
    }
    this.unexpected(t, context);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.parseTemplateName(this.nextNonSpace(), context);
    this.expect('rightDelim', context);
    const saveVars = this.vars;
    const saveName = this.curName;
    this.vars = ['$'];
    this.curName = name;
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.errorf(`unexpected {{${end.kind}}} in ${context}`);
    this.vars = saveVars;
    this.curName = saveName;
    this.addTree({ name, parseName: this.parseName, root: list, text: this.text });
  }

  private itemList(): [ListNode, ItemNode] {
    const list: ListNode = { nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): ItemNode {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { kind: 'text', text: t.val, pos: t.pos, line: t.line };
      case 'leftDelim':
        return this.action();
      case 'comment':
        return { kind: 'comment', pos: t.pos, line: t.line };
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): ItemNode {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.val) {
        case 'block':
          return this.blockControl(t);
        case 'break':
        case 'continue': {
          const r = this.nextNonSpace();
          if (r.type !== 'rightDelim') this.unexpected(r, `{{${t.val}}}`);
          if (this.rangeDepth === 0) this.errorf(`{{${t.val}}} outside {{range}}`);
          return { kind: t.val, pos: t.pos, line: t.line };
        }
        case 'else': {
          const p = this.peekNonSpace();
          if (p.type === 'keyword' && (p.val === 'if' || p.val === 'with')) return { kind: 'else', pos: p.pos, line: p.line };
          this.expect('rightDelim', 'else');
          return { kind: 'else', pos: t.pos, line: t.line };
        }
        case 'end':
          this.expect('rightDelim', 'end');
          return { kind: 'end', pos: t.pos, line: t.line };
        case 'if':
          return this.control('if', t);
        case 'range':
          return this.control('range', t);
        case 'with':
          return this.control('with', t);
        case 'template':
          return this.templateControl(t);
      }
    }
    this.backup();
    const tok = this.peek();
    return { kind: 'action', pipe: this.pipeline('command', 'rightDelim'), pos: tok.pos, line: tok.line };
  }

  private control(kind: 'if' | 'range' | 'with', tok: Token): Node {
    const saveVars = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.kind === 'else') {
      const p = this.peek();
      if (kind !== 'range' && p.type === 'keyword' && p.val === kind) {
        // "else if" / "else with": the nested control consumes the closing {{end}}.
        const kw = this.next();
        elseList = { nodes: [this.control(kind, kw)] };
      } else {
        let end: ItemNode;
        [elseList, end] = this.itemList();
        if (end.kind !== 'end') this.errorf(`expected end; found {{${end.kind}}}`);
      }
    }
    this.vars.length = saveVars;
    return { kind, pipe, list, elseList, pos: tok.pos, line: tok.line } as Node;
  }

  private templateControl(tok: Token): Node {
    const context = 'template clause';
    const nameTok = this.nextNonSpace();
    const name = this.parseTemplateName(nameTok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    void tok;
    return { kind: 'template', name, pipe, pos: nameTok.pos, line: nameTok.line };
  }

  private blockControl(tok: Token): Node {
    const context = 'block clause';
    const nameTok = this.nextNonSpace();
    const name = this.parseTemplateName(nameTok, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const saveVars = this.vars;
    const saveRange = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.errorf(`unexpected {{${end.kind}}} in ${context}`);
    this.vars = saveVars;
    this.rangeDepth = saveRange;
    this.addTree({ name, parseName: this.parseName, root: list, text: this.text });
    void tok;
    return { kind: 'template', name, pipe, pos: nameTok.pos, line: nameTok.line };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rparen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { isAssign: false, decl: [], cmds: [], pos: first.pos, line: first.line, src: '' };
    // Declarations: "$x :=", "$x =", or in range "$i, $v :=".
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const save = this.i;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(v.val);
        this.vars.push(v.val);
      } else if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(v.val);
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.type === 'variable' || p.type === 'rightDelim' || (p.type === 'char' && p.val === ')')) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else {
        this.i = save;
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if ((end === 'rightDelim' && t.type === 'rightDelim') || (end === 'rparen' && t.type === 'char' && t.val === ')')) {
        this.checkPipeline(pipe, context);
        pipe.src = this.text.slice(first.pos, t.pos).trim();
        return pipe;
      }
      switch (t.type) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        case 'char':
          if (t.val === '(') {
            this.backup();
            pipe.cmds.push(this.command());
            break;
          }
          this.unexpected(t, context);
        // eslint-disable-next-line no-fallthrough
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const k = pipe.cmds[i]!.args[0]!.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private command(): CommandNode {
    const first = this.peekNonSpace();
    const cmd: CommandNode = { args: [], pos: first.pos, line: first.line, src: '' };
    let endPos = first.pos;
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) cmd.args.push(op);
      const t = this.next();
      endPos = t.pos;
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || (t.type === 'char' && t.val === ')')) {
        this.backup();
      } else if (t.type !== 'pipe') {
        this.unexpected(t, 'operand');
      }
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    cmd.src = this.text.slice(first.pos, endPos).trim();
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type === 'field') {
      const fields: string[] = [];
      const startPos = this.peek().pos;
      while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
      const src = node.src + fields.map((f) => '.' + f).join('');
      switch (node.kind) {
        // Go positions a multi-part field/variable at its second part (the chain's start).
        case 'field':
          return { kind: 'field', pos: startPos, idents: [...node.idents, ...fields], src };
        case 'variable':
          return { kind: 'variable', pos: startPos, idents: [...node.idents, ...fields], src };
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${JSON.stringify(node.src)}`);
        // eslint-disable-next-line no-fallthrough
        default:
          return { kind: 'chain', pos: startPos, node, fields, src };
      }
    }
    return node;
  }

  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.hasFunc(t.val)) this.errorf(`function ${JSON.stringify(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos, name: t.val, src: t.val };
      case 'dot':
        return { kind: 'dot', pos: t.pos, src: '.' };
      case 'nil':
        return { kind: 'nil', pos: t.pos, src: 'nil' };
      case 'variable': {
        if (!this.vars.includes(t.val)) this.errorf(`undefined variable ${JSON.stringify(t.val)}`);
        return { kind: 'variable', pos: t.pos, idents: [t.val], src: t.val };
      }
      case 'field':
        return { kind: 'field', pos: t.pos, idents: [t.val.slice(1)], src: t.val };
      case 'bool':
        return { kind: 'bool', pos: t.pos, value: t.val === 'true', src: t.val };
      case 'charConstant':
      case 'number':
        return { kind: 'number', pos: t.pos, num: this.number(t), src: t.val };
      case 'char':
        if (t.val === '(') {
          const pipe = this.pipeline('parenthesized pipeline', 'rparen');
          return { kind: 'pipe', pos: t.pos, pipe, src: `(${pipe.src})` };
        }
        break;
      case 'string':
      case 'rawString':
        try {
          return { kind: 'string', pos: t.pos, value: unquoteGo(t.val), src: t.val };
        } catch {
          this.errorf(`bad string syntax: ${t.val}`);
        }
    }
    this.backup();
    return null;
  }

  private number(t: Token): NumberConst {
    const text = t.val;
    if (t.type === 'charConstant') {
      let s: string;
      try {
        s = unquoteGo(text);
      } catch {
        this.errorf(`malformed character constant: ${text}`);
      }
      const cp = s.codePointAt(0);
      if (cp === undefined || String.fromCodePoint(cp) !== s) this.errorf(`malformed character constant: ${text}`);
      return { text, isInt: true, isFloat: true, int: BigInt(cp), float: cp, isChar: true };
    }
    if (text.endsWith('i') && parseGoNumber(text.slice(0, -1))) this.errorf(`complex numbers are not supported: ${JSON.stringify(text)}`);
    const n = parseGoNumber(text);
    if (!n) this.errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    if (n === 'overflow') this.errorf(`integer overflow: ${JSON.stringify(text)}`);
    return n;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Classifies a Go numeric literal as the template parser does (int and/or float). */
export function parseGoNumber(text: string): NumberConst | null | 'overflow' {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s.includes('_')) {
    // Go allows "_" only between digits (and after a base prefix).
    if (/(^_|_$|__|_\.|\._|[eEpP]_|_[eEpP])/.test(s)) return null;
    s = s.replace(/_/g, '');
  }
  let int: bigint | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(s) || /^0[oO][0-7]+$/.test(s) || /^0[bB][01]+$/.test(s) || /^[1-9][0-9]*$|^0$/.test(s)) {
    int = BigInt(s);
  } else if (/^0[0-7]+$/.test(s)) {
    int = BigInt('0o' + s.slice(1));
  }
  if (int !== undefined) {
    if (neg) int = -int;
    if (int < INT64_MIN || int > INT64_MAX) {
      // uint64 range is allowed by Go's parser but overflows int at exec; keep it a float.
      if (!neg && int <= 2n ** 64n - 1n) return { text, isInt: false, isFloat: true, float: Number(int) };
      return 'overflow';
    }
    return { text, isInt: true, isFloat: true, int, float: Number(int) };
  }
  let f: number;
  if (/^0[xX]/.test(s)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
    if (!m || (m[1] === '' && !m[2])) return null;
    const mant = parseInt((m[1] || '0') + (m[2] ?? ''), 16);
    f = mant * Math.pow(2, Number(m[3]) - 4 * (m[2]?.length ?? 0));
  } else {
    if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) return null;
    f = Number(s);
  }
  if (neg) f = -f;
  if (!Number.isFinite(f)) return null; // out of float64 range: Go's ParseFloat fails
  if (!/[.eEpP]/.test(s)) return 'overflow';
  const out: NumberConst = { text, isInt: false, isFloat: true, float: f };
  if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
    out.isInt = true;
    out.int = BigInt(f);
  }
  return out;
}
