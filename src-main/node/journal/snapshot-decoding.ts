// Reads what snapshot-encoding.ts wrote (the format: snapshot-format.ts). Every length and count is
// checked against the bytes left before anything is made of it, so bytes cut short or made up end
// in a RangeError, never in a value read wrong.
import { Tag, TYPED_ARRAYS } from './snapshot-format.js';

interface ReadShape {
  readonly keys: readonly string[];
  /** An object of these keys, each null, laid out as JSON.parse lays out what it reads. */
  readonly template: Record<string, unknown>;
  last: object | undefined;
}

class Reader {
  #pos = 0;
  readonly #strings: string[] = [];
  readonly #shapes: ReadShape[] = [];

  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.#pos === this.buf.length;
  }

  value(): unknown {
    const tag = this.#tag();
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Int: {
        const z = this.#uint();
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      case Tag.Float: {
        this.#need(8);
        const n = this.buf.readDoubleLE(this.#pos);
        this.#pos += 8;
        return n;
      }
      case Tag.String:
        return this.#newString();
      case Tag.StringRef:
        return this.#stringRef();
      case Tag.Array: {
        const length = this.#count();
        const items: unknown[] = new Array(length); // of its length: one grown by push keeps room for more
        for (let i = 0; i < length; i++) items[i] = this.value();
        return items;
      }
      case Tag.Shape: {
        const count = this.#count();
        const keys: string[] = [];
        for (let i = 0; i < count; i++) keys.push(this.#key());
        const template = JSON.parse(JSON.stringify(Object.fromEntries(keys.map((key) => [key, null])))) as Record<
          string,
          unknown
        >;
        const shape: ReadShape = { keys, template, last: undefined };
        this.#shapes.push(shape);
        return (shape.last = this.#object(shape));
      }
      case Tag.Object: {
        const shape = this.#shape();
        return (shape.last = this.#object(shape));
      }
      case Tag.SameObject: {
        const last = this.#shape().last;
        if (last === undefined) throw new RangeError(`snapshot: shape reused before any object at byte ${this.#pos}`);
        return last;
      }
      case Tag.Map: {
        const size = this.#count();
        const map = new Map<unknown, unknown>();
        for (let i = 0; i < size; i++) map.set(this.value(), this.value());
        return map;
      }
      case Tag.Set: {
        const size = this.#count();
        const set = new Set<unknown>();
        for (let i = 0; i < size; i++) set.add(this.value());
        return set;
      }
      case Tag.TypedArray: {
        const type = TYPED_ARRAYS[this.#byte()];
        if (!type) throw new RangeError(`snapshot: unknown typed array at byte ${this.#pos - 1}`);
        const length = this.#count();
        if (length % type.BYTES_PER_ELEMENT !== 0)
          throw new RangeError(`snapshot: ${type.name} of ${length} bytes at byte ${this.#pos}`);
        const bytes = new Uint8Array(length); // its own, aligned
        bytes.set(this.buf.subarray(this.#pos, this.#pos + length));
        this.#pos += length;
        return new type(bytes.buffer);
      }
      default:
        throw new RangeError(`snapshot: unknown tag ${this.buf[this.#pos - 1]} at byte ${this.#pos - 1}`);
    }
  }

  /**
   * An object of `shape`: a copy of its template (a spread of an object with the same keys copies
   * its layout, every key in the object itself, as JSON.parse lays out what it reads; objects built
   * key by key kept 5 or more in an array of their own), its values then set in place.
   */
  #object(shape: ReadShape): Record<string, unknown> {
    const o = { ...shape.template };
    for (const key of shape.keys) o[key] = this.value();
    return o;
  }

  #key(): string {
    const tag = this.#tag();
    if (tag === Tag.String) return this.#newString();
    if (tag === Tag.StringRef) return this.#stringRef();
    throw new RangeError(`snapshot: a key that is not a string at byte ${this.#pos - 1}`);
  }

  #shape(): ReadShape {
    const id = this.#uint();
    const shape = this.#shapes[id];
    if (!shape) throw new RangeError(`snapshot: unknown shape ${id} at byte ${this.#pos}`);
    return shape;
  }

  #newString(): string {
    const length = this.#count();
    this.#need(length);
    const s = this.buf.toString('utf8', this.#pos, this.#pos + length);
    this.#pos += length;
    this.#strings.push(s);
    return s;
  }

  #stringRef(): string {
    const id = this.#uint();
    const s = this.#strings[id];
    if (s === undefined) throw new RangeError(`snapshot: unknown string ${id} at byte ${this.#pos}`);
    return s;
  }

  /** A length or count: no more than the bytes left could hold (each item takes at least one). */
  #count(): number {
    const n = this.#uint();
    this.#need(n);
    return n;
  }

  #byte(): number {
    this.#need(1);
    return this.buf[this.#pos++]!;
  }

  #tag(): Tag {
    return this.#byte() as Tag;
  }

  #uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.#byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError(`snapshot: a number too long at byte ${this.#pos}`);
    }
  }

  #need(bytes: number): void {
    if (this.#pos + bytes > this.buf.length)
      throw new RangeError(`snapshot: cut short (${bytes} bytes needed at byte ${this.#pos} of ${this.buf.length})`);
  }
}

/** The value `encodeSnapshot` wrote; throws a RangeError saying where bytes are cut short or wrong. */
export function decodeSnapshot(bytes: Buffer): unknown {
  const reader = new Reader(bytes);
  const value = reader.value();
  if (!reader.done()) throw new RangeError('snapshot: bytes after its value');
  return value;
}
