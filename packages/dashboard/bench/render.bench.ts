// What a change costs the dashboard with many experiments: drawing the list of 300 experiments
// (each a real engine run of 12 iterations) when every experiment is new (the first page, or a
// source that hands out fresh objects) and when only one of them changed (the cache of report
// data per experiment object), and drawing one experiment's page.
import { simulatedAbnExperiment } from "@iter8ts/report/testing";
import type { Experiment } from "@iter8ts/types";
import { bench, describe } from "vitest";
import { renderDetailContent } from "../src/detail-page";
import { OutcomeFilter } from "../src/experiment-row";
import { renderListContent } from "../src/list-page";

const COUNT = 300;
const template = await simulatedAbnExperiment();
const copy = (i: number): Experiment => {
  const e = structuredClone(template);
  e.metadata.name = `checkout-${i}`;
  return e;
};
const all = Array.from({ length: COUNT }, (_, i) => copy(i));
const filter = { text: "", outcome: OutcomeFilter.All };

describe(`list of ${COUNT} experiments`, () => {
  bench("every experiment new (no cached report data)", () => {
    renderListContent(Array.from({ length: COUNT }, (_, i) => copy(i)), [], filter);
  }, { iterations: 5, time: 0 });
  let n = 0;
  bench("one experiment changed since the last page", () => {
    all[n % COUNT] = copy(n % COUNT);
    n++;
    renderListContent(all, [], filter);
  }, { iterations: 20, time: 0 });
});

describe("one experiment's page", () => {
  bench("report sections and Events", () => {
    renderDetailContent(copy(0), [], "Events", []);
  }, { iterations: 20, time: 0 });
});
