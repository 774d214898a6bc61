import { displayWidth, wrapText } from "./wrap-text";

/** Cells wider than this wrap onto more lines (a single long word widens its column instead). */
export const MAX_CELL_WIDTH = 30;

// Lines that look like numbers (`-1.5`, `228.420`, even an empty line) are right-aligned.
const NUMERIC_LINE = /^-*\d*\.?\d*$/;

/** A header as shown: `_` and `.` become spaces, surrounding spaces go, letters are upper-cased. */
export function headerTitle(header: string): string {
  return header.replaceAll("_", " ").replaceAll(".", " ").trim().toUpperCase();
}

function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - displayWidth(text))) + text;
}

function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

function center(text: string, width: number): string {
  const gap = Math.max(0, width - displayWidth(text));
  const left = Math.floor(gap / 2);
  return " ".repeat(left) + text + " ".repeat(gap - left);
}

/**
 * Renders an ASCII table with a rule under every row:
 *
 * ```
 * +--------------+---------+
 * |    METRIC    | DEFAULT |
 * +--------------+---------+
 * | error-rate   |   0.000 |
 * +--------------+---------+
 * ```
 *
 * Column widths grow row by row, and each cell is wrapped at the width its column has reached
 * when the cell is laid out (at most {@link MAX_CELL_WIDTH}); this keeps the layout identical to
 * the one Iter8 users know, including its dependence on row order. A header never wraps: a header
 * longer than its column widens the column. Every line ends with a newline.
 */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const columns = Math.max(header.length, ...rows.map((r) => r.length));
  const widths = new Array<number>(columns).fill(0);
  header.forEach((h, i) => {
    widths[i] = Math.max(widths[i]!, Math.min(displayWidth(h), MAX_CELL_WIDTH));
  });

  const laidOut = rows.map((row) =>
    Array.from({ length: columns }, (_, i) => {
      const cell = row[i] ?? "";
      widths[i] = Math.max(widths[i]!, Math.min(displayWidth(cell), MAX_CELL_WIDTH));
      const { lines } = wrapText(cell, widths[i]);
      widths[i] = Math.max(widths[i], ...lines.map(displayWidth));
      return lines;
    }),
  );
  const titles = Array.from({ length: columns }, (_, i) => headerTitle(header[i] ?? ""));
  titles.forEach((t, i) => {
    widths[i] = Math.max(widths[i]!, displayWidth(t));
  });

  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+\n`;
  const line = (cells: string[]) => `|${cells.map((c) => ` ${c} `).join("|")}|\n`;

  let out = rule + line(titles.map((t, i) => center(t, widths[i]!))) + rule;
  for (const cells of laidOut) {
    const height = Math.max(...cells.map((c) => c.length));
    for (let y = 0; y < height; y++) {
      out += line(
        cells.map((c, i) => {
          const text = c[y] ?? "";
          return NUMERIC_LINE.test(text.trim()) ? padStart(text, widths[i]!) : padEnd(text, widths[i]!);
        }),
      );
    }
    out += rule;
  }
  return out;
}
