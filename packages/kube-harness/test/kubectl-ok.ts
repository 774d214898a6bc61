// Shared by the test files that drive a control plane through kubectl.
import { expect } from "vitest";
import type { KubectlResult } from "../src/index";

/** Expects kubectl to have succeeded, showing what it said when it did not; returns its stdout. */
export function ok(r: KubectlResult): string {
  expect(r.exitCode, `kubectl failed:\n${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}
