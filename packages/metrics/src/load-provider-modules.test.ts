import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MetricSpecSchema } from "@iter8ts/types";
import { afterAll, describe, expect, it } from "vitest";
import { createDefaultRegistry } from "./default-registry";
import { loadProviderModules } from "./load-provider-modules";
import { ProviderModuleError, ProviderModuleErrorCode } from "./provider-module";

// Every module here is a real file imported by Node, in a project folder made for the test.
const root = realpathSync(mkdtempSync(join(tmpdir(), "provider-modules-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

/** A module source whose providers answer `value` under each name. */
function providerSource(names: string[], { api = "1", value = 7, asDefault = false } = {}): string {
  const providers = `[${names.map((n) => `{ apiVersion: "metrics.iter8ts/v1", name: ${JSON.stringify(n)}, async query() { return { ok: true, value: ${value} }; } }`).join(", ")}]`;
  return asDefault ? `export default { iter8tsProviderApi: ${api}, providers: ${providers} };\n` : `export const iter8tsProviderApi = ${api};\nexport const providers = ${providers};\n`;
}

/** An installed package `name` in `<project>/node_modules`, with an import-only exports map. */
function installPackage(project: string, name: string, source: string): void {
  write(`${project}/node_modules/${name}/package.json`, JSON.stringify({ name, type: "module", exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./package.json": "./package.json" } }));
  write(`${project}/node_modules/${name}/dist/index.js`, source);
}

async function refusal(promise: Promise<unknown>): Promise<ProviderModuleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProviderModuleError)) throw new Error(`expected a ProviderModuleError, got ${String(error)}`);
  return error;
}

async function answerOf(registry: ReturnType<typeof createDefaultRegistry>, provider: string): Promise<unknown> {
  const resolved = registry.resolve(MetricSpecSchema.parse({ provider }));
  if (!resolved.ok) return resolved.reason;
  return resolved.provider.query({} as never);
}

describe("loadProviderModules", () => {
  installPackage("app", "@acme/iter8-providers", providerSource(["acme-warehouse", "acme-lake"], { value: 42 }));
  installPackage("app", "other-providers", providerSource(["other"], { asDefault: true }));
  const app = join(root, "app");
  const nested = join(app, "deploy", "jobs");
  mkdirSync(nested, { recursive: true });

  it("loads an installed package by name from the working directory and its parents, and registers its providers", async () => {
    const registry = createDefaultRegistry();
    const loaded = await loadProviderModules(registry, ["@acme/iter8-providers"], { cwd: nested });
    expect(loaded).toEqual([{ module: "@acme/iter8-providers", file: join(app, "node_modules/@acme/iter8-providers/dist/index.js"), providers: ["acme-warehouse", "acme-lake"] }]);
    expect(await answerOf(registry, "ACME-Lake")).toEqual({ ok: true, value: 42 });
  });

  it("accepts the contract as a default export", async () => {
    const registry = createDefaultRegistry();
    await loadProviderModules(registry, ["other-providers"], { cwd: app });
    expect(await answerOf(registry, "other")).toEqual({ ok: true, value: 7 });
  });

  it("loads a file by relative or absolute path or file: URL, and a package folder by its path, each from the working directory", async () => {
    const file = write("app/providers/local.mjs", providerSource(["local-file"]));
    for (const specifier of ["./providers/local.mjs", file, pathToFileURL(file).href]) {
      const registry = createDefaultRegistry();
      const [loaded] = await loadProviderModules(registry, [specifier], { cwd: app });
      expect(loaded?.file).toBe(file);
      expect(registry.get("local-file")).toBeDefined();
    }
    const registry = createDefaultRegistry();
    const [folder] = await loadProviderModules(registry, ["./node_modules/other-providers"], { cwd: app });
    expect(folder?.providers).toEqual(["other"]);
  });

  it("treats a name without ./ as a package even when a file of that name exists, and says how to write the path", async () => {
    write("app/my-provider.mjs", providerSource(["mine"]));
    const error = await refusal(loadProviderModules(createDefaultRegistry(), ["my-provider.mjs"], { cwd: app }));
    expect(error.code).toBe(ProviderModuleErrorCode.NotFound);
    expect(error.module).toBe("my-provider.mjs");
    expect(error.message).toBe(
      `provider module my-provider.mjs: no package my-provider.mjs is installed in ${app} or a folder above it (looked for node_modules/my-provider.mjs); install it there (npm install my-provider.mjs), or give the module's path; to load the file ${join(app, "my-provider.mjs")}, write ./my-provider.mjs`,
    );
  });

  it("refuses a package that is not installed and a path that does not exist, naming them", async () => {
    const missing = await refusal(loadProviderModules(createDefaultRegistry(), ["@acme/not-installed"], { cwd: app }));
    expect(missing.code).toBe(ProviderModuleErrorCode.NotFound);
    expect(missing.message).toContain("no package @acme/not-installed is installed in");
    expect(missing.message).toContain("npm install @acme/not-installed");
    const path = await refusal(loadProviderModules(createDefaultRegistry(), ["./nope.js"], { cwd: app }));
    expect(path.message).toBe(`provider module ./nope.js: there is no file ${join(app, "nope.js")}; check the path (it is taken from ${app})`);
  });

  it("refuses a module of another contract version", async () => {
    const file = write("app/v2.mjs", providerSource(["future"], { api: "2" }));
    const registry = createDefaultRegistry();
    const error = await refusal(loadProviderModules(registry, [file], { cwd: app }));
    expect(error.code).toBe(ProviderModuleErrorCode.UnsupportedApi);
    expect(error.message).toBe(
      `provider module ${file} declares iter8tsProviderApi 2, but this runtime loads provider modules of API 1; install a release of ${file} made for API 1, or upgrade iter8ts to one that supports API 2`,
    );
    expect(registry.get("future")).toBeUndefined();
  });

  it("refuses a module that is not a provider module, or whose providers are not providers", async () => {
    const plain = write("app/plain.mjs", "export const answer = 42;\n");
    expect((await refusal(loadProviderModules(createDefaultRegistry(), ["./plain.mjs"], { cwd: app }))).message).toBe(
      `provider module ./plain.mjs (${plain}) does not export iter8tsProviderApi; a provider module exports iter8tsProviderApi = 1 and providers (an array of MetricProviderV1), as named exports or as its default export. Is it a provider package?`,
    );
    write("app/empty.mjs", "export const iter8tsProviderApi = 1;\nexport const providers = [];\n");
    const empty = await refusal(loadProviderModules(createDefaultRegistry(), ["./empty.mjs"], { cwd: app }));
    expect([empty.code, empty.message]).toEqual([ProviderModuleErrorCode.NotAProviderModule, expect.stringContaining('its "providers" export is an empty array')]);

    write("app/old.mjs", 'export const iter8tsProviderApi = 1;\nexport const providers = [{ apiVersion: "metrics.iter8ts/v0", name: "old", query() {} }];\n');
    const old = await refusal(loadProviderModules(createDefaultRegistry(), ["./old.mjs"], { cwd: app }));
    expect(old.code).toBe(ProviderModuleErrorCode.InvalidProvider);
    expect(old.message).toBe(
      'provider #1 of module ./old.mjs ("old") has apiVersion "metrics.iter8ts/v0", but this runtime queries providers of "metrics.iter8ts/v1"; ask its author for a release built for @iter8ts/metrics (MetricProviderV1)',
    );
    write("app/badname.mjs", 'export const iter8tsProviderApi = 1;\nexport const providers = [{ apiVersion: "metrics.iter8ts/v1", name: "has space", query() {} }];\n');
    expect((await refusal(loadProviderModules(createDefaultRegistry(), ["./badname.mjs"], { cwd: app }))).message).toContain('has the name "has space"');
    write("app/noquery.mjs", 'export const iter8tsProviderApi = 1;\nexport const providers = [{ apiVersion: "metrics.iter8ts/v1", name: "lazy" }];\n');
    expect((await refusal(loadProviderModules(createDefaultRegistry(), ["./noquery.mjs"], { cwd: app }))).message).toContain('("lazy") has no query function');
  });

  it("refuses a provider named like a builtin, registering nothing of the modules given", async () => {
    write("app/prom.mjs", providerSource(["Prometheus"]));
    const registry = createDefaultRegistry();
    const builtinQuery = registry.get("prometheus")!.query;
    const error = await refusal(loadProviderModules(registry, ["other-providers", "./prom.mjs"], { cwd: app }));
    expect(error.code).toBe(ProviderModuleErrorCode.NameClash);
    expect(error.module).toBe("./prom.mjs");
    expect(error.message).toBe(
      'provider module ./prom.mjs provides "Prometheus", the name of a builtin provider (builtins: elastic, iter8, mock, newrelic, prometheus, rest, sysdig); a loaded provider cannot replace a builtin: give it another name',
    );
    expect(registry.get("prometheus")!.query).toBe(builtinQuery);
    expect(registry.get("other")).toBeUndefined();
  });

  it("refuses two modules that provide the same name, and one module that provides it twice", async () => {
    write("app/lake-too.mjs", providerSource(["acme-lake"]));
    const between = await refusal(loadProviderModules(createDefaultRegistry(), ["@acme/iter8-providers", "./lake-too.mjs"], { cwd: app }));
    expect([between.code, between.message]).toEqual([
      ProviderModuleErrorCode.NameClash,
      'the provider name "acme-lake" is provided by both @acme/iter8-providers and ./lake-too.mjs; load only one of them, or rename one',
    ]);
    write("app/twice.mjs", providerSource(["dup", "DUP"]));
    expect((await refusal(loadProviderModules(createDefaultRegistry(), ["./twice.mjs"], { cwd: app }))).message).toBe(
      'the provider name "DUP" is provided twice in module ./twice.mjs; load only one of them, or rename one',
    );
  });

  it("loads a module named twice (by name and by its path) once", async () => {
    let imports = 0;
    const registry = createDefaultRegistry();
    const loaded = await loadProviderModules(registry, ["other-providers", "./node_modules/other-providers/dist/index.js"], {
      cwd: app,
      importModule: (url) => {
        imports += 1;
        return import(url) as Promise<unknown>;
      },
    });
    expect(imports).toBe(1);
    expect(loaded.map((l) => l.module)).toEqual(["other-providers"]);
  });

  it("reports a module that throws while loading, or lacks a dependency, with the peer dependency hint", async () => {
    write("app/throws.mjs", 'throw new Error("no config");\n');
    const thrown = await refusal(loadProviderModules(createDefaultRegistry(), ["./throws.mjs"], { cwd: app }));
    expect([thrown.code, thrown.message]).toEqual([ProviderModuleErrorCode.LoadFailed, `provider module ./throws.mjs (${join(app, "throws.mjs")}) failed to load: no config`]);
    write("app/needs-peer.mjs", 'import "@iter8ts/some-missing-peer";\nexport const iter8tsProviderApi = 1;\n');
    const peer = await refusal(loadProviderModules(createDefaultRegistry(), ["./needs-peer.mjs"], { cwd: app }));
    expect(peer.message).toContain("Cannot find package '@iter8ts/some-missing-peer'");
    expect(peer.message).toContain("install its dependencies next to it (including its peer dependency @iter8ts/metrics)");
  });
});
