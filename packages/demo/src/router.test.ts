import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seededRandom } from "@iter8ts/analytics";
import { DemoError } from "./demo-error";
import { routingDocumentYaml } from "./routing-document";
import { startRouter, type Router, type RouterEvent } from "./router";
import { startSampleApp, type SampleApp } from "./sample-app";
import { Telemetry } from "./telemetry";
import type { VersionProfile } from "./version-profile";

const profile = (name: string, errorRate = 0): VersionProfile => ({
  name,
  latency: { baseMs: 1, jitterMs: 1 },
  errorRate,
  engagement: { mean: name === "v2" ? 40 : 20, stddev: 1 },
});

let dir: string;
let routingFile: string;
let apps: SampleApp[] = [];
let router: Router | undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "iter8ts-router-test-"));
  routingFile = join(dir, "routing.yaml");
  apps = [await startSampleApp(profile("v1")), await startSampleApp(profile("v2", 0.1))];
});

afterEach(async () => {
  await router?.close();
  router = undefined;
  await Promise.all(apps.map((a) => a.close()));
  await rm(dir, { recursive: true, force: true });
});

function writeRouting(weights: [number, number]): Promise<void> {
  const routes = apps.map((app, i) => ({ host: "127.0.0.1", port: app.port, subset: app.profile.name, weight: weights[i]! }));
  return writeFile(routingFile, routingDocumentYaml({ name: "sample-app", namespace: "demo", routes }));
}

/** Sends `n` GET requests, at most 16 at a time, and returns each answering version. */
async function send(url: string, n: number): Promise<string[]> {
  const versions: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const version = await new Promise<string>((resolve, reject) => {
        http
          .get(url, { agent }, (res) => {
            res.resume();
            res.on("end", () => resolve(String(res.headers["x-demo-version"])));
          })
          .on("error", reject);
      });
      versions.push(version);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return versions;
}

const count = (xs: string[], x: string) => xs.filter((v) => v === x).length;

describe("startRouter", () => {
  it("splits 1,000 requests 80/20 within statistical tolerance and records them per version", async () => {
    await writeRouting([80, 20]);
    const telemetry = new Telemetry();
    router = await startRouter({ routingFile, telemetry, random: seededRandom("router-80-20") });
    const versions = await send(router.url, 1000);
    // Binomial(1000, 0.2): mean 200, sd 12.6; ±5 sd can only fail if the split is wrong.
    expect(count(versions, "v2")).toBeGreaterThan(137);
    expect(count(versions, "v2")).toBeLessThan(263);
    expect(count(versions, "v1") + count(versions, "v2")).toBe(1000);
    const v1 = telemetry.summary("v1");
    const v2 = telemetry.summary("v2");
    expect(v1.requests).toBe(count(versions, "v1"));
    expect(v2.requests).toBe(count(versions, "v2"));
    expect(v1.errors).toBe(0);
    expect(v2.errors).toBe(Math.floor(v2.requests * 0.1));
    expect(v1.meanLatencyMs).toBeGreaterThanOrEqual(1);
    expect(v2.meanEngagement! - v1.meanEngagement!).toBeGreaterThan(15);
  });

  it("follows the routing document when its weights change", async () => {
    await writeRouting([100, 0]);
    const events: RouterEvent[] = [];
    router = await startRouter({ routingFile, telemetry: new Telemetry(), pollIntervalMs: 20, onEvent: (e) => events.push(e) });
    expect(count(await send(router.url, 100), "v1")).toBe(100);

    // Same size, same second: only the content tells the change apart.
    await writeRouting([0, 100]);
    await expect.poll(() => router!.table().shares, { timeout: 5000 }).toEqual([0, 1]);
    expect(count(await send(router.url, 100), "v2")).toBe(100);
    expect(events.filter((e) => e.type === "loaded")).toHaveLength(2);
  });

  it("keeps the last good routing while the document is broken, and says why", async () => {
    await writeRouting([0, 100]);
    const events: RouterEvent[] = [];
    router = await startRouter({ routingFile, telemetry: new Telemetry(), pollIntervalMs: 20, onEvent: (e) => events.push(e) });
    await writeFile(routingFile, "apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: x}\nspec: {http: [");
    await expect.poll(() => events.some((e) => e.type === "rejected"), { timeout: 5000 }).toBe(true);
    expect(count(await send(router.url, 20), "v2")).toBe(20);
    const rejected = events.find((e) => e.type === "rejected");
    expect(rejected?.type === "rejected" && rejected.error.message).toContain(routingFile);

    await writeRouting([100, 0]);
    await expect.poll(() => router!.table().shares, { timeout: 5000 }).toEqual([1, 0]);
  });

  it("answers 502 and records an error when the chosen version is down", async () => {
    await writeRouting([100, 0]);
    const telemetry = new Telemetry();
    router = await startRouter({ routingFile, telemetry });
    await apps[0]!.close();
    const res = await fetch(`${router.url}/page`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toContain("v1 did not answer");
    expect(telemetry.summary("v1")).toMatchObject({ requests: 1, errors: 1 });
  });

  it("refuses to start on a missing or unfollowable document", async () => {
    await expect(startRouter({ routingFile, telemetry: new Telemetry() })).rejects.toMatchObject({ code: "routing_unreadable" });
    await writeFile(routingFile, routingDocumentYaml({ name: "x", routes: [{ host: "10.0.0.1", port: 80, weight: 100 }] }));
    const error = await startRouter({ routingFile, telemetry: new Telemetry() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoError);
    expect((error as DemoError).code).toBe("routing_invalid");
  });
});
