import { describe, expect, it } from "vitest";
import { escapeControls, hasControls } from "./control-characters";
import { parseDocuments } from "./parse-documents";
import { parseExperiment, parseMetric } from "./parse";
import { issuesFromZod } from "./zod-issues";
import { ExperimentSchema } from "./experiment";

const HOSTILE = "\x1b[2J\x1b]0;owned\x07\r\n\t\u009b31m\u202e\x7f";

describe("escapeControls", () => {
  it("shows every control character as an escape that reads the same in text, JSON and YAML", () => {
    expect(escapeControls(`v2${HOSTILE}`)).toBe("v2\\u001b[2J\\u001b]0;owned\\u0007\\r\\n\\t\\u009b31m\\u202e\\u007f");
    expect(JSON.parse(`"${escapeControls(HOSTILE)}"`)).toBe(HOSTILE);
    expect(escapeControls("a\nb\u2028", { keepNewlines: true })).toBe("a\nb\\u2028");
    expect(escapeControls(escapeControls(HOSTILE))).toBe(escapeControls(HOSTILE));
    expect(escapeControls("sample-app-v2 · 名前 🚀")).toBe("sample-app-v2 · 名前 🚀");
    expect(hasControls("ok")).toBe(false);
    expect(hasControls(HOSTILE)).toBe(true);
  });
});

describe("issues quote names and keys without control characters", () => {
  const raw = (text: string) => hasControls(text);
  const experiment = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "e" },
    spec: {
      target: "t",
      [`strategy${HOSTILE}`]: {},
      strategy: { testingPattern: `Canary${HOSTILE}` },
      criteria: { objectives: [{ metric: `m${HOSTILE}`, upperLimit: 1 }] },
      versionInfo: { baseline: { name: `v1${HOSTILE}` }, candidates: [{ name: `v1${HOSTILE}` }] },
    },
  };

  it("in the paths and messages of parseExperiment, parseMetric and parseDocuments", () => {
    const result = parseExperiment(experiment);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThanOrEqual(4);
    for (const issue of result.errors) expect(raw(`${issue.path}: ${issue.message}`), `${issue.path}: ${issue.message}`).toBe(false);
    expect(result.errors.map((i) => i.path)).toContain("spec.strategy\\u001b[2J\\u001b]0;owned\\u0007\\r\\n\\t\\u009b31m\\u202e\\u007f");
    const metric = parseMetric({ metadata: { name: `m${HOSTILE}` }, spec: { urlTemplate: "http://x", jqExpression: ".x", [HOSTILE]: 1 } });
    expect(!metric.ok && metric.errors.every((i) => !raw(`${i.path}: ${i.message}`))).toBe(true);
    const text = `apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nmetadata: {name: e}\nspec:\n  target: "t\\e[2J"\n  strategy: {testingPattern: "Canary\\e[2J\\u009b"}\n---\n"a\\e": [\n`;
    for (const doc of parseDocuments(text)) {
      if (!doc.result.ok) for (const issue of doc.result.errors) expect(raw(`${issue.path}: ${issue.message}`), issue.message).toBe(false);
    }
  });

  it("in issuesFromZod", () => {
    const parsed = ExperimentSchema.safeParse(experiment);
    expect(parsed.success).toBe(false);
    if (!parsed.success) for (const issue of issuesFromZod(parsed.error, experiment)) expect(raw(`${issue.path}: ${issue.message}`)).toBe(false);
  });
});
