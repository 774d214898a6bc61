import type { EngineEvent, EventSink } from "../ports";

/** Keeps every event, for assertions. */
export class MemoryEventSink implements EventSink {
  readonly events: EngineEvent[] = [];

  emit(event: EngineEvent): void {
    this.events.push(structuredClone(event));
  }
}
