// Parse tree of a Go text/template, one node type per construct.

export type Node =
  | TextNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | CommentNode;

export interface ListNode {
  nodes: Node[];
}

interface Base {
  pos: number;
  line: number;
}

export interface TextNode extends Base {
  kind: 'text';
  text: string;
}
export interface CommentNode extends Base {
  kind: 'comment';
}
export interface ActionNode extends Base {
  kind: 'action';
  pipe: PipeNode;
}
export interface BranchNode extends Base {
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface IfNode extends BranchNode {
  kind: 'if';
}
export interface WithNode extends BranchNode {
  kind: 'with';
}
export interface RangeNode extends BranchNode {
  kind: 'range';
}
export interface TemplateNode extends Base {
  kind: 'template';
  name: string;
  pipe: PipeNode | null;
}
export interface BreakNode extends Base {
  kind: 'break';
}
export interface ContinueNode extends Base {
  kind: 'continue';
}

export interface PipeNode extends Base {
  isAssign: boolean;
  decl: string[]; // variable names including "$"
  cmds: CommandNode[];
  /** Source text, for error messages. */
  src: string;
}

export interface CommandNode extends Base {
  args: ArgNode[];
  src: string;
}

export type ArgNode =
  | { kind: 'field'; pos: number; idents: string[]; src: string }
  | { kind: 'variable'; pos: number; idents: string[]; src: string } // idents[0] is "$x"
  | { kind: 'chain'; pos: number; node: ArgNode; fields: string[]; src: string }
  | { kind: 'identifier'; pos: number; name: string; src: string }
  | { kind: 'dot'; pos: number; src: string }
  | { kind: 'nil'; pos: number; src: string }
  | { kind: 'bool'; pos: number; value: boolean; src: string }
  | { kind: 'number'; pos: number; num: NumberConst; src: string }
  | { kind: 'string'; pos: number; value: string; src: string }
  | { kind: 'pipe'; pos: number; pipe: PipeNode; src: string };

/** A numeric constant as Go's parser classifies it. */
export interface NumberConst {
  text: string;
  isInt: boolean;
  isFloat: boolean;
  int?: bigint;
  float?: number;
  /** A character constant like 'a' (an int32 rune in Go). */
  isChar?: boolean;
}

/** One named template in a set. */
export interface Tree {
  name: string;
  /** Name of the text it was parsed from (for error positions). */
  parseName: string;
  root: ListNode;
  /** The source text, for line/column in exec errors. */
  text: string;
}

/** A tree is "empty" when it holds only whitespace text (Go lets such a define be replaced). */
export function isEmptyTree(list: ListNode): boolean {
  for (const n of list.nodes) {
    if (n.kind === 'text') {
      if (n.text.trim() !== '') return false;
    } else if (n.kind !== 'comment') return false;
  }
  return true;
}
