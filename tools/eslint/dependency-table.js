// The direction of dependencies between workspace packages, as the `iter8ts/layering` lint rule
// enforces it on production code (docs/architecture.md explains each row). Apps may import any
// package; test code (test/, *.test.ts, __fixtures__, testing entry points) is not checked.
const types = "@iter8ts/types";
const analytics = "@iter8ts/analytics";
const resources = "@iter8ts/resources";
const metrics = "@iter8ts/metrics";
const weights = "@iter8ts/weights";
const tasks = "@iter8ts/tasks";
const engine = "@iter8ts/engine";
const local = "@iter8ts/local";
const report = "@iter8ts/report";

/** For each package, the other packages its production code may import. */
export const ALLOWED_DEPENDENCIES = {
  [types]: [],
  [analytics]: [types],
  [resources]: [types],
  [metrics]: [types, analytics],
  "@iter8ts/metrics-provider-jsonfile": [types, metrics],
  [weights]: [types, analytics, resources],
  [tasks]: [types, analytics, metrics, resources],
  [engine]: [types, analytics],
  [report]: [types, analytics, engine],
  "@iter8ts/kube": [types, analytics, resources, metrics, weights, tasks, engine],
  [local]: [types, analytics, resources, metrics, weights, tasks, engine],
  "@iter8ts/demo": [types, analytics, metrics, engine, local, report],
  "@iter8ts/dashboard": [types, resources, "@iter8ts/kube", local, report],
  "@iter8ts/testkit": [types, resources],
  "@iter8ts/kube-harness": ["@iter8ts/testkit"],
};

/** Packages that do no I/O of their own: the clock, files, processes and the network come in through ports. */
export const NO_NODE_IO = [types, analytics, resources, weights, engine, report];
