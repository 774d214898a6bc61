// A quarter of the fuzz corpus: the Metric documents among cases 5000–9999 (see fuzz-summary.ts).
import { expect, it } from "vitest";
import { checkSlice } from "./fuzz-summary";

it("metric documents of cases 5000–9999 keep the parse and engine contracts", async () => {
  const summary = await checkSlice("Metric", 1);
  expect(summary.violations).toEqual([]);
}, 120_000);
