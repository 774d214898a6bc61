import { createRequire } from "node:module";
import type Jsonata from "jsonata";

let loaded: typeof Jsonata | undefined;

/**
 * The jsonata package, loaded the first time a condition needs JSONata rather than when
 * @iter8ts/tasks is imported: jsonata is CommonJS, and importing it from an ES module makes a
 * fresh process run Node's CommonJS lexer over it, while most experiments' conditions (none, or
 * the builtin forms) need no JSONata. Resolved from this package's dependencies (@iter8ts/metrics
 * has its own loader, for its expressions; importing that one would load the metrics package).
 */
export function jsonataModule(): typeof Jsonata {
  return (loaded ??= createRequire(import.meta.url)("jsonata") as typeof Jsonata);
}
