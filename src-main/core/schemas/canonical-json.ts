// One JSON text per value: object keys sorted (by UTF-16 code unit, as Array.prototype.sort does),
// no whitespace. Two nodes that hold the same params therefore hand a unit the same bytes, which
// keeps its output — and its fuel — identical wherever it runs.
// Written by JSON.stringify with the value's keys, sorted, as its property list (which sets the
// order of every object's members, array-index keys too): every signed message is written so,
// and building the text by hand, a string a member, was a tenth of what a busy node allocated.
// A value with a member "__proto__" is written by hand (for an object without one, the property
// list would read the prototype), as is one with a non-enumerable property (which the list would
// read where another object has that key): neither is made by JSON.parse or a schema.
// A value JSON would not write as itself (undefined in an array, a function, a number that would
// read back as null, a Date or a Map) is a TypeError: what is written parses back to what was meant.
export function canonicalJson(value: unknown): string {
  const found: Keys = { keys: new Set(), plain: true };
  checkedKeys(value, found, false);
  if (value === undefined) throw notJson(value);
  if (!found.plain || found.keys.has('__proto__')) return byHand(value);
  return JSON.stringify(value, [...found.keys].sort());
}

interface Keys {
  keys: Set<string>;
  /** No object has a property but its enumerable ones. */
  plain: boolean;
}

/** Adds the value's keys at every depth to `found`; throws at a part that is not a JSON value. */
function checkedKeys(value: unknown, found: Keys, inArray: boolean): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw notJson(value);
  }
  if (value === undefined && !inArray) return; // a member left out
  if (typeof value !== 'object') throw notJson(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkedKeys(value[i], found, true);
    return;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) throw notJson(value);
  const keys = Object.keys(value);
  if (found.plain && Object.getOwnPropertyNames(value).length !== keys.length) found.plain = false;
  for (const key of keys) {
    found.keys.add(key);
    checkedKeys((value as Record<string, unknown>)[key], found, false);
  }
}

/** The same text, a member at a time (checked already). */
function byHand(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += byHand(value[i]);
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${byHand(item)}`;
  }
  return `${text}}`;
}

function notJson(value: unknown): TypeError {
  const what =
    typeof value === 'number'
      ? String(value)
      : typeof value === 'object' && value !== null
        ? (value.constructor?.name ?? 'an object')
        : typeof value;
  return new TypeError(`${what} is not a JSON value`);
}
