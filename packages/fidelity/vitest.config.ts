import { testConfig } from "../../vitest.shared";

// Each file starts a real control plane (about 4 s) next to a KubeTestServer and shares them
// between its tests; the first run on a machine builds the control plane first (minutes).
export default testConfig({ include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 10 * 60_000 });
