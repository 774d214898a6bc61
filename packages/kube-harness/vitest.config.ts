import { testConfig } from "../../vitest.shared";

export default testConfig({
  // beforeAll may have to build the binaries when `vitest` runs without the package's test
  // script (which builds first): a cold build takes many minutes on two cores.
  hookTimeout: 45 * 60_000,
  testTimeout: 60_000,
});
