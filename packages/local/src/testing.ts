/**
 * Documents for tests of local mode (here and in the CLI): an A/B experiment of a `shop/cart`
 * service, mock Metrics, the routing document in the quickstarts' shapes, and temporary folders
 * holding them.
 */
export { ROUTING_SHAPES, METRICS_YAML, experimentYaml, folderWith, experimentFolder } from "./__fixtures__/local-files";
export type { RoutingShape, ExperimentOptions } from "./__fixtures__/local-files";
