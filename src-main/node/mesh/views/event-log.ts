// The node's API events: numbered in order, the last few thousand kept, so a client that
// reconnects asks for what it missed by the last id it saw (and learns if that is gone).
import type { ApiEvent, ApiEventType, EventFeed } from '../../../core/api/contract.js';

const KEPT = 10_000;

export class EventLog implements EventFeed {
  readonly #events: ApiEvent[] = [];
  readonly #listeners = new Set<(event: ApiEvent) => void>();
  #nextId = 1;

  push(type: ApiEventType, data: ApiEvent['data']): ApiEvent {
    const event: ApiEvent = { id: this.#nextId++, at: new Date().toISOString(), type, data };
    this.#events.push(event);
    // Trimmed a quarter at a time: one at a time would shift all KEPT on every event.
    if (this.#events.length > KEPT + KEPT / 4) this.#events.splice(0, this.#events.length - KEPT);
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  since(afterId: number, limit: number): ApiEvent[] {
    const oldest = this.#events[0]?.id ?? this.#nextId;
    const first = Math.max(0, Math.floor(afterId) + 1 - oldest); // ids are consecutive
    return this.#events.slice(first, first + limit);
  }

  subscribe(afterId: number, listener: (event: ApiEvent) => void): () => void {
    for (const event of this.since(afterId, KEPT)) listener(event);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
