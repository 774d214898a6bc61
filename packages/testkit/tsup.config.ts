import { packageConfig } from "../../tsup.config.base";

// The client library is the tests' own (a dev dependency); the kubeconfig helper must not bundle it.
export default packageConfig({ external: ["@kubernetes/client-node"] });
