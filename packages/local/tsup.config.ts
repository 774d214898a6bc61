import { libraryConfig } from "../../tsup.config.base";

export default libraryConfig({ entry: { index: "src/index.ts", testing: "src/testing.ts" } });
