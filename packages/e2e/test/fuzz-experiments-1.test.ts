// A quarter of the fuzz corpus: the Experiment documents among cases 0–4999 (see fuzz-summary.ts).
import { expect, it } from "vitest";
import { checkSlice } from "./fuzz-summary";

it("experiment documents of cases 0–4999 keep the parse and engine contracts", async () => {
  const summary = await checkSlice("Experiment", 0);
  expect(summary.violations).toEqual([]);
}, 120_000);
