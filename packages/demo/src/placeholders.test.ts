import { describe, expect, it } from "vitest";
import { DemoError } from "./demo-error";
import { fillPlaceholders, placeholdersIn } from "./placeholders";

describe("fillPlaceholders", () => {
  it("fills ${DEMO_…} and leaves Metric and task templates alone", () => {
    const text = [
      "urlTemplate: ${DEMO_METRICS_URL}/api/v1/query",
      "params: [{name: version, value: $name}, {name: window, value: ${elapsedTime}}]",
      'args: ["{{ .promote }}", "${DEMO_WORKDIR}/routing.yaml"]',
      "cost: $$5 and ${DEMO_METRICS_URL}",
    ].join("\n");
    expect(fillPlaceholders(text, { DEMO_METRICS_URL: "http://127.0.0.1:4000", DEMO_WORKDIR: "/tmp/w" }, "x.yaml")).toBe(
      [
        "urlTemplate: http://127.0.0.1:4000/api/v1/query",
        "params: [{name: version, value: $name}, {name: window, value: ${elapsedTime}}]",
        'args: ["{{ .promote }}", "/tmp/w/routing.yaml"]',
        "cost: $$5 and http://127.0.0.1:4000",
      ].join("\n"),
    );
  });

  it("lists every placeholder without a value, with its line, and the names it knows", () => {
    let error: unknown;
    try {
      fillPlaceholders("a: ${DEMO_V1_PORT}\nb: ${DEMO_V3_PORT}\nc: ${DEMO_TYPO}\n", { DEMO_V1_PORT: "1", DEMO_V2_PORT: "2" }, "routing.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DemoError);
    expect((error as DemoError).code).toBe("placeholder_unknown");
    expect((error as DemoError).message).toBe(
      "routing.yaml uses ${DEMO_V3_PORT} (line 2), ${DEMO_TYPO} (line 3), which the demo does not fill; use one of DEMO_V1_PORT, DEMO_V2_PORT",
    );
  });

  it("names the placeholders a text uses", () => {
    expect(placeholdersIn("${DEMO_A} ${elapsedTime} ${DEMO_B} ${DEMO_A} $DEMO_C")).toEqual(["DEMO_A", "DEMO_B"]);
  });
});
