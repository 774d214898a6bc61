export { jsonFileProvider } from "./json-file-provider";
export type { JsonFileProviderOptions } from "./json-file-provider";
