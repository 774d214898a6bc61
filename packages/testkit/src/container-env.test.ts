import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { ContainerConfigError, containerArgv, containerEnvSources, expandKubeVars, resolveContainerEnv } from "./container-env";

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

describe("a container's environment", () => {
  const pod = { metadata: { name: "job-abcde", namespace: "iter8" }, spec: {} };
  const container = {
    envFrom: [{ configMapRef: { name: "settings" }, prefix: "S_" }],
    env: [
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } },
      { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "GREETING", value: "hello $(S_WHO) from $(POD)" },
      { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "level", optional: true } } },
    ],
  };
  const objects: Record<string, { data: Record<string, string> }> = {
    "ConfigMap/settings": { data: { WHO: "ops" } },
    "Secret/creds": { data: { token: Buffer.from("s3cret").toString("base64") } },
  };

  it("names each ConfigMap and Secret it reads once, so a caller can fetch them first", () => {
    expect(containerEnvSources(container)).toEqual([
      { kind: "ConfigMap", name: "settings" },
      { kind: "Secret", name: "creds" },
    ]);
  });

  it("resolves envFrom, secrets, fieldRefs and $(VAR) references to earlier variables", () => {
    const env = resolveContainerEnv(pod, container, { lookup: (kind, name) => objects[`${kind}/${name}`], base: { KUBECONFIG: "/k" }, nodeName: "n" });
    expect(env).toEqual({ KUBECONFIG: "/k", S_WHO: "ops", TOKEN: "s3cret", POD: "job-abcde", GREETING: "hello ops from job-abcde" });
    expect(containerArgv({ command: ["sh", "-c"], args: ["echo $(GREETING)"] }, env)).toEqual(["sh", "-c", "echo hello ops from job-abcde"]);
  });

  it("refuses a missing Secret the way the kubelet reports it", () => {
    expect(() => resolveContainerEnv(pod, container, { lookup: () => undefined, nodeName: "n" })).toThrow(ContainerConfigError);
  });
});
