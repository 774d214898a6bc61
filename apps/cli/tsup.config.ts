import { readFileSync } from "node:fs";
import { packageConfig } from "../../tsup.config.base";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// The CLI ships one executable file; workspace packages stay external and load from their dist.
export default packageConfig({
  entry: { iter8ctl: "src/main.ts" },
  dts: false,
  banner: { js: "#!/usr/bin/env node" },
  define: { __ITER8CTL_VERSION__: JSON.stringify(version) },
});
