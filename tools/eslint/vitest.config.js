import { testConfig } from "../../vitest.shared";

export default testConfig({ include: ["test/**/*.test.js"] });
