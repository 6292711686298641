// One JSON text per value: object keys sorted (by UTF-16 code unit, as Array.prototype.sort does),
// no whitespace. Two nodes that hold the same params therefore hand a unit the same bytes, which
// keeps its output — and its fuel — identical wherever it runs.
// Built as one string with plain loops: every signed message is written so twice (sealed, then
// checked by the receiver), and the map/filter/join arrays of each object cost a third more.
// A value JSON would not write as itself (undefined in an array, a function, a number that would
// read back as null, a Date or a Map) is a TypeError: what is written parses back to what was meant.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return scalarJson(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += canonicalJson(value[i]);
    }
    return `${text}]`;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null)
    throw new TypeError(`${value.constructor?.name ?? 'an object'} is not a JSON value`);
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

function scalarJson(value: unknown): string {
  const json =
    typeof value === 'number'
      ? Number.isFinite(value)
      : value === null || typeof value === 'string' || typeof value === 'boolean';
  if (json) return JSON.stringify(value);
  throw new TypeError(`${typeof value === 'number' ? String(value) : typeof value} is not a JSON value`);
}
