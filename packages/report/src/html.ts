// @iter8ts/report/html: the self-contained HTML report page (inline SVG charts, no scripts).
export { renderReportHtml } from "./html/render-report-html";
export type { RenderReportOptions } from "./html/render-report-html";
