import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ProviderModuleError, ProviderModuleErrorCode } from "./provider-module";

/** The export conditions a provider module is loaded with: Node's, for `import`. */
const CONDITIONS = new Set(["node", "import", "default"]);

/** A specifier that names a file or folder rather than an installed package. */
export function isPathSpecifier(specifier: string): boolean {
  return (
    specifier === "." ||
    specifier === ".." ||
    specifier.startsWith("./") ||
    specifier.startsWith("../") ||
    specifier.startsWith("file:") ||
    isAbsolute(specifier) ||
    /^[A-Za-z]:[\\/]/.test(specifier)
  );
}

/** `@scope/pkg/sub/path` → `{ name: "@scope/pkg", subpath: "./sub/path" }`. */
function splitPackageSpecifier(specifier: string): { name: string; subpath: string } | undefined {
  const parts = specifier.split("/");
  const nameParts = specifier.startsWith("@") ? 2 : 1;
  if (parts.length < nameParts || parts.slice(0, nameParts).some((p) => p === "" || p === "." || p === "..")) return undefined;
  const name = parts.slice(0, nameParts).join("/");
  if (!/^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i.test(name)) return undefined;
  const rest = parts.slice(nameParts);
  return { name, subpath: rest.length === 0 ? "." : `./${rest.join("/")}` };
}

/** A conditional export's target for {@link CONDITIONS}, in the object's key order as Node reads it. */
function conditionalTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = conditionalTarget(t);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (target && typeof target === "object") {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const found = conditionalTarget(value);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The file of `subpath` in a package folder, by its `exports` (with `*` patterns) or `main`. */
function packageEntry(folder: string, subpath: string): string | undefined {
  let manifest: { exports?: unknown; main?: unknown };
  try {
    manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as typeof manifest;
  } catch {
    manifest = {};
  }
  const exp = manifest.exports;
  if (exp !== undefined && exp !== null) {
    const map = typeof exp === "object" && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith(".")) ? (exp as Record<string, unknown>) : { ".": exp };
    let target = subpath in map ? conditionalTarget(map[subpath]) : undefined;
    if (target === undefined) {
      for (const [key, value] of Object.entries(map)) {
        const star = key.indexOf("*");
        if (star < 0 || !subpath.startsWith(key.slice(0, star)) || !subpath.endsWith(key.slice(star + 1))) continue;
        const matched = subpath.slice(star, subpath.length - (key.length - star - 1));
        target = conditionalTarget(value)?.replaceAll("*", matched);
        if (target !== undefined) break;
      }
    }
    return target === undefined ? undefined : join(folder, target);
  }
  if (subpath !== ".") return join(folder, subpath);
  const main = typeof manifest.main === "string" ? manifest.main : "index.js";
  for (const candidate of [main, `${main}.js`, join(main, "index.js")]) {
    const file = join(folder, candidate);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return join(folder, main);
}

function notFound(specifier: string, message: string): ProviderModuleError {
  return new ProviderModuleError(ProviderModuleErrorCode.NotFound, specifier, message);
}

/**
 * The file a provider module specifier leads to. A path (`./x.js`, `/abs/x.mjs`, `file:` URL, or
 * a package folder) is taken from `cwd`; anything else is a package name (with an optional
 * subpath), looked up in `node_modules` folders from `cwd` upwards, its entry chosen by the
 * package's `exports` with Node's `import` conditions, or by `main`.
 * @throws ProviderModuleError (`not_found`) saying where it looked and how to install it.
 */
export function resolveProviderModule(specifier: string, cwd: string): string {
  if (isPathSpecifier(specifier)) {
    const path = specifier.startsWith("file:") ? fileURLToPath(specifier) : resolve(cwd, specifier);
    if (!existsSync(path)) throw notFound(specifier, `provider module ${specifier}: there is no file ${path}; check the path (it is taken from ${cwd})`);
    if (statSync(path).isFile()) return path;
    const entry = packageEntry(path, ".");
    if (entry === undefined || !existsSync(entry)) {
      throw notFound(specifier, `provider module ${specifier}: the folder ${path} has no entry point (package.json "exports" or "main"); give the module's file, or build the package`);
    }
    return entry;
  }
  const parts = splitPackageSpecifier(specifier);
  if (!parts) {
    throw notFound(specifier, `provider module ${JSON.stringify(specifier)} is neither a package name nor a path; write a path as ./file.js or /abs/file.js`);
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const folder = join(dir, "node_modules", parts.name);
    if (existsSync(join(folder, "package.json"))) {
      const entry = packageEntry(folder, parts.subpath);
      if (entry === undefined) {
        throw notFound(specifier, `provider module ${specifier}: the package ${parts.name} in ${folder} does not export "${parts.subpath}" for import; check the name, or use a subpath it exports`);
      }
      if (!existsSync(entry)) {
        throw notFound(specifier, `provider module ${specifier}: the package ${parts.name} in ${folder} names ${entry}, which does not exist; reinstall or rebuild the package`);
      }
      return entry;
    }
    if (dirname(dir) === dir) break;
  }
  const asPath = resolve(cwd, specifier);
  const hint = existsSync(asPath) ? `; to load the file ${asPath}, write ./${specifier}` : "";
  throw notFound(
    specifier,
    `provider module ${specifier}: no package ${parts.name} is installed in ${cwd} or a folder above it (looked for node_modules/${parts.name}); install it there (npm install ${parts.name}), or give the module's path${hint}`,
  );
}
