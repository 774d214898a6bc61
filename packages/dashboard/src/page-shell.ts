import { escapeHtml as e } from "@iter8ts/report/html";

/** Where the dashboard serves its stylesheet and script (same origin, no inline code). */
export const ASSET_PATHS = { style: "/assets/dashboard.css", script: "/assets/dashboard.js", icon: "/favicon.svg" } as const;

/** Seconds between reloads of a page when JavaScript is off (with it, updates arrive by server-sent events). */
export const NO_SCRIPT_REFRESH_SECONDS = 5;

/** What every page has around its content. */
export interface PageShell {
  title: string;
  /** Where the page's content streams from (`/events?...`); the script listens to it. */
  stream: string;
  /** The source, as the header says it (`cluster, all namespaces`). */
  source: string;
  /** The content of `<main>`: top-level elements, each with an id, so an update replaces only what changed. */
  content: string;
}

/**
 * A whole page: the stylesheet and the script from this server, a `<noscript>` refresh so that
 * the page stays current without JavaScript, a skip link, the header and `<main>`. The script
 * replaces `<main>`'s parts from the stream; the server sends the same markup it renders here.
 */
export function renderPage(shell: PageShell): string {
  return [
    `<!DOCTYPE html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="referrer" content="no-referrer">`,
    `<noscript><meta http-equiv="refresh" content="${NO_SCRIPT_REFRESH_SECONDS}"></noscript>`,
    `<title>${e(shell.title)}</title>`,
    `<link rel="icon" href="${ASSET_PATHS.icon}" type="image/svg+xml">`,
    `<link rel="stylesheet" href="${ASSET_PATHS.style}">`,
    `<script src="${ASSET_PATHS.script}" defer></script>`,
    `</head>`,
    `<body>`,
    `<a class="skip" href="#content">Skip to content</a>`,
    `<header class="bar"><nav aria-label="Dashboard"><a class="brand" href="/">iter8ts dashboard</a><span class="source">${e(shell.source)}</span></nav>`,
    `<p class="live" id="live" role="status" aria-live="polite"><noscript>Reloads every ${NO_SCRIPT_REFRESH_SECONDS} s</noscript></p></header>`,
    `<main id="content" tabindex="-1" data-stream="${e(shell.stream)}">`,
    shell.content,
    `</main>`,
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");
}
