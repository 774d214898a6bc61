import type { LineCounter, Node } from "yaml";
import { yamlModule } from "./yaml-module";
import type { PathSegment } from "./validation-issue";

/**
 * Finds the line of a field below `root` (a YAML node: a document's contents, or an item of a
 * List): the line of the field's key, or of the closest parent that exists (a missing required
 * field points at its parent).
 */
export function lineOf(root: unknown, lineCounter: LineCounter, segments: readonly PathSegment[]): number | undefined {
  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  const { isMap, isScalar, isSeq } = yamlModule();
  let node: unknown = root;
  let line = lineAt(root as Node | null);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      line = lineAt(pair.key as Node) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      line = lineAt(item) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

/**
 * The text a scalar below `root` was written as (`1e309`, `.nan`, `"0.01"` without its quotes),
 * or undefined when the path does not lead to a scalar.
 */
export function sourceTextOf(root: unknown, segments: readonly PathSegment[]): string | undefined {
  const { isMap, isScalar, isSeq } = yamlModule();
  let node: unknown = root;
  for (const segment of segments) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))?.value;
    else if (isSeq(node) && typeof segment === "number") node = node.items[segment];
    else return undefined;
  }
  return isScalar(node) ? node.source : undefined;
}
