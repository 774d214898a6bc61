import { REPORT_STYLE } from "@iter8ts/report/html";

// The page's stylesheet and script are served from the dashboard's own origin (the Content-
// Security-Policy allows nothing inline and nothing from elsewhere). They are strings in the
// code, not files beside it, so a bundled iter8ctl carries them.

/** The dashboard's stylesheet: the report's, plus the list, the header bar and small screens. */
export const DASHBOARD_STYLE = `${REPORT_STYLE}
main { max-width: 1280px; }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
a { color: #0550ae; }
.skip { position: absolute; left: -10000px; top: 0; background: #fff; padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; top: 8px; }
header.bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 4px 16px; margin: 0; padding: 10px 20px; background: #24292f; color: #fff; border: 0; }
header.bar nav { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; }
header.bar .brand { color: #fff; font-weight: 700; text-decoration: none; }
header.bar .source { color: #d0d7de; font-size: 14px; overflow-wrap: anywhere; }
header.bar .live { margin: 0; font-size: 13px; color: #d0d7de; }
header.bar .live.on::before { content: "● "; color: #4ac26b; }
header.bar .live.off::before { content: "● "; color: #ff8182; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
form.filter { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 8px 0 16px; }
form.filter input, form.filter select, form.filter button { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); }
form.filter input { min-width: 16em; flex: 1 1 16em; max-width: 28em; }
form.filter button { background: var(--panel); cursor: pointer; }
.table-wrap { overflow-x: auto; }
table.experiments { width: 100%; }
table.experiments td, table.experiments th { vertical-align: middle; overflow-wrap: normal; }
table.experiments td[data-label="Target"] { overflow-wrap: anywhere; }
table.experiments th[scope="row"] a { font-weight: 600; overflow-wrap: anywhere; }
td.weight { white-space: nowrap; }
svg.sparkline { vertical-align: middle; margin-right: 6px; }
svg.sparkline .spark-line { fill: none; stroke: #D55E00; stroke-width: 2; }
svg.sparkline .spark-dot { fill: #D55E00; }
svg.sparkline .spark-axis, svg.sparkline .spark-empty { stroke: #d0d7de; stroke-width: 1; }
.spark-value { font-variant-numeric: tabular-nums; }
.flag { display: inline-block; margin-left: 4px; padding: 0 6px; border-radius: 4px; font-size: 12px; font-weight: 700; text-transform: uppercase; color: #fff; background: var(--bad); }
.badge.outcome-Completed { color: var(--good); }
.badge.outcome-Failed, .badge.outcome-RolledBack { color: var(--bad); }
.badge.outcome-InProgress, .badge.outcome-NotStarted { color: var(--warn); }
.problems { border: 1px solid var(--bad); border-radius: 8px; padding: 8px 16px; color: var(--bad); background: #fff5f5; }
.detail-header { border-bottom: 1px solid var(--line); padding-bottom: 8px; }
.detail-header .headline { font-size: 17px; }
tr.event-warning td { color: var(--bad); }
@media (max-width: 720px) {
  main { padding: 12px 12px 32px; }
  h1 { font-size: 22px; }
  table.experiments thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.experiments, table.experiments tbody, table.experiments tr, table.experiments th, table.experiments td { display: block; width: 100%; }
  table.experiments tr { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 12px; padding: 6px 10px; }
  table.experiments th, table.experiments td { border: 0; padding: 2px 0; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 8px; text-align: left; }
  table.experiments th::before, table.experiments td::before { content: attr(data-label); flex: 0 0 9em; color: var(--muted); font-weight: 400; }
  table.experiments .v { flex: 1 1 10em; min-width: 0; overflow-wrap: anywhere; }
  main table { display: block; max-width: 100%; overflow-x: auto; }
  svg.chart { width: 100%; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 6px; }
}
`;

/**
 * The page script: listens to the page's server-sent events (EventSource; no polling) and puts
 * each update in place part by part (only the parts whose markup changed, keeping focus and open
 * details), and applies the list's filter as you type. Without it the page reloads itself.
 * The markup it inserts comes from this server, which escapes every value.
 */
export const DASHBOARD_SCRIPT = `"use strict";
(function () {
  var main = document.getElementById("content");
  var live = document.getElementById("live");
  if (!main || !window.EventSource || !window.HTMLTemplateElement) return;
  var source = null;
  function say(text, on) {
    if (!live) return;
    live.textContent = text;
    live.className = "live " + (on ? "on" : "off");
  }
  function selectorFor(el) {
    if (el.id) return "#" + CSS.escape(el.id);
    var href = el.getAttribute && el.getAttribute("href");
    if (href) return el.tagName.toLowerCase() + '[href="' + CSS.escape(href) + '"]';
    return null;
  }
  function replacePart(old, next) {
    if (old.hasAttribute("data-keep") || old.outerHTML === next.outerHTML) return;
    var openDetails = [];
    old.querySelectorAll("details").forEach(function (d, i) { if (d.open) openDetails.push(i); });
    var active = document.activeElement;
    var refocus = active && old.contains(active) ? selectorFor(active) : null;
    old.replaceWith(next);
    var details = next.querySelectorAll("details");
    openDetails.forEach(function (i) { if (details[i]) details[i].open = true; });
    if (refocus) {
      var target = next.matches(refocus) ? next : next.querySelector(refocus);
      if (target) target.focus({ preventScroll: true });
    }
  }
  function apply(update) {
    if (update.title) document.title = update.title;
    var template = document.createElement("template");
    template.innerHTML = update.html;
    var incoming = Array.prototype.slice.call(template.content.children);
    var wanted = {};
    var previous = null;
    incoming.forEach(function (next) {
      if (!next.id) return;
      wanted[next.id] = true;
      var old = document.getElementById(next.id);
      if (old && old.parentNode === main) replacePart(old, next);
      else if (previous) previous.after(next);
      else main.prepend(next);
      previous = document.getElementById(next.id);
    });
    Array.prototype.slice.call(main.children).forEach(function (el) {
      if (el.id && !wanted[el.id]) el.remove();
    });
  }
  function connect(url) {
    if (source) source.close();
    source = new EventSource(url);
    source.addEventListener("open", function () { say("Live", true); });
    source.addEventListener("error", function () { say(source.readyState === 2 ? "Disconnected; reload the page" : "Reconnecting…", false); });
    source.addEventListener("page", function (event) { apply(JSON.parse(event.data)); });
  }
  var form = document.getElementById("filter");
  if (form) {
    var timer = null;
    var refilter = function () {
      var params = new URLSearchParams();
      var q = form.elements.namedItem("q").value.trim();
      var outcome = form.elements.namedItem("outcome").value;
      if (q) params.set("q", q);
      if (outcome && outcome !== "all") params.set("outcome", outcome);
      var query = params.toString();
      history.replaceState(null, "", "/" + (query ? "?" + query : ""));
      params.set("view", "list");
      connect("/events?" + params.toString());
    };
    var later = function () { clearTimeout(timer); timer = setTimeout(refilter, 200); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); refilter(); });
  }
  connect(main.getAttribute("data-stream"));
})();
`;

/** The dashboard's icon: a small weight chart, so that the browser does not ask for a missing favicon. */
export const DASHBOARD_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#24292f"/><polyline points="4,26 12,20 20,12 28,6" fill="none" stroke="#ff8a3d" stroke-width="3"/></svg>`;
