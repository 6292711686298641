// The event stream as the Logs page shows it: the latest events, newest first.
import type { LogSlice, Slice } from './types.js';

export const KEPT_EVENTS = 500;

export const logSlice: Slice<LogSlice> = (set) => ({
  events: [],
  addEvents(batch) {
    if (batch.length === 0) return;
    set((s) => ({ events: [...[...batch].reverse(), ...s.events].slice(0, KEPT_EVENTS) }));
  },
});
