/**
 * Word wrapping for table cells, laid out exactly as `iter8ctl describe` always has: words are
 * split on single spaces and placed with minimum raggedness (the sum of the squared free space
 * on every line but the last), not greedily, so `books-purchased (higher better)` at 30 columns
 * becomes `books-purchased (higher` / `better)`.
 */

// East Asian wide and fullwidth ranges: a terminal gives these characters two columns.
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Columns a string takes on a terminal: one per character, two for wide characters. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    // Combining marks sit on the previous character.
    if (code >= 0x300 && code <= 0x36f) continue;
    width += WIDE_RANGES.some(([lo, hi]) => code >= lo && code <= hi) ? 2 : 1;
  }
  return width;
}

// A line longer than the limit costs this much on top of its squared overflow, so the layout
// only overflows when every alternative is worse.
const OVERFLOW_PENALTY = 100_000;

/**
 * Wraps text into lines of at most `limit` columns. A word wider than the limit raises the limit
 * to its own width (words are never broken). Newlines count as spaces.
 * @returns the lines and the limit actually used.
 */
export function wrapText(text: string, limit: number): { lines: string[]; limit: number } {
  const words = text.replaceAll("\n", " ").split(" ");
  const widths = words.map(displayWidth);
  const lim = Math.max(limit, ...widths);
  const n = words.length;

  // lineWidth(i, j): width of words i..j joined by single spaces.
  const prefix = [0];
  for (const w of widths) prefix.push(prefix[prefix.length - 1]! + w);
  const lineWidth = (i: number, j: number) => prefix[j + 1]! - prefix[i]! + (j - i);

  // cost[i]: least raggedness of laying out words i..n-1; next[i]: where the line starting at i ends.
  const cost = new Array<number>(n).fill(Number.MAX_SAFE_INTEGER);
  const next = new Array<number>(n).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    if (lineWidth(i, n - 1) <= lim) {
      cost[i] = 0;
      next[i] = n;
      continue;
    }
    for (let j = i + 1; j < n; j++) {
      const used = lineWidth(i, j - 1);
      const free = lim - used;
      let c = free * free + cost[j]!;
      if (used > lim) c += OVERFLOW_PENALTY;
      // Strictly better only: among equal layouts the one with the shortest first line wins.
      if (c < cost[i]!) {
        cost[i] = c;
        next[i] = j;
      }
    }
  }

  const lines: string[] = [];
  for (let i = 0; i < n; i = next[i]!) lines.push(words.slice(i, next[i]).join(" "));
  return { lines, limit: lim };
}
