// The skipped tests of a vitest JSON report, each with the reason it states for not running.
// `npm test` (scripts/test-all.mjs) lists them and fails on one that states none: a missing
// prerequisite is installed by .ci/run or fails its test, it is never skipped silently.

/**
 * Why a skipped test did not run, as the test states it: `meta.skipReason` (set before
 * `ctx.skip()`), or its name saying `skipped: <why>` or `(<condition> only)`. Undefined when it
 * does not say.
 */
export function skipReason(result) {
  const meta = result.meta?.skipReason;
  if (typeof meta === "string" && meta.trim()) return meta.trim();
  const name = [...(result.ancestorTitles ?? []), result.title ?? ""].join(" > ");
  const stated = /skipped: ?(.+)$/i.exec(name) ?? /\(([^()]+ only)\)/.exec(name);
  return stated?.[1]?.trim() || undefined;
}

/** `{ name, reason }` for every test of the report that neither passed nor failed (skipped, todo). */
export function skippedTests(report) {
  const out = [];
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === "passed" || t.status === "failed") continue;
      out.push({ name: t.fullName ?? t.title, reason: skipReason(t) });
    }
  }
  return out;
}
