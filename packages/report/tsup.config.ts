import { packageConfig } from "../../tsup.config.base";

// `./html` renders the report page; `./testing` ships sample experiments for tests of tools that read them.
export default packageConfig({ entry: { index: "src/index.ts", html: "src/html.ts", testing: "src/testing.ts" } });
