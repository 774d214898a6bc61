import { MetricSpecSchema } from "@iter8ts/types";
import { describe, expect, it } from "vitest";
import { createDefaultRegistry } from "./default-registry";
import { METRIC_PROVIDER_V1, type MetricProviderV1 } from "./metric-provider";

const spec = (s: Record<string, unknown>) => MetricSpecSchema.parse(s);
const fake = (name: string): MetricProviderV1 => ({ apiVersion: METRIC_PROVIDER_V1, name, query: async () => ({ ok: true, value: 1 }) });

describe("MetricProviderRegistry", () => {
  const registry = createDefaultRegistry();

  it("ships the REST presets, the generic REST provider, builtin and mock", () => {
    expect(registry.names()).toEqual(["elastic", "iter8", "mock", "newrelic", "prometheus", "rest", "sysdig"]);
  });

  it("chooses by provider name case-insensitively, mock levels first, REST for any other metric with a URL", () => {
    const pick = (s: Record<string, unknown>) => {
      const r = registry.resolve(spec(s));
      return r.ok ? r.provider.name : r.reason;
    };
    expect(pick({ provider: "Sysdig", urlTemplate: "http://x" })).toBe("sysdig");
    expect(pick({ provider: "prometheus", urlTemplate: "http://x", mock: [{ name: "v1", level: 1 }] })).toBe("mock");
    expect(pick({ provider: "iter8" })).toBe("iter8");
    expect(pick({ provider: "my-company-prom", urlTemplate: "http://x" })).toBe("rest");
    expect(pick({ urlTemplate: "http://x" })).toBe("rest");
    expect(pick({ provider: "datadog" })).toContain('no provider is registered for provider "datadog"');
    expect(pick({})).toContain("neither a provider nor a urlTemplate");
  });

  it("lets a package add a provider or replace a shipped one", () => {
    const r = createDefaultRegistry().register(fake("datadog")).register(fake("prometheus"));
    const resolved = r.resolve(spec({ provider: "prometheus", urlTemplate: "http://x" }));
    expect(resolved.ok && resolved.provider.query).toBe(r.get("prometheus")!.query);
    expect(r.get("DataDog")?.name).toBe("datadog");
  });

  it("refuses objects that are not providers of a known interface version", () => {
    const r = createDefaultRegistry();
    expect(() => r.register({ ...fake("x"), apiVersion: "metrics.iter8ts/v9" } as unknown as MetricProviderV1)).toThrow(/apiVersion/);
    expect(() => r.register(fake(" "))).toThrow(/without a name/);
  });
});
