import type { MetricProviderV1, ProviderModuleV1 } from "@iter8ts/metrics";
import { jsonFileProvider } from "./json-file-provider";

export { jsonFileProvider } from "./json-file-provider";
export type { JsonFileProviderOptions } from "./json-file-provider";

/**
 * The provider-module contract this package implements, so that `iter8ctl --provider
 * @iter8ts/metrics-provider-jsonfile` and the controller (`--provider`, `ITER8TS_PROVIDERS`) can
 * load it. Written as a number, not imported: it is the contract this code was written for,
 * whatever the installed @iter8ts/metrics supports.
 */
export const iter8tsProviderApi: ProviderModuleV1["iter8tsProviderApi"] = 1;

/**
 * What a loading runtime registers: the `jsonfile` provider, reading each Metric's values
 * document from its `spec.urlTemplate` over HTTP.
 */
export const providers: readonly MetricProviderV1[] = [jsonFileProvider()];
