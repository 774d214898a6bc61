import { testConfig } from "../../vitest.shared";

// Packing and installing take tens of seconds on a cold cache; the test files share one packed
// set and one installed project (see src/), so they run one after another.
export default testConfig({ testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false });
