import { createRequire } from "node:module";
import type Jsonata from "jsonata";

let loaded: typeof Jsonata | undefined;

/**
 * The jsonata package, loaded the first time a JSONata expression is compiled rather than when
 * the package that uses it is imported: jsonata is CommonJS, and importing it from an ES module
 * makes a fresh process run Node's CommonJS lexer over it (tens of milliseconds of a CLI's
 * start-up), while most runs compile no JSONata at all. Bundles keep jsonata external, so
 * `createRequire` resolves it at run time. (@iter8ts/tasks has its own loader: each package
 * resolves jsonata from its own dependencies.)
 */
export function jsonataModule(): typeof Jsonata {
  return (loaded ??= createRequire(import.meta.url)("jsonata") as typeof Jsonata);
}
