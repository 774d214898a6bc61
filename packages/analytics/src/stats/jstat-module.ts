// The shim's ambient declarations, as in distributions.ts (packages that depend on analytics
// typecheck these sources without this package's tsconfig).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../jstat.d.ts" />
import { createRequire } from "node:module";
import type JStat from "jstat";

let loaded: typeof JStat | undefined;

/**
 * jstat, loaded on the first quantile a statistics-mode analysis asks for rather than when
 * @iter8ts/analytics is imported: jstat is CommonJS, and importing it from an ES module makes a
 * fresh process start Node's CommonJS lexer (about half of what the rest of this package costs to
 * import), while most importers never call a quantile.
 * A bundler that cannot follow `createRequire` replaces this module with a static import of jstat
 * (apps/cli/tsup.config.ts does).
 */
export function jstatModule(): typeof JStat {
  return (loaded ??= createRequire(import.meta.url)("jstat") as typeof JStat);
}
