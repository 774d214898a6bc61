import { packageConfig } from "../../tsup.config.base";

// A second entry is the orchestrator behind `npm run demo` (`node packages/demo/dist/run-demo.js`).
export default packageConfig({ entry: ["src/index.ts", "src/run-demo.ts"] });
