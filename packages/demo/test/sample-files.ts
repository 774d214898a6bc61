// Where the local samples are, and a helper that prepares a working copy of one for a test.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findDemoSample, prepareWorkdir, type PreparedSample } from "../src/index";

/** `samples/local` of this repository. */
export const SAMPLES_DIR = fileURLToPath(new URL("../../../samples/local", import.meta.url));

/** Prepares `sample` in a fresh temporary folder with the given placeholder values. */
export async function prepareSample(sample: string, values: Record<string, string>): Promise<PreparedSample> {
  const workdir = await mkdtemp(join(tmpdir(), `iter8ts-demo-test-${sample}-`));
  if (!findDemoSample(sample)) throw new Error(`no sample ${sample}`);
  return prepareWorkdir({ sampleDir: join(SAMPLES_DIR, sample), workdir, values });
}
