import { pathToFileURL } from "node:url";
import { METRIC_PROVIDER_V1, type MetricProviderV1 } from "./metric-provider";
import type { MetricProviderRegistry } from "./metric-provider-registry";
import { PROVIDER_MODULE_API, ProviderModuleError, ProviderModuleErrorCode } from "./provider-module";
import { resolveProviderModule } from "./resolve-provider-module";

/** A provider module that was loaded and registered. */
export interface LoadedProviderModule {
  /** The specifier as given. */
  module: string;
  /** The file imported. */
  file: string;
  /** The names of its providers, as registered. */
  providers: string[];
}

/** Options of {@link loadProviderModules}. */
export interface LoadProviderModulesOptions {
  /** Where package names are looked up and relative paths start: the runtime's working directory. */
  cwd: string;
  /** Imports a `file:` URL (default: dynamic `import()`); tests count or fail imports with it. */
  importModule?: (url: string) => Promise<unknown>;
}

/** A provider name usable as a Metric's `spec.provider`. */
const PROVIDER_NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/i;

const CONTRACT = `a provider module exports iter8tsProviderApi = ${PROVIDER_MODULE_API} and providers (an array of MetricProviderV1), as named exports or as its default export`;

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}

/** The exports that carry the contract: the namespace itself, or its default export. */
function contractOf(namespace: unknown): Record<string, unknown> | undefined {
  if (!isObject(namespace)) return undefined;
  if ("iter8tsProviderApi" in namespace) return namespace;
  const fallback = namespace.default;
  return isObject(fallback) && "iter8tsProviderApi" in fallback ? fallback : undefined;
}

function checkProviders(specifier: string, contract: Record<string, unknown>): MetricProviderV1[] {
  const api = contract.iter8tsProviderApi;
  if (api !== PROVIDER_MODULE_API) {
    throw new ProviderModuleError(
      ProviderModuleErrorCode.UnsupportedApi,
      specifier,
      `provider module ${specifier} declares iter8tsProviderApi ${JSON.stringify(api)}, but this runtime loads provider modules of API ${PROVIDER_MODULE_API}; install a release of ${specifier} made for API ${PROVIDER_MODULE_API}, or upgrade iter8ts to one that supports API ${JSON.stringify(api)}`,
    );
  }
  const list = contract.providers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ProviderModuleError(
      ProviderModuleErrorCode.NotAProviderModule,
      specifier,
      `provider module ${specifier} has no providers: its "providers" export is ${Array.isArray(list) ? "an empty array" : list === undefined ? "missing" : `a ${typeof list}`}; ${CONTRACT}`,
    );
  }
  return list.map((provider: unknown, index) => {
    const which = `provider #${index + 1} of module ${specifier}`;
    const invalid = (what: string) => new ProviderModuleError(ProviderModuleErrorCode.InvalidProvider, specifier, `${which} ${what}; ask its author for a release built for @iter8ts/metrics (MetricProviderV1)`);
    if (!isObject(provider)) throw invalid(`is ${provider === null ? "null" : `a ${typeof provider}`}, not a provider object`);
    const name = provider.name;
    if (typeof name !== "string" || !PROVIDER_NAME.test(name.trim())) {
      throw invalid(`has the name ${JSON.stringify(name)}; a provider name is what Metrics give as spec.provider: letters, digits, '.', '_' and '-', at most 63`);
    }
    if (provider.apiVersion !== METRIC_PROVIDER_V1) {
      throw invalid(`("${name}") has apiVersion ${JSON.stringify(provider.apiVersion)}, but this runtime queries providers of "${METRIC_PROVIDER_V1}"`);
    }
    if (typeof provider.query !== "function") throw invalid(`("${name}") has no query function`);
    return provider as unknown as MetricProviderV1;
  });
}

/**
 * Loads provider modules (`iter8ctl --provider MODULE`, the controller's `--provider` and
 * `ITER8TS_PROVIDERS`) and registers their providers in `registry`, all or nothing: every module
 * is resolved, imported and checked (its contract version, its providers' interface version and
 * names) before any provider is registered. A name may not be taken twice, nor be the name of a
 * provider already in `registry` (the builtins): a loaded provider adds to what a runtime can
 * query and never silently replaces a builtin or another module's provider. A module given twice
 * (two specifiers leading to the same file) is loaded once.
 * @throws ProviderModuleError naming the module at fault and what to do.
 */
export async function loadProviderModules(
  registry: MetricProviderRegistry,
  specifiers: readonly string[],
  options: LoadProviderModulesOptions,
): Promise<LoadedProviderModule[]> {
  const importModule = options.importModule ?? ((url: string) => import(url) as Promise<unknown>);
  const builtin = new Set(registry.names());
  const takenBy = new Map<string, string>();
  const loaded: Array<LoadedProviderModule & { instances: MetricProviderV1[] }> = [];
  const files = new Set<string>();

  for (const specifier of specifiers) {
    const file = resolveProviderModule(specifier, options.cwd);
    if (files.has(file)) continue;
    files.add(file);
    let namespace: unknown;
    try {
      namespace = await importModule(pathToFileURL(file).href);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const missing = (error as { code?: unknown })?.code === "ERR_MODULE_NOT_FOUND" ? "; install its dependencies next to it (including its peer dependency @iter8ts/metrics)" : "";
      throw new ProviderModuleError(ProviderModuleErrorCode.LoadFailed, specifier, `provider module ${specifier} (${file}) failed to load: ${why}${missing}`, { cause: error });
    }
    const contract = contractOf(namespace);
    if (!contract) {
      throw new ProviderModuleError(
        ProviderModuleErrorCode.NotAProviderModule,
        specifier,
        `provider module ${specifier} (${file}) does not export iter8tsProviderApi; ${CONTRACT}. Is it a provider package?`,
      );
    }
    const instances = checkProviders(specifier, contract);
    for (const provider of instances) {
      const key = provider.name.trim().toLowerCase();
      if (builtin.has(key)) {
        throw new ProviderModuleError(
          ProviderModuleErrorCode.NameClash,
          specifier,
          `provider module ${specifier} provides "${provider.name}", the name of a builtin provider (builtins: ${[...builtin].join(", ")}); a loaded provider cannot replace a builtin: give it another name`,
        );
      }
      const earlier = takenBy.get(key);
      if (earlier !== undefined) {
        const where = earlier === specifier ? `twice in module ${specifier}` : `by both ${earlier} and ${specifier}`;
        throw new ProviderModuleError(ProviderModuleErrorCode.NameClash, specifier, `the provider name "${provider.name}" is provided ${where}; load only one of them, or rename one`);
      }
      takenBy.set(key, specifier);
    }
    loaded.push({ module: specifier, file, providers: instances.map((p) => p.name.trim()), instances });
  }
  for (const { instances } of loaded) for (const provider of instances) registry.register(provider);
  return loaded.map(({ module, file, providers }) => ({ module, file, providers }));
}
