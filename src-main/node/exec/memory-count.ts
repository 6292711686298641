// How many memories a module has, imported and defined, read from its binary's sections: binaryen.js
// reads a module of several memories but gives no count of them, and a module with more than one
// (the multi-memory proposal) must be refused by name, not by the validator's later complaint.

/** An unsigned LEB128 at `at`: its value and the offset after it. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new RangeError('a LEB128 number runs past the module');
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
    if (shift > 35) throw new RangeError('a LEB128 number is longer than 32 bits');
  }
}

/** A name of the import section (its length, then its bytes): the offset after it. */
const skipName = (bytes: Uint8Array, at: number): number => {
  const [length, from] = leb(bytes, at);
  return from + length;
};

/** Memories imported (import section, kind 2) and defined (memory section); a module V8 validated. */
export function memoryCount(bytes: Uint8Array): number {
  let count = 0;
  let at = 8; // the magic number and the version
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, body] = leb(bytes, at + 1);
    if (id === 5) count += leb(bytes, body)[0];
    if (id === 2) {
      let [imports, p] = leb(bytes, body);
      for (; imports > 0; imports--) {
        p = skipName(bytes, skipName(bytes, p));
        const kind = bytes[p++]!;
        if (kind === 2) count++;
        // Each kind's description, skipped: a function's type index, a table's or memory's limits, a global's type, a tag's.
        if (kind === 0) p = leb(bytes, p)[1];
        else if (kind === 1) p = limitsEnd(bytes, p + 1);
        else if (kind === 2) p = limitsEnd(bytes, p);
        else if (kind === 3) p += 2;
        else if (kind === 4) p = leb(bytes, p + 1)[1];
        else return count + 1; // a kind this reader does not know: say more than one, to be refused by name
      }
    }
    at = body + size;
  }
  return count;
}

/** The end of limits at `at`: a flags byte, the minimum, and the maximum when flags say so (bit 0). */
function limitsEnd(bytes: Uint8Array, at: number): number {
  const flags = bytes[at]!;
  let p = leb(bytes, at + 1)[1];
  if (flags & 1) p = leb(bytes, p)[1];
  return p;
}
