import { z } from "zod";
import type { Experiment } from "@iter8ts/types";
import type { SecretData } from "@iter8ts/metrics";
import { defineTask } from "../task-definition";
import { TaskError, TaskErrorCode } from "../task-error";
import { TemplateDelimiters, type GoTemplateOptions } from "../template/go-template-translate";
import { notificationTemplateData } from "../template/template-data";
import { bodyHead, notify } from "./notify-on-failure";
import { compileForTask, renderForTask, templateProblems } from "./task-template";

/** How long a notification request may take, as in the original. */
export const HTTP_NOTIFICATION_TIMEOUT_MS = 5000;

const option = (name: string): GoTemplateOptions => ({ name, delimiters: TemplateDelimiters.At });

/**
 * The body sent when `with.body` is absent: a summary of the outcome and the experiment itself.
 * Fields of the summary are left out when the experiment does not have them yet.
 */
export function defaultNotificationBody(experiment: Experiment): { summary: Record<string, unknown>; experiment: Experiment } {
  const analysis = experiment.status?.analysis;
  const winner = analysis?.winnerAssessment?.data;
  const summary: Record<string, unknown> = { winnerFound: winner?.winnerFound === true };
  if (winner?.winnerFound && winner.winner) summary.winner = winner.winner;
  if (experiment.status?.versionRecommendedForPromotion) summary.versionRecommendedForPromotion = experiment.status.versionRecommendedForPromotion;
  if (analysis?.weights?.data) summary.lastRecommendedWeights = analysis.weights.data;
  return { summary, experiment };
}

const inputs = z.strictObject({
  URL: z.string().min(1),
  method: z.enum(["GET", "POST"]).default("POST"),
  authType: z.enum(["Basic", "Bearer", "APIKey"]).optional(),
  /** `namespace/name` or `name`: its data is `.secret` in templates and holds the credentials. */
  secret: z.string().min(1).optional(),
  headers: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).default([]),
  body: z.string().optional(),
  ignoreFailure: z.boolean().default(true),
});

/**
 * `notification/http`: sends an HTTP request. `URL`, header values and `body` are Go templates
 * with `@< >@` delimiters over `.this` (the experiment as JSON) and `.secret` (the secret's data).
 * Values are inserted as they are: no HTML escaping (the original's html/template turned `&` in
 * URLs and `"` in JSON bodies into entities); write `@< .x | js >@` inside JSON strings that may
 * hold quotes. `Content-Type: application/json` is sent unless a header overrides it; `Basic`
 * auth uses the secret's `username` and `password`, `Bearer` its `token`. GET requests carry no
 * body. A status of 400 or more is a failure, ignored (as a warning) unless `ignoreFailure: false`.
 */
export const httpTask = defineTask({
  name: "notification/http",
  summary: "sends an HTTP request about the experiment",
  inputs,
  check: (input) =>
    templateProblems([
      { source: input.URL, options: option("with.URL") },
      ...input.headers.map((h, i) => ({ source: h.value, options: option(`with.headers[${i}].value`) })),
      ...(input.body !== undefined ? [{ source: input.body, options: option("with.body") }] : []),
    ]),
  async run(input, context) {
    return notify(context, input.ignoreFailure, async () => {
      // Loaded when the task runs, not with its definition (see task-runner.ts).
      const { displayUrl } = await import("@iter8ts/metrics");
      let secret: SecretData = {};
      if (input.secret) secret = await context.secret(input.secret);
      else if (input.authType) throw new TaskError(TaskErrorCode.InvalidInput, `authType ${input.authType} needs with.secret to hold the credentials`);
      const data = notificationTemplateData(context.experiment, secret);
      const render = async (source: string, name: string) => renderForTask(await compileForTask(source, option(name)), data);

      const url = await render(input.URL, "with.URL");
      try {
        new URL(url);
      } catch {
        throw new TaskError(TaskErrorCode.InvalidInput, `with.URL ${JSON.stringify(url)} is not a URL`);
      }
      const headers = new Headers({ "Content-Type": "application/json" });
      for (const [i, h] of input.headers.entries()) headers.set(h.name, await render(h.value, `with.headers[${i}].value`));
      const need = (key: string) => {
        const value = secret[key];
        if (value === undefined) throw new TaskError(TaskErrorCode.SecretUnavailable, `authType ${input.authType} needs key ${JSON.stringify(key)} in secret ${input.secret}`);
        return value;
      };
      if (input.authType === "Basic") headers.set("Authorization", `Basic ${Buffer.from(`${need("username")}:${need("password")}`).toString("base64")}`);
      if (input.authType === "Bearer") headers.set("Authorization", `Bearer ${need("token")}`);

      let body: string | undefined;
      if (input.method === "POST") body = input.body !== undefined ? await render(input.body, "with.body") : JSON.stringify(defaultNotificationBody(context.experiment));
      else if (input.body !== undefined) context.log("warning", "GET requests carry no body; with.body was not sent");

      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(HTTP_NOTIFICATION_TIMEOUT_MS)]);
      let response: Response;
      try {
        response = await context.fetch(url, { method: input.method, headers, body, signal, redirect: "follow" });
      } catch (error) {
        const reason = (error as Error).name === "TimeoutError" ? `no answer within ${HTTP_NOTIFICATION_TIMEOUT_MS / 1000} s` : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
        throw new TaskError(TaskErrorCode.TaskFailed, `${input.method} ${displayUrl(url)} failed: ${reason}`, undefined, { cause: error });
      }
      if (response.status >= 400) {
        const head = await bodyHead(response);
        throw new TaskError(TaskErrorCode.TaskFailed, `${input.method} ${displayUrl(url)} answered ${response.status} ${response.statusText}${head ? `: ${head}` : ""}`);
      }
      await response.body?.cancel();
      context.log("info", `${input.method} ${displayUrl(url)} answered ${response.status}`);
      return `HTTP ${response.status}`;
    });
  },
});
