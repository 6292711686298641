// What I earned and spent (the ledger's transfers and balances) and my prices.
import type { LedgerSlice, Slice } from './types.js';

/** The earnings page charts this many of the newest transfers. */
const TRANSFERS_SHOWN = 10_000;

export const ledgerSlice: Slice<LedgerSlice> = (set, get, transport) => ({
  transfers: null,
  ledger: null,

  async refreshLedger() {
    await get().attempt(async () => {
      const [transfers, ledger] = await Promise.all([
        transport.call('ledger.transfers', { limit: TRANSFERS_SHOWN }),
        transport.call('ledger.get', { limit: 0 }),
      ]);
      set({
        transfers: transfers.transfers,
        ledger: { balance: ledger.balance, peers: ledger.peers, held: ledger.held },
      });
    });
  },

  async setPrices(changes) {
    const reply = await get().attempt(() => transport.call('prices.set', changes));
    if (reply) set((s) => (s.status ? { status: { ...s.status, price: reply.price } } : s));
    return reply !== undefined;
  },
});
