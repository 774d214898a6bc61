import { createDefaultRegistry, loadProviderModules, ProviderModuleError, type MetricProviderRegistry } from "@iter8ts/metrics";
import type { CommandIo } from "./command-io";
import { escapeControls } from "./terminal-text";

/**
 * The registry a command queries metrics with: the builtin providers plus those of the
 * `--provider` modules, loaded from `cwd`. Undefined (after printing why, naming the module)
 * when a module cannot be used; no module given: the default registry of @iter8ts/metrics.
 */
export async function registryWithProviders(modules: readonly string[] | undefined, io: CommandIo, cwd: string): Promise<{ ok: true; registry?: MetricProviderRegistry } | { ok: false }> {
  if (!modules || modules.length === 0) return { ok: true };
  const registry = createDefaultRegistry();
  try {
    await loadProviderModules(registry, modules, { cwd });
  } catch (error) {
    if (!(error instanceof ProviderModuleError)) throw error;
    io.err(`Error: --provider: ${escapeControls(error.message)}\n`);
    return { ok: false };
  }
  return { ok: true, registry };
}
