// The dashboard's HTTP server without a browser: routes, headers, escaping, the filter, the
// read-only and Host rules, and the event stream, over a feed the test fills.
import { request } from "node:http";
import { simulatedAbnExperiment, simulatedCanaryExperiment } from "@iter8ts/report/testing";
import type { Experiment } from "@iter8ts/types";
import { afterEach, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, startDashboard, type RunningDashboard } from "../src/index";
import { MemoryFeed } from "./memory-feed";

const HOSTILE = `<img src=x onerror="document.title='pwned'">`;

let dashboard: RunningDashboard | undefined;
afterEach(async () => {
  await dashboard?.close();
  dashboard = undefined;
});

async function get(path: string, init: RequestInit = {}) {
  const response = await fetch(new URL(path, dashboard!.url), init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A raw request, to send a Host header fetch would not let us set. */
function rawGet(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: dashboard!.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

function hostile(experiment: Experiment): Experiment {
  const copy = structuredClone(experiment);
  copy.spec.target = HOSTILE;
  return copy;
}

/** Reads server-sent events until `count` `page` events have arrived. */
async function readPages(path: string, count: number, whileOpen: () => void = () => undefined): Promise<Array<{ title: string; html: string }>> {
  const controller = new AbortController();
  const response = await fetch(new URL(path, dashboard!.url), { signal: controller.signal });
  expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const pages: Array<{ title: string; html: string }> = [];
  let buffer = "";
  let poked = false;
  while (pages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").find((l) => l.startsWith("data: "));
      if (block.includes("event: page") && data) pages.push(JSON.parse(data.slice(6)) as { title: string; html: string });
    }
    if (pages.length === 1 && !poked) {
      poked = true;
      whileOpen();
    }
  }
  controller.abort();
  return pages;
}

describe("dashboard server", () => {
  it("lists experiments with the strict policy on every response, values escaped", async () => {
    const abn = hostile(await simulatedAbnExperiment());
    const canary = await simulatedCanaryExperiment({ breakAt: 3 });
    dashboard = await startDashboard({ feed: new MemoryFeed([abn, canary]), port: 0 });
    const list = await get("/");
    expect(list.status).toBe(200);
    expect(list.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
    expect(list.headers.get("x-content-type-options")).toBe("nosniff");
    expect(list.body).not.toContain("<img");
    expect(list.body).toContain("&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;");
    // No inline script or style: the page loads both from this server.
    expect(list.body).not.toMatch(/<script>|<style>|style="/);
    expect(list.body).toContain(`<script src="/assets/dashboard.js" defer></script>`);
    expect(list.body).toMatch(/<tr data-experiment="shop\/checkout-canary" data-outcome="RolledBack" data-iteration="\d+">/);
    expect(list.body).toContain(`<span class="flag flag-rolled-back">rolled back</span>`);
    expect(list.body).toContain("12 of 12");
    expect(list.body).toContain(`<td data-label="Winner" class="winner"><span class="v">checkout-v3</span></td>`);
    expect(list.body).toContain(`<svg class="sparkline"`);
    for (const asset of ["/assets/dashboard.css", "/assets/dashboard.js", "/favicon.svg"]) {
      const r = await get(asset);
      expect(r.status, asset).toBe(200);
      expect(r.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it("flags a failed experiment on the list and on its page", async () => {
    const failed = structuredClone(await simulatedCanaryExperiment());
    failed.metadata.name = "checkout-failed";
    delete failed.status!.conclusion;
    failed.status!.conditions = [
      ...(failed.status!.conditions ?? []).filter((c) => c.type !== "Failed"),
      { type: "Failed", status: "True", reason: "MetricsUnavailable", message: "the metrics backend answered 500 six times" },
    ];
    dashboard = await startDashboard({ feed: new MemoryFeed([failed]), port: 0 });
    const list = await get("/?outcome=failed");
    expect(list.body).toContain(`data-experiment="shop/checkout-failed" data-outcome="Failed"`);
    expect(list.body).toContain(`<span class="flag flag-failed">Failed</span>`);
    const page = await get("/experiments/shop/checkout-failed");
    expect(page.body).toContain(`<span class="flag flag-failed">Failed</span>`);
    expect(page.body).toContain("Failed (MetricsUnavailable: the metrics backend answered 500 six times)");
  });

  it("filters by words and by status through the query string", async () => {
    dashboard = await startDashboard({ feed: new MemoryFeed([await simulatedAbnExperiment(), await simulatedCanaryExperiment({ breakAt: 3 })]), port: 0 });
    const byWord = await get("/?q=canary");
    expect(byWord.body).toContain(`data-experiment="shop/checkout-canary"`);
    expect(byWord.body).not.toContain(`data-experiment="shop/checkout-abn"`);
    expect(byWord.body).toContain("1 of 2 experiments match the filter");
    const byVersion = await get("/?q=checkout-v3");
    expect(byVersion.body).toContain(`data-experiment="shop/checkout-abn"`);
    expect(byVersion.body).not.toContain(`data-experiment="shop/checkout-canary"`);
    const rolledBack = await get("/?outcome=rolled-back");
    expect(rolledBack.body).toContain(`data-experiment="shop/checkout-canary"`);
    expect(rolledBack.body).not.toContain(`data-experiment="shop/checkout-abn"`);
    expect(rolledBack.body).toContain(`<option value="rolled-back" selected>`);
  });

  it("shows an experiment's page from the report's sections, and a live 404 for one it does not know", async () => {
    const feed = new MemoryFeed([await simulatedAbnExperiment()]);
    feed.eventsOf.set("shop/checkout-abn", [{ time: "2026-01-01T00:00:00Z", type: "Warning", reason: HOSTILE, message: "m", count: 2 }]);
    dashboard = await startDashboard({ feed, port: 0 });
    const page = await get("/experiments/shop/checkout-abn");
    expect(page.status).toBe(200);
    for (const id of ["detail-header", "overview", "result", "weights", "metrics", "objectives", "rewards", "decisions", "events"]) expect(page.body).toContain(`id="${id}"`);
    expect(page.body).toContain(`data-stream="/events?view=experiment&amp;namespace=shop&amp;name=checkout-abn"`);
    expect(page.body).toContain("★ best");
    expect(page.body).not.toContain("<img");
    const missing = await get("/experiments/shop/nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("There is no experiment shop/nothing-here");
    expect((await get("/elsewhere")).status).toBe(404);
  });

  it("is read-only and answers only as its own host", async () => {
    dashboard = await startDashboard({ feed: new MemoryFeed(), port: 0 });
    expect((await get("/", { method: "POST" })).status).toBe(405);
    expect(await rawGet("/", `127.0.0.1:${dashboard.port}`)).toBe(200);
    expect(await rawGet("/", `localhost:${dashboard.port}`)).toBe(200);
    expect(await rawGet("/", `attacker.example:${dashboard.port}`)).toBe(403);
    expect(await rawGet("/", `127.0.0.1:1`)).toBe(403);
  });

  it("streams the page's content and again each time it changes", async () => {
    const canary = await simulatedCanaryExperiment();
    const broken = await simulatedCanaryExperiment({ breakAt: 3 });
    const feed = new MemoryFeed([canary]);
    dashboard = await startDashboard({ feed, port: 0 });
    const pages = await readPages("/events?view=experiment&namespace=shop&name=checkout-canary", 2, () => feed.set([broken]));
    expect(pages[0]!.html).toContain(`data-outcome="Completed"`);
    expect(pages[1]!.html).toContain(`data-outcome="RolledBack"`);
    expect(pages[1]!.title).toBe("checkout-canary — iter8ts dashboard");
    expect((await get("/events?view=nothing")).status).toBe(400);
  });
});
