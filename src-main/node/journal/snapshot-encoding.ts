// Writes a snapshot in the format of snapshot-format.ts: each distinct string once, each object's
// keys once per shape.
import { MAX_VARINT_INT, Tag, TYPED_ARRAYS } from './snapshot-format.js';

interface Shape {
  readonly id: number;
  readonly keys: readonly string[];
  last: object | undefined;
  /** The string each field of `last` held, and its number. */
  readonly lastStrings: (string | undefined)[];
  readonly lastStringIds: number[];
}

class Writer {
  #buf = Buffer.allocUnsafe(1 << 16);
  #pos = 0;
  readonly #strings = new Map<string, number>();
  #lastString: string | undefined;
  #lastStringId = 0;
  /** Shapes by their first key ('' for no keys). */
  readonly #shapes = new Map<string, Shape[]>();
  #shapeCount = 0;

  bytes(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.#string(v);
        return;
      case 'number':
        return this.#number(v);
      case 'boolean':
        return this.#byte(v ? Tag.True : Tag.False);
      case 'undefined':
        return this.#byte(Tag.Undefined);
      case 'object':
        if (v === null) return this.#byte(Tag.Null);
        if (Array.isArray(v)) {
          this.#byte(Tag.Array);
          this.#uint(v.length);
          for (let i = 0; i < v.length; i++) this.value(v[i]);
          return;
        }
        if (v instanceof Map) {
          this.#byte(Tag.Map);
          this.#uint(v.size);
          for (const [key, item] of v) {
            this.value(key);
            this.value(item);
          }
          return;
        }
        if (v instanceof Set) {
          this.#byte(Tag.Set);
          this.#uint(v.size);
          for (const item of v) this.value(item);
          return;
        }
        if (ArrayBuffer.isView(v)) {
          const kind = TYPED_ARRAYS.findIndex((type) => v.constructor === type);
          if (kind >= 0) {
            this.#byte(Tag.TypedArray);
            this.#byte(kind);
            this.#uint(v.byteLength);
            this.#room(v.byteLength);
            this.#buf.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), this.#pos);
            this.#pos += v.byteLength;
            return;
          }
        }
        if (Object.getPrototypeOf(v) === Object.prototype) return this.#object(v as Record<string, unknown>);
        break;
      case 'bigint':
      case 'function':
      case 'symbol':
        break;
    }
    throw new TypeError(`a snapshot holds plain data only, not ${describe(v)}`);
  }

  #object(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    const shape = this.#shapeOf(keys);
    if (shape?.last === o) {
      this.#byte(Tag.SameObject);
      this.#uint(shape.id);
      return;
    }
    if (shape) {
      this.#byte(Tag.Object);
      this.#uint(shape.id);
    } else {
      this.#byte(Tag.Shape);
      this.#uint(keys.length);
      for (const key of keys) this.#string(key);
    }
    // Numbered before its values, as the reader numbers it: they may hold new shapes of their own.
    const written = shape ?? this.#addShape(keys);
    const { lastStrings, lastStringIds } = written;
    for (let i = 0; i < keys.length; i++) {
      const value = o[keys[i]!];
      if (typeof value !== 'string') this.value(value);
      // The same field of the last object of this shape often holds the same string (a job id, a
      // peer, a time): known without looking it up.
      else if (value === lastStrings[i]) this.#stringRef(lastStringIds[i]!);
      else {
        lastStringIds[i] = this.#string(value);
        lastStrings[i] = value;
      }
    }
    written.last = o;
  }

  #shapeOf(keys: readonly string[]): Shape | undefined {
    const candidates = this.#shapes.get(keys[0] ?? '');
    if (!candidates) return undefined;
    next: for (const shape of candidates) {
      if (shape.keys.length !== keys.length) continue;
      for (let i = 1; i < keys.length; i++) if (shape.keys[i] !== keys[i]) continue next;
      return shape;
    }
    return undefined;
  }

  #addShape(keys: readonly string[]): Shape {
    const shape: Shape = { id: this.#shapeCount++, keys, last: undefined, lastStrings: [], lastStringIds: [] };
    const first = keys[0] ?? '';
    const candidates = this.#shapes.get(first);
    if (candidates) candidates.push(shape);
    else this.#shapes.set(first, [shape]);
    return shape;
  }

  /** Writes `s`, or a reference to it when written before; returns its number. */
  #string(s: string): number {
    // An id is often said twice in a row (a Map's key, then its record's first field).
    if (s === this.#lastString) {
      this.#stringRef(this.#lastStringId);
      return this.#lastStringId;
    }
    this.#lastString = s;
    return (this.#lastStringId = this.#newOrKnown(s));
  }

  #newOrKnown(s: string): number {
    const known = this.#strings.get(s);
    if (known !== undefined) {
      this.#stringRef(known);
      return known;
    }
    const id = this.#strings.size;
    this.#strings.set(s, id);
    this.#byte(Tag.String);
    // Most are ASCII: written as they are read, with their length as the byte count.
    const start = this.#pos;
    this.#uint(s.length);
    this.#room(s.length);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < s.length; i++) {
      const code = s.charCodeAt(i);
      if (code >= 0x80) {
        this.#pos = start;
        const length = Buffer.byteLength(s, 'utf8');
        this.#uint(length);
        this.#room(length);
        this.#pos += this.#buf.write(s, this.#pos, 'utf8');
        return id;
      }
      buf[pos++] = code;
    }
    this.#pos = pos;
    return id;
  }

  #stringRef(id: number): void {
    this.#byte(Tag.StringRef);
    this.#uint(id);
  }

  #number(n: number): void {
    if (Number.isInteger(n) && Math.abs(n) < MAX_VARINT_INT && !Object.is(n, -0)) {
      this.#byte(Tag.Int);
      this.#uint(n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    this.#byte(Tag.Float);
    this.#room(8);
    this.#pos = this.#buf.writeDoubleLE(n, this.#pos);
  }

  #byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b;
  }

  /** Unsigned LEB128 of a safe integer. */
  #uint(n: number): void {
    this.#room(8);
    const buf = this.#buf;
    while (n >= 0x80) {
      buf[this.#pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[this.#pos++] = n;
  }

  #room(bytes: number): void {
    if (this.#pos + bytes <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
  }
}

/** `value` as bytes (throws a TypeError naming what is not plain data). */
export function encodeSnapshot(value: unknown): Buffer {
  const writer = new Writer();
  writer.value(value);
  return writer.bytes();
}

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `an instance of ${v.constructor?.name ?? 'a class'}`;
  return `a ${typeof v}`;
}
