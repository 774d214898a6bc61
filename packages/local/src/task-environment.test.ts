import { describe, expect, it } from "vitest";
import { DEFAULT_PATH, taskEnvironment } from "./task-environment";

describe("taskEnvironment", () => {
  const user = { PATH: "/opt/bin:/usr/bin", HOME: "/home/u", LANG: "en_US.UTF-8", LC_TIME: "C", TZ: "UTC", TMPDIR: "/tmp/u", AWS_SECRET_ACCESS_KEY: "k", KUBECONFIG: "/home/u/.kube/config", SSH_AUTH_SOCK: "/run/agent" };

  it("passes PATH, HOME, the locale, TZ and TMPDIR, and nothing else unless named", () => {
    expect(taskEnvironment(user)).toEqual({ env: { PATH: "/opt/bin:/usr/bin", HOME: "/home/u", LANG: "en_US.UTF-8", LC_TIME: "C", TZ: "UTC", TMPDIR: "/tmp/u" } });
  });

  it("adds what --env names, from the environment or as NAME=VALUE", () => {
    const result = taskEnvironment(user, ["KUBECONFIG", "STAGE=prod=1"]);
    expect(result).toEqual({ env: expect.objectContaining({ KUBECONFIG: "/home/u/.kube/config", STAGE: "prod=1" }) });
    expect("env" in result && "AWS_SECRET_ACCESS_KEY" in result.env).toBe(false);
  });

  it("gives a standard PATH when there is none, and refuses names that are not set or not names", () => {
    expect(taskEnvironment({})).toEqual({ env: { PATH: DEFAULT_PATH } });
    expect(taskEnvironment({}, ["MISSING", "A-B=1"])).toEqual({
      errors: [
        "--env MISSING: MISSING is not set in this environment; set it, or pass --env MISSING=VALUE",
        '--env "A-B=1": "A-B" is not a variable name (letters, digits and _, not starting with a digit)',
      ],
    });
  });
});
