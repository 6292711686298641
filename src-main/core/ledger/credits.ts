// Credits are counted in millicredits everywhere (integers: no float rounding in the ledger) and
// shown as credits with three decimals, the same in meshctl, the UI and the node's own messages.

/** Millicredits as credits with 3 decimals, exactly: 12500 → "12.500", -5 → "-0.005". */
export function formatCredits(millicredits: number): string {
  const sign = millicredits < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(millicredits));
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}
