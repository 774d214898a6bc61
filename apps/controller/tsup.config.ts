import { packageConfig } from "../../tsup.config.base";

// One executable; workspace packages and client-node stay external and load from node_modules.
export default packageConfig({ entry: { controller: "src/main.ts" }, dts: false, banner: { js: "#!/usr/bin/env node" } });
