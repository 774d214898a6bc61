import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compileGoTemplate, renderGoTemplate, TemplateDelimiters } from "./go-template";
import { translateGoTemplate } from "./go-template-translate";
import { TemplateError } from "./template-error";

const at = (source: string, data: unknown, context = {}) =>
  renderGoTemplate(source, data, { name: "the template", delimiters: TemplateDelimiters.At, secretMethod: true }, context);
const braces = (source: string, data: unknown) => renderGoTemplate(source, data, { name: "the template", delimiters: TemplateDelimiters.Braces });

function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error("expected a TemplateError");
}

const experiment = {
  apiVersion: "iter8.tools/v2alpha2",
  metadata: { name: "sklearn-iris-experiment-1" },
  spec: {
    duration: { intervalSeconds: 15 },
    versionInfo: { baseline: { name: "default", variables: [{ name: "revision", value: "revision1" }] } },
    criteria: { indicators: ["a", "b"] },
  },
  status: { versionRecommendedForPromotion: "default" },
};

describe("Go templates with @< >@", () => {
  it("renders fields, missing keys as nothing, and nested maps", () => {
    expect(at("hello @<.name>@", { name: "tester" })).toBe("hello tester");
    expect(at("hello @<.name>@@<.other>@", { name: "tester" })).toBe("hello tester");
    expect(at("hello @<.name>@", {})).toBe("hello ");
    expect(at("hello @<.secret.secretName>@", { secret: { secretName: "tester" } })).toBe("hello tester");
  });

  it("reads the experiment as the notification tasks see it", () => {
    const data = { this: experiment };
    expect(at("@<.this.apiVersion>@", data)).toBe("iter8.tools/v2alpha2");
    expect(at("@<.this.metadata.name>@", data)).toBe("sklearn-iris-experiment-1");
    expect(at("@<.this.spec.duration.intervalSeconds>@", data)).toBe("15");
    expect(at("@<(index .this.spec.versionInfo.baseline.variables 0).value>@", data)).toBe("revision1");
    expect(at("@<.this.status.versionRecommendedForPromotion>@", data)).toBe("default");
    expect(at("@< .this.spec.criteria.indicators >@", data)).toBe("[a b]");
  });

  it("rejects a bare identifier and a broken action", () => {
    expect(templateError(() => at("hello @<name>@", { name: "tester" })).message).toBe('the template: line 1, column 9: function "name" not defined');
    const broken = templateError(() => at("hello @< @<index .name>@", { name: "tester" }));
    expect(broken.code).toBe("syntax");
    expect(broken.message).toBe('the template: line 1, column 10: unexpected "@" in action');
  });

  it("leaves text without actions alone, including braces and backslashes", () => {
    const t = compileGoTemplate("echo {{ not a template }} \\{{x}} ${HOME}", { name: "s", delimiters: TemplateDelimiters.At });
    expect(t.dynamic).toBe(false);
    expect(t.render({})).toBe("echo {{ not a template }} \\{{x}} ${HOME}");
  });

  it("never HTML-escapes", () => {
    expect(at(`@< .v >@`, { v: `<a href="x?a=1&b=2">it's</a>` })).toBe(`<a href="x?a=1&b=2">it's</a>`);
  });

  it("calls .Secret with a key, and fails clearly without a secret or with a missing key", () => {
    const secrets: Record<string, string> = { token: "t0p" };
    const context = {
      secret: (key: string) => {
        const value = secrets[key];
        if (value === undefined) throw new Error(`secret has no key ${JSON.stringify(key)}`);
        return value;
      },
    };
    expect(at(`curl -H "Authorization: Bearer @< .Secret "token" >@"`, {}, context)).toBe(`curl -H "Authorization: Bearer t0p"`);
    expect(compileGoTemplate(`@< .Secret "token" >@`, { name: "s", delimiters: TemplateDelimiters.At, secretMethod: true }).usesSecret).toBe(true);
    expect(() => at(`@< .Secret "nope" >@`, {}, context)).toThrow('the template: secret has no key "nope"');
    expect(() => at(`@< .Secret "token" >@`, {})).toThrow("the task names no secret; add with.secret");
    expect(templateError(() => braces(`{{ .Secret "token" }}`, {})).message).toContain("can't give arguments to .Secret");
  });
});

describe("Go control structures", () => {
  it("renders if / else if / else by Go truth", () => {
    const t = "{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}";
    expect(braces(t, { a: 1 })).toBe("A");
    expect(braces(t, { a: 0, b: "x" })).toBe("B");
    expect(braces(t, { a: [], b: {} })).toBe("C");
    expect(braces("{{ if .x }}yes{{ end }}", { x: false })).toBe("");
  });

  it("ranges over lists and maps (sorted keys), with variables and else", () => {
    expect(braces("{{ range .l }}[{{ . }}]{{ end }}", { l: ["a", "b"] })).toBe("[a][b]");
    expect(braces("{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}", { l: ["a", "b"] })).toBe("0=a;1=b;");
    expect(braces("{{ range $k, $v := .m }}{{ $k }}={{ $v }} {{ end }}", { m: { z: 1, a: 2 } })).toBe("a=2 z=1 ");
    expect(braces("{{ range .l }}x{{ else }}empty{{ end }}", { l: [] })).toBe("empty");
    expect(braces("{{ range .vars }}{{ .name }}:{{ $.who }} {{ end }}", { who: "me", vars: [{ name: "a" }, { name: "b" }] })).toBe("a:me b:me ");
  });

  it("binds with and variables declared with :=", () => {
    expect(braces("{{ with .a.b }}{{ .c }}{{ else }}none{{ end }}", { a: { b: { c: 7 } } })).toBe("7");
    expect(braces("{{ with .a.b }}{{ .c }}{{ else }}none{{ end }}", { a: {} })).toBe("none");
    expect(braces("{{ $n := .name }}{{ range .l }}{{ $n }}-{{ . }} {{ end }}", { name: "x", l: [1, 2] })).toBe("x-1 x-2 ");
  });

  it("trims whitespace around - markers and drops comments", () => {
    expect(braces("a  {{- .x -}}  b {{/* note */}}c\n{{- /* gone */ -}}\nd", { x: 1 })).toBe("a1b cd");
  });

  it("runs the builtin functions and pipelines", () => {
    expect(braces(`{{ .l | len }}`, { l: [1, 2, 3] })).toBe("3");
    expect(braces(`{{ printf "%s-%03d-%.1f" .s .n .f }}`, { s: "v", n: 7, f: 2.26 })).toBe("v-007-2.3");
    expect(braces(`{{ if and (eq .a "x") (not .b) }}ok{{ end }}`, { a: "x", b: false })).toBe("ok");
    expect(braces(`{{ if or (gt .n 3) (lt .n 0) }}out{{ else }}in{{ end }}`, { n: 2 })).toBe("in");
    expect(braces(`{{ index .m "k.x" }}{{ index .l 1 }}`, { m: { "k.x": "K" }, l: [0, 9] })).toBe("K9");
    expect(braces(`{{ .q | urlquery }} {{ .q | html }} {{ .q | js }}`, { q: `a b&"c"` })).toBe(`a+b%26%22c%22 a b&amp;&#34;c&#34; a b\\u0026\\"c\\"`);
    expect(braces(`{{ print 1 2 "a" 3 }}`, {})).toBe("1 2a3");
    expect(braces(`{{ "lit" }} {{ 3 }} {{ true }}`, {})).toBe("lit 3 true");
  });

  it("shellquote makes any value one literal shell word, as a function or at the end of a pipeline", () => {
    const hostile = [
      "",
      "plain",
      "it's",
      "'; touch /tmp/pwned; echo '",
      "$(id) `id` ${HOME} $HOME",
      "a\nb\tc \\ \"q\" *?[a] ~ # ; & | < > ( ) { } !",
      "'''",
      "-n",
      "é ☃ \u0001\u001b[31m",
    ];
    for (const value of hostile) {
      const braced = braces("printf '%s' {{ shellquote .x }}", { x: value });
      expect(braced).toBe(at(`printf '%s' @< .Secret "token" | shellquote >@`, {}, { secret: () => value }));
      // What bash (and sh) pass to printf is exactly the value: nothing was interpreted.
      for (const shell of ["/bin/bash", "/bin/sh"]) expect(execFileSync(shell, ["-c", braced], { encoding: "utf8" })).toBe(value);
    }
    // Arguments are joined as Go's fmt.Sprint joins them (a space only between two non-strings).
    expect(braces("{{ shellquote .a .b }}", { a: "x", b: 1 })).toBe("'x1'");
    expect(braces("{{ .n | shellquote }}", { n: 3 })).toBe("'3'");
    expect(templateError(() => braces("{{ shellquote .x }}", { x: "a\u0000b" })).message).toContain("shellquote of a value holding a NUL character");
  });

  it("refuses what it cannot render correctly, with the position, also when only checking", () => {
    const cases: [string, string][] = [
      ["{{ if .x }}unclosed", 'line 1, column 4: {{if}} is not closed with {{end}}'],
      ["{{ end }}", "unexpected {{end}}"],
      ["{{ if .x }}a{{ else }}b{{ else }}c{{ end }}", "a second {{else}}"],
      ['{{ define "x" }}{{ end }}', "{{define}} is not supported"],
      ['{{ template "x" }}', "{{template}} is not supported"],
      ["{{ $x }}", "undefined variable $x"],
      ["{{ $x := 1 }}{{ $x = 2 }}", "assigning to $x with = is not supported"],
      ["{{ .a .b }}", "can't give arguments to .a"],
      ["{{ .a | .b }}", "can't give arguments to .b"],
      ["{{ nosuch .a }}", 'function "nosuch" not defined'],
      ["{{ .a", "action is not closed"],
      ['{{ "abc }}', "string is not closed"],
      ["{{ 3x }}", "bad number syntax"],
      ["line one\n  {{ if }}", "line 2, column 9: missing value for if"],
    ];
    for (const [source, message] of cases) {
      expect(templateError(() => braces(source, {})).message, source).toContain(message);
      // Checking without the template engine (what validate does) finds the same problem.
      expect(templateError(() => translateGoTemplate(source, { name: "the template", delimiters: TemplateDelimiters.Braces })).message, source).toContain(message);
    }
  });

  it("reports execution errors with the template name", () => {
    expect(() => braces("{{ index .l 5 }}", { l: [1] })).toThrow("the template: index out of range: 5 (the list has 1 items)");
    expect(() => braces("{{ lt .a .b }}", { a: 1, b: "x" })).toThrow("lt needs two numbers or two strings");
  });

  it("does not reach inherited properties", () => {
    expect(braces("{{ .constructor }}{{ .a.__proto__ }}{{ .toString }}", { a: {} })).toBe("");
  });
});

describe("templates too deep or too long", () => {
  const compile = (source: string) => templateError(() => compileGoTemplate(source, { name: "with.args[0]", delimiters: TemplateDelimiters.Braces }));

  it.each([
    ["50,000 nested parentheses", `{{ ${"(".repeat(50_000)}.x${")".repeat(50_000)} }}`],
    ["50,000 nested {{if}} blocks", `${"{{if .x}}".repeat(50_000)}y${"{{end}}".repeat(50_000)}`],
    ["an else-if chain of 200", `{{if .a}}${"{{else if .b}}".repeat(200)}{{end}}`],
    ["a pipeline of 5,000 commands", `{{ .x${" | print".repeat(5_000)} }}`],
    ["5,000 declarations", `${"{{ $a := 1 }}".repeat(5_000)}{{ $a }}`],
    ["101 nested parentheses", `{{ ${"(".repeat(101)}.x${")".repeat(101)} }}`],
  ])("refuses %s with a typed error naming the template, never a stack overflow", (_what, source) => {
    const error = compile(source);
    expect(error.code).toBe("input_limit");
    expect(error.message).toMatch(/^with\.args\[0\]: ((line \d+, column \d+: )?template nests deeper than 100 levels|template is [\d,]+ characters long, more than the 65,536 allowed); /);
  });

  it("refuses a template longer than 65,536 characters before parsing it", () => {
    const error = compile("x".repeat(70_000));
    expect(error).toMatchObject({ code: "input_limit", message: "with.args[0]: template is 70,000 characters long, more than the 65,536 allowed; shorten it" });
  });

  it("still renders templates nested up to the limit", () => {
    expect(braces(`{{ ${"(".repeat(40)}.x${")".repeat(40)} }}`, { x: "ok" })).toBe("ok");
    expect(braces(`${"{{if .x}}".repeat(30)}{{.x}}${"{{end}}".repeat(30)}`, { x: "deep" })).toBe("deep");
    expect(braces(`{{ .x${" | print".repeat(60)} }}`, { x: "piped" })).toBe("piped");
  });
});
