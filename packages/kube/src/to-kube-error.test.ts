import { readFileSync } from "node:fs";
import { ApiException, FetchError } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubeError, toResourceError } from "./kube-error";
import { kubeErrorFromResponse, toKubeError } from "./to-kube-error";

const status = (code: number, reason: string, message: string, causes?: unknown[]) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message, ...(causes ? { details: { causes } } : {}) });

describe("toKubeError", () => {
  it("reads the Status text that client-node's ApiException carries", () => {
    const error = toKubeError(new ApiException(404, "Unsuccessful HTTP Request", status(404, "NotFound", 'experiments.iter8.tools "x" not found'), {}), "Experiment default/x");
    expect(error).toBeInstanceOf(KubeError);
    expect(error.code).toBe("NotFound");
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBe(404);
    expect(error.message).toBe('Experiment default/x: experiments.iter8.tools "x" not found (HTTP 404 NotFound)');
  });

  it.each([
    [409, "Conflict", "Conflict", true],
    [409, "AlreadyExists", "AlreadyExists", false],
    [410, "Expired", "Gone", true],
    [422, "Invalid", "Invalid", false],
    [400, "BadRequest", "Invalid", false],
    [403, "Forbidden", "Forbidden", false],
    [429, "TooManyRequests", "Unavailable", true],
    [500, "InternalError", "Unavailable", true],
    [503, "ServiceUnavailable", "Unavailable", true],
  ] as const)("maps HTTP %i %s to %s (retryable: %s)", (code, reason, expected, retryable) => {
    const error = kubeErrorFromResponse("Job default/j", code, status(code, reason, "said the server"));
    expect(error.code).toBe(expected);
    expect(error.retryable).toBe(retryable);
    expect(error.reason).toBe(reason);
  });

  it("cannot tell a failed JSON Patch test from the answer alone: kube-apiserver's bare 422 is Invalid until the object is read again", () => {
    // What kube-apiserver v1.37.2 answers for a JSON Patch whose `test` failed (and for any other
    // operation it cannot apply): no causes, nothing naming the test.
    const body = readFileSync(new URL("./__fixtures__/json-patch-refused-422.json", import.meta.url), "utf8");
    const error = kubeErrorFromResponse("VirtualService default/vs", 422, body);
    expect(error.code).toBe("Invalid");
    expect(error.causes).toEqual([]);
    expect(error.message).toBe("VirtualService default/vs: the server rejected our request due to an error in our request (HTTP 422 Invalid)");
    expect(toResourceError(error).code).toBe("invalid");
  });

  it("lists the field causes of an invalid object and says what to do about RBAC", () => {
    const invalid = kubeErrorFromResponse("Job default/j", 422, status(422, "Invalid", 'Job.batch "j" is invalid', [{ field: "spec.template.spec.restartPolicy", message: "Unsupported value: \"Always\"" }]));
    expect(invalid.message).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always"');
    expect(invalid.causes).toHaveLength(1);
    const forbidden = kubeErrorFromResponse("Secret default/s", 403, status(403, "Forbidden", 'secrets "s" is forbidden'));
    expect(forbidden.message).toMatch(/grant this service account the permission \(RBAC\)/);
  });

  it("keeps a short excerpt of a body that is not a Status", () => {
    const error = kubeErrorFromResponse("Experiment default/x", 502, "<html><body>Bad Gateway</body></html>");
    expect(error.code).toBe("Unavailable");
    expect(error.message).toContain("<html><body>Bad Gateway</body></html>");
  });

  it("reports network failures and timeouts as retryable outages", () => {
    const refused = toKubeError(new FetchError("request to http://127.0.0.1:1/api failed", "system", { code: "ECONNREFUSED" } as never), "Lease x/y");
    expect(refused.code).toBe("Unavailable");
    expect(refused.retryable).toBe(true);
    expect(refused.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    const timeout = toKubeError(Object.assign(new Error("The operation was aborted"), { name: "AbortError" }), "Lease x/y");
    expect(timeout.code).toBe("Unavailable");
    expect(timeout.message).toMatch(/did not answer in time/);
  });

  it("recognises discovery's unknown kind and keeps KubeErrors as they are", () => {
    expect(toKubeError(new Error("Unrecognized API version and kind: example.com/v1 Widget"), "Widget w").code).toBe("UnknownKind");
    const original = new KubeError("Config", "no cluster");
    expect(toKubeError(original, "anything")).toBe(original);
  });
});
