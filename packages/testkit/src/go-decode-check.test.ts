import { describe, expect, it } from "vitest";
import { goDecodeError } from "./go-decode-check";

const job = (spec: Record<string, unknown>) => ({
  metadata: { name: "j" },
  spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } }, ...spec },
});

// The messages kube-apiserver v1.37.2 answered the same bodies with.
describe("goDecodeError", () => {
  it("names the Go struct, the field path and the Go type, as encoding/json does", () => {
    expect(goDecodeError("batch", "Job", job({ backoffLimit: "six" }), false)).toBe("json: cannot unmarshal string into Go struct field JobSpec.spec.backoffLimit of type int32");
    expect(goDecodeError("batch", "Job", job({ backoffLimit: 1.5 }), false)).toBe("json: cannot unmarshal number 1.5 into Go struct field JobSpec.spec.backoffLimit of type int32");
    expect(goDecodeError("batch", "Job", job({ backoffLimit: 3000000000 }), false)).toBe("json: cannot unmarshal number 3000000000 into Go struct field JobSpec.spec.backoffLimit of type int32");
    expect(goDecodeError("batch", "Job", job({ suspend: "yes" }), false)).toBe("json: cannot unmarshal string into Go struct field JobSpec.spec.suspend of type bool");
    expect(goDecodeError("batch", "Job", job({ template: { spec: { restartPolicy: 5 } } }), false)).toBe(
      "json: cannot unmarshal number into Go struct field PodSpec.spec.template.spec.restartPolicy of type v1.RestartPolicy",
    );
    expect(goDecodeError("batch", "Job", job({ template: { spec: { containers: { name: "c" } } } }), false)).toBe(
      "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container",
    );
    expect(goDecodeError("batch", "Job", job({ template: { spec: { containers: [{ name: "c", command: "echo" }] } } }), false)).toBe(
      "json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.command of type []string",
    );
    expect(goDecodeError("batch", "Job", job({ template: { metadata: { labels: "x" } } }), false)).toBe(
      "json: cannot unmarshal string into Go struct field ObjectMeta.spec.template.metadata.labels of type map[string]string",
    );
    expect(goDecodeError("", "ConfigMap", { metadata: { name: "c" }, data: { a: 1 } }, false)).toBe("json: cannot unmarshal number into Go struct field ConfigMap.data of type string");
    expect(goDecodeError("", "ConfigMap", { metadata: { name: "c", finalizers: "x" } }, false)).toBe("json: cannot unmarshal string into Go struct field ObjectMeta.metadata.finalizers of type []string");
    expect(goDecodeError("iter8.tools", "Experiment", { metadata: { name: "e", labels: { a: 1 } } }, true)).toBe("json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string");
    expect(goDecodeError("batch", "Job", job({}), false)).toBeUndefined();
  });
});
