import { parseArgs } from "node:util";
import { DemoError, DemoErrorCode } from "./demo-error";
import { DEMO_SAMPLES, findDemoSample, type DemoSample } from "./demo-samples";

/** The demo's command line, parsed. */
export interface DemoArgs {
  help: boolean;
  samples: DemoSample[];
  fast: boolean;
  budgetSeconds: number;
  qps: number;
  keepWorkdirs: boolean;
  /** `--iter8ctl`, when given. */
  iter8ctl?: string;
  /** `--samples-dir`, when given. */
  samplesDir?: string;
}

/** Requests per second through the router by default. */
export const DEFAULT_QPS = 40;
/** Requests per second with `--fast`: iterations are shorter, so each needs more traffic. */
export const FAST_QPS = 80;

/** The text of `--help`. */
export const DEMO_USAGE = `Usage: node packages/demo/dist/run-demo.js [options]

Runs the local samples end to end on 127.0.0.1 with iter8ctl run: two versions of a sample app,
a router that follows the experiment's VirtualService, a metrics API and steady traffic.

Options:
  --sample <names>      samples to run, comma-separated or repeated (default: all):
                        ${DEMO_SAMPLES.map((s) => s.name).join(", ")}
  --fast                short experiments (1 s iterations, a few of them) with more
                        traffic, so each iteration still sees enough requests
  --budget <seconds>    wall time for the whole run (default 90)
  --qps <n>             requests per second through the router (default 40; 80 with --fast)
  --keep                keep every working copy (failed ones are always kept)
  --iter8ctl <path>     the built CLI (default apps/cli/dist/iter8ctl.js)
  --samples-dir <dir>   where the samples are (default samples/local)
  -h, --help            show this help`;

function positiveNumber(raw: string | undefined, option: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new DemoError(DemoErrorCode.InvalidOption, `${option} must be a positive number (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/**
 * Parses the demo's arguments (without `node` and the script).
 * @throws DemoError `invalid_option` naming the option and what it accepts.
 */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        sample: { type: "string", multiple: true },
        fast: { type: "boolean", default: false },
        budget: { type: "string" },
        qps: { type: "string" },
        keep: { type: "boolean", default: false },
        iter8ctl: { type: "string" },
        "samples-dir": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new DemoError(DemoErrorCode.InvalidOption, `${(error as Error).message}; see --help`, { cause: error });
  }
  const v = parsed.values;
  const names = (v.sample ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  const samples =
    names.length === 0 || names.includes("all")
      ? [...DEMO_SAMPLES]
      : names.map((name) => {
          const sample = findDemoSample(name);
          if (!sample) {
            throw new DemoError(DemoErrorCode.InvalidOption, `--sample ${name} is not a sample; choose from ${DEMO_SAMPLES.map((s) => s.name).join(", ")} or all`);
          }
          return sample;
        });
  const args: DemoArgs = {
    help: v.help === true,
    samples,
    fast: v.fast === true,
    budgetSeconds: positiveNumber(v.budget, "--budget", 90),
    qps: positiveNumber(v.qps, "--qps", v.fast === true ? FAST_QPS : DEFAULT_QPS),
    keepWorkdirs: v.keep === true,
  };
  if (v.iter8ctl !== undefined) args.iter8ctl = v.iter8ctl;
  if (v["samples-dir"] !== undefined) args.samplesDir = v["samples-dir"];
  return args;
}
