// Executes parsed templates with Go text/template semantics. Evaluation is written as
// generators so one implementation serves both sync execution and async execution (a function
// may return a Promise, e.g. Prometheus's `query`; the async driver awaits it, the sync one
// reports an error).
import type { ArgNode, CommandNode, ListNode, Node, PipeNode, RangeNode, Tree } from './ast.js';
import { sprint } from './fmt.js';
import { isMapValue, isTrue, kindOf, mapEntries, mapGet, mapZero, typeName } from './values.js';

/** Parameter types a template function can declare (checked as Go checks reflect types). */
export type ParamType = 'any' | 'string' | 'float64' | 'int' | 'bool' | 'value' | CustomParam;

/** A parameter of a Go type the engine does not model (e.g. *template.sample). */
export interface CustomParam {
  /** Go type name for messages. */
  goType: string;
  /** Accepts the value? */
  check: (v: unknown) => boolean;
  /** nil / no value is allowed (pointer, slice, map, interface types). */
  nullable?: boolean;
}

export interface FuncSpec {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fn: (...args: any[]) => unknown;
  /** Declared parameters; the last one repeats when `variadic`. Omitted: any arity, 'any' each. */
  params?: ParamType[];
  variadic?: boolean;
}

/** A function callable from templates: a plain function (any arguments) or a typed spec. */
export type TemplateFunc = FuncSpec | ((...args: never[]) => unknown);
export type FuncMap = Record<string, TemplateFunc>;

export function funcSpec(f: TemplateFunc): FuncSpec {
  return typeof f === 'function' ? { fn: f as FuncSpec['fn'] } : f;
}

export class TemplateExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}

/** Thrown by a function to abort with a plain message (becomes "error calling f: msg"). */
export type MissingKey = 'default' | 'zero' | 'error';

export interface ExecOptions {
  missingKey: MissingKey;
  /** Applied to every action's printed output (approximates html/template escaping). */
  escapeOutput?: (s: string) => string;
  lookup: (name: string) => Tree | undefined;
  funcs: (name: string) => FuncSpec | undefined;
}

const MISSING: unique symbol = Symbol('missing');
type Final = unknown | typeof MISSING;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
const MAX_DEPTH = 1000;

type Gen<T> = Generator<Promise<unknown>, T, unknown>;

interface Variable {
  name: string;
  value: unknown;
}

const BUILTIN_PROTOS = [Object.prototype, Array.prototype, Map.prototype, Function.prototype];

function isBuiltinMember(name: string): boolean {
  return BUILTIN_PROTOS.some((p) => Object.prototype.hasOwnProperty.call(p, name));
}

class State {
  vars: Variable[] = [];
  out: string[] = [];
  node: { pos: number; src: string } | null = null;
  depth = 0;
  constructor(
    public tree: Tree,
    readonly opts: ExecOptions,
  ) {}

  errorf(msg: string): never {
    const name = this.tree.name;
    if (!this.node) throw new TemplateExecError(`template: ${name}: ${msg}`);
    const before = this.tree.text.slice(0, this.node.pos);
    const nl = before.lastIndexOf('\n');
    const col = nl < 0 ? this.node.pos : this.node.pos - (nl + 1);
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    throw new TemplateExecError(`template: ${this.tree.parseName}:${line}:${col}: executing ${JSON.stringify(name)} at <${this.node.src}>: ${msg}`);
  }

  at(n: { pos: number; src?: string }): void {
    this.node = { pos: n.pos, src: n.src ?? '' };
  }

  mark(): number {
    return this.vars.length;
  }
  pop(m: number): void {
    this.vars.length = m;
  }
  setVar(name: string, v: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = v;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  // ---- walking ----

  *walkList(dot: unknown, list: ListNode): Gen<void> {
    for (const n of list.nodes) yield* this.walk(dot, n);
  }

  *walk(dot: unknown, node: Node): Gen<void> {
    switch (node.kind) {
      case 'text':
        this.out.push(node.text);
        return;
      case 'comment':
        return;
      case 'action': {
        this.at({ pos: node.pos, src: node.pipe.src });
        const val = yield* this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node.pipe, val);
        return;
      }
      case 'if':
      case 'with': {
        const m = this.mark();
        this.at({ pos: node.pos, src: `${node.kind} ${node.pipe.src}` });
        const val = yield* this.evalPipeline(dot, node.pipe);
        if (isTrue(val)) yield* this.walkList(node.kind === 'with' ? val : dot, node.list);
        else if (node.elseList) yield* this.walkList(dot, node.elseList);
        this.pop(m);
        return;
      }
      case 'range':
        yield* this.walkRange(dot, node);
        return;
      case 'template': {
        this.at({ pos: node.pos, src: `{{template ${JSON.stringify(node.name)}${node.pipe ? ' ' + node.pipe.src : ''}}}` });
        const tree = this.opts.lookup(node.name);
        if (!tree) this.errorf(`template ${JSON.stringify(node.name)} not defined`);
        if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
        const newDot = node.pipe ? yield* this.evalPipeline(dot, node.pipe) : undefined;
        const saveVars = this.vars, saveTree = this.tree;
        this.vars = [{ name: '$', value: newDot }];
        this.tree = tree;
        this.depth++;
        try {
          yield* this.walkList(newDot, tree.root);
        } finally {
          this.depth--;
          this.vars = saveVars;
          this.tree = saveTree;
        }
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  *walkRange(dot: unknown, r: RangeNode): Gen<void> {
    this.at({ pos: r.pos, src: `range ${r.pipe.src}` });
    const m0 = this.mark();
    const val = yield* this.evalPipeline(dot, r.pipe);
    const mark = this.mark();
    const nd = r.pipe.decl.length;
    const one = function* (this: State, index: unknown, elem: unknown): Gen<boolean> {
      if (nd > 0) {
        if (r.pipe.isAssign) this.setVar(r.pipe.decl[0]!, nd > 1 ? index : elem);
        else this.vars[this.vars.length - 1]!.value = elem;
      }
      if (nd > 1) {
        if (r.pipe.isAssign) this.setVar(r.pipe.decl[1]!, elem);
        else this.vars[this.vars.length - 2]!.value = index;
      }
      try {
        yield* this.walkList(elem, r.list);
      } catch (e) {
        if (e === BREAK) return false;
        if (e !== CONTINUE) throw e;
      } finally {
        this.pop(mark);
      }
      return true;
    };
    let iterated = false;
    switch (kindOf(val)) {
      case 'slice': {
        const a = val as unknown[];
        for (let i = 0; i < a.length; i++) {
          iterated = true;
          if (!(yield* one.call(this, BigInt(i), a[i]))) break;
        }
        break;
      }
      case 'map':
        for (const [k, v] of mapEntries(val as object)) {
          iterated = true;
          if (!(yield* one.call(this, k, v))) break;
        }
        break;
      case 'int': {
        const n = val as bigint;
        if (nd > 1) this.errorf(`can't use ${n} to iterate over more than one variable`);
        for (let i = 0n; i < n; i++) {
          iterated = true;
          if (!(yield* one.call(this, i, i))) break;
        }
        break;
      }
      case 'invalid':
      case 'nil':
        break;
      default:
        this.errorf(`range can't iterate over ${sprint([val])}`);
    }
    if (!iterated && r.elseList) yield* this.walkList(dot, r.elseList);
    this.pop(m0);
  }

  printValue(n: { pos: number; src: string }, v: unknown): void {
    this.at(n);
    let s: string;
    if (v === undefined) s = '<no value>';
    else if (typeof v === 'function') this.errorf(`can't print ${n.src} of type ${typeName(v)}`);
    else s = sprint([v]);
    this.out.push(this.opts.escapeOutput ? this.opts.escapeOutput(s) : s);
  }

  // ---- evaluation ----

  *evalPipeline(dot: unknown, pipe: PipeNode): Gen<unknown> {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = yield* this.evalCommand(dot, cmd, value);
      // Go digs into interface{} values: a nil interface becomes "no value".
      if (value === null) value = undefined;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${args[0]!.src}`);
  }

  *evalCommand(dot: unknown, cmd: CommandNode, final: Final): Gen<unknown> {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        this.at(first);
        return yield* this.evalFieldChain(dot, dot, first, first.idents, cmd.args, final);
      case 'chain':
        return yield* this.evalChain(dot, first, cmd.args, final);
      case 'identifier':
        return yield* this.evalFunction(dot, first.name, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return yield* this.evalPipeline(dot, first.pipe);
      case 'variable':
        return yield* this.evalVariable(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      // eslint-disable-next-line no-fallthrough
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.value;
    }
  }

  idealConstant(n: Extract<ArgNode, { kind: 'number' }>): unknown {
    this.at(n);
    const c = n.num;
    const isHexInt = /^[+-]?0[xX]/.test(c.text) && !/[pP]/.test(c.text);
    if (c.isFloat && !isHexInt && !c.isChar && /[.eEpP]/.test(c.text)) return c.float;
    if (c.isInt) return c.int;
    this.errorf(`${c.text} overflows int`);
  }

  *evalChain(dot: unknown, chain: Extract<ArgNode, { kind: 'chain' }>, args: ArgNode[] | null, final: Final): Gen<unknown> {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${chain.src}`);
    const recv = yield* this.evalArg(dot, 'any', chain.node, true);
    return yield* this.evalFieldChain(dot, recv, chain, chain.fields, args, final);
  }

  *evalVariable(dot: unknown, v: Extract<ArgNode, { kind: 'variable' }>, args: ArgNode[] | null, final: Final): Gen<unknown> {
    this.at(v);
    const value = this.varValue(v.idents[0]!);
    if (v.idents.length === 1) {
      if (args) this.notAFunction(args, final);
      return value;
    }
    return yield* this.evalFieldChain(dot, value, v, v.idents.slice(1), args, final);
  }

  *evalFieldChain(dot: unknown, recv: unknown, node: { pos: number; src: string }, idents: string[], args: ArgNode[] | null, final: Final): Gen<unknown> {
    for (let i = 0; i < idents.length - 1; i++) recv = yield* this.evalField(dot, idents[i]!, node, null, MISSING, recv);
    return yield* this.evalField(dot, idents[idents.length - 1]!, node, args, final, recv);
  }

  *evalField(dot: unknown, name: string, node: { pos: number; src: string }, args: ArgNode[] | null, final: Final, recv: unknown): Gen<unknown> {
    if (recv === undefined) {
      if (this.opts.missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (recv === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    // Methods first (Go looks up methods before fields and map keys).
    if (typeof recv === 'object' || typeof recv === 'function') {
      const m = (recv as Record<string, unknown>)[name];
      if (typeof m === 'function' && !isBuiltinMember(name) && !(isMapValue(recv) && Object.prototype.hasOwnProperty.call(recv, name))) {
        // JS methods declare their arity through `length`; check it as Go checks a method's signature.
        const arity = (m as (...a: unknown[]) => unknown).length;
        const numIn = (args ? args.length - 1 : 0) + (final !== MISSING ? 1 : 0);
        if (arity > 0 && numIn !== arity) this.errorf(`wrong number of args for ${name}: want ${arity} got ${numIn}`);
        return yield* this.evalCall(dot, { fn: (m as (...a: unknown[]) => unknown).bind(recv) }, node, name, args, final);
      }
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    const kind = kindOf(recv);
    if (kind === 'map') {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      let v = mapGet(recv as object, name);
      if (v === undefined) {
        if (this.opts.missingKey === 'zero') v = mapZero(recv as object);
        else if (this.opts.missingKey === 'error') this.errorf(`map has no entry for key ${JSON.stringify(name)}`);
      }
      return v;
    }
    if (kind === 'struct' && name in (recv as object) && !isBuiltinMember(name)) {
      if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
      return (recv as Record<string, unknown>)[name];
    }
    this.errorf(`can't evaluate field ${name} in type ${typeName(recv)}`);
  }

  *evalFunction(dot: unknown, name: string, ident: { pos: number; src: string }, cmd: { pos: number; src: string }, args: ArgNode[] | null, final: Final): Gen<unknown> {
    this.at(ident);
    if (name === 'and' || name === 'or') return yield* this.evalAndOr(dot, name, cmd, args, final);
    const spec = this.opts.funcs(name);
    if (!spec) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return yield* this.evalCall(dot, spec, cmd, name, args, final);
  }

  *evalAndOr(dot: unknown, name: 'and' | 'or', cmd: { pos: number; src: string }, args: ArgNode[] | null, final: Final): Gen<unknown> {
    const rest = args ? args.slice(1) : [];
    const numIn = rest.length + (final !== MISSING ? 1 : 0);
    if (numIn < 1) {
      this.at(cmd);
      this.errorf(`wrong number of args for ${name}: want at least 1 got 0`);
    }
    let v: unknown;
    for (const a of rest) {
      v = yield* this.evalArg(dot, 'value', a);
      if (isTrue(v) === (name === 'or')) return v;
    }
    if (final !== MISSING) v = final;
    return v;
  }

  *evalCall(dot: unknown, spec: FuncSpec, node: { pos: number; src: string }, name: string, args: ArgNode[] | null, final: Final): Gen<unknown> {
    const rest = args ? args.slice(1) : [];
    const numIn = rest.length + (final !== MISSING ? 1 : 0);
    const params = spec.params;
    const argv: unknown[] = [];
    if (params) {
      const np = params.length;
      if (spec.variadic) {
        if (numIn < np - 1) this.errorf(`wrong number of args for ${name}: want at least ${np - 1} got ${rest.length}`);
      } else if (numIn !== np) this.errorf(`wrong number of args for ${name}: want ${np} got ${numIn}`);
      const ptype = (i: number): ParamType => (i < np - 1 || !spec.variadic ? params[i]! : params[np - 1]!);
      for (let i = 0; i < rest.length; i++) argv.push(yield* this.evalArg(dot, ptype(i), rest[i]!));
      if (final !== MISSING) argv.push(this.validateType(final, ptype(rest.length)));
    } else {
      for (const a of rest) argv.push(yield* this.evalArg(dot, 'any', a));
      if (final !== MISSING) argv.push(this.validateType(final, 'any'));
    }
    let r: unknown;
    try {
      r = spec.fn(...argv);
      if (r && typeof (r as Promise<unknown>).then === 'function') r = yield r as Promise<unknown>;
    } catch (e) {
      if (e instanceof TemplateExecError) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return r === undefined ? null : r;
  }

  validateType(v: unknown, t: ParamType): unknown {
    if (t === 'value') return v;
    if (typeof t === 'object') {
      if (v === undefined || v === null) {
        if (t.nullable) return null;
        this.errorf(`invalid value; expected ${t.goType}`);
      }
      if (!t.check(v)) this.errorf(`wrong type for value; expected ${t.goType}; got ${typeName(v)}`);
      return v;
    }
    if (v === undefined) {
      if (t === 'any') return null;
      this.errorf(`invalid value; expected ${goType(t)}`);
    }
    if (t === 'any') return v;
    const k = kindOf(v);
    const ok = (t === 'string' && k === 'string') || (t === 'float64' && k === 'float') || (t === 'int' && k === 'int') || (t === 'bool' && k === 'bool');
    if (!ok) this.errorf(`wrong type for value; expected ${goType(t)}; got ${typeName(v)}`);
    return v;
  }

  *evalArg(dot: unknown, t: ParamType, n: ArgNode, chainRecv = false): Gen<unknown> {
    this.at(n);
    switch (n.kind) {
      case 'dot':
        return this.validateType(dot, t);
      case 'nil':
        if (t === 'any' || t === 'value' || (typeof t === 'object' && t.nullable)) return null;
        this.errorf(`cannot assign nil to ${goType(t)}`);
      // eslint-disable-next-line no-fallthrough
      case 'field':
        return this.validateType(yield* this.evalFieldChain(dot, dot, n, n.idents, [n], MISSING), t);
      case 'variable':
        return this.validateType(yield* this.evalVariable(dot, n, null, MISSING), t);
      case 'pipe': {
        const v = yield* this.evalPipeline(dot, n.pipe);
        return chainRecv ? v : this.validateType(v, t);
      }
      case 'identifier':
        return this.validateType(yield* this.evalFunction(dot, n.name, n, n, null, MISSING), t);
      case 'chain':
        return this.validateType(yield* this.evalChain(dot, n, null, MISSING), t);
    }
    if (typeof t === 'object') this.errorf(`can't handle ${n.src} for arg of type ${t.goType}`);
    switch (t) {
      case 'bool':
        if (n.kind === 'bool') return n.value;
        this.errorf(`expected bool; found ${n.src}`);
      // eslint-disable-next-line no-fallthrough
      case 'float64':
        if (n.kind === 'number' && n.num.isFloat) return n.num.float;
        this.errorf(`expected float; found ${n.src}`);
      // eslint-disable-next-line no-fallthrough
      case 'int':
        if (n.kind === 'number' && n.num.isInt) return n.num.int;
        this.errorf(`expected integer; found ${n.src}`);
      // eslint-disable-next-line no-fallthrough
      case 'string':
        if (n.kind === 'string') return n.value;
        this.errorf(`expected string; found ${n.src}`);
      // eslint-disable-next-line no-fallthrough
      default:
        switch (n.kind) {
          case 'bool':
            return n.value;
          case 'number':
            return this.idealConstant(n);
          case 'string':
            return n.value;
        }
    }
  }
}

function goType(t: ParamType): string {
  if (typeof t === 'object') return t.goType;
  return t === 'any' ? 'interface {}' : t === 'value' ? 'reflect.Value' : t;
}

function drive<T>(g: Gen<T>): T {
  const r = g.next();
  if (!r.done) throw new TemplateExecError('template: a function returned a Promise; use executeAsync');
  return r.value;
}

async function driveAsync<T>(g: Gen<T>): Promise<T> {
  let r = g.next();
  while (!r.done) {
    let v: unknown;
    try {
      v = await r.value;
    } catch (e) {
      r = g.throw(e);
      continue;
    }
    r = g.next(v);
  }
  return r.value;
}

function run(tree: Tree, data: unknown, opts: ExecOptions): [State, Gen<void>] {
  const s = new State(tree, opts);
  s.vars.push({ name: '$', value: data });
  const g = (function* () {
    try {
      yield* s.walkList(data, tree.root);
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) s.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
      throw e;
    }
  })();
  return [s, g];
}

export function executeTree(tree: Tree, data: unknown, opts: ExecOptions): string {
  const [s, g] = run(tree, data, opts);
  drive(g);
  return s.out.join('');
}

export async function executeTreeAsync(tree: Tree, data: unknown, opts: ExecOptions): Promise<string> {
  const [s, g] = run(tree, data, opts);
  await driveAsync(g);
  return s.out.join('');
}
