// What I earned and spent (the ledger's transfers and balances) and my prices.
import type { LedgerSlice, Slice } from './types.js';

/** The earnings page charts this many of the newest transfers. */
const TRANSFERS_SHOWN = 10_000;

export const ledgerSlice: Slice<LedgerSlice> = (set, get, transport) => ({
  transfers: null,
  ledger: null,

  async refreshLedger(fromScratch = false) {
    await get().attempt(async () => {
      // Only the transfers newer than those held: each refresh costs the node what changed, not its history.
      const held = fromScratch ? null : get().transfers;
      const after_seq = held?.at(-1)?.seq;
      const [fresh, ledger] = await Promise.all([
        transport.call('ledger.transfers', { limit: TRANSFERS_SHOWN, after_seq }),
        transport.call('ledger.get', { limit: 0 }),
      ]);
      const transfers =
        held && after_seq !== undefined && fresh.transfers.length < TRANSFERS_SHOWN
          ? [...held, ...fresh.transfers].slice(-TRANSFERS_SHOWN)
          : fresh.transfers;
      const { entries: _entries, ...summary } = ledger;
      set({ transfers, ledger: summary });
    });
  },

  async setPrices(changes) {
    const reply = await get().attempt(() => transport.call('prices.set', changes));
    if (reply) set((s) => (s.status ? { status: { ...s.status, price: reply.price } } : s));
    return reply !== undefined;
  },
});
