// One JSON text per value: object keys sorted (by UTF-16 code unit, as Array.prototype.sort does),
// no whitespace. Two nodes that hold the same params therefore hand a unit the same bytes, which
// keeps its output — and its fuel — identical wherever it runs.
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
