// The Markdown files the checker reads: README*.md at the root, in packages/*, apps/* and
// samples/**, and every .md under docs/. The root README comes first: its quick start puts
// iter8ctl and kubectl-iter8 on the PATH the other files' commands rely on.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function walk(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path, keep));
    else if (keep(name)) out.push(path);
  }
  return out;
}

const isReadme = (name: string) => /^README.*\.md$/.test(name);

export function docFiles(root: string): string[] {
  const readmesIn = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .sort()
          .flatMap((name) => (statSync(join(root, dir, name)).isDirectory() ? readdirSync(join(root, dir, name)).filter(isReadme).sort().map((f) => join(root, dir, name, f)) : []))
      : [];
  return [
    ...readdirSync(root).filter(isReadme).sort().map((f) => join(root, f)),
    ...readmesIn("apps"),
    ...readmesIn("packages"),
    ...walk(join(root, "samples"), isReadme),
    ...walk(join(root, "docs"), (n) => n.endsWith(".md")),
  ];
}
