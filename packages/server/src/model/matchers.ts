import { translateRE2 } from './re2.js';

// Label matchers. Regexes are fully anchored, as in Prometheus (RE2 semantics approximated in JS).

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  /** Compiled, anchored regex for =~ and !~. */
  readonly re?: RegExp;
}

/** Translates the parts of RE2 syntax that JS lacks (leading inline flags) and anchors it. */
export function compileAnchoredRegex(src: string): RegExp {
  let flags = 's';
  let body = src;
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m) {
    body = body.slice(m[0].length);
    if (m[1]!.includes('i')) flags += 'i';
    if (m[1]!.includes('m')) flags += 'm';
  }
  // RE2 syntax JS lacks: \z, mid-pattern flags, (?P<name>), POSIX classes.
  body = translateRE2(body);
  return new RegExp(`^(?:${body})$`, flags);
}

export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  if (type === '=~' || type === '!~') {
    let re: RegExp;
    try {
      re = compileAnchoredRegex(value);
    } catch (e) {
      throw new Error(`invalid regular expression ${JSON.stringify(value)} for label ${name}: ${(e as Error).message}`);
    }
    return { type, name, value, re };
  }
  return { type, name, value };
}

export function matches(m: Matcher, v: string): boolean {
  switch (m.type) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.re!.test(v);
    case '!~': return !m.re!.test(v);
  }
}

/** True when the matcher matches the empty string (i.e. also series lacking the label). */
export function matchesEmpty(m: Matcher): boolean {
  return matches(m, '');
}

export function matcherToString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}
