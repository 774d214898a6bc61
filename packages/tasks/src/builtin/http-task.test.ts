import { afterEach, describe, expect, it } from "vitest";
import { secretStore } from "@iter8ts/metrics";
import type { TaskSpec } from "@iter8ts/types";
import { istioExperiment } from "../__fixtures__/experiments";
import { startLoopbackServer, type LoopbackServer, type Reply } from "../__fixtures__/loopback-server";
import { createTaskRunner } from "../create-task-registry";
import type { TaskEvent } from "../task-runner";
import { defaultNotificationBody } from "./http-task";

const secrets = secretStore({
  "default/webhook": { username: "iter8", password: "pa55word", token: "tok-123456", apiKey: "key-abcdef" },
});

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function send(with_: Record<string, unknown>, reply?: (r: { url: string }) => Reply, extra: Partial<TaskSpec> = {}) {
  server = await startLoopbackServer(reply);
  const events: TaskEvent[] = [];
  const runner = createTaskRunner({ secrets, events: (e) => events.push(e) });
  const result = await runner.run(istioExperiment({ finish: [{ task: "notification/http", with: { url: `${server.url}/hook`, ...with_ }, ...extra }] }), "finish");
  return { result, events, requests: server.requests };
}

describe("notification/http", () => {
  it("POSTs the default summary and the experiment as JSON", async () => {
    const { result, requests } = await send({});
    expect(result.ok).toBe(true);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/hook");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.authorization).toBeUndefined();
    const body = JSON.parse(request?.body ?? "");
    expect(Object.keys(body)).toEqual(["summary", "experiment"]);
    expect(body.summary).toEqual({
      winnerFound: true,
      winner: "productpage-v2",
      versionRecommendedForPromotion: "productpage-v2",
      lastRecommendedWeights: [
        { name: "productpage-v1", value: 5 },
        { name: "productpage-v2", value: 95 },
      ],
    });
    expect(body.experiment.metadata.name).toBe("quickstart-exp");
  });

  it("leaves out what the experiment does not have yet", () => {
    const early = istioExperiment();
    early.status = {};
    expect(defaultNotificationBody(early).summary).toEqual({ winnerFound: false });
  });

  it("requires a URL, checked before any request", async () => {
    const runner = createTaskRunner({ secrets });
    const result = await runner.run(istioExperiment({ finish: [{ task: "notification/http", with: { method: "POST" } }] }), "finish");
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.message).toContain("with.URL is required");
  });

  it("renders URL, headers and body templates over this and secret, without HTML escaping", async () => {
    server = await startLoopbackServer();
    const runner = createTaskRunner({ secrets });
    const ok = await runner.run(
      istioExperiment({
        finish: [
          {
            task: "notification/http",
            with: {
              URL: `${server.url}/notify/@< .this.metadata.namespace >@?exp=@< .this.metadata.name >@&x=1`,
              secret: "webhook",
              authType: "APIKey",
              headers: [
                { name: "X-Api-Key", value: "@< .secret.apiKey >@" },
                { name: "Content-Type", value: "text/plain" },
              ],
              body: '{"text": "@< .this.metadata.name >@ & <@< .this.status.versionRecommendedForPromotion >@>"}',
            },
          },
        ],
      }),
      "finish",
    );
    expect(ok.ok).toBe(true);
    const [request] = server.requests;
    expect(request?.url).toBe("/notify/default?exp=quickstart-exp&x=1");
    expect(request?.headers["x-api-key"]).toBe("key-abcdef");
    expect(request?.headers["content-type"]).toBe("text/plain");
    expect(request?.body).toBe('{"text": "quickstart-exp & <productpage-v2>"}');
  });

  it("sends Basic and Bearer credentials from the secret", async () => {
    const basic = await send({ secret: "default/webhook", authtype: "Basic" });
    expect(basic.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from("iter8:pa55word").toString("base64")}`);
    await server?.close();
    const bearer = await send({ secret: "webhook", authType: "Bearer", method: "GET" });
    expect(bearer.requests[0]?.headers.authorization).toBe("Bearer tok-123456");
    expect(bearer.requests[0]?.method).toBe("GET");
    expect(bearer.requests[0]?.body).toBe("");
  });

  it("ignores a failing endpoint by default, recording a warning", async () => {
    const { result, events } = await send({}, () => ({ status: 503, body: "try later" }));
    expect(result.ok).toBe(true);
    expect(result.outcomes[0]?.warnings).toEqual([expect.stringContaining("answered 503 Service Unavailable: try later")]);
    expect(events.some((e) => e.type === "task-log" && e.level === "warning")).toBe(true);
  });

  it("fails on an error status with ignoreFailure false, without revealing secrets", async () => {
    server = await startLoopbackServer(() => ({ status: 401, body: "bad key" }));
    const runner = createTaskRunner({ secrets });
    const failed = await runner.run(
      istioExperiment({ finish: [{ task: "notification/http", with: { url: `${server.url}/hook?key=@< .secret.apiKey >@`, secret: "webhook", ignoreFailure: false } }] }),
      "finish",
    );
    expect(failed.error?.code).toBe("task_failed");
    // The URL is shown without its query: a secret spliced into it stays out of logs, masked or not.
    expect(failed.error?.message).toContain(`POST ${server.url}/hook?… answered 401 Unauthorized: bad key`);
    expect(failed.error?.message).not.toContain("key-abcdef");
  });

  it("reports an endpoint that cannot be reached", async () => {
    server = await startLoopbackServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const runner = createTaskRunner({ secrets });
    const result = await runner.run(istioExperiment({ finish: [{ task: "notification/http", with: { url, ignoreFailure: false } }] }), "finish");
    expect(result.error?.message).toContain(`POST ${url} failed: connect ECONNREFUSED`);
  });
});
