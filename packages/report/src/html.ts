// @iter8ts/report/html: the self-contained HTML report page (inline SVG charts, no scripts).
export { renderReportHtml, renderReportSections, REPORT_STYLE, OUTCOME_LABEL } from "./html/render-report-html";
export { escapeHtml } from "./html/escape-html";
export type { RenderReportOptions } from "./html/render-report-html";
