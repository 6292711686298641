// Errors the person should see: every failed call lands here (never swallowed) and the banner
// shows it until dismissed. The same message twice in a row is kept once.
import { describeError } from '../../src-main/core/errors.js';
import type { CommonSlice, Slice } from './types.js';

const KEPT_ERRORS = 5;
let nextErrorId = 1;

export const commonSlice: Slice<CommonSlice> = (set, get, transport) => ({
  desktop: transport.desktop ?? null,
  errors: [],
  reportError(error) {
    const message = describeError(error);
    set((s) =>
      s.errors.at(-1)?.message === message
        ? s
        : { errors: [...s.errors, { id: nextErrorId++, message }].slice(-KEPT_ERRORS) },
    );
  },
  dismissErrors() {
    set({ errors: [] });
  },
  async attempt(work) {
    try {
      return await work();
    } catch (error) {
      get().reportError(error);
      return undefined;
    }
  },
});
