// Credits are counted in millicredits everywhere (integers: no float rounding in the ledger) and
// shown as credits with three decimals, the same in meshctl, the UI and the node's own messages.

/** Millicredits as credits with 3 decimals, exactly: 12500 → "12.500", -5 → "-0.005". */
export function formatCredits(millicredits: number): string {
  const sign = millicredits < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(millicredits));
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/**
 * What a unit costs, which may be a fraction of a millicredit (a pack's price shared by its
 * units): as formatCredits from one credit up, else to three significant figures, 83.6 → "0.0836".
 */
export function formatUnitCredits(millicredits: number): string {
  if (Math.abs(millicredits) >= 1000 || millicredits === 0) return formatCredits(Math.round(millicredits));
  return (millicredits / 1000).toPrecision(3);
}
