// How events leave the node for a UI, over either carrier (the WebSocket stream, the desktop app's
// IPC): the events of one tick go together, as JSON lines, at most MAX_EVENTS_PER_FRAME a batch;
// while events keep coming, a batch at most every FLUSH_EVERY_MS.
// Every event is checked against the contract first: a bad one is a bug in the feed, logged and
// not sent.
import { ApiEventSchema, MAX_EVENTS_PER_FRAME, type ApiEvent, type EventFeed } from '../../core/api/contract.js';
import { plainlyValidEvent } from '../../core/api/event-check.js';
import { validate } from '../../core/schemas/index.js';
import { describe } from './dispatch.js';

/**
 * Each event's JSON line once checked (null: it broke the contract), kept as long as the event:
 * every subscriber (a UI page each, over either carrier) sends the same line, so it is checked and
 * written once, not once a page.
 */
const checkedLines = new WeakMap<ApiEvent, string | null>();

function checkedLine(event: ApiEvent, log: (message: string) => void): string | null {
  let line = checkedLines.get(event);
  if (line !== undefined) return line;
  if (plainlyValidEvent(event)) line = JSON.stringify(event);
  else {
    const checked = validate(ApiEventSchema, event);
    line = checked.ok ? JSON.stringify(checked.value) : null;
    if (!checked.ok)
      log(`event feed sent an event that breaks the contract (a bug in the feed): ${checked.error.message}`);
  }
  checkedLines.set(event, line);
  return line;
}

/**
 * A busy node (a job of tiny units: a few events a unit, thousands of units a second) sent a batch
 * every turn of its event loop, a socket write each; fifty a second are as many as a UI redraws. An
 * event after a quiet spell still goes at the end of its turn.
 */
export const FLUSH_EVERY_MS = 20;

/** Called with each batch and the id of its last event; may throw when the receiver went away. */
export type BatchSink = (lines: string, lastId: number) => void;

/** Subscribes to the feed from `after`; returns the unsubscribe (after which nothing more is sent). */
export function batchedSubscription(
  events: EventFeed,
  after: number,
  sendBatch: BatchSink,
  log: (message: string) => void,
): () => void {
  let queued: { line: string; id: number }[] = [];
  let ended = false;
  let flushedAt = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    // A timer counts from the event loop's clock, which can lag this one under load: one that
    // comes early waits out the rest, so batches are never closer than FLUSH_EVERY_MS.
    const early = flushedAt + FLUSH_EVERY_MS - performance.now();
    if (early > 0) {
      timer = setTimeout(flush, Math.ceil(early));
      return;
    }
    timer = undefined;
    flushedAt = performance.now();
    const batch = queued;
    queued = [];
    try {
      for (let i = 0; i < batch.length; i += MAX_EVENTS_PER_FRAME) {
        if (ended) break; // sendBatch may have ended the subscription
        const part = batch.slice(i, i + MAX_EVENTS_PER_FRAME);
        sendBatch(part.map((e) => e.line).join('\n'), part.at(-1)!.id);
      }
    } catch (err) {
      log(`sending events failed: ${describe(err)}`); // the receiver is going away; its end unsubscribes
    }
  };
  const unsubscribe = events.subscribe(after, (event: ApiEvent) => {
    const line = checkedLine(event, log);
    if (line === null) return;
    if (queued.length === 0) timer = setTimeout(flush, Math.max(0, flushedAt + FLUSH_EVERY_MS - performance.now()));
    queued.push({ line, id: event.id });
  });
  return () => {
    ended = true;
    clearTimeout(timer);
    unsubscribe();
  };
}
