/**
 * Test doubles for code that uses `@iter8ts/resources`: an in-memory {@link ResourceClient} with
 * resourceVersion semantics, injected conflicts and concurrent edits.
 */
export { InMemoryResourceClient } from "./testing/in-memory-resource-client";
export type { RecordedCall } from "./testing/in-memory-resource-client";
