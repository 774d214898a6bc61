// A quarter of the fuzz corpus: the Experiment documents among cases 0–4999 (see fuzz-summary.ts).
import { it } from "vitest";
import { checkSlice } from "./fuzz-summary";

it("experiment documents of cases 0–4999 keep the parse and engine contracts", () => checkSlice("Experiment", 0), 120_000);
