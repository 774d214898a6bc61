import { OUTCOME_LABEL, escapeHtml as e } from "@iter8ts/report/html";
import type { Experiment } from "@iter8ts/types";
import type { FeedProblem } from "./experiment-feed";
import { experimentRow, matchesFilter, OutcomeFilter, reportDataOf, type ExperimentRow, type ListFilter } from "./experiment-row";
import { renderSparkline } from "./sparkline";

/** The path of an experiment's page. */
export function experimentPath(namespace: string, name: string): string {
  return `/experiments/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

/** The query string of a list filter (empty for the default filter). */
export function filterQuery(filter: ListFilter): string {
  const query = new URLSearchParams();
  if (filter.text) query.set("q", filter.text);
  if (filter.outcome !== OutcomeFilter.All) query.set("outcome", filter.outcome);
  const text = query.toString();
  return text ? `?${text}` : "";
}

const FILTER_LABELS: Record<OutcomeFilter, string> = {
  all: "Any status",
  running: "Running",
  completed: "Completed",
  "rolled-back": "Rolled back",
  failed: "Failed",
};

/** Problems of the source, as a list above the content. */
export function renderProblems(problems: readonly FeedProblem[]): string {
  if (problems.length === 0) return `<div id="problems" hidden></div>`;
  const items = problems.map((p) => `<li><strong>${e(p.subject)}:</strong> ${e(p.message)}</li>`).join("");
  return `<div id="problems" class="problems" role="alert"><p>Some of the source could not be read; what is shown may be incomplete or stale.</p><ul>${items}</ul></div>`;
}

function row(r: ExperimentRow): string {
  const flags: string[] = [];
  if (r.outcome === "RolledBack") flags.push(`<span class="flag flag-rolled-back">rolled back</span>`);
  if (r.outcome === "Failed") flags.push(`<span class="flag flag-failed">Failed</span>`);
  const latest = [...r.candidateWeights].reverse().find((p) => p.weight !== null)?.weight;
  const weight =
    r.candidate === null
      ? `<span class="note">no candidate</span>`
      : `${renderSparkline(`weight of ${r.candidate}`, r.candidateWeights)}<span class="spark-value">${latest === undefined || latest === null ? "—" : `${latest}%`}</span>`;
  const key = `${r.namespace}/${r.name}`;
  return [
    `<tr data-experiment="${e(key)}" data-outcome="${r.outcome}" data-iteration="${r.completedIterations}">`,
    `<th scope="row" data-label="Experiment"><span class="v"><a href="${e(experimentPath(r.namespace, r.name))}">${e(r.name)}</a></span></th>`,
    `<td data-label="Namespace"><span class="v">${e(r.namespace)}</span></td>`,
    `<td data-label="Target"><span class="v">${e(r.target)}</span></td>`,
    `<td data-label="Pattern"><span class="v">${e(r.testingPattern)}</span></td>`,
    `<td data-label="Stage"><span class="v">${e(r.stage ?? "—")}</span></td>`,
    `<td data-label="Iteration" class="iteration num"><span class="v">${r.completedIterations} of ${r.totalIterations}</span></td>`,
    `<td data-label="Winner" class="winner"><span class="v">${r.winner === null ? `<span class="note">none yet</span>` : e(r.winner)}</span></td>`,
    `<td data-label="Candidate weight" class="weight"><span class="v">${weight}</span></td>`,
    `<td data-label="Status" class="status"><span class="v"><span class="badge outcome-${r.outcome}">${OUTCOME_LABEL[r.outcome]}</span>${flags.join("")}</span></td>`,
    `</tr>`,
  ].join("");
}

/** The filter form: a plain GET form (works without JavaScript); the script applies it as you type. */
function filterForm(filter: ListFilter): string {
  const options = Object.values(OutcomeFilter)
    .map((o) => `<option value="${o}"${o === filter.outcome ? " selected" : ""}>${FILTER_LABELS[o]}</option>`)
    .join("");
  return [
    `<form id="filter" class="filter" method="get" action="/" role="search" data-keep>`,
    `<label for="filter-q">Filter</label><input id="filter-q" name="q" type="search" value="${e(filter.text)}" placeholder="name, namespace, target, version" maxlength="200" autocomplete="off">`,
    `<label for="filter-outcome">Status</label><select id="filter-outcome" name="outcome">${options}</select>`,
    `<button type="submit">Apply</button>`,
    `</form>`,
  ].join("");
}

/** The content of the list page: heading, filter, problems, and the table of the experiments that pass the filter. */
export function renderListContent(experiments: readonly Experiment[], problems: readonly FeedProblem[], filter: ListFilter): string {
  const rows = experiments
    .map((experiment) => {
      const data = reportDataOf(experiment);
      return { row: experimentRow(experiment, data), versions: data.experiment.versions };
    })
    .filter(({ row: r, versions }) => matchesFilter(r, versions, filter))
    .sort((a, b) => a.row.namespace.localeCompare(b.row.namespace) || a.row.name.localeCompare(b.row.name))
    .map(({ row: r }) => r);
  const count = `<p class="count" id="count">${rows.length} of ${experiments.length} experiment${experiments.length === 1 ? "" : "s"}${filter.text || filter.outcome !== OutcomeFilter.All ? " match the filter" : ""}</p>`;
  const table = rows.length
    ? [
        `<div class="table-wrap"><table class="experiments"><caption class="visually-hidden">Experiments</caption><thead><tr>`,
        ...["Experiment", "Namespace", "Target", "Pattern", "Stage", "Iteration", "Winner", "Candidate weight", "Status"].map((h) => `<th scope="col">${h}</th>`),
        `</tr></thead><tbody>`,
        ...rows.map(row),
        `</tbody></table></div>`,
      ].join("")
    : `<p class="note">${experiments.length ? "No experiment matches the filter." : "No experiments yet. This page updates when one appears."}</p>`;
  return [`<h1 id="heading">Experiments</h1>`, filterForm(filter), renderProblems(problems), `<div id="list">${count}${table}</div>`].join("\n");
}
