import { packageConfig } from "../../tsup.config.base";

// The CLI behind `pnpm kube:up`/`kube:down` is a second entry: it imports the library's code.
export default packageConfig({ entry: ["src/index.ts", "src/cli.ts"] });
