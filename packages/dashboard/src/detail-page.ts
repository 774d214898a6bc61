import { escapeHtml as e, OUTCOME_LABEL, renderReportSections } from "@iter8ts/report/html";
import type { Experiment } from "@iter8ts/types";
import type { FeedEvent, FeedProblem } from "./experiment-feed";
import { reportDataOf } from "./experiment-row";
import { renderProblems } from "./list-page";

function eventsSection(title: string, events: readonly FeedEvent[]): string {
  const body = events.length
    ? [
        `<div class="table-wrap"><table class="events"><caption>${e(title)}, oldest first</caption><thead><tr><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Count</th></tr></thead><tbody>`,
        ...events.map(
          (ev) =>
            `<tr class="event-${ev.type === "Warning" || ev.type === "Error" ? "warning" : "normal"}"><td>${e(ev.time ?? "—")}</td><td>${e(ev.type)}</td><td>${e(ev.reason)}</td><td>${e(ev.message)}</td><td class="num">${ev.count}</td></tr>`,
        ),
        `</tbody></table></div>`,
      ].join("")
    : `<p class="note">No ${title === "Events" ? "Events" : "action log lines"} for this experiment yet.</p>`;
  return `<section id="events" aria-labelledby="events-h"><h2 id="events-h">${e(title)}</h2>${body}</section>`;
}

/**
 * The content of an experiment's page: its header (outcome, iteration i of n, winner), then the
 * report's sections drawn from the same read model as `iter8ctl report` (overview and
 * conditions, winner and why, traffic split over time, each metric per version against its
 * objectives, objectives, the reward with the best version marked, the statistics evidence when
 * there is some, the decision of every iteration), then its Events (or a local run's action log).
 */
export function renderDetailContent(experiment: Experiment, events: readonly FeedEvent[], eventsTitle: string, problems: readonly FeedProblem[]): string {
  const data = reportDataOf(experiment);
  const x = data.experiment;
  const winner = data.winner.assessment?.found ? data.winner.assessment.version : null;
  const flag = x.outcome === "RolledBack" ? ` <span class="flag flag-rolled-back">rolled back</span>` : x.outcome === "Failed" ? ` <span class="flag flag-failed">Failed</span>` : "";
  const header = [
    `<header id="detail-header" class="detail-header" data-outcome="${x.outcome}" data-iteration="${x.completedIterations}">`,
    `<p class="eyebrow"><a href="/">All experiments</a> / ${e(x.namespace)}</p>`,
    `<h1>${e(x.name)}</h1>`,
    `<p class="outcome outcome-${x.outcome}"><span class="badge">${OUTCOME_LABEL[x.outcome]}</span>${flag} ${e(x.testingPattern)} · ${e(x.deploymentPattern)} · target ${e(x.target)}</p>`,
    `<p class="headline">Iteration <strong class="iteration">${x.completedIterations} of ${x.totalIterations}</strong> · stage <strong>${e(x.stage ?? "not started")}</strong> · winner <strong class="winner">${winner === null ? "none yet" : e(winner)}</strong></p>`,
    `<p class="outcome-text">${e(x.outcomeText)}</p>`,
    `</header>`,
  ].join("");
  return [
    header,
    renderProblems(problems),
    data.historyNote ? `<p id="history-note" class="note">${e(data.historyNote)}</p>` : `<p id="history-note" hidden></p>`,
    ...renderReportSections(data),
    eventsSection(eventsTitle, events),
  ].join("\n");
}

/** The content when the experiment is not (or no longer) in the source; it updates if it appears. */
export function renderMissingContent(namespace: string, name: string, problems: readonly FeedProblem[]): string {
  return [
    `<header id="detail-header" class="detail-header" data-outcome="missing"><p class="eyebrow"><a href="/">All experiments</a> / ${e(namespace)}</p><h1>${e(name)}</h1>`,
    `<p>There is no experiment ${e(`${namespace}/${name}`)} in the source (it may have been deleted, or not be created yet). This page updates when it appears.</p></header>`,
    renderProblems(problems),
  ].join("\n");
}
