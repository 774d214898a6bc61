import { testConfig } from "../../vitest.shared";

// The fuzz is split into four files of equal work; two workers check them side by side.
export default testConfig({ maxWorkers: 2 });
