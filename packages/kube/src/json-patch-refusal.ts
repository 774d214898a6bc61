import { JsonPatchError, applyJsonPatch, type JsonPatchOperation } from "@iter8ts/resources";
import { KubeError, KubeErrorCode } from "./kube-error";

/** A JSON Patch `test` operation. */
type TestOperation = JsonPatchOperation & { op: "test"; path: string; value: unknown };

function isTest(operation: JsonPatchOperation): operation is TestOperation {
  return operation.op === "test";
}

/**
 * Whether a refused JSON Patch may have failed one of its `test` operations. kube-apiserver
 * answers every JSON Patch it cannot apply — a failed `test` as much as a path that does not
 * exist — with the same bare 422 `Invalid` ("the server rejected our request due to an error in
 * our request", no causes), so the answer alone cannot tell a conflict from a bad patch. A 422
 * with causes comes from validating the patched object: the patch applied, its tests held.
 */
export function mayHaveFailedTest(refusal: KubeError, operations: readonly JsonPatchOperation[]): boolean {
  return refusal.httpStatus === 422 && refusal.causes.length === 0 && operations.some(isTest);
}

/** The `test` operations of `operations` that do not hold on `object` (RFC 6902 equality). */
export function unmetTests(object: unknown, operations: readonly JsonPatchOperation[]): TestOperation[] {
  return operations.filter(isTest).filter((test) => {
    try {
      applyJsonPatch(object, [test]);
      return false;
    } catch (error) {
      // A failed test, or a tested path that no longer exists: either way the object changed.
      if (error instanceof JsonPatchError) return true;
      throw error;
    }
  });
}

/**
 * What a bare 422 answer to a guarded JSON Patch meant, decided from the object as read again
 * after it: when a tested value no longer holds, the object changed under the patch, which is a
 * retryable `Conflict` (re-read and plan again); when every tested value still holds, no test
 * can have failed, so the patch itself cannot be applied and the refusal stays `Invalid`.
 *
 * A value that changed and changed back between the patch and the re-read reads as unchanged;
 * the patch is then reported invalid although it met a conflict, which a caller's next round
 * (it reads again anyway) recovers from.
 */
export function classifyPatchRefusal(subject: string, refusal: KubeError, operations: readonly JsonPatchOperation[], reread: unknown): KubeError {
  const unmet = unmetTests(reread, operations);
  const init = { httpStatus: 422, ...(refusal.reason !== undefined ? { reason: refusal.reason } : {}), cause: refusal };
  if (unmet.length > 0) {
    const tests = unmet.map((t) => `${t.path} = ${JSON.stringify(t.value)}`).join(", ");
    return new KubeError(
      KubeErrorCode.Conflict,
      `${subject}: the JSON Patch was refused (HTTP 422) and read again, the object no longer has what the patch tested (${tests}): it changed since it was read; read it again and retry`,
      init,
    );
  }
  return new KubeError(
    KubeErrorCode.Invalid,
    `${refusal.message}; every value the patch tests still holds, so one of its operations cannot be applied to the object (a path that does not exist?)`,
    init,
  );
}
