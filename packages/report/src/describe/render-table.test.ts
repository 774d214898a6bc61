import { describe, expect, it } from "vitest";
import { headerTitle, renderTable } from "./render-table";

describe("headerTitle", () => {
  it("turns _ and . into spaces and upper-cases", () => {
    expect(headerTitle("app_v1.0")).toBe("APP V1 0");
    expect(headerTitle("_canary_")).toBe("CANARY");
    expect(headerTitle("sample-app-v2")).toBe("SAMPLE-APP-V2");
  });
});

describe("renderTable", () => {
  it("draws borders, a rule under every row, centred headers and aligned cells", () => {
    const text = renderTable(
      ["Metric", "default", "canary"],
      [
        ["mean-latency (milliseconds)", "228.420", "229.002"],
        ["error-rate", "unavailable", "-0.500"],
      ],
    );
    expect(text).toBe(
      [
        "+-----------------------------+-------------+---------+",
        "|           METRIC            |   DEFAULT   | CANARY  |",
        "+-----------------------------+-------------+---------+",
        "| mean-latency (milliseconds) |     228.420 | 229.002 |",
        "+-----------------------------+-------------+---------+",
        "| error-rate                  | unavailable |  -0.500 |",
        "+-----------------------------+-------------+---------+",
        "",
      ].join("\n"),
    );
  });

  it("wraps cells wider than 30 columns and pads the other cells of the row", () => {
    const text = renderTable(["Reward", "A", "B"], [["books-purchased (higher better)", "5.030", "24.454 *"]]);
    expect(text).toBe(
      [
        "+--------------------------------+-------+----------+",
        "|             REWARD             |   A   |    B     |",
        "+--------------------------------+-------+----------+",
        "| books-purchased (higher        | 5.030 | 24.454 * |",
        "| better)                        |       |          |",
        "+--------------------------------+-------+----------+",
        "",
      ].join("\n"),
    );
  });

  it("lets a long word widen its column, while rows laid out before keep their wrapping", () => {
    const long = "iter8-knative/95th-percentile-tail-latency";
    const lines = renderTable(["Metric", "v1"], [["iter8-knative/mean-latency (milliseconds)", "1.492"], [long, "4.831"]]).split("\n");
    // The first label would fit in the final 42 columns, but it was wrapped at 30 when laid out.
    expect(lines[3]).toBe(`| ${"iter8-knative/mean-latency".padEnd(long.length)} | 1.492 |`);
    expect(lines[4]).toBe(`| ${"(milliseconds)".padEnd(long.length)} |       |`);
    expect(lines[6]).toBe(`| ${long} | 4.831 |`);
  });

  it("right-aligns numbers and left-aligns words, line by line", () => {
    const lines = renderTable(["x", "value"], [["a", "12"], ["b", "true"], ["c", "-3.25"], ["d", "1e3"]]).split("\n");
    expect(lines.filter((l) => l.startsWith("| ") && !l.includes("VALUE"))).toEqual([
      "| a |    12 |",
      "| b | true  |",
      "| c | -3.25 |",
      "| d | 1e3   |",
    ]);
  });

  it("widens a column to fit a long header instead of breaking the border", () => {
    const header = "a-version-name-longer-than-thirty-columns";
    const lines = renderTable(["Metric", header], [["m", "1.000"]]).split("\n");
    expect(new Set(lines.filter(Boolean).map((l) => l.length)).size).toBe(1);
    expect(lines[1]).toContain(header.toUpperCase());
  });

  it("draws only the header when there are no rows", () => {
    expect(renderTable(["Metric", "v1"], [])).toBe("+--------+----+\n| METRIC | V1 |\n+--------+----+\n");
  });
});
