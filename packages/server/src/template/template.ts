// A set of associated named templates sharing functions (Go's *template.Template with its
// namespace): parse texts into it, execute any template by name, clone it for per-use additions.
import type { Tree } from './ast.js';
import { isEmptyTree } from './ast.js';
import { BUILTINS } from './builtins.js';
import { executeTree, executeTreeAsync, funcSpec, type ExecOptions, type FuncMap, type FuncSpec, type MissingKey } from './exec.js';
import { parseTemplate } from './parse.js';

export interface TemplateSetOptions {
  funcs?: FuncMap;
  /** What a missing map key yields: 'default' → "<no value>", 'zero' → "", 'error' → error. */
  missingKey?: MissingKey;
  leftDelim?: string;
  rightDelim?: string;
  /** Escapes every action's printed output (e.g. HTML-escape for email bodies). */
  escapeOutput?: (s: string) => string;
}

export class TemplateSet {
  private readonly trees = new Map<string, Tree>();
  private readonly funcMap = new Map<string, FuncSpec>();
  private readonly opts: TemplateSetOptions;

  constructor(opts: TemplateSetOptions = {}) {
    this.opts = { ...opts };
    if (opts.funcs) this.addFuncs(opts.funcs);
  }

  /** Adds functions; must happen before parsing texts that use them. */
  addFuncs(funcs: FuncMap): this {
    for (const [k, f] of Object.entries(funcs)) this.funcMap.set(k, funcSpec(f));
    return this;
  }

  hasFunc(name: string): boolean {
    return this.funcMap.has(name) || name in BUILTINS;
  }

  private func(name: string): FuncSpec | undefined {
    return this.funcMap.get(name) ?? BUILTINS[name];
  }

  /**
   * Parses `text` as template `name`, adding it and every {{define}} in it to the set.
   * A later definition replaces an earlier one unless it is empty. Throws TemplateParseError.
   */
  parse(name: string, text: string): this {
    const trees = parseTemplate(name, text, (f) => this.hasFunc(f), this.opts.leftDelim, this.opts.rightDelim);
    for (const [n, t] of trees) {
      const old = this.trees.get(n);
      if (old && isEmptyTree(t.root)) continue;
      this.trees.set(n, t);
    }
    return this;
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  names(): string[] {
    return [...this.trees.keys()].sort();
  }

  /** A copy that can get more definitions without changing this set. */
  clone(): TemplateSet {
    const c = new TemplateSet(this.opts);
    for (const [k, f] of this.funcMap) c.funcMap.set(k, f);
    for (const [k, t] of this.trees) c.trees.set(k, t);
    return c;
  }

  private execOpts(): ExecOptions {
    return {
      missingKey: this.opts.missingKey ?? 'default',
      escapeOutput: this.opts.escapeOutput,
      lookup: (n) => this.trees.get(n),
      funcs: (n) => this.func(n),
    };
  }

  private tree(name: string): Tree {
    const t = this.trees.get(name);
    if (!t) {
      const defined = this.names().map((n) => JSON.stringify(n)).join(', ');
      throw new Error(`template: no template ${JSON.stringify(name)} associated with template set${defined ? `; defined templates are: ${defined}` : ''}`);
    }
    return t;
  }

  /** Executes template `name` with `data` synchronously (functions must not return Promises). */
  execute(name: string, data: unknown): string {
    return executeTree(this.tree(name), data, this.execOpts());
  }

  /** Executes template `name`, awaiting functions that return Promises. */
  executeAsync(name: string, data: unknown): Promise<string> {
    return executeTreeAsync(this.tree(name), data, this.execOpts());
  }
}

/** Parses and executes one template text (convenience for tests and one-off rendering). */
export function renderTemplate(text: string, data: unknown, opts: TemplateSetOptions & { name?: string } = {}): string {
  const name = opts.name ?? 'tmpl';
  return new TemplateSet(opts).parse(name, text).execute(name, data);
}
