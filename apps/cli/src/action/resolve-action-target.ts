import { isDnsSubdomain } from "@iter8ts/types";
import type { ActionEnv, ActionRunOptions } from "../commands/action";

/** The resolved target of `action run`, or the usage error to print. */
export function resolveActionTarget(options: ActionRunOptions, env: ActionEnv, defaultNamespace: () => string): { action: string; namespace: string; name: string; runId?: string } | { error: string } {
  const action = options.action ?? env.ACTION;
  if (!action) return { error: "action run needs the action to run: pass --action start|loop|finish|failure or set ACTION" };
  let namespace: string | undefined;
  let name: string | undefined;
  const ref = options.experiment;
  if (ref !== undefined) {
    const slash = ref.indexOf("/");
    if (slash >= 0) {
      namespace = ref.slice(0, slash);
      name = ref.slice(slash + 1);
    } else {
      name = ref;
    }
  } else {
    name = env.EXPERIMENT_NAME;
  }
  namespace ||= env.EXPERIMENT_NAMESPACE || undefined;
  if (!name) return { error: "action run needs the experiment: pass --experiment NAMESPACE/NAME or set EXPERIMENT_NAME and EXPERIMENT_NAMESPACE" };
  if (!isDnsSubdomain(name) || (namespace !== undefined && !isDnsSubdomain(namespace))) {
    return { error: `--experiment ${JSON.stringify(ref ?? `${namespace ?? ""}/${name}`)} is not NAMESPACE/NAME of a Kubernetes object` };
  }
  const runId = options.runId ?? env.RUN_ID;
  return { action, namespace: namespace ?? defaultNamespace(), name, ...(runId ? { runId } : {}) };
}
