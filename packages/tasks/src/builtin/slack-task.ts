import { z } from "zod";
import { conditionOf, versionNames, type Experiment } from "@iter8ts/types";
import { defineTask } from "../task-definition";
import { TaskError, TaskErrorCode } from "../task-error";
import { HTTP_NOTIFICATION_TIMEOUT_MS } from "./http-task";
import { bodyHead, notify } from "./notify-on-failure";

/** The parts of a Slack notification about an experiment. */
export interface SlackMessage {
  /** Plain-text fallback for notifications. */
  text: string;
  /** `*<testingPattern> experiment on <target>*` */
  header: string;
  /** The attachment's lines: name, versions, stage, winner, and `Failed` when the experiment failed. */
  details: string;
}

/** Builds the message the original posted, from the experiment's state. */
export function slackMessage(experiment: Experiment): SlackMessage {
  const title = `${experiment.spec.strategy.testingPattern} experiment on ${experiment.spec.target}`;
  const status = experiment.status;
  const winner = status?.analysis?.winnerAssessment?.data;
  const failed = conditionOf(status, "Failed");
  const lines = [
    `*Name:* _${experiment.metadata.namespace ?? "default"}/${experiment.metadata.name ?? ""}_`,
    `*Versions:* _${versionNames(experiment).join(", ")}_`,
    `*Stage:* _${status?.stage ?? "Waiting"}_`,
    `*Winner:* _${winner?.winnerFound && winner.winner ? winner.winner : "not found"}_`,
  ];
  // As the original: a Failed condition that is missing or not False is reported.
  if (!failed || failed.status !== "False") lines.push("*Failed:* _true_");
  return { text: title, header: `*${title}*`, details: lines.join("\n") };
}

/**
 * `notification/slack`: posts the experiment's state to a channel with the Slack Web API
 * (`chat.postMessage`), authenticated by the `token` key of `with.secret`. Failures are warnings
 * unless `ignoreFailure: false`.
 */
export const slackTask = defineTask({
  name: "notification/slack",
  summary: "posts the experiment's state to a Slack channel",
  inputs: z.strictObject({
    channel: z.string().min(1),
    secret: z.string().min(1),
    ignoreFailure: z.boolean().default(true),
  }),
  async run(input, context) {
    return notify(context, input.ignoreFailure, async () => {
      const data = await context.secret(input.secret);
      const token = data.token;
      if (!token) throw new TaskError(TaskErrorCode.SecretUnavailable, `secret ${input.secret} has no key "token" holding the Slack token`);
      const message = slackMessage(context.experiment);
      const payload = {
        channel: input.channel,
        text: message.text,
        blocks: [{ type: "section", text: { type: "mrkdwn", text: message.header } }],
        attachments: [{ blocks: [{ type: "section", text: { type: "mrkdwn", text: message.details } }] }],
      };
      const url = new URL("chat.postMessage", context.slackApiUrl).toString();
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(HTTP_NOTIFICATION_TIMEOUT_MS)]);
      let response: Response;
      try {
        response = await context.fetch(url, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json; charset=utf-8" },
          body: JSON.stringify(payload),
          signal,
        });
      } catch (error) {
        throw new TaskError(TaskErrorCode.TaskFailed, `posting to Slack failed: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`, undefined, { cause: error });
      }
      if (!response.ok) throw new TaskError(TaskErrorCode.TaskFailed, `Slack answered ${response.status} ${response.statusText}: ${await bodyHead(response)}`);
      const answer = (await response.json().catch(() => undefined)) as { ok?: boolean; error?: string } | undefined;
      if (answer?.ok !== true) throw new TaskError(TaskErrorCode.TaskFailed, `Slack refused the message to ${input.channel}: ${answer?.error ?? "no ok in its answer"}`);
      context.log("info", `posted to Slack channel ${input.channel}`);
      return `posted to ${input.channel}`;
    });
  },
});
