import { libraryConfig } from "../../tsup.config.base";

// A second entry ships the in-memory ResourceClient under `@iter8ts/resources/testing`.
export default libraryConfig({ entry: ["src/index.ts", "src/testing.ts"] });
