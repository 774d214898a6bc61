import { testConfig } from "../../vitest.shared";

// test/docs.test.ts starts one real control plane for every shell block that needs a cluster and
// runs the blocks one after another; the first run on a machine builds the control plane (minutes).
export default testConfig({ include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 10 * 60_000 });
