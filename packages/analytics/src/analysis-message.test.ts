import { describe, expect, it } from "vitest";
import { AnalysisMessage } from "./analysis-message";

describe("AnalysisMessage", () => {
  it("renders empty categories so readers splitting on '; ' keep working", () => {
    expect(new AnalysisMessage().format()).toBe("Error: ; Warning: ; Info: ");
    expect(new AnalysisMessage().info("all ok").format()).toBe("Error: ; Warning: ; Info: all ok");
  });

  it("joins several entries of a category with ', ' in the order recorded", () => {
    const message = new AnalysisMessage().warn("w1").error("e1").warn("w2").info("i1").error("e2");
    expect(message.format()).toBe("Error: e1, e2; Warning: w1, w2; Info: i1");
    expect(String(message)).toBe(message.format());
  });

  it("merges another message and knows when it is empty", () => {
    const message = new AnalysisMessage();
    expect(message.isEmpty).toBe(true);
    message.merge(new AnalysisMessage().warn("w"));
    expect(message.isEmpty).toBe(false);
    expect(message.format()).toBe("Error: ; Warning: w; Info: ");
  });
});
