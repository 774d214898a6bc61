import { describe, expect, it } from "vitest";
import { expandKubeVars } from "./job-executor";

describe("$(VAR) expansion", () => {
  const env = { ACTION: "start", NS: "iter8" };

  it("expands known variables the way the kubelet does", () => {
    expect(expandKubeVars("run -a $(ACTION)", env)).toBe("run -a start");
    expect(expandKubeVars("$(NS)/$(ACTION)", env)).toBe("iter8/start");
  });

  it("leaves unknown references and lone dollars as written, and unescapes $$", () => {
    expect(expandKubeVars("$(MISSING) $HOME $", env)).toBe("$(MISSING) $HOME $");
    expect(expandKubeVars("$$(ACTION) costs $$5", env)).toBe("$(ACTION) costs $5");
    expect(expandKubeVars("$(ACTION", env)).toBe("$(ACTION");
  });
});
