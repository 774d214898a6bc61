import type { ExperimentKey } from "./ports";
import type { ActionName } from "./reasons";

/** The idempotency key of an action run: `<runToken>-<action>[-<loop>]`. */
export function actionRunId(runToken: string, action: ActionName, loop?: number): string {
  return loop === undefined ? `${runToken}-${action}` : `${runToken}-${action}-${loop}`;
}

/** The original controller's handler Job name: `<namespace>-<name>-<action>[-<loop>]`. */
export function handlerName(key: ExperimentKey, action: ActionName, loop?: number): string {
  const base = `${key.namespace}-${key.name}-${action}`;
  return loop === undefined ? base : `${base}-${loop}`;
}
