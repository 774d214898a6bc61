import type { MetricProviderV1 } from "./metric-provider";

/**
 * The provider-module contract this package loads: a module declares it with
 * `iter8tsProviderApi: 1`. A runtime refuses a module that declares another number, so a package
 * written for a later contract fails at start-up, by name, instead of misbehaving in a query.
 */
export const PROVIDER_MODULE_API = 1;

/**
 * What a provider package (or file) exports so that `iter8ctl --provider MODULE` and the
 * controller's `--provider MODULE` / `ITER8TS_PROVIDERS` can load it: either as named exports
 *
 * ```ts
 * export const iter8tsProviderApi = 1;
 * export const providers = [myProvider()];
 * ```
 *
 * or as the default export (`export default { iter8tsProviderApi: 1, providers: [...] } satisfies
 * ProviderModuleV1`; a CommonJS `module.exports` of that shape works too).
 */
export interface ProviderModuleV1 {
  /** The contract the module implements: {@link PROVIDER_MODULE_API}. */
  readonly iter8tsProviderApi: typeof PROVIDER_MODULE_API;
  /**
   * The providers the module adds, at least one. Their names must differ from the builtin
   * providers' and from those of every other loaded module.
   */
  readonly providers: readonly MetricProviderV1[];
}

/** Why a provider module was refused. */
export const ProviderModuleErrorCode = {
  /** No file or installed package answers to the specifier. */
  NotFound: "not_found",
  /** The module was found but importing it threw (a missing dependency, a syntax error). */
  LoadFailed: "load_failed",
  /** The module does not export `iter8tsProviderApi` and `providers` (nor a default export with them). */
  NotAProviderModule: "not_a_provider_module",
  /** The module declares a contract version this runtime does not load. */
  UnsupportedApi: "unsupported_api",
  /** One of its providers lacks `apiVersion`, a usable `name` or `query`. */
  InvalidProvider: "invalid_provider",
  /** Two providers answer to the same name, or one takes the name of a builtin provider. */
  NameClash: "name_clash",
} as const;
export type ProviderModuleErrorCode = (typeof ProviderModuleErrorCode)[keyof typeof ProviderModuleErrorCode];

/** A provider module that cannot be used; the message names the module and what to do. */
export class ProviderModuleError extends Error {
  override readonly name = "ProviderModuleError";
  constructor(
    readonly code: ProviderModuleErrorCode,
    /** The specifier as given (`--provider` value or `ITER8TS_PROVIDERS` entry). */
    readonly module: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
