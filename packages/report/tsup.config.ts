import { libraryConfig } from "../../tsup.config.base";

// `./html` renders the report page; `./testing` ships sample experiments for tests of tools that read them.
export default libraryConfig({ entry: { index: "src/index.ts", html: "src/html.ts", testing: "src/testing.ts" } });
