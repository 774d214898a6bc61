import { describe, expect, it } from "vitest";
import { linearScale, niceTicks } from "./chart-scale";

describe("linearScale", () => {
  it("maps the domain's ends onto the range's ends, reversed ranges included", () => {
    const y = linearScale([0, 100], [250, 10]);
    expect(y(0)).toBe(250);
    expect(y(100)).toBe(10);
    expect(y(50)).toBe(130);
    expect(y.domain).toEqual([0, 100]);
    expect(y.range).toEqual([250, 10]);
  });

  it("puts every value of a one-point domain mid-range instead of dividing by zero", () => {
    const x = linearScale([3, 3], [100, 300]);
    expect(x(3)).toBe(200);
    expect(x(7)).toBe(200);
  });
});

describe("niceTicks", () => {
  it("encloses the data with round steps", () => {
    expect(niceTicks(0, 97, 5)).toMatchObject({ min: 0, max: 100, step: 20, ticks: [0, 20, 40, 60, 80, 100], decimals: 0 });
    expect(niceTicks(142.3, 297.8, 5)).toMatchObject({ min: 100, max: 300, step: 50, ticks: [100, 150, 200, 250, 300] });
  });

  it("gives small steps the decimals that show them exactly", () => {
    const t = niceTicks(0.0049, 0.0213, 5);
    expect(t.step).toBeCloseTo(0.005, 12);
    expect(t.decimals).toBe(3);
    expect(t.ticks).toEqual([0, 0.005, 0.01, 0.015, 0.02, 0.025]);
    expect(niceTicks(0, 1, 4).ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0, 1, 4).decimals).toBe(2);
  });

  it("keeps whole-number steps on integer axes (iterations)", () => {
    const t = niceTicks(1, 5, 10, true);
    expect(t.step).toBe(1);
    expect(t.ticks).toEqual([1, 2, 3, 4, 5]);
    expect(niceTicks(1, 50, 12, true).step).toBe(5);
  });

  it("widens a flat interval so the values sit inside it, not on an edge", () => {
    const t = niceTicks(40, 40, 5);
    expect(t.min).toBeLessThan(40);
    expect(t.max).toBeGreaterThan(40);
    const zero = niceTicks(0, 0, 5);
    expect(zero.min).toBeLessThan(0);
    expect(zero.max).toBeGreaterThan(0);
  });

  it("falls back to 0..1 for non-finite input and accepts bounds in either order", () => {
    expect(niceTicks(Number.NaN, Number.POSITIVE_INFINITY, 5)).toMatchObject({ min: 0, max: 1 });
    expect(niceTicks(100, 0, 5)).toMatchObject({ min: 0, max: 100 });
  });
});
