import { describe, expect, it } from "vitest";
import type { Analysis, Experiment } from "@iter8ts/types";
import { versionRecommendedForPromotion } from "./version-recommended";

const spec = {
  spec: {
    target: "app",
    strategy: { testingPattern: "A/B/N" as const },
    versionInfo: { baseline: { name: "stable" }, candidates: [{ name: "c1" }, { name: "c2" }] },
  },
} satisfies Pick<Experiment, "spec">;

const winner = (winnerFound: boolean, name?: string): Analysis => ({
  winnerAssessment: { provenance: "p", timestamp: "t", data: { winnerFound, ...(name ? { winner: name } : {}) } },
});

describe("versionRecommendedForPromotion", () => {
  it("is the winner when one was found", () => {
    expect(versionRecommendedForPromotion(spec, winner(true, "c2"))).toBe("c2");
  });

  it("falls back to the baseline without analysis, without a winner assessment, or without a winner", () => {
    expect(versionRecommendedForPromotion(spec, undefined)).toBe("stable");
    expect(versionRecommendedForPromotion(spec, {})).toBe("stable");
    expect(versionRecommendedForPromotion(spec, winner(false, "c2"))).toBe("stable");
    expect(versionRecommendedForPromotion(spec, winner(true))).toBe("stable");
  });
});
