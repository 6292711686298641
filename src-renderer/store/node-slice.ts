// This node: its status (polled, and refreshed after events), the utilisation samples the
// dashboard charts, and availability: sharing, the sharing settings, weekly windows, one-off slots;
// and whether it has Blender and its sandbox.
import type { NodeSlice, Slice, UtilisationSample } from './types.js';
import { describeError } from '../../src-main/core/errors.js';

/** About two minutes of the dashboard's chart at one poll every two seconds. */
const KEPT_SAMPLES = 60;

export const nodeSlice: Slice<NodeSlice> = (set, get, transport) => {
  const attempt = <T>(work: () => Promise<T>) => get().attempt(work);
  return {
    status: null,
    connection: { state: 'connecting' },
    samples: [],
    settings: null,
    blender: null,
    windows: null,
    slots: null,

    async refreshStatus(sample = false) {
      try {
        const status = await transport.call('status', {});
        set((s) => ({
          status,
          connection: { state: 'live' },
          samples: sample ? [...s.samples, sampleOf(status)].slice(-KEPT_SAMPLES) : s.samples,
        }));
      } catch (error) {
        // A poll that fails says the node is gone; the notice says so, not a banner every two seconds.
        set({ connection: { state: 'lost', message: describeError(error) } });
      }
    },

    async refreshAvailability() {
      await attempt(async () => {
        const [windows, slots, settings] = await Promise.all([
          transport.call('windows.list', {}),
          transport.call('slots.list', {}),
          transport.call('settings.get', {}),
        ]);
        set({ windows: windows.windows, slots: slots.slots, settings: settings.settings });
      });
      await get().refreshStatus(); // what is offered now follows the windows and slots at once
    },

    async setSharing(on) {
      const reply = await attempt(() => transport.call('sharing.set', { on }));
      if (reply) set((s) => (s.status ? { status: { ...s.status, sharing: reply.sharing } } : s));
      await get().refreshStatus();
    },

    async updateSettings(changes) {
      const reply = await attempt(() => transport.call('settings.set', changes));
      if (reply) set({ settings: reply.settings });
      await get().refreshStatus();
    },

    async checkBlender() {
      const reply = await attempt(() => transport.call('blender.check', {}));
      if (reply) set({ blender: reply });
    },

    async addWindow(window) {
      await attempt(() => transport.call('windows.add', window));
      await get().refreshAvailability();
    },

    async saveWindow(window) {
      await attempt(() => transport.call('windows.add', window));
      await get().refreshAvailability();
    },

    async removeWindow(windowId) {
      await attempt(() => transport.call('windows.remove', { window_id: windowId }));
      await get().refreshAvailability();
    },

    async applyWindowEdit(edit) {
      await attempt(async () => {
        for (const window of edit.add) await transport.call('windows.add', window);
        for (const windowId of edit.remove) await transport.call('windows.remove', { window_id: windowId });
      });
      await get().refreshAvailability();
    },

    async addSlot(slot) {
      const added = await attempt(() => transport.call('slots.add', slot));
      await get().refreshAvailability();
      return added !== undefined;
    },

    async removeSlot(slotId) {
      await attempt(() => transport.call('slots.remove', { slot_id: slotId }));
      await get().refreshAvailability();
    },
  };
};

function sampleOf(status: NonNullable<NodeSlice['status']>): UtilisationSample {
  return {
    t: Date.now(),
    mesh: status.workers > 0 ? Math.min(100, (status.units_running / status.workers) * 100) : 0,
    other: status.other_load_pct,
  };
}
