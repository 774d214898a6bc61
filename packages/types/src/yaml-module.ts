import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let loaded: typeof Yaml | undefined;

/**
 * The yaml package, loaded the first time a document is read or written rather than when
 * @iter8ts/types is imported: yaml is CommonJS on Node, so importing it from an ES module costs a
 * fresh process as much as the rest of this package (Node's CommonJS lexer included), and most
 * importers (analytics, the engine, a CLI printing its help) never read YAML.
 * A bundler that cannot follow `createRequire` replaces this module with a static import of yaml
 * (apps/cli/tsup.config.ts does).
 */
export function yamlModule(): typeof Yaml {
  return (loaded ??= createRequire(import.meta.url)("yaml") as typeof Yaml);
}
