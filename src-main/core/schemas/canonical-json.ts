// One JSON text per value: object keys sorted (by UTF-16 code unit, as Array.prototype.sort does),
// no whitespace. Two nodes that hold the same params therefore hand a unit the same bytes, which
// keeps its output — and its fuel — identical wherever it runs.
// Built as one string with plain loops: every signed message is written so twice (sealed, then
// checked by the receiver), and the map/filter/join arrays of each object cost a third more.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += canonicalJson(value[i]) ?? ''; // as join() writes an undefined item
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${text}}`;
}
