// A quarter of the fuzz corpus: the Metric documents among cases 0–4999 (see fuzz-summary.ts).
import { expect, it } from "vitest";
import { checkSlice } from "./fuzz-summary";

it("metric documents of cases 0–4999 keep the parse and engine contracts", async () => {
  const summary = await checkSlice("Metric", 0);
  expect(summary.violations).toEqual([]);
}, 120_000);
