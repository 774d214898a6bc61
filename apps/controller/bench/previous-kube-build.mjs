// Loads @iter8ts/kube from a saved earlier build instead of packages/kube/dist, so bench:scale can
// measure the previous build's controller and the current one in the same run. Used as
// `node --import ./previous-kube-build.mjs` with ITER8TS_PREVIOUS_KUBE_DIST set to the folder
// holding the saved dist (index.js); scale.ts sets both for its "previous-build" pattern.
import { register } from "node:module";
import { pathToFileURL } from "node:url";

const saved = process.env.ITER8TS_PREVIOUS_KUBE_DIST;
if (!saved) throw new Error("previous-kube-build.mjs: set ITER8TS_PREVIOUS_KUBE_DIST to the folder of a saved packages/kube/dist");
const savedUrl = pathToFileURL(`${saved.replace(/\/+$/, "")}/`).href;

const hooks = `
const savedUrl = ${JSON.stringify(savedUrl)};
let currentKube;
export async function resolve(specifier, context, nextResolve) {
  if (specifier === "@iter8ts/kube") {
    currentKube ??= (await nextResolve(specifier, context)).url;
    return { url: savedUrl + "index.js", format: "module", shortCircuit: true };
  }
  // The saved build's own imports resolve as they would from packages/kube/dist.
  if (context.parentURL?.startsWith(savedUrl) && currentKube) return nextResolve(specifier, { ...context, parentURL: currentKube });
  return nextResolve(specifier, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url);
