/**
 * The variables every task process gets from the user's environment: enough for programs to find
 * each other, a home, a locale, a time zone and a temporary folder, and nothing that grants
 * access to anything (cloud keys, tokens, SSH agents stay out unless the user names them).
 */
export const PASSED_VARIABLES: readonly string[] = ["PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR"];
/** Locale categories (`LC_ALL`, `LC_CTYPE`, …) pass too. */
const LOCALE = /^LC_[A-Z_]+$/;
/** The PATH tasks get when the user's environment has none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment of the processes a local run's tasks start: the {@link PASSED_VARIABLES} and
 * `LC_*` of `env`, plus each of `named` (`NAME`, taken from `env`, or `NAME=VALUE`). The task
 * runner adds `SCRATCH_DIR`.
 * @returns the environment, or the problems with `named` (a bad name, a NAME that is not set).
 */
export function taskEnvironment(env: Readonly<Record<string, string | undefined>>, named: readonly string[] = []): { env: Record<string, string> } | { errors: string[] } {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && (PASSED_VARIABLES.includes(key) || LOCALE.test(key))) out[key] = value;
  }
  out.PATH ??= DEFAULT_PATH;
  const errors: string[] = [];
  for (const entry of named) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!NAME.test(name)) {
      errors.push(`--env ${JSON.stringify(entry)}: ${JSON.stringify(name)} is not a variable name (letters, digits and _, not starting with a digit)`);
      continue;
    }
    if (eq >= 0) {
      out[name] = entry.slice(eq + 1);
      continue;
    }
    const value = env[name];
    if (value === undefined) errors.push(`--env ${name}: ${name} is not set in this environment; set it, or pass --env ${name}=VALUE`);
    else out[name] = value;
  }
  return errors.length > 0 ? { errors } : { env: out };
}
