// Lint rule: a file may import another workspace package only through that package's public
// name (`@iter8ts/analytics`), never by a relative path into it or a deep path into its
// `src`/`dist`; and no app may import another app.
import { existsSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

function workspaceRoot(file) {
  let dir = dirname(file);
  while (dir !== dirname(dir)) {
    const parent = dirname(dir);
    const group = parent.split(sep).pop();
    if ((group === "packages" || group === "apps") && existsSync(join(dir, "package.json"))) return dir;
    dir = parent;
  }
  return null;
}

/** @type {import("eslint").Rule.RuleModule} */
export const noCrossPackageImports = {
  meta: {
    type: "problem",
    docs: { description: "imports cross package boundaries only through public package names" },
    schema: [{ type: "object", properties: { apps: { type: "array", items: { type: "string" } } } }],
    messages: {
      relative: "'{{source}}' reaches into another workspace folder; import it by its package name instead.",
      deep: "'{{source}}' imports a package's internals; import from '{{pkg}}' (its public entry) instead.",
      app: "'{{source}}' imports an app; apps are runtimes, share code through a package in packages/.",
    },
  },
  create(context) {
    const file = context.filename;
    const home = workspaceRoot(file);
    const apps = new Set(context.options[0]?.apps ?? []);
    function check(node) {
      const source = node.source && node.source.value;
      if (typeof source !== "string") return;
      if (source.startsWith(".")) {
        if (!home) return;
        const target = resolve(dirname(file), source);
        const inside = target === home || target.startsWith(home + sep);
        // Shared configuration at the repository root may be imported; other workspaces may not.
        const otherWorkspace = /[\\/](packages|apps)[\\/][^\\/]+/.test(target.slice(dirname(dirname(home)).length));
        if (!inside && otherWorkspace) context.report({ node, messageId: "relative", data: { source } });
        return;
      }
      const m = /^(@iter8ts\/[^/]+)(\/.*)?$/.exec(source);
      if (!m) return;
      const [, pkg, rest] = m;
      if (apps.has(pkg)) context.report({ node, messageId: "app", data: { source } });
      else if (rest && /^\/(src|dist)(\/|$)/.test(rest)) context.report({ node, messageId: "deep", data: { source, pkg } });
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
