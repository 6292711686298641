// Reads the unit's params: the UTF-8 JSON object the host writes (docs/UNIT_ABI.md). Kernels only
// need top-level numbers, strings and booleans by key, so this is a scanner over the bytes, not a
// general JSON library: it finds a key's value and skips every other value, however nested.

export class Params {
  private constructor(private ptr: usize, private len: i32, public valid: bool) {}

  /** Wraps the params bytes; `valid` is false when they are not a JSON object. */
  static read(ptr: usize, len: i32): Params {
    const params = new Params(ptr, len, true);
    params.valid = params.checkObject();
    return params;
  }

  has(key: string): bool {
    return this.find(key) >= 0;
  }

  /** The number under `key`, or `fallback` when it is missing or not a number. */
  num(key: string, fallback: f64): f64 {
    const at = this.find(key);
    if (at < 0) return fallback;
    const c = this.byte(at);
    if (!(c == 0x2d || (c >= 0x30 && c <= 0x39))) return fallback;
    let end = at;
    while (end < this.len && isNumberByte(this.byte(end))) end++;
    return F64.parseFloat(String.UTF8.decodeUnsafe(this.ptr + <usize>at, <usize>(end - at)));
  }

  int(key: string, fallback: i32): i32 {
    const value = this.num(key, <f64>fallback);
    return value == Math.floor(value) && value >= -2147483648 && value <= 2147483647 ? <i32>value : fallback;
  }

  /** The string under `key` (escapes other than \" and \\ are kept as written), or `fallback`. */
  str(key: string, fallback: string): string {
    const at = this.find(key);
    if (at < 0 || this.byte(at) != 0x22) return fallback;
    const end = this.skipString(at);
    if (end < 0) return fallback;
    return String.UTF8.decodeUnsafe(this.ptr + <usize>(at + 1), <usize>(end - at - 2)).replaceAll('\\"', '"').replaceAll('\\\\', '\\');
  }

  bool(key: string, fallback: bool): bool {
    const at = this.find(key);
    if (at < 0) return fallback;
    if (this.byte(at) == 0x74) return true; // t(rue)
    if (this.byte(at) == 0x66) return false; // f(alse)
    return fallback;
  }

  private byte(at: i32): u8 {
    return load<u8>(this.ptr + <usize>at);
  }

  private skipSpace(at: i32): i32 {
    while (at < this.len) {
      const c = this.byte(at);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      at++;
    }
    return at;
  }

  /** Index just past the string starting at `at` (a quote), or -1. */
  private skipString(at: i32): i32 {
    at++;
    while (at < this.len) {
      const c = this.byte(at);
      if (c == 0x5c) at += 2;
      else if (c == 0x22) return at + 1;
      else at++;
    }
    return -1;
  }

  /** Index just past the value starting at `at`, or -1 when it is malformed. */
  private skipValue(at: i32): i32 {
    at = this.skipSpace(at);
    if (at >= this.len) return -1;
    const c = this.byte(at);
    if (c == 0x22) return this.skipString(at);
    if (c == 0x7b || c == 0x5b) {
      // Objects and arrays: track depth, skipping strings so their brackets do not count.
      let depth = 0;
      while (at < this.len) {
        const d = this.byte(at);
        if (d == 0x22) {
          at = this.skipString(at);
          if (at < 0) return -1;
          continue;
        }
        if (d == 0x7b || d == 0x5b) depth++;
        else if (d == 0x7d || d == 0x5d) {
          depth--;
          if (depth == 0) return at + 1;
        }
        at++;
      }
      return -1;
    }
    const start = at;
    while (at < this.len && (isNumberByte(this.byte(at)) || (this.byte(at) >= 0x61 && this.byte(at) <= 0x7a))) at++;
    return at > start ? at : -1;
  }

  private checkObject(): bool {
    let at = this.skipSpace(0);
    if (at >= this.len || this.byte(at) != 0x7b) return false;
    const end = this.skipValue(at);
    return end > 0 && this.skipSpace(end) == this.len;
  }

  /** Index of the value under the top-level `key`, or -1. */
  private find(key: string): i32 {
    if (!this.valid) return -1;
    let at = this.skipSpace(0) + 1;
    while (at < this.len) {
      at = this.skipSpace(at);
      if (this.byte(at) == 0x7d) return -1;
      if (this.byte(at) == 0x2c) {
        at++;
        continue;
      }
      const keyEnd = this.skipString(at);
      if (keyEnd < 0) return -1;
      const name = String.UTF8.decodeUnsafe(this.ptr + <usize>(at + 1), <usize>(keyEnd - at - 2));
      at = this.skipSpace(keyEnd);
      if (this.byte(at) != 0x3a) return -1;
      at = this.skipSpace(at + 1);
      if (name == key) return at;
      at = this.skipValue(at);
      if (at < 0) return -1;
    }
    return -1;
  }
}

function isNumberByte(c: u8): bool {
  return (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45;
}
