// A quarter of the fuzz corpus: the Experiment documents among cases 5000–9999 (see fuzz-summary.ts).
import { it } from "vitest";
import { checkSlice } from "./fuzz-summary";

it("experiment documents of cases 5000–9999 keep the parse and engine contracts", () => checkSlice("Experiment", 1), 120_000);
