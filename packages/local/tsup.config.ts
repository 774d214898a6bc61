import { packageConfig } from "../../tsup.config.base";

export default packageConfig({ entry: { index: "src/index.ts", testing: "src/testing.ts" } });
