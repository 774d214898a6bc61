// The derived image of Dockerfile.providers.example cannot be built here (no container daemon),
// so this checks what would make it silently useless: the packages it installs are the ones
// ITER8TS_PROVIDERS names, in the folder the controller starts in, from the image the Deployment
// runs, and it ends as the user the Deployment's securityContext expects.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseControllerConfig } from "../../src/controller-config";

const appRoot = join(import.meta.dirname, "..", "..");
const example = readFileSync(join(appRoot, "Dockerfile.providers.example"), "utf8");
const base = readFileSync(join(appRoot, "Dockerfile"), "utf8");
const deployment = readFileSync(join(appRoot, "deploy", "base", "deployment.yaml"), "utf8");
/** Instructions with their continuation lines joined. */
const instructions = example.replace(/\\\n/g, " ").split("\n").filter((l) => /^[A-Z]+ /.test(l));
const last = (keyword: string) => instructions.filter((l) => l.startsWith(`${keyword} `)).at(-1)?.slice(keyword.length + 1).trim();

describe("Dockerfile.providers.example", () => {
  it("starts from the image the Deployment runs", () => {
    const image = /^\s*image: (\S+)$/m.exec(deployment)?.[1];
    expect(example).toContain(`ARG BASE_IMAGE=${image}`);
    expect(instructions).toContain("FROM ${BASE_IMAGE}");
  });

  it("installs, in its WORKDIR, exactly the packages ITER8TS_PROVIDERS names, which the controller reads as its provider list", () => {
    const install = instructions.find((l) => l.startsWith("RUN npm install"));
    const installed = (install ?? "").split(/\s+/).filter((w) => w.startsWith("@") || /^[a-z][\w.-]*@/.test(w)).map((w) => w.replace(/@[^@/]*$/, ""));
    const env = /^ITER8TS_PROVIDERS=(\S+)$/.exec(last("ENV") ?? "")?.[1] ?? "";
    const request = parseControllerConfig([], { ITER8TS_PROVIDERS: env });
    expect(request.kind === "run" ? request.config.providers : []).toEqual(installed);
    expect(installed).toEqual(["@iter8ts/metrics-provider-jsonfile"]);
    // The controller looks names up from its working directory: the install's folder must be the last WORKDIR.
    expect(last("WORKDIR")).toBe("/app/providers");
    expect(install).toContain("chown -R 1000:1000 /app/providers");
  });

  it("runs as the base image's user again", () => {
    const user = /^USER (\S+)$/m.exec(base.split("\n").filter((l) => l.startsWith("USER ")).at(-1) ?? "")?.[1];
    expect(last("USER")).toBe(user);
  });
});
