import { InputLimits, nestingProblem } from "@iter8ts/types";
import { TemplateError, TemplateErrorCode } from "./template-error";

/** A value in a command: `.a.b`, `$x.a`, `"s"`, `3`, `true`, `nil`, a function name, `(pipeline).a`. */
export type GoOperand =
  | { kind: "dot"; pos: number }
  | { kind: "field"; names: string[]; pos: number }
  | { kind: "variable"; name: string; names: string[]; pos: number }
  | { kind: "identifier"; name: string; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "number"; value: number; pos: number }
  | { kind: "bool"; value: boolean; pos: number }
  | { kind: "nil"; pos: number }
  | { kind: "pipe"; pipe: GoPipe; names: string[]; pos: number };

/** Space-separated operands; the first may be a function called with the rest. */
export interface GoCommand {
  args: GoOperand[];
  pos: number;
}

/** `$x := cmd | cmd | …` */
export interface GoPipe {
  decl: string[];
  /** True for `=` (assignment to an existing variable) rather than `:=`. */
  assign: boolean;
  cmds: GoCommand[];
  pos: number;
}

/** A parsed template node. */
export type GoNode =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: GoPipe; pos: number }
  | { kind: "if" | "with" | "range"; pipe: GoPipe; list: GoNode[]; elseList?: GoNode[]; pos: number };

type TokenType =
  | "text"
  | "left"
  | "right"
  | "field"
  | "dot"
  | "variable"
  | "identifier"
  | "keyword"
  | "string"
  | "number"
  | "bool"
  | "nil"
  | "lparen"
  | "rparen"
  | "pipe"
  | "declare"
  | "assign"
  | "comma"
  | "eof";

interface Token {
  type: TokenType;
  value: string;
  pos: number;
  /** Whitespace came right before this token inside an action. */
  spaced: boolean;
  number?: number;
}

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);
const SPACE = /[ \t\r\n]/;
const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

/** Line and column (1-based) of an offset. */
export function lineAndColumn(source: string, pos: number): { line: number; column: number } {
  const before = source.slice(0, pos);
  const line = before.split("\n").length;
  return { line, column: pos - before.lastIndexOf("\n") };
}

/** Options naming the template and its delimiters. */
export interface ParseOptions {
  /** Shown in messages, e.g. `the run script` or `with.args[1]`. */
  name: string;
  left: string;
  right: string;
}

class Lexer {
  readonly tokens: Token[] = [];
  private i = 0;
  private trimNext = false;

  constructor(
    private readonly src: string,
    readonly opts: ParseOptions,
  ) {}

  fail(pos: number, problem: string, code: TemplateErrorCode = TemplateErrorCode.Syntax): TemplateError {
    const { line, column } = lineAndColumn(this.src, pos);
    return new TemplateError(code, `${this.opts.name}: line ${line}, column ${column}: ${problem}`, line, column);
  }

  run(): Token[] {
    const { left, right } = this.opts;
    const src = this.src;
    while (this.i < src.length) {
      const j = src.indexOf(left, this.i);
      let text = src.slice(this.i, j < 0 ? src.length : j);
      if (this.trimNext) {
        text = text.replace(/^[ \t\r\n]+/, "");
        this.trimNext = false;
      }
      if (j < 0) {
        if (text) this.push("text", text, this.i);
        this.i = src.length;
        break;
      }
      let k = j + left.length;
      const trimLeft = src[k] === "-" && SPACE.test(src[k + 1] ?? "");
      if (trimLeft) {
        text = text.replace(/[ \t\r\n]+$/, "");
        k += 2;
      }
      if (text) this.push("text", text, this.i);
      // A comment must follow the delimiter (and trim marker) directly, and end at the closing one.
      let c = k;
      if (trimLeft) while (SPACE.test(src[c] ?? "")) c++;
      if (src.startsWith("/*", c)) {
        const end = src.indexOf("*/", c + 2);
        if (end < 0) throw this.fail(c, "comment is not closed with */");
        c = end + 2;
        if (src.startsWith(` -${right}`, c)) {
          this.trimNext = true;
          this.i = c + 2 + right.length;
        } else if (src.startsWith(right, c)) {
          this.i = c + right.length;
        } else {
          throw this.fail(c, `comment must be followed directly by ${right}`);
        }
        continue;
      }
      this.push("left", left, j);
      this.i = k;
      this.lexAction(j);
    }
    this.push("eof", "", src.length);
    return this.tokens;
  }

  private push(type: TokenType, value: string, pos: number, spaced = false, number?: number): void {
    const token: Token = { type, value, pos, spaced };
    if (number !== undefined) token.number = number;
    this.tokens.push(token);
  }

  private lexAction(open: number): void {
    const src = this.src;
    const right = this.opts.right;
    let spaced = false;
    for (;;) {
      const k = this.i;
      if (k >= src.length) throw this.fail(open, `action is not closed with ${right}`);
      if (src.startsWith(right, k)) {
        this.push("right", right, k, spaced);
        this.i = k + right.length;
        return;
      }
      const ch = src[k] as string;
      if (SPACE.test(ch)) {
        let m = k;
        while (m < src.length && SPACE.test(src[m] as string)) m++;
        if (src[m] === "-" && src.startsWith(right, m + 1)) {
          this.push("right", right, m + 1, true);
          this.trimNext = true;
          this.i = m + 1 + right.length;
          return;
        }
        this.i = m;
        spaced = true;
        continue;
      }
      const at = (type: TokenType, value: string, length: number, number?: number) => {
        this.push(type, value, k, spaced, number);
        this.i = k + length;
        spaced = false;
      };
      if (ch === '"' || ch === "`") {
        const { value, length } = this.lexString(k, ch);
        at("string", value, length);
      } else if (ch === "'") {
        const { value, length } = this.lexString(k, "'");
        const codePoints = [...value];
        if (codePoints.length !== 1) throw this.fail(k, "a character constant must hold exactly one character");
        at("number", value, length, codePoints[0]?.codePointAt(0));
      } else if (ch === "(") at("lparen", ch, 1);
      else if (ch === ")") at("rparen", ch, 1);
      else if (ch === "|") at("pipe", ch, 1);
      else if (ch === ",") at("comma", ch, 1);
      else if (src.startsWith(":=", k)) at("declare", ":=", 2);
      else if (ch === "=") at("assign", "=", 1);
      else if (ch === "$") {
        let m = k + 1;
        while (m < src.length && IDENT_CHAR.test(src[m] as string)) m++;
        at("variable", src.slice(k, m), m - k);
      } else if (ch === "." && IDENT_START.test(src[k + 1] ?? "")) {
        let m = k + 1;
        while (m < src.length && IDENT_CHAR.test(src[m] as string)) m++;
        at("field", src.slice(k + 1, m), m - k);
      } else if (/[0-9]/.test(ch) || ((ch === "+" || ch === "-" || ch === ".") && /[0-9]/.test(src[k + 1] ?? ""))) {
        const match = /^[+-]?(0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/.exec(src.slice(k));
        const text = match?.[0] ?? "";
        if (IDENT_CHAR.test(src[k + text.length] ?? "")) throw this.fail(k, `bad number syntax: ${JSON.stringify(src.slice(k, k + text.length + 1))}`);
        const value = /^[+-]?0[xX]/.test(text) ? (text.startsWith("-") ? -1 : 1) * parseInt(text.replace(/^[+-]/, ""), 16) : Number(text);
        at("number", text, text.length, value);
      } else if (ch === ".") at("dot", ".", 1);
      else if (IDENT_START.test(ch)) {
        let m = k;
        while (m < src.length && IDENT_CHAR.test(src[m] as string)) m++;
        const word = src.slice(k, m);
        const type: TokenType = KEYWORDS.has(word) ? "keyword" : word === "true" || word === "false" ? "bool" : word === "nil" ? "nil" : "identifier";
        at(type, word, m - k);
      } else {
        throw this.fail(k, `unexpected ${JSON.stringify(ch)} in action`);
      }
    }
  }

  private lexString(start: number, quote: string): { value: string; length: number } {
    const src = this.src;
    if (quote === "`") {
      const end = src.indexOf("`", start + 1);
      if (end < 0) throw this.fail(start, "raw string is not closed with `");
      return { value: src.slice(start + 1, end), length: end + 1 - start };
    }
    let value = "";
    let k = start + 1;
    for (;;) {
      const ch = src[k];
      if (ch === undefined || ch === "\n") throw this.fail(start, `string is not closed with ${quote}`);
      if (ch === quote) return { value, length: k + 1 - start };
      if (ch !== "\\") {
        value += ch;
        k++;
        continue;
      }
      const e = src[k + 1] ?? "";
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v", "\\": "\\", '"': '"', "'": "'" };
      if (e in simple) {
        value += simple[e];
        k += 2;
        continue;
      }
      const hexLength = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
      if (hexLength > 0) {
        const hex = src.slice(k + 2, k + 2 + hexLength);
        if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) throw this.fail(k, `bad escape \\${e}${hex}`);
        value += String.fromCodePoint(parseInt(hex, 16));
        k += 2 + hexLength;
        continue;
      }
      const octal = src.slice(k + 1, k + 4);
      if (/^[0-7]{3}$/.test(octal)) {
        value += String.fromCharCode(parseInt(octal, 8));
        k += 4;
        continue;
      }
      throw this.fail(k, `unknown escape \\${e} in string`);
    }
  }
}

class Parser {
  private k = 0;
  /**
   * Levels the translation nests: blocks (including each `else if`), parentheses, each command
   * piped into the next, and each declaration (it scopes the rest of its list). Every level is
   * a recursion here, in the translation and in Handlebars, so it is bounded as it is entered.
   */
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly lexer: Lexer,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.k + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.k < this.tokens.length - 1) this.k++;
    return token;
  }

  private enter(pos: number): void {
    this.depth += 1;
    if (this.depth > InputLimits.maxNesting) throw this.lexer.fail(pos, nestingProblem("template"), TemplateErrorCode.InputLimit);
  }

  private leave(levels = 1): void {
    this.depth -= levels;
  }

  private expect(type: TokenType, what: string): Token {
    const token = this.next();
    if (token.type !== type) throw this.lexer.fail(token.pos, `expected ${what}, found ${describe(token)}`);
    return token;
  }

  parse(): GoNode[] {
    const { nodes, end } = this.list();
    if (end.type !== "eof") throw this.lexer.fail(end.pos, `unexpected {{${end.value}}} with no {{if}}, {{range}} or {{with}} to close`);
    return nodes;
  }

  /** Nodes up to an `end` or `else` keyword (returned, with its action still open) or the end of input. */
  private list(): { nodes: GoNode[]; end: Token } {
    let declarations = 0;
    try {
      return this.listNodes(() => declarations++);
    } finally {
      this.leave(declarations);
    }
  }

  private listNodes(declared: () => void): { nodes: GoNode[]; end: Token } {
    const nodes: GoNode[] = [];
    for (;;) {
      const token = this.next();
      if (token.type === "eof") return { nodes, end: token };
      if (token.type === "text") {
        nodes.push({ kind: "text", text: token.value });
        continue;
      }
      // token is a left delimiter
      const first = this.peek();
      if (first.type === "keyword") {
        if (first.value === "end" || first.value === "else") {
          this.next();
          return { nodes, end: first };
        }
        if (first.value === "if" || first.value === "with" || first.value === "range") {
          this.next();
          nodes.push(this.control(first.value, first.pos));
          continue;
        }
        throw this.lexer.fail(first.pos, `{{${first.value}}} is not supported; write the template without it`, TemplateErrorCode.Unsupported);
      }
      const pipe = this.pipeline("right", "action");
      if (pipe.decl.length > 0) {
        this.enter(first.pos);
        declared();
      }
      nodes.push({ kind: "action", pipe, pos: first.pos });
    }
  }

  private control(kind: "if" | "with" | "range", pos: number): GoNode {
    this.enter(pos);
    try {
      return this.controlNode(kind, pos);
    } finally {
      this.leave();
    }
  }

  private controlNode(kind: "if" | "with" | "range", pos: number): GoNode {
    const pipe = this.pipeline("right", kind);
    const { nodes, end } = this.list();
    const node: GoNode = { kind, pipe, list: nodes, pos };
    if (end.type === "eof") throw this.lexer.fail(pos, `{{${kind}}} is not closed with {{end}}`);
    if (end.value === "end") {
      this.expect("right", `${this.lexer.opts.right} after end`);
      return node;
    }
    // else: either `else if …` / `else with …` (sharing this control's end) or a plain else.
    const after = this.peek();
    if (after.type === "keyword" && (after.value === "if" || after.value === "with") && kind !== "range") {
      this.next();
      node.elseList = [this.control(after.value, after.pos)];
      return node;
    }
    this.expect("right", `${this.lexer.opts.right} after else`);
    const rest = this.list();
    if (rest.end.type === "eof") throw this.lexer.fail(pos, `{{${kind}}} is not closed with {{end}}`);
    if (rest.end.value !== "end") throw this.lexer.fail(rest.end.pos, `a second {{else}} in the same {{${kind}}}`);
    this.expect("right", `${this.lexer.opts.right} after end`);
    node.elseList = rest.nodes;
    return node;
  }

  private pipeline(endType: "right" | "rparen", context: string): GoPipe {
    const levels = { piped: 0 };
    try {
      return this.pipelineNode(endType, context, levels);
    } finally {
      this.leave(levels.piped);
    }
  }

  private pipelineNode(endType: "right" | "rparen", context: string, levels: { piped: number }): GoPipe {
    const pos = this.peek().pos;
    const pipe: GoPipe = { decl: [], assign: false, cmds: [], pos };
    // Declarations: `$x :=`, `$i, $e :=` (range), `$x =`.
    if (this.peek().type === "variable") {
      const t1 = this.peek(1);
      if (t1.type === "declare" || t1.type === "assign") {
        pipe.decl.push(this.next().value);
        pipe.assign = this.next().type === "assign";
      } else if (t1.type === "comma" && this.peek(2).type === "variable" && (this.peek(3).type === "declare" || this.peek(3).type === "assign")) {
        if (context !== "range") throw this.lexer.fail(t1.pos, `two variables can only be declared in {{range}}`);
        pipe.decl.push(this.next().value);
        this.next();
        pipe.decl.push(this.next().value);
        pipe.assign = this.next().type === "assign";
      }
    }
    for (;;) {
      const token = this.peek();
      if (token.type === endType) {
        this.next();
        break;
      }
      if (token.type === "eof" || token.type === "right" || token.type === "rparen") {
        throw this.lexer.fail(token.pos, `unexpected ${describe(token)} in ${context}`);
      }
      if (pipe.cmds.length > 0) {
        // Each command piped into the next wraps it once more.
        this.enter(token.pos);
        levels.piped++;
      }
      pipe.cmds.push(this.command(endType, context));
      if (this.peek().type === "pipe") {
        this.next();
        if (this.peek().type === endType) throw this.lexer.fail(this.peek().pos, `missing command after |`);
      }
    }
    if (pipe.cmds.length === 0) throw this.lexer.fail(pos, `missing value for ${context}`);
    return pipe;
  }

  private command(endType: "right" | "rparen", context: string): GoCommand {
    const cmd: GoCommand = { args: [], pos: this.peek().pos };
    for (;;) {
      const token = this.peek();
      if (token.type === endType || token.type === "pipe") break;
      if (cmd.args.length > 0 && !token.spaced && token.type !== "eof") {
        throw this.lexer.fail(token.pos, `missing space before ${describe(token)}`);
      }
      cmd.args.push(this.operand(context));
    }
    return cmd;
  }

  private operand(context: string): GoOperand {
    const token = this.next();
    let operand: GoOperand;
    switch (token.type) {
      case "dot":
        operand = { kind: "dot", pos: token.pos };
        break;
      case "field": {
        const names = [token.value];
        while (this.peek().type === "field" && !this.peek().spaced) names.push(this.next().value);
        return { kind: "field", names, pos: token.pos };
      }
      case "variable":
        operand = { kind: "variable", name: token.value, names: [], pos: token.pos };
        break;
      case "identifier":
        operand = { kind: "identifier", name: token.value, pos: token.pos };
        break;
      case "string":
        operand = { kind: "string", value: token.value, pos: token.pos };
        break;
      case "number":
        operand = { kind: "number", value: token.number as number, pos: token.pos };
        break;
      case "bool":
        operand = { kind: "bool", value: token.value === "true", pos: token.pos };
        break;
      case "nil":
        operand = { kind: "nil", pos: token.pos };
        break;
      case "lparen":
        this.enter(token.pos);
        try {
          operand = { kind: "pipe", pipe: this.pipeline("rparen", "parenthesized pipeline"), names: [], pos: token.pos };
        } finally {
          this.leave();
        }
        break;
      default:
        throw this.lexer.fail(token.pos, `unexpected ${describe(token)} in ${context}`);
    }
    // Field chains: `$x.a.b`, `(pipeline).a`.
    while (this.peek().type === "field" && !this.peek().spaced) {
      const field = this.next();
      if (operand.kind === "variable" || operand.kind === "pipe") operand.names.push(field.value);
      else throw this.lexer.fail(field.pos, `unexpected .${field.value} after ${describe(token)}`);
    }
    return operand;
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case "eof":
      return "the end of the template";
    case "right":
      return `the closing ${token.value}`;
    case "text":
      return "text";
    case "field":
      return `.${token.value}`;
    default:
      return JSON.stringify(token.value);
  }
}

/**
 * Parses a Go `text/template` source with the given delimiters into nodes. Supported: text,
 * actions with pipelines, `if`/`else if`/`else`, `range` (with `$i, $e :=`), `with`, variables,
 * comments and trim markers (`{{- ` / ` -}}`). `define`, `template`, `block`, `break` and
 * `continue` are refused as unsupported. Nesting deeper than `InputLimits.maxNesting` levels
 * (blocks, parentheses, pipes, declarations) is refused with `input_limit` where it happens.
 *
 * @throws TemplateError with the template name, line and column.
 */
export function parseGoTemplate(source: string, options: ParseOptions): GoNode[] {
  const lexer = new Lexer(source, options);
  return new Parser(lexer.run(), lexer).parse();
}
