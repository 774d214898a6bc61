import { rm } from "node:fs/promises";
import { DEFAULT_DASHBOARD_PORT } from "@iter8ts/dashboard";
import { experimentFolder } from "@iter8ts/local/testing";
import { afterEach, describe, expect, it } from "vitest";
import { memoryIo } from "../__fixtures__/memory-io";
import { DASHBOARD_PORT, dashboardCommand } from "./dashboard";

const folders: string[] = [];
afterEach(async () => {
  for (const f of folders.splice(0)) await rm(f, { recursive: true, force: true });
});

async function run(args: string[], stopWhen: (out: string) => boolean = () => true) {
  const { io, printed } = memoryIo({});
  const stop = new AbortController();
  const command = dashboardCommand(io, {}, stop.signal).exitOverride();
  const done = command.parseAsync(args, { from: "user" });
  // Stop the server once it says where it serves (or at once when it failed).
  const seen = (async () => {
    while (!printed.out.includes("Serving") && !printed.err.includes("Error")) await new Promise((r) => setTimeout(r, 20));
    if (stopWhen(printed.out)) return;
  })();
  await Promise.race([seen, done]);
  const url = /at (http:\/\/\S+) /.exec(printed.out)?.[1];
  const page = url ? await fetch(url).then(async (r) => ({ status: r.status, body: await r.text() })) : undefined;
  stop.abort();
  await done;
  return { printed, url, page };
}

describe("iter8ctl dashboard", () => {
  it("serves a local run's folder on 127.0.0.1 until stopped", async () => {
    const dir = await experimentFolder();
    folders.push(dir);
    const { printed, url, page } = await run([dir, "--port", "0"]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(printed.out).toContain(`Serving the dashboard of folder ${dir} at ${url} (Ctrl-C to stop)`);
    expect(page?.status).toBe(200);
    expect(page?.body).toContain(`data-experiment="shop/cart-ab"`);
    expect(printed.code).toBe(0);
  });

  it("refuses flags that contradict each other or a bad port, naming the flag", async () => {
    const both = await run(["-n", "shop", "-A", "--port", "0"]);
    expect(both.printed.err).toBe("Error: pass -n NAMESPACE or -A (--all-namespaces), not both\n");
    expect(both.printed.code).toBe(2);
    const mixed = await run(["some-dir", "-n", "shop", "--port", "0"]);
    expect(mixed.printed.err).toContain("-n, -A, --kubeconfig and --context are for a cluster");
    expect(mixed.printed.code).toBe(2);
    const port = await run(["some-dir", "--port", "http"]);
    expect(port.printed.err).toBe(`Error: --port must be a whole number from 0 to 65535 (0 picks a free port), not "http"\n`);
    expect(port.printed.code).toBe(2);
    const missing = await run(["/nonexistent/iter8ts-folder", "--port", "0"]);
    expect(missing.printed.err).toContain("Error: /nonexistent/iter8ts-folder cannot be read");
    expect(missing.printed.code).toBe(1);
  });

  it("says when no cluster is configured", async () => {
    const { printed } = await run(["-A", "--port", "0"]);
    expect(printed.err).toContain("no cluster is configured");
    expect(printed.code).toBe(1);
  });

  it("documents the library's default port", () => {
    expect(DASHBOARD_PORT).toBe(DEFAULT_DASHBOARD_PORT);
  });
});
