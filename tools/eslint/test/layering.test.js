import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RuleTester } from "eslint";
import tseslint from "typescript-eslint";
import { afterAll, describe, it } from "vitest";
import { ALLOWED_DEPENDENCIES, NO_NODE_IO } from "../dependency-table.js";
import { layering } from "../layering.js";

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;

const fixtures = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");
const engineFile = (path) => join(fixtures, "engine", path);
const options = [{ allowed: ALLOWED_DEPENDENCIES, noNodeIo: NO_NODE_IO }];
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: "module" } });

tester.run("layering", layering, {
  valid: [
    { code: 'import { analyze } from "@iter8ts/analytics";', filename: engineFile("src/engine.ts"), options },
    { code: 'import type { Experiment } from "@iter8ts/types";', filename: engineFile("src/engine.ts"), options },
    // Tests, fixtures and test helpers may reach anything.
    { code: 'import { KubeApi } from "@iter8ts/kube"; import { readFile } from "node:fs/promises";', filename: engineFile("src/engine.test.ts"), options },
    { code: 'import { KubeApi } from "@iter8ts/kube";', filename: engineFile("test/wiring.test.ts"), options },
    { code: 'import { MemoryDocumentFiles } from "@iter8ts/local";', filename: engineFile("src/testing/memory-store.ts"), options },
    { code: 'import { runLocal } from "@iter8ts/local"; import { readFile } from "node:fs/promises";', filename: join(fixtures, "demo", "src", "demo.ts"), options },
  ],
  invalid: [
    {
      code: 'import { KubeApi } from "@iter8ts/kube";',
      filename: engineFile("src/engine.ts"),
      options,
      errors: [{ messageId: "edge", data: { from: "@iter8ts/engine", to: "@iter8ts/kube", allowed: "only @iter8ts/types, @iter8ts/analytics" } }],
    },
    { code: 'export { runLocal } from "@iter8ts/local";', filename: engineFile("src/index.ts"), options, errors: [{ messageId: "edge" }] },
    { code: 'const m = await import("@iter8ts/tasks/testing");', filename: engineFile("src/lazy.ts"), options, errors: [{ messageId: "edge" }] },
    { code: 'import { readFile } from "node:fs/promises";', filename: engineFile("src/engine.ts"), options, errors: [{ messageId: "io", data: { from: "@iter8ts/engine", to: "node:fs/promises" } }] },
    { code: 'import { spawn } from "child_process";', filename: engineFile("src/engine.ts"), options, errors: [{ messageId: "io" }] },
    { code: 'import { KubeApi } from "@iter8ts/kube";', filename: join(fixtures, "demo", "src", "demo.ts"), options, errors: [{ messageId: "edge" }] },
  ],
});
