// Lint rule: the direction of dependencies between workspace packages (docs/architecture.md).
// A package's production code (its src/, not tests, fixtures or benches) may import only the
// @iter8ts packages its row of the table names, and the pure packages no Node I/O module, so a
// wrong edge fails `pnpm lint` instead of waiting for a reviewer.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

function packageOf(file) {
  let dir = dirname(file);
  while (dir !== dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const name = JSON.parse(readFileSync(manifest, "utf8")).name;
      if (typeof name === "string" && name.startsWith("@iter8ts/")) return { name, dir };
      return undefined;
    }
    dir = dirname(dir);
  }
  return undefined;
}

const TEST_CODE = /(^|[\\/])(test|bench|__fixtures__)[\\/]|\.(test|bench)\.[cm]?[jt]s$|(^|[\\/])testing(\.ts|[\\/])/;

/** True for a file of the package's production code: under src/, and not a test, fixture or test helper. */
export function isProductionFile(packageDir, file) {
  const rel = relative(packageDir, file);
  return rel.startsWith(`src${sep}`) && !TEST_CODE.test(rel);
}

/** @type {import("eslint").Rule.RuleModule} */
export const layering = {
  meta: {
    type: "problem",
    docs: { description: "workspace packages depend on each other only in the documented direction" },
    schema: [
      {
        type: "object",
        properties: {
          allowed: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
          noNodeIo: { type: "array", items: { type: "string" } },
        },
      },
    ],
    messages: {
      edge: "{{from}} may not import {{to}}: its production code may import {{allowed}} (the direction of dependencies in docs/architecture.md and tools/eslint/dependency-table.js).",
      io: "{{from}} is pure and may not import {{to}}: pass the I/O in through a port instead.",
    },
  },
  create(context) {
    const home = packageOf(context.filename);
    if (!home || !isProductionFile(home.dir, context.filename)) return {};
    const options = context.options[0] ?? {};
    const allowed = options.allowed?.[home.name];
    const pure = (options.noNodeIo ?? []).includes(home.name);
    if (!allowed && !pure) return {};
    function check(node) {
      const source = node.source && node.source.value;
      if (typeof source !== "string") return;
      const pkg = /^(@iter8ts\/[^/]+)/.exec(source)?.[1];
      if (pkg && allowed && pkg !== home.name && !allowed.includes(pkg)) {
        context.report({ node, messageId: "edge", data: { from: home.name, to: pkg, allowed: allowed.length ? `only ${allowed.join(", ")}` : "no other package" } });
      }
      if (pure && /^(node:)?(fs|fs\/promises|child_process|http|https|net|dgram|worker_threads)$/.test(source)) {
        context.report({ node, messageId: "io", data: { from: home.name, to: source } });
      }
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
