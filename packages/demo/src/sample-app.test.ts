import { afterEach, describe, expect, it } from "vitest";
import { ENGAGEMENT_HEADER, startSampleApp, VERSION_HEADER, type SampleApp } from "./sample-app";
import { VersionBehaviour, type VersionProfile } from "./version-profile";

const profile: VersionProfile = {
  name: "sample-app-v9",
  latency: { baseMs: 15, jitterMs: 5 },
  errorRate: 0.25,
  engagement: { mean: 40, stddev: 5 },
};

let app: SampleApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe("startSampleApp", () => {
  it("answers page views with the profile's status, latency and engagement, in headers and body", async () => {
    app = await startSampleApp(profile);
    expect(app.url).toBe(`http://127.0.0.1:${app.port}`);
    const expected = new VersionBehaviour(profile);
    for (let i = 0; i < 8; i++) {
      const want = expected.next();
      const t0 = performance.now();
      const res = await fetch(`${app.url}/page`);
      const elapsed = performance.now() - t0;
      const body = (await res.json()) as { version: string; status: number; latencyMs: number; engagement: number };
      expect(res.status).toBe(want.status);
      expect(res.headers.get(VERSION_HEADER)).toBe("sample-app-v9");
      expect(Number(res.headers.get(ENGAGEMENT_HEADER))).toBeCloseTo(want.engagement, 3);
      expect(body).toEqual({
        version: "sample-app-v9",
        status: want.status,
        latencyMs: Number(want.latencyMs.toFixed(3)),
        engagement: Number(want.engagement.toFixed(3)),
      });
      // The latency is waited for real (timers may fire a millisecond early).
      expect(elapsed).toBeGreaterThanOrEqual(want.latencyMs - 2);
    }
    expect(app.served()).toEqual({ requests: 8, errors: 2 });
  });

  it("answers /healthz without counting it as a page view", async () => {
    app = await startSampleApp(profile);
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(app.served()).toEqual({ requests: 0, errors: 0 });
  });

  it("closes while requests are pending", async () => {
    app = await startSampleApp({ ...profile, latency: { baseMs: 5000, jitterMs: 1 } });
    const pending = fetch(`${app.url}/slow`).then(
      () => "answered",
      () => "dropped",
    );
    await new Promise((r) => setTimeout(r, 50));
    await app.close();
    app = undefined;
    expect(await pending).toBe("dropped");
  });
});
