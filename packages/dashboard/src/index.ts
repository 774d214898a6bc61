/**
 * @iter8ts/dashboard: a live dashboard of Iter8 experiments. An HTTP server (node:http, on
 * 127.0.0.1 by default) with a list page, a page per experiment drawn from @iter8ts/report's read
 * model and charts, and server-sent events that keep both current; fed by a cluster (read-only
 * watches of Experiments and their Events) or by the folder of a local run (its files watched).
 * `iter8ctl dashboard` is a thin command over it.
 */
export { startDashboard, DEFAULT_DASHBOARD_PORT, CONTENT_SECURITY_POLICY } from "./dashboard-server";
export type { DashboardOptions, RunningDashboard } from "./dashboard-server";
export { clusterFeed } from "./cluster-feed";
export type { ClusterFeedOptions } from "./cluster-feed";
export { localFeed } from "./local-feed";
export type { LocalFeedOptions } from "./local-feed";
export { MAX_EVENTS } from "./experiment-feed";
export type { ExperimentFeed, FeedEvent, FeedProblem, FeedSnapshot } from "./experiment-feed";
export { experimentRow, parseListFilter, matchesFilter, OutcomeFilter } from "./experiment-row";
export type { ExperimentRow, ListFilter } from "./experiment-row";
export { renderSparkline } from "./sparkline";
