import { afterEach, describe, expect, it } from "vitest";
import { secretStore } from "@iter8ts/metrics";
import { abnExperiment, conformanceExperiment, istioExperiment } from "../__fixtures__/experiments";
import { startLoopbackServer, type LoopbackServer } from "../__fixtures__/loopback-server";
import { createTaskRunner } from "../create-task-registry";
import { slackMessage } from "./slack-task";

const secrets = secretStore({ "default/slack": { token: "xoxb-1234-secret" }, "default/empty": {} });

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("slackMessage", () => {
  it("describes a completed conformance experiment with a winner", () => {
    expect(slackMessage(conformanceExperiment())).toEqual({
      text: "Conformance experiment on bookinfo-iter8/productpage",
      header: "*Conformance experiment on bookinfo-iter8/productpage*",
      details: "*Name:* _default/conformance-exp_\n*Versions:* _productpage-v1_\n*Stage:* _Completed_\n*Winner:* _productpage-v1_",
    });
  });

  it("reports a missing Failed condition as failed, and an experiment without status as Waiting", () => {
    expect(slackMessage(abnExperiment()).details).toBe(
      "*Name:* _default/abn-exp_\n*Versions:* _productpage-v1, productpage-v2, productpage-v3_\n*Stage:* _Waiting_\n*Winner:* _not found_\n*Failed:* _true_",
    );
    expect(slackMessage(abnExperiment()).header).toBe("*A/B/N experiment on bookinfo-iter8/productpage*");
  });
});

describe("notification/slack", () => {
  it("posts chat.postMessage with the token and the message blocks", async () => {
    server = await startLoopbackServer(() => ({ body: JSON.stringify({ ok: true, ts: "1.2" }) }));
    const runner = createTaskRunner({ secrets, slackApiUrl: `${server.url}/api/` });
    const result = await runner.run(istioExperiment({ finish: [{ task: "notification/slack", with: { channel: "#rollouts", secret: "slack" } }] }), "finish");
    expect(result.ok).toBe(true);
    const [request] = server.requests;
    expect(request?.url).toBe("/api/chat.postMessage");
    expect(request?.headers.authorization).toBe("Bearer xoxb-1234-secret");
    expect(request?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(request?.body ?? "")).toEqual({
      channel: "#rollouts",
      text: "A/B experiment on bookinfo-iter8/productpage",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*A/B experiment on bookinfo-iter8/productpage*" } }],
      attachments: [
        {
          blocks: [
            {
              type: "section",
              text: { type: "mrkdwn", text: "*Name:* _default/quickstart-exp_\n*Versions:* _productpage-v1, productpage-v2_\n*Stage:* _Finishing_\n*Winner:* _productpage-v2_" },
            },
          ],
        },
      ],
    });
  });

  it("treats Slack's ok: false as a failure, ignored unless asked otherwise", async () => {
    server = await startLoopbackServer(() => ({ body: JSON.stringify({ ok: false, error: "channel_not_found" }) }));
    const runner = createTaskRunner({ secrets, slackApiUrl: `${server.url}/api/` });
    const ignored = await runner.run(istioExperiment({ finish: [{ task: "notification/slack", with: { channel: "#nope", secret: "slack" } }] }), "finish");
    expect(ignored.ok).toBe(true);
    expect(ignored.outcomes[0]?.warnings[0]).toContain('Slack refused the message to #nope: channel_not_found');
    const failed = await runner.run(istioExperiment({ finish: [{ task: "notification/slack", with: { channel: "#nope", secret: "slack", ignoreFailure: false } }] }), "finish");
    expect(failed.error?.message).toBe('action "finish", task 1 (notification/slack): Slack refused the message to #nope: channel_not_found');
  });

  it("needs a token in the secret", async () => {
    server = await startLoopbackServer();
    const runner = createTaskRunner({ secrets, slackApiUrl: `${server.url}/api/` });
    const result = await runner.run(istioExperiment({ finish: [{ task: "notification/slack", with: { channel: "#c", secret: "empty", ignoreFailure: false } }] }), "finish");
    expect(result.error?.code).toBe("secret_unavailable");
    expect(result.error?.message).toContain('secret empty has no key "token"');
    expect(server.requests).toHaveLength(0);
  });
});
