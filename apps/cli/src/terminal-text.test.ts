import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RAW_CONTROL } from "./__fixtures__/hostile-text";
import { escapeControls, forTerminal, jsonForTerminal, yamlForTerminal } from "./terminal-text";

const HOSTILE = "v2\x1b[2J\x1b]0;owned\x07\r\n\t\u009b31m\u202egnp.exe\x7f";

describe("escapeControls", () => {
  it("shows every control character as an escape, newlines included, and leaves other text alone", () => {
    expect(escapeControls(HOSTILE)).toBe("v2\\u001b[2J\\u001b]0;owned\\u0007\\r\\n\\t\\u009b31m\\u202egnp.exe\\u007f");
    expect(escapeControls("sample-app-v2 · 名前 🚀 ünï")).toBe("sample-app-v2 · 名前 🚀 ünï");
    expect(escapeControls(escapeControls(HOSTILE))).toBe(escapeControls(HOSTILE));
  });
});

describe("forTerminal", () => {
  it("escapes strings and keys at any depth, keeps other values, and does not touch the original", () => {
    let deep: unknown = HOSTILE;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const original = { name: HOSTILE, values: { [HOSTILE]: 1, n: null, ok: true }, list: [HOSTILE, 2], deep, ["__proto__"]: HOSTILE };
    const safe = forTerminal(original);
    expect(safe.name).toBe(escapeControls(HOSTILE));
    expect(safe.values).toEqual({ [escapeControls(HOSTILE)]: 1, n: null, ok: true });
    expect(safe.list).toEqual([escapeControls(HOSTILE), 2]);
    expect(Object.getOwnPropertyDescriptor(safe, "__proto__")?.value).toBe(escapeControls(HOSTILE));
    expect(original.name).toBe(HOSTILE);
    let inner: unknown = safe.deep;
    while (Array.isArray(inner)) inner = inner[0];
    expect(inner).toBe(escapeControls(HOSTILE));
  });
});

describe("JSON and YAML for a terminal", () => {
  it("print no raw control character and read back as the same data", () => {
    const value = { [HOSTILE]: [HOSTILE, "plain"], message: `Failed: ${HOSTILE}` };
    const json = jsonForTerminal(value);
    const yaml = yamlForTerminal(value);
    expect(json).not.toMatch(RAW_CONTROL);
    expect(yaml).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(value);
    expect(parse(yaml)).toEqual(value);
  });
});
